import { z } from 'zod';
import { logLoss, scoreGroups } from './metrics.js';
import { createRng } from './random.js';

/**
 * Probability calibration, fitted on a calibration set the model did not train on:
 * - Platt scaling: p' = σ(a · logit(p) + b), a and b by Newton's method with backtracking on the
 *   log-likelihood, using Platt's smoothed targets (N₊+1)/(N₊+2) and 1/(N₋+2) (Lin, Lin & Weng 2007).
 * - Isotonic regression: pool-adjacent-violators on (p, y), stored as the end points of each constant run and
 *   linearly interpolated between them at predict time (as scikit-learn does); clipped outside the fitted range.
 *   Unlike scikit-learn, a run of only negatives or only positives is not mapped to exactly 0 or 1 (fitIsotonic).
 * Parameters are plain JSON (CalibrationSchema validates them when read back).
 */

export const CalibrationSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('identity') }),
  z.object({ method: z.literal('platt'), a: z.number().finite(), b: z.number().finite() }),
  z.object({
    method: z.literal('isotonic'),
    /** Increasing input probabilities. */
    x: z.array(z.number().min(0).max(1)).min(1),
    /** Non-decreasing calibrated probabilities at x. */
    y: z.array(z.number().min(0).max(1)).min(1),
  }),
]);
export type CalibrationParams = z.infer<typeof CalibrationSchema>;
export type PlattParams = Extract<CalibrationParams, { method: 'platt' }>;
export type IsotonicParams = Extract<CalibrationParams, { method: 'isotonic' }>;

/** Probabilities are clipped to [P_EPS, 1 − P_EPS] before taking logits (float32 sigmoids reach exactly 0 and 1). */
const P_EPS = 1e-12;
/** Isotonic outputs are kept inside [ISO_EPS, 1 − ISO_EPS] so downstream logits stay finite. */
const ISO_EPS = 1e-6;

const logit = (p: number): number => {
  const q = Math.min(Math.max(p, P_EPS), 1 - P_EPS);
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

function checkPairs(p: ArrayLike<number>, y: ArrayLike<number>): void {
  if (p.length !== y.length) throw new RangeError(`probabilities (${p.length}) and labels (${y.length}) differ in length`);
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`probabilities must be in [0, 1]; p[${i}] = ${v}`);
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`labels must be 0 or 1; y[${i}] = ${y[i]}`);
  }
}

export function fitPlatt(p: ArrayLike<number>, y: ArrayLike<number>): PlattParams {
  checkPairs(p, y);
  const n = p.length;
  const f = new Float64Array(n);
  let prior1 = 0;
  for (let i = 0; i < n; i++) {
    f[i] = logit(p[i]!);
    prior1 += y[i]!;
  }
  const prior0 = n - prior1;
  const hi = (prior1 + 1) / (prior1 + 2);
  const lo = 1 / (prior0 + 2);
  const t = (i: number): number => (y[i] === 1 ? hi : lo);

  // Lin, Lin & Weng's formulation: P(y=1|f) = 1 / (1 + exp(A·f + B)); we return a = −A, b = −B.
  let A = 0;
  let B = Math.log((prior0 + 1) / (prior1 + 1));
  const objective = (a: number, b: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const fApB = f[i]! * a + b;
      v += fApB >= 0 ? t(i) * fApB + Math.log1p(Math.exp(-fApB)) : (t(i) - 1) * fApB + Math.log1p(Math.exp(fApB));
    }
    return v;
  };
  let fval = objective(A, B);
  const sigma = 1e-12;
  const tol = 1e-5 * Math.max(1, n / 1000);
  for (let iter = 0; iter < 100; iter++) {
    let h11 = sigma;
    let h22 = sigma;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const fi = f[i]!;
      const fApB = fi * A + B;
      let pp: number;
      let q: number;
      if (fApB >= 0) {
        const e = Math.exp(-fApB);
        pp = e / (1 + e);
        q = 1 / (1 + e);
      } else {
        const e = Math.exp(fApB);
        pp = 1 / (1 + e);
        q = e / (1 + e);
      }
      const d2 = pp * q;
      h11 += fi * fi * d2;
      h22 += d2;
      h21 += fi * d2;
      const d1 = t(i) - pp;
      g1 += fi * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < tol && Math.abs(g2) < tol) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    let accepted = false;
    while (step >= 1e-10) {
      const nA = A + step * dA;
      const nB = B + step * dB;
      const nf = objective(nA, nB);
      if (nf < fval + 1e-4 * step * gd) {
        A = nA;
        B = nB;
        fval = nf;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break; // line search failed: at the optimum up to rounding
  }
  return { method: 'platt', a: -A, b: -B };
}

