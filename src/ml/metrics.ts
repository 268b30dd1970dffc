/**
 * Binary-classification metrics over plain arrays. Labels are 0/1, scores any finite numbers (probabilities
 * where the metric needs them). Everything is O(n log n) or O(n): scores are split by label and sorted with the
 * native typed-array sort, then merged once into groups of tied scores, so ties are handled exactly
 * (no dependence on input order) and 1M rows take well under a second.
 *
 * Undefined metrics (e.g. AUC with only one class present) are NaN.
 */

export type Labels = ArrayLike<number>;
export type Scores = ArrayLike<number>;

/** Scores grouped by distinct value, highest first, with the number of positives/negatives at each value. */
export interface ScoreGroups {
  threshold: Float64Array;
  pos: Float64Array;
  neg: Float64Array;
  /** Number of groups (distinct score values). */
  size: number;
  positives: number;
  negatives: number;
}

function checkInputs(y: Labels, s: Scores, what = 'scores'): void {
  if (y.length !== s.length) throw new RangeError(`labels (${y.length}) and ${what} (${s.length}) differ in length`);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1) throw new RangeError(`labels must be 0 or 1; labels[${i}] = ${v}`);
    if (!Number.isFinite(s[i])) throw new RangeError(`${what} must be finite numbers; ${what}[${i}] = ${s[i]}`);
  }
}

function checkProbabilities(p: Scores): void {
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`probabilities must be in [0, 1]; p[${i}] = ${v}`);
  }
}

/** Group scores by distinct value (descending) with positive/negative counts. */
export function scoreGroups(y: Labels, s: Scores): ScoreGroups {
  checkInputs(y, s);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const negatives = y.length - positives;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  for (let i = 0, a = 0, b = 0; i < y.length; i++) {
    if (y[i] === 1) pos[a++] = s[i]!;
    else neg[b++] = s[i]!;
  }
  pos.sort();
  neg.sort();

  const threshold = new Float64Array(y.length);
  const gp = new Float64Array(y.length);
  const gn = new Float64Array(y.length);
  let i = positives - 1;
  let j = negatives - 1;
  let g = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j]! : j < 0 ? pos[i]! : Math.max(pos[i]!, neg[j]!);
    let cp = 0;
    let cn = 0;
    while (i >= 0 && pos[i] === t) {
      cp++;
      i--;
    }
    while (j >= 0 && neg[j] === t) {
      cn++;
      j--;
    }
    threshold[g] = t;
    gp[g] = cp;
    gn[g] = cn;
    g++;
  }
  return {
    threshold: threshold.subarray(0, g),
    pos: gp.subarray(0, g),
    neg: gn.subarray(0, g),
    size: g,
    positives,
    negatives,
  };
}

export function baseRate(y: Labels): number {
  if (y.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]!;
  return s / y.length;
}

/** ROC AUC = Mann–Whitney U / (P·N); a tied positive/negative pair counts ½. */
export function rocAuc(y: Labels, s: Scores): number {
  return aucFromGroups(scoreGroups(y, s));
}

export function aucFromGroups(g: ScoreGroups): number {
  if (g.positives === 0 || g.negatives === 0) return NaN;
  let negAbove = 0;
  let u = 0;
  for (let k = 0; k < g.size; k++) {
    const cp = g.pos[k]!;
    const cn = g.neg[k]!;
    const negBelow = g.negatives - negAbove - cn;
    u += cp * (negBelow + 0.5 * cn);
    negAbove += cn;
  }
  return u / (g.positives * g.negatives);
}

/**
 * Average precision as scikit-learn's average_precision_score: Σ (R_k − R_{k−1}) · P_k over distinct score
 * thresholds, highest first (step function, no interpolation).
 */
export function averagePrecision(y: Labels, s: Scores): number {
  return apFromGroups(scoreGroups(y, s));
}

