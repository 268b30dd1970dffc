import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/errors.js';
import { CONSENT_CHANNELS } from '../../domain/event.js';
import { LIFECYCLE_SEGMENTS, POTENTIAL_TIERS, RFM_SEGMENTS, VALUE_TIERS, type CustomerScore } from '../../scoring/index.js';
import {
  AUDIENCE_CSV_COLUMNS,
  AudienceFilterSchema,
  AudienceMemberSchema,
  AudienceQuerySchema,
  audienceOrder,
  compareKeys,
  compileFilter,
  csvCell,
  decimalText,
  roundTo,
  csvRow,
  CSV_HEADER,
  baseTag,
  decodeCursor,
  encodeCursor,
  exportChunks,
  filterFromQuery,
  formatFromAccept,
  keyOfRow,
  memberReader,
  ndjsonRow,
  resolveAudienceRequest,
  seek,
  selectAudience,
  textStream,
  type AudienceBase,
  type AudienceFilter,
  type AudienceMember,
  type SortKey,
} from './index.js';
import { CONSENT_BIT } from '../consents.js';
import { parseCsv } from '../../../test/helpers.js';

// A seeded random base: scores, predictions with empty values, consents. Ties in the potential
// index (rounded to whole numbers) exercise the customer_id order.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const TAGS = ['referrer', 'category_fan:Books', 'category_fan:Toys', 'app_heavy', 'at_risk_vip', 'odd,tag "quoted"'];

function syntheticBase(n: number, seed = 1, withPredictions = true): AudienceBase {
  const r = rng(seed);
  const scores: CustomerScore[] = [];
  const cols = { purchase_probability: new Float64Array(n), churn_probability: new Float64Array(n), predicted_clv: new Float64Array(n), expected_purchases: new Float64Array(n), p_alive: new Float64Array(n) };
  const consents = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const hasPotential = r() > 0.1;
    const index = Math.round(r() * 100);
    const tier = hasPotential ? pick(r, POTENTIAL_TIERS) : null;
    scores.push({
      customer_id: `C${String(Math.floor(r() * 1e6)).padStart(6, '0')}-${i}`,
      person_id: i + 1,
      rfm_score: r() > 0.2 ? `${1 + Math.floor(r() * 5)}${1 + Math.floor(r() * 5)}${1 + Math.floor(r() * 5)}` : null,
      rfm_r: null,
      rfm_f: null,
      rfm_m: null,
      rfm_segment: r() > 0.2 ? pick(r, RFM_SEGMENTS) : null,
      lifecycle_segment: r() > 0.2 ? pick(r, LIFECYCLE_SEGMENTS) : null,
      value_tier: r() > 0.1 ? pick(r, VALUE_TIERS) : null,
      pareto_top: false,
      super_user_score: hasPotential ? Math.round(r() * 1000) / 10 : null,
      super_user: null,
      potential_tier: tier,
      potential: tier ? { tier, index, strategy: '', predictions: null } : null,
      funnel_stage: null,
      tags: TAGS.filter(() => r() < 0.25).map((tag) => ({ tag, id: tag.split(':')[0]!, strength: null, reason: null })),
      reasons: null,
    });
    for (const [name, col] of Object.entries(cols)) col[i] = r() < 0.15 ? Number.NaN : name === 'predicted_clv' ? r() * 1000 : r();
    consents[i] = Math.floor(r() * 16);
  }
  return { asOf: '2024-06-30', scores, predictions: withPredictions ? cols : undefined, consents };
}