export function fitIsotonic(p: ArrayLike<number>, y: ArrayLike<number>): IsotonicParams {
  checkPairs(p, y);
  if (p.length === 0) throw new RangeError('isotonic calibration needs at least one row');
  // Distinct p values with their positive/negative counts (descending), reversed to ascending.
  const g = scoreGroups(y, p);
  const m = g.size;
  // PAV with a stack of blocks over the distinct values in ascending order.
  const bW = new Float64Array(m); // weight (rows)
  const bS = new Float64Array(m); // positives
  const bLo = new Int32Array(m); // first distinct index in block (ascending)
  const bHi = new Int32Array(m);
  let top = -1;
  for (let k = 0; k < m; k++) {
    const src = m - 1 - k;
    top++;
    bW[top] = g.pos[src]! + g.neg[src]!;
    bS[top] = g.pos[src]!;
    bLo[top] = k;
    bHi[top] = k;
    // Merge while the previous block's mean is >= this one's (compare cross-multiplied, no division).
    while (top > 0 && bS[top - 1]! * bW[top]! >= bS[top]! * bW[top - 1]!) {
      bW[top - 1]! += bW[top]!;
      bS[top - 1]! += bS[top]!;
      bHi[top - 1] = bHi[top]!;
      top--;
    }
  }
  const xAsc = (k: number): number => g.threshold[m - 1 - k]!;
  const means = Array.from({ length: top + 1 }, (_, b) => bS[b]! / bW[b]!);
  // A run of only negatives (the first) or only positives (the last) would map to exactly 0 or 1:
  // certainty from a few dozen rows, which next best action would multiply by money. Such a run
  // takes the rule of succession instead, (s + 1)/(w + 2), as Platt's targets do, never past its
  // neighbour's rate, so the map stays non-decreasing.
  if (means[0] === 0) means[0] = Math.min(1 / (bW[0]! + 2), top > 0 ? means[1]! : 1);
  if (means[top] === 1) means[top] = Math.max((bW[top]! + 1) / (bW[top]! + 2), top > 0 ? means[top - 1]! : 0);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let b = 0; b <= top; b++) {
    const v = means[b]!;
    xs.push(xAsc(bLo[b]!));
    ys.push(v);
    if (bHi[b]! !== bLo[b]!) {
      xs.push(xAsc(bHi[b]!));
      ys.push(v);
    }
  }
  return { method: 'isotonic', x: xs, y: ys };
}

