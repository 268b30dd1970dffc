import { describe, expect, it } from 'vitest';
import { createRng } from './random.js';
import { simulateCustomers } from './simulate.js';

function meanVar(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('seeded PRNG and samplers', () => {
  it('is deterministic per seed and different across seeds', () => {
    const a = createRng(123);
    const b = createRng(123);
    const c = createRng(124);
    const sa = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(sa);
    for (const u of sa) expect(u > 0 && u < 1).toBe(true);
  });

  it('gamma and beta draws have the right mean and variance (within 4 standard errors)', () => {
    const rng = createRng(5);
    const n = 100_000;
    for (const [shape, scale] of [
      [0.3, 2],
      [4.5, 0.1],
    ] as const) {
      const { mean, variance } = meanVar(Array.from({ length: n }, () => rng.gamma(shape, scale)));
      const trueVar = shape * scale * scale;
      expect(Math.abs(mean - shape * scale)).toBeLessThan(4 * Math.sqrt(trueVar / n));
      expect(Math.abs(variance - trueVar) / trueVar).toBeLessThan(0.05);
    }
    const [a, b] = [0.8, 2.5];
    const { mean, variance } = meanVar(Array.from({ length: n }, () => rng.beta(a, b)));
    const trueMean = a / (a + b);
    const trueVar = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(Math.abs(mean - trueMean)).toBeLessThan(4 * Math.sqrt(trueVar / n));
    expect(Math.abs(variance - trueVar) / trueVar).toBeLessThan(0.03);
  });
});

describe('simulateCustomers', () => {
  const opts = {
    bgnbd: { r: 0.5, alpha: 5, a: 0.8, b: 2.5 },
    gammaGamma: { p: 6, q: 4, v: 15 },
    nCustomers: 2000,
    T: { min: 10, max: 50 },
    seed: 11,
  };

  it('is reproducible from the seed', () => {
    expect(simulateCustomers(opts)).toEqual(simulateCustomers(opts));
    expect(simulateCustomers({ ...opts, seed: 12 })).not.toEqual(simulateCustomers(opts));
  });

  it('produces internally consistent summaries (x = #repeat purchases, t_x = last one ≤ T, monetary = mean of repeats)', () => {
    for (const c of simulateCustomers(opts)) {
      expect(c.frequency).toBe(c.purchaseTimes.length);
      expect(c.T >= 10 && c.T <= 50).toBe(true);
      expect(c.recency).toBeLessThanOrEqual(c.T);
      if (c.frequency === 0) {
        expect(c.recency).toBe(0);
        expect(c.monetaryValue).toBe(0);
        expect(c.aliveAtT).toBe(true); // no dropout before the first repeat purchase
      } else {
        expect(c.recency).toBe(c.purchaseTimes[c.frequency - 1]);
        const repeats = c.amounts.slice(1);
        expect(c.monetaryValue).toBeCloseTo(repeats.reduce((s, v) => s + v, 0) / repeats.length, 10);
      }
    }
  });
});
