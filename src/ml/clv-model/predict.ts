import type { FeatureFrame } from '../../features/frame.js';
import {
  ClvFitError,
  conditionalExpectedPurchases,
  conditionalExpectedSpend,
  customerLifetimeValue,
  probabilityAlive,
  type BgNbdParams,
  type GammaGammaParams,
} from '../clv/index.js';
import { DAYS_PER_MONTH, type ClvHyperparams } from './hyper.js';
import type { ClvModel } from './model.js';
import { clvColumns, hasPurchase, type ClvColumns } from './summary-rows.js';
import { runSteps, type Steps } from '../../util/steps.js';

/**
 * Serving: per-customer predictions from a trained model and a FeatureFrame. The customer summary is
 * read from the frame's clv_* features (the same ones training used); the math is src/ml/clv's. A
 * customer without a purchase gets NaN everywhere (the models start at the first purchase): empty,
 * never a made-up number.
 */

export interface ClvPredictions {
  /** Expected purchase days over the model's horizon (hyper.horizonDays). */
  expected_purchases: Float64Array;
  /** P(still an active customer at as-of). */
  p_alive: Float64Array;
  /** expected_purchases × expected_spend × margin, discounted per hyper (undiscounted by default). */
  predicted_clv: Float64Array;
  /** Gamma-Gamma expected amount per future purchase day (before margin). */
  expected_spend: Float64Array;
  /**
   * Days until the expected number of purchases reaches 1; NaN when that does not happen within the
   * horizon (the customer is not expected to buy again within it) or without purchases.
   */
  expected_days_to_next_purchase: Float64Array;
  /** Customers with purchases whose prediction failed (their values are NaN); 0 normally. */
  failed: number;
  /** Message of the first failure, for the log. */
  first_error: string | null;
}

/** The contract's three score columns (expected_purchases, p_alive, predicted_clv). */
export type ClvScoreColumns = Pick<ClvPredictions, 'expected_purchases' | 'p_alive' | 'predicted_clv'>;

export interface ClvPrediction {
  customer_id: string;
  has_purchases: boolean;
  expected_purchases: number | null;
  p_alive: number | null;
  predicted_clv: number | null;
  expected_spend: number | null;
  expected_days_to_next_purchase: number | null;
  horizon_days: number;
  /** One sentence: the history the prediction rests on and how the numbers combine. */
  explanation: string;
}

interface RowResult {
  expectedPurchases: number;
  pAlive: number;
  clv: number;
  spend: number;
  nextDays: number;
}

const NAN_ROW: RowResult = { expectedPurchases: NaN, pAlive: NaN, clv: NaN, spend: NaN, nextDays: NaN };

/** Nodes of the per-frequency tables used for the time to the next purchase (see NextPurchaseTable). */
const TABLE_NODES = 256;

/**
 * Everything per model that rows share, resolved once, with caches that make 200k rows cheap without
 * re-deriving any statistic (every number comes from src/ml/clv's functions; only structure of the
 * models is used to evaluate them less often):
 *
 * - E[purchases in (T, T+t] | x, t_x, T] = P(alive | x, t_x, T) · E[purchases | alive, x, T]: the second
 *   factor does not depend on t_x (once alive at T, the future depends on the history only through the
 *   posterior λ ~ Gamma(r+x, α+T), p ~ Beta(a, b+x)). It is computed once per distinct (x, T) with
 *   conditionalExpectedPurchases at t_x = T and divided by probabilityAlive there (which is ≥ (b+x−1)/(a+b+x−1),
 *   so the division is harmless); each repeat buyer then costs one probabilityAlive call. P(alive | x = 0)
 *   is the same for every T (no dropout before the first repeat purchase).
 * - Gamma-Gamma E[spend | x, m] is a credibility-weighted average of the population mean and m, so affine
 *   in m for a given x: intercept and slope come from conditionalExpectedSpend at m = 1 and 2, per x.
 * - the time to the next expected purchase solves P(alive) · E[purchases in (T, T+s] | alive, x, T] = 1. For
 *   the same reason the alive-expectation depends on (x, s/(α+T)) only, so one table per distinct x
 *   (values of the library's expectation on a grid of w = ln(1 + s/(α+T))) serves every T; each customer's
 *   root is found on a cubic Hermite interpolant of that table (checked against expectedTimeToNextPurchase
 *   in the tests: differences < 0.001 day).
 */
