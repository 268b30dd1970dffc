import fs from 'node:fs/promises';
import path from 'node:path';
import { FEATURE_SCHEMA } from '../../features/schema.js';
import { buildEvaluation, REPORT_FILE } from '../report/evaluation.js';
import { renderReport } from '../report/html.js';
import { baselineDescription, type TrainedPropensity } from './propensity.js';
import { beatsBaseline } from './propensity-artifact.js';

const DESCRIPTIONS = new Map(FEATURE_SCHEMA.map((f) => [f.name, f.description]));

/** Writes the self-contained HTML evaluation report beside the model. */
export async function renderReportFile(dir: string, version: string, trained: TrainedPropensity): Promise<void> {
  const { meta } = trained.set;
  const evaluation = buildEvaluation({
    target: trained.target,
    version,
    created_at: new Date().toISOString(),
    backend: trained.backend,
    label: meta.label,
    cutoff: meta.cutoffs.validation,
    horizon_days: meta.def.horizonDays,
    as_of: meta.asOf,
    model: { kind: trained.kind, report: trained.evaluation.model },
    baseline: { name: 'rule baseline', description: baselineDescription(trained.target), report: trained.evaluation.baseline },
    candidates: trained.candidates.map((c) => ({ kind: c.kind, auc: c.innerAuc, log_loss: c.innerLogLoss, chosen: c.chosen })),
    selection: 'higher AUC on the latest training cutoff (the inner set), which also drives early stopping and calibration; the validation cutoff is only used for this evaluation',
    calibration_method: trained.calibration.method,
    calibration_reason: trained.calibrationReason,
    // A one-class validation set gives NaN importances; they carry no information, so 0.
    feature_importance: trained.importance.map((f) => ({ feature: f.feature, importance: Number.isFinite(f.importance) ? f.importance : 0, description: DESCRIPTIONS.get(f.feature) ?? '' })),
    training: {
      cutoffs: meta.cutoffs.training,
      rows: trained.set.train.n,
      positives: trained.set.train.y.reduce((a, b) => a + b, 0),
      seconds: trained.seconds,
    },
    data_fingerprint: meta.dataFingerprint,
    beats_baseline: beatsBaseline(trained.evaluation.model, trained.evaluation.baseline, trained.evaluation.logLossDifference),
  });
  await fs.writeFile(path.join(dir, REPORT_FILE), renderReport(evaluation));
}
