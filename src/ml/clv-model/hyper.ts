import { z } from 'zod';

/**
 * Hyperparameters of the CLV model (BG/NBD + Gamma-Gamma): what a person chooses before training.
 * The learned parameters (r, alpha, a, b, p, q, v) are the model's output, never an input here.
 *
 * Defaults and why:
 * - `horizonDays` 365: the contract's CLV horizon (CONTRACT.md §2, "predicted CLV is over the horizon
 *   (default 365 days)"); `expected_purchases` and `predicted_clv` are both over this horizon.
 * - `timeUnitDays` 1: the feature builder's repeat-purchase summary (clv_recency, clv_t) is in days, so the
 *   fitted r/alpha is a rate per day and `time_unit` is reported as 'days'. 7 gives weekly parameters
 *   (the CDNOW convention); frequency stays "repeat purchase days" either way, like lifetimes' freq='D'.
 * - `penalizer` 0: the plain maximum-likelihood estimate. lifetimes' L2 penalty is not scale-free (it pulls
 *   r, alpha, a, b towards 0 by an amount that depends on the time unit), so any positive value biases the
 *   parameters; with the hundreds-to-millions of customers a store holds the MLE is well determined. Use a
 *   small value (0.001–0.01) only when the fit reports a degenerate (boundary) estimate.
 * - `spendPenalizer` 0, separate from `penalizer`: lifetimes' Gamma-Gamma penalty is on p, q and v with
 *   v in currency units, so a value suited to BG/NBD is far too strong for spend (on CDNOW 0.001 moved
 *   the mean spend by 12% and 0.01 made the fit degenerate) and would be stronger still in a currency
 *   of large numbers. Set it on its own, only for a degenerate spend fit.
 * - `annualDiscountRate` 0: `predicted_clv` is then exactly expected purchases × expected spend × margin,
 *   consistent with the `expected_purchases` column. Discounting is a finance decision (cost of capital)
 *   the business configures; over one year it changes CLV by at most the rate itself.
 * - `margin` 1: CLV in revenue (what the contract's `amount` is) unless a margin multiplier is configured.
 * - `minCustomers` 100 / `minRepeatBuyers` 30: the fitters themselves accept 10, but 4 (resp. 3) parameters
 *   from fewer than ~100 buyers (~30 repeat buyers) give estimates too noisy to serve; training refuses with
 *   a clear `too_few_customers` error instead.
 * - `holdoutDays` null = min(90, horizonDays): the calibration/holdout evaluation fits on data up to
 *   as-of − holdoutDays and compares predicted with actual purchase days in the holdout. A quarter is long
 *   enough that a typical buyer's expected count is not mostly zero and short enough that the calibration
 *   period keeps most of the history (validating the full 365-day horizon would need another year of data).
 *   0 disables the evaluation.
 */
export const ClvHyperparamsSchema = z.strictObject({
  horizonDays: z.number().int().positive().max(3650).default(365),
  timeUnitDays: z.number().positive().max(365).default(1),
  penalizer: z.number().min(0).max(10).default(0),
  spendPenalizer: z.number().min(0).max(10).default(0),
  annualDiscountRate: z.number().min(0).max(10).default(0),
  /** Discounting step when annualDiscountRate > 0 (lifetimes discounts monthly; a month is 30 days). */
  discountStep: z.enum(['monthly', 'daily']).default('monthly'),
  margin: z.number().min(0).max(1000).default(1),
  minCustomers: z.number().int().min(10).default(100),
  minRepeatBuyers: z.number().int().min(10).default(30),
  holdoutDays: z.number().int().min(0).nullable().default(null),
});

export type ClvHyperparams = z.output<typeof ClvHyperparamsSchema>;
export type ClvHyperparamsInput = z.input<typeof ClvHyperparamsSchema>;

/** Days in a month for monthly discounting (lifetimes' convention for daily data). */
export const DAYS_PER_MONTH = 30;

/** Validates hyperparameters and fills in the defaults; throws a ZodError naming the bad field. */
export function parseClvHyperparams(input: unknown = {}): ClvHyperparams {
  return ClvHyperparamsSchema.parse(input ?? {});
}

/** The holdout length actually used (null means min(90, horizon)). */
export function resolvedHoldoutDays(hyper: ClvHyperparams): number {
  return hyper.holdoutDays ?? Math.min(90, hyper.horizonDays);
}

/** 'days' for 1, 'weeks' for 7, else e.g. '30 days' (the `time_unit` of the contract's params). */
export function timeUnitLabel(timeUnitDays: number): string {
  if (timeUnitDays === 1) return 'days';
  if (timeUnitDays === 7) return 'weeks';
  return `${timeUnitDays} days`;
}
