import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ScoringConfig } from '../config/scoring.js';
import { buildFeatures } from '../features/build.js';
import type { AsOf } from '../features/as-of.js';
import type { FeatureFrame } from '../features/frame.js';
import { scoringContextSteps, scoreFrame, summarizeSteps, type BaseSummary, type CustomerScore, type Predictions, type ScoringContext } from '../scoring/index.js';
import type { Db } from '../store/database.js';
import { runStepsInTurns } from '../util/steps.js';
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

/**
 * Every customer as of a day: features, predictions, base statistics, rule scores and the summary.
 * A service rescores while it answers requests, so the work gives the event loop a turn between
 * steps and between chunks of rows: no single stretch holds requests up for long.
 */
export async function scoreBase(db: Db, asOf: AsOf, config: ScoringConfig, predict?: PredictFn): Promise<ScoredBase> {
  const frame = await buildFeatures(db, asOf);
  await nextTurn();
  const predictions = predict ? await predict(frame) : undefined;
  await nextTurn();
  const context = await runStepsInTurns(scoringContextSteps(frame, config, { asOf, ...(predictions ? { predictions } : {}) }));
  const scores: CustomerScore[] = [];
  for (let start = 0; start < frame.n; start += SCORE_CHUNK_ROWS) {
    await nextTurn();
    const rows = Array.from({ length: Math.min(SCORE_CHUNK_ROWS, frame.n - start) }, (_, k) => start + k);
    for (const score of scoreFrame(frame, context, config, predictions, { explain: false, rows })) scores.push(score);
  }
  await nextTurn();
  const summary = await runStepsInTurns(summarizeSteps(scores, frame, context));
  await nextTurn();
  const indexByPerson = new Map<number, number>();
  const indexByCustomer = new Map<string, number>();
  for (let start = 0; start < frame.n; start += INDEX_CHUNK_ROWS) {
    await nextTurn();
    for (let i = start; i < Math.min(frame.n, start + INDEX_CHUNK_ROWS); i++) {
      indexByPerson.set(frame.personIds[i]!, i);
      indexByCustomer.set(frame.customerIds[i]!, i);
    }
  }
  const consents = await consentBitsByRow(db, frame.personIds);
  return { asOf, frame, context, predictions, scores, summary, consents, indexByPerson, indexByCustomer };
}

/** Rows scored between two turns of the event loop (≈30 ms of work). */
const SCORE_CHUNK_ROWS = 5_000;
/** Rows indexed by person and customer id between two turns (≈15 ms). */
const INDEX_CHUNK_ROWS = 20_000;

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