// Brute force, written independently of the module: the definition of each filter.
function bruteForce(base: AudienceBase, f: AudienceFilter): number[] {
  const p = base.predictions as Record<string, Float64Array> | undefined;
  const inRange = (name: string, min?: number, max?: number) => {
    if (min === undefined && max === undefined) return () => true;
    return (i: number) => {
      const v = p?.[name]?.[i];
      if (v === undefined || Number.isNaN(v)) return false;
      return (min === undefined || v >= min) && (max === undefined || v <= max);
    };
  };
  const tagHit = (tags: string[], w: string) => tags.some((t) => t === w || t.startsWith(w + ':'));
  const tests = [
    inRange('purchase_probability', f.min_purchase_probability, f.max_purchase_probability),
    inRange('churn_probability', f.min_churn_probability, f.max_churn_probability),
    inRange('predicted_clv', f.min_predicted_clv),
  ];
  const rows: number[] = [];
  base.scores.forEach((s, i) => {
    if (!s.potential || !f.tiers.includes(s.potential.tier)) return;
    if (f.min_potential_index !== undefined && !(s.potential.index >= f.min_potential_index)) return;
    if (f.min_super_user_score !== undefined && !((s.super_user_score ?? -1) >= f.min_super_user_score)) return;
    if (!tests.every((t) => t(i))) return;
    if (f.lifecycle_segments && !f.lifecycle_segments.includes(s.lifecycle_segment as never)) return;
    if (f.value_tiers && !f.value_tiers.includes(s.value_tier as never)) return;
    if (f.rfm_segments && !f.rfm_segments.includes(s.rfm_segment as never)) return;
    const tags = s.tags.map((t) => t.tag);
    if (f.tags && !f.tags.some((w) => tagHit(tags, w))) return;
    if (f.exclude_tags && f.exclude_tags.some((w) => tagHit(tags, w))) return;
    if (f.consent && !f.consent.every((c) => (base.consents[i]! & CONSENT_BIT[c]) !== 0)) return;
    rows.push(i);
  });
  return rows.sort((a, b) => compareKeys(keyOfRow(base, a), keyOfRow(base, b)));
}


const all = { tiers: [...POTENTIAL_TIERS] } satisfies AudienceFilter;

describe('query parameters', () => {
  it('reads comma lists (repeated parameters add to them), drops duplicates and keeps the given order', () => {
    const q = AudienceQuerySchema.parse({ tier: 'high, super_user,high', consent: ['email', 'push,email'], tags: 'referrer,category_fan' });
    expect(q.tier).toEqual(['high', 'super_user']);
    expect(q.consent).toEqual(['email', 'push']);
    expect(q.tags).toEqual(['referrer', 'category_fan']);
  });

  it('names the parameter of an unknown value, a non-number, an out-of-range number and an unknown parameter', () => {
    const paths = (query: Record<string, string>) => {
      const r = AudienceQuerySchema.safeParse(query);
      expect(r.success).toBe(false);
      return r.error!.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys : i.path).join('.'));
    };
    expect(paths({ tier: 'high,gold' })).toEqual(['tier']);
    expect(paths({ consent: 'fax' })).toEqual(['consent']);
    expect(paths({ min_purchase_probability: 'abc' })).toEqual(['min_purchase_probability']);
    expect(paths({ min_purchase_probability: '' })).toEqual(['min_purchase_probability']);
    expect(paths({ min_purchase_probability: '0x1' })).toEqual(['min_purchase_probability']);
    expect(paths({ max_churn_probability: '1.5' })).toEqual(['max_churn_probability']);
    expect(paths({ min_super_user_score: '101' })).toEqual(['min_super_user_score']);
    expect(paths({ limit: '0' })).toEqual(['limit']);
    expect(paths({ limit: '2.5' })).toEqual(['limit']);
    expect(paths({ format: 'xml' })).toEqual(['format']);
    expect(paths({ tags: 'a,,b' })).toEqual(['tags']);
    expect(paths({ min_purchase_prob: '0.5' })).toEqual(['min_purchase_prob']);
  });

  it('reads numbers in decimal and exponent notation', () => {
    const q = AudienceQuerySchema.parse({ min_purchase_probability: '.25', max_purchase_probability: '5e-1', min_predicted_clv: '-10', limit: '250' });
    expect([q.min_purchase_probability, q.max_purchase_probability, q.min_predicted_clv, q.limit]).toEqual([0.25, 0.5, -10, 250]);
  });

  it('gives a filter spec the filter schema accepts, with the default tiers when none are asked', () => {
    const f = filterFromQuery(AudienceQuerySchema.parse({ value_tier: 'diamond', min_churn_probability: '0.2' }));
    expect(AudienceFilterSchema.parse(f)).toEqual({ tiers: ['super_user', 'high'], value_tiers: ['diamond'], min_churn_probability: 0.2 });
  });

  it('checks the request as a whole: the JSON page size, min above max, and the cursor, each naming its parameter', () => {
    const issues = (query: Record<string, string>, accept?: string) => {
      try {
        resolveAudienceRequest(AudienceQuerySchema.parse(query), accept);
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).issues.map((i) => i.path.join('.'));
      }
      return [];
    };
    expect(issues({ limit: '1001' })).toEqual(['query.limit']);
    expect(issues({ limit: '1001', format: 'csv' })).toEqual([]);
    expect(issues({ limit: '1001' }, 'application/x-ndjson')).toEqual([]);
    expect(issues({ cursor: 'not a cursor' })).toEqual(['query.cursor']);
    expect(issues({ cursor: Buffer.from('{"a":1}').toString('base64url') })).toEqual(['query.cursor']);
    expect(issues({ min_churn_probability: '0.6', max_churn_probability: '0.4' })).toEqual(['query.min_churn_probability']);
    const ok = resolveAudienceRequest(AudienceQuerySchema.parse({ cursor: encodeCursor([50.5, 'C1'], 'b1') }), undefined);
    expect(ok).toMatchObject({ format: 'json', limit: 100, after: [50.5, 'C1'], cursorBase: 'b1' });
    expect(resolveAudienceRequest(AudienceQuerySchema.parse({ format: 'csv' }), undefined).limit).toBeUndefined();
  });
});

