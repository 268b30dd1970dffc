import { z } from 'zod';
import { CONSENT_CHANNELS, type ConsentChannel } from '../../domain/event.js';
import { LIFECYCLE_SEGMENTS, POTENTIAL_TIERS, RFM_SEGMENTS, VALUE_TIERS } from '../../scoring/index.js';
import { consentsFromBits, type Consents } from '../consents.js';
import { column, type AudienceBase } from './base.js';
import { probability, score100 } from './filter.js';

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

/**
 * RFC 4180 cell: quoted when it holds a comma, quote, CR or LF; an empty value is an empty cell.
 * Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR; OWASP's CSV
 * injection list) is written with a leading apostrophe, which spreadsheets show as text. Numbers
 * are never changed; JSON and NDJSON carry the text as it is.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let s = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const FORMULA_START = /^[=+\-@\t\r]/;

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
