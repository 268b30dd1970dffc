import { dateOption, UsageError, wholeNumberOption } from '../src/cli/args.js';
import { log, runCli } from '../src/cli/common.js';
import { trainExitCode, trainSummary, trainText } from '../src/cli/train-summary.js';
import type { ModelTarget } from '../src/ml/registry/metadata.js';

const USAGE = `Usage: npm run train -- --target purchase|churn|clv|all [options]
  --horizon DAYS   label horizon, 1–3650 (purchase 30, churn 90, clv 365 by default)
  --as-of DATE     use events up to the end of that day (default: the latest event day)
  --cutoff DATE    the validation cutoff (default: as-of − horizon)
  --no-promote     register the new version without making it current
  --force          promote even when it does not beat the rule baseline
  --seed N         training seed, a whole number ≥ 0 (default 42)
  --db PATH --models DIR --json
With --target all, a target that fails is reported in the summary, the others still train, and the exit code is 1.`;

const OPTIONS = {
  target: { type: 'string' },
  horizon: { type: 'string' },
  'as-of': { type: 'string' },
  cutoff: { type: 'string' },
  'no-promote': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  seed: { type: 'string' },
} as const;

const TARGETS: Record<string, ModelTarget[]> = { purchase: ['purchase'], churn: ['churn'], clv: ['clv'], all: ['purchase', 'churn', 'clv'] };

await runCli(process.argv.slice(2), OPTIONS, USAGE, async ({ common, values }) => {
  const target = values.target as string | undefined;
  const targets = target !== undefined && Object.hasOwn(TARGETS, target) ? TARGETS[target] : undefined;
  if (!targets) {
    throw new UsageError('--target must be purchase, churn, clv or all', [{ path: ['target'], message: target === undefined ? 'required' : `got '${target}'` }], USAGE);
  }
  // Every option is checked before the store is opened: a typo costs nothing.
  const horizon = wholeNumberOption('horizon', values.horizon, { min: 1, max: 3650 });
  const seed = wholeNumberOption('seed', values.seed, { min: 0, max: Number.MAX_SAFE_INTEGER });
  const asOf = dateOption('as-of', values['as-of']);
  const cutoff = dateOption('cutoff', values.cutoff);
  // Loaded only now, so that a mistyped option is answered at once rather than after tfjs loads.
  const [{ openStore }, { runTraining }] = await Promise.all([import('../src/store/open.js'), import('../src/ml/train/run.js')]);
  const { store } = await openStore(common.db, common.env);
  try {
    const results = await runTraining(
      store,
      common.models,
      {
        targets,
        ...(horizon !== undefined ? { horizonDays: horizon } : {}),
        ...(asOf ? { asOf } : {}),
        ...(cutoff ? { cutoff } : {}),
        ...(seed !== undefined ? { seed } : {}),
        promote: values['no-promote'] ? 'never' : values.force ? 'force' : 'if_better',
      },
      log,
    );
    return { summary: trainSummary(results), text: trainText(results), exitCode: trainExitCode(results) };
  } finally {
    store.close();
  }
});
