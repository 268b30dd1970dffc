import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../src/config/scoring.js';
import { CONSENT_CHANNELS } from '../src/domain/event.js';
import type { Predictions } from '../src/scoring/index.js';
import { AUDIENCE_CSV_COLUMNS, roundTo, type AudienceMember } from '../src/serving/audience/index.js';
import type { ScoredBase } from '../src/serving/base-scores.js';
import { CONSENT_BIT } from '../src/serving/consents.js';
import { CustomerScorer } from '../src/serving/scorer.js';
import type { OpenedStore } from '../src/store/open.js';
import { ingestRows, loadGeneratedBase, parseCsv, tempDir, testApp, testKeys, testStore } from './helpers.js';

let opened: OpenedStore;
let dir: string;
let app: Awaited<ReturnType<typeof testApp>>['app'];
let bareApp: Awaited<ReturnType<typeof testApp>>['app'];
let scorer: CustomerScorer;
const { keys, tokens } = testKeys({ audiences: ['audiences:read'], reader: ['customers:read'], admin: ['admin'] });
const get = (url: string, headers: Record<string, string> = {}, token: string | null = tokens.audiences!) =>
  app.request(url, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

// Deterministic stand-in for the models: a value per person, empty for some (NaN), as loaded models give.
const unit = (id: number, salt: number) => {
  let h = Math.imul(id ^ Math.imul(salt, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 2 ** 32;
};
const fakePredict = async (frame: { personIds: number[] }): Promise<Predictions> => {
  const col = (salt: number, emptyEvery: number, scale = 1) =>
    Float64Array.from(frame.personIds, (id) => (id % emptyEvery === 0 ? Number.NaN : unit(id, salt) * scale));
  return {
    purchase_probability: col(1, 7),
    churn_probability: col(2, 11),
    predicted_clv: col(3, 5, 2000),
    expected_purchases: col(4, 5, 10),
    p_alive: col(5, 5),
  } as Predictions;
};

beforeAll(async () => {
  dir = tempDir();
  opened = await testStore();
  await loadGeneratedBase(opened, dir, { customers: 2000, days: 240, seed: 23 });
  scorer = new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG, { predict: fakePredict });
  await scorer.refresh();
  ({ app } = await testApp(opened, keys, { scorer }));
  ({ app: bareApp } = await testApp(opened, keys));
});
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// ---- brute force over the scored base, written from the definitions ----

type Row = { i: number; id: string; index: number };
const ALL_TIERS = 'super_user,high,medium,low';

function expectedIds(base: ScoredBase, keep: (i: number) => boolean): string[] {
  const rows: Row[] = [];
  base.scores.forEach((s, i) => {
    if (s.potential && keep(i)) rows.push({ i, id: s.customer_id, index: s.potential.index });
  });
  rows.sort((a, b) => b.index - a.index || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return rows.map((r) => r.id);
}
const prediction = (base: ScoredBase, name: string, i: number): number | null => {
  const v = (base.predictions as Record<string, ArrayLike<number>> | undefined)?.[name]?.[i];
  return v === undefined || Number.isNaN(v) ? null : v;
};
const rounded = (v: number | null, digits: number) => (v === null ? null : Number(v.toFixed(digits)));
const tagsOf = (base: ScoredBase, i: number) => base.scores[i]!.tags.map((t) => t.tag);
const hasTag = (tags: string[], w: string) => tags.some((t) => t === w || t.startsWith(`${w}:`));
const tierIn = (base: ScoredBase, i: number, tiers: string[]) => tiers.includes(base.scores[i]!.potential_tier!);
const consented = (base: ScoredBase, i: number, c: keyof typeof CONSENT_BIT) => (base.consents[i]! & CONSENT_BIT[c]) !== 0;

/** Every item of a JSON list, following next_cursor. */
async function walk(query: string, limit = 1000, via = app): Promise<{ items: AudienceMember[]; pages: number; totals: Set<number> }> {
  const items: AudienceMember[] = [];
  const totals = new Set<number>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url = `/v1/audiences?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await via.request(url, { headers: { authorization: `Bearer ${tokens.audiences}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items.length).toBeLessThanOrEqual(limit);
    items.push(...body.items);
    totals.add(body.total);
    cursor = body.next_cursor;
    pages++;
  } while (cursor && pages < 10_000);
  return { items, pages, totals };
}


/** A CSV row back to the member it was written from. */
function memberFromCsv(header: string[], cells: string[]): AudienceMember {
  const o = Object.fromEntries(header.map((h, k) => [h, cells[k]!]));
  const num = (v: string) => (v === '' ? null : Number(v));
  const str = <T,>(v: string) => (v === '' ? null : (v as T));
  return {
    customer_id: o.customer_id!,
    potential_tier: o.potential_tier as AudienceMember['potential_tier'],
    potential_index: Number(o.potential_index),
    super_user_score: num(o.super_user_score!),
    lifecycle_segment: str(o.lifecycle_segment!),
    value_tier: str(o.value_tier!),
    rfm_score: str(o.rfm_score!),
    rfm_segment: str(o.rfm_segment!),
    purchase_probability: num(o.purchase_probability!),
    churn_probability: num(o.churn_probability!),
    predicted_clv: num(o.predicted_clv!),
    expected_purchases: num(o.expected_purchases!),
    p_alive: num(o.p_alive!),
    tags: o.tags === '' ? [] : o.tags!.split('|'),
    consents: Object.fromEntries(CONSENT_CHANNELS.map((c) => [c, o.consents!.split('|').includes(c)])) as AudienceMember['consents'],
  };
}

describe('GET /v1/audiences (JSON)', () => {
  it('lists the super_user and high tiers by default, by potential index then customer id, with the total and as_of', async () => {
    const base = scorer.current!;
    const expected = expectedIds(base, (i) => tierIn(base, i, ['super_user', 'high']));
    expect(expected.length).toBeGreaterThan(100);
    const res = await get('/v1/audiences');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body.as_of).toBe(base.asOf);
    expect(body.total).toBe(expected.length);
    expect(body.items.map((m: AudienceMember) => m.customer_id)).toEqual(expected.slice(0, 100));
    expect(typeof body.next_cursor).toBe('string');
    const first = body.items[0] as AudienceMember;
    const i = base.indexByCustomer.get(first.customer_id)!;
    const s = base.scores[i]!;
    expect(first).toEqual({
      customer_id: s.customer_id,
      potential_tier: s.potential_tier,
      potential_index: roundTo(s.potential!.index, 2),
      super_user_score: roundTo(s.super_user_score!, 2),
      lifecycle_segment: s.lifecycle_segment,
      value_tier: s.value_tier,
      rfm_score: s.rfm_score,
      rfm_segment: s.rfm_segment,
      // Rounded as in the score file: probabilities 6 decimals, expected purchases 4, CLV and scores 2.
      purchase_probability: rounded(prediction(base, 'purchase_probability', i), 6),
      churn_probability: rounded(prediction(base, 'churn_probability', i), 6),
      predicted_clv: rounded(prediction(base, 'predicted_clv', i), 2),
      expected_purchases: rounded(prediction(base, 'expected_purchases', i), 4),
      p_alive: rounded(prediction(base, 'p_alive', i), 6),
      tags: tagsOf(base, i),
      consents: Object.fromEntries(CONSENT_CHANNELS.map((c) => [c, consented(base, i, c)])),
    });
  });

  const cases: [string, (base: ScoredBase, i: number) => boolean][] = [
    [`tier=medium,low`, (b, i) => tierIn(b, i, ['medium', 'low'])],
    [`tier=${ALL_TIERS}&min_purchase_probability=0.6`, (b, i) => (prediction(b, 'purchase_probability', i) ?? -1) >= 0.6],
    [`tier=${ALL_TIERS}&max_churn_probability=0.25`, (b, i) => { const v = prediction(b, 'churn_probability', i); return v !== null && v <= 0.25; }],
    [`tier=${ALL_TIERS}&min_churn_probability=0.2&max_churn_probability=0.6`, (b, i) => { const v = prediction(b, 'churn_probability', i); return v !== null && v >= 0.2 && v <= 0.6; }],
    [`tier=${ALL_TIERS}&min_predicted_clv=1500`, (b, i) => (prediction(b, 'predicted_clv', i) ?? -1) >= 1500],
    [`tier=${ALL_TIERS}&min_super_user_score=45`, (b, i) => (b.scores[i]!.super_user_score ?? -1) >= 45],
    [`tier=${ALL_TIERS}&min_potential_index=50`, (b, i) => b.scores[i]!.potential!.index >= 50],
    [`tier=${ALL_TIERS}&lifecycle_segment=core,dozing`, (b, i) => ['core', 'dozing'].includes(b.scores[i]!.lifecycle_segment!)],
    [`tier=${ALL_TIERS}&value_tier=diamond,gold`, (b, i) => ['diamond', 'gold'].includes(b.scores[i]!.value_tier!)],
    [`tier=${ALL_TIERS}&rfm_segment=champions`, (b, i) => b.scores[i]!.rfm_segment === 'champions'],
    [`tier=${ALL_TIERS}&tags=category_fan`, (b, i) => hasTag(tagsOf(b, i), 'category_fan')],
    [`tier=${ALL_TIERS}&tags=referrer,app_heavy`, (b, i) => hasTag(tagsOf(b, i), 'referrer') || hasTag(tagsOf(b, i), 'app_heavy')],
    [`tier=${ALL_TIERS}&exclude_tags=referrer,category_fan`, (b, i) => !hasTag(tagsOf(b, i), 'referrer') && !hasTag(tagsOf(b, i), 'category_fan')],
    [`tier=${ALL_TIERS}&consent=email`, (b, i) => consented(b, i, 'email')],
    [`tier=${ALL_TIERS}&consent=sms,push`, (b, i) => consented(b, i, 'sms') && consented(b, i, 'push')],
    [
      `min_purchase_probability=0.3&max_churn_probability=0.8&consent=email&lifecycle_segment=core,new,dozing`,
      (b, i) =>
        tierIn(b, i, ['super_user', 'high']) &&
        (prediction(b, 'purchase_probability', i) ?? -1) >= 0.3 &&
        (prediction(b, 'churn_probability', i) ?? 2) <= 0.8 &&
        consented(b, i, 'email') &&
        ['core', 'new', 'dozing'].includes(b.scores[i]!.lifecycle_segment!),
    ],
  ];
  it.each(cases)('%s lists exactly what a brute-force filter over the scored base gives', async (query, keep) => {
    const base = scorer.current!;
    const expected = expectedIds(base, (i) => keep(base, i) && (query.includes('tier=') || tierIn(base, i, ['super_user', 'high'])));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(base.scores.filter((s) => s.potential).length);
    const { items, totals } = await walk(query);
    expect(items.map((m) => m.customer_id)).toEqual(expected);
    expect([...totals]).toEqual([expected.length]);
  });

  it('matches a tag id exactly and with its labels: a labelled tag only itself', async () => {
    const base = scorer.current!;
    const labelled = base.scores.flatMap((s) => s.tags.map((t) => t.tag)).find((t) => t.includes(':'))!;
    expect(labelled).toBeDefined();
    const { items } = await walk(`tier=${ALL_TIERS}&tags=${encodeURIComponent(labelled)}`);
    expect(items.map((m) => m.customer_id)).toEqual(expectedIds(base, (i) => tagsOf(base, i).includes(labelled)));
  });

  it('lets nobody through a prediction filter when no models are loaded (an empty value never matches)', async () => {
    const all = await walk(`tier=${ALL_TIERS}`, 1000, bareApp);
    expect(all.items.length).toBeGreaterThan(0);
    expect(all.items.every((m) => m.purchase_probability === null)).toBe(true);
    for (const q of ['min_purchase_probability=0', 'max_churn_probability=1', 'min_predicted_clv=0']) {
      const res = await bareApp.request(`/v1/audiences?tier=${ALL_TIERS}&${q}`, { headers: { authorization: `Bearer ${tokens.audiences}` } });
      expect((await res.json()).total).toBe(0);
    }
  });

  it('walks every matching row exactly once, in order, through next_cursor (null on the last page)', async () => {
    const base = scorer.current!;
    const expected = expectedIds(base, () => true);
    const { items, pages, totals } = await walk(`tier=${ALL_TIERS}`, 37);
    expect(items.map((m) => m.customer_id)).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 37));
    expect([...totals]).toEqual([expected.length]);
  });

  it('pages on across a rescoring that moved no one, and refuses (409 naming query.cursor) a cursor from before one that did', async () => {
    const first = await (await get('/v1/audiences?limit=50')).json();
    const before = scorer.current!;
    await scorer.refresh();
    expect(scorer.current).not.toBe(before);
    const quiet = scorer.current!;
    const second = await get(`/v1/audiences?limit=50&cursor=${first.next_cursor}`);
    expect(second.status).toBe(200);
    const expectedQuiet = expectedIds(quiet, (i) => tierIn(quiet, i, ['super_user', 'high']));
    expect((await second.json()).items.map((m: AudienceMember) => m.customer_id)).toEqual(expectedQuiet.slice(50, 100));

    // A low-potential customer buys a lot: their index moves, and the audience order with it.
    const mover = quiet.scores.find((x) => x.potential !== null && x.potential.index < 30)!;
    await ingestRows(opened, Array.from({ length: 20 }, (_, k) => ({ customer_id: mover.customer_id, type: 'purchase', ts: `${quiet.asOf}T${String(k).padStart(2, '0')}:00:00Z`, amount: '900' })));
    await scorer.refresh();
    const stale = await get(`/v1/audiences?limit=50&cursor=${first.next_cursor}`);
    expect(stale.status).toBe(409);
    const body = await stale.json();
    expect(body.error.code).toBe('conflict');
    expect(body.error.issues).toEqual([{ path: ['query', 'cursor'], message: 'from an earlier scoring of the base' }]);
    expect((await get(`/v1/audiences?format=csv&cursor=${first.next_cursor}`)).status).toBe(409);
    const after = scorer.current!;
    const expected = expectedIds(after, (i) => tierIn(after, i, ['super_user', 'high']));
    const restart = await (await get('/v1/audiences?limit=50')).json();
    const next = await (await get(`/v1/audiences?limit=50&cursor=${restart.next_cursor}`)).json();
    expect(next.items.map((m: AudienceMember) => m.customer_id)).toEqual(expected.slice(50, 100));
  });
});

