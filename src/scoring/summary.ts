import type { FeatureFrame } from '../features/frame.js';
import { numericColumn } from './columns.js';
import type { ScoringContext } from './context.js';
import { summarizeFunnel, summarizeHourglass } from './funnel.js';
import { LIFECYCLE_SEGMENTS } from './lifecycle.js';
import { POTENTIAL_STRATEGY, POTENTIAL_TIERS } from './potential-tier.js';
import { quantileOfSorted } from './quantiles.js';
import { RFM_SEGMENTS } from './rfm.js';
import type { BaseSummary, CustomerScore } from './schema.js';
import { VALUE_TIERS, type ValueTier } from './value-tier.js';
import { runSteps, type Steps } from '../util/steps.js';

export type GroupShare = { count: number; share: number | null };
export type Distribution<K extends string> = { scored: number; empty: number; groups: Record<K, GroupShare> };

class Counter<K extends string> {
  readonly counts = new Map<K, number>();
  scored = 0;
  total = 0;
  constructor(readonly keys: readonly K[]) {
    for (const k of keys) this.counts.set(k, 0);
  }
  add(v: K | null) {
    this.total++;
    if (v === null) return;
    this.scored++;
    this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
  }
  result(): Distribution<K> {
    const groups = {} as Record<K, GroupShare>;
    for (const k of this.keys) {
      const count = this.counts.get(k)!;
      groups[k] = { count, share: this.scored > 0 ? count / this.scored : null };
    }
    return { scored: this.scored, empty: this.total - this.scored, groups };
  }
}

/** Base-level figures from a scored frame: shares of segments and tiers, funnel, hourglass, Pareto. */
export function summarize(scores: readonly CustomerScore[], frame: FeatureFrame, context: ScoringContext): BaseSummary {
  return runSteps(summarizeSteps(scores, frame, context));
}

/** Customers counted per step of summarizeSteps (≈10 ms here). */
const SUMMARY_ROWS_PER_STEP = 25_000;

/** summarize in steps of a block of customers (util/steps.ts), for a service rescoring while it answers. */
export function* summarizeSteps(scores: readonly CustomerScore[], frame: FeatureFrame, context: ScoringContext): Steps<BaseSummary> {
  if (scores.length !== frame.n) throw new Error(`summarize: ${scores.length} scores for ${frame.n} customers`);
  const rfmC = new Counter(RFM_SEGMENTS);
  const lifecycleC = new Counter(LIFECYCLE_SEGMENTS);
  const tierC = new Counter(VALUE_TIERS);
  const potentialC = new Counter(POTENTIAL_TIERS);
  const basisColumn = numericColumn(frame, context.valueTier.feature);
  const tierValue: Record<ValueTier, number> = { diamond: 0, gold: 0, general: 0 };
  let totalValue = 0;
  const superUser = new Float64Array(scores.length);
  let scoredSu = 0;
  let sum = 0;
  const tags: Record<string, number> = {};
  const stages = new Array<CustomerScore['funnel_stage']>(scores.length);
  for (let i = 0; i < scores.length; i++) {
    if (i > 0 && i % SUMMARY_ROWS_PER_STEP === 0) yield;
    const s = scores[i]!;
    rfmC.add(s.rfm_segment);
    lifecycleC.add(s.lifecycle_segment);
    tierC.add(s.value_tier);
    potentialC.add(s.potential_tier);
    const v = basisColumn[i]!;
    if (s.value_tier !== null && v > 0) {
      tierValue[s.value_tier] += v;
      totalValue += v;
    }
    if (s.super_user_score !== null) {
      superUser[scoredSu++] = s.super_user_score;
      sum += s.super_user_score;
    }
    for (const t of s.tags) tags[t.id] = (tags[t.id] ?? 0) + 1;
    stages[i] = s.funnel_stage;
  }
  const tiers = tierC.result();
  const valueGroups = {} as BaseSummary['value_tiers']['groups'];
  for (const t of VALUE_TIERS) valueGroups[t] = { ...tiers.groups[t], value: tierValue[t], value_share: totalValue > 0 ? tierValue[t] / totalValue : null };
  const potential = potentialC.result();
  const potentialGroups = {} as BaseSummary['potential_tiers']['groups'];
  for (const t of POTENTIAL_TIERS) potentialGroups[t] = { ...potential.groups[t], strategy: POTENTIAL_STRATEGY[t] };
  const su = superUser.subarray(0, scoredSu).sort();
  const q = (p: number) => (su.length ? quantileOfSorted(su, p) : null);
  yield;
  const funnel = summarizeFunnel(stages);
  const hourglass = summarizeHourglass(stages, frame);

  const p = context.pareto;
  const g = context.typicalGap;
  return {
    as_of: context.asOf,
    customers: frame.n,
    customers_with_events: context.customersWithEvents,
    purchasers: context.rfm.purchasers,
    rfm_segments: rfmC.result(),
    lifecycle_segments: lifecycleC.result(),
    value_tiers: { scored: tiers.scored, empty: tiers.empty, groups: valueGroups, basis: context.valueTier.basis },
    potential_tiers: { scored: potential.scored, empty: potential.empty, groups: potentialGroups },
    super_user_score: {
      scored: su.length,
      mean: su.length ? sum / su.length : null,
      p25: q(0.25),
      p50: q(0.5),
      p75: q(0.75),
      p90: q(0.9),
      left_out: context.superUser.leftOutDimensions,
      left_out_measures: context.superUser.leftOutMeasures,
    },
    funnel,
    hourglass,
    pareto: {
      customers_with_revenue: p.customersWithRevenue,
      total_revenue: p.totalRevenue,
      top_customer_share: p.topCustomerShare,
      top_customers: p.topCustomers,
      top_cutoff: p.topCutoff,
      top_revenue_share: p.topRevenueShare,
      revenue_share: p.revenueShare,
      customers_for_revenue_share: p.customersForRevenueShare,
      customer_share_for_revenue_share: p.customerShareForRevenueShare,
    },
    typical_gap: { days: g.days, source: g.source, repeat_customers: g.repeatCustomers },
    tags,
  };
}
