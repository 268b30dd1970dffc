/**
 * Simulates customers from the BG/NBD (+ optional Gamma-Gamma) generative process with a
 * seeded PRNG — for parameter-recovery tests and what-if analyses.
 *
 * Per customer (time 0 = first purchase, observed until T):
 *   λ ~ Gamma(r, rate α),  p ~ Beta(a, b)
 *   repeat purchases arrive as a Poisson(λ) process; after each REPEAT purchase the
 *   customer drops out with probability p (the BG/NBD timing: no dropout at time 0).
 *   Spend (optional): ν ~ Gamma(q, rate v); each transaction's value ~ Gamma(p_gg, rate ν).
 */

import type { BgNbdParams } from './bgnbd.js';
import { ClvFitError } from './errors.js';
import type { GammaGammaParams } from './gamma-gamma.js';
import { assertPositiveParams } from './params.js';
import { createRng, type Rng } from './random.js';
import type { CustomerSummary } from './summary.js';

export interface SimulationOptions {
  bgnbd: BgNbdParams;
  /** If given, monetary values are simulated; otherwise monetaryValue is 0. */
  gammaGamma?: GammaGammaParams;
  nCustomers: number;
  /** Observation length per customer (model time units): a constant, or uniform on [min, max]. */
  T: number | { min: number; max: number };
  seed: number;
  /** Safety cap on repeat purchases per customer (guards against absurd parameters). Default 100 000. */
  maxPurchasesPerCustomer?: number;
}

export interface SimulatedCustomer extends CustomerSummary {
  customerId: string;
  /** Latent purchase rate λ. */
  lambda: number;
  /** Latent dropout probability p. */
  dropoutProbability: number;
  /** Whether the customer is still alive at T. */
  aliveAtT: boolean;
  /** Times of the repeat purchases (first purchase at 0 is not listed). */
  purchaseTimes: number[];
  /** Values of the first purchase followed by the repeat purchases (empty without gammaGamma). */
  amounts: number[];
  /** Latent spend rate ν (0 when gammaGamma is not given). */
  spendRate: number;
}

/**
 * Simulates one customer's repeat purchases in (0, T] given latent λ and p, starting
 * alive at time 0. Returns the purchase times and whether the customer is alive at T.
 */
export function simulatePurchasePath(
  rng: Rng,
  lambda: number,
  p: number,
  T: number,
  maxPurchases = 100_000,
): { times: number[]; alive: boolean } {
  const times: number[] = [];
  let t = 0;
  if (!(lambda > 0)) return { times, alive: true };
  for (;;) {
    t += rng.exponential(lambda);
    if (t > T) return { times, alive: true };
    times.push(t);
    if (rng.uniform() < p) return { times, alive: false };
    if (times.length >= maxPurchases) {
      throw new ClvFitError(
        'invalid_input',
        `simulate: a customer exceeded ${maxPurchases} purchases (λ=${lambda}, p=${p}); the parameters imply an absurd ` +
          'purchase volume for this T.',
      );
    }
  }
}

export function simulateCustomers(options: SimulationOptions): SimulatedCustomer[] {
  const { bgnbd, gammaGamma, nCustomers, seed } = options;
  assertPositiveParams({ ...bgnbd }, 'simulate BG/NBD');
  if (gammaGamma) assertPositiveParams({ ...gammaGamma }, 'simulate Gamma-Gamma');
  if (!Number.isInteger(nCustomers) || nCustomers < 0) {
    throw new ClvFitError('invalid_input', `simulate: nCustomers must be a whole number >= 0, got ${nCustomers}.`);
  }
  const Tspec = options.T;
  const [tMin, tMax] = typeof Tspec === 'number' ? [Tspec, Tspec] : [Tspec.min, Tspec.max];
  if (!(tMin >= 0) || !(tMax >= tMin) || !Number.isFinite(tMax)) {
    throw new ClvFitError('invalid_input', `simulate: T must be >= 0 (and min <= max), got ${JSON.stringify(Tspec)}.`);
  }
  const maxPurchases = options.maxPurchasesPerCustomer ?? 100_000;
  const rng = createRng(seed);
  const out: SimulatedCustomer[] = [];
  for (let i = 0; i < nCustomers; i++) {
    const T = tMin === tMax ? tMin : tMin + (tMax - tMin) * rng.uniform();
    const lambda = rng.gamma(bgnbd.r, 1 / bgnbd.alpha);
    const p = rng.beta(bgnbd.a, bgnbd.b);
    const { times, alive } = simulatePurchasePath(rng, lambda, p, T, maxPurchases);
    const x = times.length;
    let monetaryValue = 0;
    let spendRate = 0;
    const amounts: number[] = [];
    if (gammaGamma) {
      spendRate = rng.gamma(gammaGamma.q, 1 / gammaGamma.v);
      for (let k = 0; k <= x; k++) amounts.push(rng.gamma(gammaGamma.p, 1 / spendRate));
      if (x > 0) monetaryValue = amounts.slice(1).reduce((s, v) => s + v, 0) / x;
    }
    out.push({
      customerId: `sim-${i}`,
      frequency: x,
      recency: x > 0 ? (times[x - 1] as number) : 0,
      T,
      monetaryValue,
      lambda,
      dropoutProbability: p,
      aliveAtT: alive,
      purchaseTimes: times,
      amounts,
      spendRate,
    });
  }
  return out;
}
