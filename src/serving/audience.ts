import { z } from 'zod';
import { ValidationError, type Issue } from '../domain/errors.js';
import { CONSENT_CHANNELS, type ConsentChannel } from '../domain/event.js';
import { LIFECYCLE_SEGMENTS, POTENTIAL_TIERS, RFM_SEGMENTS, VALUE_TIERS, type PotentialTier } from '../scoring/index.js';
import type { ScoredBase } from './base-scores.js';
import { CONSENT_BIT, consentsFromBits, type Consents } from './consents.js';

/**
 * High-potential audiences for campaign tools: the scored base filtered (potential tier, model
 * probabilities, segments, tags, consent), in one fixed order, paged by an opaque cursor, and
 * exported as CSV or NDJSON in chunks so a million rows stream in flat memory.
 *
 * - Order: potential index descending, then customer_id ascending (code-unit order). The order of a
 *   base is sorted once and cached per ScoredBase object (with the filtered fields laid out by
 *   position, so a filter over a million customers reads typed arrays); a refresh makes a new base
 *   and a new order. The match count of a filter is remembered per base, so later pages scan only
 *   from their cursor.
 * - Cursor: the sort key (potential index, customer_id) of the last row served, base64url-encoded.
 *   Paging seeks to the first key after it, so it stays correct when the base is refreshed between
 *   pages (a customer whose index moved in the refresh may then be seen twice or not at all).
 * - Only customers with a potential tier (i.e. a super-user score) are in any audience.
 * - A filter on a value the customer does not have (no model, or an empty prediction) does not match.
 * - Rows carry customer ids and scores only, never contact data (the store holds no raw PII).
 *   Numbers are rounded as in the score file (AUDIENCE_DECIMALS); JSON, CSV and NDJSON agree.
 */

// ---------------------------------------------------------------------------------------------
// The filter spec

export const AUDIENCE_FORMATS = ['json', 'csv', 'ndjson'] as const;
export type AudienceFormat = (typeof AUDIENCE_FORMATS)[number];

export const DEFAULT_AUDIENCE_TIERS: readonly PotentialTier[] = ['super_user', 'high'];
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Most tag values one filter may list. */
export const MAX_FILTER_TAGS = 50;

const probability = z.number().min(0).max(1);
const score100 = z.number().min(0).max(100);
const tagName = z.string().min(1).max(200);

/** Which customers an audience holds (every condition given must hold). */
export const AudienceFilterSchema = z
  .object({
    tiers: z.array(z.enum(POTENTIAL_TIERS)).min(1).describe('potential tiers to include'),
    min_potential_index: score100.optional(),
    min_super_user_score: score100.optional(),
    min_purchase_probability: probability.optional(),
    max_purchase_probability: probability.optional(),
    min_churn_probability: probability.optional(),
    max_churn_probability: probability.optional(),
    min_predicted_clv: z.number().optional(),
    lifecycle_segments: z.array(z.enum(LIFECYCLE_SEGMENTS)).min(1).optional(),
    value_tiers: z.array(z.enum(VALUE_TIERS)).min(1).optional(),
    rfm_segments: z.array(z.enum(RFM_SEGMENTS)).min(1).optional(),
    /** Has at least one; `x` matches the tag `x` and every labelled `x:<label>`. */
    tags: z.array(tagName).min(1).max(MAX_FILTER_TAGS).optional(),
    /** Has none of these (same matching as `tags`). */
    exclude_tags: z.array(tagName).min(1).max(MAX_FILTER_TAGS).optional(),
    /** Has consented to every one of these channels. */
    consent: z.array(z.enum(CONSENT_CHANNELS)).min(1).optional(),
  })
  .strict();
export type AudienceFilter = z.infer<typeof AudienceFilterSchema>;

// ---------------------------------------------------------------------------------------------
// Query parameters (strings) → filter spec

