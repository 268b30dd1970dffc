import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';
import { type DenseLayer, denseStack, forwardLogits, gradients, weightedBce } from './backprop.js';
import { createRng } from './random.js';

beforeAll(async () => {
  await initBackend();
});

function randomTensor(rng: ReturnType<typeof createRng>, shape: [number, number] | [number], scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => scale * rng.normal()), shape);
}

describe('hand-written gradients', () => {
  it('match tf.variableGrads for a 2-hidden-layer relu net with dropout masks, class weights and L2', () => {
    const rng = createRng(21);
    const b = 64;
    const d = 7;
    const sizes = [d, 9, 5, 1];
    const stack: DenseLayer[] = [];
    for (let i = 0; i < 3; i++) {
      stack.push({
        kernel: tf.variable(randomTensor(rng, [sizes[i]!, sizes[i + 1]!], 0.6)),
        bias: tf.variable(randomTensor(rng, [sizes[i + 1]!], 0.3)),
        relu: i < 2,
        dropout: i < 2 ? 0.3 : 0,
      });
    }
    const x = randomTensor(rng, [b, d]) as tf.Tensor2D;
    const y = tf.tensor2d(Float32Array.from({ length: b }, () => (rng.next() < 0.3 ? 1 : 0)), [b, 1]);
    const w = tf.tensor2d(Float32Array.from({ length: b }, (_, i) => (i % 3 === 0 ? 2.5 : 0.7) / b), [b, 1]);
    const masks = [9, 5].map(
      (u) => tf.tensor2d(Float32Array.from({ length: b * u }, () => (rng.next() < 0.7 ? 1 / 0.7 : 0)), [b, u]),
    );
    const l2 = 0.01;

    const mine = tf.tidy(() => gradients(stack, { x, y, w, masks, l2 }).map((g) => ({ name: g.name, values: g.tensor.dataSync().slice() })));

    const vars = stack.flatMap((l) => [l.kernel, l.bias]);
    const reference = tf.variableGrads(() => {
      let h: tf.Tensor = x;
      stack.forEach((l, i) => {
        h = tf.add(tf.matMul(h, l.kernel), l.bias);
        if (l.relu) h = tf.relu(h);
        const m = masks[i];
        if (m) h = tf.mul(h, m);
      });
      let loss = weightedBce(h as tf.Tensor2D, y, w) as tf.Tensor;
      for (const l of stack) loss = tf.add(loss, tf.mul(l2, tf.sum(tf.square(l.kernel))));
      return loss as tf.Scalar;
    }, vars);

    expect(mine.map((g) => g.name)).toEqual(vars.map((v) => v.name));
    for (const g of mine) {
      const ref = reference.grads[g.name]!.dataSync();
      expect(g.values.length).toBe(ref.length);
      for (let k = 0; k < ref.length; k++) expect(g.values[k]!).toBeCloseTo(ref[k]!, 5);
    }
  });
});

describe('denseStack / forwardLogits', () => {
  it('reads a Sequential Dense→Dropout→Dense→sigmoid model and computes its pre-sigmoid output', () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }));
    model.add(tf.layers.dropout({ rate: 0.25 }));
    model.add(tf.layers.dense({ units: 1 }));
    model.add(tf.layers.activation({ activation: 'sigmoid' }));
    const stack = denseStack(model);
    expect(stack.map((l) => [l.relu, l.dropout])).toEqual([
      [true, 0.25],
      [false, 0],
    ]);
    const x = tf.tensor2d([0.5, -1, 2, 1, 1, 1], [2, 3]);
    const z = forwardLogits(stack, x).dataSync();
    const p = (model.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < 2; i++) expect(1 / (1 + Math.exp(-z[i]!))).toBeCloseTo(p[i]!, 6);
  });

  it('refuses a model without a sigmoid head', () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [3], units: 1, activation: 'sigmoid' }));
    expect(() => denseStack(model)).toThrow(/sigmoid Activation/);
  });
});
