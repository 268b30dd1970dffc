import { z } from 'zod';
import type { CustomerEvidence, FeatureValues } from './evidence.js';
import {
  AGE_DAYS,
  aggAll,
  aggWhere,
  AMOUNT,
  both,
  coalesceZero,
  countAll,
  countDistinct,
  countWhere,
  distinctCount,
  DURATION_S,
  hasMargin,
  inWindow,
  isType,
  MARGIN,
  minus,
  olderThan,
  onWeekend,
  RATING,
  ratio,
  trend,
  type Column,
  type EventExpr,
} from './expr.js';

/**
 * The feature schema: every behaviour feature's name, meaning, window and type. Models store it
 * with themselves and refuse to load against a different one; the builder computes exactly these.
 */
export const FeatureTypeSchema = z.enum(['count', 'amount', 'days', 'rate', 'score', 'category']);
export const FeatureSpecSchema = z.object({
  name: z.string(),
  description: z.string(),
  /** Days before the end of the as-of day that the feature looks at; null = all history. */
  window: z.number().int().positive().nullable(),
  type: FeatureTypeSchema,
});
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;

/**
 * A feature with the SQL that computes it for every customer in batch and the JS that computes it
 * for one customer's evidence in hand (evaluate.ts); `stage` says which part of the query it
 * belongs to. Events-stage features build both from one expression (expr.ts); the few others
 * write the two side by side, and the parity tests hold them to each other.
 */
export interface FeatureDef extends FeatureSpec {
  /**
   * events: an aggregate over the customer's events; items: over their purchase lines (product,
   * category); days: over their purchase days (the repeat-purchase summary of BG/NBD and
   * Gamma-Gamma, as lifetimes' summary_data_from_transaction_data makes it, in days);
   * final: an expression over earlier columns.
   */
  stage: 'events' | 'items' | 'days' | 'final';
  sql: string;
  /**
   * The value for one customer. A customer with no rows for the stage (no events, no purchases)
   * never reaches it: the batch's join gives NULL there, which zeroWhenAbsent settles.
   */
  value: (c: CustomerEvidence, earlier: FeatureValues) => number | string | null;
}

const DAY_WINDOWS = [30, 90, 365] as const;

const countOf = (type: string, days: number | null) => countWhere(both(isType(type), inWindow(days)));
const sumOf = (column: Column, type: string, days: number | null) => coalesceZero(aggWhere('sum', column, both(isType(type), inWindow(days))));
const label = (days: number | null) => (days === null ? 'all' : String(days));
const during = (days: number | null) => (days === null ? 'over all history' : `in the last ${days} days`);

type Described = Pick<FeatureSpec, 'name' | 'description' | 'type'>;

/** An events-stage feature: an aggregate expression over the customer's events. */
function fromEvents(spec: Described & { window?: number | null }, expr: EventExpr): FeatureDef {
  return { window: null, ...spec, stage: 'events', sql: expr.sql, value: (c) => expr.value(c.events) };
}

function windowed(
  make: (days: number | null) => Described & { expr: EventExpr },
  windows: readonly (number | null)[] = [...DAY_WINDOWS, null],
): FeatureDef[] {
  return windows.map((days) => {
    const { expr, ...spec } = make(days);
    return fromEvents({ ...spec, window: days }, expr);
  });
}

const purchaseDayCount = (c: CustomerEvidence) => c.purchaseDays.length;

/** Days-stage helper: mean amount per repeat purchase day before refunds (0 without repeats). */
const REPEAT_SPEND_GROSS = '__repeat_spend_gross';
function repeatSpendGross(c: CustomerEvidence): number | null {
  const n = purchaseDayCount(c);
  if (n <= 1) return 0;
  const total = c.purchaseDays.reduce<number | null>((sum, d) => (d.amount === null ? sum : (sum ?? 0) + d.amount), null);
  const first = c.purchaseDays[0]!.amount;
  return total === null || first === null ? null : (total - first) / (n - 1);
}
const firstPurchaseDay = (c: CustomerEvidence) => c.purchaseDays[0]!.day;
const lastPurchaseDay = (c: CustomerEvidence) => c.purchaseDays.at(-1)!.day;

