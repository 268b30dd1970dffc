import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../src/config/scoring.js';
import { ServiceMetrics } from '../src/http/observability.js';
import { MAX_PREDICT_IDS } from '../src/http/routes/predictions.js';
import { ModelRegistry } from '../src/ml/registry/registry.js';
import { ModelService } from '../src/ml/serving/model-service.js';
import { ModelSet } from '../src/ml/serving/model-set.js';
import { loadClvPredictor } from '../src/ml/train/clv.js';
import { runTraining } from '../src/ml/train/run.js';
import { CustomerScorer } from '../src/serving/scorer.js';
import type { OpenedStore } from '../src/store/open.js';
import { loadGeneratedBase, tempDir, testApp, testKeys, testStore } from './helpers.js';

let dir: string;
let opened: OpenedStore;
let registry: ModelRegistry;
let service: ModelService;
let scorer: CustomerScorer;
let metrics: ServiceMetrics;
let app: Awaited<ReturnType<typeof testApp>>['app'];
const { keys, tokens } = testKeys({ predict: ['predict'], reader: ['customers:read'], admin: ['admin'], writer: ['events:write'] });

const COLUMNS = ['purchase_probability', 'churn_probability', 'expected_purchases', 'p_alive', 'predicted_clv'] as const;

beforeAll(async () => {
  dir = tempDir();
  opened = await testStore();
  await loadGeneratedBase(opened, dir, { customers: 600, days: 365, seed: 3 });
  const modelsDir = path.join(dir, 'models');
  await runTraining(opened.store, modelsDir, { targets: ['purchase', 'churn', 'clv'], promote: 'force' }, () => undefined);
  registry = new ModelRegistry(modelsDir);
  // Wired as in server.ts: predictions and explanations from the serving models, the base rescored on a swap.
  service = new ModelService(registry, loadClvPredictor, await ModelSet.loadCurrent(registry, loadClvPredictor), async () => {
    await scorer.refresh();
  });
  scorer = new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG, service.scorerHooks());
  await scorer.refresh();
  metrics = new ServiceMetrics();
  ({ app } = await testApp(opened, keys, { scorer, models: service, metrics }));
}, 120_000);
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const predict = (body: unknown, token: string | null = tokens.predict!) =>
  app.request('/v1/predictions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The scored base's model columns for a customer (an empty value as null). */
function baseRow(customerId: string) {
  const base = scorer.current!;
  const i = base.indexByCustomer.get(customerId)!;
  const columns = base.predictions as Record<string, ArrayLike<number> | undefined>;
  return Object.fromEntries(COLUMNS.map((c) => [c, Number.isNaN(columns[c]?.[i]) || columns[c]?.[i] === undefined ? null : columns[c]![i]!]));
}

/** Customers of the base with a purchase (every model column is filled for them). */
const buyers = (n: number) => scorer.current!.scores.filter((s) => s.rfm_score !== null).slice(0, n).map((s) => s.customer_id);

function counted(text: string, target: string, version: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`propel_predictions_total{target="${target}",version="${version}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('POST /v1/predictions', () => {
  it("answers each customer with the scored base's prediction columns and the serving model versions, in request order", async () => {
    const ids = buyers(4).reverse();
    const res = await predict({ customer_ids: ids });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.model_versions).toEqual(service.current.versions);
    expect(Object.values(body.model_versions).every((v) => typeof v === 'string')).toBe(true);
    expect(body.not_found).toEqual([]);
    expect(body.results.map((r: { customer_id: string }) => r.customer_id)).toEqual(ids);
    for (const r of body.results) {
      const base = scorer.current!;
      expect(r.person_id).toBe(base.frame.personIds[base.indexByCustomer.get(r.customer_id)!]);
      expect(r.as_of).toBe(base.asOf);
      expect(Object.fromEntries(COLUMNS.map((c) => [c, r[c]]))).toEqual(baseRow(r.customer_id));
      expect(r.purchase_probability).toBeGreaterThan(0);
      expect(r.predicted_clv).toBeGreaterThanOrEqual(0);
      expect(r).not.toHaveProperty('explanations');
    }
  });

  it('lists unknown ids in not_found with their position while the known ids are still answered', async () => {
    const [a, b] = buyers(2);
    const body = await (await predict({ customer_ids: ['nobody-1', a, 'nobody-2', b] })).json();
    expect(body.results.map((r: { customer_id: string }) => r.customer_id)).toEqual([a, b]);
    expect(body.not_found).toEqual([
      { index: 0, customer_id: 'nobody-1' },
      { index: 2, customer_id: 'nobody-2' },
    ]);
  });

  it('answers a repeated id once, at its first position', async () => {
    const [a, b] = buyers(2);
    const body = await (await predict({ customer_ids: [a, b, a, 'ghost', 'ghost'] })).json();
    expect(body.results.map((r: { customer_id: string }) => r.customer_id)).toEqual([a, b]);
    expect(body.not_found).toEqual([{ index: 3, customer_id: 'ghost' }]);
  });

  it("with explain, gives each probability's top features (effect sign matches direction) and the CLV sentence", async () => {
    // Buyers active in the churn model's window: it explains only the customers it predicts for.
    const active = scorer.current!.scores.filter((s, i) => s.rfm_score !== null && Number.isFinite(scorer.current!.predictions!.churn_probability![i]!));
    const body = await (await predict({ customer_ids: active.slice(0, 2).map((s) => s.customer_id), explain: true })).json();
    expect(body.results).toHaveLength(2);
    for (const r of body.results) {
      for (const target of ['purchase_probability', 'churn_probability']) {
        const top = r.explanations[target] as { feature: string; effect: number; direction: string }[];
        expect(top).toHaveLength(5);
        for (const e of top) expect(e.direction).toBe(e.effect >= 0 ? 'up' : 'down');
        const sizes = top.map((e) => Math.abs(e.effect));
        expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
      }
      expect(r.explanations.predicted_clv).toMatch(/P\(alive\)/);
    }
  });

  it("leaves churn empty, unexplained and counted as lapsed for customers with no event in the churn model's active window", async () => {
    const base = scorer.current!;
    const window = service.current.churn!.label;
    expect(window).toMatchObject({ target: 'churn', activeWindowDays: 90 });
    const daysSince = base.frame.numeric.days_since_last_event!;
    const pick = (inactive: boolean) =>
      base.frame.customerIds.filter((_, i) => base.scores[i]!.potential !== null && (daysSince[i]! > 90) === inactive).slice(0, 3);
    const [lapsed, active] = [pick(true), pick(false)];
    expect(lapsed).toHaveLength(3);
    expect(active).toHaveLength(3);
    const body = await (await predict({ customer_ids: [...lapsed, ...active], explain: true })).json();
    for (const r of body.results) {
      const isLapsed = lapsed.includes(r.customer_id);
      expect(r.churn_probability === null, r.customer_id).toBe(isLapsed);
      expect(r.purchase_probability).toBeGreaterThan(0);
      expect('churn_probability' in r.explanations).toBe(!isLapsed);
      const profile = await (await app.request(`/v1/customers/${r.customer_id}`, { headers: { authorization: `Bearer ${tokens.reader}` } })).json();
      expect(profile.scores.potential.predictions.lapsed).toBe(isLapsed);
      if (isLapsed) expect(profile.scores.reasons.potential_tier).toContain('retention counted 0');
    }
  });

  it("explains a customer exactly as their profile does: both read the explanations made with the base's predictions", async () => {
    const ids = buyers(3);
    const body = await (await predict({ customer_ids: ids, explain: true })).json();
    for (const [q, id] of ids.entries()) {
      const profile = await (await app.request(`/v1/customers/${id}`, { headers: { authorization: `Bearer ${tokens.reader}` } })).json();
      expect(body.results[q].explanations).toEqual(profile.explanations);
      // Read from the base's table, not computed again per customer (float32 there, float64 per customer).
      const made = service.current.explain(scorer.current!.frame, scorer.current!.indexByCustomer.get(id)!);
      expect(body.results[q].explanations).not.toEqual(made);
    }
  });

  it('answers a customer whose first events arrived over the API after the base was scored', async () => {
    const ingest = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` },
      body: JSON.stringify({
        events: [
          { customer_id: 'NEW-1', type: 'purchase', amount: 40, ts: '2024-11-01T10:00:00Z' },
          { customer_id: 'NEW-1', type: 'purchase', amount: 60, ts: '2024-11-20T10:00:00Z' },
        ],
      }),
    });
    expect((await ingest.json()).ingested).toBe(2);
    const body = await (await predict({ customer_ids: ['NEW-1'] })).json();
    expect(body.not_found).toEqual([]);
    const [r] = body.results;
    expect(r.customer_id).toBe('NEW-1');
    expect(scorer.current!.indexByCustomer.has('NEW-1')).toBe(false);
    expect(r.purchase_probability).toBeGreaterThan(0);
    expect(r.purchase_probability).toBeLessThan(1);
    expect(r.predicted_clv).toBeGreaterThan(0);
  });

  it('refuses a bad body with 400 naming the field path', async () => {
    const cases: [unknown, (string | number)[]][] = [
      [{ customer_ids: Array.from({ length: MAX_PREDICT_IDS + 1 }, (_, i) => `c${i}`) }, ['customer_ids']],
      [{ customer_ids: [] }, ['customer_ids']],
      [{ customer_ids: 'abc' }, ['customer_ids']],
      [{ customer_ids: ['a', 7] }, ['customer_ids', 1]],
      [{ customer_ids: ['a'], explain: 'yes' }, ['explain']],
      [{ customer_ids: ['a'], top: 3 }, ['top']],
      [{}, ['customer_ids']],
    ];
    for (const [body, path] of cases) {
      const res = await predict(body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe('invalid_input');
      expect(error.issues.map((i: { path: unknown[] }) => i.path)).toContainEqual(path);
    }
    const broken = await predict('{"customer_ids": [');
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe('invalid_json');
  });

  it('needs a key with the predict scope: 401 without one, 403 with another scope', async () => {
    const none = await predict({ customer_ids: buyers(1) }, null);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('unauthorized');
    const other = await predict({ customer_ids: buyers(1) }, tokens.reader);
    expect(other.status).toBe(403);
    expect((await other.json()).error.code).toBe('forbidden');
  });

  it('counts the customers predicted per model target and version; unknown ids count nothing', async () => {
    const v = service.current.versions;
    const before = await metrics.registry.metrics();
    await predict({ customer_ids: [...buyers(3), 'nobody'] });
    const after = await (await app.request('/metrics')).text();
    for (const target of ['purchase', 'churn', 'clv']) {
      const version = v[target as keyof typeof v]!;
      expect(counted(after, target, version) - counted(before, target, version), target).toBe(3);
    }
    // A profile with predictions counts one customer as well.
    await app.request(`/v1/customers/${buyers(1)[0]}`, { headers: { authorization: `Bearer ${tokens.reader}` } });
    const profile = await metrics.registry.metrics();
    expect(counted(profile, 'purchase', v.purchase!) - counted(after, 'purchase', v.purchase!)).toBe(1);
  });

  it('is described in /openapi.json with its limit', async () => {
    const doc = await (await app.request('/openapi.json')).json();
    const op = doc.paths['/v1/predictions'].post;
    expect(op.security).toEqual([{ bearerAuth: ['predict'] }]);
    const request = doc.components.schemas.PredictionRequest;
    expect(request.properties.customer_ids.maxItems).toBe(MAX_PREDICT_IDS);
    expect(request.additionalProperties).toBe(false);
    expect(doc.components.schemas.Prediction.properties).toHaveProperty('predicted_clv');
    expect(doc.components.schemas.PredictionResult.properties).toHaveProperty('not_found');
  });
});