class Predictor {
  readonly bg: BgNbdParams;
  readonly gg: GammaGammaParams;
  readonly hyper: ClvHyperparams;
  readonly unit: number;
  /** The horizon in model time units. */
  readonly t: number;
  private readonly aliveExpectation = new Map<number, number>();
  private readonly tables = new Map<number, NextPurchaseTable>();
  private readonly spendLines = new Map<number, { intercept: number; slope: number }>();
  private spendAtZero: number | undefined;
  /** BG/NBD: no dropout before the first repeat purchase, so P(alive | x = 0) is the same (1) for every T. */
  private pAliveNoRepeat: number | undefined;

  constructor(model: ClvModel) {
    this.bg = model.params.bgnbd;
    this.gg = model.params.gamma_gamma;
    this.hyper = model.hyper;
    this.unit = model.hyper.timeUnitDays;
    this.t = model.hyper.horizonDays / this.unit;
  }

  /** Row i of the frame (which must have a purchase); throws ClvFitError on invalid / degenerate input. */
  row(c: ClvColumns, i: number): RowResult {
    const x = c.frequency[i] as number;
    const tDays = c.T[i] as number;
    const tx = (c.recency[i] as number) / this.unit;
    const T = tDays / this.unit;
    const m = c.monetary[i] as number;
    const pAlive = x === 0 ? (this.pAliveNoRepeat ??= probabilityAlive(this.bg, 0, 0, 0)) : probabilityAlive(this.bg, x, tx, T);
    const expectedPurchases = pAlive * this.expectationIfAlive(x, T, tDays);
    // Gamma-Gamma needs a positive mean spend for a repeat buyer; without one the value is unknown.
    const spendKnown = x === 0 || (Number.isFinite(m) && m > 0);
    const spend = spendKnown ? this.expectedSpend(x, m) : NaN;
    let clv = NaN;
    if (spendKnown) {
      const h = this.hyper;
      clv =
        h.annualDiscountRate === 0
          ? h.margin * spend * expectedPurchases
          : customerLifetimeValue(this.bg, this.gg, { frequency: x, recency: tx, T, monetaryValue: x === 0 ? 0 : m }, {
              horizonMonths: h.horizonDays / DAYS_PER_MONTH,
              timeUnitDays: this.unit,
              daysPerMonth: DAYS_PER_MONTH,
              annualDiscountRate: h.annualDiscountRate,
              discountStep: h.discountStep,
              margin: h.margin,
            }).clv;
    }
    let nextDays = NaN;
    if (expectedPurchases >= 1) {
      const s = this.table(x).solve(1 / pAlive, this.bg.alpha + T);
      nextDays = Math.min(s, this.t) * this.unit;
    }
    return { expectedPurchases, pAlive, clv, spend, nextDays };
  }

  /** E[purchases in (T, T + horizon] | alive at T, x], cached per (x, T). */
  private expectationIfAlive(x: number, T: number, tDays: number): number {
    // A small-integer key (x < 2^14, T < 2^16 days) keeps the map lookup cheap; anything else is not cached.
    const key = Number.isInteger(tDays) && tDays < 65_536 && x < 16_384 ? x * 65_536 + tDays : -1;
    const cached = key < 0 ? undefined : this.aliveExpectation.get(key);
    if (cached !== undefined) return cached;
    const value = conditionalExpectedPurchases(this.bg, this.t, x, T, T) / probabilityAlive(this.bg, x, T, T);
    if (key >= 0) this.aliveExpectation.set(key, value);
    return value;
  }

