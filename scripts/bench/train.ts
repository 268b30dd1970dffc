import fs from 'node:fs';
import path from 'node:path';
import { buildFeatures } from '../../src/features/build.js';
import { latestEventDay } from '../../src/features/as-of.js';
import { ModelRegistry } from '../../src/ml/registry/registry.js';
import { trainPropensity } from '../../src/ml/train/propensity.js';
import { PropensityModel, savePropensity } from '../../src/ml/train/propensity-artifact.js';
import { benchStore } from './data.js';
import { table, timed } from './util.js';
import { predictClv, trainClv } from '../../src/ml/clv-model/index.js';

/** Training time for 100k customers and batch scoring rate (target ≥ 200k customers/s), with the backend. */
export async function run(argv: string[]): Promise<void> {
  const customers = Number(argv[0] ?? 100_000);
  const { store } = await benchStore('train', customers);
  const modelsDir = path.resolve('data', 'bench', 'models');
  fs.rmSync(modelsDir, { recursive: true, force: true });
  const registry = new ModelRegistry(modelsDir);
  const rows: (string | number)[][] = [['step', 'customers', 'seconds', 'customers/s', 'note']];
  for (const target of ['purchase', 'churn'] as const) {
    const trained = await timed(() => trainPropensity(store, { target }, (m) => process.stderr.write(m + '\n')));
    const t = trained.result;
    rows.push([`train ${target} (features at ${t.set.train.cutoffs.length + 1} cutoffs, ${t.kind} chosen)`, t.set.train.n, trained.seconds, t.set.train.n / trained.seconds, `AUC ${t.evaluation.model.rocAuc.toFixed(3)} vs baseline ${t.evaluation.baseline.rocAuc.toFixed(3)}, backend ${t.backend}`]);
    const saved = await savePropensity(registry, t);
    t.model.dispose();
    const model = await PropensityModel.load(registry, target, saved.version);
    const asOf = (await latestEventDay(store))!;
    const features = await timed(() => buildFeatures(store, asOf));
    model.predict(features.result); // warm-up
    const scoring = await timed(async () => model.predict(features.result));
    rows.push([`score ${target}: model only (one batch)`, features.result.n, scoring.seconds, features.result.n / scoring.seconds, model.metadata.kind]);
    rows.push([`score ${target}: features + model`, features.result.n, features.seconds + scoring.seconds, features.result.n / (features.seconds + scoring.seconds), '']);
    model.dispose();
  }
  const clvAsOf = (await latestEventDay(store))!;
  const clv = await timed(() => trainClv(store, { asOf: clvAsOf }));
  rows.push(['train clv (BG/NBD + Gamma-Gamma, with holdout refit)', clv.result.data.buyers, clv.seconds, clv.result.data.buyers / clv.seconds, `holdout MAE ${clv.result.evaluation.status === 'ok' ? clv.result.evaluation.model.mae.toFixed(3) : '—'}`]);
  const clvFrame = await buildFeatures(store, clvAsOf);
  const clvScoring = await timed(async () => predictClv(clv.result, clvFrame));
  rows.push(['score clv: model only', clvFrame.n, clvScoring.seconds, clvFrame.n / clvScoring.seconds, '']);
  store.close();
  process.stdout.write(table(rows) + '\ntarget: batch scoring ≥ 200,000 customers/s (model only)\n');
}
