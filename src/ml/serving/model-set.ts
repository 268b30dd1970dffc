import type { FeatureFrame } from '../../features/frame.js';
import type { ModelColumns } from '../../serving/score-file.js';
import { RegistryError } from '../registry/errors.js';
import type { ModelTarget } from '../registry/metadata.js';
import type { ModelRegistry } from '../registry/registry.js';
import { PropensityModel, type Explanation } from '../train/propensity-artifact.js';
import { runSteps, runStepsInTurns, type Steps } from '../../util/steps.js';

type ClvColumns = { expected_purchases: Float64Array; p_alive: Float64Array; predicted_clv: Float64Array };

/** A CLV model as the model set needs it (the CLV module provides one). */
export interface ClvPredictor {
  version: string;
  predict(frame: FeatureFrame): ClvColumns;
  /** predict() in steps of a block of rows (util/steps.ts). */
  predictSteps(frame: FeatureFrame): Steps<ClvColumns>;
  /** One sentence on how row i's CLV comes about. */
  explain(frame: FeatureFrame, i: number): string;
}

/** Features named per probability in an explanation. */
export const EXPLAINED_FEATURES = 5;

/** Why each prediction of one customer is what it is. */
export interface PredictionExplanations {
  purchase_probability?: Explanation[];
  churn_probability?: Explanation[];
  predicted_clv?: string;
}

/** Explanations of every row of one frame, made once (for the scored base): row(i) equals explain(frame, i). */
export interface FrameExplanations {
  row(i: number): PredictionExplanations;
}

export type ClvLoader = (registry: ModelRegistry, version?: string) => Promise<ClvPredictor>;

export interface ModelVersions {
  purchase: string | null;
  churn: string | null;
  clv: string | null;
}

/**
 * The models that answer predictions: the current version of each target, loaded after the
 * registry verified it. A target without a current version is simply absent (its columns stay empty).
 */
export class ModelSet {
  constructor(
    readonly purchase: PropensityModel | undefined,
    readonly churn: PropensityModel | undefined,
    readonly clv: ClvPredictor | undefined,
  ) {}

  static empty(): ModelSet {
    return new ModelSet(undefined, undefined, undefined);
  }

  /**
   * Loads every current model, all or nothing (a reload): a target with no current version is
   * skipped; a broken one throws its error, and whatever else was loaded is disposed.
   */
  static async loadCurrent(registry: ModelRegistry, clvLoader?: ClvLoader): Promise<ModelSet> {
    const { set, refused } = await ModelSet.loadEach(registry, clvLoader);
    if (refused[0]) {
      set.dispose();
      throw refused[0].error;
    }
    return set;
  }

  /**
   * Loads each target's current version on its own (start-up): a version that is refused (corrupt,
   * incompatible with the code, unreadable pointer) is left out and returned under `refused`, so one
   * broken artifact does not take the other targets' models down with it.
   */
  static async loadEach(registry: ModelRegistry, clvLoader?: ClvLoader): Promise<LoadedModels> {
    const refused: RefusedModel[] = [];
    const load = async <M>(target: ModelTarget, open: (version: string) => Promise<M>): Promise<M | undefined> => {
      let version: string | null = null;
      try {
        version = (await registry.current(target)) ?? null;
        return version ? await open(version) : undefined;
      } catch (error) {
        refused.push(refusal(target, version, error));
        return undefined;
      }
    };
    const purchase = await load('purchase', (v) => PropensityModel.load(registry, 'purchase', v));
    const churn = await load('churn', (v) => PropensityModel.load(registry, 'churn', v));
    const clv = clvLoader ? await load('clv', (v) => clvLoader(registry, v)) : undefined;
    return { set: new ModelSet(purchase, churn, clv), refused };
  }

  get versions(): ModelVersions {
    return { purchase: this.purchase?.version ?? null, churn: this.churn?.version ?? null, clv: this.clv?.version ?? null };
  }

  get any(): boolean {
    return Boolean(this.purchase || this.churn || this.clv);
  }

