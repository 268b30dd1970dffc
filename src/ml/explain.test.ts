import type * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';
import { trainClassifier } from './classifier.js';
import { explainRowPlain, permutationImportance, type PlainDense } from './explain.js';
import { createRng } from './random.js';
import { fitScaler, transform } from './scaler.js';
import { simulateLogistic } from './simulate.js';

const names = ['tenure', 'complaints', 'spend', 'noise'];
const weights = [1.5, -1.0, 0.4, 0];
const means = [24, 2, 300, 0];
/** Centres the logit at −1 for an average row. */
const bias = -1 - weights.reduce((a, w, j) => a + w * means[j]!, 0);
let model: tf.LayersModel;
let Xval: Float32Array;
let yVal: Uint8Array;
const nVal = 4000;
const d = 4;

beforeAll(async () => {
  await initBackend();
  const train = simulateLogistic({ n: 8000, weights, bias, means, seed: 31 });
  const val = simulateLogistic({ n: nVal, weights, bias, means, seed: 32 });
  const scaler = fitScaler(train.X, names);
  model = (await trainClassifier({ X: transform(scaler, train.X), y: train.y, n: train.n, d }, { kind: 'logistic' })).model;
  Xval = transform(scaler, val.X);
  yVal = val.y;
});

describe('explainRowPlain pruning', () => {
  /** Every ablation, sorted by |effect| (ties: smaller index first), zeros left out: what pruning must reproduce. */
  function fullSearch(stack: PlainDense[], x: Float64Array, k: number): { index: number; contribution: number }[] {
    const forward = (row: Float64Array) => {
      let h = row;
      for (const l of stack) {
        const out = Float64Array.from(l.bias);
        for (let i = 0; i < l.inDim; i++) for (let o = 0; o < l.outDim; o++) out[o] = out[o]! + h[i]! * l.kernel[i * l.outDim + o]!;
        h = l.relu ? out.map((v) => Math.max(v, 0)) : out;
      }
      return h[0]!;
    };
    const z = forward(x);
    return [...x.keys()]
      .map((j) => {
        const ablated = Float64Array.from(x);
        ablated[j] = 0;
        return { index: j, contribution: x[j] === 0 ? 0 : z - forward(ablated) };
      })
      .filter((c) => c.contribution !== 0)
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.index - b.index)
      .slice(0, k);
  }

  const layer = (rng: () => number, inDim: number, outDim: number, relu: boolean): PlainDense => ({
    kernel: Float64Array.from({ length: inDim * outDim }, () => rng() * 2 - 1),
    bias: Float64Array.from({ length: outDim }, () => rng() - 0.5),
    inDim,
    outDim,
    relu,
  });

  it('returns the top k of the full search on random networks, ties by index included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 0, maxLength: 2 }), fc.integer({ min: 1, max: 8 }), fc.integer(), (d, hidden, k, seed) => {
        const random = createRng(seed >>> 0);
        const rng = () => random.next();
        const dims = [d, ...hidden, 1];
        const stack = dims.slice(1).map((out, l) => layer(rng, dims[l]!, out, l < dims.length - 2));
        // Column 1 copies column 0 (same weights, same value): their effects tie exactly.
        if (d > 1) for (let u = 0; u < stack[0]!.outDim; u++) stack[0]!.kernel[stack[0]!.outDim + u] = stack[0]!.kernel[u]!;
        const x = Float64Array.from({ length: d }, (_, j) => (j % 5 === 4 ? 0 : rng() * 4 - 2));
        if (d > 1) x[1] = x[0]!;
        const got = explainRowPlain(stack, x, { k });
        const want = fullSearch(stack, x, k);
        expect(got.top.map((c) => c.index)).toEqual(want.map((c) => c.index));
        got.top.forEach((c, q) => expect(c.contribution).toBeCloseTo(want[q]!.contribution, 12));
      }),
      { numRuns: 300 },
    );
  });
});

describe('permutationImportance', () => {
  it('ranks features by their true effect, puts the pure-noise feature near zero, and is reproducible', () => {
    const a = permutationImportance(model, Xval, yVal, nVal, d, { featureNames: names, repeats: 2, seed: 5 });
    expect(a.baselineAuc).toBeGreaterThan(0.7);
    expect(a.features.map((f) => f.name).slice(0, 3)).toEqual(['tenure', 'complaints', 'spend']);
    const noise = a.features.find((f) => f.name === 'noise')!;
    expect(Math.abs(noise.importance)).toBeLessThan(0.005);
    expect(a.features[0]!.importance).toBeGreaterThan(0.05);
    const b = permutationImportance(model, Xval, yVal, nVal, d, { featureNames: names, repeats: 2, seed: 5 });
    expect(b).toEqual(a);
  });
});
