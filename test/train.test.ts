import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFeatures } from '../src/features/build.js';
import { latestEventDay } from '../src/features/as-of.js';
import { ModelRegistry } from '../src/ml/registry/registry.js';
import { LOG_LOSS_NOISE_SE, PropensityModel } from '../src/ml/train/propensity-artifact.js';
import { runTraining, type TrainedTarget } from '../src/ml/train/run.js';
import type { OpenedStore } from '../src/store/open.js';
import { DEFAULT_SCORING_CONFIG } from '../src/config/scoring.js';
import { ModelService } from '../src/ml/serving/model-service.js';
import { ModelSet, type PredictionExplanations } from '../src/ml/serving/model-set.js';
import { loadClvPredictor } from '../src/ml/train/clv.js';
import { clvPredictor, predictClv, predictClvSteps } from '../src/ml/clv-model/predict.js';
import { runSteps } from '../src/util/steps.js';
import { scoreBase } from '../src/serving/base-scores.js';
import { CustomerScorer } from '../src/serving/scorer.js';
import { writeScoreFile } from '../src/serving/score-file.js';
import { loadGeneratedBase, tempDir, testApp, testKeys, testStore } from './helpers.js';

let dir: string;
let opened: OpenedStore;
let models: string;
let results: TrainedTarget[];

