import type { FeatureFrame } from '../../features/frame.js';
import { expectedFeatureSchema } from '../feature-schemas.js';
import { MODEL_TARGETS, type ModelTarget } from '../registry/metadata.js';
import type { ModelRegistry } from '../registry/registry.js';
import { ModelSet, type ClvLoader, type ModelVersions, type RefusedModel } from './model-set.js';

/** A target whose registry version is not the one serving, and why (for readiness). */
export interface NotServing {
  target: ModelTarget;
  /** The registry's current version. */
  version: string;
  /** The version serving instead; null for none. */
  serving: string | null;
  /** The load's error code, or `not_loaded` when no load of that version was tried (promoted on disk since). */
  code: string;
  reason: string;
}

/**
 * The targets whose registry version differs from the serving one, each with the reason its last
 * load was refused, or with the advice to reload when none was tried. Pure.
 */
export function notServing(registry: ModelVersions, serving: ModelVersions, refused: readonly RefusedModel[]): NotServing[] {
  return MODEL_TARGETS.flatMap((target) => {
    const version = registry[target];
    if (version === null || version === serving[target]) return [];
    const why = refused.find((r) => r.target === target && r.version === version);
    return [
      {
        target,
        version,
        serving: serving[target],
        code: why?.code ?? 'not_loaded',
        reason: why?.reason ?? `${target} ${version} is current in the registry but was not loaded since: POST /v1/models/reload loads it`,
      },
    ];
  });
}

/**
 * The models the service answers with, and the run-time operations on them. A reload builds a
 * complete new set first (every artifact verified); only then does it replace the one serving, so a
 * corrupt or mismatched artifact is refused while the current models keep answering.
 */
export class ModelService {
  private serving: ModelSet;
  private lastRefused: readonly RefusedModel[];

  constructor(
    readonly registry: ModelRegistry,
    private readonly clvLoader: ClvLoader,
    initial: ModelSet = ModelSet.empty(),
    private readonly onSwap: () => Promise<void> = async () => undefined,
    refused: readonly RefusedModel[] = [],
  ) {
    this.serving = initial;
    this.lastRefused = refused;
  }

  /**
   * The service at start-up: each target's current version loaded on its own, so a refused one
   * (corrupt, incompatible) leaves only its own target empty; `refused` says which and why.
   */
  static async start(registry: ModelRegistry, clvLoader: ClvLoader, onSwap?: () => Promise<void>): Promise<ModelService> {
    const { set, refused } = await ModelSet.loadEach(registry, clvLoader);
    return new ModelService(registry, clvLoader, set, onSwap, refused);
  }

  get current(): ModelSet {
    return this.serving;
  }

  /** The versions refused by the latest load (start-up or reload). */
  get refused(): readonly RefusedModel[] {
    return this.lastRefused;
  }

  /** What a CustomerScorer needs to predict, explain and name versions with whatever set is serving at the time. */
  scorerHooks() {
    return {
      predict: (frame: FeatureFrame) => this.serving.predictInTurns(frame),
      explain: (frame: FeatureFrame, i: number) => (this.serving.any ? this.serving.explain(frame, i) : undefined),
      explainFrame: async (frame: FeatureFrame) => (this.serving.any ? this.serving.explainFrame(frame) : undefined),
      modelVersions: () => this.serving.versions,
    };
  }

  list() {
    return this.registry.list(undefined, { verify: true });
  }

  /**
   * Loads the registry's current versions and swaps them in. If a target of `required` (default:
   * every target) is refused, nothing changes (the refusal is kept for readiness) and its error is
   * thrown. A refused target outside `required` keeps the model serving it now, so one broken
   * artifact does not block promoting or rolling back another target.
   */
  async reload(required: readonly ModelTarget[] = MODEL_TARGETS): Promise<ModelSet> {
    const { set: loaded, refused } = await ModelSet.loadEach(this.registry, this.clvLoader);
    this.lastRefused = refused;
    const blocking = refused.find((r) => required.includes(r.target));
    if (blocking) {
      loaded.dispose();
      throw blocking.error;
    }
    const previous = this.serving;
    const kept = new Set(refused.map((r) => r.target));
    const next = new ModelSet(
      kept.has('purchase') ? previous.purchase : loaded.purchase,
      kept.has('churn') ? previous.churn : loaded.churn,
      kept.has('clv') ? previous.clv : loaded.clv,
    );
    this.serving = next;
    try {
      await this.onSwap();
    } finally {
      // Only now: a rescoring already under way predicts with the previous set, in steps between
      // requests, and the swap's own rescoring waits for it to finish (CustomerScorer.refresh).
      previous.dispose(kept);
    }
    return next;
  }

  /** Makes a version current and serves it; if it cannot be loaded, the pointer goes back. */
  async promote(target: ModelTarget, version: string, force: boolean) {
    const result = await this.registry.promote(target, version, {
      force,
      reason: 'api',
      expectedFeatureSchema: expectedFeatureSchema(target),
    });
    // Already current and serving: nothing to load, and no reason to rescore the whole base.
    if (!result.changed && this.serving.versions[target] === version) return result;
    await this.reloadOrRevert(target);
    return result;
  }

  async rollback(target: ModelTarget) {
    const result = await this.registry.rollback(target, { reason: 'api', expectedFeatureSchema: expectedFeatureSchema(target) });
    await this.reloadOrRevert(target);
    return result;
  }

  private async reloadOrRevert(target: ModelTarget): Promise<void> {
    try {
      await this.reload([target]);
    } catch (error) {
      await this.registry.rollback(target, { reason: 'reload failed after switch' }).catch(() => undefined);
      throw error;
    }
  }
}
