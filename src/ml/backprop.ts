import * as tf from '@tensorflow/tfjs';

/**
 * Forward and hand-written backward pass for the models classifier.ts builds: a stack of Dense layers
 * (relu or linear), optional dropout after hidden layers, one linear output unit, sigmoid head, loss =
 * Σ_i w_i · BCE(y_i, σ(z_i)) with w already divided by the batch size.
 *
 * Why not tf.grads: on the wasm/cpu backends each tfjs op costs ~30–50 µs of bookkeeping and the autodiff tape
 * roughly triples the op count; its matMul gradient also uses transposed matMuls, which the wasm backend runs
 * ~5× slower than an explicit transpose + matMul. Doing it by hand halves a training step. backprop.test.ts
 * checks these gradients against tf.variableGrads.
 */

export interface DenseLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
  relu: boolean;
  /** Dropout rate applied to this layer's output in training (0 for none / the output layer). */
  dropout: number;
}

/** The Dense layers of a model built by classifier.ts, with their variables (shared, not copied). */
export function denseStack(model: tf.LayersModel): DenseLayer[] {
  const layers = model.layers;
  const last = layers[layers.length - 1];
  if (!(last?.getClassName() === 'Activation' && last.getConfig().activation === 'sigmoid')) {
    throw new RangeError('model must end in a sigmoid Activation layer (as built by trainClassifier)');
  }
  const stack: DenseLayer[] = [];
  for (const layer of layers.slice(0, -1)) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig();
    if (cls === 'Dropout') {
      const prev = stack[stack.length - 1];
      if (!prev) throw new RangeError('Dropout before any Dense layer');
      prev.dropout = Number(cfg.rate);
      continue;
    }
    if (cls === 'InputLayer') continue;
    if (cls !== 'Dense' || (cfg.activation !== 'relu' && cfg.activation !== 'linear')) {
      throw new RangeError(`unsupported layer ${cls} (${String(cfg.activation ?? '')}); expected Dense relu/linear and Dropout`);
    }
    const kernel = layer.weights.find((v) => /kernel/.test(v.originalName))?.read();
    const bias = layer.weights.find((v) => /bias/.test(v.originalName))?.read();
    if (!kernel || !bias) throw new RangeError(`Dense layer ${layer.name} needs a kernel and a bias`);
    stack.push({ kernel: kernel as tf.Variable, bias: bias as tf.Variable, relu: cfg.activation === 'relu', dropout: 0 });
  }
  const out = stack[stack.length - 1];
  if (!out || out.relu || out.kernel.shape[1] !== 1) throw new RangeError('last Dense layer must be linear with 1 unit');
  out.dropout = 0;
  return stack;
}

/** Logits in inference mode (no dropout). */
export function forwardLogits(stack: readonly DenseLayer[], x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (const l of stack) {
    h = tf.fused.matMul({ a: h, b: l.kernel as tf.Tensor2D, bias: l.bias, activation: l.relu ? 'relu' : 'linear' }) as tf.Tensor2D;
  }
  return h;
}

/** Same shape as tfjs's NamedTensor (not re-exported by @tensorflow/tfjs). */
export interface NamedGrad {
  name: string;
  tensor: tf.Tensor;
}

export interface StepInput {
  x: tf.Tensor2D;
  /** Labels [b, 1]. */
  y: tf.Tensor2D;
  /** Per-row loss weights [b, 1], already divided by the batch size (so the loss is a weighted mean). */
  w: tf.Tensor2D;
  /** Per hidden layer: dropout mask [b, units] with entries 0 or 1/(1 − rate), or undefined for none. */
  masks: readonly (tf.Tensor2D | undefined)[];
  /** λ of λ·Σ‖kernel‖² (kernels only). */
  l2: number;
}

/**
 * Gradients of the loss w.r.t. every kernel and bias as {name: variable name, tensor} (the format
 * optimizer.applyGradients takes), in a fixed order: kernel₀, bias₀, kernel₁, … Call inside tf.tidy.
 */
export function gradients(stack: readonly DenseLayer[], s: StepInput): NamedGrad[] {
  // Forward, keeping each layer's input and (for relu layers) its post-activation output before the mask.
  const inputs: tf.Tensor2D[] = [];
  const acts: tf.Tensor2D[] = [];
  let h = s.x;
  stack.forEach((l, i) => {
    inputs.push(h);
    const a = tf.fused.matMul({ a: h, b: l.kernel as tf.Tensor2D, bias: l.bias, activation: l.relu ? 'relu' : 'linear' }) as tf.Tensor2D;
    acts.push(a);
    const m = s.masks[i];
    h = m ? (tf.mul(a, m) as tf.Tensor2D) : a;
  });
  // dL/dz for weighted BCE on a sigmoid: w · (σ(z) − y).
  let delta = tf.mul(s.w, tf.sub(tf.sigmoid(h), s.y)) as tf.Tensor2D;
  const grads: NamedGrad[] = [];
  for (let i = stack.length - 1; i >= 0; i--) {
    const l = stack[i]!;
    let gW: tf.Tensor = tf.matMul(tf.transpose(inputs[i]!), delta);
    if (s.l2 > 0) gW = tf.add(gW, tf.mul(l.kernel, 2 * s.l2));
    grads.push({ name: l.bias.name, tensor: tf.sum(delta, 0) }, { name: l.kernel.name, tensor: gW });
    if (i > 0) {
      const prev = stack[i - 1]!;
      let back: tf.Tensor2D = tf.matMul(delta, tf.transpose(l.kernel as tf.Tensor2D));
      const m = s.masks[i - 1];
      if (m) back = tf.mul(back, m) as tf.Tensor2D;
      if (prev.relu) back = tf.mul(back, tf.step(acts[i - 1]!)) as tf.Tensor2D;
      delta = back;
    }
  }
  return grads.reverse();
}

/** Σ_i w_i · BCE(y_i, σ(z_i)) from logits, stable: softplus(z) − z·y. Returns a scalar tensor. */
export function weightedBce(z: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D): tf.Scalar {
  return tf.sum(tf.mul(w, tf.sub(tf.softplus(z), tf.mul(z, y))));
}
