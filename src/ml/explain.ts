import type * as tf from '@tensorflow/tfjs';
import { denseStack } from './backprop.js';
import { PREDICT_CHUNK_ROWS, predictLogits } from './classifier.js';
import { rocAuc } from './metrics.js';
import { createRng } from './random.js';

/**
 * Explanations for models from classifier.ts, on scaled inputs (0 = training mean, see scaler.ts).
 *
 * Per row: contribution of feature j = logit(x) − logit(x with x_j set to 0), i.e. how much the row's value of
 * the feature (vs an average customer) moves the log-odds. Positive = pushes the score up. For a logistic model
 * this is exactly w_j · x_j. For an MLP it is a one-feature-at-a-time ablation (interactions are not split).
 *
 * Per row here in plain float64 arithmetic (explainRowPlain: one customer at request time); for every row of
 * a frame at once on the tfjs backend in explain-batch.ts (the scored base).
 *
 * Global: permutation importance = drop in ROC AUC on a validation set when one feature column is shuffled,
 * all shuffled copies scored in as few predict calls as possible.
 */

export interface Contribution {
  index: number;
  name: string;
  /** The row's scaled value of the feature (0 = training mean). */
  value: number;
  /** Change in logit from setting this feature to its mean: logit(x) − logit(x | x_j = 0). */
  contribution: number;
}

export interface RowExplanation {
  /** The row's logit (log-odds) under the model. */
  logit: number;
  /** Up to k features with the largest |contribution|, largest first; exact zeros are left out. */
  top: Contribution[];
}

function names(d: number, featureNames: readonly string[] | undefined): readonly string[] {
  if (featureNames && featureNames.length !== d) throw new RangeError(`${featureNames.length} feature names for d=${d}`);
  return featureNames ?? Array.from({ length: d }, (_, j) => `f${j}`);
}

/**
 * Keeps `best` the indexes of the k largest |contrib| seen so far, largest first (ties: smaller index
 * first, whatever order the features are visited in), by insertion into a k-long list: O(d·k) per
 * row, no sort. Exact zeros are left out.
 */
export function keepTopK(best: number[], contrib: Float64Array, j: number, k: number): void {
  const a = Math.abs(contrib[j]!);
  if (a === 0 || k === 0) return;
  if (best.length === k && isAhead(contrib, best[k - 1]!, a, j)) return;
  let pos = best.length === k ? k - 1 : best.length;
  while (pos > 0 && !isAhead(contrib, best[pos - 1]!, a, j)) {
    best[pos] = best[pos - 1]!;
    pos--;
  }
  best[pos] = j;
}

/** Whether feature i ranks before feature j, whose |contribution| is a. */
function isAhead(contrib: Float64Array, i: number, a: number, j: number): boolean {
  const b = Math.abs(contrib[i]!);
  return b > a || (b === a && i < j);
}

export interface FeatureImportance {
  index: number;
  name: string;
  /** Mean drop in ROC AUC over the repeats (can be slightly negative for useless features). */
  importance: number;
  /** Standard deviation of the drop over the repeats. */
  std: number;
}

export interface PermutationImportance {
  baselineAuc: number;
  /** Sorted by importance, largest first. */
  features: FeatureImportance[];
}

/**
 * Permutation importance on a (validation) set: for each feature and repeat, shuffle that column with a
 * seeded PRNG, rescore, and record baseline AUC − shuffled AUC.
 */