  /** Gamma-Gamma E[spend | x, m] (affine in m per x, see above); x = 0 is the population mean. */
  private expectedSpend(x: number, m: number): number {
    if (x === 0) return (this.spendAtZero ??= conditionalExpectedSpend(this.gg, 0, 0));
    let line = this.spendLines.get(x);
    if (!line) {
      const at1 = conditionalExpectedSpend(this.gg, x, 1);
      const slope = conditionalExpectedSpend(this.gg, x, 2) - at1;
      line = { intercept: at1 - slope, slope };
      this.spendLines.set(x, line);
    }
    return line.intercept + line.slope * m;
  }

  private table(x: number): NextPurchaseTable {
    let table = this.tables.get(x);
    if (!table) {
      table = new NextPurchaseTable(this.bg, x, this.t);
      this.tables.set(x, table);
    }
    return table;
  }
}

/**
 * g(w) = E[purchases in (T, T+s] | alive at T, x] as a function of w = ln(1 + s/(α+T)), which is the same
 * for every T, tabulated with the library's conditionalExpectedPurchases (at T = 0) on a uniform grid
 * of w up to the horizon seen from T = 0 (the widest range any customer needs), with slopes by
 * centred differences; solve() inverts it by bisection on the cubic Hermite interpolant.
 */
class NextPurchaseTable {
  private readonly g: Float64Array;
  private readonly slope: Float64Array;
  private readonly h: number;

  constructor(bg: BgNbdParams, x: number, horizon: number) {
    const wMax = Math.log1p(horizon / bg.alpha);
    this.h = wMax / TABLE_NODES;
    // One extra node on the right for the last centred difference.
    const n = TABLE_NODES + 2;
    this.g = new Float64Array(n);
    const alive0 = probabilityAlive(bg, x, 0, 0);
    for (let k = 1; k < n; k++) {
      const s = bg.alpha * Math.expm1(k * this.h);
      this.g[k] = conditionalExpectedPurchases(bg, s, x, 0, 0) / alive0;
    }
    this.slope = new Float64Array(n);
    for (let k = 1; k < n - 1; k++) this.slope[k] = ((this.g[k + 1] as number) - (this.g[k - 1] as number)) / (2 * this.h);
    // g(0) = 0 and g is smooth: a one-sided second-order difference at the left end.
    this.slope[0] = (-3 * (this.g[0] as number) + 4 * (this.g[1] as number) - (this.g[2] as number)) / (2 * this.h);
  }

  /** s (model time units) with g(ln(1 + s/scale)) = level, scale = α + T; the caller ensures it lies within the horizon. */
  solve(level: number, scale: number): number {
    const g = this.g;
    // Largest node k with g[k] <= level (g increases with w).
    let lo = 0;
    let hi = TABLE_NODES;
    if (level >= (g[hi] as number)) return scale * Math.expm1(hi * this.h);
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((g[mid] as number) <= level) lo = mid;
      else hi = mid;
    }
    const h = this.h;
    const y0 = g[lo] as number;
    const y1 = g[hi] as number;
    const d0 = (this.slope[lo] as number) * h;
    const d1 = (this.slope[hi] as number) * h;
    // Cubic Hermite on [node lo, node hi] in u ∈ [0, 1]: c0 + c1·u + c2·u² + c3·u³; bisection for = level.
    const c1 = d0;
    const c2 = 3 * (y1 - y0) - 2 * d0 - d1;
    const c3 = 2 * (y0 - y1) + d0 + d1;
    let a = 0;
    let b = 1;
    for (let k = 0; k < 40; k++) {
      const u = 0.5 * (a + b);
      if (y0 + u * (c1 + u * (c2 + u * c3)) < level) a = u;
      else b = u;
    }
    return scale * Math.expm1((lo + 0.5 * (a + b)) * h);
  }
}

