/**
 * Rule-based scores over a FeatureFrame (CONTRACT.md §2 columns rfm_score, rfm_segment,
 * lifecycle_segment, value_tier, super_user_score, potential_tier), in three pure steps:
 *
 *   const context = computeScoringContext(frame, config);      // base-relative statistics, plain JSON
 *   const scores = scoreFrame(frame, context, config, preds);    // per customer; n = 1 frames give the same
 *   const summary = summarize(scores, frame, context);           // shares, tiers, funnel, Pareto, hourglass
 */
export { computeScoringContext, scoringContextSteps, type ContextOptions, type Predictions, type ScoringContext } from './context.js';
export { scoreFrame, type ScoreOptions } from './score.js';
export { summarize, summarizeSteps } from './summary.js';
export { BaseSummarySchema, CustomerScoreSchema, type BaseSummary, type CustomerScore } from './schema.js';
export { RFM_SEGMENTS, RFM_SEGMENT_MEANING, type RfmSegment, type RfmContext } from './rfm.js';
export { LIFECYCLE_SEGMENTS, type LifecycleSegment, type TypicalGap } from './lifecycle.js';
export { VALUE_TIERS, type ValueTier, type ValueTierContext, type ParetoFigure } from './value-tier.js';
export { DIMENSIONS, MEASURES, type Dimension, type MeasureId, type SuperUserContext } from './super-user.js';
export { POTENTIAL_TIERS, POTENTIAL_STRATEGY, type PotentialTier } from './potential-tier.js';
export { FUNNEL_STAGES, type FunnelStage, type FunnelSummary, type Hourglass } from './funnel.js';
export type { TagHit } from './tags.js';
export {
  DEFAULT_SCORING_CONFIG,
  DEFAULT_TAG_RULES,
  loadScoringConfig,
  parseScoringConfig,
  ScoringConfigError,
  ScoringConfigSchema,
  type ScoringConfig,
  type ScoringConfigInput,
  type TagRule,
} from '../config/scoring.js';
