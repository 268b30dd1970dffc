import type { ScoringConfig } from '../config/scoring.js';
import type { FeatureFrame } from '../features/frame.js';
import { hasEvents, numericColumn } from './columns.js';
import { fmt, pct } from './explain.js';

/**
 * Value tiers of seed 003 — diamond, gold, general — by contribution to trailing-12-month value:
 * `revenue_365` (net of refunds), or `margin_365` when config `valueTier.basis` = 'margin'.
 *
 * Customers with a positive contribution are sorted by it, largest first, and walked down while
 * keeping the running total of those before each one. A customer is diamond while that running total
 * is below diamondShare (50%) of the positive total — so the customer who crosses the line is
 * included and there is always at least one diamond —, gold while it is below goldShare (80%), and
 * general after that ("below" with a relative tolerance, SHARE_REL_TOLERANCE, so floating-point
 * error in the sums cannot move a cutoff past a customer who reaches a share exactly). Anyone with ≤ 0 is general. The context keeps the smallest contribution of each
 * tier as its cutoff, and a customer is tiered by comparing with the cutoffs alone (v ≥ diamond
 * cutoff → diamond, v ≥ gold cutoff → gold): one customer is tiered exactly as in the batch, and
 * equal contributions at a cutoff all land in the same (higher) tier.
 *
 * The Pareto figure of seed 000 is over trailing-12-month revenue (always revenue) of customers with
 * a positive one: the top ⌈20%·m⌉ customers (extended to everyone tied with the last of them) and
 * their revenue share, and the share of customers that together make 80% of revenue.
 */

export const VALUE_TIERS = ['diamond', 'gold', 'general'] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];

export interface ValueTierContext {
  basis: 'revenue' | 'margin';
  feature: 'revenue_365' | 'margin_365';
  /** Sum of the positive contributions. */
  total: number;
  customersWithValue: number;
  /** Smallest contribution that is diamond; null when nobody has a positive contribution. */
  diamondCutoff: number | null;
  goldCutoff: number | null;
  diamondShare: number;
  goldShare: number;
}

export interface ParetoFigure {
  feature: 'revenue_365';
  customersWithRevenue: number;
  totalRevenue: number;
  topCustomerShare: number;
  /** Customers in the top group (⌈topCustomerShare·m⌉, plus ties with the last of them). */
  topCustomers: number;
  /** Smallest revenue in the top group; a customer is in it when revenue_365 ≥ this. */
  topCutoff: number | null;
  /** Share of revenue the top group makes. */
  topRevenueShare: number | null;
  revenueShare: number;
  /** Fewest customers that together make `revenueShare` of revenue, and their share of the m. */
  customersForRevenueShare: number;
  customerShareForRevenueShare: number | null;
}

/** Positive finite values at rows with events, largest first. */
function positiveDescending(values: Float64Array, events: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (hasEvents(events[i]!) && v > 0 && Number.isFinite(v)) out[m++] = v;
  }
  return out.subarray(0, m).sort().reverse();
}

/**
 * Relative tolerance of "the running total is below share × total": sums of amounts in currency
 * units carry floating-point error (1.66 + 1.25 + 0.41 = 3.3200000000000003, so 1.66 falls short of
 * "50%" by 2e-16), and a running total within this fraction of the line counts as having reached it.
 * Far above that error (~1e-16 per addition), far below any real difference in a share.
 */
export const SHARE_REL_TOLERANCE = 1e-9;

/** The running total `before` is still below `share` of `total` (with SHARE_REL_TOLERANCE). */
const below = (before: number, share: number, total: number): boolean => before < share * total * (1 - SHARE_REL_TOLERANCE);

export function valueTierCutoffs(sortedDesc: ArrayLike<number>, diamondShare: number, goldShare: number) {
  let total = 0;
  for (let i = 0; i < sortedDesc.length; i++) total += sortedDesc[i]!;
  let diamondCutoff: number | null = null;
  let goldCutoff: number | null = null;
  let before = 0;
  for (let i = 0; i < sortedDesc.length; i++) {
    const v = sortedDesc[i]!;
    if (below(before, diamondShare, total)) diamondCutoff = v;
    if (below(before, goldShare, total)) goldCutoff = v;
    else break;
    before += v;
  }
  return { total, diamondCutoff, goldCutoff };
}

