import { latestEventDay, type AsOf } from '../../features/as-of.js';
import type { Db } from '../../store/database.js';
import { ModelRegistry } from '../registry/registry.js';
import type { ModelMetadata, ModelTarget } from '../registry/metadata.js';
import { trainPropensity } from './propensity.js';
import { contractMetrics, savePropensity } from './propensity-artifact.js';

export interface TrainRequest {
  targets: ModelTarget[];
  horizonDays?: number;
  cutoff?: string;
  asOf?: string;
  /** Promote the new version when it beats the rule baseline (default), always (force), or never. */
  promote: 'if_better' | 'force' | 'never';
  seed?: number;
}

/** A target trained and registered (promoted or not). */
export interface TrainedTarget {
  target: ModelTarget;
  version: string;
  backend: string;
  kind: string;
  promoted: boolean;
  promote_refused?: string;
  error?: undefined;
  metrics?: Record<string, unknown>;
  params?: Record<string, unknown>;
  report?: string;
}

/** With several targets, one that fails is reported so, with no version, and the others still run. */
export interface FailedTarget {
  target: ModelTarget;
  version: null;
  backend: null;
  kind: null;
  promoted: false;
  error: { code: string; message: string };
}

export type TargetResult = TrainedTarget | FailedTarget;

/** Trains, registers and (when it earns it) promotes each requested model. */
export async function runTraining(db: Db, modelsDir: string, request: TrainRequest, log: (m: string) => void): Promise<TargetResult[]> {
  const registry = new ModelRegistry(modelsDir);
  const results: TargetResult[] = [];
  for (const target of request.targets) {
    try {
      results.push(await trainTarget(db, registry, target, request, log));
    } catch (error) {
      if (request.targets.length === 1) throw error;
      const code = (error as { code?: unknown }).code;
      log(`${target}: training failed: ${(error as Error).message}`);
      results.push({ target, version: null, backend: null, kind: null, promoted: false, error: { code: typeof code === 'string' ? code : 'internal', message: (error as Error).message } });
    }
  }
  return results;
}

async function trainTarget(db: Db, registry: ModelRegistry, target: ModelTarget, request: TrainRequest, log: (m: string) => void): Promise<TrainedTarget> {
  if (target === 'clv') {
    // CLV has no label window: it fits every purchase up to --as-of, so a cutoff has nothing to cut.
    if (request.cutoff) log(`clv: --cutoff ${request.cutoff} does not apply to CLV (fitted on all purchases up to --as-of); ignored`);
    const { trainAndSaveClv } = await import('./clv.js');
    return promoteIfEarned(db, registry, await trainAndSaveClv(db, registry, request, log), request, log);
  }
  const trained = await trainPropensity(
    db,
    {
      target,
      ...(request.horizonDays ? { horizonDays: request.horizonDays } : {}),
      ...(request.cutoff ? { cutoff: request.cutoff } : {}),
      ...(request.asOf ? { asOf: request.asOf } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
    },
    log,
  );
  const { renderReportFile } = await import('./report.js');
  const saved = await savePropensity(registry, trained, (dir, version) => renderReportFile(dir, version, trained));
  trained.model.dispose();
  const model = contractMetrics(trained.evaluation.model);
  const baseline = contractMetrics(trained.evaluation.baseline);
  const result: TrainedTarget = {
    target,
    version: saved.version,
    backend: trained.backend,
    kind: trained.kind,
    promoted: false,
    metrics: {
      ...model,
      baseline,
      // The gate's log-loss test: model − baseline per customer, with its standard error (propensity-artifact.ts).
      log_loss_vs_baseline: { difference: trained.evaluation.logLossDifference.mean, standard_error: trained.evaluation.logLossDifference.standardError },
    },
    report: `${saved.dir}/report.html`,
  };
  return promoteIfEarned(db, registry, result, request, log);
}

/**
 * Why a model that beats its baseline should still not replace the serving one on its own: trained
 * as of a day before the end of its own data (a backtest: its scores would describe the past), or
 * for another horizon than the serving version's (the column would change meaning, e.g. purchase
 * within 90 days instead of 30). Null when neither. An explicit `models promote`, or `train
 * --force`, still switches. The backtest test looks at the store trained on, not at the serving
 * version's as-of day, which may come from other data (the demo's, say).
 */
export function replacementConcern(
  candidate: Pick<ModelMetadata, 'as_of' | 'horizon_days'>,
  serving: Pick<ModelMetadata, 'horizon_days' | 'version'>,
  dataEnd: AsOf,
): string | null {
  if (candidate.as_of < dataEnd) {
    return `trained as of ${candidate.as_of}, before the store's latest event day ${dataEnd}: a backtest does not replace the serving ${serving.version} on its own`;
  }
  if (candidate.horizon_days !== serving.horizon_days) {
    return `its horizon of ${candidate.horizon_days} days differs from the serving ${serving.version}'s ${serving.horizon_days}: the predictions would change meaning`;
  }
  return null;
}

async function promoteIfEarned(
  db: Db,
  registry: ModelRegistry,
  result: TrainedTarget,
  request: TrainRequest,
  log: (m: string) => void,
): Promise<TrainedTarget> {
  if (request.promote === 'never') return result;
  if (request.promote === 'if_better') {
    const servingVersion = await registry.current(result.target).catch(() => undefined);
    if (servingVersion && servingVersion !== result.version) {
      const [candidate, serving] = await Promise.all([
        registry.readMetadata(result.target, result.version),
        registry.readMetadata(result.target, servingVersion).catch(() => undefined),
      ]);
      const dataEnd = await latestEventDay(db);
      const concern = serving && dataEnd ? replacementConcern(candidate.metadata, serving.metadata, dataEnd) : null;
      if (concern) {
        const message = `${concern}. Promote it with npm run models -- promote ${result.target} ${result.version}, or train with --force`;
        log(`${result.target}: ${result.version} not promoted: ${message}`);
        return { ...result, promoted: false, promote_refused: message };
      }
    }
  }
  try {
    await registry.promote(result.target, result.version, { force: request.promote === 'force', reason: 'train' });
    log(`${result.target}: promoted ${result.version}`);
    return { ...result, promoted: true };
  } catch (error) {
    log(`${result.target}: ${result.version} not promoted: ${(error as Error).message}`);
    return { ...result, promoted: false, promote_refused: (error as Error).message };
  }
}
