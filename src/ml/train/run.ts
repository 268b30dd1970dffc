import type { Db } from '../../store/database.js';
import { ModelRegistry } from '../registry/registry.js';
import type { ModelTarget } from '../registry/metadata.js';
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
    return promoteIfEarned(registry, await trainAndSaveClv(db, registry, request, log), request, log);
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
    metrics: { ...model, baseline },
    report: `${saved.dir}/report.html`,
  };
  return promoteIfEarned(registry, result, request, log);
}

async function promoteIfEarned(registry: ModelRegistry, result: TrainedTarget, request: TrainRequest, log: (m: string) => void): Promise<TrainedTarget> {
  if (request.promote === 'never') return result;
  try {
    await registry.promote(result.target, result.version, { force: request.promote === 'force', reason: 'train' });
    log(`${result.target}: promoted ${result.version}`);
    return { ...result, promoted: true };
  } catch (error) {
    log(`${result.target}: ${result.version} not promoted: ${(error as Error).message}`);
    return { ...result, promoted: false, promote_refused: (error as Error).message };
  }
}
