import type { ScoringConfig } from '../config/scoring.js';
import type { FeatureFrame } from '../features/frame.js';
import { eventMask, numericColumn } from './columns.js';
import { typicalGap, type TypicalGap } from './lifecycle.js';
import { quantileGrid, sortedFinite } from './quantiles.js';
import { rfmContext, type RfmContext } from './rfm.js';
import { measureColumns, scoreSuperUser, superUserContextSteps, superUserScorer, type SuperUserContext } from './super-user.js';
import { tagGridFields } from './tags.js';
import { runSteps, type Steps } from '../util/steps.js';
import { paretoFigure, valueTierContext, type ParetoFigure, type ValueTierContext } from './value-tier.js';

/**
 * Model predictions per customer, aligned with the frame's rows (NaN = none for that customer).
 * Each column is optional: absent without a model. NaN in a present churn_probability column means
 * the churn model does not cover the customer: no event in its active window, already lapsed.
 */
export interface Predictions {
  purchase_probability?: ArrayLike<number>;
  churn_probability?: ArrayLike<number>;
  predicted_clv?: ArrayLike<number>;
}

/**
 * Every base-relative statistic the rules need, computed once from the whole customer base as of
 * a day. Plain JSON: the service stores and caches it, and scores single customers against it.
 */
export interface ScoringContext {
  version: 1;
  /** The as-of day the frame was built for, when the caller said. */
  asOf: string | null;
  customers: number;
  /** Customers with at least one event: the base of the percentile grids. */
  customersWithEvents: number;
  gridPoints: number;
  rfm: RfmContext;
  typicalGap: TypicalGap;
  valueTier: ValueTierContext;
  pareto: ParetoFigure;
  superUser: SuperUserContext;
  /** Quantile grids (over customers with events) of the fields tag rules use for {quantile} thresholds and strengths. */
  quantiles: Record<string, number[] | null>;
  /** Quantile grid of predicted CLV, when predictions were given; potential tiers use its percentile. */
  predictedClv: number[] | null;
}

export interface ContextOptions {
  asOf?: string;
  predictions?: Predictions;
}

export function checkPredictions(frame: FeatureFrame, predictions: Predictions | undefined): void {
  if (predictions === undefined) return;
  for (const [name, column] of Object.entries(predictions)) {
    if (column !== undefined && (column as ArrayLike<number>).length !== frame.n) {
      throw new Error(`Prediction column "${name}" has ${(column as ArrayLike<number>).length} values for ${frame.n} customers`);
    }
  }
}

export function computeScoringContext(frame: FeatureFrame, config: ScoringConfig, options: ContextOptions = {}): ScoringContext {
  return runSteps(scoringContextSteps(frame, config, options));
}

/** computeScoringContext with a step per sort of the base (util/steps.ts), for a service rescoring while it answers. */
export function* scoringContextSteps(frame: FeatureFrame, config: ScoringConfig, options: ContextOptions = {}): Steps<ScoringContext> {
  checkPredictions(frame, options.predictions);
  const mask = eventMask(frame);
  let customersWithEvents = 0;
  for (let i = 0; i < frame.n; i++) customersWithEvents += mask[i]!;
  const points = config.quantileGridPoints;

  const superUser = yield* superUserContextSteps(frame, config);

  const quantiles: Record<string, number[] | null> = {};
  for (const field of tagGridFields(config)) {
    if (field === 'super_user_score') {
      const scorer = superUserScorer(superUser, config);
      const columns = measureColumns(frame);
      const events = numericColumn(frame, 'events_all');
      const scores = new Float64Array(frame.n).fill(Number.NaN);
      const scratch = new Float64Array(8);
      for (let i = 0; i < frame.n; i++) {
        const res = scoreSuperUser(events[i]!, columns, i, scorer, scratch);
        if (res !== null) scores[i] = res.score;
      }
      quantiles[field] = quantileGrid(sortedFinite(scores), points);
    } else {
      quantiles[field] = quantileGrid(sortedFinite(numericColumn(frame, field), mask), points);
    }
    yield;
  }

  const clv = options.predictions?.predicted_clv;
  const rfm = rfmContext(frame);
  yield;
  const gap = typicalGap(frame, config);
  yield;
  const valueTier = valueTierContext(frame, config);
  yield;
  const pareto = paretoFigure(frame, config);
  yield;
  return {
    version: 1,
    asOf: options.asOf ?? null,
    customers: frame.n,
    customersWithEvents,
    gridPoints: points,
    rfm,
    typicalGap: gap,
    valueTier,
    pareto,
    superUser,
    quantiles,
    predictedClv: clv === undefined ? null : quantileGrid(sortedFinite(clv, mask), points),
  };
}
