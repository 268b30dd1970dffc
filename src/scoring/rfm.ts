import type { FeatureFrame } from '../features/frame.js';
import { hasPurchase, numericColumn } from './columns.js';
import { fmt, plural } from './explain.js';

/**
 * RFM quintile scores.
 *
 * - R from `recency_days` (fewer days = better), F from `purchase_days_all`, M from `revenue_all`
 *   (net of refunds, so it can be negative).
 * - The base is every customer with at least one purchase. Its 20/40/60/80% breakpoints are actual
 *   values of the base: b_k = x[⌈k·m/5⌉ − 1] of the m ascending values (the lower empirical quantile).
 * - A value falls in one of five right-closed bins on the value axis: (−∞, b1], (b1, b2], (b2, b3],
 *   (b3, b4], (b4, ∞). F and M = the bin number (1–5); R = 6 − bin number. The score is a function
 *   of the value alone, so equal values always get the same score and a single customer is scored
 *   exactly as in the batch. A group of equal values straddling a breakpoint lands in one bin: for F
 *   and M the lower score (e.g. all one-time buyers get F=1), for R the fresher one (the same
 *   convention as right-closed `qcut` bins with R labels reversed). Because of ties a score can
 *   hold more or less than 20% of the base, and some scores can stay unused.
 *   The reasons therefore name the band ("frequency band 1 of 5: lowest"), never a share of the base.
 * - `rfm_score` is the three digits, e.g. "545"; empty for a customer without purchases.
 *
 * Named segments use the common R × FM grid, FM = (F + M) / 2 rounded half up:
 *
 * | R \ FM | 1              | 2                  | 3                  | 4                | 5                |
 * |--------|----------------|--------------------|--------------------|------------------|------------------|
 * | 5      | new_customers  | potential_loyalist | potential_loyalist | champions        | champions        |
 * | 4      | promising      | potential_loyalist | potential_loyalist | loyal            | champions        |
 * | 3      | about_to_sleep | about_to_sleep     | need_attention     | loyal            | loyal            |
 * | 2      | hibernating    | hibernating        | at_risk            | at_risk          | cannot_lose_them |
 * | 1      | lost           | lost               | at_risk            | cannot_lose_them | cannot_lose_them |
 */

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new_customers',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cannot_lose_them',
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/** SEGMENT_GRID[R − 1][FM − 1], the table above. */
const SEGMENT_GRID: readonly (readonly RfmSegment[])[] = [
  ['lost', 'lost', 'at_risk', 'cannot_lose_them', 'cannot_lose_them'],
  ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cannot_lose_them'],
  ['about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal', 'loyal'],
  ['promising', 'potential_loyalist', 'potential_loyalist', 'loyal', 'champions'],
  ['new_customers', 'potential_loyalist', 'potential_loyalist', 'champions', 'champions'],
];

export const RFM_SEGMENT_MEANING: Record<RfmSegment, string> = {
  champions: 'bought recently, buy often and spend the most',
  loyal: 'buy regularly and spend well',
  potential_loyalist: 'recent customers with some frequency and spend',
  new_customers: 'bought very recently, little history yet',
  promising: 'recent buyers with little frequency or spend',
  need_attention: 'middling recency, frequency and spend',
  about_to_sleep: 'below-average recency with little frequency or spend',
  at_risk: 'bought often or spent well, but not for a while',
  cannot_lose_them: 'were among the best customers, but have not bought for a long time',
  hibernating: 'long since the last purchase, little frequency or spend',
  lost: 'the longest since the last purchase, the least frequency and spend',
};

/** Breakpoints b1..b4 (ascending values) of each measure; null when no customer has bought. */
export interface RfmContext {
  purchasers: number;
  recency: number[] | null;
  frequency: number[] | null;
  monetary: number[] | null;
}

/** b_k = x[⌈k·m/5⌉ − 1], k = 1..4, of ascending `sorted`; null when empty. */
export function quintileBreakpoints(sorted: ArrayLike<number>): number[] | null {
  const m = sorted.length;
  if (m === 0) return null;
  return [1, 2, 3, 4].map((k) => sorted[Math.ceil((k * m) / 5) - 1]!);
}

/** The right-closed bin 1–5 of v among breakpoints b1..b4. */
export function quintileBin(v: number, breakpoints: readonly number[]): number {
  let bin = 1;
  for (let k = 0; k < 4; k++) if (v > breakpoints[k]!) bin++;
  return bin;
}

