import { describe, expect, it } from 'vitest';
import {
  type BgNbdParams,
  bgNbdIndividualLogLikelihood,
  conditionalExpectedPurchases,
  expectedPurchasesNewCustomer,
  expectedTimeToNextPurchase,
  probabilityAlive,
} from './bgnbd.js';
import { ClvFitError } from './errors.js';
import { createRng } from './random.js';
import { simulateCustomers, simulatePurchasePath } from './simulate.js';
import { hyp2f1, logBeta } from './special.js';

/** CDNOW estimates (Fader, Hardie & Lee 2005), weeks. */
const CDNOW: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/**
 * E_p[g(p)] for p ~ Beta(a, b) by tanh-sinh quadrature on (0, 1). Endpoint singularities of
 * the Beta density (a < 1 or b < 1) are handled by the double-exponential change of variable;
 * ln p and ln(1−p) are computed analytically so nothing underflows.
 */
function betaExpectation(a: number, b: number, g: (p: number) => number): number {
  const h = 1 / 128;
  const lnB = logBeta(a, b);
  const softplus = (v: number): number => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
  let sum = 0;
  for (let u = -6; u <= 6; u += h) {
    const s = (Math.PI / 2) * Math.sinh(u);
    const lnP = -softplus(-2 * s);
    const ln1mP = -softplus(2 * s);
    const p = Math.exp(lnP);
    if (p === 0 || p === 1) continue;
    const w = Math.exp(a * lnP + b * ln1mP - lnB) * Math.PI * Math.cosh(u); // density · dp/du
    sum += g(p) * w;
  }
  return sum * h;
}

/** E[X(t) | λ, p] = (1 − e^{−λpt})/p, integrated over λ ~ Gamma(r, α): (1 − (α/(α+pt))^r)/p. */
function newCustomerByQuadrature(params: BgNbdParams, t: number): number {
  const { r, alpha, a, b } = params;
  return betaExpectation(a, b, (p) => -Math.expm1(-r * Math.log1p((p * t) / alpha)) / p);
}

/** lifetimes' textbook formula (FHL eq. 10) using 2F1 directly — fine for moderate inputs. */
function naiveConditional(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  const hyp = hyp2f1(r + x, b + x, a + b + x - 1, z);
  const num = ((a + b + x - 1) / (a - 1)) * (1 - hyp * Math.pow((alpha + T) / (alpha + T + t), r + x));
  const den = 1 + (x > 0 ? (a / (b + x - 1)) * Math.pow((alpha + T) / (alpha + tx), r + x) : 0);
  return num / den;
}

describe('probabilityAlive', () => {
  it('is exactly 1 for customers without repeat purchases, whatever T', () => {
    for (const T of [0, 1, 38.86, 1e4]) expect(probabilityAlive(CDNOW, 0, 0, T)).toBe(1);
  });

  it('matches hand-computed values', () => {
    // t_x = T: ((α+T)/(α+t_x))^(r+x) = 1, so P = 1 / (1 + a/(b+x−1)) = 1/(1 + 0.793/24.426) = 0.9685555.
    expect(probabilityAlive(CDNOW, 23, 39, 39)).toBeCloseTo(0.9685555, 6);
    // r=α=a=b=1, x=1, t_x=1, T=3: odds = a/(b+x−1) · ((α+T)/(α+t_x))^(r+x) = 1 · (4/2)^2 = 4 → P = 1/5.
    expect(probabilityAlive({ r: 1, alpha: 1, a: 1, b: 1 }, 1, 1, 3)).toBeCloseTo(0.2, 14);
  });

  it('decreases as the last purchase recedes into the past (fixed x, T)', () => {
    const ps = [38, 30, 20, 10, 1].map((tx) => probabilityAlive(CDNOW, 5, tx, 38.86));
    for (let i = 1; i < ps.length; i++) expect(ps[i] as number).toBeLessThan(ps[i - 1] as number);
  });
});

