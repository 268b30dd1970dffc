import { describe, expect, it } from 'vitest';
import {
  beta,
  categorical,
  createRng,
  dirichlet,
  exponential,
  gamma,
  hashWords,
  normal,
  poisson,
  type Rng,
} from './random.js';
import { gammaCdf, gammaP, logGamma } from './special.js';

const N = 100_000;

function moments(rng: Rng, draw: (rng: Rng) => number, n = N): { mean: number; variance: number; min: number } {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const x = draw(rng);
    sum += x;
    sumSq += x * x;
    if (x < min) min = x;
  }
  const mean = sum / n;
  return { mean, variance: (sumSq - n * mean * mean) / (n - 1), min };
}

/** |observed − expected| within `z` standard errors. */
function expectWithin(observed: number, expected: number, standardError: number, z = 5): void {
  expect(Math.abs(observed - expected)).toBeLessThanOrEqual(z * standardError);
}

describe('createRng', () => {
  it('gives the same sequence for the same seed words and a different one otherwise', () => {
    const take = (rng: Rng) => Array.from({ length: 20 }, () => rng());
    expect(take(createRng(42, 7, 'events'))).toEqual(take(createRng(42, 7, 'events')));
    expect(take(createRng(42, 7, 'events'))).not.toEqual(take(createRng(43, 7, 'events')));
    expect(take(createRng(42, 7, 'events'))).not.toEqual(take(createRng(42, 8, 'events')));
    expect(take(createRng(42, 7, 'events'))).not.toEqual(take(createRng(42, 7, 'latent')));
  });

  it('returns uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = createRng(1);
    let lo = 1;
    let hi = 0;
    const m = moments(rng, (r) => {
      const u = r();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      return u;
    });
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expectWithin(m.mean, 0.5, Math.sqrt(1 / 12 / N));
    expect(m.variance).toBeCloseTo(1 / 12, 3);
  });

  it('hashes strings and numbers to distinct words', () => {
    expect(hashWords('a')).not.toBe(hashWords('b'));
    expect(hashWords(1, 2)).not.toBe(hashWords(2, 1));
    expect(hashWords(2 ** 40)).not.toBe(hashWords(0));
  });
});

describe('samplers match their theoretical moments', () => {
  it.each([
    [0.5, 1],
    [0.8, 40],
    [4, 50],
    [6, 0.1],
  ])('gamma(shape %d, rate %d): mean k/θ, variance k/θ²', (shape, rate) => {
    const m = moments(createRng('gamma', shape, rate), (r) => gamma(r, shape, rate));
    const mean = shape / rate;
    const variance = shape / (rate * rate);
    expect(m.min).toBeGreaterThan(0);
    expectWithin(m.mean, mean, Math.sqrt(variance / N));
    // SE of the sample variance: σ² √((2 + 6/k)/n) (gamma's excess kurtosis is 6/k).
    expectWithin(m.variance, variance, variance * Math.sqrt((2 + 6 / shape) / N));
  });

  it.each([
    [0.8, 2.5],
    [2, 3],
    [1, 8],
  ])('beta(%d, %d): mean a/(a+b), variance ab/((a+b)²(a+b+1))', (a, b) => {
    const m = moments(createRng('beta', a, b), (r) => beta(r, a, b));
    const mean = a / (a + b);
    const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expectWithin(m.mean, mean, Math.sqrt(variance / N));
    expect(Math.abs(m.variance - variance) / variance).toBeLessThan(0.03);
    expect(m.min).toBeGreaterThanOrEqual(0);
  });

  it.each([0.4, 3, 29.5, 50, 1000])('poisson(%d): mean and variance equal the rate (Knuth and PTRS branches)', (rate) => {
    const draws: number[] = [];
    const m = moments(createRng('poisson', rate), (r) => {
      const k = poisson(r, rate);
      draws.push(k);
      return k;
    });
    expect(draws.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
    expectWithin(m.mean, rate, Math.sqrt(rate / N));
    // SE of the sample variance of a Poisson: √((2λ² + λ)/n).
    expectWithin(m.variance, rate, Math.sqrt((2 * rate * rate + rate) / N));
  });

  it('poisson(2) hits P(K = 0) = e^-2', () => {
    const rng = createRng('p0');
    let zeros = 0;
    for (let i = 0; i < N; i++) if (poisson(rng, 2) === 0) zeros++;
    const p = Math.exp(-2);
    expectWithin(zeros / N, p, Math.sqrt((p * (1 - p)) / N));
  });

  it('exponential(rate) has mean 1/rate and variance 1/rate²', () => {
    const m = moments(createRng('exp'), (r) => exponential(r, 0.25));
    expectWithin(m.mean, 4, Math.sqrt(16 / N));
    expect(m.variance / 16).toBeCloseTo(1, 1);
  });

  it('normal(mean, sd) has that mean and sd', () => {
    const m = moments(createRng('normal'), (r) => normal(r, 3, 2));
    expectWithin(m.mean, 3, Math.sqrt(4 / N));
    expect(Math.sqrt(m.variance)).toBeCloseTo(2, 1);
  });

  it('categorical picks indices in proportion to the weights and never a zero weight', () => {
    const weights = [1, 0, 3, 6];
    const counts = [0, 0, 0, 0];
    const rng = createRng('cat');
    for (let i = 0; i < N; i++) counts[categorical(rng, weights)]!++;
    expect(counts[1]).toBe(0);
    for (const i of [0, 2, 3]) {
      const p = weights[i]! / 10;
      expectWithin(counts[i]! / N, p, Math.sqrt((p * (1 - p)) / N));
    }
  });

  it('dirichlet returns a probability vector', () => {
    const rng = createRng('dir');
    for (let i = 0; i < 100; i++) {
      const v = dirichlet(rng, 5, 0.5);
      expect(v).toHaveLength(5);
      expect(v.every((x) => x >= 0)).toBe(true);
      expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });
});

describe('gamma CDF', () => {
  it('matches closed forms', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    for (const x of [0.01, 0.5, 2, 10, 40]) expect(gammaP(1, x)).toBeCloseTo(1 - Math.exp(-x), 12);
    expect(gammaP(0.5, 1)).toBeCloseTo(0.8427007929497149, 10); // erf(1)
    expect(gammaP(3, 2)).toBeCloseTo(1 - 5 * Math.exp(-2), 12);
    expect(gammaP(3, 20)).toBeCloseTo(1 - 221 * Math.exp(-20), 12);
    expect(gammaP(2, 0)).toBe(0);
  });

  it('agrees with the empirical CDF of the gamma sampler (Kolmogorov–Smirnov distance)', () => {
    const rng = createRng('ks');
    const n = 50_000;
    const xs = Float64Array.from({ length: n }, () => gamma(rng, 0.8, 40)).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = gammaCdf(xs[i]!, 0.8, 40);
      d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
    }
    expect(d).toBeLessThan(1.95 / Math.sqrt(n)); // 0.1% critical value
  });
});
