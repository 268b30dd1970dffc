import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';
import {
  ClassifierParamsSchema,
  linearCoefficients,
  predictLogits,
  predictProba,
  trainClassifier,
} from './classifier.js';
import { logLoss, rocAuc } from './metrics.js';
import { createRng } from './random.js';
import { fitScaler, transform, unscaleLinear } from './scaler.js';
import { simulateLogistic } from './simulate.js';

beforeAll(async () => {
  await initBackend();
});

const mean = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
};

/** Labels independent of the features: anything a model learns is noise. */
function noise(n: number, d: number, seed: number): { X: Float32Array; y: Float32Array } {
  const rng = createRng(seed);
  return {
    X: Float32Array.from({ length: n * d }, () => rng.normal()),
    y: Float32Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0)),
  };
}

describe('ClassifierParamsSchema', () => {
  it('fills defaults and rejects unknown keys', () => {
    const p = ClassifierParamsSchema.parse({});
    expect(p).toMatchObject({ kind: 'logistic', hiddenUnits: [32, 16], batchSize: 512, patience: 5, classWeight: 'none' });
    expect(() => ClassifierParamsSchema.parse({ learningrate: 0.1 })).toThrow();
  });
});

describe('logistic regression on data from a known logistic model', () => {
  const weights = [0.5, -1.6, 0.5, 0];
  const means = [10, 0, 5, -3];
  const sds = [4, 0.5, 1, 2];
  const bias = -8; // base rate ≈ 0.4 at these means
  const names = ['a', 'b', 'c', 'd'];

  it('recovers the raw-unit coefficients after un-standardising, and its AUC matches the true probabilities', async () => {
    const sim = simulateLogistic({ n: 30_000, weights, bias, means, sds, seed: 1 });
    const scaler = fitScaler(sim.X, names);
    const X = transform(scaler, sim.X);
    const res = await trainClassifier({ X, y: sim.y, n: sim.n, d: sim.d }, { kind: 'logistic', l2: 0, seed: 3 });
    const { weights: w, bias: b } = linearCoefficients(res.model);
    const raw = unscaleLinear(scaler, w, b);
    // Tolerance on the standardised scale (coefficient · sd): sampling error at 24k training rows is ≈ 0.02–0.03,
    // and early stopping leaves Adam a little short of the exact MLE.
    raw.weights.forEach((wj, j) => expect(Math.abs(wj - weights[j]!) * sds[j]!).toBeLessThan(0.1));
    expect(Math.abs(raw.bias - bias)).toBeLessThan(0.5);

    const test = simulateLogistic({ n: 20_000, weights, bias, means, sds, seed: 2 });
    const p = predictProba(res.model, transform(scaler, test.X), test.n, test.d);
    expect(Math.abs(rocAuc(test.y, p) - rocAuc(test.y, test.p))).toBeLessThan(0.003);
    expect(logLoss(test.y, p)).toBeLessThan(logLoss(test.y, test.p) + 0.003);
  });
});

