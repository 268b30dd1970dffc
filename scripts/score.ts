import { dateOption, UsageError } from '../src/cli/args.js';
import { log, runCli } from '../src/cli/common.js';
import { checkOutputFile, outputWriteError } from '../src/cli/output-file.js';
import { asOfWarnings, missingModels, missingModelWarning, registeredVersions } from '../src/cli/score-checks.js';
import { ValidationError } from '../src/domain/errors.js';
import type { ScoringConfig } from '../src/config/scoring.js';
import type { ModelSet } from '../src/ml/serving/model-set.js';
import type { Db } from '../src/store/database.js';

const USAGE = `Usage: npm run score -- --output FILE.csv [--as-of YYYY-MM-DD] [--config scoring.json] [--db PATH] [--models DIR] [--json]
  --output   the score file to write (missing directories are created)
  --as-of    score with events up to the end of that day (default: the day of the latest event)
  --config   scoring rules (weights, thresholds) overriding the defaults; see config/scoring.example.json
A target without a current model in --models leaves its columns empty, with a warning on stderr.`;

const OPTIONS = { output: { type: 'string' }, 'as-of': { type: 'string' }, config: { type: 'string' } } as const;

await runCli(process.argv.slice(2), OPTIONS, USAGE, async ({ common, values }) => {
  const output = values.output as string | undefined;
  if (!output) throw new UsageError('--output FILE.csv is required', [{ path: ['output'], message: 'required' }], USAGE);
  checkOutputFile(output);
  const givenAsOf = dateOption('as-of', values['as-of']);
  // Loaded only now, so that a mistyped option is answered at once rather than after tfjs loads.
  const [{ loadScoringConfig }, { openStore }, { ModelRegistry }, { ModelSet }, { loadClvPredictor }, { summaryTable }, { backendReport }, { dataSpan }] = await Promise.all([
    import('../src/config/scoring.js'),
    import('../src/store/open.js'),
    import('../src/ml/registry/registry.js'),
    import('../src/ml/serving/model-set.js'),
    import('../src/ml/train/clv.js'),
    import('../src/serving/summary-table.js'),
    import('../src/ml/backend.js'),
    import('../src/ml/dataset/cutoffs.js'),
  ]);
  const config = loadScoringConfig((values.config as string | undefined) ?? process.env.PROPEL_SCORING_CONFIG);
  const { store } = await openStore(common.db, common.env);
  try {
    // The default as-of is the latest event day, never after today (features/as-of.ts).
    const span = await dataSpan(store);
    const asOf = givenAsOf ?? span?.latestEventDay;
    if (!asOf) throw new ValidationError('The store has no events to score; load some with npm run ingest');
    const registry = new ModelRegistry(common.models);
    const models = await ModelSet.loadCurrent(registry, loadClvPredictor);
    const { base, customers } = await scoreAndWrite(store, asOf, config, models, output).finally(() => models.dispose());
    log(summaryTable(base.summary));
    const missing = missingModels(models.versions);
    // Warnings last, so they are what one reads when the run ends.
    for (const target of missing) log(missingModelWarning(target, common.models, await registeredVersions(registry, target)));
    if (givenAsOf) for (const warning of asOfWarnings(givenAsOf, span, customers)) log(warning);
    const backend = backendReport();
    const summary = {
      customers,
      output,
      as_of: asOf,
      models: models.versions,
      models_missing: missing,
      backend: backend?.backend ?? null,
      lifecycle_segments: base.summary.lifecycle_segments.groups,
      value_tiers: base.summary.value_tiers.groups,
      potential_tiers: base.summary.potential_tiers.groups,
      pareto_top20_revenue_share: base.summary.pareto.top_revenue_share,
    };
    return { summary, text: `scored ${customers} customers as of ${asOf} → ${output}${backend ? ` (tfjs backend ${backend.backend})` : ''}` };
  } finally {
    store.close();
  }
});

/** Scores the base with the models and writes the file; a path that cannot be written is invalid input naming --output. */
async function scoreAndWrite(store: Db, asOf: string, config: ScoringConfig, models: ModelSet, output: string) {
  const [{ scoreBase }, { writeScoreFile }] = await Promise.all([import('../src/serving/base-scores.js'), import('../src/serving/score-file.js')]);
  const base = await scoreBase(store, asOf, config, models.any ? async (frame) => models.predict(frame) : undefined);
  try {
    return { base, customers: await writeScoreFile(output, base) };
  } catch (error) {
    throw outputWriteError(error, output);
  }
}