describe('content negotiation', () => {
  it('picks the supported media type of highest q, the more specific one on a tie, JSON by default', () => {
    expect(formatFromAccept(undefined)).toBe('json');
    expect(formatFromAccept('text/csv')).toBe('csv');
    expect(formatFromAccept('application/x-ndjson')).toBe('ndjson');
    expect(formatFromAccept('application/json')).toBe('json');
    expect(formatFromAccept('*/*')).toBe('json');
    expect(formatFromAccept('text/html,application/xhtml+xml,*/*;q=0.8')).toBe('json');
    expect(formatFromAccept('*/*;q=0.1, text/csv')).toBe('csv');
    expect(formatFromAccept('text/csv;q=0.5, application/x-ndjson')).toBe('ndjson');
    expect(formatFromAccept('application/*, text/csv')).toBe('csv');
    expect(formatFromAccept('text/csv;q=0, application/json;q=0.2')).toBe('json');
    expect(formatFromAccept('image/png')).toBe('json');
    expect(formatFromAccept('constructor, toString;q=0.9')).toBe('json');
    expect(formatFromAccept('TEXT/CSV ; q=0.8')).toBe('csv');
  });
});

describe('order and cursor', () => {
  const base = syntheticBase(3000, 7);

  it('orders the customers with a potential tier by index descending, then customer_id ascending, sorted once per base', () => {
    const order = audienceOrder(base);
    const withTier = base.scores.filter((s) => s.potential).length;
    expect(order.rows.length).toBe(withTier);
    let inOrder = 0;
    let indexOk = 0;
    for (let p = 0; p < order.rows.length; p++) {
      if (p > 0 && compareKeys(keyOfRow(base, order.rows[p - 1]!), keyOfRow(base, order.rows[p]!)) < 0) inOrder++;
      if (order.index[p] === base.scores[order.rows[p]!]!.potential!.index) indexOk++;
    }
    expect([inOrder, indexOk]).toEqual([order.rows.length - 1, order.rows.length]);
    expect(audienceOrder(base)).toBe(order);
    expect(audienceOrder({ ...base })).not.toBe(order);
  });

  it('round-trips the sort key and the base tag through an opaque cursor and rejects anything else', () => {
    const key: SortKey = [73.12345678901234, 'C,"ü"-1'];
    const cursor = encodeCursor(key, baseTag(base));
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ after: key, base: baseTag(base) });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of ['', '!!', 'abc', b64([1]), b64(['1', 'a', 't']), b64([1, '', 't']), b64([1, 'a']), b64([1, 'a', ''])]) {
      expect(decodeCursor(bad)).toBeUndefined();
    }
  });

  it('tags a base by its audience order: the same order the same tag, a moved potential index another', () => {
    expect(baseTag({ ...base })).toBe(baseTag(base));
    const first = audienceOrder(base).rows[0]!;
    const moved = base.scores.map((s, i) => (i === first ? { ...s, potential: { ...s.potential!, index: s.potential!.index - 0.01 } } : s));
    expect(baseTag({ ...base, scores: moved })).not.toBe(baseTag(base));
  });

  it('seeks to the first row after a key, whether or not the key is in the base', () => {
    const order = audienceOrder(base);
    expect(seek(base, order, undefined)).toBe(0);
    for (const p of [0, 1, 500, order.rows.length - 1]) expect(seek(base, order, keyOfRow(base, order.rows[p]!))).toBe(p + 1);
    const k = keyOfRow(base, order.rows[10]!);
    const between: SortKey = [k[0], `${k[1]}\u0000`];
    expect(seek(base, order, between)).toBe(11);
    expect(seek(base, order, [101, 'A'])).toBe(0);
    expect(seek(base, order, [-1, 'A'])).toBe(order.rows.length);
  });
});