/** A comma-separated list (a repeated parameter counts as one more list) of values from `values`. */
const listParam = <T extends string>(values: readonly T[], what: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((raw, ctx) => {
      const items = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(',')).map((s) => s.trim());
      const out: T[] = [];
      for (const item of items) {
        if (!(values as readonly string[]).includes(item)) {
          ctx.addIssue({ code: 'custom', message: `Unknown ${what} '${item}': one of ${values.join(', ')}` });
          return z.NEVER;
        }
        if (!out.includes(item as T)) out.push(item as T);
      }
      return out;
    })
    .meta({ type: 'string', example: values.slice(0, 2).join(',') });

/** A comma-separated list of free-form names (tags). */
const namesParam = z.union([z.string(), z.array(z.string())]).transform((raw, ctx) => {
  const items = [...new Set((Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(',')).map((s) => s.trim()))];
  if (items.some((s) => s.length === 0 || s.length > 200)) {
    ctx.addIssue({ code: 'custom', message: 'Tags are comma-separated names of 1 to 200 characters' });
    return z.NEVER;
  }
  if (items.length > MAX_FILTER_TAGS) {
    ctx.addIssue({ code: 'custom', message: `At most ${MAX_FILTER_TAGS} tags` });
    return z.NEVER;
  }
  return items;
}).meta({ type: 'string', example: 'referrer,category_fan' });

/** A decimal number within [min, max] (no empty string, no hex, no Infinity). */
const numberParam = (min: number, max: number) =>
  z.string().transform((raw, ctx) => {
    const s = raw.trim();
    const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : Number.NaN;
    if (!Number.isFinite(v)) {
      ctx.addIssue({ code: 'custom', message: `Expected a number, got '${raw}'` });
      return z.NEVER;
    }
    if (v < min || v > max) {
      ctx.addIssue({ code: 'custom', message: `Must be from ${min} to ${max}, got ${v}` });
      return z.NEVER;
    }
    return v;
  }).meta({ type: 'number', ...(Number.isFinite(min) ? { minimum: min } : {}), ...(Number.isFinite(max) ? { maximum: max } : {}) });

const integerParam = (min: number, max: number) =>
  z.string().transform((raw, ctx) => {
    const s = raw.trim();
    const v = /^\d{1,15}$/.test(s) ? Number(s) : Number.NaN;
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      ctx.addIssue({ code: 'custom', message: `Expected a whole number from ${min} to ${max}, got '${raw}'` });
      return z.NEVER;
    }
    return v;
  }).meta({ type: 'integer', minimum: min });

const PROBABILITY_NOTE = 'A customer without this prediction (no model, or an empty value) does not match.';

/**
 * The query string of `GET /v1/audiences`. Strict: an unknown parameter is an error, so a
 * misspelt filter never silently widens the audience to everyone.
 */
export const AudienceQuerySchema = z
  .object({
    tier: listParam(POTENTIAL_TIERS, 'potential tier')
      .optional()
      .describe(`Comma-separated potential tiers (${POTENTIAL_TIERS.join(', ')}); default ${DEFAULT_AUDIENCE_TIERS.join(',')}`),
    min_potential_index: numberParam(0, 100).optional().describe('Potential index P (0–100) at least this'),
    min_super_user_score: numberParam(0, 100).optional().describe('Super-user score (0–100) at least this'),
    min_purchase_probability: numberParam(0, 1).optional().describe(`Purchase probability at least this (0–1). ${PROBABILITY_NOTE}`),
    max_purchase_probability: numberParam(0, 1).optional().describe(`Purchase probability at most this (0–1). ${PROBABILITY_NOTE}`),
    min_churn_probability: numberParam(0, 1).optional().describe(`Churn probability at least this (0–1). ${PROBABILITY_NOTE}`),
    max_churn_probability: numberParam(0, 1).optional().describe(`Churn probability at most this (0–1). ${PROBABILITY_NOTE}`),
    min_predicted_clv: numberParam(-Infinity, Infinity).optional().describe(`Predicted CLV at least this. ${PROBABILITY_NOTE.replace('prediction', 'CLV')}`),
    lifecycle_segment: listParam(LIFECYCLE_SEGMENTS, 'lifecycle segment')
      .optional()
      .describe(`Comma-separated lifecycle segments (${LIFECYCLE_SEGMENTS.join(', ')}); any of them`),
    value_tier: listParam(VALUE_TIERS, 'value tier').optional().describe(`Comma-separated value tiers (${VALUE_TIERS.join(', ')}); any of them`),
    rfm_segment: listParam(RFM_SEGMENTS, 'RFM segment').optional().describe('Comma-separated RFM segments; any of them'),
    tags: namesParam
      .optional()
      .describe('Comma-separated tags; the customer has at least one. `category_fan` matches `category_fan` and every `category_fan:<label>`'),
    exclude_tags: namesParam.optional().describe('Comma-separated tags; the customer has none of them (matched like `tags`)'),
    consent: listParam(CONSENT_CHANNELS, 'consent channel')
      .optional()
      .describe(`Comma-separated channels (${CONSENT_CHANNELS.join(', ')}); the customer has consented to every one`),
    limit: integerParam(1, 1e12)
      .optional()
      .describe(`JSON: page size, default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}. CSV/NDJSON: the most rows to export (default all)`),
    cursor: z.string().max(2000).optional().describe('Opaque: next_cursor of the previous page; the list goes on after that row'),
    format: z
      .enum(AUDIENCE_FORMATS)
      .optional()
      .describe('json, csv or ndjson; overrides the Accept header (text/csv, application/x-ndjson; default JSON)'),
  })
  .strict();
