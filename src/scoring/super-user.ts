import type { ScoringConfig } from '../config/scoring.js';
import type { FeatureFrame } from '../features/frame.js';
import { eventMask, hasEvents, numericColumn } from './columns.js';
import { fmt } from './explain.js';
import { percentileRank, quantileGrid, sortedFinite } from './quantiles.js';
import { runSteps, type Steps } from '../util/steps.js';

/**
 * Super-user potential score of seed 000, 0–100, from four weighted dimensions of weighted
 * sub-measures (weights from config; equal by default).
 *
 * | dimension   | sub-measure (feature)                                                      |
 * |-------------|----------------------------------------------------------------------------|
 * | consumption | purchase frequency `purchases_365`, total spend `revenue_365`,              |
 * |             | product diversity `distinct_products_all`, high-margin preference `margin_rate_all` |
 * | engagement  | site visits `visits_90`, app time `app_time_s_90`, content interaction       |
 * |             | `content_interactions_90`, event participation `event_participations_365`  |
 * | social      | referrals `referrals_all`, referred buyers `referred_buyers_all` (referral    |
 * |             | power), shares `shares_all` (the seed's "online buzz"), reviews `reviews_all` |
 * | loyalty     | tenure `tenure_days`, resistance to competitors `competitor_resistance`      |
 * |             | (derived, below), feedback participation `feedback_all`, satisfaction with   |
 * |             | resolved issues `support_satisfaction`                                      |
 *
 * competitor_resistance: no feature observes competitors, so the proxy is whether a repeat customer
 * keeps to their own purchase rhythm instead of drifting away: min(1, mean_gap_days ÷ recency_days)
 * — 1 while the last purchase is within their usual gap, 1/3 when three gaps have passed — and 0 for
 * a customer without a repeat purchase (no loyalty shown yet).
 *
 * Normalisation: each sub-measure becomes the customer's percentile rank (0–1) in the base of
 * customers with events, read from the context's quantile grid (`percentileRank` with ends
 * 'anchored': none at all → 0 even when most of the base has none, the top value → 1 even when
 * shared, other ties share the middle rank of their plateau; a sub-measure with one value in the base
 * is left out, see below). A dimension's value is the weighted mean of its
 * sub-measure ranks; the score is 100 × the weighted mean of the dimensions.
 *
 * Left out (base level): a sub-measure with no data in this business (every customer zero or empty)
 * or no variation (every customer the same value, so it cannot tell customers apart) is left out
 * and its weight shared out among the other sub-measures of its dimension (weights renormalised);
 * a dimension with no active sub-measure — none that has data in the base and a weight > 0 — is left
 * out for the whole base and its weight shared among the other dimensions (so a dimension whose
 * only weighted sub-measure has no data is left out, not skipped customer by customer). Each score
 * lists them (`left_out`, `left_out_measures`) and the reason says which of the two causes applies.
 *
 * Skipped (customer level): an empty value for one customer (e.g. `support_satisfaction` with no
 * rated ticket, `margin_rate_all` with no margin data on their purchases) is skipped for that
 * customer and their dimension renormalised over the rest; if a whole dimension is empty for them,
 * it is skipped and the dimensions renormalised. Each score lists them (`skipped`).
 *
 * Every score comes with per-dimension points (`contributions`) that sum to the score.
 * A customer without events gets no score (null).
 */

