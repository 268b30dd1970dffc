import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedStore } from '../src/store/open.js';
import { loadGeneratedBase, tempDir, testApp, testKeys, testStore } from './helpers.js';

let opened: OpenedStore;
let dir: string;
let app: Awaited<ReturnType<typeof testApp>>['app'];
let scorer: Awaited<ReturnType<typeof testApp>>['scorer'];
const { keys, tokens } = testKeys({ reader: ['customers:read'], writer: ['events:write'], predictor: ['predict'] });
const get = (url: string, token = tokens.reader) => app.request(url, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  dir = tempDir();
  opened = await testStore();
  await loadGeneratedBase(opened, dir, { customers: 300, days: 240, seed: 11 });
  ({ app, scorer } = await testApp(opened, keys));
});
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /v1/customers/{id}', () => {
  it('returns every score with its reason, the tags and the features, equal to the batch scores', async () => {
    const base = scorer.current!;
    const i = base.scores.findIndex((s) => s.rfm_score !== null);
    const id = base.scores[i]!.customer_id;
    const res = await get(`/v1/customers/${id}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.customer_id).toBe(id);
    const { reasons, tags, ...scores } = body.scores;
    const { reasons: _r, tags: batchTags, ...batch } = base.scores[i]!;
    expect(scores).toEqual(batch);
    expect(tags.map((t: { tag: string }) => t.tag)).toEqual(batchTags.map((t) => t.tag));
    expect(reasons.rfm_score).toMatch(/R=\d/);
    expect(reasons.lifecycle_segment.length).toBeGreaterThan(10);
    expect(body.features.purchases_all).toBeGreaterThan(0);
    expect(body.predictions).toBeNull();
    expect(body.explanations).toBeNull();
  });

  it('serves a person known only by e-mail under the anon-<id> the score file lists', async () => {
    const ts = `${scorer.current!.asOf}T08:00:00Z`;
    await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` },
      body: JSON.stringify({ events: [{ email: 'only.mail@example.org', type: 'visit', ts, event_id: 'anon-visit' }] }),
    });
    const person = await opened.store.one<{ person_id: number }>("SELECT person_id FROM events WHERE event_id = 'anon-visit'");
    const res = await get(`/v1/customers/anon-${person!.person_id}`);
    expect(res.status).toBe(200);
    expect((await res.json()).customer_id).toBe(`anon-${person!.person_id}`);
  });

  it('finds a customer asked for with surrounding spaces, as ingest stores the id without them', async () => {
    const id = scorer.current!.scores[0]!.customer_id;
    const res = await get(`/v1/customers/${encodeURIComponent(`  ${id} `)}`);
    expect(res.status).toBe(200);
    expect((await res.json()).customer_id).toBe(id);
  });

  it('answers 404 in the envelope for an unknown customer', async () => {
    const res = await get('/v1/customers/NOPE-404');
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });

  it('answers 401 without a key and 403 with a key lacking customers:read', async () => {
    const id = scorer.current!.scores[0]!.customer_id;
    expect((await app.request(`/v1/customers/${id}`)).status).toBe(401);
    expect((await get(`/v1/customers/${id}`, tokens.predictor)).status).toBe(403);
    expect((await app.request('/v1/summary/segments')).status).toBe(401);
    expect((await get('/v1/summary/funnel', tokens.writer)).status).toBe(403);
  });

  it('counts events sent through the API on the very next request, without a batch rerun', async () => {
    const base = scorer.current!;
    const id = base.scores.find((s) => s.rfm_score !== null)!.customer_id;
    const before = (await (await get(`/v1/customers/${id}`)).json()).features;
    const ts = `${base.asOf}T12:00:00Z`;
    const sent = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` },
      body: JSON.stringify({ events: [{ customer_id: id, type: 'purchase', amount: 42, ts, event_id: 'fresh-1' }] }),
    });
    expect((await sent.json()).ingested).toBe(1);
    const after = (await (await get(`/v1/customers/${id}`)).json()).features;
    expect(after.purchases_all).toBe(before.purchases_all + 1);
    expect(after.revenue_all).toBeCloseTo(before.revenue_all + 42, 6);
    expect(after.recency_days).toBe(0.5);
  });
});

describe('merges through the API', () => {
  const post = (events: object[]) =>
    app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` },
      body: JSON.stringify({ events }),
    });

  it('rebuilds both people of a merge, even when the linking row is an event already stored', async () => {
    const ts = `${scorer.current!.asOf}T07:00:00Z`;
    await post([
      { customer_id: 'MERGE-A', email: 'merge.a@example.org', type: 'purchase', amount: 10, ts, event_id: 'm-a1' },
      { customer_id: 'MERGE-B', email: 'merge.b@example.org', type: 'purchase', amount: 20, ts, event_id: 'm-b1' },
      { customer_id: 'MERGE-B', type: 'purchase', amount: 30, ts, event_id: 'm-b2' },
    ]);
    expect((await (await get('/v1/customers/MERGE-A')).json()).features.purchases_all).toBe(1);
    expect((await (await get('/v1/customers/MERGE-B')).json()).features.purchases_all).toBe(2);
    // The same stored event again, now also naming B's e-mail: nothing new lands, A and B become one.
    const linked = await (await post([{ customer_id: 'MERGE-A', email: 'merge.b@example.org', type: 'purchase', amount: 10, ts, event_id: 'm-a1' }])).json();
    expect(linked).toMatchObject({ ingested: 0, duplicates: 1 });
    const a = await (await get('/v1/customers/MERGE-A')).json();
    const b = await (await get('/v1/customers/MERGE-B')).json();
    expect(a.features.purchases_all).toBe(3);
    expect(b.person_id).toBe(a.person_id);
    expect(b.features.purchases_all).toBe(3);
  });
});

describe('summaries', () => {
  it('reports segment shares that add up, tiers, the Pareto figure and the funnel', async () => {
    const segments = await (await get('/v1/summary/segments')).json();
    const shares = Object.values(segments.lifecycle_segments.groups as Record<string, { share: number }>).reduce((a, g) => a + g.share, 0);
    expect(shares).toBeCloseTo(1, 9);
    expect(Object.keys(segments.value_tiers.groups).sort()).toEqual(['diamond', 'general', 'gold']);
    expect(segments.pareto.top_revenue_share).toBeGreaterThan(0.2);
    const funnel = await (await get('/v1/summary/funnel')).json();
    const reached = funnel.funnel.stages.map((s: { reached: number }) => s.reached);
    expect(reached).toEqual([...reached].sort((a: number, b: number) => b - a)); // each step keeps at most the previous
    expect(funnel.hourglass.loyal_customers).toBeGreaterThan(0);
  });
});