  /** Every model column for a frame (absent models leave their columns out). */
  predict(frame: FeatureFrame): ModelColumns | undefined {
    return this.any ? runSteps(this.predictionSteps(frame, false)) : undefined;
  }

  /**
   * predict() for a running service: the event loop gets a turn between models and between blocks
   * of rows within each (a whole base of 100k takes ≈0.2 s per model; no step holds requests up for
   * more than ~10–30 ms), and the models' inputs stay with the frame for explainFrame, which follows.
   */
  async predictInTurns(frame: FeatureFrame): Promise<ModelColumns | undefined> {
    return this.any ? runStepsInTurns(this.predictionSteps(frame, true)) : undefined;
  }

  private *predictionSteps(frame: FeatureFrame, keep: boolean): Steps<ModelColumns> {
    const columns: ModelColumns = {};
    if (this.purchase) {
      columns.purchase_probability = yield* this.purchase.predictSteps(frame, { keep });
      yield;
    }
    if (this.churn) {
      columns.churn_probability = yield* this.churn.predictSteps(frame, { keep });
      yield;
    }
    if (this.clv) Object.assign(columns, yield* this.clv.predictSteps(frame));
    return columns;
  }

  /**
   * The top features pushing row i's probabilities up or down, and how its CLV comes about; a model
   * that does not predict for the row (a churn model and a customer outside its population) is left out.
   */
  explain(frame: FeatureFrame, i: number, k = EXPLAINED_FEATURES): PredictionExplanations {
    const out: PredictionExplanations = {};
    if (this.purchase) out.purchase_probability = this.purchase.explain(frame, i, k);
    if (this.churn?.covers(frame, i)) out.churn_probability = this.churn.explain(frame, i, k);
    if (this.clv) out.predicted_clv = this.clv.explain(frame, i);
    return out;
  }

  /**
   * explain() for every row of a frame, made now in batch: the propensity models' top features on
   * the tfjs backend (float32, so effects agree with explain() to ~1e-5); the CLV sentence, cheap,
   * is still written per row when asked for.
   */
  async explainFrame(frame: FeatureFrame, k = EXPLAINED_FEATURES): Promise<FrameExplanations> {
    const { purchase, churn, clv } = this;
    const purchaseTable = await purchase?.explainAll(frame, k);
    const churnTable = await churn?.explainAll(frame, k);
    return {
      row(i) {
        const out: PredictionExplanations = {};
        if (purchase && purchaseTable) out.purchase_probability = purchase.explanationAt(purchaseTable, i);
        if (churn && churnTable && churn.covers(frame, i)) out.churn_probability = churn.explanationAt(churnTable, i);
        if (clv) out.predicted_clv = clv.explain(frame, i);
        return out;
      },
    };
  }

  /** Frees the tfjs models, except those of `keep` (carried over into another set). */
  dispose(keep: ReadonlySet<ModelTarget> = new Set()): void {
    if (!keep.has('purchase')) this.purchase?.dispose();
    if (!keep.has('churn')) this.churn?.dispose();
  }
}

/** A target's current version that could not be loaded, and why. */
export interface RefusedModel {
  target: ModelTarget;
  /** The registry's current version; null when the pointer itself could not be read. */
  version: string | null;
  /** The error's code (corrupt_artifact, schema_mismatch, artifact_incompatible, ...), or load_failed without one. */
  code: string;
  reason: string;
  error: unknown;
}

export interface LoadedModels {
  set: ModelSet;
  refused: RefusedModel[];
}

function refusal(target: ModelTarget, version: string | null, error: unknown): RefusedModel {
  const code = (error as { code?: unknown } | undefined)?.code;
  return { target, version, code: typeof code === 'string' ? code : 'load_failed', reason: error instanceof Error ? error.message : String(error), error };
}

/** One log line for a refused model: which target and version, why, and what serves meanwhile. */
export function refusalMessage(r: RefusedModel): string {
  return `${r.target} model ${r.version ?? '(current version unreadable)'} not loaded (${r.code}): ${r.reason}; serving without it (${r.target} predictions stay empty)`;
}

export function isMissingVersion(error: unknown): boolean {
  return error instanceof RegistryError && /not_found|no_current/.test(error.code);
}
