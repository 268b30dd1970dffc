import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../src/config/scoring.js';
import { ModelRegistry } from '../src/ml/registry/registry.js';
import { ModelService } from '../src/ml/serving/model-service.js';
import { refusalMessage } from '../src/ml/serving/model-set.js';
import { loadClvPredictor } from '../src/ml/train/clv.js';
import { runTraining } from '../src/ml/train/run.js';
import { CustomerScorer } from '../src/serving/scorer.js';
import type { OpenedStore } from '../src/store/open.js';
import { loadGeneratedBase, tempDir, testApp, testKeys, testStore } from './helpers.js';

/** Start-up with one target's current artifact broken: the other targets still serve. */

let dir: string;
let opened: OpenedStore;
let registry: ModelRegistry;
let trained: { purchase: string; churn: string; clv: string };
const { keys, tokens } = testKeys({ predict: ['predict'], admin: ['admin'] });

beforeAll(async () => {
  dir = tempDir();
  opened = await testStore();
  await loadGeneratedBase(opened, dir, { customers: 600, days: 365, seed: 3 });
  const modelsDir = path.join(dir, 'models');
  const results = await runTraining(opened.store, modelsDir, { targets: ['purchase', 'churn', 'clv'], promote: 'force' }, () => undefined);
  trained = Object.fromEntries(results.map((r) => [r.target, r.version])) as typeof trained;
  registry = new ModelRegistry(modelsDir);
}, 120_000);
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The app as server.ts wires it at start-up. */
async function startService() {
  let scorer!: CustomerScorer;
  const service = await ModelService.start(registry, loadClvPredictor, async () => {
    await scorer.refresh();
  });
  scorer = new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG, service.scorerHooks());
  await scorer.refresh();
  const { app } = await testApp(opened, keys, { scorer, models: service });
  return { service, scorer, app };
}

describe('start-up with a corrupt artifact', () => {
  it('leaves out only the refused target, serves the others, and readiness names the target, version and reason', async () => {
    const weights = path.join(registry.versionDir('purchase', trained.purchase), 'weights.bin');
    const original = fs.readFileSync(weights);
    fs.writeFileSync(weights, original.subarray(0, Math.floor(original.length / 2))); // truncated, as a full disk leaves it
    try {
      const { service, scorer, app } = await startService();
      expect(service.current.versions).toEqual({ purchase: null, churn: trained.churn, clv: trained.clv });
      expect(service.refused).toEqual([expect.objectContaining({ target: 'purchase', version: trained.purchase, code: 'corrupt_artifact' })]);
      const logged = refusalMessage(service.refused[0]!);
      expect(logged).toContain(`purchase model ${trained.purchase} not loaded (corrupt_artifact)`);
      expect(logged).toContain('weights.bin');

      const ready = await app.request('/readyz');
      expect(ready.status).toBe(503);
      const body = await ready.json();
      expect(body).toMatchObject({ status: 'not_ready', checks: { store: true, models: false } });
      expect(body.models.serving).toEqual({ purchase: null, churn: trained.churn, clv: trained.clv });
      expect(body.models.not_serving).toEqual([
        { target: 'purchase', version: trained.purchase, serving: null, code: 'corrupt_artifact', reason: expect.stringContaining('weights.bin') },
      ]);

      // Churn and CLV still answer: a customer active in the churn window gets both, and no purchase probability.
      const base = scorer.current!;
      const churn = base.predictions!.churn_probability!;
      const i = base.scores.findIndex((s, k) => s.rfm_score !== null && Number.isFinite(churn[k]!));
      const id = base.scores[i]!.customer_id;
      const res = await app.request('/v1/predictions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.predict}` },
        body: JSON.stringify({ customer_ids: [id] }),
      });
      const answer = await res.json();
      expect(answer.model_versions).toEqual({ purchase: null, churn: trained.churn, clv: trained.clv });
      expect(answer.results[0].purchase_probability).toBeNull();
      expect(answer.results[0].churn_probability).toBeGreaterThan(0);
      expect(answer.results[0].predicted_clv).toBeGreaterThanOrEqual(0);

      // Once the artifact is repaired a reload serves it and the service is ready.
      fs.writeFileSync(weights, original);
      const reload = await app.request('/v1/models/reload', { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}` } });
      expect(reload.status).toBe(200);
      const again = await app.request('/readyz');
      expect(again.status).toBe(200);
      expect((await again.json()).models.not_serving).toEqual([]);
    } finally {
      fs.writeFileSync(weights, original);
    }
  });

  it('still promotes another target while one is refused, which keeps what it served (nothing)', async () => {
    const weights = path.join(registry.versionDir('purchase', trained.purchase), 'weights.bin');
    const original = fs.readFileSync(weights);
    fs.writeFileSync(weights, original.subarray(0, 10));
    const [retrained] = await runTraining(opened.store, registry.root, { targets: ['clv'], promote: 'never' }, () => undefined);
    const next = retrained!.version!;
    try {
      const { service, app } = await startService();
      expect(service.current.versions.purchase).toBeNull();
      const res = await app.request('/v1/models/clv/promote', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` },
        body: JSON.stringify({ version: next, force: true }),
      });
      expect(res.status).toBe(200);
      expect(service.current.versions).toEqual({ purchase: null, churn: trained.churn, clv: next });
      expect(await registry.current('clv')).toBe(next);
      // Reloading everything still refuses while purchase is broken, and changes nothing.
      const reload = await app.request('/v1/models/reload', { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}` } });
      expect(reload.status).toBe(422);
      expect(service.current.versions).toEqual({ purchase: null, churn: trained.churn, clv: next });
    } finally {
      fs.writeFileSync(weights, original);
      await registry.promote('clv', trained.clv, { force: true, reason: 'test' });
    }
  });

  it('says a version promoted on disk is not loaded yet, and after a refused reload why it was refused, while the current one keeps serving', async () => {
    const { service, app } = await startService();
    const serving = service.current.versions.churn!;
    const [retrained] = await runTraining(opened.store, registry.root, { targets: ['churn'], promote: 'never', seed: 5 }, () => undefined);
    const next = retrained!.version!;
    await registry.promote('churn', next, { force: true, reason: 'test' });
    const notServing = async () => (await (await app.request('/readyz')).json()).models.not_serving;
    try {
      expect(await notServing()).toEqual([{ target: 'churn', version: next, serving, code: 'not_loaded', reason: expect.stringContaining('POST /v1/models/reload') }]);

      const weights = path.join(registry.versionDir('churn', next), 'weights.bin');
      fs.writeFileSync(weights, Buffer.from([1, 2, 3]));
      const reload = await app.request('/v1/models/reload', { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}` } });
      expect(reload.status).toBe(422);
      expect(service.current.versions.churn).toBe(serving);
      expect(await notServing()).toEqual([{ target: 'churn', version: next, serving, code: 'corrupt_artifact', reason: expect.stringContaining('weights.bin') }]);
    } finally {
      await registry.promote('churn', serving, { force: true, reason: 'test' });
    }
  });
});
