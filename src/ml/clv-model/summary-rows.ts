import type { FeatureFrame } from '../../features/frame.js';
import type { CustomerSummary } from '../clv/index.js';

/**
 * The BG/NBD / Gamma-Gamma customer summary, taken ONLY from the feature builder's clv_* features
 * (src/features/schema.ts), so training and serving read the same numbers from one code path:
 *
 *   frequency = clv_frequency (repeat purchase days), recency = clv_recency, T = clv_t (days ÷ timeUnitDays),
 *   monetaryValue = clv_monetary (mean amount of the repeat purchase days, net of refunds spread over every purchase).
 *
 * Customers without a purchase have empty (NaN) clv_* features and get no row: the models start at the
 * first purchase and say nothing about them.
 */
export const CLV_FEATURES = ['clv_frequency', 'clv_recency', 'clv_t', 'clv_monetary'] as const;
export type ClvFeature = (typeof CLV_FEATURES)[number];

export interface ClvSummaryRow extends CustomerSummary {
  /** Row index in the FeatureFrame the row was taken from. */
  index: number;
  customerId: string;
}

export interface ClvColumns {
  frequency: Float64Array;
  recency: Float64Array;
  T: Float64Array;
  monetary: Float64Array;
}

/** The four clv_* columns of a frame; throws naming the column when the frame lacks one. */
export function clvColumns(frame: FeatureFrame): ClvColumns {
  const col = (name: ClvFeature): Float64Array => {
    const c = frame.numeric[name];
    if (!c || c.length !== frame.n) {
      throw new Error(
        `the feature frame has no '${name}' column of length ${frame.n}: CLV needs the repeat-purchase summary ` +
          `(${CLV_FEATURES.join(', ')}) from buildFeatures()`,
      );
    }
    return c;
  };
  return { frequency: col('clv_frequency'), recency: col('clv_recency'), T: col('clv_t'), monetary: col('clv_monetary') };
}

/** True when row i has a purchase (clv_frequency is not empty). */
export function hasPurchase(columns: ClvColumns, i: number): boolean {
  return !Number.isNaN(columns.frequency[i] as number);
}

/**
 * One summary row per customer with at least one purchase, in frame order, keeping the frame row index.
 * recency and T are converted from days to the model's time unit; frequency stays a count of repeat
 * purchase days (lifetimes' freq='D' with a freq_multiplier).
 */
export function clvSummaryRows(frame: FeatureFrame, options: { timeUnitDays?: number } = {}): ClvSummaryRow[] {
  const unit = options.timeUnitDays ?? 1;
  const c = clvColumns(frame);
  const rows: ClvSummaryRow[] = [];
  for (let i = 0; i < frame.n; i++) {
    if (!hasPurchase(c, i)) continue;
    rows.push({
      index: i,
      customerId: frame.customerIds[i] ?? String(frame.personIds[i]),
      frequency: c.frequency[i] as number,
      recency: (c.recency[i] as number) / unit,
      T: (c.T[i] as number) / unit,
      monetaryValue: c.monetary[i] as number,
    });
  }
  return rows;
}
