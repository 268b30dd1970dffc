import { backendReport } from '../src/ml/backend.js';
import { log, parseCommand, runCommand } from '../src/cli/common.js';
import { loadScoringConfig } from '../src/config/scoring.js';
import { ValidationError } from '../src/domain/errors.js';
import { latestEventDay, parseAsOf } from '../src/features/as-of.js';
import { scoreBase } from '../src/serving/base-scores.js';
import { writeScoreFile } from '../src/serving/score-file.js';
import { summaryTable } from '../src/serving/summary-table.js';
import { openStore } from '../src/store/open.js';
import { ModelRegistry } from '../src/ml/registry/registry.js';
import { ModelSet } from '../src/ml/serving/model-set.js';
import { loadClvPredictor } from '../src/ml/train/clv.js';

const USAGE = `Usage: npm run score -- --output FILE.csv [--as-of YYYY-MM-DD] [--config scoring.json] [--db PATH] [--models DIR] [--json]
  --as-of    score with events up to the end of that day (default: the day of the latest event)
  --config   scoring rules (weights, thresholds) overriding the defaults; see config/scoring.example.json`;

const { common, values } = parseCommand(
  process.argv.slice(2),
  { output: { type: 'string' }, 'as-of': { type: 'string' }, config: { type: 'string' } },
  USAGE,
);

await runCommand(common.json, async () => {
  const output = values.output as string | undefined;
  if (!output) throw new ValidationError(`--output FILE.csv is required\n\n${USAGE}`, [{ path: ['output'], message: 'required' }]);
  const config = loadScoringConfig((values.config as string | undefined) ?? process.env.PROPEL_SCORING_CONFIG);
  const { store } = await openStore(common.db, common.env);
  try {
    const asOf = values['as-of'] ? parseAsOf(values['as-of'] as string, 'as-of') : await latestEventDay(store);
    if (!asOf) throw new ValidationError('The store has no events to score; load some with npm run ingest');
    const models = await ModelSet.loadCurrent(new ModelRegistry(common.models), loadClvPredictor);
    const base = await scoreBase(store, asOf, config, models.any ? async (frame) => models.predict(frame) : undefined);
    const customers = await writeScoreFile(output, base);
    models.dispose();
    log(summaryTable(base.summary));
    const summary = {
      customers,
      output,
      as_of: asOf,
      models: models.versions,
      backend: backendReport()?.backend ?? null,
      lifecycle_segments: base.summary.lifecycle_segments.groups,
      value_tiers: base.summary.value_tiers.groups,
      potential_tiers: base.summary.potential_tiers.groups,
      pareto_top20_revenue_share: base.summary.pareto.top_revenue_share,
    };
    const backend = backendReport();
    return { summary, text: `scored ${customers} customers as of ${asOf} → ${output}${backend ? ` (tfjs backend ${backend.backend})` : ''}` };
  } finally {
    store.close();
  }
});
