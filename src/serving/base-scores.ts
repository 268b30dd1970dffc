import type { ScoringConfig } from '../config/scoring.js';
import { buildFeatures } from '../features/build.js';
import type { AsOf } from '../features/as-of.js';
import type { FeatureFrame } from '../features/frame.js';
import { computeScoringContext, scoreFrame, summarize, type BaseSummary, type CustomerScore, type Predictions, type ScoringContext } from '../scoring/index.js';
import type { Db } from '../store/database.js';

/** Model predictions for a frame, when models are loaded (the models plug in here). */
export type PredictFn = (frame: FeatureFrame) => Promise<Predictions | undefined>;

export interface ScoredBase {
  asOf: AsOf;
  frame: FeatureFrame;
  context: ScoringContext;
  predictions: Predictions | undefined;
  /** Scores without reason text (cheap for 200k customers); reasons are made for the customers shown. */
  scores: CustomerScore[];
  summary: BaseSummary;
  indexByPerson: Map<number, number>;
}

/** Every customer as of a day: features, predictions, base statistics, rule scores and the summary. */
export async function scoreBase(db: Db, asOf: AsOf, config: ScoringConfig, predict?: PredictFn): Promise<ScoredBase> {
  const frame = await buildFeatures(db, asOf);
  const predictions = predict ? await predict(frame) : undefined;
  const context = computeScoringContext(frame, config, { asOf, ...(predictions ? { predictions } : {}) });
  const scores = scoreFrame(frame, context, config, predictions, { explain: false });
  const summary = summarize(scores, frame, context);
  const indexByPerson = new Map(frame.personIds.map((id, i) => [id, i]));
  return { asOf, frame, context, predictions, scores, summary, indexByPerson };
}

/** One row of the predictions columns, as a Predictions of length 1. */
export function slicePredictions(predictions: Predictions | undefined, i: number): Predictions | undefined {
  if (!predictions) return undefined;
  const out: Predictions = {};
  for (const [key, values] of Object.entries(predictions) as [keyof Predictions, ArrayLike<number> | undefined][]) {
    if (values) out[key] = Float64Array.of(values[i]!);
  }
  return out;
}
