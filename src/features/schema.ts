import { z } from 'zod';

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

/** A feature with the SQL that computes it; `stage` says which part of the query it belongs to. */
export interface FeatureDef extends FeatureSpec {
  /**
   * events: an aggregate over the customer's events; items: over their purchase lines (product,
   * category); days: over their purchase days (the repeat-purchase summary of BG/NBD and
   * Gamma-Gamma, as lifetimes' summary_data_from_transaction_data makes it, in days);
   * final: an expression over earlier columns.
   */
  stage: 'events' | 'items' | 'days' | 'final';
  sql: string;
}

const DAY_WINDOWS = [30, 90, 365] as const;

const isType = (type: string) => `type = '${type}'`;
const inWindow = (days: number | null) => (days === null ? null : `age_days <= ${days}`);
const both = (...conds: (string | null)[]) => conds.filter((c) => c !== null).join(' AND ');
/**
 * `agg(column)` over the rows where `cond` holds. Written as CASE rather than as an aggregate
 * FILTER clause: the same rows in the same order, so the same value, but DuckDB runs filtered
 * aggregates several times slower.
 */
const aggWhere = (agg: string, column: string, cond: string) => `${agg}(CASE WHEN ${cond} THEN ${column} END)`;
const countWhere = (cond: string) => aggWhere('count', '1', cond);
const countOf = (type: string, days: number | null) => countWhere(both(isType(type), inWindow(days)));
const sumOf = (column: string, type: string, days: number | null) => `coalesce(${aggWhere('sum', column, both(isType(type), inWindow(days)))}, 0)`;
const label = (days: number | null) => (days === null ? 'all' : String(days));
const during = (days: number | null) => (days === null ? 'over all history' : `in the last ${days} days`);
/** (recent − earlier) / (recent + earlier) in [−1, 1]; null when both are zero. */
const trend = (recent: string, earlier: string) =>
  `CASE WHEN (${recent}) + (${earlier}) > 0 THEN ((${recent}) - (${earlier})) / ((${recent}) + (${earlier}))::DOUBLE END`;
const ratio = (num: string, den: string) => `CASE WHEN (${den}) > 0 THEN (${num}) / (${den})::DOUBLE END`;

function windowed(
  make: (days: number | null) => Omit<FeatureDef, 'window' | 'stage'>,
  windows: readonly (number | null)[] = [...DAY_WINDOWS, null],
): FeatureDef[] {
  return windows.map((days) => ({ ...make(days), window: days, stage: 'events' as const }));
}

