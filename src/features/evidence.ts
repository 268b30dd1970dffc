/**
 * What the in-process feature evaluator reads about one customer as of a day: the rows the batch
 * SQL aggregates, already cut at the end of the as-of day (evidence-read.ts fetches them).
 */

/** One event, with the derived columns the feature SQL uses (computed by the same SQL expressions). */
export interface EventFacts {
  eventId: string;
  type: string;
  /** Age at the end of the as-of day, in days (`age_days` of the feature SQL). */
  ageDays: number;
  /** `CAST(ts AS DATE)` as days since 1970-01-01. */
  day: number;
  /** `dayofweek(ts)`: 0 = Sunday … 6 = Saturday. */
  dow: number;
  amount: number | null;
  margin: number | null;
  productId: string | null;
  category: string | null;
  channel: string | null;
  durationS: number | null;
  rating: number | null;
}

/** A purchase line: an order line of the purchase (--lines), or the purchase itself when it has none. */
export interface PurchaseLine {
  productId: string | null;
  category: string | null;
}

/** A day with at least one purchase and the day's summed amount (the CLV models' transaction). */
export interface PurchaseDay {
  day: number;
  amount: number | null;
}

export interface CustomerEvidence {
  personId: number;
  customerId: string;
  /** Every event before the end of the as-of day, in store order. */
  events: EventFacts[];
  /** Purchase lines (lines of one purchase each count). */
  lines: PurchaseLine[];
  /** Purchase days in ascending order. */
  purchaseDays: PurchaseDay[];
  /** Referred customers who bought by the end of the as-of day; null without referrals. */
  referredBuyers: number | null;
  /** Days from the profile's signup date to the end of the as-of day; null without one. */
  signupAgeDays: number | null;
  /** The as-of day as days since 1970-01-01. */
  asOfDay: number;
}

/** Feature values computed so far for a customer, by name (final-stage features read earlier ones). */
export type FeatureValues = Record<string, number | string | null>;
