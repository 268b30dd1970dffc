import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { trainPropensity } from '../../src/ml/train/propensity.js';
import { openStore } from '../../src/store/open.js';
import { table } from './util.js';

/**
 * Our purchase/churn models against gradient-boosted trees (scikit-learn's
 * HistGradientBoostingClassifier, from Debian's python3-sklearn) on the very same feature rows,
 * cutoffs and validation set. Needs /usr/bin/python3 with sklearn; prints AUCs side by side.
 *   npm run bench -- gbt --db data/retail.duckdb --as-of 2011-09-09 --horizon 90
 */
const PYTHON = `
import sys, numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
d = sys.argv[1]
Xt = np.loadtxt(d + '/xt.csv', delimiter=',', ndmin=2); yt = np.loadtxt(d + '/yt.csv')
Xv = np.loadtxt(d + '/xv.csv', delimiter=',', ndmin=2); yv = np.loadtxt(d + '/yv.csv')
m = HistGradientBoostingClassifier(max_iter=500, learning_rate=0.05, early_stopping=True, validation_fraction=0.2, random_state=0).fit(Xt, yt)
print(roc_auc_score(yv, m.predict_proba(Xv)[:, 1]))
`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, 'as-of': { type: 'string' }, horizon: { type: 'string' } } });
  const { store } = await openStore(values.db ?? 'data/propel.duckdb', { PROPEL_ID_HASH_KEY: process.env.PROPEL_ID_HASH_KEY, PROPEL_PHONE_COUNTRY_CODE: '' });
  const rows: (string | number)[][] = [['target', 'rows', 'propel (tfjs)', 'GBT (sklearn)', 'difference']];
  for (const target of ['purchase', 'churn'] as const) {
    const trained = await trainPropensity(store, {
      target,
      ...(values['as-of'] ? { asOf: values['as-of'] } : {}),
      ...(values.horizon ? { horizonDays: Number(values.horizon) } : {}),
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gbt-'));
    const d = trained.featureNames.length;
    const write = (file: string, X: Float32Array, n: number) =>
      fs.writeFileSync(path.join(dir, file), Array.from({ length: n }, (_, i) => Array.from(X.subarray(i * d, (i + 1) * d), (v) => (Number.isNaN(v) ? 'nan' : String(v))).join(',')).join('\n'));
    write('xt.csv', trained.set.train.X, trained.set.train.n);
    write('xv.csv', trained.set.validation.X, trained.set.validation.n);
    fs.writeFileSync(path.join(dir, 'yt.csv'), Array.from(trained.set.train.y).join('\n'));
    fs.writeFileSync(path.join(dir, 'yv.csv'), Array.from(trained.set.validation.y).join('\n'));
    const gbt = Number(execFileSync('/usr/bin/python3', ['-c', PYTHON, dir]).toString().trim());
    const ours = trained.evaluation.model.rocAuc;
    rows.push([target, trained.set.train.n, ours.toFixed(4), gbt.toFixed(4), (ours - gbt).toFixed(4)]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  store.close();
  process.stdout.write(table(rows) + '\n');
}
