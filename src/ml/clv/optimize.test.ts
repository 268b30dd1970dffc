import { describe, expect, it } from 'vitest';
import { invertSpd, minimize, numericHessian } from './optimize.js';

const rosenbrock = (x: readonly number[]): number => {
  let s = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i] as number;
    const b = x[i + 1] as number;
    s += 100 * (b - a * a) ** 2 + (1 - a) ** 2;
  }
  return s;
};

describe('minimize (Nelder–Mead with restarts)', () => {
  it('finds the Rosenbrock minimum in 2 and 4 dimensions', () => {
    // (4-D Rosenbrock also has a local minimum near (−0.78, 0.61, 0.38, 0.15); start in the global basin.)
    for (const x0 of [
      [-1.2, 1],
      [0, 0, 0, 0],
    ]) {
      const res = minimize(rosenbrock, x0, { maxIterations: 20_000, tolerance: 1e-14, xTolerance: 1e-9 });
      expect(res.converged, res.message).toBe(true);
      // Convergence is only declared after a restart from the best point failed to improve it.
      expect(res.restarts).toBeGreaterThanOrEqual(1);
      for (const xi of res.x) expect(xi).toBeCloseTo(1, 5);
      expect(res.fx).toBeLessThan(1e-10);
    }
  });

  it('handles an ill-conditioned, correlated 4-D quadratic (condition number 1e4)', () => {
    const target = [0.3, -2, 5, 1];
    const f = (x: readonly number[]): number => {
      const d = x.map((v, i) => v - (target[i] as number));
      const [a, b, c, e] = d as [number, number, number, number];
      return 1e4 * (a + b) ** 2 + (a - b) ** 2 + 100 * (c - e) ** 2 + (c + e) ** 2;
    };
    const res = minimize(f, [0, 0, 0, 0], { maxIterations: 20_000 });
    expect(res.converged, res.message).toBe(true);
    res.x.forEach((v, i) => expect(v).toBeCloseTo(target[i] as number, 4));
  });

  it('reports converged: false with a reason when the iteration budget is exhausted', () => {
    const res = minimize(rosenbrock, [-1.2, 1], { maxIterations: 10 });
    expect(res.converged).toBe(false);
    expect(res.message).toMatch(/iteration limit/);
    expect(res.iterations).toBeLessThanOrEqual(10);
  });

  it('steps around regions where the objective is not finite, and refuses a non-finite start', () => {
    const f = (x: readonly number[]): number => ((x[0] as number) < 0.5 ? Number.NaN : ((x[0] as number) - 2) ** 2);
    const res = minimize(f, [1]);
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(2, 5);
    const bad = minimize(f, [0]);
    expect(bad.converged).toBe(false);
    expect(bad.message).toMatch(/not finite at the initial point/);
  });
});

describe('numericHessian / invertSpd', () => {
  it('recover the covariance of a quadratic form', () => {
    // f = ½ xᵀ A x with A = [[4, 1], [1, 3]] → Hessian A, inverse [[3, −1], [−1, 4]] / 11.
    const f = (x: readonly number[]): number => {
      const [a, b] = x as [number, number];
      return 0.5 * (4 * a * a + 2 * a * b + 3 * b * b);
    };
    const H = numericHessian(f, [0.3, -0.7]);
    expect(H[0]?.[0]).toBeCloseTo(4, 5);
    expect(H[0]?.[1]).toBeCloseTo(1, 5);
    const inv = invertSpd(H);
    expect(inv?.[0]?.[0]).toBeCloseTo(3 / 11, 5);
    expect(inv?.[1]?.[0]).toBeCloseTo(-1 / 11, 5);
    expect(invertSpd([[1, 2], [2, 1]])).toBeNull();
  });
});