beforeAll(async () => {
  dir = tempDir();
  models = path.join(dir, 'models');
  opened = await testStore();
  await loadGeneratedBase(opened, dir, { customers: 1500, days: 365, seed: 3 });
  const all = await runTraining(opened.store, models, { targets: ['purchase', 'churn', 'clv'], promote: 'if_better' }, () => undefined);
  for (const r of all) expect(r.error, r.target).toBeUndefined();
  results = all as TrainedTarget[];
  // The serving tests below need every target current: one the gate kept out is promoted by hand.
  const registry = new ModelRegistry(models);
  for (const r of results) if (!r.promoted) await registry.promote(r.target, r.version, { force: true, reason: 'test' });
}, 240_000);
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('CLV model on generated data', () => {
  it('reports the contract params, beats the naive holdout forecast and is promoted', () => {
    const clv = results.find((r) => r.target === 'clv')!;
    for (const key of ['r', 'alpha', 'a', 'b', 'p', 'q', 'v']) expect(clv.params![key]).toBeGreaterThan(0);
    expect(clv.params!.time_unit).toBe('days');
    expect(clv.promoted).toBe(true);
  });

  it('fills every model column of the score file and feeds predictions into potential tiers', async () => {
    const set = await ModelSet.loadCurrent(new ModelRegistry(models), loadClvPredictor);
    expect(set.versions).toEqual({ purchase: expect.any(String), churn: expect.any(String), clv: expect.any(String) });
    const asOf = (await latestEventDay(opened.store))!;
    const base = await scoreBase(opened.store, asOf, DEFAULT_SCORING_CONFIG, async (frame) => set.predict(frame));
    const file = path.join(dir, 'scores.csv');
    await writeScoreFile(file, base);
    const rows = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const buyers = rows.filter((r) => r[6] !== '');
    expect(buyers.length).toBeGreaterThan(100);
    const frame = base.frame;
    const inactive = (id: string) => frame.numeric.days_since_last_event![frame.customerIds.indexOf(id)]! > 90;
    for (const r of buyers) {
      // Churn only for customers with an event in the churn model's 90-day active window.
      for (const j of [1, 3, 4, 5]) expect(r[j], `column ${j} of ${r[0]}`).not.toBe('');
      expect(r[2] === '', `churn of ${r[0]}`).toBe(inactive(r[0]!));
      expect(Number(r[4])).toBeLessThanOrEqual(1);
    }
    expect(buyers.filter((r) => r[2] === '').length).toBeGreaterThan(0);
    const withPredictions = base.scores.filter((s) => s.potential?.predictions);
    expect(withPredictions.length).toBe(base.scores.filter((s) => s.potential).length);
    set.dispose();
  });

  it("explains a customer's predictions in the profile: top features up or down, and the CLV sentence", async () => {
    const set = await ModelSet.loadCurrent(new ModelRegistry(models), loadClvPredictor);
    const scorer = new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG, {
      predict: async (frame) => set.predict(frame),
      explain: (frame, i) => set.explain(frame, i),
    });
    const base = (await scorer.refresh())!;
    const buyer = base.scores.find((s) => s.rfm_score !== null)!;
    const profile = await scorer.profile(buyer.customer_id);
    expect(profile.predictions!.purchase_probability).toBeGreaterThan(0);
    expect(profile.predictions!.predicted_clv).toBeGreaterThanOrEqual(0);
    const why = profile.explanations as { purchase_probability: { feature: string; effect: number; direction: string }[]; predicted_clv: string };
    expect(why.purchase_probability).toHaveLength(5);
    for (const e of why.purchase_probability) expect(e.direction).toBe(e.effect >= 0 ? 'up' : 'down');
    expect(why.predicted_clv).toMatch(/P\(alive\)/);
    set.dispose();
  });
  it('predicts, and explains from the input it predicted on, the same in blocks of rows (as a service rescoring between requests) as in one', async () => {
    const set = await ModelSet.loadCurrent(new ModelRegistry(models), loadClvPredictor);
    const frame = await buildFeatures(opened.store, (await latestEventDay(opened.store))!);
    const clv = set.clv as ReturnType<typeof clvPredictor>;
    for (const model of [set.purchase!, set.churn!]) {
      const whole = model.predict(frame);
      const inBlocks = runSteps(model.predictSteps(frame, { keep: true, rowsPerStep: 37 })); // keeps its input for explainAll
      expect(Array.from(inBlocks)).toEqual(Array.from(whole));
      const fromKept = await model.explainAll(frame);
      const fresh = await model.explainAll(frame); // nothing kept now: its own input
      expect(Array.from(fromKept.index)).toEqual(Array.from(fresh.index));
      expect(Array.from(fromKept.effect)).toEqual(Array.from(fresh.effect));
    }
    const clvWhole = predictClv(clv.model, frame);
    const clvBlocks = runSteps(predictClvSteps(clv.model, frame, 37));
    expect(Array.from(clvBlocks.predicted_clv)).toEqual(Array.from(clvWhole.predicted_clv));
    expect(Array.from(clvBlocks.p_alive)).toEqual(Array.from(clvWhole.p_alive));
    set.dispose();
  });

  it('explains customers of the scored base from explanations made in batch at refresh, as the per-customer path would', async () => {
    const set = await ModelSet.loadCurrent(new ModelRegistry(models), loadClvPredictor);
    let perCustomer = 0;
    const scorer = new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG, {
      predict: async (frame) => set.predict(frame),
      explain: (frame, i) => {
        perCustomer++;
        return set.explain(frame, i);
      },
      explainFrame: async (frame) => set.explainFrame(frame),
    });
    const base = (await scorer.refresh())!;
    const buyers = base.scores.filter((s) => s.rfm_score !== null).slice(0, 40);
    const explained = { purchase_probability: 0, churn_probability: 0 };
    let covered = 0;
    for (const buyer of buyers) {
      const i = base.indexByCustomer.get(buyer.customer_id)!;
      const got = (await scorer.profile(buyer.customer_id)).explanations as PredictionExplanations;
      const want = set.explain(base.frame, i);
      for (const target of ['purchase_probability', 'churn_probability'] as const) {
        expect(got[target]?.map((e) => e.feature), `${buyer.customer_id} ${target}`).toEqual(want[target]?.map((e) => e.feature));
        got[target]?.forEach((e, q) => expect(e.effect).toBeCloseTo(want[target]![q]!.effect, 4));
        if ((got[target]?.length ?? 0) > 0) explained[target]++;
      }
      expect(got.predicted_clv).toBe(want.predicted_clv);
      if (set.churn!.covers(base.frame, i)) covered++;
    }
    // Every buyer's purchase probability is explained; churn for those in its population, none other.
    expect(explained.purchase_probability).toBe(buyers.length);
    expect(covered).toBeGreaterThan(0);
    expect(explained.churn_probability).toBe(covered);
    expect(perCustomer).toBe(0);
    set.dispose();
  });
});