describe('expectedPurchasesNewCustomer', () => {
  it('equals the hand-derived closed form 2 − 2·ln(1+t)/t for r=α=1, a=2, b=1', () => {
    // E_p[t/(1+pt)] with p ~ Beta(2,1) (density 2p) = 2 − 2 ln(1+t)/t.
    const params = { r: 1, alpha: 1, a: 2, b: 1 };
    for (const t of [1e-3, 0.5, 1, 10, 250]) {
      expect(expectedPurchasesNewCustomer(params, t)).toBeCloseTo(2 - (2 * Math.log1p(t)) / t, 12);
    }
  });

  it('matches numeric integration over the Beta-distributed dropout probability', () => {
    for (const params of [CDNOW, { r: 1.7, alpha: 12, a: 1.6, b: 0.6 }, { r: 0.5, alpha: 2, a: 1, b: 3 }]) {
      for (const t of [1, 39, 78, 500]) {
        const exact = newCustomerByQuadrature(params, t);
        expect(Math.abs(expectedPurchasesNewCustomer(params, t) - exact) / exact).toBeLessThan(1e-9);
      }
    }
  });

  it('matches a Monte Carlo simulation of the BG/NBD process (within 4 standard errors)', () => {
    const t = 39;
    const sims = simulateCustomers({ bgnbd: CDNOW, nCustomers: 100_000, T: t, seed: 7 });
    const xs = sims.map((s) => s.frequency);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (xs.length - 1));
    const se = sd / Math.sqrt(xs.length);
    expect(Math.abs(mean - expectedPurchasesNewCustomer(CDNOW, t))).toBeLessThan(4 * se);
  });

  it('is 0 at t = 0 and increasing in t', () => {
    expect(expectedPurchasesNewCustomer(CDNOW, 0)).toBe(0);
    let prev = 0;
    for (const t of [0.01, 1, 10, 100, 1000]) {
      const e = expectedPurchasesNewCustomer(CDNOW, t);
      expect(e).toBeGreaterThan(prev);
      prev = e;
    }
  });
});

describe('conditionalExpectedPurchases', () => {
  it('agrees with the textbook 2F1 formula where that formula is usable', () => {
    for (const params of [CDNOW, { r: 2, alpha: 3, a: 1.4, b: 0.8 }]) {
      for (const [x, tx, T] of [[0, 0, 38.86], [2, 30.43, 38.86], [7, 29.43, 38.86], [1, 1.71, 38.86]] as const) {
        for (const t of [1, 10, 39, 200]) {
          const ref = naiveConditional(params, t, x, tx, T);
          expect(Math.abs(conditionalExpectedPurchases(params, t, x, tx, T) - ref) / ref).toBeLessThan(1e-9);
        }
      }
    }
  });

  it('matches a Monte Carlo simulation from the posterior of (λ, p, alive) given the history', () => {
    // Posterior of the BG/NBD given (x, t_x, T) is a two-component mixture:
    //   alive at T:        weight ∝ B(a, b+x)·(α+T)^−(r+x),    λ ~ Γ(r+x, α+T),   p ~ Beta(a, b+x)
    //   dead after t_x:    weight ∝ B(a+1, b+x−1)·(α+t_x)^−(r+x)  (no future purchases)
    // Future purchases of an alive customer are simulated with the same process as the simulator.
    const { r, alpha, a, b } = CDNOW;
    const rng = createRng(99);
    const cases = [
      { x: 2, tx: 30.43, T: 38.86, t: 39 },
      { x: 0, tx: 0, T: 20, t: 52 },
      { x: 10, tx: 12, T: 38, t: 26 },
    ];
    for (const { x, tx, T, t } of cases) {
      const logAlive = logBeta(a, b + x) - (r + x) * Math.log(alpha + T);
      const logDead = x > 0 ? logBeta(a + 1, b + x - 1) - (r + x) * Math.log(alpha + tx) : Number.NEGATIVE_INFINITY;
      const pAliveMc = 1 / (1 + Math.exp(logDead - logAlive));
      const n = 100_000;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        let k = 0;
        if (rng.uniform() < pAliveMc) {
          const lambda = rng.gamma(r + x, 1 / (alpha + T));
          const p = rng.beta(a, b + x);
          k = simulatePurchasePath(rng, lambda, p, t).times.length;
        }
        sum += k;
        sumSq += k * k;
      }
      const mean = sum / n;
      const se = Math.sqrt((sumSq / n - mean * mean) / n);
      const exact = conditionalExpectedPurchases(CDNOW, t, x, tx, T);
      expect(Math.abs(mean - exact), `x=${x} t_x=${tx} T=${T} t=${t}: MC ${mean} vs ${exact}`).toBeLessThan(4 * se);
    }
  });

  it('is continuous through a = 1, where the textbook formula is 0/0', () => {
    const at = (a: number): number => conditionalExpectedPurchases({ r: 0.5, alpha: 5, a, b: 2 }, 30, 3, 20, 40);
    const e1 = at(1);
    expect(Number.isFinite(e1)).toBe(true);
    expect(Math.abs(at(1 + 1e-7) - e1) / e1).toBeLessThan(1e-6);
    expect(Math.abs(at(1 - 1e-7) - e1) / e1).toBeLessThan(1e-6);
    expect(Math.abs(at(1.001) - e1) / e1).toBeLessThan(1e-2);
  });

  it('stays finite for heavy buyers and long horizons (where 2F1 itself overflows)', () => {
    const params = { r: 0.8, alpha: 2, a: 0.3, b: 5 };
    const e = conditionalExpectedPurchases(params, 5000, 400, 364, 365);
    expect(Number.isFinite(e)).toBe(true);
    expect(e).toBeGreaterThan(0);
    // Short-horizon limit: posterior mean rate (r+x)/(α+T) times t, times P(alive).
    const small = conditionalExpectedPurchases(params, 1e-4, 400, 364, 365);
    const pa = probabilityAlive(params, 400, 364, 365);
    expect(small / (pa * 1e-4 * (params.r + 400) / (params.alpha + 365))).toBeCloseTo(1, 3);
  });
});

