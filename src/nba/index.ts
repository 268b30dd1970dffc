/**
 * Next-best-action engine (pure functions; the caller reads the store and hands the data in).
 *
 *   const catalog = loadActionCatalog();                          // config/actions.json
 *   const decision = decide(input, catalog, catalog.policy, outcomeStats, createRng(seed));
 *   const report = experimentReport(outcomeRecords);               // uplift against the control group
 */
export {
  ActionCatalogError,
  ActionCatalogSchema,
  ActionSchema,
  DEFAULT_CATALOG_FILE,
  DEFAULT_FREQUENCY_CAPS,
  EligibilitySchema,
  FallbackSchema,
  PolicySchema,
  ResponseModelSchema,
  contextWeight,
  formatPath,
  loadActionCatalog,
  parseActionCatalog,
  placementMatches,
  type Action,
  type ActionCatalog,
  type ActionCatalogInput,
  type ActionInput,
  type ContextWeight,
  type Eligibility,
  type Fallback,
  type FrequencyCap,
  type Policy,
  type PolicyInput,
  type ResponseModel,
} from './catalog.js';
export {
  consentExclusion,
  contactPolicyExclusions,
  cooldownExclusion,
  frequencyCapExclusions,
  prepareHistory,
  toMillis,
  type Consents,
  type ContactRecord,
  type Exclusion,
  type ExclusionCode,
  type PreparedHistory,
} from './policy.js';
export { controlGroupDraw, isInControlGroup } from './control-group.js';
export {
  OutcomeStatsSchema,
  PosteriorTable,
  aggregateOutcomes,
  learnedProbability,
  posterior,
  sampleBeta,
  sampleGamma,
  segmentOf,
  type LearningResult,
  type OutcomeStats,
  type Posterior,
  type SegmentBy,
  type UniformRng,
} from './learning.js';
export { actionValue, checkEligibility, decide, modelProbability, type DecideInput, type Posteriors } from './decide.js';
export {
  ContactRecordSchema,
  DecideInputSchema,
  DecisionContextSchema,
  DecisionSchema,
  EXCLUSION_CODES,
  ExcludedActionSchema,
  OUTCOME_KINDS,
  OutcomeInputSchema,
  RankedActionSchema,
  TimestampSchema,
  type DecideInputParsed,
  type Decision,
  type DecisionContext,
  type ExcludedAction,
  type OutcomeInput,
  type RankedAction,
} from './schemas.js';
export {
  ActionExperimentSchema,
  EXPERIMENT_METHOD,
  ExperimentReportSchema,
  GroupStatsSchema,
  OutcomeRecordSchema,
  Z95,
  experimentReport,
  newcombeInterval,
  twoProportionPValue,
  wilsonInterval,
  type ActionExperiment,
  type ExperimentReport,
  type GroupStats,
  type OutcomeRecord,
} from './experiment.js';
export { createRng, type Rng } from '../ml/random.js';
export * from './vocab.js';
