import { z } from 'zod';
import { ValidationError, type Issue } from '../../domain/errors.js';
import { CONSENT_CHANNELS } from '../../domain/event.js';
import { LIFECYCLE_SEGMENTS, POTENTIAL_TIERS, RFM_SEGMENTS, VALUE_TIERS } from '../../scoring/index.js';
import { DEFAULT_AUDIENCE_TIERS, DEFAULT_PAGE_SIZE, MAX_FILTER_TAGS, MAX_PAGE_SIZE, type AudienceFilter } from './filter.js';
import { AUDIENCE_FORMATS, formatFromAccept, type AudienceFormat } from './format.js';
import { decodeCursor, type SortKey } from './order.js';

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
  /** The tag of the base the cursor came from (order.ts baseTag); undefined without a cursor. */
  cursorBase: string | undefined;
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
  const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (q.cursor !== undefined && !cursor) {
    issues.push({ path: ['query', 'cursor'], message: 'Not a cursor this API gave out (use next_cursor of the previous page as is)' });
  }
  if (issues.length) throw new ValidationError('The request is not valid', issues);
  return {
    format,
    filter: filterFromQuery(q),
    after: cursor?.after,
    cursorBase: cursor?.base,
    limit: format === 'json' ? (q.limit ?? DEFAULT_PAGE_SIZE) : q.limit,
  };
}
