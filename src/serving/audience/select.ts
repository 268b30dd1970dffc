import { LIFECYCLE_SEGMENTS, POTENTIAL_TIERS, RFM_SEGMENTS, VALUE_TIERS } from '../../scoring/index.js';
import { CONSENT_BIT } from '../consents.js';
import type { AudienceBase } from './base.js';
import type { AudienceFilter } from './filter.js';
import { audienceOrder, keyOfRow, positionColumn, seek, tagMask, type SortKey } from './order.js';

// ---------------------------------------------------------------------------------------------
// Matching

/**
 * The filter compiled to a test of one position of the base's audience order (audienceOrder):
 * each condition given reads one typed array; a value the customer does not have (NaN, code 0)
 * never matches.
 */
export function compileFilter(base: AudienceBase, filter: AudienceFilter): (position: number) => boolean {
  const order = audienceOrder(base);
  const checks: ((p: number) => boolean)[] = [];
  const codes = (list: readonly string[], wanted: readonly string[], offset: number) => {
    const ok = new Uint8Array(list.length + 1);
    for (const w of wanted) ok[list.indexOf(w) + offset] = 1;
    return ok;
  };
  if (filter.tiers.length < POTENTIAL_TIERS.length) {
    const ok = codes(POTENTIAL_TIERS, filter.tiers, 0);
    const tier = order.tier;
    checks.push((p) => ok[tier[p]!] === 1);
  }
  const atLeast = (values: Float64Array, min: number | undefined) => {
    if (min !== undefined) checks.push((p) => values[p]! >= min); // NaN fails
  };
  atLeast(order.index, filter.min_potential_index);
  atLeast(order.superUser, filter.min_super_user_score);
  const range = (name: string, min: number | undefined, max: number | undefined) => {
    if (min === undefined && max === undefined) return;
    const values = positionColumn(base, order, name);
    if (!values) return checks.push(() => false); // no model: nobody has a value
    const lo = min ?? -Infinity;
    const hi = max ?? Infinity;
    checks.push((p) => {
      const v = values[p]!;
      return v >= lo && v <= hi; // NaN (empty) fails both
    });
  };
  range('purchase_probability', filter.min_purchase_probability, filter.max_purchase_probability);
  range('churn_probability', filter.min_churn_probability, filter.max_churn_probability);
  range('predicted_clv', filter.min_predicted_clv, undefined);
  const inList = (values: Uint8Array, list: readonly string[], wanted: readonly string[] | undefined) => {
    if (!wanted) return;
    const ok = codes(list, wanted, 1); // code 0 (empty) stays 0
    checks.push((p) => ok[values[p]!] === 1);
  };
  inList(order.lifecycle, LIFECYCLE_SEGMENTS, filter.lifecycle_segments);
  inList(order.value, VALUE_TIERS, filter.value_tiers);
  inList(order.rfm, RFM_SEGMENTS, filter.rfm_segments);
  if (filter.consent) {
    const mask = filter.consent.reduce((m, c) => m | CONSENT_BIT[c], 0);
    const bits = order.consents;
    checks.push((p) => (bits[p]! & mask) === mask);
  }
  if (filter.tags) {
    const has = tagMask(base, order, filter.tags);
    checks.push((p) => has[p] === 1);
  }
  if (filter.exclude_tags) {
    const banned = tagMask(base, order, filter.exclude_tags);
    checks.push((p) => banned[p] === 0);
  }
  const n = checks.length;
  if (n === 0) return () => true;
  if (n === 1) return checks[0]!;
  return (p) => {
    for (let k = 0; k < n; k++) if (!checks[k]!(p)) return false;
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Selection

export interface AudienceSelection {
  /** Customers matching the filter in the whole base (before the cursor as well). */
  total: number;
  /** The first position of the order to look at (after the cursor). */
  start: number;
  /** Matching rows selected from `start` on (at most the limit). */
  count: number;
  /** The selected rows (only when asked to collect them: JSON pages). */
  rows: number[];
  /** Cursor key of the last selected row when more matching rows follow; null at the end. */
  next: SortKey | null;
}

/** Matching counts per base and filter, so paging through a large audience does not rescan the base for each page. */
const totals = new WeakMap<object, Map<string, number>>();
const TOTALS_PER_BASE = 64;

/**
 * Counts every match (total) and selects up to `limit` matches after the cursor (collecting their
 * rows when `collect`). The first request for a filter scans the whole order (O(base), a cheap test
 * per row) and remembers the total for that base; later pages scan only from the cursor until one
 * match past the page.
 */
export function selectAudience(
  base: AudienceBase,
  filter: AudienceFilter,
  options: { after?: SortKey | undefined; limit?: number | undefined; collect?: boolean },
): AudienceSelection {
  const order = audienceOrder(base);
  const match = compileFilter(base, filter);
  const start = seek(base, order, options.after);
  const limit = options.limit ?? Infinity;
  const rows: number[] = [];
  const collect = options.collect ?? false;
  let known = totals.get(base);
  const key = JSON.stringify(filter);
  const cached = known?.get(key);
  let total = 0;
  let count = 0;
  let last = -1;
  let more = false;
  const { rows: sorted } = order;
  for (let p = cached === undefined ? 0 : start; p < sorted.length; p++) {
    if (!match(p)) continue;
    total++;
    if (p < start) continue;
    const row = sorted[p]!;
    if (count < limit) {
      count++;
      last = row;
      if (collect) rows.push(row);
    } else {
      more = true;
      if (cached !== undefined) break;
    }
  }
  if (cached === undefined) {
    if (!known) totals.set(base, (known = new Map()));
    if (known.size >= TOTALS_PER_BASE) known.delete(known.keys().next().value!);
    known.set(key, total);
  }
  return { total: cached ?? total, start, count, rows, next: more && last >= 0 ? keyOfRow(base, last) : null };
}