export function valueTierContext(frame: FeatureFrame, config: ScoringConfig): ValueTierContext {
  const { basis, diamondShare, goldShare } = config.valueTier;
  const feature = basis === 'margin' ? 'margin_365' : 'revenue_365';
  const sorted = positiveDescending(numericColumn(frame, feature), numericColumn(frame, 'events_all'));
  const { total, diamondCutoff, goldCutoff } = valueTierCutoffs(sorted, diamondShare, goldShare);
  return { basis, feature, total, customersWithValue: sorted.length, diamondCutoff, goldCutoff, diamondShare, goldShare };
}

export function paretoFigure(frame: FeatureFrame, config: ScoringConfig): ParetoFigure {
  const { topCustomerShare, revenueShare } = config.pareto;
  const sorted = positiveDescending(numericColumn(frame, 'revenue_365'), numericColumn(frame, 'events_all'));
  const m = sorted.length;
  let total = 0;
  for (let i = 0; i < m; i++) total += sorted[i]!;
  if (m === 0) {
    return {
      feature: 'revenue_365',
      customersWithRevenue: 0,
      totalRevenue: 0,
      topCustomerShare,
      topCustomers: 0,
      topCutoff: null,
      topRevenueShare: null,
      revenueShare,
      customersForRevenueShare: 0,
      customerShareForRevenueShare: null,
    };
  }
  const k = Math.max(1, Math.ceil(topCustomerShare * m - 1e-9));
  const topCutoff = sorted[k - 1]!;
  let top = 0;
  let topCustomers = 0;
  for (let i = 0; i < m && sorted[i]! >= topCutoff; i++) {
    top += sorted[i]!;
    topCustomers++;
  }
  let cum = 0;
  let needed = 0;
  while (needed < m && below(cum, revenueShare, total)) cum += sorted[needed++]!;
  return {
    feature: 'revenue_365',
    customersWithRevenue: m,
    totalRevenue: total,
    topCustomerShare,
    topCustomers,
    topCutoff,
    topRevenueShare: top / total,
    revenueShare,
    customersForRevenueShare: needed,
    customerShareForRevenueShare: needed / m,
  };
}

/** One customer's tier; null for a customer without events. */
export function valueTier(eventsAll: number, value: number, ctx: ValueTierContext): ValueTier | null {
  if (!hasEvents(eventsAll)) return null;
  if (!(value > 0)) return 'general';
  if (ctx.diamondCutoff !== null && value >= ctx.diamondCutoff) return 'diamond';
  if (ctx.goldCutoff !== null && value >= ctx.goldCutoff) return 'gold';
  return 'general';
}

export function valueTierReason(tier: ValueTier | null, value: number, ctx: ValueTierContext): string {
  if (tier === null) return 'no events: no value tier';
  const what = ctx.basis === 'margin' ? 'trailing-12-month margin' : 'trailing-12-month net revenue';
  if (!(value > 0)) return `general: no positive ${what}`;
  const head = `${tier}: ${what} ${fmt(value)}`;
  if (tier === 'diamond') return `${head}; the top customers making ${pct(ctx.diamondShare)} of it have ≥ ${fmt(ctx.diamondCutoff!)}`;
  if (tier === 'gold') return `${head}; the customers making ${pct(ctx.diamondShare)}–${pct(ctx.goldShare)} of it have ≥ ${fmt(ctx.goldCutoff!)}`;
  return ctx.goldCutoff === null ? head : `${head}; below the ${fmt(ctx.goldCutoff)} of the customers making the first ${pct(ctx.goldShare)}`;
}

export const isParetoTop = (eventsAll: number, revenue365: number, p: ParetoFigure): boolean =>
  hasEvents(eventsAll) && p.topCutoff !== null && revenue365 > 0 && revenue365 >= p.topCutoff;