describe('filters', () => {
  const base = syntheticBase(4000, 3);
  const filters: AudienceFilter[] = [
    { tiers: ['super_user', 'high'] },
    { tiers: ['low'], min_potential_index: 40 },
    { ...all, min_super_user_score: 55.5 },
    { ...all, min_purchase_probability: 0.6 },
    { ...all, max_purchase_probability: 0.2 },
    { ...all, min_churn_probability: 0.3, max_churn_probability: 0.5 },
    { ...all, max_churn_probability: 0.1 },
    { ...all, min_predicted_clv: 800 },
    { ...all, lifecycle_segments: ['core', 'dozing'] },
    { ...all, value_tiers: ['diamond'] },
    { ...all, rfm_segments: [RFM_SEGMENTS[0]!, RFM_SEGMENTS[3]!] },
    { ...all, tags: ['category_fan'] },
    { ...all, tags: ['category_fan:Books', 'at_risk_vip'] },
    { ...all, exclude_tags: ['referrer', 'category_fan'] },
    { ...all, consent: ['email'] },
    { ...all, consent: ['sms', 'push'] },
    { tiers: ['high', 'medium'], min_purchase_probability: 0.3, max_churn_probability: 0.7, lifecycle_segments: ['core', 'new', 'dozing'], tags: ['app_heavy', 'referrer'], consent: ['line'] },
  ];

  it.each(filters.map((f) => [JSON.stringify(f), f] as const))('%s selects exactly the rows a brute-force scan does, in order', (_, f) => {
    const expected = bruteForce(base, f);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(base.scores.length);
    const match = compileFilter(base, f);
    const got = Array.from(audienceOrder(base).rows).filter((_, position) => match(position));
    expect(got).toEqual(expected);
    const selection = selectAudience(base, f, { collect: true });
    expect(selection).toMatchObject({ total: expected.length, count: expected.length, next: null });
    expect(selection.rows).toEqual(expected);
  });

  it('lets no customer through a prediction filter when the base has no models', () => {
    const bare = syntheticBase(500, 3, false);
    expect(selectAudience(bare, { ...all, min_purchase_probability: 0 }, {}).total).toBe(0);
    expect(selectAudience(bare, { ...all, max_churn_probability: 1 }, {}).total).toBe(0);
    expect(selectAudience(bare, all, {}).total).toBe(bare.scores.filter((s) => s.potential).length);
  });

  it('walks every matching row exactly once, in order, page by page through the cursor', () => {
    const f: AudienceFilter = { ...all, consent: ['email'] };
    const expected = bruteForce(base, f);
    const seen: number[] = [];
    let after: SortKey | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const page = selectAudience(base, f, { after, limit: 97, collect: true });
      expect(page.total).toBe(expected.length);
      expect(page.rows.length).toBeLessThanOrEqual(97);
      seen.push(...page.rows);
      if (!page.next) break;
      expect(page.next).toEqual(keyOfRow(base, page.rows.at(-1)!));
      after = decodeCursor(encodeCursor(page.next, baseTag(base)))!.after;
    }
    expect(seen).toEqual(expected);
  });

  it('gives no next cursor when the page ends exactly at the last match', () => {
    const f: AudienceFilter = { tiers: ['super_user'], value_tiers: ['diamond'] };
    const n = bruteForce(base, f).length;
    expect(selectAudience(base, f, { limit: n }).next).toBeNull();
    expect(selectAudience(base, f, { limit: n - 1 }).next).not.toBeNull();
  });
});