describe('purchase and churn models on generated data', () => {
  it('are promoted exactly when they rank better and their log loss is no worse beyond noise (purchase by a clear margin), and report the contract metrics', () => {
    // Purchase must earn promotion here; churn, whose inactivity baseline is strong on a small
    // generated base, is held to the same gate: a better ranking with worse probabilities stays out.
    expect(results.find((r) => r.target === 'purchase')!.promoted).toBe(true);
    for (const r of results.filter((x) => x.target !== 'clv')) {
      const m = r.metrics as Record<string, number> & { baseline: Record<string, number> };
      for (const key of ['auc', 'pr_auc', 'log_loss', 'brier', 'lift_top_decile', 'base_rate']) {
        expect(Number.isFinite(m[key]), `${r.target} ${key}`).toBe(true);
        expect(Number.isFinite(m.baseline[key]), `${r.target} baseline ${key}`).toBe(true);
      }
      // Purchase ranks clearly better (≈0.86 vs 0.79). Churn's margin over its inactivity baseline is
      // within run-to-run noise here (AUC 0.947–0.957 vs 0.949 seen), so for churn the gate's verdict is checked instead.
      if (r.target === 'purchase') expect(m.auc, r.target).toBeGreaterThan(m.baseline.auc! + 0.03);
      const report = fs.readFileSync(r.report!, 'utf8');
      expect(report).toContain('<svg');
      expect(report).not.toMatch(/(src|href)="https?:/);
      const vs = (r.metrics as { log_loss_vs_baseline: { difference: number; standard_error: number } }).log_loss_vs_baseline;
      expect(vs.difference).toBeCloseTo(m.log_loss! - m.baseline.log_loss!, 12);
      expect(r.promoted, r.target).toBe(m.auc! > m.baseline.auc! && !(vs.difference > LOG_LOSS_NOISE_SE * vs.standard_error));
      expect(['wasm', 'cpu', 'tensorflow']).toContain(r.backend);
    }
  });

  it('are calibrated: a predicted 0.3 means about 30% on the held-out cutoff', () => {
    for (const r of results.filter((x) => x.target !== 'clv')) expect((r.metrics as { ece: number }).ece, r.target).toBeLessThan(0.05);
  });

  it('predict the same after a save → load round trip', async () => {
    const registry = new ModelRegistry(models);
    const asOf = (await latestEventDay(opened.store))!;
    const frame = await buildFeatures(opened.store, asOf);
    const a = await PropensityModel.load(registry, 'purchase');
    const b = await PropensityModel.load(registry, 'purchase');
    const pa = a.predict(frame);
    expect(b.predict(frame)).toEqual(pa);
    expect(pa.every((p) => p >= 0 && p <= 1)).toBe(true);
    const why = a.explain(frame, 0, 3);
    expect(why).toHaveLength(3);
    expect(a.featureNames).toContain(why[0]!.feature);
  });

  it('refuse a corrupt weights file and a feature schema that differs from the code', async () => {
    const registry = new ModelRegistry(models);
    const version = (await registry.current('churn'))!;
    const versionDir = registry.versionDir("churn", version);
    const weights = path.join(versionDir, 'weights.bin');
    const original = fs.readFileSync(weights);
    const flipped = Buffer.from(original);
    flipped[10] = flipped[10]! ^ 0xff;
    fs.writeFileSync(weights, flipped);
    await expect(PropensityModel.load(registry, 'churn')).rejects.toMatchObject({ code: 'corrupt_artifact' });
    fs.writeFileSync(weights, original);
    const metaFile = path.join(versionDir, 'metadata.json');
    const metaText = fs.readFileSync(metaFile, 'utf8');
    const meta = JSON.parse(metaText);
    meta.feature_schema = meta.feature_schema.filter((f: { name: string }) => f.name !== 'recency_days');
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    await expect(PropensityModel.load(registry, 'churn')).rejects.toMatchObject({ code: 'schema_mismatch' });
    fs.writeFileSync(metaFile, metaText);
  });
});

describe('models at run time', () => {
  it('keeps the models a rescoring under way predicts with until it has finished, when a reload swaps them', async () => {
    const registry = new ModelRegistry(models);
    let scorer!: CustomerScorer;
    const service = new ModelService(registry, loadClvPredictor, await ModelSet.loadCurrent(registry, loadClvPredictor), async () => {
      await scorer.refresh();
    });
    const old = service.current;
    let predicting!: () => void;
    const inPredict = new Promise<void>((resolve) => (predicting = resolve));
    let release!: () => void;
    const swapped = new Promise<void>((resolve) => (release = resolve));
    let gated = true;
    scorer = new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG, {
      ...service.scorerHooks(),
      // The first rescoring holds the set it started with, and carries on only once a reload has swapped it out.
      predict: async (frame) => {
        const set = service.current;
        if (gated) {
          gated = false;
          predicting();
          await swapped;
        }
        return set.predictInTurns(frame);
      },
    });
    const refreshing = scorer.refresh();
    await inPredict;
    const reloading = service.reload();
    while (service.current === old) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const base = await refreshing;
    expect(base!.predictions?.purchase_probability?.length).toBe(base!.frame.n);
    await reloading;
    expect(service.current).not.toBe(old);
  });
});