export const FEATURE_DEFS: FeatureDef[] = [
  // Recency and tenure
  fromEvents({ name: 'days_since_first_event', description: 'days from the first event of any kind to the end of the as-of day', type: 'days' }, aggAll('max', AGE_DAYS)),
  fromEvents({ name: 'days_since_last_event', description: 'days since the latest event of any kind', type: 'days' }, aggAll('min', AGE_DAYS)),
  fromEvents({ name: 'recency_days', description: 'days since the latest purchase (empty if none)', type: 'days' }, aggWhere('min', AGE_DAYS, isType('purchase'))),
  fromEvents({ name: 'days_since_first_purchase', description: 'days since the first purchase (empty if none)', type: 'days' }, aggWhere('max', AGE_DAYS, isType('purchase'))),
  // Frequency and monetary
  ...windowed((d) => ({ name: `purchases_${label(d)}`, description: `purchases ${during(d)}`, type: 'count', expr: countOf('purchase', d) })),
  ...windowed((d) => ({
    name: `revenue_${label(d)}`,
    description: `purchase amount minus refunds ${during(d)}`,
    type: 'amount',
    expr: minus(sumOf(AMOUNT, 'purchase', d), sumOf(AMOUNT, 'refund', d)),
  })),
  ...windowed(
    (d) => ({ name: `avg_order_value_${label(d)}`, description: `mean purchase amount ${during(d)} (empty if none)`, type: 'amount', expr: aggWhere('avg', AMOUNT, both(isType('purchase'), inWindow(d))) }),
    [365, null],
  ),
  fromEvents({ name: 'refund_share_all', description: 'refunded amount ÷ purchased amount over all history', type: 'rate' }, ratio(sumOf(AMOUNT, 'refund', null), sumOf(AMOUNT, 'purchase', null))),
  ...windowed((d) => ({ name: `margin_${label(d)}`, description: `gross margin of purchases ${during(d)}`, type: 'amount', expr: sumOf(MARGIN, 'purchase', d) }), [365, null]),
  fromEvents(
    {
      name: 'margin_rate_all',
      description: 'margin ÷ amount over purchases that carry a margin (preference for high-margin products; empty without margin data)',
      type: 'rate',
    },
    ratio(aggWhere('sum', MARGIN, both(isType('purchase'), hasMargin)), aggWhere('sum', AMOUNT, both(isType('purchase'), hasMargin))),
  ),
  { name: 'purchase_days_all', description: 'distinct days with a purchase', window: null, type: 'count', stage: 'days', sql: 'count(*)', value: purchaseDayCount },
  {
    name: 'mean_gap_days',
    description: 'mean days between consecutive purchase days (empty with fewer than two)',
    window: null,
    type: 'days',
    stage: 'days',
    sql: `CASE WHEN count(*) > 1 THEN date_diff('day', min(day), max(day)) / (count(*) - 1) END`,
    value: (c) => (purchaseDayCount(c) > 1 ? (lastPurchaseDay(c) - firstPurchaseDay(c)) / (purchaseDayCount(c) - 1) : null),
  },
  {
    name: 'distinct_products_all',
    description: 'distinct products bought (order lines included)',
    window: null,
    type: 'count',
    stage: 'items',
    sql: 'count(DISTINCT product_id)',
    value: (c) => distinctCount(c.lines, (l) => l.productId),
  },
  {
    name: 'distinct_categories_all',
    description: 'distinct categories bought',
    window: null,
    type: 'count',
    stage: 'items',
    sql: 'count(DISTINCT category)',
    value: (c) => distinctCount(c.lines, (l) => l.category),
  },
  { name: 'top_category', description: 'the category bought most often (ties: alphabetical)', window: null, type: 'category', stage: 'final', sql: '__top_category', value: (c) => topCategory(c)?.category ?? null },
  { name: 'top_category_share', description: 'share of categorised purchase lines in the top category', window: null, type: 'rate', stage: 'final', sql: '__top_category_share', value: (c) => topCategory(c)?.share ?? null },
  fromEvents({ name: 'weekend_purchase_share', description: 'share of purchases made on Saturday or Sunday', type: 'rate' }, ratio(countWhere(both(isType('purchase'), onWeekend)), countOf('purchase', null))),
  fromEvents({ name: 'channels_used_all', description: 'distinct channels with any event', type: 'count' }, countDistinct('channel', (e) => e.channel)),
  // Repeat-purchase summary for the CLV models (purchases on one day count once)
  { name: 'clv_frequency', description: 'repeat purchase days: distinct purchase days − 1 (BG/NBD x; empty without purchases)', window: null, type: 'count', stage: 'days', sql: 'count(*) - 1', value: (c) => purchaseDayCount(c) - 1 },
  { name: 'clv_recency', description: 'days from the first to the last purchase day (BG/NBD t_x)', window: null, type: 'days', stage: 'days', sql: 'date_diff(\'day\', min(day), max(day))', value: (c) => lastPurchaseDay(c) - firstPurchaseDay(c) },
  {
    name: 'clv_t',
    description: 'days from the first purchase day to the as-of day (BG/NBD T)',
    window: null,
    type: 'days',
    stage: 'days',
    sql: 'date_diff(\'day\', min(day), CAST($t_end::TIMESTAMP AS DATE) - 1)',
    value: (c) => c.asOfDay - firstPurchaseDay(c),
  },
  {
    name: 'clv_monetary',
    description:
      'mean amount per repeat purchase day, the first day excluded, net of refunds: each purchase keeps 1 − refund_share_all of its amount (Gamma-Gamma; 0 without repeats)',
    window: null,
    type: 'amount',
    // Refunds are not linked to the orders they reverse, so they are spread over every purchase in
    // proportion to its amount. Gross, a repeat order refunded in full would still count as spend.
    stage: 'final',
    sql: `CASE WHEN purchase_days_all > 0 THEN ${REPEAT_SPEND_GROSS} * greatest(0, 1 - coalesce(refund_share_all, 0)) END`,
    value: (c, f) => {
      if (purchaseDayCount(c) === 0) return null;
      const gross = repeatSpendGross(c);
      return gross === null ? null : gross * Math.max(0, 1 - ((f.refund_share_all as number | null) ?? 0));
    },
  },
  // Engagement
  ...windowed((d) => ({ name: `visits_${label(d)}`, description: `site or store visits ${during(d)}`, type: 'count', expr: countOf('visit', d) }), [30, 90, null]),
  ...windowed((d) => ({ name: `app_sessions_${label(d)}`, description: `app sessions ${during(d)}`, type: 'count', expr: countOf('app_session', d) }), [30, 90, null]),
  ...windowed((d) => ({ name: `app_time_s_${label(d)}`, description: `seconds in the app ${during(d)}`, type: 'amount', expr: sumOf(DURATION_S, 'app_session', d) }), [90, null]),
  ...windowed((d) => ({ name: `content_interactions_${label(d)}`, description: `content interactions ${during(d)}`, type: 'count', expr: countOf('content_interaction', d) }), [90, null]),
  ...windowed((d) => ({ name: `event_participations_${label(d)}`, description: `events attended ${during(d)}`, type: 'count', expr: countOf('event_participation', d) }), [365, null]),
  // Social influence
  ...windowed((d) => ({ name: `referrals_${label(d)}`, description: `customers referred ${during(d)}`, type: 'count', expr: countOf('referral', d) }), [365, null]),
  {
    name: 'referred_buyers_all',
    description: 'referred customers who went on to buy (by the as-of day)',
    window: null,
    type: 'count',
    stage: 'final',
    sql: 'coalesce(__referred_buyers, 0)',
    value: (c) => c.referredBuyers ?? 0,
  },
  ...windowed((d) => ({ name: `shares_${label(d)}`, description: `shares ${during(d)}`, type: 'count', expr: countOf('share', d) }), [90, null]),
  fromEvents({ name: 'reviews_all', description: 'reviews written', type: 'count' }, countOf('review', null)),
  fromEvents({ name: 'avg_review_rating', description: 'mean review rating 1–5 (empty if none)', type: 'score' }, aggWhere('avg', RATING, isType('review'))),
  // Loyalty and service
  fromEvents({ name: 'feedback_all', description: 'feedback given', type: 'count' }, countOf('feedback', null)),
  fromEvents({ name: 'support_tickets_all', description: 'support tickets opened', type: 'count' }, countOf('support_ticket', null)),
  fromEvents({ name: 'support_satisfaction', description: 'mean satisfaction 1–5 with resolved tickets (empty if none rated)', type: 'score' }, aggWhere('avg', RATING, isType('support_ticket'))),
  {
    name: 'tenure_days',
    description: 'days since the customer became known (first event or signup date)',
    window: null,
    type: 'days',
    stage: 'final',
    // greatest() skips NULLs, as Math.max over the present values does.
    sql: 'greatest(days_since_first_event, __signup_age_days)',
    value: (c, f) => greatestPresent(f.days_since_first_event as number | null, c.signupAgeDays),
  },
  {
    name: 'signed_up',
    description: '1 if the customer signed up (signup event or profile signup date)',
    window: null,
    type: 'count',
    stage: 'final',
    sql: 'CASE WHEN __signups > 0 OR __signup_age_days IS NOT NULL THEN 1 ELSE 0 END',
    value: (c) => ((SIGNUPS.value(c.events) ?? 0) > 0 || c.signupAgeDays !== null ? 1 : 0),
  },
  fromEvents({ name: 'trials_all', description: 'trials started', type: 'count' }, countOf('trial', null)),
  // Campaign response
  fromEvents({ name: 'campaigns_sent_365', description: 'campaign messages received in the last 365 days', type: 'count', window: 365 }, countOf('campaign_sent', 365)),
  fromEvents({ name: 'campaign_open_rate_365', description: 'opened ÷ sent, last 365 days (empty if none sent)', type: 'rate', window: 365 }, ratio(countOf('campaign_opened', 365), countOf('campaign_sent', 365))),
  fromEvents({ name: 'campaign_click_rate_365', description: 'clicked ÷ sent, last 365 days', type: 'rate', window: 365 }, ratio(countOf('campaign_clicked', 365), countOf('campaign_sent', 365))),
  fromEvents({ name: 'campaign_conversion_rate_365', description: 'converted ÷ sent, last 365 days', type: 'rate', window: 365 }, ratio(countOf('campaign_converted', 365), countOf('campaign_sent', 365))),
  // Activity and trends
  ...windowed((d) => ({ name: `events_${label(d)}`, description: `events of any kind ${during(d)}`, type: 'count', expr: d === null ? countAll : countWhere(inWindow(d)!) }), [30, 90, null]),
  fromEvents(
    { name: 'activity_trend', description: '(events in last 90 days − events in the 90 before) ÷ their sum', type: 'rate', window: 180 },
    trend(countWhere(inWindow(90)!), countWhere(both(olderThan(90), inWindow(180)))),
  ),
  fromEvents(
    { name: 'purchase_trend', description: '(purchases in last 90 days − purchases in the 90 before) ÷ their sum', type: 'rate', window: 180 },
    trend(countOf('purchase', 90), countWhere(both(isType('purchase'), olderThan(90), inWindow(180)))),
  ),
];