/**
 * One Predictor (and its caches) per model object, so repeated calls (batch after batch, one customer per
 * request) reuse them. Keyed by the object and checked against its parameters, so a model edited in place
 * gets a fresh one.
 */
const predictors = new WeakMap<ClvModel, { key: string; predictor: Predictor }>();

function predictorFor(model: ClvModel): Predictor {
  const key = JSON.stringify([model.params, model.hyper]);
  const hit = predictors.get(model);
  if (hit && hit.key === key) return hit.predictor;
  const predictor = new Predictor(model);
  predictors.set(model, { key, predictor });
  return predictor;
}

/**
 * Predictions for every row of a frame. Customers without purchases get NaN in every column. A
 * prediction that fails for one customer (a ClvFitError: degenerate numbers) leaves that customer's
 * values NaN and is counted in `failed`; any other error is thrown.
 */
export function predictClv(model: ClvModel, frame: FeatureFrame): ClvPredictions {
  return runSteps(predictClvSteps(model, frame));
}

/** Rows predicted per step of predictClvSteps (≈10–20 ms here). */
const CLV_ROWS_PER_STEP = 4_000;

/** predictClv in steps of a block of rows (util/steps.ts), for a service that must keep answering. */
export function* predictClvSteps(model: ClvModel, frame: FeatureFrame, rowsPerStep = CLV_ROWS_PER_STEP): Steps<ClvPredictions> {
  const n = frame.n;
  const out: ClvPredictions = {
    expected_purchases: new Float64Array(n).fill(NaN),
    p_alive: new Float64Array(n).fill(NaN),
    predicted_clv: new Float64Array(n).fill(NaN),
    expected_spend: new Float64Array(n).fill(NaN),
    expected_days_to_next_purchase: new Float64Array(n).fill(NaN),
    failed: 0,
    first_error: null,
  };
  if (n === 0) return out;
  const c = clvColumns(frame);
  const predictor = predictorFor(model);
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % rowsPerStep === 0) yield;
    if (!hasPurchase(c, i)) continue;
    let r: RowResult;
    try {
      r = predictor.row(c, i);
    } catch (error) {
      if (!(error instanceof ClvFitError)) throw error;
      out.failed++;
      out.first_error ??= `customer ${frame.customerIds[i] ?? i}: ${error.message}`;
      continue;
    }
    out.expected_purchases[i] = r.expectedPurchases;
    out.p_alive[i] = r.pAlive;
    out.predicted_clv[i] = r.clv;
    out.expected_spend[i] = r.spend;
    out.expected_days_to_next_purchase[i] = r.nextDays;
  }
  return out;
}

const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
const plural = (k: number, one: string, many = `${one}s`): string => `${k} ${k === 1 ? one : many}`;

/** Row i of batch predictions, or undefined when the batch has no numbers for it (no purchase, or its prediction failed). */
function batchRow(batch: ClvPredictions, i: number): RowResult | undefined {
  const expectedPurchases = batch.expected_purchases[i]!;
  if (Number.isNaN(expectedPurchases)) return undefined;
  return {
    expectedPurchases,
    pAlive: batch.p_alive[i]!,
    clv: batch.predicted_clv[i]!,
    spend: batch.expected_spend[i]!,
    nextDays: batch.expected_days_to_next_purchase[i]!,
  };
}

/**
 * One customer's predictions with a one-sentence explanation (row i of the frame). With `batch`,
 * predictClv's answer for the same model and frame, the numbers are read from it instead of computed
 * again (a row without numbers there is computed, so a failure still explains itself).
 */