export const DIMENSIONS = ['consumption', 'engagement', 'social', 'loyalty'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const MEASURES = [
  { id: 'purchases_365', dimension: 'consumption', label: 'purchase frequency' },
  { id: 'revenue_365', dimension: 'consumption', label: 'total spend' },
  { id: 'distinct_products_all', dimension: 'consumption', label: 'product diversity' },
  { id: 'margin_rate_all', dimension: 'consumption', label: 'high-margin preference' },
  { id: 'visits_90', dimension: 'engagement', label: 'site visits' },
  { id: 'app_time_s_90', dimension: 'engagement', label: 'app time' },
  { id: 'content_interactions_90', dimension: 'engagement', label: 'content interaction' },
  { id: 'event_participations_365', dimension: 'engagement', label: 'event participation' },
  { id: 'referrals_all', dimension: 'social', label: 'referrals' },
  { id: 'referred_buyers_all', dimension: 'social', label: 'referred buyers' },
  { id: 'shares_all', dimension: 'social', label: 'shares' },
  { id: 'reviews_all', dimension: 'social', label: 'reviews' },
  { id: 'tenure_days', dimension: 'loyalty', label: 'tenure' },
  { id: 'competitor_resistance', dimension: 'loyalty', label: 'resistance to competitors' },
  { id: 'feedback_all', dimension: 'loyalty', label: 'feedback participation' },
  { id: 'support_satisfaction', dimension: 'loyalty', label: 'satisfaction with resolved issues' },
] as const satisfies readonly { id: string; dimension: Dimension; label: string }[];
export type MeasureId = (typeof MEASURES)[number]['id'];

export type MeasureStatus = 'ok' | 'no_data' | 'no_variation';

export interface SuperUserContext {
  /** Quantile grid of each sub-measure over customers with events (null when left out). */
  measures: Record<MeasureId, { dimension: Dimension; status: MeasureStatus; grid: number[] | null }>;
  leftOutMeasures: MeasureId[];
  /** Dimensions without an active sub-measure for the config the context was built with (see `leftOutDimensions`). */
  leftOutDimensions: Dimension[];
}

/** The derived loyalty sub-measure (see the module comment). */
export function competitorResistance(purchaseDays: number, meanGapDays: number, recencyDays: number): number {
  if (!(purchaseDays >= 2) || !Number.isFinite(meanGapDays) || !Number.isFinite(recencyDays)) return 0;
  if (recencyDays <= meanGapDays) return 1;
  return meanGapDays / recencyDays;
}

const measureColumnsByFrame = new WeakMap<FeatureFrame, Float64Array[]>();

/**
 * The value columns of the 16 sub-measures, in MEASURES order (competitor_resistance computed),
 * kept with the frame (frames are not changed once built): scoring one row of the service's scored
 * base must not recompute a column for every customer.
 */
export function measureColumns(frame: FeatureFrame): Float64Array[] {
  let columns = measureColumnsByFrame.get(frame);
  if (!columns) {
    columns = computeMeasureColumns(frame);
    measureColumnsByFrame.set(frame, columns);
  }
  return columns;
}

function computeMeasureColumns(frame: FeatureFrame): Float64Array[] {
  return MEASURES.map((m) => {
    if (m.id !== 'competitor_resistance') return numericColumn(frame, m.id);
    const days = numericColumn(frame, 'purchase_days_all');
    const gap = numericColumn(frame, 'mean_gap_days');
    const recency = numericColumn(frame, 'recency_days');
    const out = new Float64Array(frame.n);
    for (let i = 0; i < frame.n; i++) out[i] = competitorResistance(days[i]!, gap[i]!, recency[i]!);
    return out;
  });
}

export function superUserContext(frame: FeatureFrame, config: ScoringConfig): SuperUserContext {
  return runSteps(superUserContextSteps(frame, config));
}

/** superUserContext with a step per sub-measure (one sort of the base each; util/steps.ts). */
export function* superUserContextSteps(frame: FeatureFrame, config: ScoringConfig): Steps<SuperUserContext> {
  const mask = eventMask(frame);
  const columns = measureColumns(frame);
  const measures = {} as SuperUserContext['measures'];
  const leftOutMeasures: MeasureId[] = [];
  for (const [k, m] of MEASURES.entries()) {
    const sorted = sortedFinite(columns[k]!, mask);
    let status: MeasureStatus = 'ok';
    if (sorted.length === 0 || (sorted[0] === 0 && sorted[sorted.length - 1] === 0)) status = 'no_data';
    else if (sorted[0] === sorted[sorted.length - 1]) status = 'no_variation';
    measures[m.id] = { dimension: m.dimension, status, grid: status === 'ok' ? quantileGrid(sorted, config.quantileGridPoints) : null };
    if (status !== 'ok') leftOutMeasures.push(m.id);
    yield;
  }
  return { measures, leftOutMeasures, leftOutDimensions: leftOutDimensions(measures, config) };
}

export interface SuperUserResult {
  score: number;
  /** Points per dimension, summing to the score; null for a dimension left out or skipped. */
  contributions: Record<Dimension, number | null>;
  /** The customer's 0–100 standing on each dimension before weighting (weighted mean of its sub-measure ranks); null as above. */
  dimensions: Record<Dimension, number | null>;
  left_out: Dimension[];
  left_out_measures: MeasureId[];
  skipped: string[];
}

/** Shared by every customer with nothing skipped (frozen: never mutate a score's lists). */
const EMPTY = Object.freeze([]) as unknown as string[];

/** Config weights and context grids resolved once per scoring run. */
export interface SuperUserScorer {
  /**
   * Active sub-measures: index into MEASURES, dimension index, weight, grid, and a memo of the
   * percentile rank of small non-negative integers (most sub-measures are counts or days), filled on
   * first use — the same function of the grid, only not recomputed for every customer.
   */
  active: { k: number; d: number; weight: number; grid: number[]; memo: Float64Array }[];
  dimWeights: number[];
  /** Per dimension: left out for the whole base. */
  dimLeftOut: boolean[];
  /** Shared (frozen) by every score of the run. */
  leftOut: Dimension[];
  leftOutMeasures: MeasureId[];
}

/** Scorers already resolved, per context and config: scoring one customer reuses its memos instead of 4096-long fresh ones per measure. */
const SCORERS = new WeakMap<SuperUserContext, WeakMap<ScoringConfig, SuperUserScorer>>();

export function superUserScorer(ctx: SuperUserContext, config: ScoringConfig): SuperUserScorer {
  let byConfig = SCORERS.get(ctx);
  if (!byConfig) SCORERS.set(ctx, (byConfig = new WeakMap()));
  let scorer = byConfig.get(config);
  if (!scorer) byConfig.set(config, (scorer = buildSuperUserScorer(ctx, config)));
  return scorer;
}

/** The weight config gives sub-measure m (0 when unset). */
const measureWeight = (config: ScoringConfig, m: (typeof MEASURES)[number]): number =>
  (config.superUser.measureWeights[m.dimension] as Record<string, number>)[m.id] ?? 0;

/**
 * Dimensions left out for the whole base: those without an active sub-measure, i.e. none that has
 * data in the base (status 'ok') and a weight > 0 in `config`.
 */
export function leftOutDimensions(measures: SuperUserContext['measures'], config: ScoringConfig): Dimension[] {
  return DIMENSIONS.filter((d) => !MEASURES.some((m) => m.dimension === d && measures[m.id].status === 'ok' && measureWeight(config, m) > 0));
}

function buildSuperUserScorer(ctx: SuperUserContext, config: ScoringConfig): SuperUserScorer {
  const { dimensionWeights } = config.superUser;
  const active: SuperUserScorer['active'] = [];
  MEASURES.forEach((m, k) => {
    const mc = ctx.measures[m.id];
    const w = measureWeight(config, m);
    if (mc.status === 'ok' && mc.grid !== null && w > 0) {
      active.push({ k, d: DIMENSIONS.indexOf(m.dimension), weight: w, grid: mc.grid, memo: new Float64Array(MEMO_SIZE).fill(Number.NaN) });
    }
  });
  // From the active sub-measures of this config (the context may have been built with other weights).
  const dimLeftOut = DIMENSIONS.map((_, d) => !active.some((a) => a.d === d));
  const leftOut = DIMENSIONS.filter((_, d) => dimLeftOut[d]);
  return {
    active,
    dimWeights: DIMENSIONS.map((d, j) => (dimLeftOut[j] ? 0 : dimensionWeights[d])),
    dimLeftOut,
    leftOut: Object.freeze(leftOut) as Dimension[],
    leftOutMeasures: Object.freeze([...ctx.leftOutMeasures]) as MeasureId[],
  };
}

const MEMO_SIZE = 4096;

/** percentileRank(a.grid, v, 'anchored'), memoised for integers 0 ≤ v < MEMO_SIZE. */
function rankOf(a: SuperUserScorer['active'][number], v: number): number {
  if (v >= 0 && v < MEMO_SIZE && Math.floor(v) === v) {
    let p = a.memo[v]!;
    if (Number.isNaN(p)) p = a.memo[v] = percentileRank(a.grid, v, 'anchored');
    return p;
  }
  return percentileRank(a.grid, v, 'anchored');
}

const pointAt = (scratch: Float64Array, k: number): number | null => (Number.isNaN(scratch[k]!) ? null : scratch[k]!);

/**
 * Customer i's score from the sub-measure columns (`measureColumns`, MEASURES order, NaN = empty).
 * `scratch` (8 numbers) avoids an allocation per customer in batch use.
 */
export function scoreSuperUser(
  eventsAll: number,
  columns: readonly ArrayLike<number>[],
  i: number,
  s: SuperUserScorer,
  scratch: Float64Array = new Float64Array(8),
): SuperUserResult | null {
  if (!hasEvents(eventsAll)) return null;
  scratch.fill(0);
  let skipped: string[] | null = null;
  for (const a of s.active) {
    const v = columns[a.k]![i]!;
    if (Number.isNaN(v)) {
      (skipped ??= []).push(MEASURES[a.k]!.id);
      continue;
    }
    scratch[a.d] = scratch[a.d]! + a.weight;
    scratch[4 + a.d] = scratch[4 + a.d]! + a.weight * rankOf(a, v);
  }
  let total = 0;
  for (let d = 0; d < 4; d++) if (scratch[d]! > 0) total += s.dimWeights[d]!;
  if (!(total > 0)) return null;
  // Standing per dimension into scratch[0..3], points into scratch[4..7] (NaN = none), summed in DIMENSIONS order.
  let score = 0;
  for (let d = 0; d < 4; d++) {
    if (s.dimLeftOut[d] || !(scratch[d]! > 0)) {
      if (!s.dimLeftOut[d] && s.dimWeights[d]! > 0) (skipped ??= []).push(DIMENSIONS[d]!);
      scratch[d] = scratch[4 + d] = Number.NaN;
      continue;
    }
    const standing = scratch[4 + d]! / scratch[d]!;
    const points = (100 * s.dimWeights[d]! * standing) / total;
    scratch[d] = Math.min(100, 100 * standing);
    scratch[4 + d] = points;
    score += points;
  }
  if (score > 100) score = 100; // floating-point dust only: each dimension is at most its share of 100
  return {
    score,
    contributions: { consumption: pointAt(scratch, 4), engagement: pointAt(scratch, 5), social: pointAt(scratch, 6), loyalty: pointAt(scratch, 7) },
    dimensions: { consumption: pointAt(scratch, 0), engagement: pointAt(scratch, 1), social: pointAt(scratch, 2), loyalty: pointAt(scratch, 3) },
    left_out: s.leftOut,
    left_out_measures: s.leftOutMeasures,
    skipped: skipped ?? EMPTY,
  };
}

/** The base-level part of the reason, the same for every customer of a run (cached by list identity). */
let leftOutCache: { dims: Dimension[]; measures: MeasureId[]; text: string } | null = null;
function leftOutText(res: SuperUserResult): string {
  if (leftOutCache?.dims === res.left_out && leftOutCache.measures === res.left_out_measures) return leftOutCache.text;
  let text = '';
  // A dimension whose every sub-measure is left out has no data; otherwise its sub-measures with data all weigh 0.
  const noData = res.left_out.filter((d) => MEASURES.every((m) => m.dimension !== d || res.left_out_measures.includes(m.id)));
  const unweighted = res.left_out.filter((d) => !noData.includes(d));
  if (noData.length) text += `; left out (no data in this business): ${noData.join(', ')}`;
  if (unweighted.length) text += `; left out (its sub-measures with data all have weight 0): ${unweighted.join(', ')}`;
  if (res.left_out_measures.length) text += `; sub-measures left out: ${res.left_out_measures.join(', ')}`;
  leftOutCache = { dims: res.left_out, measures: res.left_out_measures, text };
  return text;
}

export function superUserReason(res: SuperUserResult | null, eventsAll: number): string {
  if (res === null) return hasEvents(eventsAll) ? 'no sub-measure with data: no super-user score' : 'no events: no super-user score';
  let parts = '';
  for (const d of DIMENSIONS) {
    const points = res.contributions[d];
    if (points !== null) parts += (parts ? ' + ' : '') + d + ' ' + fmt(points);
  }
  let text = fmt(res.score) + '/100 = ' + parts + leftOutText(res);
  if (res.skipped.length) text += `; skipped (no value for this customer): ${res.skipped.join(', ')}`;
  return text;
}
