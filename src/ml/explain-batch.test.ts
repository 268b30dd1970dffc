import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';
import { linearCoefficients, predictLogits, trainClassifier } from './classifier.js';
import { explainAllRows, type ExplanationTable } from './explain-batch.js';
import { explainRowPlain, plainDenseStack } from './explain.js';
import { fitScaler, transform } from './scaler.js';
import { simulateLogistic } from './simulate.js';

const names = ['tenure', 'complaints', 'spend', 'noise'];
const weights = [1.5, -1.0, 0.4, 0];
const means = [24, 2, 300, 0];
/** Centres the logit at −1 for an average row. */
const bias = -1 - weights.reduce((a, w, j) => a + w * means[j]!, 0);
const d = 4;
let logistic: tf.LayersModel;
let mlp: tf.LayersModel;
let X: Float32Array;

/** Row i of a table as [feature, effect] pairs. */
const rowOf = (t: ExplanationTable, i: number) =>
  Array.from({ length: t.k }, (_, s) => [t.index[i * t.k + s]!, t.effect[i * t.k + s]!] as const).filter(([j]) => j >= 0);

beforeAll(async () => {
  await initBackend();
  const train = simulateLogistic({ n: 8000, weights, bias, means, seed: 31 });
  const val = simulateLogistic({ n: 2000, weights, bias, means, seed: 32 });
  const scaler = fitScaler(train.X, names);
  const Xtrain = transform(scaler, train.X);
  logistic = (await trainClassifier({ X: Xtrain, y: train.y, n: train.n, d }, { kind: 'logistic' })).model;
  mlp = (await trainClassifier({ X: Xtrain, y: train.y, n: train.n, d }, { kind: 'mlp', hiddenUnits: [8, 4], maxEpochs: 3 })).model;
  X = transform(scaler, val.X);
});

describe('explainAllRows', () => {
  it('for a logistic model gives effects w_j·x_j, largest |effect| first, and the row logits', async () => {
    const { weights: w } = linearCoefficients(logistic);
    const n = 300;
    const table = await explainAllRows(logistic, X.subarray(0, n * d), n, d, { k: d });
    const z = predictLogits(logistic, X.subarray(0, n * d), n, d);
    for (let i = 0; i < n; i++) {
      expect(table.logit[i]).toBeCloseTo(z[i]!, 4);
      const row = rowOf(table, i);
      const nonZero = [0, 1, 2, 3].filter((j) => X[i * d + j] !== 0).length;
      expect(row).toHaveLength(nonZero);
      row.forEach(([j, effect], s) => {
        expect(effect).toBeCloseTo(w[j]! * X[i * d + j]!, 4);
        if (s > 0) expect(Math.abs(effect)).toBeLessThanOrEqual(Math.abs(row[s - 1]![1]));
      });
    }
  });

  it('gives explainRowPlain\'s features in its order, and its effects to 1e-4, for a logistic model and an MLP', async () => {
    for (const model of [logistic, mlp]) {
      const n = 500;
      const table = await explainAllRows(model, X.subarray(0, n * d), n, d, { k: 3 });
      const plain = plainDenseStack(model);
      for (let i = 0; i < n; i++) {
        const want = explainRowPlain(plain, X.subarray(i * d, (i + 1) * d), { k: 3 });
        const got = rowOf(table, i);
        expect(got.map(([j]) => j)).toEqual(want.top.map((c) => c.index));
        got.forEach(([, effect], s) => expect(effect).toBeCloseTo(want.top[s]!.contribution, 4));
        expect(table.logit[i]).toBeCloseTo(want.logit, 4);
      }
    }
  });

  it('gives the same table whether all rows go in one call or in many small ones', async () => {
    const n = 120;
    const one = await explainAllRows(mlp, X.subarray(0, n * d), n, d, { k: 3 });
    const many = await explainAllRows(mlp, X.subarray(0, n * d), n, d, { k: 3, rowsPerCall: 7 * d });
    expect(many.index).toEqual(one.index);
    many.effect.forEach((e, s) => expect(e).toBeCloseTo(one.effect[s]!, 5));
  });

  it('leaves out features that sit exactly at the training mean, and rows with none at all', async () => {
    const rows = Float32Array.from([0, 0, 1, 0, 0, 0, 0, 0]);
    const table = await explainAllRows(logistic, rows, 2, d, { k: 4 });
    expect(rowOf(table, 0).map(([j]) => names[j])).toEqual(['spend']);
    expect(rowOf(table, 1)).toEqual([]);
  });

  it('refuses a matrix whose size is not n·d', async () => {
    await expect(explainAllRows(logistic, new Float32Array(7), 2, d)).rejects.toThrow(/expected n·d = 8/);
  });
});
