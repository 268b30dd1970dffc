/**
 * Customer lifetime value over a finite horizon, lifetimes-style
 * (`GammaGammaFitter.customer_lifetime_value`):
 *
 *   CLV = margin · E[spend | x, m] · Σ_k ΔE[purchases in step k | x, t_x, T] · (1 + annualRate)^{−(month at end of step k)/12}
 *
 * The horizon is cut into monthly (default) or daily steps; the expected purchases in each
 * step come from the BG/NBD conditional expectation (cumulative, differenced) and are
 * discounted at the step's end, exactly like lifetimes. A month is `daysPerMonth` days
 * (default 30, lifetimes' convention for freq='D') and a year is 12 months, so monthly
 * discounting with annualRate = (1.01)^12 − 1 reproduces lifetimes' `discount_rate=0.01`.
 *
 * Every returned number is finite; inputs that would produce NaN raise ClvFitError.
 */

import { conditionalExpectedPurchases, type BgNbdParams } from './bgnbd.js';
import { ClvFitError } from './errors.js';
import { conditionalExpectedSpend, type GammaGammaParams } from './gamma-gamma.js';
import { type RfmMonetaryRow, validateRfmRows } from './summary.js';

export interface ClvOptions {
  /** Horizon length in months (> 0; need not be an integer). */
  horizonMonths: number;
  /** Length of the models' time unit in days (1 = days, 7 = weeks), as used to build the summary. Default 1. */
  timeUnitDays?: number;
  /** Annual discount rate, e.g. 0.1 for 10 %/year. Default 0 (no discounting). */
  annualDiscountRate?: number;
  /** Discounting / accumulation step. Default 'monthly'. */
  discountStep?: 'monthly' | 'daily';
  /** Days in a month. Default 30 (lifetimes' convention). */
  daysPerMonth?: number;
  /** Profit margin multiplier applied to spend (e.g. 0.3). Default 1 (revenue CLV). */
  margin?: number;
}

export interface ClvResult {
  /** Discounted value over the horizon (margin applied). */
  clv: number;
  /** Undiscounted expected purchases over the horizon. */
  expectedPurchases: number;
  /** Expected value per future purchase (Gamma-Gamma conditional expectation, before margin). */
  expectedSpend: number;
}

interface ResolvedOptions {
  horizonMonths: number;
  stepMonths: number;
  unitsPerMonth: number;
  annualDiscountRate: number;
  margin: number;
}

function resolveOptions(options: ClvOptions): ResolvedOptions {
  const timeUnitDays = options.timeUnitDays ?? 1;
  const daysPerMonth = options.daysPerMonth ?? 30;
  const annualDiscountRate = options.annualDiscountRate ?? 0;
  const margin = options.margin ?? 1;
  const step = options.discountStep ?? 'monthly';
  const checks: [string, number, boolean][] = [
    ['horizonMonths', options.horizonMonths, options.horizonMonths > 0],
    ['timeUnitDays', timeUnitDays, timeUnitDays > 0],
    ['daysPerMonth', daysPerMonth, daysPerMonth > 0],
    ['annualDiscountRate', annualDiscountRate, annualDiscountRate > -1],
    ['margin', margin, margin >= 0],
  ];
  for (const [name, value, ok] of checks) {
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok) {
      throw new ClvFitError('invalid_input', `customerLifetimeValue: option ${name} = ${String(value)} is out of range.`);
    }
  }
  if (step !== 'monthly' && step !== 'daily') {
    throw new ClvFitError('invalid_input', `customerLifetimeValue: discountStep must be 'monthly' or 'daily', got ${String(step)}.`);
  }
  return {
    horizonMonths: options.horizonMonths,
    stepMonths: step === 'monthly' ? 1 : 1 / daysPerMonth,
    unitsPerMonth: daysPerMonth / timeUnitDays,
    annualDiscountRate,
    margin,
  };
}

/** Discounted expected purchases Σ_k ΔE_k·d_k and the undiscounted total, for one customer. */
function discountedPurchases(
  bgnbd: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  o: ResolvedOptions,
): { discounted: number; total: number } {
  const nSteps = Math.ceil(o.horizonMonths / o.stepMonths - 1e-9);
  let prev = 0;
  let discounted = 0;
  for (let k = 1; k <= nSteps; k++) {
    const months = Math.min(k * o.stepMonths, o.horizonMonths);
    const cum = conditionalExpectedPurchases(bgnbd, months * o.unitsPerMonth, x, tx, T);
    const factor = o.annualDiscountRate === 0 ? 1 : Math.pow(1 + o.annualDiscountRate, -months / 12);
    discounted += (cum - prev) * factor;
    prev = cum;
  }
  return { discounted, total: prev };
}

/**
 * CLV of one customer (frequency/recency/T in the models' time unit, monetary value as in
 * the summary). Throws ClvFitError('invalid_input') for invalid customer data or options.
 */
export function customerLifetimeValue(
  bgnbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  customer: RfmMonetaryRow,
  options: ClvOptions,
): ClvResult {
  const o = resolveOptions(options);
  const { frequency: x, recency: tx, T, monetaryValue: m } = customer;
  const expectedSpend = conditionalExpectedSpend(gammaGamma, x, m);
  const { discounted, total } = discountedPurchases(bgnbd, x, tx, T, o);
  const clv = o.margin * expectedSpend * discounted;
  if (!Number.isFinite(clv)) {
    throw new ClvFitError('degenerate', `customerLifetimeValue produced a non-finite value for ${JSON.stringify(customer)}.`);
  }
  return { clv, expectedPurchases: total, expectedSpend };
}

/**
 * CLV for many customers. All rows are validated first; one ClvFitError('invalid_input')
 * lists the invalid rows (index, id, field) instead of failing on the first.
 */
export function customerLifetimeValues(
  bgnbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  customers: readonly RfmMonetaryRow[],
  options: ClvOptions,
): ClvResult[] {
  resolveOptions(options);
  validateRfmRows(customers, 'customerLifetimeValues', { monetary: true });
  return customers.map((c) => customerLifetimeValue(bgnbd, gammaGamma, c, options));
}