export function apFromGroups(g: ScoreGroups): number {
  if (g.positives === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (let k = 0; k < g.size; k++) {
    const cp = g.pos[k]!;
    tp += cp;
    fp += g.neg[k]!;
    if (cp > 0) ap += (cp / g.positives) * (tp / (tp + fp));
  }
  return ap;
}

/** Mean negative log-likelihood; p is clipped to [eps, 1 − eps] so a confident mistake costs −ln(eps), not ∞. */
export function logLoss(y: Labels, p: Scores, eps = 1e-15): number {
  checkInputs(y, p, 'probabilities');
  checkProbabilities(p);
  if (y.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += rowLogLoss(p[i]!, y[i] === 1, eps);
  return s / y.length;
}

/** One row's log loss, its probability clipped to [eps, 1 − eps]. */
function rowLogLoss(p: number, positive: boolean, eps: number): number {
  const q = Math.min(Math.max(p, eps), 1 - eps);
  return positive ? -Math.log(q) : -Math.log1p(-q);
}

/** The mean per-row log-loss difference of two sets of probabilities for the same rows, and its standard error. */
export interface PairedDifference {
  /** mean(log loss of p − log loss of q): logLoss(y, p) − logLoss(y, q). */
  mean: number;
  /** The sample standard deviation of the per-row differences ÷ √n; NaN with fewer than two rows. */
  standardError: number;
}

/**
 * A paired comparison of two models' probabilities on the same rows (as Diebold & Mariano compare
 * forecasts): the rows are shared, so the per-row differences carry the comparison's noise, which is
 * far smaller than that of either log loss alone. Same clipping as logLoss.
 */
export function pairedLogLossDifference(y: Labels, p: Scores, q: Scores, eps = 1e-15): PairedDifference {
  checkInputs(y, p, 'probabilities');
  checkInputs(y, q, 'probabilities');
  checkProbabilities(p);
  checkProbabilities(q);
  const n = y.length;
  // Welford: one pass, stable for many small differences.
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const d = rowLogLoss(p[i]!, y[i] === 1, eps) - rowLogLoss(q[i]!, y[i] === 1, eps);
    const delta = d - mean;
    mean += delta / (i + 1);
    m2 += delta * (d - mean);
  }
  if (n === 0) return { mean: NaN, standardError: NaN };
  return { mean, standardError: n > 1 ? Math.sqrt(m2 / (n - 1) / n) : NaN };
}

/** Mean squared difference between probability and outcome. */
export function brierScore(y: Labels, p: Scores): number {
  checkInputs(y, p, 'probabilities');
  checkProbabilities(p);
  if (y.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const d = p[i]! - y[i]!;
    s += d * d;
  }
  return s / y.length;
}

/**
 * Positive rate among the top `fraction` of rows by score, divided by the base rate. The top fraction is
 * fraction·n rows exactly (may be fractional); a group of tied scores straddling the cut contributes its
 * positive rate pro rata, i.e. the expected value under random tie-breaking.
 */
export function liftAt(y: Labels, s: Scores, fraction = 0.1): number {
  return liftFromGroups(scoreGroups(y, s), fraction);
}

export function liftTopDecile(y: Labels, s: Scores): number {
  return liftAt(y, s, 0.1);
}

export function liftFromGroups(g: ScoreGroups, fraction: number): number {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`fraction must be in (0, 1], got ${fraction}`);
  const n = g.positives + g.negatives;
  if (n === 0 || g.positives === 0) return NaN;
  const k = fraction * n;
  let taken = 0;
  let captured = 0;
  for (let t = 0; t < g.size && taken < k; t++) {
    const c = g.pos[t]! + g.neg[t]!;
    const take = Math.min(c, k - taken);
    captured += (take / c) * g.pos[t]!;
    taken += take;
  }
  return captured / k / (g.positives / n);
}

export interface CalibrationBin {
  /** Bin edges [lower, upper); the last bin includes its upper edge. */
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability in the bin; null when empty. */
  meanPredicted: number | null;
  /** Observed positive rate in the bin; null when empty. */
  observedRate: number | null;
}