export const FEATURE_DEFS: FeatureDef[] = [
  // Recency and tenure
  { name: 'days_since_first_event', description: 'days from the first event of any kind to the end of the as-of day', window: null, type: 'days', stage: 'events', sql: 'max(age_days)' },
  { name: 'days_since_last_event', description: 'days since the latest event of any kind', window: null, type: 'days', stage: 'events', sql: 'min(age_days)' },
  { name: 'recency_days', description: 'days since the latest purchase (empty if none)', window: null, type: 'days', stage: 'events', sql: aggWhere('min', 'age_days', isType('purchase')) },
  { name: 'days_since_first_purchase', description: 'days since the first purchase (empty if none)', window: null, type: 'days', stage: 'events', sql: aggWhere('max', 'age_days', isType('purchase')) },
  // Frequency and monetary
  ...windowed((d) => ({ name: `purchases_${label(d)}`, description: `purchases ${during(d)}`, type: 'count', sql: countOf('purchase', d) })),
  ...windowed((d) => ({
    name: `revenue_${label(d)}`,
    description: `purchase amount minus refunds ${during(d)}`,
    type: 'amount',
    sql: `${sumOf('amount', 'purchase', d)} - ${sumOf('amount', 'refund', d)}`,
  })),
  ...windowed(
    (d) => ({ name: `avg_order_value_${label(d)}`, description: `mean purchase amount ${during(d)} (empty if none)`, type: 'amount', sql: aggWhere('avg', 'amount', both(isType('purchase'), inWindow(d))) }),
    [365, null],
  ),
  { name: 'refund_share_all', description: 'refunded amount ÷ purchased amount over all history', window: null, type: 'rate', stage: 'events', sql: ratio(sumOf('amount', 'refund', null), sumOf('amount', 'purchase', null)) },
  ...windowed((d) => ({ name: `margin_${label(d)}`, description: `gross margin of purchases ${during(d)}`, type: 'amount', sql: sumOf('margin', 'purchase', d) }), [365, null]),
  {
    name: 'margin_rate_all',
    description: 'margin ÷ amount over purchases that carry a margin (preference for high-margin products; empty without margin data)',
    window: null,
    type: 'rate',
    stage: 'events',
    sql: ratio(aggWhere('sum', 'margin', `${isType('purchase')} AND margin IS NOT NULL`), aggWhere('sum', 'amount', `${isType('purchase')} AND margin IS NOT NULL`)),
  },
  { name: 'purchase_days_all', description: 'distinct days with a purchase', window: null, type: 'count', stage: 'days', sql: 'count(*)' },
  {
    name: 'mean_gap_days',
    description: 'mean days between consecutive purchase days (empty with fewer than two)',
    window: null,
    type: 'days',
    stage: 'days',
    sql: `CASE WHEN count(*) > 1 THEN date_diff('day', min(day), max(day)) / (count(*) - 1) END`,
  },
  { name: 'distinct_products_all', description: 'distinct products bought (order lines included)', window: null, type: 'count', stage: 'items', sql: 'count(DISTINCT product_id)' },
  { name: 'distinct_categories_all', description: 'distinct categories bought', window: null, type: 'count', stage: 'items', sql: 'count(DISTINCT category)' },
  { name: 'top_category', description: 'the category bought most often (ties: alphabetical)', window: null, type: 'category', stage: 'final', sql: '__top_category' },
  { name: 'top_category_share', description: 'share of categorised purchase lines in the top category', window: null, type: 'rate', stage: 'final', sql: '__top_category_share' },
  { name: 'weekend_purchase_share', description: 'share of purchases made on Saturday or Sunday', window: null, type: 'rate', stage: 'events', sql: ratio(countWhere(`${isType('purchase')} AND dayofweek(ts) IN (0, 6)`), countOf('purchase', null)) },
  { name: 'channels_used_all', description: 'distinct channels with any event', window: null, type: 'count', stage: 'events', sql: 'count(DISTINCT channel)' },
  // Repeat-purchase summary for the CLV models (purchases on one day count once)
  { name: 'clv_frequency', description: 'repeat purchase days: distinct purchase days − 1 (BG/NBD x; empty without purchases)', window: null, type: 'count', stage: 'days', sql: 'count(*) - 1' },
  { name: 'clv_recency', description: 'days from the first to the last purchase day (BG/NBD t_x)', window: null, type: 'days', stage: 'days', sql: 'date_diff(\'day\', min(day), max(day))' },
  { name: 'clv_t', description: 'days from the first purchase day to the as-of day (BG/NBD T)', window: null, type: 'days', stage: 'days', sql: 'date_diff(\'day\', min(day), CAST($t_end::TIMESTAMP AS DATE) - 1)' },
  {
    name: 'clv_monetary',
    description: 'mean amount per repeat purchase day, the first day excluded (Gamma-Gamma; 0 without repeats)',
    window: null,
    type: 'amount',
    stage: 'days',
    sql: 'CASE WHEN count(*) > 1 THEN (sum(amount) - arg_min(amount, day)) / (count(*) - 1) ELSE 0 END',
  },
  // Engagement
  ...windowed((d) => ({ name: `visits_${label(d)}`, description: `site or store visits ${during(d)}`, type: 'count', sql: countOf('visit', d) }), [30, 90, null]),
  ...windowed((d) => ({ name: `app_sessions_${label(d)}`, description: `app sessions ${during(d)}`, type: 'count', sql: countOf('app_session', d) }), [30, 90, null]),
  ...windowed((d) => ({ name: `app_time_s_${label(d)}`, description: `seconds in the app ${during(d)}`, type: 'amount', sql: sumOf('duration_s', 'app_session', d) }), [90, null]),
  ...windowed((d) => ({ name: `content_interactions_${label(d)}`, description: `content interactions ${during(d)}`, type: 'count', sql: countOf('content_interaction', d) }), [90, null]),
  ...windowed((d) => ({ name: `event_participations_${label(d)}`, description: `events attended ${during(d)}`, type: 'count', sql: countOf('event_participation', d) }), [365, null]),
  // Social influence
  ...windowed((d) => ({ name: `referrals_${label(d)}`, description: `customers referred ${during(d)}`, type: 'count', sql: countOf('referral', d) }), [365, null]),
  { name: 'referred_buyers_all', description: 'referred customers who went on to buy (by the as-of day)', window: null, type: 'count', stage: 'final', sql: 'coalesce(__referred_buyers, 0)' },
  ...windowed((d) => ({ name: `shares_${label(d)}`, description: `shares ${during(d)}`, type: 'count', sql: countOf('share', d) }), [90, null]),
  { name: 'reviews_all', description: 'reviews written', window: null, type: 'count', stage: 'events', sql: countOf('review', null) },
  { name: 'avg_review_rating', description: 'mean review rating 1–5 (empty if none)', window: null, type: 'score', stage: 'events', sql: aggWhere('avg', 'rating', isType('review')) },
  // Loyalty and service
  { name: 'feedback_all', description: 'feedback given', window: null, type: 'count', stage: 'events', sql: countOf('feedback', null) },
  { name: 'support_tickets_all', description: 'support tickets opened', window: null, type: 'count', stage: 'events', sql: countOf('support_ticket', null) },
  { name: 'support_satisfaction', description: 'mean satisfaction 1–5 with resolved tickets (empty if none rated)', window: null, type: 'score', stage: 'events', sql: aggWhere('avg', 'rating', isType('support_ticket')) },
  { name: 'tenure_days', description: 'days since the customer became known (first event or signup date)', window: null, type: 'days', stage: 'final', sql: 'greatest(days_since_first_event, __signup_age_days)' },
  { name: 'signed_up', description: '1 if the customer signed up (signup event or profile signup date)', window: null, type: 'count', stage: 'final', sql: 'CASE WHEN __signups > 0 OR __signup_age_days IS NOT NULL THEN 1 ELSE 0 END' },
  { name: 'trials_all', description: 'trials started', window: null, type: 'count', stage: 'events', sql: countOf('trial', null) },
  // Campaign response
  { name: 'campaigns_sent_365', description: 'campaign messages received in the last 365 days', window: 365, type: 'count', stage: 'events', sql: countOf('campaign_sent', 365) },
  { name: 'campaign_open_rate_365', description: 'opened ÷ sent, last 365 days (empty if none sent)', window: 365, type: 'rate', stage: 'events', sql: ratio(countOf('campaign_opened', 365), countOf('campaign_sent', 365)) },
  { name: 'campaign_click_rate_365', description: 'clicked ÷ sent, last 365 days', window: 365, type: 'rate', stage: 'events', sql: ratio(countOf('campaign_clicked', 365), countOf('campaign_sent', 365)) },
  { name: 'campaign_conversion_rate_365', description: 'converted ÷ sent, last 365 days', window: 365, type: 'rate', stage: 'events', sql: ratio(countOf('campaign_converted', 365), countOf('campaign_sent', 365)) },
  // Activity and trends
  ...windowed((d) => ({ name: `events_${label(d)}`, description: `events of any kind ${during(d)}`, type: 'count', sql: d === null ? 'count(*)' : countWhere(inWindow(d)!) }), [30, 90, null]),
  { name: 'activity_trend', description: '(events in last 90 days − events in the 90 before) ÷ their sum', window: 180, type: 'rate', stage: 'events', sql: trend(countWhere('age_days <= 90'), countWhere('age_days > 90 AND age_days <= 180')) },
  {
    name: 'purchase_trend',
    description: '(purchases in last 90 days − purchases in the 90 before) ÷ their sum',
    window: 180,
    type: 'rate',
    stage: 'events',
    sql: trend(countOf('purchase', 90), countWhere(`${isType('purchase')} AND age_days > 90 AND age_days <= 180`)),
  },
];

/** Internal helper columns of the events stage, used by final-stage features. */
export const HELPER_EVENT_SQL: Record<string, string> = {
  __signups: countOf('signup', null),
};

export const FEATURE_SCHEMA: FeatureSpec[] = FEATURE_DEFS.map(({ name, description, window, type }) => ({ name, description, window, type }));
export const NUMERIC_FEATURES: string[] = FEATURE_SCHEMA.filter((f) => f.type !== 'category').map((f) => f.name);
