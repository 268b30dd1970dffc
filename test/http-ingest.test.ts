import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.js';
import { EventIdFilter } from '../src/ingest/event-id-filter.js';
import type { OpenedStore } from '../src/store/open.js';
import { testApp, testKeys, testStore } from './helpers.js';

let opened: OpenedStore;
let app: ReturnType<typeof createApp>;
const { keys, tokens } = testKeys({ writer: ['events:write'], reader: ['customers:read'], admin: ['admin'] });

beforeEach(async () => {
  opened = await testStore();
  ({ app } = await testApp(opened, keys, { maxBodyBytes: 64 * 1024 }));
});
afterEach(() => opened.store.close());

const post = (body: unknown, token = tokens.writer) =>
  app.request('/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

describe('POST /v1/events', () => {
  it('lands the valid events and names events[i].field for each invalid one', async () => {
    const res = await post({
      events: [
        { customer_id: 'C1', type: 'purchase', ts: '2024-05-01T10:00:00Z', amount: 20, event_id: 'a' },
        { customer_id: 'C1', type: 'purchase', ts: 'not-a-date', amount: 5 },
        { customer_id: 'C2', type: 'visit', ts: '2024-05-02', colour: 'red' },
        { email: 'x@example.com', type: 'share', ts: '2024-05-03' },
        { customer_id: 'C3', type: 'refund', ts: '2024-05-03' },
        { customer_id: 'C4', type: 'visit', ts: 42 },
      ],
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ read: 6, ingested: 2, rejected: 4 });
    const paths = body.issues.map((i: { path: unknown[] }) => i.path.join('.'));
    expect(paths).toEqual(['events.1.ts', 'events.2.colour', 'events.4.amount', 'events.5.ts']);
    expect(body.issues[1].message).toMatch(/colour/);
    const stored = await opened.store.all<{ n: number }>('SELECT count(*) AS n FROM events');
    expect(stored[0]!.n).toBe(2);
  });

  it('writes requests that arrive together in shared batches, answering each with its own events and issues', async () => {
    const requests = Array.from({ length: 8 }, (_, k) => ({
      events: [
        { customer_id: `G${k}`, type: 'visit', ts: '2024-05-01T10:00:00Z', event_id: `g-${k}` },
        // Every request repeats the first one's event: only the first request stores it.
        { customer_id: 'G0', type: 'visit', ts: '2024-05-01T10:00:00Z', event_id: 'g-0' },
        { customer_id: `G${k}`, type: 'visit', ts: 'not-a-date' },
      ],
    }));
    const bodies = await Promise.all(requests.map(async (body) => (await post(body)).json()));
    const batches = new Set(bodies.map((b) => b.batch_id));
    expect(batches.size).toBeLessThan(requests.length);
    for (const b of bodies) {
      expect(b.requests_in_batch).toBe(bodies.filter((o) => o.batch_id === b.batch_id).length);
      expect(b.issues.map((i: { path: unknown[] }) => i.path.join('.'))).toEqual(['events.2.ts']);
    }
    // The first request holds g-0 twice itself; each of the others holds the first request's g-0.
    for (const b of bodies) expect(b).toMatchObject({ read: 3, ingested: 1, duplicates: 1, rejected: 1 });
    const stored = await opened.store.one<{ n: number }>('SELECT count(*) AS n FROM events');
    expect(Number(stored!.n)).toBe(requests.length);
  });

  it('answers 400 in the error envelope when events is not an array', async () => {
    const res = await post({ events: 'nope' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.issues[0].path).toEqual(['events']);
  });

  it('answers 401 without a valid key and 403 without the events:write scope, storing nothing', async () => {
    const body = { events: [{ customer_id: 'C1', type: 'visit', ts: '2024-01-01' }] };
    expect((await post(body, 'pk_nokey0000_secret')).status).toBe(401);
    expect((await app.request('/v1/events', { method: 'POST', body: JSON.stringify(body) })).status).toBe(401);
    const forbidden = await post(body, tokens.reader);
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error.code).toBe('forbidden');
    expect((await post(body, tokens.admin)).status).toBe(200);
    expect((await opened.store.one<{ n: number }>('SELECT count(*) AS n FROM events'))!.n).toBe(1);
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const res = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` },
      body: '{"events": [',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toMatch(/invalid/);
  });

  it('answers 413 when the body is larger than the limit', async () => {
    const events = Array.from({ length: 2000 }, (_, i) => ({ customer_id: `C${i}`, type: 'visit', ts: '2024-01-01', product_id: 'x'.repeat(40) }));
    const res = await post({ events });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('body_too_large');
  });

  it('adds nothing when the same event_id is sent twice', async () => {
    const event = { event_id: 'same', customer_id: 'C1', type: 'visit', ts: '2024-01-01' };
    await post({ events: [event] });
    const body = await (await post({ events: [event] })).json();
    expect(body).toMatchObject({ ingested: 0, duplicates: 1, rejected: 0 });
  });

  it('adds nothing for a repeated event_id with the stored-id filter the service runs with, either', async () => {
    const event = { event_id: 'same-f', customer_id: 'C1', type: 'visit', ts: '2024-01-01' };
    await post({ events: [{ ...event, event_id: 'before-the-filter' }] });
    const knownEventIds = await EventIdFilter.open(opened.store);
    await knownEventIds.ready;
    const filtered = (await testApp(opened, keys, { knownEventIds })).app;
    const send = async (e: object) =>
      (
        await filtered.request('/v1/events', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` },
          body: JSON.stringify({ events: [e] }),
        })
      ).json();
    expect(await send(event)).toMatchObject({ ingested: 1, duplicates: 0 });
    expect(await send(event)).toMatchObject({ ingested: 0, duplicates: 1 });
    expect(await send({ ...event, event_id: 'before-the-filter' })).toMatchObject({ ingested: 0, duplicates: 1 });
  });
});