export type AudienceQuery = z.output<typeof AudienceQuerySchema>;

/** The filter spec of a parsed query (the default tiers when none are given). */
export function filterFromQuery(q: AudienceQuery): AudienceFilter {
  const filter: AudienceFilter = { tiers: q.tier ?? [...DEFAULT_AUDIENCE_TIERS] };
  const copy = <K extends keyof AudienceFilter>(key: K, value: AudienceFilter[K] | undefined) => {
    if (value !== undefined) filter[key] = value;
  };
  copy('min_potential_index', q.min_potential_index);
  copy('min_super_user_score', q.min_super_user_score);
  copy('min_purchase_probability', q.min_purchase_probability);
  copy('max_purchase_probability', q.max_purchase_probability);
  copy('min_churn_probability', q.min_churn_probability);
  copy('max_churn_probability', q.max_churn_probability);
  copy('min_predicted_clv', q.min_predicted_clv);
  copy('lifecycle_segments', q.lifecycle_segment);
  copy('value_tiers', q.value_tier);
  copy('rfm_segments', q.rfm_segment);
  copy('tags', q.tags);
  copy('exclude_tags', q.exclude_tags);
  copy('consent', q.consent);
  return filter;
}

/** What one audience request asks for, checked as a whole (names the offending parameter). */
export interface AudienceRequest {
  format: AudienceFormat;
  filter: AudienceFilter;
  after: SortKey | undefined;
  /** Page size (JSON) or most rows to export (undefined: all). */
  limit: number | undefined;
}

export function resolveAudienceRequest(q: AudienceQuery, accept: string | undefined): AudienceRequest {
  const format = q.format ?? formatFromAccept(accept);
  const issues: Issue[] = [];
  if (q.min_purchase_probability !== undefined && q.max_purchase_probability !== undefined && q.min_purchase_probability > q.max_purchase_probability) {
    issues.push({ path: ['query', 'min_purchase_probability'], message: 'min_purchase_probability is above max_purchase_probability' });
  }
  if (q.min_churn_probability !== undefined && q.max_churn_probability !== undefined && q.min_churn_probability > q.max_churn_probability) {
    issues.push({ path: ['query', 'min_churn_probability'], message: 'min_churn_probability is above max_churn_probability' });
  }
  if (format === 'json' && q.limit !== undefined && q.limit > MAX_PAGE_SIZE) {
    issues.push({ path: ['query', 'limit'], message: `At most ${MAX_PAGE_SIZE} per JSON page (CSV and NDJSON exports take any limit)` });
  }
  let after: SortKey | undefined;
  if (q.cursor !== undefined) {
    after = decodeCursor(q.cursor);
    if (!after) issues.push({ path: ['query', 'cursor'], message: 'Not a cursor this API gave out (use next_cursor of the previous page as is)' });
  }
  if (issues.length) throw new ValidationError('The request is not valid', issues);
  return { format, filter: filterFromQuery(q), after, limit: format === 'json' ? (q.limit ?? DEFAULT_PAGE_SIZE) : q.limit };
}