export function permutationImportance(
  model: tf.LayersModel,
  X: Float32Array,
  y: ArrayLike<number>,
  n: number,
  d: number,
  options: { featureNames?: readonly string[]; repeats?: number; seed?: number; chunkRows?: number } = {},
): PermutationImportance {
  if (X.length !== n * d) throw new RangeError(`X has ${X.length} values, expected n·d = ${n * d}`);
  if (y.length !== n) throw new RangeError(`y has ${y.length} labels, expected ${n}`);
  const fnames = names(d, options.featureNames);
  const repeats = options.repeats ?? 3;
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new RangeError(`repeats must be a positive integer, got ${repeats}`);
  const chunkRows = options.chunkRows ?? PREDICT_CHUNK_ROWS;
  const rng = createRng(options.seed ?? 42);

  const baselineAuc = rocAuc(y, predictLogits(model, X, n, d, chunkRows));
  const drops: number[][] = Array.from({ length: d }, () => []);
  const jobs: { j: number }[] = [];
  for (let j = 0; j < d; j++) for (let r = 0; r < repeats; r++) jobs.push({ j });

  // Several (feature, repeat) copies of X per call, as many as fit in chunkRows rows.
  const perCall = Math.max(1, Math.floor(chunkRows / n));
  for (let start = 0; start < jobs.length; start += perCall) {
    const batch = jobs.slice(start, start + perCall);
    const big = new Float32Array(batch.length * n * d);
    batch.forEach(({ j }, b) => {
      const off = b * n * d;
      big.set(X, off);
      const perm = rng.permutation(n);
      for (let i = 0; i < n; i++) big[off + i * d + j] = X[perm[i]! * d + j]!;
    });
    const z = predictLogits(model, big, batch.length * n, d, chunkRows);
    batch.forEach(({ j }, b) => {
      drops[j]!.push(baselineAuc - rocAuc(y, z.subarray(b * n, (b + 1) * n)));
    });
  }

  const features = drops.map((ds, j): FeatureImportance => {
    const mean = ds.reduce((a, b) => a + b, 0) / ds.length;
    const variance = ds.reduce((a, b) => a + (b - mean) ** 2, 0) / ds.length;
    return { index: j, name: fnames[j]!, importance: mean, std: Math.sqrt(variance) };
  });
  features.sort((a, b) => b.importance - a.importance || a.index - b.index);
  return { baselineAuc, features };
}

/** A Dense layer's weights as plain numbers: kernel [inDim × outDim] row-major (tfjs layout). */
export interface PlainDense {
  kernel: Float64Array;
  bias: Float64Array;
  inDim: number;
  outDim: number;
  relu: boolean;
}

/** The Dense stack of a classifier.ts model, copied out of tfjs once (weights do not change after load). */
export function plainDenseStack(model: tf.LayersModel): PlainDense[] {
  return denseStack(model).map((l) => {
    const [inDim, outDim] = l.kernel.shape as [number, number];
    return { kernel: Float64Array.from(l.kernel.dataSync()), bias: Float64Array.from(l.bias.dataSync()), inDim, outDim, relu: l.relu };
  });
}

/**
 * The logit from the first layer's pre-activation `a0` through the rest of the stack, in the
 * buffers given. Row-times-kernel as sums of kernel rows, so hidden units at 0 after the ReLU
 * (about half) cost nothing.
 */
function logitFromFirst(stack: readonly PlainDense[], a0: Float64Array, bufA: Float64Array, bufB: Float64Array): number {
  const first = stack[0]!;
  let h = bufA;
  let out = bufB;
  for (let u = 0; u < first.outDim; u++) {
    const v = a0[u]!;
    h[u] = first.relu && v < 0 ? 0 : v;
  }
  for (let l = 1; l < stack.length; l++) {
    const layer = stack[l]!;
    const kernel = layer.kernel;
    const m = layer.outDim;
    for (let o = 0; o < m; o++) out[o] = layer.bias[o]!;
    for (let i = 0; i < layer.inDim; i++) {
      const v = h[i]!;
      if (v === 0) continue;
      const row = i * m;
      for (let o = 0; o < m; o++) out[o] = out[o]! + v * kernel[row + o]!;
    }
    if (layer.relu) for (let o = 0; o < m; o++) if (out[o]! < 0) out[o] = 0;
    const t = h;
    h = out;
    out = t;
  }
  return h[0]!;
}

/**
 * Per input feature, how much the logit can move per unit change of that feature: the absolute
 * weights of the stack multiplied back from the output (ReLU is 1-Lipschitz), so ablating feature j
 * moves the logit by at most |x_j| · reach[j]. Made once per stack.
 */