describe('service basics', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks.store).toBe(true);
  });

  it('serves an OpenAPI 3.1 document that describes the ingest route', async () => {
    const doc = await (await app.request('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/events'].post).toBeDefined();
    expect(doc.components.schemas.Error).toBeDefined();
    // Every operation has an operationId (generated clients name their calls by it), /metrics included.
    const operations = Object.values<Record<string, { operationId?: string }>>(doc.paths).flatMap((item) => Object.values(item));
    expect(operations.filter((op) => !op.operationId)).toEqual([]);
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
    expect(doc.paths['/metrics'].get.operationId).toBe('getMetrics');
  });

  it('serves /docs with scripts from the installed package, not a CDN', async () => {
    const page = await (await app.request('/docs')).text();
    expect(page).not.toMatch(/https?:\/\//);
    const script = await app.request('/docs/assets/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });

  it('answers unknown routes with a 404 envelope', async () => {
    const res = await app.request('/v1/nothing');
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });

  it('answers 405 with Allow, in the envelope, for a method a known path does not serve', async () => {
    for (const [method, url, allow] of [
      ['DELETE', '/v1/events', 'POST'],
      ['GET', '/v1/events', 'POST'],
      ['PUT', '/v1/customers/C1', 'GET'],
      ['POST', '/v1/customers/C1', 'GET'],
    ] as const) {
      const res = await app.request(url, { method, headers: { authorization: `Bearer ${tokens.writer}` } });
      expect(res.status, `${method} ${url}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect((await res.json()).error.code).toBe('method_not_allowed');
    }
    for (const url of ['/v1/customers/C1/more', '/v1/customers/C1/']) expect((await app.request(url, { method: 'PUT' })).status, url).toBe(404);
  });

  it('answers 415 naming the content-type header when a body is not sent as JSON', async () => {
    const res = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${tokens.writer}` },
      body: JSON.stringify({ events: [] }),
    });
    expect(res.status).toBe(415);
    const { error } = await res.json();
    expect(error.code).toBe('unsupported_media_type');
    expect(error.issues).toEqual([{ path: ['header', 'content-type'], message: "expected application/json, got 'text/plain'" }]);
  });
});