export interface CalibrationTable {
  bins: CalibrationBin[];
  /** Expected calibration error: Σ (count/n)·|observed − mean predicted| over non-empty bins. */
  ece: number;
  /** Largest |observed − mean predicted| over non-empty bins. */
  mce: number;
}

/**
 * Reliability table. `uniform`: equal-width bins on [0, 1] (scikit-learn calibration_curve default).
 * `quantile`: edges at quantiles of p, so bins hold about equal counts — more informative when most
 * predictions are small (rare events).
 */
export function calibrationTable(
  y: Labels,
  p: Scores,
  options: { bins?: number; strategy?: 'uniform' | 'quantile' } = {},
): CalibrationTable {
  const nb = options.bins ?? 10;
  if (!(Number.isInteger(nb) && nb >= 1)) throw new RangeError(`bins must be a positive integer, got ${nb}`);
  checkInputs(y, p, 'probabilities');
  checkProbabilities(p);
  const n = y.length;

  const edges = new Float64Array(nb + 1);
  if (options.strategy === 'quantile' && n > 0) {
    const sorted = Float64Array.from(p as ArrayLike<number>).sort();
    for (let b = 0; b <= nb; b++) edges[b] = sorted[Math.min(n - 1, Math.floor((b / nb) * (n - 1) + 0.5))]!;
    edges[0] = 0;
    edges[nb] = 1;
  } else {
    for (let b = 0; b <= nb; b++) edges[b] = b / nb;
  }

  const count = new Float64Array(nb);
  const sumP = new Float64Array(nb);
  const sumY = new Float64Array(nb);
  const uniform = options.strategy !== 'quantile';
  for (let i = 0; i < n; i++) {
    const v = p[i]!;
    let b: number;
    if (uniform) {
      b = Math.min(nb - 1, Math.floor(v * nb));
    } else {
      // Last edge e with e <= v, over interior edges 1..nb-1.
      let lo = 0;
      let hi = nb - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (edges[mid]! <= v) lo = mid;
        else hi = mid - 1;
      }
      b = lo;
    }
    count[b]!++;
    sumP[b]! += v;
    sumY[b]! += y[i]!;
  }

  const bins: CalibrationBin[] = [];
  let ece = 0;
  let mce = 0;
  for (let b = 0; b < nb; b++) {
    const c = count[b]!;
    const mp = c > 0 ? sumP[b]! / c : null;
    const or = c > 0 ? sumY[b]! / c : null;
    if (mp !== null && or !== null) {
      const gap = Math.abs(or - mp);
      ece += (c / n) * gap;
      mce = Math.max(mce, gap);
    }
    bins.push({ lower: edges[b]!, upper: edges[b + 1]!, count: c, meanPredicted: mp, observedRate: or });
  }
  return { bins, ece: n > 0 ? ece : NaN, mce: n > 0 ? mce : NaN };
}

export function expectedCalibrationError(y: Labels, p: Scores, bins = 10): number {
  return calibrationTable(y, p, { bins }).ece;
}

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Rows with score >= threshold are called positive; null for the (0, 0) start point. */
  threshold: number | null;
}

export interface GainsPoint {
  /** Fraction of all rows targeted (highest scores first). */
  targeted: number;
  /** Fraction of all positives among them. */
  captured: number;
  threshold: number | null;
}

/** ROC curve at every distinct threshold, downsampled to at most maxPoints (endpoints always kept). */
export function rocCurve(y: Labels, s: Scores, maxPoints = 200): RocPoint[] {
  return rocFromGroups(scoreGroups(y, s), maxPoints);
}

