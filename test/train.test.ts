import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFeatures } from '../src/features/build.js';
import { latestEventDay } from '../src/features/as-of.js';
import { generate } from '../src/generate/generate.js';
import { ingestCustomers, ingestEvents } from '../src/ingest/ingest.js';
import { ModelRegistry } from '../src/ml/registry/registry.js';
import { PropensityModel } from '../src/ml/train/propensity-artifact.js';
import { runTraining, type TargetResult } from '../src/ml/train/run.js';
import type { OpenedStore } from '../src/store/open.js';
import { tempDir, testStore } from './helpers.js';

let dir: string;
let opened: OpenedStore;
let models: string;
let results: TargetResult[];

beforeAll(async () => {
  dir = tempDir();
  models = path.join(dir, 'models');
  opened = await testStore();
  const out = path.join(dir, 'events.csv');
  const customersOut = path.join(dir, 'customers.csv');
  await generate({ customers: 1500, days: 365, seed: 3, out, customersOut });
  const shared = { identity: opened.identity, origin: 'cli' as const };
  await ingestCustomers(opened.store, { ...shared, source: { kind: 'file', file: customersOut, format: 'csv' } });
  await ingestEvents(opened.store, { ...shared, source: { kind: 'file', file: out, format: 'csv' } });
  results = await runTraining(opened.store, models, { targets: ['purchase', 'churn'], promote: 'if_better' }, () => undefined);
}, 240_000);
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('purchase and churn models on generated data', () => {
  it('beat the rule baseline on AUC, are promoted, and report the contract metrics', () => {
    for (const r of results) {
      const m = r.metrics as Record<string, number> & { baseline: Record<string, number> };
      for (const key of ['auc', 'pr_auc', 'log_loss', 'brier', 'lift_top_decile', 'base_rate']) {
        expect(Number.isFinite(m[key]), `${r.target} ${key}`).toBe(true);
        expect(Number.isFinite(m.baseline[key]), `${r.target} baseline ${key}`).toBe(true);
      }
      expect(m.auc, r.target).toBeGreaterThan(m.baseline.auc!);
      const report = fs.readFileSync(r.report!, 'utf8');
      expect(report).toContain('<svg');
      expect(report).not.toMatch(/(src|href)="https?:/);
      expect(r.promoted).toBe(true);
      expect(['wasm', 'cpu', 'tensorflow']).toContain(r.backend);
    }
  });

  it('are calibrated: a predicted 0.3 means about 30% on the held-out cutoff', () => {
    for (const r of results) expect((r.metrics as { ece: number }).ece, r.target).toBeLessThan(0.05);
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
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    meta.feature_schema = meta.feature_schema.filter((f: { name: string }) => f.name !== 'recency_days');
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    await expect(PropensityModel.load(registry, 'churn')).rejects.toMatchObject({ code: 'schema_mismatch' });
  });
});
