import { describe, expect, it } from 'vitest';
import { createRng } from '../ml/clv/random.js';
import { betaVariate, logGammaVariate } from './gamma-variate.js';

const N = 40_000;

function meanAndVariance(draw: () => number) {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < N; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / N;
  return { mean, variance: s2 / N - mean * mean };
}

describe('logGammaVariate', () => {
  it.each([0.4, 1, 6])('draws Gamma(%d, 1): mean and variance both the shape', (shape) => {
    const source = createRng(shape * 100);
    const m = meanAndVariance(() => Math.exp(logGammaVariate(shape, source)));
    // The mean's standard error at N = 40k is √(k/N): five of them; the variance within 8%.
    expect(Math.abs(m.mean - shape)).toBeLessThan(5 * Math.sqrt(shape / N));
    expect(Math.abs(m.variance - shape) / shape).toBeLessThan(0.08);
  });

  it('keeps a shape of 0.01 usable in logs, where the draw itself mostly underflows: E[ln X] = ψ(0.01) ≈ −100.56', () => {
    const source = createRng(5);
    const logs = meanAndVariance(() => logGammaVariate(0.01, source));
    // ψ(0.01) = ψ(1.01) − 100; Var[ln X] = ψ′(0.01) ≈ 10,001.6, so the mean's standard error is 0.5.
    expect(logs.mean).toBeGreaterThan(-100.56 - 2.5);
    expect(logs.mean).toBeLessThan(-100.56 + 2.5);
    expect(Math.abs(logs.variance - 10_001.6) / 10_001.6).toBeLessThan(0.1);
  });

  it('refuses a shape that is not finite and positive', () => {
    const source = createRng(1);
    for (const shape of [0, -1, Number.NaN, Infinity]) expect(() => logGammaVariate(shape, source)).toThrow(RangeError);
  });
});

describe('betaVariate', () => {
  it('draws Beta(2, 5): mean 2/7, variance 10/392', () => {
    const source = createRng(9);
    const m = meanAndVariance(() => betaVariate(2, 5, source));
    expect(m.mean).toBeCloseTo(2 / 7, 2);
    expect(Math.abs(m.variance - 10 / 392) / (10 / 392)).toBeLessThan(0.05);
  });

  it('gives Beta(0.001, 0.001) values whose mean is ½ and which sit at the ends, never NaN', () => {
    const source = createRng(4);
    const draws = Array.from({ length: 4000 }, () => betaVariate(0.001, 0.001, source));
    expect(draws.every((x) => x >= 0 && x <= 1)).toBe(true);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / draws.length));
    expect(draws.filter((x) => x > 0.01 && x < 0.99).length / draws.length).toBeLessThan(0.02);
  });
});