describe('models at run time over HTTP', () => {
  it('lists versions, refuses a corrupt artifact on reload and keeps serving the current models', async () => {
    const registry = new ModelRegistry(models);
    const service = new ModelService(registry, loadClvPredictor, await ModelSet.loadCurrent(registry, loadClvPredictor));
    const { keys, tokens } = testKeys({ admin: ['admin'], reader: ['customers:read'] });
    const scorer = new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG, service.scorerHooks());
    await scorer.refresh();
    const { app } = await testApp(opened, keys, { scorer, models: service });
    const call = (method: string, url: string, token = tokens.admin) => app.request(url, { method, headers: { authorization: `Bearer ${token}` } });

    const listed = await (await call('GET', '/v1/models')).json();
    expect(listed.serving).toEqual(service.current.versions);
    expect(listed.versions.length).toBeGreaterThanOrEqual(3);
    expect((await call('GET', '/v1/models', tokens.reader)).status).toBe(403);

    const serving = service.current.versions;
    const dir = registry.versionDir('purchase', serving.purchase!);
    const weights = path.join(dir, 'weights.bin');
    const original = fs.readFileSync(weights);
    fs.writeFileSync(weights, Buffer.concat([original, Buffer.from([1, 2, 3])]));
    const reload = await call('POST', '/v1/models/reload');
    expect(reload.status).toBe(422);
    expect((await reload.json()).error.code).toBe('corrupt_artifact');
    expect(service.current.versions).toEqual(serving);
    const id = scorer.current!.scores.find((s) => s.rfm_score !== null)!.customer_id;
    const profile = await (await call('GET', `/v1/customers/${id}`)).json();
    expect(profile.predictions.purchase_probability).toBeGreaterThan(0);
    // The listing checks the files too, so the broken version shows before anyone tries to serve it.
    const problems = (await (await call('GET', '/v1/models')).json()).problems;
    expect(problems).toEqual([expect.objectContaining({ target: 'purchase', version: serving.purchase, code: 'corrupt_artifact' })]);
    expect(listed.problems).toEqual([]);
    fs.writeFileSync(weights, original);
    expect((await call('POST', '/v1/models/reload')).status).toBe(200);

    const rollback = await call('POST', '/v1/models/churn/rollback');
    expect(rollback.status).toBe(409);
    expect((await rollback.json()).error.code).toBe('no_previous_version');
  });
});
