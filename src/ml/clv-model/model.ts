import { z } from 'zod';
import { ClvHyperparamsSchema } from './hyper.js';

/**
 * The trained CLV model as plain JSON: hyperparameters in, learned parameters out, plus how the fit
 * went and how the model did on a holdout period. Nothing per customer is stored: predictions are
 * computed from the parameters and the customer's clv_* features at serving time.
 */

export const CLV_MODEL_FORMAT = 'propel-clv';
export const CLV_MODEL_FORMAT_VERSION = 1;
export const CLV_MODEL_KIND = 'bg_nbd+gamma_gamma';

const positive = z.number().positive().finite();
const finite = z.number().finite();
const count = z.number().int().nonnegative();
/** A statistic that may be undefined (e.g. a correlation with no variance): null, never NaN. */
const stat = z.number().finite().nullable();
const standardError = z.number().nonnegative().finite();
const Day = z.iso.date();

export const BgNbdParamsSchema = z.strictObject({ r: positive, alpha: positive, a: positive, b: positive });
export const GammaGammaParamsSchema = z
  .strictObject({ p: positive, q: positive, v: positive })
  .refine((g) => g.q > 1, { path: ['q'], message: 'must be > 1 (the mean spend p·v/(q−1) is infinite otherwise)' });

export const ClvParamsSchema = z.strictObject({
  bgnbd: BgNbdParamsSchema,
  gamma_gamma: GammaGammaParamsSchema,
  /** Time unit of alpha (and of recency/T inside the model): 'days' unless timeUnitDays ≠ 1. */
  time_unit: z.string().min(1),
});

export const BgNbdFitStatsSchema = z.looseObject({
  logLikelihood: finite,
  converged: z.boolean(),
  iterations: count,
  nCustomers: count,
  nRepeatBuyers: count,
  /** Approximate standard errors (observed information); null when the Hessian was not invertible. */
  standardErrors: z.strictObject({ r: standardError, alpha: standardError, a: standardError, b: standardError }).nullable(),
  penalizer: z.number().min(0),
  message: z.string(),
});

export const IndependenceSchema = z.looseObject({
  /** Pearson correlation of frequency and mean spend among repeat buyers (Gamma-Gamma assumes ≈ 0). */
  correlation: stat,
  nCustomers: count,
  threshold: z.number(),
  warning: z.string().nullable(),
});

export const GammaGammaFitStatsSchema = z.looseObject({
  logLikelihood: finite,
  converged: z.boolean(),
  iterations: count,
  /** Repeat buyers the spend model was fitted on. */
  nCustomers: count,
  standardErrors: z.strictObject({ p: standardError, q: standardError, v: standardError }).nullable(),
  populationMeanSpend: positive,
  excluded: z.looseObject({ noRepeatPurchase: count, nonPositiveMonetary: count, missingMonetary: count }),
  independence: IndependenceSchema,
  penalizer: z.number().min(0),
  message: z.string(),
});

export const ClvFitStatsSchema = z.strictObject({ bgnbd: BgNbdFitStatsSchema, gamma_gamma: GammaGammaFitStatsSchema });

/** Errors of predicted (or baseline) holdout purchase counts against the actual counts. */
export const HoldoutErrorsSchema = z.strictObject({
  mae: finite,
  rmse: finite,
  total_predicted: finite,
  total_actual: finite,
  /** total_predicted ÷ total_actual − 1; null when nothing was bought in the holdout. */
  total_relative_error: stat,
  /** Pearson correlation per customer; null when either side has no variance. */
  correlation: stat,
});
export type HoldoutErrors = z.infer<typeof HoldoutErrorsSchema>;

export const FrequencyBucketSchema = z.strictObject({
  /** Calibration-period repeat purchase days: '0', '1', ..., '6+'. */
  frequency: z.string(),
  customers: count,
  mean_actual: finite,
  mean_predicted: finite,
  mean_baseline: finite,
});

export const ClvEvaluationSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('ok'),
    /** Last day of the calibration period (as_of − holdout_days); the calibration fit saw nothing after it. */
    calibration_end: Day,
    holdout_days: z.number().int().positive(),
    /** Customers with a purchase by calibration_end, compared over the holdout. */
    customers: count,
    /** Customers whose first purchase fell in the holdout: no calibration history, left out. */
    excluded_new_in_holdout: count,
    /** Calibration customers no longer found as of as_of (e.g. merged into another person since). */
    excluded_not_found: count,
    /** BG/NBD parameters fitted on the calibration period (for the record; serving uses `params`). */
    calibration_params: BgNbdParamsSchema,
    model: HoldoutErrorsSchema,
    /** Naive baseline: the customer's calibration repeat rate x/T (0 when T = 0) × holdout length. */
    baseline: HoldoutErrorsSchema,
    beats_baseline: z.boolean(),
    by_frequency: z.array(FrequencyBucketSchema),
  }),
  z.strictObject({
    status: z.literal('skipped'),
    reason: z.string(),
    /** ClvFitError code when the calibration fit failed; null when the evaluation was switched off. */
    code: z.string().nullable(),
    calibration_end: Day.nullable(),
    holdout_days: z.number().int().nonnegative(),
  }),
]);
export type ClvEvaluation = z.infer<typeof ClvEvaluationSchema>;

export const ClvModelSchema = z.strictObject({
  format: z.literal(CLV_MODEL_FORMAT),
  format_version: z.literal(CLV_MODEL_FORMAT_VERSION),
  kind: z.literal(CLV_MODEL_KIND),
  /** Every purchase up to the end of this day was used for the serving fit. */
  as_of: Day,
  trained_at: z.iso.datetime({ offset: true }),
  hyper: ClvHyperparamsSchema,
  params: ClvParamsSchema,
  fit: ClvFitStatsSchema,
  evaluation: ClvEvaluationSchema,
  data: z.strictObject({
    /** Customers in the feature frame as of as_of (buyers and non-buyers). */
    customers: count,
    /** Customers with at least one purchase (the BG/NBD rows). */
    buyers: count,
    repeat_buyers: count,
    seconds: z.number().nonnegative(),
  }),
});

export type ClvModel = z.infer<typeof ClvModelSchema>;
export type ClvParams = z.infer<typeof ClvParamsSchema>;
export type ClvFitStats = z.infer<typeof ClvFitStatsSchema>;

/** The contract's `train --json` params for clv: r, alpha, a, b with time_unit, and p, q, v. */
export function contractParams(model: ClvModel): { r: number; alpha: number; a: number; b: number; time_unit: string; p: number; q: number; v: number } {
  const { bgnbd, gamma_gamma, time_unit } = model.params;
  return { ...bgnbd, time_unit, ...gamma_gamma };
}