describe('rows and formats', () => {
  const base = syntheticBase(2500, 11);
  const member = memberReader(base);

  it('projects ids, scores, predictions (empty as null), tag names and consents — nothing else', () => {
    const rows = audienceOrder(base).rows;
    const strict = AudienceMemberSchema.strict();
    for (const row of rows.slice(0, 500)) {
      const m = member(row);
      strict.parse(m);
      const p = base.predictions as Record<string, Float64Array>;
      expect(m.purchase_probability).toBe(Number.isNaN(p.purchase_probability![row]!) ? null : roundTo(p.purchase_probability![row]!, 6));
      expect(m.predicted_clv).toBe(Number.isNaN(p.predicted_clv![row]!) ? null : roundTo(p.predicted_clv![row]!, 2));
      expect(m.potential_index).toBe(roundTo(base.scores[row]!.potential!.index, 2));
      expect(m.tags).toEqual(base.scores[row]!.tags.map((t) => t.tag));
      expect(CONSENT_CHANNELS.filter((c) => m.consents[c])).toEqual(CONSENT_CHANNELS.filter((c) => base.consents[row]! & CONSENT_BIT[c]));
    }
    const bare = memberReader({ ...base, predictions: undefined })(rows[0]!);
    expect([bare.purchase_probability, bare.churn_probability, bare.predicted_clv, bare.expected_purchases, bare.p_alive]).toEqual([null, null, null, null, null]);
  });

  it('rounds like the score file and writes the rounded number as text that reads back to it', () => {
    expect(roundTo(0.1234565, 6)).toBe(0.123457);
    expect(roundTo(-0.0000004, 6)).toBe(0);
    expect(Object.is(roundTo(-0.0000004, 6), -0)).toBe(false);
    expect([decimalText(0, 6), decimalText(1, 6), decimalText(0.5, 2), decimalText(0.000001, 6), decimalText(1e-7, 6)]).toEqual(['0', '1', '0.5', '0.000001', '0']);
    expect([decimalText(123.456789, 2), decimalText(-2.5, 2), decimalText(-0.05, 2), decimalText(1e17, 2)]).toEqual(['123.46', '-2.5', '-0.05', '100000000000000000']);
    const r = rng(5);
    for (let k = 0; k < 20000; k++) {
      const v = (r() - 0.3) * 10 ** Math.floor(r() * 12 - 4);
      for (const d of [2, 4, 6]) {
        const text = decimalText(v, d);
        expect(text).toMatch(/^-?\d+(\.\d*[1-9])?$/);
        expect(Number(text)).toBe(roundTo(v, d));
        expect(JSON.parse(text)).toBe(roundTo(v, d));
      }
    }
  });

  it('quotes CSV cells per RFC 4180 only when needed', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(0.25)).toBe('0.25');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('writes text a spreadsheet would run as a formula with a leading apostrophe, and leaves numbers alone', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+1-2')).toBe("'+1-2");
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-5)).toBe('-5');
  });

  it('writes CSV and NDJSON lines that read back to the same member', () => {
    const fromCsv = (cells: string[]): AudienceMember => {
      const o: Record<string, unknown> = {};
      AUDIENCE_CSV_COLUMNS.forEach((c, k) => (o[c] = cells[k]));
      const num = (v: unknown) => (v === '' ? null : Number(v));
      const str = (v: unknown) => (v === '' ? null : v);
      return {
        customer_id: o.customer_id as string,
        potential_tier: o.potential_tier as AudienceMember['potential_tier'],
        potential_index: Number(o.potential_index),
        super_user_score: num(o.super_user_score),
        lifecycle_segment: str(o.lifecycle_segment) as AudienceMember['lifecycle_segment'],
        value_tier: str(o.value_tier) as AudienceMember['value_tier'],
        rfm_score: str(o.rfm_score) as string | null,
        rfm_segment: str(o.rfm_segment) as AudienceMember['rfm_segment'],
        purchase_probability: num(o.purchase_probability),
        churn_probability: num(o.churn_probability),
        predicted_clv: num(o.predicted_clv),
        expected_purchases: num(o.expected_purchases),
        p_alive: num(o.p_alive),
        tags: o.tags === '' ? [] : (o.tags as string).split('|'),
        consents: Object.fromEntries(CONSENT_CHANNELS.map((c) => [c, (o.consents as string).split('|').includes(c)])) as AudienceMember['consents'],
      };
    };
    const [header] = parseCsv(CSV_HEADER);
    expect(header).toEqual(AUDIENCE_CSV_COLUMNS);
    for (const row of audienceOrder(base).rows.slice(0, 400)) {
      const m = member(row);
      const line = csvRow(m);
      expect(line.endsWith('\r\n')).toBe(true);
      const cells = parseCsv(line);
      expect(cells).toHaveLength(1);
      expect(fromCsv(cells[0]!)).toEqual(m);
      expect(ndjsonRow(m).endsWith('\n')).toBe(true);
      expect(JSON.parse(ndjsonRow(m))).toEqual(m);
    }
  });

  it('exports the selected rows lazily in chunks of about the given size: the CSV header first, then the rows', () => {
    const f: AudienceFilter = { tiers: ['super_user', 'high', 'medium'] };
    const expected = bruteForce(base, f);
    const selection = selectAudience(base, f, {});
    const chunks = [...exportChunks(base, f, selection, 'csv', 4096)];
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(4096);
    for (const c of chunks) expect(c.length).toBeLessThan(4096 + 1000);
    const text = chunks.join('');
    expect(text.startsWith(CSV_HEADER)).toBe(true);
    const lines = text.slice(CSV_HEADER.length);
    expect(lines).toBe(expected.map((r) => csvRow(member(r))).join(''));

    const nd = [...exportChunks(base, f, selection, 'ndjson')].join('');
    expect(nd.split('\n').filter(Boolean).map((l) => JSON.parse(l).customer_id)).toEqual(expected.map((r) => base.scores[r]!.customer_id));
  });

  it('exports from the cursor on and stops at the limit', () => {
    const f = all;
    const expected = bruteForce(base, f);
    const after = keyOfRow(base, expected[99]!);
    const selection = selectAudience(base, f, { after, limit: 250 });
    expect(selection).toMatchObject({ count: 250, next: keyOfRow(base, expected[349]!) });
    const nd = [...exportChunks(base, f, selection, 'ndjson')].join('').trimEnd().split('\n');
    expect(nd.map((l) => JSON.parse(l).customer_id)).toEqual(expected.slice(100, 350).map((r) => base.scores[r]!.customer_id));
    const empty = selectAudience(base, { tiers: ['low'], min_potential_index: 101 }, {});
    expect([...exportChunks(base, f, empty, 'csv')].join('')).toBe(CSV_HEADER);
    expect([...exportChunks(base, f, empty, 'ndjson')]).toEqual([]);
  });

  it('streams bytes one chunk per pull, and stops the producer when the reader cancels', async () => {
    let produced = 0;
    let finished = false;
    function* chunks() {
      try {
        for (let k = 0; k < 100; k++) {
          produced++;
          yield `chunk ${k}\n`;
        }
      } finally {
        finished = true;
      }
    }
    const reader = textStream(chunks()).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('chunk 0\n');
    await reader.read();
    expect(produced).toBeLessThanOrEqual(4); // pulled on demand, not produced ahead
    await reader.cancel();
    expect(finished).toBe(true);
    expect(produced).toBeLessThan(100);

    const text = await new Response(textStream(['a', 'b', 'c'][Symbol.iterator]() as Iterator<string, void, undefined>)).text();
    expect(text).toBe('abc');
  });
});
