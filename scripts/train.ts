import { log, parseCommand, runCommand } from '../src/cli/common.js';
import { ValidationError } from '../src/domain/errors.js';
import { parseAsOf } from '../src/features/as-of.js';
import { runTraining } from '../src/ml/train/run.js';
import type { ModelTarget } from '../src/ml/registry/metadata.js';
import { openStore } from '../src/store/open.js';

const USAGE = `Usage: npm run train -- --target purchase|churn|clv|all [options]
  --horizon DAYS   label horizon (purchase 30, churn 90, clv 365 by default)
  --as-of DATE     use events up to the end of that day (default: the latest event day)
  --cutoff DATE    the validation cutoff (default: as-of − horizon)
  --no-promote     register the new version without making it current
  --force          promote even when it does not beat the rule baseline
  --seed N         training seed (default 42)
  --db PATH --models DIR --json`;

const { common, values } = parseCommand(
  process.argv.slice(2),
  {
    target: { type: 'string' },
    horizon: { type: 'string' },
    'as-of': { type: 'string' },
    cutoff: { type: 'string' },
    'no-promote': { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    seed: { type: 'string' },
  },
  USAGE,
);

await runCommand(common.json, async () => {
  const target = values.target as string | undefined;
  const targets: ModelTarget[] =
    target === 'all' ? ['purchase', 'churn', 'clv'] : target === 'purchase' || target === 'churn' || target === 'clv' ? [target] : [];
  if (targets.length === 0) throw new ValidationError(`--target must be purchase, churn, clv or all\n\n${USAGE}`, [{ path: ['target'], message: 'required' }]);
  const horizon = values.horizon === undefined ? undefined : Number(values.horizon);
  if (horizon !== undefined && !(Number.isInteger(horizon) && horizon > 0)) {
    throw new ValidationError('--horizon must be a whole number of days', [{ path: ['horizon'], message: `got '${String(values.horizon)}'` }]);
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const { store } = await openStore(common.db, common.env);
  try {
    const results = await runTraining(
      store,
      common.models,
      {
        targets,
        ...(horizon ? { horizonDays: horizon } : {}),
        ...(values['as-of'] ? { asOf: parseAsOf(values['as-of'] as string, 'as-of') } : {}),
        ...(values.cutoff ? { cutoff: parseAsOf(values.cutoff as string, 'cutoff') } : {}),
        ...(seed !== undefined ? { seed } : {}),
        promote: values['no-promote'] ? 'never' : values.force ? 'force' : 'if_better',
      },
      log,
    );
    const summary = results.length === 1 ? results[0] : Object.fromEntries(results.map((r) => [r.target, r]));
    const text = results
      .map((r) => {
        const m = r.metrics as { auc?: number; baseline?: { auc?: number } } | undefined;
        const vs = m?.auc !== undefined ? ` AUC ${m.auc?.toFixed(4)} vs baseline ${m.baseline?.auc?.toFixed(4)}` : '';
        return `${r.target}: ${r.version} (${r.kind}, ${r.backend})${vs}${r.promoted ? ', promoted' : ', not promoted'}${r.report ? `\n  report: ${r.report}` : ''}`;
      })
      .join('\n');
    return { summary, text };
  } finally {
    store.close();
  }
});
