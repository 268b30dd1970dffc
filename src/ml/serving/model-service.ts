import type { FeatureFrame } from '../../features/frame.js';
import { FEATURE_SCHEMA } from '../../features/schema.js';
import type { ModelTarget } from '../registry/metadata.js';
import type { ModelRegistry } from '../registry/registry.js';
import { ModelSet, type ClvLoader } from './model-set.js';

/**
 * The models the service answers with, and the run-time operations on them. A reload builds a
 * complete new set first (every artifact verified); only then does it replace the one serving, so a
 * corrupt or mismatched artifact is refused while the current models keep answering.
 */
export class ModelService {
  private serving: ModelSet;

  constructor(
    readonly registry: ModelRegistry,
    private readonly clvLoader: ClvLoader,
    initial: ModelSet = ModelSet.empty(),
    private readonly onSwap: () => Promise<void> = async () => undefined,
  ) {
    this.serving = initial;
  }

  get current(): ModelSet {
    return this.serving;
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

  /** Loads the registry's current versions and swaps them in; on any error nothing changes. */
  async reload(): Promise<ModelSet> {
    const next = await ModelSet.loadCurrent(this.registry, this.clvLoader);
    const previous = this.serving;
    this.serving = next;
    try {
      await this.onSwap();
    } finally {
      // Only now: a rescoring already under way predicts with the previous set, in steps between
      // requests, and the swap's own rescoring waits for it to finish (CustomerScorer.refresh).
      previous.dispose();
    }
    return next;
  }

  /** Makes a version current and serves it; if it cannot be loaded, the pointer goes back. */
  async promote(target: ModelTarget, version: string, force: boolean) {
    const result = await this.registry.promote(target, version, {
      force,
      reason: 'api',
      ...(target === 'clv' ? {} : { expectedFeatureSchema: FEATURE_SCHEMA }),
    });
    // Already current and serving: nothing to load, and no reason to rescore the whole base.
    if (!result.changed && this.serving.versions[target] === version) return result;
    await this.reloadOrRevert(target);
    return result;
  }

  async rollback(target: ModelTarget) {
    const result = await this.registry.rollback(target, { reason: 'api', ...(target === 'clv' ? {} : { expectedFeatureSchema: FEATURE_SCHEMA }) });
    await this.reloadOrRevert(target);
    return result;
  }

  private async reloadOrRevert(target: ModelTarget): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      await this.registry.rollback(target, { reason: 'reload failed after switch' }).catch(() => undefined);
      throw error;
    }
  }
}
