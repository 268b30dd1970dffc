import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FeatureSpec } from '../../features/schema.js';
import { CLV_FEATURE_SCHEMA } from '../feature-schemas.js';
import type { ModelTarget, RegisterMetadataInput } from './metadata.js';
import type { ModelRegistry } from './registry.js';

export const SMALL_SCHEMA: FeatureSpec[] = [
  { name: 'recency_days', description: 'days since the latest purchase', window: null, type: 'days' },
  { name: 'purchases_90', description: 'purchases in the last 90 days', window: 90, type: 'count' },
  { name: 'revenue_all', description: 'revenue over all history', window: null, type: 'amount' },
];

export async function tempDir(prefix = 'propel-registry-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

const metrics = (auc: number, logLoss = 0.5) => ({ auc, pr_auc: 0.4, log_loss: logLoss, brier: 0.15, lift_top_decile: 2.5, base_rate: 0.2 });

/** Metadata as a trainer would pass it to register(). */
export function metadataFor(
  target: ModelTarget,
  opts: { beatsBaseline?: boolean; auc?: number; baselineAuc?: number; logLoss?: number; baselineLogLoss?: number; schema?: FeatureSpec[] } = {},
): RegisterMetadataInput {
  const common = {
    backend: 'cpu',
    as_of: '2026-11-01',
    data_fingerprint: 'events:1000:2026-11-01',
    training: { cutoffs: ['2026-08-03', '2026-09-02'], rows: 1000, positives: target === 'clv' ? null : 200, seconds: 1.5 },
  };
  if (target === 'clv') {
    return {
      ...common,
      kind: 'bg_nbd+gamma_gamma',
      label: { definition: { horizonDays: 365 }, sentence: 'expected margin over the next 365 days' },
      cutoff: null,
      feature_schema: [...(opts.schema ?? CLV_FEATURE_SCHEMA)],
      horizon_days: 365,
      metrics: { fit: { log_likelihood: -1234.5, converged: true } },
      beats_baseline: opts.beatsBaseline ?? true,
      details: { params: { r: 0.24, alpha: 4.4, a: 0.79, b: 2.4, p: 6.2, q: 3.7, v: 15, time_unit: 'week' } },
    };
  }
  return {
    ...common,
    kind: 'logistic',
    feature_schema: opts.schema ?? SMALL_SCHEMA,
    label: { definition: { target, horizonDays: 30 }, sentence: `1 if the customer does the ${target} thing` },
    cutoff: '2026-10-02',
    horizon_days: 30,
    metrics: { model: metrics(opts.auc ?? 0.8, opts.logLoss), baseline: metrics(opts.baselineAuc ?? 0.7, opts.baselineLogLoss) },
    beats_baseline: opts.beatsBaseline ?? true,
  };
}

/** Creates a version, writes model.json + weights.bin (+ a nested file) into it and registers it. */
export async function trainFake(
  registry: ModelRegistry,
  target: ModelTarget,
  opts: Parameters<typeof metadataFor>[1] & { now?: Date } = {},
): Promise<{ version: string; dir: string }> {
  const { version, dir } = await registry.newVersionDir(target, opts.now);
  await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [] }));
  await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  await fs.mkdir(path.join(dir, 'extra'));
  await fs.writeFile(path.join(dir, 'extra', 'scaler.json'), '{"mean":[0,1,2]}');
  await registry.register(target, version, metadataFor(target, opts));
  return { version, dir };
}