// ---------------------------------------------------------------------------------------------
// Content negotiation

const MEDIA = new Map<string, AudienceFormat>([
  ['application/json', 'json'],
  ['text/csv', 'csv'],
  ['application/x-ndjson', 'ndjson'],
  ['application/ndjson', 'ndjson'],
]);

/**
 * The format an Accept header asks for: the supported media type of highest q (`*\/*` and
 * `application/*` mean JSON, `text/*` CSV; on a tie the more specific, then the first listed).
 * No header, or none of ours: JSON.
 */
export function formatFromAccept(accept: string | undefined): AudienceFormat {
  if (!accept) return 'json';
  let best: { format: AudienceFormat; q: number; specific: number } | undefined;
  for (const part of accept.split(',')) {
    const [rawType, ...params] = part.split(';');
    const type = rawType!.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k?.toLowerCase() === 'q') q = Number.isFinite(Number(v)) ? Number(v) : 0;
    }
    if (!(q > 0)) continue;
    const exact = MEDIA.get(type);
    const format = exact ?? (type === '*/*' || type === 'application/*' ? 'json' : type === 'text/*' ? 'csv' : undefined);
    if (!format) continue;
    const specific = exact ? 2 : type === '*/*' ? 0 : 1;
    if (!best || q > best.q || (q === best.q && specific > best.specific)) best = { format, q, specific };
  }
  return best?.format ?? 'json';
}

export const AUDIENCE_CONTENT_TYPES: Record<AudienceFormat, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

// ---------------------------------------------------------------------------------------------
// Order and cursor

/** The sort key of a row: potential index (descending), then customer_id (ascending). */
export type SortKey = readonly [index: number, customerId: string];

/** < 0 when `a` comes first in the audience order. */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return b[0] - a[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify([key[0], key[1]]), 'utf8').toString('base64url');
}

