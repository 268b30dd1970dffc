import type { FeatureFrame } from '../../features/frame.js';
import type { ModelColumns } from '../../serving/score-file.js';
import { RegistryError } from '../registry/errors.js';
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

  /** Loads every current model; a target with no current version is skipped, a broken one throws. */
  static async loadCurrent(registry: ModelRegistry, clvLoader?: ClvLoader): Promise<ModelSet> {
    const current = async (target: 'purchase' | 'churn' | 'clv') => registry.current(target);
    const purchaseVersion = await current('purchase');
    const churnVersion = await current('churn');
    const clvVersion = clvLoader ? await current('clv') : undefined;
    return new ModelSet(
      purchaseVersion ? await PropensityModel.load(registry, 'purchase', purchaseVersion) : undefined,
      churnVersion ? await PropensityModel.load(registry, 'churn', churnVersion) : undefined,
      clvVersion && clvLoader ? await clvLoader(registry, clvVersion) : undefined,
    );
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

  dispose(): void {
    this.purchase?.dispose();
    this.churn?.dispose();
  }
}

export function isMissingVersion(error: unknown): boolean {
  return error instanceof RegistryError && /not_found|no_current/.test(error.code);
}