describe('readiness with models', () => {
  const ready = async () => {
    const res = await app.request('/readyz');
    return { status: res.status, body: await res.json() };
  };
  const reload = () => app.request('/v1/models/reload', { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}` } });

  it('is not ready while the registry names a version that is not serving (promoted on disk, or failed to load), and ready after a reload', async () => {
    const first = await ready();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'ready', checks: { store: true, models: true }, scored: { as_of: scorer.current!.asOf, customers: scorer.current!.frame.n } });
    expect(first.body.models.serving).toEqual(first.body.models.registry);

    // A new purchase model trained and promoted on disk (as `npm run train` in another process does).
    const serving = service.current.versions.purchase!;
    const [trained] = await runTraining(opened.store, registry.root, { targets: ['purchase'], promote: 'never', seed: 11 }, () => undefined);
    const next = trained!.version!;
    await registry.promote('purchase', next, { force: true, reason: 'test' });
    const stale = await ready();
    expect(stale.status).toBe(503);
    expect(stale.body).toMatchObject({ status: 'not_ready', checks: { store: true, models: false } });
    expect(stale.body.models.registry.purchase).toBe(next);
    expect(stale.body.models.serving.purchase).toBe(serving);

    // Its artifact is broken: the reload is refused, the old model keeps serving, still not ready.
    const weights = path.join(registry.versionDir('purchase', next), 'weights.bin');
    const original = fs.readFileSync(weights);
    fs.writeFileSync(weights, Buffer.concat([original, Buffer.from([1])]));
    const refusedReload = await reload();
    expect(refusedReload.status).toBe(422);
    expect((await refusedReload.json()).error.code).toBe('corrupt_artifact');
    expect(service.current.versions.purchase).toBe(serving);
    expect((await ready()).status).toBe(503);

    fs.writeFileSync(weights, original);
    expect((await reload()).status).toBe(200);
    const again = await ready();
    expect(again.status).toBe(200);
    expect(again.body.models.serving.purchase).toBe(next);

    // Predictions now come from the new version, and the base was rescored with it.
    const ids = buyers(2);
    const body = await (await predict({ customer_ids: ids })).json();
    expect(body.model_versions.purchase).toBe(next);
    for (const r of body.results) expect(r.purchase_probability).toBe(baseRow(r.customer_id).purchase_probability);
  });

  it('promotes the version already serving without reloading the models or rescoring the base', async () => {
    const version = service.current.versions.purchase!;
    const [set, base] = [service.current, scorer.current];
    const res = await app.request('/v1/models/purchase/promote', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` },
      body: JSON.stringify({ version }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version, changed: false });
    expect(service.current).toBe(set);
    expect(scorer.current).toBe(base);
  });
});
