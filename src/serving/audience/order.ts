import { createHash } from 'node:crypto';
import { LIFECYCLE_SEGMENTS, POTENTIAL_TIERS, RFM_SEGMENTS, VALUE_TIERS } from '../../scoring/index.js';
import type { ScoredBase } from '../base-scores.js';
import { column, type AudienceBase } from './base.js';

// ---------------------------------------------------------------------------------------------
// Order and cursor

/** The sort key of a row: potential index (descending), then customer_id (ascending). */
export type SortKey = readonly [index: number, customerId: string];

/** < 0 when `a` comes first in the audience order. */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return b[0] - a[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

const baseTags = new WeakMap<object, string>();

/**
 * A tag of a base's audience order (every customer's potential index and id, in order), carried in
 * its cursors. After a rescoring that moved anyone's index, paging on from an old cursor would repeat
 * or skip customers, so such a cursor is refused; a rescoring that changed no one's place (the
 * periodic refresh of a quiet hour, or a restart) keeps the tag, and paging goes on.
 */
export function baseTag(base: Pick<AudienceBase, 'scores' | 'consents'>): string {
  let tag = baseTags.get(base);
  if (tag === undefined) {
    const order = audienceOrder(base);
    const hash = createHash('sha256').update(new Uint8Array(order.index.buffer, order.index.byteOffset, order.index.byteLength));
    const ids: string[] = new Array(order.rows.length);
    for (let p = 0; p < order.rows.length; p++) ids[p] = base.scores[order.rows[p]!]!.customer_id;
    tag = hash.update(ids.join('\n')).digest('base64url').slice(0, 16);
    baseTags.set(base, tag);
  }
  return tag;
}

/** A cursor: the sort key of the last row served and the tag of the base that served it. */
export function encodeCursor(key: SortKey, base: string): string {
  return Buffer.from(JSON.stringify([key[0], key[1], base]), 'utf8').toString('base64url');
}

/** The key and base tag inside a cursor, or undefined when the text is not one. */
export function decodeCursor(cursor: string): { after: SortKey; base: string } | undefined {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(cursor)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [index, id, base] = value as unknown[];
    if (typeof index !== 'number' || !Number.isFinite(index) || typeof id !== 'string' || id.length === 0) return undefined;
    if (typeof base !== 'string' || base.length === 0) return undefined;
    return { after: [index, id], base };
  } catch {
    return undefined;
  }
}

/**
 * A base's customers with a potential tier in audience order, with the fields the filters read laid
 * out by position in that order (small typed arrays read front to back, instead of a million score
 * objects in random order). Built once per base and cached with it.
 */
export interface AudienceOrder {
  /** Row numbers of the base, in audience order. */
  rows: Int32Array;
  /** Potential index by position. */
  index: Float64Array;
  /** Codes by position: potential tier (index in POTENTIAL_TIERS); segments and value tier 1 + index in their list, 0 = empty. */
  tier: Uint8Array;
  lifecycle: Uint8Array;
  value: Uint8Array;
  rfm: Uint8Array;
  /** Consent bits by position. */
  consents: Uint8Array;
  /** Super-user score by position (NaN = empty). */
  superUser: Float64Array;
  /** Prediction columns by position, made on first use. */
  columns: Map<string, Float64Array | null>;
  /** Positions holding each tag (as shown, e.g. `category_fan:Books`), made on first use. */
  tags: Map<string, Int32Array> | undefined;
}

const orders = new WeakMap<object, AudienceOrder>();

const codeOf = (list: readonly string[], value: string | null): number => (value === null ? 0 : list.indexOf(value) + 1);

export function audienceOrder(base: Pick<AudienceBase, 'scores' | 'consents'>): AudienceOrder {
  const cached = orders.get(base);
  if (cached) return cached;
  const scores = base.scores;
  const n = scores.length;
  const byRow = new Float64Array(n);
  const ids: string[] = new Array(n);
  let m = 0;
  const candidates = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    ids[i] = s.customer_id;
    if (s.potential) {
      byRow[i] = s.potential.index;
      candidates[m++] = i;
    }
  }
  const rows = candidates.slice(0, m).sort((a, b) => {
    const d = byRow[b]! - byRow[a]!;
    if (d !== 0) return d;
    const x = ids[a]!;
    const y = ids[b]!;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const order: AudienceOrder = {
    rows,
    index: new Float64Array(m),
    tier: new Uint8Array(m),
    lifecycle: new Uint8Array(m),
    value: new Uint8Array(m),
    rfm: new Uint8Array(m),
    consents: new Uint8Array(m),
    superUser: new Float64Array(m),
    columns: new Map(),
    tags: undefined,
  };
  for (let p = 0; p < m; p++) {
    const row = rows[p]!;
    const s = scores[row]!;
    order.index[p] = byRow[row]!;
    order.tier[p] = codeOf(POTENTIAL_TIERS, s.potential!.tier) - 1;
    order.lifecycle[p] = codeOf(LIFECYCLE_SEGMENTS, s.lifecycle_segment);
    order.value[p] = codeOf(VALUE_TIERS, s.value_tier);
    order.rfm[p] = codeOf(RFM_SEGMENTS, s.rfm_segment);
    order.consents[p] = base.consents[row] ?? 0;
    order.superUser[p] = s.super_user_score ?? Number.NaN;
  }
  orders.set(base, order);
  return order;
}

/** A prediction column by position (null when the base has no such column). */
export function positionColumn(base: AudienceBase, order: AudienceOrder, name: string): Float64Array | null {
  let out = order.columns.get(name);
  if (out === undefined) {
    const values = column(base, name);
    if (values) {
      out = new Float64Array(order.rows.length);
      for (let p = 0; p < out.length; p++) out[p] = values[order.rows[p]!]!;
    } else out = null;
    order.columns.set(name, out);
  }
  return out;
}

/** 1 at every position holding a tag that `wanted` names (the tag itself, or a labelled `tag:<label>`). */
export function tagMask(base: AudienceBase, order: AudienceOrder, wanted: readonly string[]): Uint8Array {
  if (!order.tags) {
    const lists = new Map<string, number[]>();
    for (let p = 0; p < order.rows.length; p++) {
      for (const t of base.scores[order.rows[p]!]!.tags) {
        let list = lists.get(t.tag);
        if (!list) lists.set(t.tag, (list = []));
        list.push(p);
      }
    }
    order.tags = new Map([...lists].map(([tag, list]) => [tag, Int32Array.from(list)]));
  }
  const mask = new Uint8Array(order.rows.length);
  for (const [tag, positions] of order.tags) {
    if (!wanted.some((w) => tag === w || tag.startsWith(`${w}:`))) continue;
    for (let k = 0; k < positions.length; k++) mask[positions[k]!] = 1;
  }
  return mask;
}

/** The first position of `order` whose key comes after `after` (0 without a cursor). */
export function seek(base: Pick<ScoredBase, 'scores'>, order: AudienceOrder, after: SortKey | undefined): number {
  if (!after) return 0;
  let lo = 0;
  let hi = order.rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const key: SortKey = [order.index[mid]!, base.scores[order.rows[mid]!]!.customer_id];
    if (compareKeys(key, after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function keyOfRow(base: Pick<ScoredBase, 'scores'>, row: number): SortKey {
  const s = base.scores[row]!;
  return [s.potential!.index, s.customer_id];
}
