import { latestEventDay } from '../../features/as-of.js';
import { DomainError } from '../../domain/errors.js';
import type { Db } from '../../store/database.js';
import { ClvFitError } from '../clv/errors.js';
import { clvPredictor, contractParams, evaluationWarnings, loadClvModel, saveClvModel, trainClv } from '../clv-model/index.js';
import { dataFingerprint } from '../dataset/training-set.js';
import { CLV_FEATURE_SCHEMA } from '../feature-schemas.js';
import type { ModelRegistry } from '../registry/registry.js';
import type { ClvLoader } from '../serving/model-set.js';
import type { TrainedTarget, TrainRequest } from './run.js';

/**
 * Fits BG/NBD + Gamma-Gamma on every purchase up to as-of, registers the version with its holdout
 * evaluation, and reports the contract's params (r, alpha, a, b, time_unit, p, q, v). It "beats the
 * baseline" when its holdout purchase forecast has a lower RMSE than the customer's own past rate
 * (the forecast is an expected count, which squared error judges; clv-model/train.ts).
 */
export async function trainAndSaveClv(db: Db, registry: ModelRegistry, request: TrainRequest, log: (m: string) => void): Promise<TrainedTarget> {
  const asOf = request.asOf ?? (await latestEventDay(db));
  if (!asOf) throw new DomainError('no_data', 'The store has no events: nothing to fit CLV on', 422);
  const model = await trainClv(db, { asOf, hyper: request.horizonDays ? { horizonDays: request.horizonDays } : {}, log }).catch((error: unknown) => {
    // A fit that cannot converge is the data scientist's to act on: report it as such, with its code.
    if (error instanceof ClvFitError) throw new DomainError(`clv_${error.code}`, error.message, 422);
    throw error;
  });
  const { version, dir } = await registry.newVersionDir('clv');
  await saveClvModel(dir, model);
  // The artifact's evaluation (clv-model/model.ts, a strict schema) has no field for warnings: the metadata and --json carry them.
  const evaluation = model.evaluation;
  const warnings = evaluationWarnings(evaluation);
  const beats = evaluation.status === 'ok' ? evaluation.beats_baseline : false;
  const { fingerprint } = await dataFingerprint(db, asOf);
  await registry.register('clv', version, {
    backend: 'js',
    kind: model.kind,
    label: {
      definition: { target: 'clv', horizonDays: model.hyper.horizonDays },
      sentence: `expected purchase days, P(alive) and revenue over the ${model.hyper.horizonDays} days after ${asOf} (BG/NBD + Gamma-Gamma)`,
    },
    cutoff: null,
    feature_schema: [...CLV_FEATURE_SCHEMA],
    horizon_days: model.hyper.horizonDays,
    as_of: asOf,
    training: { cutoffs: [], rows: model.data.buyers, positives: null, seconds: model.data.seconds },
    data_fingerprint: fingerprint,
    metrics: { fit: { ...model.fit, evaluation: { ...evaluation, warnings } } },
    beats_baseline: beats,
    details: { params: contractParams(model) },
  });
  return {
    target: 'clv',
    version,
    backend: 'js',
    kind: model.kind,
    promoted: false,
    params: contractParams(model),
    metrics:
      evaluation.status === 'ok'
        ? { holdout: { model: evaluation.model, baseline: evaluation.baseline, days: evaluation.holdout_days, warnings } }
        : { holdout: evaluation },
  };
}

/** Loads a registered CLV version (checksums verified by the registry first). */
export const loadClvPredictor: ClvLoader = async (registry, version) => {
  const opened = await registry.open('clv', version, { expectedFeatureSchema: CLV_FEATURE_SCHEMA });
  return clvPredictor(await loadClvModel(opened.dir), opened.version);
};