describe('training behaviour', () => {
  it('is deterministic: the same seed gives bit-identical MLP weights, another seed does not', async () => {
    const { X, y } = noise(2000, 6, 5);
    const data = { X, y, n: 2000, d: 6 };
    const params = { kind: 'mlp' as const, hiddenUnits: [8, 4], maxEpochs: 3, patience: 10 };
    const weightsOf = async (seed: number): Promise<number[]> => {
      const r = await trainClassifier(data, { ...params, seed });
      const w = r.model.getWeights().flatMap((t) => Array.from(t.dataSync()));
      r.model.dispose();
      return w;
    };
    const a = await weightsOf(7);
    const b = await weightsOf(7);
    const c = await weightsOf(8);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('class weighting raises the predicted positive rate for a rare class; unweighted matches the base rate', async () => {
    const sim = simulateLogistic({ n: 6000, weights: [0.8, -0.5, 0.3], bias: -4, seed: 9 });
    const scaler = fitScaler(sim.X, ['a', 'b', 'c']);
    const X = transform(scaler, sim.X);
    const data = { X, y: sim.y, n: sim.n, d: sim.d };
    const base = mean(sim.y);
    expect(base).toBeLessThan(0.05);
    const plain = await trainClassifier(data, { classWeight: 'none' });
    const balanced = await trainClassifier(data, { classWeight: 'balanced' });
    const pPlain = mean(predictProba(plain.model, X, sim.n, sim.d));
    const pBal = mean(predictProba(balanced.model, X, sim.n, sim.d));
    expect(balanced.classWeights.positive).toBeGreaterThan(10);
    expect(Math.abs(pPlain - base)).toBeLessThan(0.01);
    expect(pBal).toBeGreaterThan(5 * pPlain);
  });

  it('early stopping ends a noisy problem before maxEpochs and keeps the best-validation weights', async () => {
    const d = 20;
    const tr = noise(1500, d, 11);
    const va = noise(1500, d, 12);
    const maxEpochs = 200;
    const res = await trainClassifier(
      { X: tr.X, y: tr.y, n: 1500, d },
      { kind: 'mlp', hiddenUnits: [64, 32], dropout: 0, learningRate: 0.01, maxEpochs, patience: 4, batchSize: 128 },
      { validation: { X: va.X, y: va.y, n: 1500 } },
    );
    expect(res.stoppedEarly).toBe(true);
    expect(res.epochsRun).toBeLessThan(maxEpochs);
    const losses = res.history.map((h) => h.valLoss);
    expect(res.bestValLoss).toBe(Math.min(...losses));
    expect(res.history[res.bestEpoch - 1]!.valLoss).toBe(res.bestValLoss);
    // The model now scores the validation set at the best loss, not at the (worse) last epoch's.
    const now = logLoss(va.y, predictProba(res.model, va.X, 1500, d));
    expect(now).toBeCloseTo(res.bestValLoss, 4);
    expect(losses[losses.length - 1]!).toBeGreaterThan(now + 1e-3);
    // Overfitting noise: training loss keeps falling while validation loss does not.
    expect(res.history[res.history.length - 1]!.trainLoss).toBeLessThan(res.history[res.bestEpoch - 1]!.trainLoss);
  });

  it('refuses non-finite features and labels other than 0/1', async () => {
    await expect(trainClassifier({ X: Float32Array.from([1, NaN]), y: [0, 1], n: 2, d: 1 })).rejects.toThrow(/not finite/);
    await expect(trainClassifier({ X: Float32Array.from([1, 2]), y: [0, 2], n: 2, d: 1 })).rejects.toThrow(/0 or 1/);
  });
});

describe('predictProba', () => {
  it('scores all rows in one batched call per chunk, equal to σ(logit), independent of chunk size, without leaking tensors', async () => {
    const sim = simulateLogistic({ n: 3000, weights: [1, -1, 0.5], bias: -1, seed: 4 });
    const X = Float32Array.from(sim.X);
    const res = await trainClassifier({ X, y: sim.y, n: sim.n, d: sim.d }, { kind: 'mlp', hiddenUnits: [8], maxEpochs: 3 });
    const before = tf.memory().numTensors;
    const p = predictProba(res.model, X, sim.n, sim.d);
    const pChunked = predictProba(res.model, X, sim.n, sim.d, 700);
    const z = predictLogits(res.model, X, sim.n, sim.d);
    expect(tf.memory().numTensors).toBe(before);
    expect(p).toBeInstanceOf(Float32Array);
    expect(p.length).toBe(sim.n);
    expect(Array.from(pChunked)).toEqual(Array.from(p));
    for (let i = 0; i < sim.n; i += 97) expect(p[i]!).toBeCloseTo(1 / (1 + Math.exp(-z[i]!)), 6);
    expect(() => predictProba(res.model, X, sim.n * 3, 1)).toThrow(/expects 3 features/);
  });
});