export function rfmContext(frame: FeatureFrame): RfmContext {
  const purchases = numericColumn(frame, 'purchases_all');
  const recency = numericColumn(frame, 'recency_days');
  const frequency = numericColumn(frame, 'purchase_days_all');
  const monetary = numericColumn(frame, 'revenue_all');
  const r = new Float64Array(frame.n);
  const f = new Float64Array(frame.n);
  const m = new Float64Array(frame.n);
  let count = 0;
  for (let i = 0; i < frame.n; i++) {
    if (!hasPurchase(purchases[i]!)) continue;
    const rv = recency[i]!;
    const fv = frequency[i]!;
    const mv = monetary[i]!;
    if (!Number.isFinite(rv) || !Number.isFinite(fv) || !Number.isFinite(mv)) continue;
    r[count] = rv;
    f[count] = fv;
    m[count] = mv;
    count++;
  }
  return {
    purchasers: count,
    recency: quintileBreakpoints(r.subarray(0, count).sort()),
    frequency: quintileBreakpoints(f.subarray(0, count).sort()),
    monetary: quintileBreakpoints(m.subarray(0, count).sort()),
  };
}

export interface RfmResult {
  r: number;
  f: number;
  m: number;
  /** e.g. "545" */
  score: string;
  segment: RfmSegment;
}

/** FM = (F + M) / 2 rounded half up. */
export const fmOf = (f: number, m: number): number => Math.floor((f + m) / 2 + 0.5);

export function rfmSegment(r: number, f: number, m: number): RfmSegment {
  return SEGMENT_GRID[r - 1]![fmOf(f, m) - 1]!;
}

/** The 125 possible results, shared (frozen) so that scoring allocates nothing for RFM. */
const RESULTS: RfmResult[] = [];
for (let r = 1; r <= 5; r++) {
  for (let f = 1; f <= 5; f++) {
    for (let m = 1; m <= 5; m++) RESULTS.push(Object.freeze({ r, f, m, score: `${r}${f}${m}`, segment: rfmSegment(r, f, m) }));
  }
}

/** One customer's RFM; null without a purchase (or without breakpoints). */
export function scoreRfm(
  purchasesAll: number,
  recencyDays: number,
  purchaseDays: number,
  revenueAll: number,
  ctx: RfmContext,
): RfmResult | null {
  if (!hasPurchase(purchasesAll) || ctx.recency === null || ctx.frequency === null || ctx.monetary === null) return null;
  if (!Number.isFinite(recencyDays) || !Number.isFinite(purchaseDays) || !Number.isFinite(revenueAll)) return null;
  const r = 6 - quintileBin(recencyDays, ctx.recency);
  const f = quintileBin(purchaseDays, ctx.frequency);
  const m = quintileBin(revenueAll, ctx.monetary);
  return RESULTS[(r - 1) * 25 + (f - 1) * 5 + (m - 1)]!;
}

/**
 * The band as the reason states it: its number and, at the ends, which end. No share of the base:
 * with ties a band can hold far more or less than 20% (six of ten one-time buyers all have F=1).
 */
const band = (what: string, score: number, low: string, high: string): string =>
  `${what} band ${score} of 5${score === 5 ? `: ${high}` : score === 1 ? `: ${low}` : ''}`;

/** "R=5: last purchase 3 days ago (recency band 5 of 5: most recent); F=…; M=…" */
export function rfmReason(res: RfmResult | null, recencyDays: number, purchaseDays: number, revenueAll: number): string {
  if (res === null) return 'no purchases: RFM cannot be computed';
  return (
    `R=${res.r}: last purchase ${plural(recencyDays, 'day')} ago (${band('recency', res.r, 'least recent', 'most recent')}); ` +
    `F=${res.f}: ${plural(purchaseDays, 'purchase day')} (${band('frequency', res.f, 'lowest', 'highest')}); ` +
    `M=${res.m}: net revenue ${fmt(revenueAll)} (${band('spend', res.m, 'lowest', 'highest')})`
  );
}

export function rfmSegmentReason(res: RfmResult | null): string {
  if (res === null) return 'no purchases: no RFM segment';
  return `${res.segment}: R=${res.r}, FM=(${res.f}+${res.m})/2→${fmOf(res.f, res.m)}: ${RFM_SEGMENT_MEANING[res.segment]}`;
}