describe('expectedTimeToNextPurchase', () => {
  it('solves E[X(t)] = 1 (hand check: ln(1+t) = t/2 ⇒ t ≈ 2.51286 for r=α=1, a=2, b=1, new customer)', () => {
    const t = expectedTimeToNextPurchase({ r: 1, alpha: 1, a: 2, b: 1 }, 0, 0, 0);
    expect(t).not.toBeNull();
    expect(Math.log1p(t as number)).toBeCloseTo((t as number) / 2, 8);
    expect(t as number).toBeCloseTo(2.51286, 4);
  });

  it('returns a horizon where the conditional expectation is exactly 1 for an active customer', () => {
    const t = expectedTimeToNextPurchase(CDNOW, 7, 37, 38.86);
    expect(t).not.toBeNull();
    expect(conditionalExpectedPurchases(CDNOW, t as number, 7, 37, 38.86)).toBeCloseTo(1, 6);
  });

  it('returns null when one more purchase is not expected within the cap (a likely-churned customer)', () => {
    expect(expectedTimeToNextPurchase(CDNOW, 10, 2, 38.86, { maxHorizon: 52 })).toBeNull();
  });
});

describe('input checks on predictions', () => {
  it('rejects t_x > T, NaN horizons and invalid parameters with ClvFitError(invalid_input)', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof ClvFitError ? e.code : 'other';
      }
      return undefined;
    };
    expect(code(() => probabilityAlive(CDNOW, 2, 40, 38))).toBe('invalid_input');
    expect(code(() => conditionalExpectedPurchases(CDNOW, Number.NaN, 2, 10, 38))).toBe('invalid_input');
    expect(code(() => conditionalExpectedPurchases({ ...CDNOW, a: -1 }, 1, 2, 10, 38))).toBe('invalid_input');
    expect(code(() => expectedPurchasesNewCustomer(CDNOW, -1))).toBe('invalid_input');
  });

  it('the individual log-likelihood is a proper log-density (finite, and lower for implausible histories)', () => {
    const plausible = bgNbdIndividualLogLikelihood(CDNOW, 2, 30.43, 38.86);
    const implausible = bgNbdIndividualLogLikelihood(CDNOW, 60, 30.43, 38.86);
    expect(Number.isFinite(plausible)).toBe(true);
    expect(implausible).toBeLessThan(plausible);
  });
});