export function rocFromGroups(g: ScoreGroups, maxPoints = 200): RocPoint[] {
  const xs = new Float64Array(g.size + 1);
  const ys = new Float64Array(g.size + 1);
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < g.size; k++) {
    tp += g.pos[k]!;
    fp += g.neg[k]!;
    xs[k + 1] = g.negatives > 0 ? fp / g.negatives : 0;
    ys[k + 1] = g.positives > 0 ? tp / g.positives : 0;
  }
  return downsampleCurve(xs, ys, maxPoints).map((k) => ({
    fpr: xs[k]!,
    tpr: ys[k]!,
    threshold: k === 0 ? null : g.threshold[k - 1]!,
  }));
}

/** Cumulative gains: share of positives captured vs share of rows targeted, highest scores first. */
export function gainsCurve(y: Labels, s: Scores, maxPoints = 200): GainsPoint[] {
  return gainsFromGroups(scoreGroups(y, s), maxPoints);
}

export function gainsFromGroups(g: ScoreGroups, maxPoints = 200): GainsPoint[] {
  const n = g.positives + g.negatives;
  const xs = new Float64Array(g.size + 1);
  const ys = new Float64Array(g.size + 1);
  let tp = 0;
  let all = 0;
  for (let k = 0; k < g.size; k++) {
    tp += g.pos[k]!;
    all += g.pos[k]! + g.neg[k]!;
    xs[k + 1] = all / n;
    ys[k + 1] = g.positives > 0 ? tp / g.positives : 0;
  }
  return downsampleCurve(xs, ys, maxPoints).map((k) => ({
    targeted: xs[k]!,
    captured: ys[k]!,
    threshold: k === 0 ? null : g.threshold[k - 1]!,
  }));
}

/**
 * Indices of a monotone curve's points to keep so that at most maxPoints remain: walk the curve and keep a
 * point once it is at least total/(maxPoints−2) away (L1) from the last kept one; first and last always kept.
 * Spacing by curve length (not by index) keeps steep early parts (rare positives) visible.
 */
export function downsampleCurve(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): number[] {
  const m = xs.length;
  if (m === 0) return [];
  if (!(maxPoints >= 2)) throw new RangeError(`maxPoints must be >= 2, got ${maxPoints}`);
  if (m <= maxPoints) return Array.from({ length: m }, (_, i) => i);
  let total = 0;
  for (let i = 1; i < m; i++) total += Math.abs(xs[i]! - xs[i - 1]!) + Math.abs(ys[i]! - ys[i - 1]!);
  const step = maxPoints > 2 ? total / (maxPoints - 2) : Infinity;
  const keep = [0];
  let lx = xs[0]!;
  let ly = ys[0]!;
  for (let i = 1; i < m - 1; i++) {
    if (Math.abs(xs[i]! - lx) + Math.abs(ys[i]! - ly) >= step && keep.length < maxPoints - 1) {
      keep.push(i);
      lx = xs[i]!;
      ly = ys[i]!;
    }
  }
  keep.push(m - 1);
  return keep;
}

export interface BinaryReport {
  n: number;
  positives: number;
  baseRate: number;
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  liftTopDecile: number;
  ece: number;
  calibration: CalibrationBin[];
  roc: RocPoint[];
  gains: GainsPoint[];
}

/** All of the above for one set of probabilities, sorting once. */
export function binaryReport(y: Labels, p: Scores, options: { maxCurvePoints?: number; calibrationBins?: number } = {}): BinaryReport {
  const g = scoreGroups(y, p);
  const cal = calibrationTable(y, p, { bins: options.calibrationBins ?? 10 });
  const n = y.length;
  return {
    n,
    positives: g.positives,
    baseRate: n > 0 ? g.positives / n : NaN,
    rocAuc: aucFromGroups(g),
    prAuc: apFromGroups(g),
    logLoss: logLoss(y, p),
    brier: brierScore(y, p),
    liftTopDecile: liftFromGroups(g, 0.1),
    ece: cal.ece,
    calibration: cal.bins,
    roc: rocFromGroups(g, options.maxCurvePoints ?? 200),
    gains: gainsFromGroups(g, options.maxCurvePoints ?? 200),
  };
}
