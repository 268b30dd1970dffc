import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, latestEventDay } from '../../features/as-of.js';
import type { OpenedStore } from '../../store/open.js';
import { loadGeneratedBase, tempDir, testStore } from '../../../test/helpers.js';
import { ModelRegistry } from '../registry/registry.js';
import { loadClvPredictor } from './clv.js';
import { replacementConcern, runTraining, type TrainedTarget } from './run.js';

describe('replacementConcern', () => {
  const serving = { version: 'v0001', horizon_days: 30 };
  it("objects to a model trained as of a day before its store's latest event (a backtest), naming both days", () => {
    expect(replacementConcern({ as_of: '2024-03-31', horizon_days: 30 }, serving, '2024-06-30')).toBe(
      "trained as of 2024-03-31, before the store's latest event day 2024-06-30: a backtest does not replace the serving v0001 on its own",
    );
  });

  it('objects to another horizon; not to a model as of the end of its data, however old that data is', () => {
    expect(replacementConcern({ as_of: '2024-06-30', horizon_days: 90 }, serving, '2024-06-30')).toMatch(/horizon of 90 days differs from the serving v0001's 30/);
    expect(replacementConcern({ as_of: '2011-12-09', horizon_days: 30 }, serving, '2011-12-09')).toBeNull();
  });
});

describe('train promotion against the serving version', () => {
  let dir: string;
  let opened: OpenedStore;
  beforeAll(async () => {
    dir = tempDir();
    opened = await testStore();
    await loadGeneratedBase(opened, dir, { customers: 600, days: 365, seed: 11 });
  }, 60_000);
  afterAll(() => {
    opened.store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('does not let a backtest replace the serving model on its own; --force still does', async () => {
    const models = path.join(dir, 'models');
    const latest = (await latestEventDay(opened.store))!;
    const quiet = () => undefined;
    const [live] = (await runTraining(opened.store, models, { targets: ['clv'], promote: 'if_better' }, quiet)) as TrainedTarget[];
    expect(live!.promoted).toBe(true);
    const [backtest] = (await runTraining(opened.store, models, { targets: ['clv'], asOf: addDays(latest, -60), promote: 'if_better' }, quiet)) as TrainedTarget[];
    expect(backtest!.promoted).toBe(false);
    expect(backtest!.promote_refused).toContain(`before the store's latest event day ${latest}: a backtest does not replace the serving ${live!.version}`);
    const registry = new ModelRegistry(models);
    expect(await registry.current('clv')).toBe(live!.version);
    const [forced] = (await runTraining(opened.store, models, { targets: ['clv'], asOf: addDays(latest, -60), promote: 'force' }, quiet)) as TrainedTarget[];
    expect(forced!.promoted).toBe(true);
    expect(await registry.current('clv')).toBe(forced!.version);
  }, 120_000);

  it("records CLV's feature schema and refuses a version trained under another definition of its spend", async () => {
    const models = path.join(dir, 'models-schema');
    const [clv] = (await runTraining(opened.store, models, { targets: ['clv'], promote: 'force' }, () => undefined)) as TrainedTarget[];
    const registry = new ModelRegistry(models);
    await expect(loadClvPredictor(registry, clv!.version)).resolves.toMatchObject({ version: clv!.version });
    const file = path.join(registry.versionDir('clv', clv!.version), 'metadata.json');
    const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(meta.feature_schema.map((f: { name: string }) => f.name)).toEqual(['clv_frequency', 'clv_recency', 'clv_t', 'clv_monetary']);
    // As a version trained before the spend became net of refunds recorded it.
    for (const f of meta.feature_schema) if (f.name === 'clv_monetary') f.description = 'mean amount per repeat purchase day, the first day excluded (Gamma-Gamma; 0 without repeats)';
    fs.writeFileSync(file, JSON.stringify(meta));
    await expect(loadClvPredictor(registry, clv!.version)).rejects.toMatchObject({ code: 'schema_mismatch' });
  }, 60_000);
});
