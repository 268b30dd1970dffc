import type { ScoringConfig } from '../config/scoring.js';
import type { FeatureFrame } from '../features/frame.js';
import { hasPurchase, numericColumn } from './columns.js';
import { band, fmt, plural } from './explain.js';
import { quantileOfSorted, sortedFinite } from './quantiles.js';

/**
 * Lifecycle stages of seed 003 — new, core, dozing, half asleep, sleeping — from recency and
 * frequency, measured in the business's own purchase rhythm so that one rule fits a grocery
 * (weekly) and a car dealer (years) alike.
 *
 * G, the typical purchase gap, is the median of `mean_gap_days` over repeat customers (two or more
 * purchase days). With fewer than `minRepeatCustomers` of them, `fallbackGapDays` is used.
 *
 * For a customer with at least one purchase (k = config multiples; defaults from the NES model):
 * 1. new          first purchase ≤ newWithin·G ago (1·G) and ≤ newMaxPurchaseDays purchase days (1)
 * 2. core         last purchase ≤ core·G ago (1·G)
 * 3. dozing       last purchase ≤ dozing·G ago (2·G)
 * 4. half_asleep  last purchase ≤ halfAsleep·G ago (3·G)
 * 5. sleeping     longer ago
 * The first that holds wins. Empty (null) for a customer without purchases.
 */

export const LIFECYCLE_SEGMENTS = ['new', 'core', 'dozing', 'half_asleep', 'sleeping'] as const;
export type LifecycleSegment = (typeof LIFECYCLE_SEGMENTS)[number];

export interface TypicalGap {
  days: number;
  source: 'median_of_repeat_customers' | 'config_fallback';
  /** Repeat customers (with a mean gap) in the base. */
  repeatCustomers: number;
}

export function typicalGap(frame: FeatureFrame, config: ScoringConfig): TypicalGap {
  const gaps = sortedFinite(numericColumn(frame, 'mean_gap_days'));
  const { minRepeatCustomers, fallbackGapDays } = config.lifecycle;
  if (gaps.length < minRepeatCustomers || !(quantileOfSorted(gaps, 0.5) > 0)) {
    return { days: fallbackGapDays, source: 'config_fallback', repeatCustomers: gaps.length };
  }
  return { days: quantileOfSorted(gaps, 0.5), source: 'median_of_repeat_customers', repeatCustomers: gaps.length };
}

export function lifecycleSegment(
  purchasesAll: number,
  recencyDays: number,
  daysSinceFirstPurchase: number,
  purchaseDays: number,
  gap: number,
  cfg: ScoringConfig['lifecycle'],
): LifecycleSegment | null {
  if (!hasPurchase(purchasesAll) || !Number.isFinite(recencyDays)) return null;
  if (daysSinceFirstPurchase <= cfg.newWithin * gap && purchaseDays <= cfg.newMaxPurchaseDays) return 'new';
  if (recencyDays <= cfg.core * gap) return 'core';
  if (recencyDays <= cfg.dozing * gap) return 'dozing';
  if (recencyDays <= cfg.halfAsleep * gap) return 'half_asleep';
  return 'sleeping';
}

export function lifecycleReason(
  segment: LifecycleSegment | null,
  recencyDays: number,
  daysSinceFirstPurchase: number,
  purchaseDays: number,
  gap: TypicalGap,
  cfg: ScoringConfig['lifecycle'],
): string {
  if (segment === null) return 'no purchases: no lifecycle stage';
  const g =
    gap.source === 'config_fallback'
      ? `the configured ${fmt(gap.days)}-day gap (too few repeat customers to measure one)`
      : `the typical ${fmt(gap.days)}-day gap`;
  const since = plural(recencyDays, 'day');
  switch (segment) {
    case 'new':
      return `new: first purchase ${plural(daysSinceFirstPurchase, 'day')} ago, within ${fmt(cfg.newWithin)}× ${g}, ${plural(purchaseDays, 'purchase day')}`;
    case 'core':
      return `core: last purchase ${since} ago, within ${fmt(cfg.core)}× ${g}`;
    case 'dozing':
      return `dozing: ${since} since last purchase, ${band(cfg.core, cfg.dozing)} ${g}`;
    case 'half_asleep':
      return `half_asleep: ${since} since last purchase, ${band(cfg.dozing, cfg.halfAsleep)} ${g}`;
    case 'sleeping':
      return `sleeping: ${since} since last purchase, beyond ${fmt(cfg.halfAsleep)}× ${g}`;
  }
}