export function predictClvOne(model: ClvModel, frame: FeatureFrame, i: number, batch?: ClvPredictions): ClvPrediction {
  if (!Number.isInteger(i) || i < 0 || i >= frame.n) throw new RangeError(`row ${i} is outside the frame (0..${frame.n - 1})`);
  const c = clvColumns(frame);
  const h = model.hyper;
  const base = { customer_id: frame.customerIds[i] ?? String(frame.personIds[i]), horizon_days: h.horizonDays };
  if (!hasPurchase(c, i)) {
    return {
      ...base,
      has_purchases: false,
      expected_purchases: null,
      p_alive: null,
      predicted_clv: null,
      expected_spend: null,
      expected_days_to_next_purchase: null,
      explanation: 'No purchase yet: CLV is not predicted (the purchase and spend models start at the first purchase).',
    };
  }
  let r = (batch && batchRow(batch, i)) ?? NAN_ROW;
  let failure: string | null = null;
  if (r === NAN_ROW) {
    try {
      r = predictorFor(model).row(c, i);
    } catch (error) {
      if (!(error instanceof ClvFitError)) throw error;
      failure = error.message;
    }
  }
  const days = c.T[i] as number;
  const x = c.frequency[i] as number;
  const sinceLast = days - (c.recency[i] as number);
  const history =
    x === 0
      ? `1 purchase, ${days === 0 ? 'today' : `${plural(days, 'day')} ago`}, no repeat yet`
      : `${plural(x + 1, 'purchase')} (days with a purchase) in ${plural(days, 'day')} since the first, last ${sinceLast === 0 ? 'today' : `${plural(sinceLast, 'day')} ago`}`;
  let explanation: string;
  if (failure !== null) {
    explanation = `${history} → no prediction: ${failure}`;
  } else {
    const money = (v: number): string => v.toFixed(2);
    const spendPart = Number.isFinite(r.spend)
      ? ` × ${money(r.spend)} per purchase${h.margin !== 1 ? ` × margin ${h.margin}` : ''}` +
        `${h.annualDiscountRate > 0 ? `, discounted at ${(h.annualDiscountRate * 100).toFixed(1)}%/year` : ''} = CLV ${money(r.clv)}`
      : ' (no positive repeat spend recorded, so no CLV)';
    explanation =
      `${history} → P(alive) ${r.pAlive.toFixed(2)}${x === 0 ? ' (no dropout is possible before a repeat purchase)' : ''}, ` +
      `${r.expectedPurchases.toFixed(1)} purchases expected in ${h.horizonDays} days${spendPart}`;
  }
  return {
    ...base,
    has_purchases: true,
    expected_purchases: orNull(r.expectedPurchases),
    p_alive: orNull(r.pAlive),
    predicted_clv: orNull(r.clv),
    expected_spend: orNull(r.spend),
    expected_days_to_next_purchase: orNull(r.nextDays),
    explanation,
  };
}

/**
 * Adapter to the model set's ClvPredictor (src/ml/serving/model-set.ts): the contract's three score
 * columns for a frame. The full predictions of the frames it predicted are kept with them (weakly: they
 * go with the frame), so explaining a row of the scored base reads its numbers instead of computing them again.
 */
export function clvPredictor(
  model: ClvModel,
  version: string,
): {
  version: string;
  model: ClvModel;
  predict(frame: FeatureFrame): ClvScoreColumns;
  predictSteps(frame: FeatureFrame): Steps<ClvScoreColumns>;
  explain(frame: FeatureFrame, i: number): string;
} {
  const predicted = new WeakMap<FeatureFrame, ClvPredictions>();
  function* predictSteps(frame: FeatureFrame): Steps<ClvScoreColumns> {
    const all = yield* predictClvSteps(model, frame);
    predicted.set(frame, all);
    return { expected_purchases: all.expected_purchases, p_alive: all.p_alive, predicted_clv: all.predicted_clv };
  }
  return {
    version,
    model,
    predict: (frame) => runSteps(predictSteps(frame)),
    predictSteps,
    explain: (frame, i) => predictClvOne(model, frame, i, predicted.get(frame)).explanation,
  };
}
