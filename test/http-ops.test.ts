import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedStore } from '../src/store/open.js';
import { ServiceMetrics } from '../src/http/observability.js';
import { ingestRows, testApp, testKeys, testStore } from './helpers.js';

let opened: OpenedStore;
let app: Awaited<ReturnType<typeof testApp>>['app'];
const { keys, tokens } = testKeys({ admin: ['admin'] });

beforeAll(async () => {
  opened = await testStore();
  await ingestRows(opened, [{ customer_id: 'SECRET-ID-42', type: 'purchase', amount: '10', ts: '2024-01-01' }]);
  ({ app } = await testApp(opened, keys));
});
afterAll(() => opened.store.close());

describe('request ids and metrics', () => {
  it('echoes a well-formed x-request-id and replaces a malformed one with a fresh id', async () => {
    const given = await app.request('/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const bad = await app.request('/healthz', { headers: { 'x-request-id': 'no spaces allowed\n' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts requests and latency by route pattern, never by raw path with a customer id', async () => {
    await app.request('/v1/customers/SECRET-ID-42', { headers: { authorization: `Bearer ${tokens.admin}` } });
    await app.request('/v1/customers/SECRET-ID-42');
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(/propel_http_requests_total\{method="GET",route="\/v1\/customers\/:customer_id",status="200"\} 1/);
    expect(text).toMatch(/propel_http_requests_total\{method="GET",route="\/v1\/customers\/:customer_id",status="401"\} 1/);
    expect(text).toMatch(/propel_http_request_duration_seconds_bucket\{le="0.01",method="GET",route="\/v1\/customers\/:customer_id"\}/);
    expect(text).not.toContain('SECRET-ID-42');
  });

  it('counts a body refused before its handler ran under the route it was sent to, and an unknown path as unmatched', async () => {
    const big = JSON.stringify({ events: [], pad: 'x'.repeat(6 * 1024 * 1024) });
    const refused = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(big.length), authorization: `Bearer ${tokens.admin}` },
      body: big,
    });
    expect(refused.status).toBe(413);
    expect((await app.request('/v1/no-such-route')).status).toBe(404);
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(/propel_http_requests_total\{method="POST",route="\/v1\/events",status="413"\} 1/);
    expect(text).toMatch(/propel_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).not.toMatch(/route="\/v1\/\*"/);
  });
});

describe('readiness', () => {
  it('is ready when the store answers; without model operations the models check passes and the scored base is reported', async () => {
    const res = await app.request('/readyz');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ status: 'ready', checks: { store: true, models: true }, scored: { as_of: '2024-01-01', customers: 1 } });
  });

  it('stays ready on an empty store (nothing scored yet, events can still come in) and goes not ready when the store is closed', async () => {
    const empty = await testStore();
    const { app: emptyApp } = await testApp(empty, keys);
    const res = await emptyApp.request('/readyz');
    expect(res.status).toBe(200);
    expect((await res.json()).scored).toEqual({ as_of: null, customers: 0 });
    empty.store.close();
    const closed = await emptyApp.request('/readyz');
    expect(closed.status).toBe(503);
    expect(await closed.json()).toMatchObject({ status: 'not_ready', checks: { store: false, models: true } });
  });

  it('counts predictions per target and version, and nothing for a target without a model', async () => {
    const metrics = new ServiceMetrics();
    metrics.countPredictions({ purchase: 'v0002-x', churn: null, clv: 'v0001-y' }, 7);
    metrics.countPredictions({ purchase: 'v0002-x', churn: null, clv: 'v0001-y' }, 0);
    const text = await metrics.registry.metrics();
    expect(text).toContain('propel_predictions_total{target="purchase",version="v0002-x"} 7');
    expect(text).toContain('propel_predictions_total{target="clv",version="v0001-y"} 7');
    expect(text).not.toContain('target="churn"');
  });
});
