import type { ScoringConfig } from '../config/scoring.js';
import { buildFeatures } from '../features/build.js';
import type { AsOf } from '../features/as-of.js';
import type { FeatureFrame } from '../features/frame.js';
import { computeScoringContext, scoreFrame, summarize, type BaseSummary, type CustomerScore, type Predictions, type ScoringContext } from '../scoring/index.js';
import type { Db } from '../store/database.js';
import { consentBitsByRow } from './consents.js';

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
  /** Consent bits per row (consents.ts). */
  consents: Uint8Array;
  /** The listed customer id of each row → row (a merged person's other ids are looked up in the store). */
  indexByCustomer: Map<string, number>;
}

/** Every customer as of a day: features, predictions, base statistics, rule scores and the summary. */
export async function scoreBase(db: Db, asOf: AsOf, config: ScoringConfig, predict?: PredictFn): Promise<ScoredBase> {
  const frame = await buildFeatures(db, asOf);
  const predictions = predict ? await predict(frame) : undefined;
  const context = computeScoringContext(frame, config, { asOf, ...(predictions ? { predictions } : {}) });
  const scores = scoreFrame(frame, context, config, predictions, { explain: false });
  const summary = summarize(scores, frame, context);
  const indexByPerson = new Map(frame.personIds.map((id, i) => [id, i]));
  const indexByCustomer = new Map(frame.customerIds.map((id, i) => [id, i]));
  const consents = await consentBitsByRow(db, frame.personIds);
  return { asOf, frame, context, predictions, scores, summary, consents, indexByPerson, indexByCustomer };
}

/** Row i of every prediction column as a plain object (an empty value as null). */
export function predictionRow(predictions: Predictions | undefined, i: number): Record<string, number | null> | null {
  if (!predictions) return null;
  const row: Record<string, number | null> = {};
  for (const [key, values] of Object.entries(predictions)) {
    const v = (values as ArrayLike<number> | undefined)?.[i];
    row[key] = v === undefined || Number.isNaN(v) ? null : v;
  }
  return row;
}
