import { createRng } from './random.js';

/**
 * Synthetic data from a known logistic model, for tests and benchmarks of the ML core:
 * x_j ~ Normal(mean_j, sd_j) (raw units), P(y = 1 | x) = σ(bias + Σ w_j x_j).
 */
export interface LogisticSpec {
  n: number;
  weights: readonly number[];
  bias: number;
  /** Per-feature mean / sd of the raw features (default 0 / 1). */
  means?: readonly number[];
  sds?: readonly number[];
  seed: number;
}

export interface SimulatedData {
  /** Raw features, row-major n × d. */
  X: Float64Array;
  y: Uint8Array;
  /** True P(y = 1 | x). */
  p: Float64Array;
  n: number;
  d: number;
}

export function simulateLogistic(spec: LogisticSpec): SimulatedData {
  const { n, weights, bias } = spec;
  const d = weights.length;
  const rng = createRng(spec.seed);
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = bias;
    for (let j = 0; j < d; j++) {
      const v = (spec.means?.[j] ?? 0) + (spec.sds?.[j] ?? 1) * rng.normal();
      X[i * d + j] = v;
      z += weights[j]! * v;
    }
    const pi = 1 / (1 + Math.exp(-z));
    p[i] = pi;
    y[i] = rng.next() < pi ? 1 : 0;
  }
  return { X, y, p, n, d };
}