const reaches = new WeakMap<readonly PlainDense[], Float64Array>();
function featureReach(stack: readonly PlainDense[]): Float64Array {
  let gain = reaches.get(stack);
  if (gain) return gain;
  gain = Float64Array.of(1);
  for (let l = stack.length - 1; l >= 0; l--) {
    const layer = stack[l]!;
    const next = new Float64Array(layer.inDim);
    for (let i = 0; i < layer.inDim; i++) {
      let g = 0;
      for (let o = 0; o < layer.outDim; o++) g += Math.abs(layer.kernel[i * layer.outDim + o]!) * gain[o]!;
      next[i] = g;
    }
    gain = next;
  }
  reaches.set(stack, gain);
  return gain;
}

/** Slack on the bound for rounding: the exact effect is summed in another order than its bound. */
const BOUND_SLACK = 1e-9;

/**
 * explainRows for one row without tfjs: the same ablation (logit(x) − logit(x | x_j = 0)) in plain
 * arithmetic, in float64 (tfjs works in float32: effects agree to ~1e-5). The first layer's
 * pre-activation is computed once and each ablation subtracts x_j·W[j,:] from it. For a logistic
 * model this is exactly w_j·x_j.
 *
 * Only the top k are returned, so not every ablation is run: each feature's |effect| is bounded by
 * |x_j| times its reach (featureReach, from the weights), features are ablated in order of falling
 * bound, and the search stops when the next bound is below the k-th largest |effect| found — no
 * feature left can enter the top k, so the answer is the full search's, ties included. On the
 * service's models this skips about a third of the d ablations (each ≈ h₁ + the rest of the net
 * multiply-adds). A tighter bound from each feature's exact first-layer change pruned more but cost
 * about what it saved.
 */
export function explainRowPlain(stack: readonly PlainDense[], x: ArrayLike<number>, options: { k?: number; featureNames?: readonly string[] } = {}): RowExplanation {
  const first = stack[0];
  if (!first) throw new RangeError('empty Dense stack');
  const d = first.inDim;
  if (x.length !== d) throw new RangeError(`row has ${x.length} values, model expects ${d}`);
  const k = Math.max(0, Math.min(options.k ?? 5, d));
  const fnames = names(d, options.featureNames);
  const h0 = first.outDim;
  const w0 = first.kernel;
  const pre = Float64Array.from(first.bias);
  for (let j = 0; j < d; j++) {
    const v = x[j]!;
    if (v === 0) continue;
    const row = j * h0;
    for (let u = 0; u < h0; u++) pre[u] = pre[u]! + v * w0[row + u]!;
  }
  let width = 0;
  for (const l of stack) width = Math.max(width, l.outDim);
  const bufA = new Float64Array(width);
  const bufB = new Float64Array(width);
  const z = logitFromFirst(stack, pre, bufA, bufB);
  const ablated = new Float64Array(h0);
  const best: number[] = [];
  if (k === 0) return { logit: z, top: [] };

  // Upper bounds on |effect|, one multiplication each.
  const reach = featureReach(stack);
  const bound = new Float64Array(d);
  const order: number[] = [];
  for (let j = 0; j < d; j++) {
    const v = x[j]!;
    if (v === 0) continue; // exactly no effect: left out
    bound[j] = Math.abs(v) * reach[j]! * (1 + BOUND_SLACK) + BOUND_SLACK;
    order.push(j);
  }
  order.sort((a, b) => bound[b]! - bound[a]! || a - b);

  const contrib = new Float64Array(d);
  for (const j of order) {
    if (best.length === k && bound[j]! < Math.abs(contrib[best[k - 1]!]!)) break;
    const v = x[j]!;
    const row = j * h0;
    for (let u = 0; u < h0; u++) ablated[u] = pre[u]! - v * w0[row + u]!;
    contrib[j] = z - logitFromFirst(stack, ablated, bufA, bufB);
    keepTopK(best, contrib, j, k);
  }
  return { logit: z, top: best.map((j): Contribution => ({ index: j, name: fnames[j]!, value: x[j]!, contribution: contrib[j]! })) };
}