const SIGNUPS = countOf('signup', null);

/** Internal helper columns of the days stage (over purchase days), used by final-stage features. */
export const HELPER_DAY_SQL: Record<string, string> = {
  // arg_min_null: the first day's amount even when it is NULL (arg_min would skip to a later day), as the JS reads it.
  [REPEAT_SPEND_GROSS]: 'CASE WHEN count(*) > 1 THEN (sum(amount) - arg_min_null(amount, day)) / (count(*) - 1) ELSE 0 END',
};

/** Internal helper columns of the events stage, used by final-stage features. */
export const HELPER_EVENT_SQL: Record<string, string> = {
  __signups: SIGNUPS.sql,
};

function greatestPresent(...values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.max(...present);
}

/**
 * The category on most purchase lines and its share of the categorised lines; ties go to the
 * smallest name in DuckDB's order (UTF-8 bytes, i.e. code points). Undefined without categories.
 */
function topCategory(c: CustomerEvidence): { category: string; share: number } | undefined {
  const counts = new Map<string, number>();
  for (const line of c.lines) if (line.category !== null) counts.set(line.category, (counts.get(line.category) ?? 0) + 1);
  let top: string | undefined;
  let topN = 0;
  let total = 0;
  for (const [category, n] of counts) {
    total += n;
    if (n > topN || (n === topN && compareCodePoints(category, top!) < 0)) {
      top = category;
      topN = n;
    }
  }
  return top === undefined ? undefined : { category: top, share: topN / total };
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** What the batch gives a customer with no rows for a feature's stage: 0 for counts and sums, else empty. */
export function zeroWhenAbsent(f: FeatureDef): boolean {
  // The CLV summary stays empty without purchases: BG/NBD has no T for a customer who never bought.
  return !f.name.startsWith('clv_') && (f.type === 'count' || (f.type === 'amount' && !f.name.startsWith('avg_')));
}

export const FEATURE_SCHEMA: FeatureSpec[] = FEATURE_DEFS.map(({ name, description, window, type }) => ({ name, description, window, type }));
export const NUMERIC_FEATURES: string[] = FEATURE_SCHEMA.filter((f) => f.type !== 'category').map((f) => f.name);