describe('GET /v1/audiences (exports)', () => {
  it('exports CSV and NDJSON that parse back to the same rows as the JSON pages', async () => {
    const query = `tier=${ALL_TIERS}&max_churn_probability=0.9`;
    const { items } = await walk(query);
    expect(items.length).toBeGreaterThan(500);

    const csv = await get(`/v1/audiences?${query}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = parseCsv(await csv.text());
    expect(header).toEqual(AUDIENCE_CSV_COLUMNS);
    expect(rows.map((r) => memberFromCsv(header!, r))).toEqual(items);

    const nd = await get(`/v1/audiences?${query}&format=ndjson`);
    expect(nd.headers.get('content-type')).toBe('application/x-ndjson');
    const text = await nd.text();
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(items);
  });

  it('chooses the format by Accept header, and the format parameter wins over it', async () => {
    const type = async (url: string, accept?: string) => (await get(url, accept ? { accept } : {})).headers.get('content-type');
    expect(await type('/v1/audiences?limit=5', 'text/csv')).toBe('text/csv; charset=utf-8');
    expect(await type('/v1/audiences?limit=5', 'application/x-ndjson')).toBe('application/x-ndjson');
    expect(await type('/v1/audiences?limit=5', 'application/json')).toMatch(/^application\/json/);
    expect(await type('/v1/audiences?limit=5', '*/*')).toMatch(/^application\/json/);
    expect(await type('/v1/audiences?limit=5', 'text/csv;q=0.4, application/x-ndjson;q=0.9')).toBe('application/x-ndjson');
    expect(await type('/v1/audiences?limit=5&format=json', 'text/csv')).toMatch(/^application\/json/);
    expect(await type('/v1/audiences?limit=5&format=ndjson', 'text/csv')).toBe('application/x-ndjson');
    const res = await get('/v1/audiences?limit=5', { accept: 'text/csv' });
    expect(res.headers.get('vary')?.toLowerCase()).toContain('accept');
  });

  it('names the file after as_of and reports the total, the rows in the export and a cursor for the rest', async () => {
    const base = scorer.current!;
    const expected = expectedIds(base, () => true);
    const res = await get(`/v1/audiences?tier=${ALL_TIERS}&format=csv&limit=700`);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="audience-${base.asOf}.csv"`);
    expect(res.headers.get('x-total-count')).toBe(String(expected.length));
    expect(res.headers.get('x-export-rows')).toBe('700');
    const head = parseCsv(await res.text()).slice(1).map((r) => r[0]);
    expect(head).toEqual(expected.slice(0, 700));
    const rest = await get(`/v1/audiences?tier=${ALL_TIERS}&format=ndjson&cursor=${res.headers.get('x-next-cursor')}`);
    expect(rest.headers.get('content-disposition')).toBe(`attachment; filename="audience-${base.asOf}.ndjson"`);
    expect(rest.headers.get('x-next-cursor')).toBeNull();
    const tail = (await rest.text()).trimEnd().split('\n').map((l) => JSON.parse(l).customer_id);
    expect(tail).toEqual(expected.slice(700));
  });

  it('streams the export: the body is a stream that arrives in more than one chunk', async () => {
    const res = await get(`/v1/audiences?tier=${ALL_TIERS}`, { accept: 'text/csv' });
    expect(res.body).toBeInstanceOf(ReadableStream);
    const reader = res.body!.getReader();
    const sizes: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sizes.push(value.byteLength);
    }
    const rows = Number(res.headers.get('x-export-rows'));
    expect(rows).toBeGreaterThan(1500);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThan(sizes.reduce((a, b) => a + b, 0));
  });

  it('answers a header-only CSV and an empty NDJSON body when nobody matches', async () => {
    const csv = await (await get('/v1/audiences?tier=low&min_potential_index=100&format=csv')).text();
    expect(parseCsv(csv)).toEqual([AUDIENCE_CSV_COLUMNS]);
    expect(await (await get('/v1/audiences?tier=low&min_potential_index=100&format=ndjson')).text()).toBe('');
  });

  it('carries no e-mail address or phone number anywhere, in any format', async () => {
    const read = (file: string) => parseCsv(fs.readFileSync(path.join(dir, file), 'utf8').replaceAll(/\r?\n/g, '\r\n'));
    const contacts = new Set<string>();
    for (const file of ['customers.csv', 'events.csv']) {
      const [header, ...rows] = read(file);
      const cols = ['email', 'phone'].map((c) => header!.indexOf(c)).filter((k) => k >= 0);
      for (const r of rows) for (const k of cols) if (r[k] && r[k]!.length >= 6) contacts.add(r[k]!.trim());
    }
    expect(contacts.size).toBeGreaterThan(100);
    const { items } = await walk(`tier=${ALL_TIERS}`);
    const fields = new Set(items.flatMap((m) => Object.keys(m)));
    expect([...fields].filter((f) => /email|phone|member|name|address/.test(f))).toEqual([]);
    const bodies = [
      JSON.stringify(items),
      await (await get(`/v1/audiences?tier=${ALL_TIERS}&format=csv`)).text(),
      await (await get(`/v1/audiences?tier=${ALL_TIERS}&format=ndjson`)).text(),
    ];
    for (const body of bodies) {
      expect(body).not.toContain('@');
      // Every value of every row, as written (a contact could only leak as a whole value).
      const values = new Set(body.split(/[,"\r\n|{}[\]:]/).map((v) => v.trim()));
      const leaked = [...contacts].filter((c) => values.has(c));
      expect(leaked).toEqual([]);
    }
    expect(AUDIENCE_CSV_COLUMNS.filter((c) => /email|phone|member/.test(c))).toEqual([]);
  });
});

describe('GET /v1/audiences (errors and access)', () => {
  const cursor = Buffer.from('{"not":"a cursor"}').toString('base64url');
  it.each([
    ['tier=gold', ['query', 'tier']],
    ['tier=', ['query', 'tier']],
    ['min_purchase_probability=1.5', ['query', 'min_purchase_probability']],
    ['max_churn_probability=abc', ['query', 'max_churn_probability']],
    ['min_super_user_score=-1', ['query', 'min_super_user_score']],
    ['lifecycle_segment=awake', ['query', 'lifecycle_segment']],
    ['value_tier=platinum', ['query', 'value_tier']],
    ['consent=fax', ['query', 'consent']],
    ['limit=0', ['query', 'limit']],
    ['limit=1001', ['query', 'limit']],
    ['limit=ten', ['query', 'limit']],
    ['limit=5&limit=6', ['query', 'limit']],
    ['format=xml', ['query', 'format']],
    ['cursor=%%%', ['query', 'cursor']],
    [`cursor=${cursor}`, ['query', 'cursor']],
    ['min_churn_probability=0.7&max_churn_probability=0.2', ['query', 'min_churn_probability']],
    ['min_purchase_prob=0.5', ['query', 'min_purchase_prob']],
    ['segment=core', ['query', 'segment']],
  ] as const)('%s → 400 naming %j', async (query, path) => {
    const res = await get(`/v1/audiences?${query}`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.issues.map((i: { path: unknown }) => i.path)).toContainEqual([...path]);
    expect(body.error.issues.every((i: { path: unknown[]; message: string }) => i.path[0] === 'query' && i.message.length > 0)).toBe(true);
  });

  it('takes more than a JSON page in one export', async () => {
    const res = await get(`/v1/audiences?tier=${ALL_TIERS}&limit=1500&format=ndjson`);
    expect(res.status).toBe(200);
    expect((await res.text()).trimEnd().split('\n')).toHaveLength(1500);
  });

  it('answers 401 without a valid key and 403 with a key lacking audiences:read, before looking at the query', async () => {
    expect((await get('/v1/audiences', {}, null)).status).toBe(401);
    expect((await get('/v1/audiences?format=csv', {}, 'pk_nope_nope')).status).toBe(401);
    expect((await get('/v1/audiences?bogus=1', {}, null)).status).toBe(401);
    const forbidden = await get('/v1/audiences', {}, tokens.reader);
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error.code).toBe('forbidden');
    expect((await get('/v1/audiences?limit=1', {}, tokens.admin)).status).toBe(200);
  });

  it('answers 404 in the envelope while nothing has been scored (empty store)', async () => {
    const empty = await testStore();
    try {
      const { app: emptyApp } = await testApp(empty, keys);
      const res = await emptyApp.request('/v1/audiences', { headers: { authorization: `Bearer ${tokens.audiences}` } });
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    } finally {
      empty.store.close();
    }
  });

  it('is described once in /openapi.json with its parameters and all three media types', async () => {
    const doc = await (await app.request('/openapi.json')).json();
    const op = doc.paths['/v1/audiences'].get;
    expect(Object.keys(op.responses['200'].content).sort()).toEqual(['application/json', 'application/x-ndjson', 'text/csv']);
    const params = op.parameters.map((p: { name: string }) => p.name);
    for (const name of ['tier', 'min_purchase_probability', 'max_churn_probability', 'min_super_user_score', 'lifecycle_segment', 'value_tier', 'tags', 'consent', 'limit', 'cursor', 'format']) {
      expect(params).toContain(name);
    }
    expect(op.parameters.find((p: { name: string }) => p.name === 'min_purchase_probability').schema).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
    expect(op.security).toEqual([{ bearerAuth: ['audiences:read'] }]);
  });
});