/** The key inside a cursor, or undefined when the text is not one. */
export function decodeCursor(cursor: string): SortKey | undefined {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(cursor)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [index, id] = value as unknown[];
    if (typeof index !== 'number' || !Number.isFinite(index) || typeof id !== 'string' || id.length === 0) return undefined;
    return [index, id];
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
function positionColumn(base: AudienceBase, order: AudienceOrder, name: string): Float64Array | null {
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
function tagMask(base: AudienceBase, order: AudienceOrder, wanted: readonly string[]): Uint8Array {
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

// ---------------------------------------------------------------------------------------------
// Matching

/** What the audience functions read from a scored base. */
export type AudienceBase = Pick<ScoredBase, 'asOf' | 'scores' | 'predictions' | 'consents'>;

type Column = ArrayLike<number> | undefined;
const column = (base: AudienceBase, name: string): Column => (base.predictions as Record<string, Column> | undefined)?.[name];

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

// ---------------------------------------------------------------------------------------------
// Rows

/** One audience member: customer id and scores, never contact data. */
export const AudienceMemberSchema = z.object({
  customer_id: z.string(),
  potential_tier: z.enum(POTENTIAL_TIERS),
  potential_index: score100.describe('potential index P 0–100 (the order of the list, descending)'),
  super_user_score: score100.nullable(),
  lifecycle_segment: z.enum(LIFECYCLE_SEGMENTS).nullable(),
  value_tier: z.enum(VALUE_TIERS).nullable(),
  rfm_score: z.string().nullable(),
  rfm_segment: z.enum(RFM_SEGMENTS).nullable(),
  purchase_probability: probability.nullable().describe('null without a purchase model or value'),
  churn_probability: probability.nullable().describe('null without a churn model or value'),
  predicted_clv: z.number().nullable(),
  expected_purchases: z.number().nullable(),
  p_alive: probability.nullable(),
  tags: z.array(z.string()).describe('tags as shown, e.g. category_fan:Books'),
  consents: z.object(Object.fromEntries(CONSENT_CHANNELS.map((c) => [c, z.boolean()])) as Record<ConsentChannel, z.ZodBoolean>),
});
export type AudienceMember = z.infer<typeof AudienceMemberSchema>;

/** The columns of the CSV export, in order (the member's fields; tags and consents joined with `|`). */
export const AUDIENCE_CSV_COLUMNS = Object.keys(AudienceMemberSchema.shape) as (keyof AudienceMember)[];

const PREDICTION_FIELDS = ['purchase_probability', 'churn_probability', 'predicted_clv', 'expected_purchases', 'p_alive'] as const;

/**
 * Decimals each number is given with, as in the score file (score-file.ts): probabilities 6,
 * expected purchases 4, CLV and the 0–100 scores 2. JSON, CSV and NDJSON carry the same values;
 * filters compare the unrounded ones.
 */
export const AUDIENCE_DECIMALS = {
  potential_index: 2,
  super_user_score: 2,
  purchase_probability: 6,
  churn_probability: 6,
  predicted_clv: 2,
  expected_purchases: 4,
  p_alive: 6,
} as const;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/** `v` rounded to `digits` decimals (half away from zero for positives, as Math.round; never -0). */
export function roundTo(v: number, digits: number): number {
  const scale = POW10[digits]!;
  const r = Math.round(v * scale) / scale;
  return r === 0 ? 0 : r;
}

/**
 * The text of `v` rounded to `digits` decimals, without trailing zeros: the same number as
 * `roundTo(v, digits)` reads back, made from integers (several times faster than String(double),
 * which dominates formatting a million rows).
 */
export function decimalText(v: number, digits: number): string {
  const scale = POW10[digits]!;
  let k = Math.round(v * scale);
  if (!(Math.abs(k) <= Number.MAX_SAFE_INTEGER)) return String(roundTo(v, digits));
  const negative = k < 0;
  if (negative) k = -k;
  const whole = Math.floor(k / scale);
  let frac = k - whole * scale;
  if (frac === 0) return negative ? `-${whole}` : `${whole}`;
  let width = digits;
  while (frac % 10 === 0) {
    frac /= 10;
    width--;
  }
  const f = `${frac}`;
  return `${negative ? '-' : ''}${whole}.${f.length < width ? '0'.repeat(width - f.length) + f : f}`;
}

/** Reads rows of one base as members (prediction columns looked up once). */
export function memberReader(base: AudienceBase): (row: number) => AudienceMember {
  const cols = PREDICTION_FIELDS.map((f) => column(base, f));
  const value = (k: number, i: number): number | null => {
    const v = cols[k]?.[i];
    return v === undefined || Number.isNaN(v) ? null : roundTo(v, AUDIENCE_DECIMALS[PREDICTION_FIELDS[k]!]);
  };
  return (i) => {
    const s = base.scores[i]!;
    return {
      customer_id: s.customer_id,
      potential_tier: s.potential!.tier,
      potential_index: roundTo(s.potential!.index, AUDIENCE_DECIMALS.potential_index),
      super_user_score: s.super_user_score === null ? null : roundTo(s.super_user_score, AUDIENCE_DECIMALS.super_user_score),
      lifecycle_segment: s.lifecycle_segment,
      value_tier: s.value_tier,
      rfm_score: s.rfm_score,
      rfm_segment: s.rfm_segment,
      purchase_probability: value(0, i),
      churn_probability: value(1, i),
      predicted_clv: value(2, i),
      expected_purchases: value(3, i),
      p_alive: value(4, i),
      tags: s.tags.map((t) => t.tag),
      consents: consentsFromBits(base.consents[i]!),
    };
  };
}

/** RFC 4180 cell: quoted when it holds a comma, quote, CR or LF; an empty value is an empty cell. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const s = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const CSV_HEADER = `${AUDIENCE_CSV_COLUMNS.join(',')}\r\n`;

export function consentList(consents: Consents): string {
  return CONSENT_CHANNELS.filter((c) => consents[c]).join('|');
}

type Decimal = keyof typeof AUDIENCE_DECIMALS;
const csvNumber = (m: AudienceMember, key: Decimal) => {
  const v = m[key];
  return v === null ? '' : decimalText(v, AUDIENCE_DECIMALS[key]);
};
const jsonNumber = (m: AudienceMember, key: Decimal) => {
  const v = m[key];
  return v === null ? 'null' : decimalText(v, AUDIENCE_DECIMALS[key]);
};
/** An enum value or null (enum values need no escaping). */
const jsonWord = (v: string | null) => (v === null ? 'null' : `"${v}"`);

/** One CSV line (CRLF-terminated, RFC 4180). Enum cells never need quoting; ids and tags are quoted when needed. */
export function csvRow(m: AudienceMember): string {
  return (
    `${csvCell(m.customer_id)},${m.potential_tier},${csvNumber(m, 'potential_index')},${csvNumber(m, 'super_user_score')},` +
    `${m.lifecycle_segment ?? ''},${m.value_tier ?? ''},${m.rfm_score ?? ''},${m.rfm_segment ?? ''},` +
    `${csvNumber(m, 'purchase_probability')},${csvNumber(m, 'churn_probability')},${csvNumber(m, 'predicted_clv')},` +
    `${csvNumber(m, 'expected_purchases')},${csvNumber(m, 'p_alive')},${csvCell(m.tags.join('|'))},${consentList(m.consents)}\r\n`
  );
}

/** One NDJSON line: the member as in the JSON list (same keys in the same order, same values). */
export function ndjsonRow(m: AudienceMember): string {
  const c = m.consents;
  return (
    `{"customer_id":${JSON.stringify(m.customer_id)},"potential_tier":"${m.potential_tier}",` +
    `"potential_index":${jsonNumber(m, 'potential_index')},"super_user_score":${jsonNumber(m, 'super_user_score')},` +
    `"lifecycle_segment":${jsonWord(m.lifecycle_segment)},"value_tier":${jsonWord(m.value_tier)},` +
    `"rfm_score":${jsonWord(m.rfm_score)},"rfm_segment":${jsonWord(m.rfm_segment)},` +
    `"purchase_probability":${jsonNumber(m, 'purchase_probability')},"churn_probability":${jsonNumber(m, 'churn_probability')},` +
    `"predicted_clv":${jsonNumber(m, 'predicted_clv')},"expected_purchases":${jsonNumber(m, 'expected_purchases')},` +
    `"p_alive":${jsonNumber(m, 'p_alive')},"tags":${JSON.stringify(m.tags)},` +
    `"consents":{"email":${c.email},"sms":${c.sms},"line":${c.line},"push":${c.push}}}\n`
  );
}

// ---------------------------------------------------------------------------------------------
// Streaming export

/** Text per chunk of an export (≈ bytes: ids and scores are ASCII). */
export const EXPORT_CHUNK_CHARS = 64 * 1024;

/**
 * The export text in chunks of about `chunkChars`: the CSV header first, then the `selection.count`
 * matching rows from `selection.start` on. Lazy: each chunk is formatted when pulled, so only a
 * chunk is held at a time however large the audience.
 */
export function* exportChunks(
  base: AudienceBase,
  filter: AudienceFilter,
  selection: Pick<AudienceSelection, 'start' | 'count'>,
  format: Exclude<AudienceFormat, 'json'>,
  chunkChars = EXPORT_CHUNK_CHARS,
): Generator<string, void, undefined> {
  const { rows } = audienceOrder(base);
  const match = compileFilter(base, filter);
  const member = memberReader(base);
  const line = format === 'csv' ? csvRow : ndjsonRow;
  let chunk = format === 'csv' ? CSV_HEADER : '';
  let left = selection.count;
  for (let p = selection.start; p < rows.length && left > 0; p++) {
    const row = rows[p]!;
    if (!match(p)) continue;
    chunk += line(member(row));
    left--;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * A byte stream over text chunks, pulled one chunk at a time: the consumer's pace drives the
 * producer (backpressure), and cancelling it (a client that goes away) stops the generator.
 */
export function textStream(chunks: Iterator<string, void, undefined>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      cancel() {
        chunks.return?.();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 1 }),
  );
}

/** `audience-<as_of>.csv` / `.ndjson`. */
export function exportFilename(asOf: string, format: Exclude<AudienceFormat, 'json'>): string {
  return `audience-${asOf.replace(/[^0-9A-Za-z_-]/g, '')}.${format}`;
}
