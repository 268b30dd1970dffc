import { z } from 'zod';
import { FUNNEL_STAGES } from './funnel.js';
import { LIFECYCLE_SEGMENTS } from './lifecycle.js';
import { POTENTIAL_TIERS } from './potential-tier.js';
import { RFM_SEGMENTS } from './rfm.js';
import { DIMENSIONS, MEASURES } from './super-user.js';
import { VALUE_TIERS } from './value-tier.js';

const MEASURE_IDS = MEASURES.map((m) => m.id) as [string, ...string[]];
const quintile = z.number().int().min(1).max(5).nullable();
const share = z.number().min(0).max(1);

/**
 * One customer's rule-based scores with the reasons behind them (the HTTP profile response and the
 * score file use it). Contract columns (CONTRACT.md §2): rfm_score, rfm_segment, lifecycle_segment,
 * value_tier, super_user_score, potential_tier. A value that cannot be computed is null.
 */
export const CustomerScoreSchema = z.object({
  customer_id: z.string(),
  person_id: z.number().int(),
  rfm_score: z.string().regex(/^[1-5]{3}$/).nullable().describe('recency, frequency, monetary quintiles 1–5, e.g. "545"; null without purchases'),
  rfm_r: quintile,
  rfm_f: quintile,
  rfm_m: quintile,
  rfm_segment: z.enum(RFM_SEGMENTS).nullable(),
  lifecycle_segment: z.enum(LIFECYCLE_SEGMENTS).nullable(),
  value_tier: z.enum(VALUE_TIERS).nullable(),
  /** In the top group of the Pareto figure (top 20% of customers by trailing-12-month revenue). */
  pareto_top: z.boolean(),
  super_user_score: z.number().min(0).max(100).nullable().describe('super-user potential score 0–100'),
  super_user: z
    .object({
      score: z.number().min(0).max(100),
      contributions: z.object(Object.fromEntries(DIMENSIONS.map((d) => [d, z.number().nullable()])) as Record<(typeof DIMENSIONS)[number], z.ZodNullable<z.ZodNumber>>)
        .describe('points per dimension; they sum to the score; null when left out or skipped'),
      dimensions: z.object(Object.fromEntries(DIMENSIONS.map((d) => [d, z.number().min(0).max(100).nullable()])) as Record<(typeof DIMENSIONS)[number], z.ZodNullable<z.ZodNumber>>)
        .describe('standing 0–100 on each dimension before weighting (e.g. social is the social score); null when left out or skipped'),
      left_out: z.array(z.enum(DIMENSIONS)).describe('dimensions left out for the whole base (no sub-measure with data and a weight above 0); their weight is shared out'),
      left_out_measures: z.array(z.enum(MEASURE_IDS)),
      skipped: z.array(z.string()).describe('sub-measures (or whole dimensions) empty for this customer'),
    })
    .nullable(),
  potential_tier: z.enum(POTENTIAL_TIERS).nullable(),
  potential: z
    .object({
      tier: z.enum(POTENTIAL_TIERS),
      index: z.number().min(0).max(100).describe('potential index P: the super-user score, blended with model predictions when present'),
      strategy: z.string(),
      predictions: z
        .object({
          purchase_probability: share.nullable(),
          clv_percentile: share.nullable(),
          churn_probability: share.nullable(),
          lapsed: z.boolean().describe('no churn probability because the customer has no event in the churn model\'s active window: retention counted 0'),
        })
        .nullable()
        .describe('model predictions blended into the index; null when none'),
    })
    .nullable(),
  funnel_stage: z.enum(FUNNEL_STAGES).nullable(),
  tags: z.array(z.object({ tag: z.string(), id: z.string(), strength: share.nullable(), reason: z.string().nullable() })),
  /** Null when scored with `explain: false` (batch runs that need no text). */
  reasons: z.object({
    rfm_score: z.string(),
    rfm_segment: z.string(),
    lifecycle_segment: z.string(),
    value_tier: z.string(),
    super_user_score: z.string(),
    potential_tier: z.string(),
    funnel_stage: z.string(),
  }).nullable(),
});
export type CustomerScore = z.infer<typeof CustomerScoreSchema>;

const count = z.number().int().min(0);
const group = z.object({ count, share: share.nullable().describe('of the customers with a value for this field') });
const distribution = <K extends readonly [string, ...string[]], G extends z.ZodObject>(keys: K, groupSchema: G) =>
  z.object({
    scored: count.describe('customers with a value for this field (the denominator of the shares)'),
    empty: count.describe('customers without one, e.g. no purchase for RFM and lifecycle'),
    groups: z.record(z.enum(keys), groupSchema),
  });

/** Base-level figures (`summarize`): segment shares, tiers, funnel, hourglass, Pareto. Used for the summary endpoint. */
export const BaseSummarySchema = z.object({
  as_of: z.string().nullable(),
  customers: count,
  customers_with_events: count,
  purchasers: count,
  rfm_segments: distribution(RFM_SEGMENTS, group),
  lifecycle_segments: distribution(LIFECYCLE_SEGMENTS, group),
  value_tiers: distribution(
    VALUE_TIERS,
    group.extend({
      value: z.number().describe("the tier's positive trailing-12-month value (revenue or margin, the tier basis)"),
      value_share: share.nullable(),
    }),
  ).extend({ basis: z.enum(['revenue', 'margin']) }),
  potential_tiers: distribution(POTENTIAL_TIERS, group.extend({ strategy: z.string() })),
  super_user_score: z.object({
    scored: count,
    mean: z.number().nullable(),
    p25: z.number().nullable(),
    p50: z.number().nullable(),
    p75: z.number().nullable(),
    p90: z.number().nullable(),
    left_out: z.array(z.enum(DIMENSIONS)),
    left_out_measures: z.array(z.enum(MEASURE_IDS)),
  }),
  funnel: z.object({
    customers: count,
    stages: z.array(z.object({ stage: z.enum(FUNNEL_STAGES), reached: count, conversion_from_previous: share.nullable() })),
    overall_conversion: share.nullable(),
  }),
  hourglass: z.object({
    loyal_customers: count,
    loyal_referrers: count,
    loyal_referrer_share: share.nullable(),
    referrals_by_loyal: z.number(),
    referred_buyers_by_loyal: z.number(),
    referred_buyer_conversion: z.number().nullable(),
    referrals_all: z.number(),
    referred_buyers_all: z.number(),
    loyal_share_of_referred_buyers: z.number().nullable(),
  }),
  pareto: z.object({
    customers_with_revenue: count.describe('customers with positive trailing-12-month revenue'),
    total_revenue: z.number(),
    top_customer_share: share.describe('the configured top share, 0.2'),
    top_customers: count.describe('customers in the top group (ties with the last one included)'),
    top_cutoff: z.number().nullable(),
    top_revenue_share: share.nullable().describe('share of revenue the top group makes'),
    revenue_share: share.describe('the configured revenue share, 0.8'),
    customers_for_revenue_share: count,
    customer_share_for_revenue_share: share.nullable(),
  }),
  typical_gap: z.object({
    days: z.number(),
    source: z.enum(['median_of_repeat_customers', 'config_fallback']),
    repeat_customers: count,
  }),
  tags: z.record(z.string(), count).describe('customers per tag rule id'),
});
export type BaseSummary = z.infer<typeof BaseSummarySchema>;