/** Calibrated probabilities for raw model probabilities p. */
export function applyCalibration(params: CalibrationParams, p: ArrayLike<number>): Float64Array {
  const n = p.length;
  const out = new Float64Array(n);
  switch (params.method) {
    case 'identity':
      for (let i = 0; i < n; i++) out[i] = p[i]!;
      return out;
    case 'platt':
      for (let i = 0; i < n; i++) out[i] = sigmoid(params.a * logit(p[i]!) + params.b);
      return out;
    case 'isotonic': {
      const { x, y } = params;
      const last = x.length - 1;
      for (let i = 0; i < n; i++) {
        const v = p[i]!;
        let r: number;
        if (!(v > x[0]!)) r = y[0]!;
        else if (v >= x[last]!) r = y[last]!;
        else {
          // Largest j with x[j] <= v (j < last here).
          let lo = 0;
          let hi = last;
          while (hi - lo > 1) {
            const mid = (lo + hi) >> 1;
            if (x[mid]! <= v) lo = mid;
            else hi = mid;
          }
          const x0 = x[lo]!;
          const x1 = x[hi]!;
          // The fraction first: (dy · dx) / width underflows when the x are subnormal, breaking monotonicity.
          r = x1 > x0 ? y[lo]! + ((v - x0) / (x1 - x0)) * (y[hi]! - y[lo]!) : y[hi]!;
        }
        out[i] = Math.min(Math.max(r, ISO_EPS), 1 - ISO_EPS);
      }
      return out;
    }
  }
}

export interface CalibrationChoice {
  params: CalibrationParams;
  /** Why this method: cross-validated log loss, or too few rows for isotonic. */
  reason: string;
  /** Out-of-fold log loss of each method on the calibration set (null when CV was skipped). */
  cvLogLoss: { platt: number; isotonic: number } | null;
}

export interface ChooseOptions {
  /** Folds for the comparison (default 5). */
  folds?: number;
  /** Below this many rows — or 50 rows of the rarer class — Platt is used without comparing (isotonic overfits). */
  minRowsForIsotonic?: number;
  seed?: number;
}

/**
 * Pick Platt or isotonic for a calibration set and fit it on all of it.
 *
 * The comparison is the k-fold out-of-fold log loss, not the in-sample one: isotonic regression minimises
 * in-sample log loss over all monotone maps, Platt's map included, so the in-sample comparison would always
 * choose isotonic, however small the sample.
 */
export function chooseCalibration(p: ArrayLike<number>, y: ArrayLike<number>, options: ChooseOptions = {}): CalibrationChoice {
  checkPairs(p, y);
  const folds = options.folds ?? 5;
  const minRows = options.minRowsForIsotonic ?? 1000;
  const n = p.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]!;
  const minority = Math.min(positives, n - positives);
  if (n < minRows || minority < 50) {
    return {
      params: fitPlatt(p, y),
      reason: `platt: ${n} rows / ${minority} in the rarer class is too few for isotonic (needs ${minRows} / 50)`,
      cvLogLoss: null,
    };
  }

  // Stratified fold assignment with a seeded shuffle.
  const fold = new Int32Array(n);
  const rng = createRng(options.seed ?? 42);
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (y[i] === cls) idx.push(i);
    rng.shuffle(idx);
    idx.forEach((row, k) => (fold[row] = k % folds));
  }
  const oofPlatt = new Float64Array(n);
  const oofIso = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    const trP: number[] = [];
    const trY: number[] = [];
    const te: number[] = [];
    for (let i = 0; i < n; i++) {
      if (fold[i] === f) te.push(i);
      else {
        trP.push(p[i]!);
        trY.push(y[i]!);
      }
    }
    const teP = te.map((i) => p[i]!);
    const a = applyCalibration(fitPlatt(trP, trY), teP);
    const b = applyCalibration(fitIsotonic(trP, trY), teP);
    te.forEach((row, k) => {
      oofPlatt[row] = a[k]!;
      oofIso[row] = b[k]!;
    });
  }
  const cv = { platt: logLoss(y, oofPlatt), isotonic: logLoss(y, oofIso) };
  const iso = cv.isotonic < cv.platt;
  return {
    params: iso ? fitIsotonic(p, y) : fitPlatt(p, y),
    reason: `${iso ? 'isotonic' : 'platt'}: lower ${folds}-fold out-of-fold log loss (platt ${cv.platt.toFixed(5)}, isotonic ${cv.isotonic.toFixed(5)})`,
    cvLogLoss: cv,
  };
}
