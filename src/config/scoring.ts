import fs from 'node:fs';
import { z } from 'zod';
import { DomainError, type Issue } from '../domain/errors.js';
import { FEATURE_SCHEMA } from '../features/schema.js';

/**
 * Settings of the rule-based scores (src/scoring/): every weight, threshold, multiple and horizon,
 * each with a default and where that default comes from. A JSON file may override any part of it
 * (`loadScoringConfig(file)`): objects are merged key by key over the defaults, arrays replace.
 * Unknown keys are errors, so a misspelt weight is reported instead of silently ignored.
 */

const NUMERIC_FEATURE_NAMES = new Set(FEATURE_SCHEMA.filter((f) => f.type !== 'category').map((f) => f.name));
const CATEGORY_FEATURE_NAMES = new Set(FEATURE_SCHEMA.filter((f) => f.type === 'category').map((f) => f.name));

/** Outputs of the other rules (and model predictions) that a tag condition may test. */
export const TAG_SCORE_FIELDS = [
  'rfm_score',
  'rfm_r',
  'rfm_f',
  'rfm_m',
  'rfm_segment',
  'lifecycle_segment',
  'value_tier',
  'super_user_score',
  'potential_tier',
  'funnel_stage',
  'purchase_probability',
  'churn_probability',
  'predicted_clv',
] as const;
export type TagScoreField = (typeof TAG_SCORE_FIELDS)[number];
/** Score fields holding numbers (the rest hold strings). */
export const NUMERIC_TAG_SCORE_FIELDS: ReadonlySet<TagScoreField> = new Set([
  'rfm_r',
  'rfm_f',
  'rfm_m',
  'super_user_score',
  'purchase_probability',
  'churn_probability',
  'predicted_clv',
]);
/** Score fields whose base distribution the scoring context can hold, so `{quantile}` works on them. */
export const QUANTILE_TAG_SCORE_FIELDS: ReadonlySet<TagScoreField> = new Set(['super_user_score']);

const weight = (d: number) => z.number().finite().min(0, 'a weight must be ≥ 0').default(d);
const share = (d: number) => z.number().gt(0).max(1).default(d);
const multiple = (d: number) => z.number().finite().positive().default(d);

function notAllZero(weights: Record<string, number>, ctx: z.RefinementCtx) {
  if (Object.values(weights).every((w) => w === 0)) {
    ctx.addIssue({ code: 'custom', message: 'the weights must not all be zero', path: [] });
  }
}

/**
 * Sub-measures of the super-user score per dimension (seed 000), each mapped to a feature.
 * `competitor_resistance` is derived (see src/scoring/super-user.ts): own purchase rhythm kept.
 * Equal weights by default: the seed names the measures but gives no weights ("each business sets
 * its own weights"), so nothing is favoured until the business says so.
 */
const ConsumptionWeights = z
  .strictObject({ purchases_365: weight(1), revenue_365: weight(1), distinct_products_all: weight(1), margin_rate_all: weight(1) })
  .superRefine(notAllZero);
const EngagementWeights = z
  .strictObject({ visits_90: weight(1), app_time_s_90: weight(1), content_interactions_90: weight(1), event_participations_365: weight(1) })
  .superRefine(notAllZero);
const SocialWeights = z
  .strictObject({ referrals_all: weight(1), referred_buyers_all: weight(1), shares_all: weight(1), reviews_all: weight(1) })
  .superRefine(notAllZero);
const LoyaltyWeights = z
  .strictObject({ tenure_days: weight(1), competitor_resistance: weight(1), feedback_all: weight(1), support_satisfaction: weight(1) })
  .superRefine(notAllZero);

export const TagConditionSchema = z
  .strictObject({
    /** A feature of FEATURE_SCHEMA … */
    feature: z.string().optional(),
    /** … or the output of another rule / a model prediction (TAG_SCORE_FIELDS). Exactly one of the two. */
    score: z.enum(TAG_SCORE_FIELDS).optional(),
    op: z.enum(['>=', '>', '<=', '<', '==', '!=', 'in', 'not_in']),
    /** A number, a string, a list of strings (for in / not_in), or `{quantile: q}`: the base's q-quantile. */
    value: z.union([z.number().finite(), z.string(), z.array(z.string()).min(1), z.strictObject({ quantile: z.number().min(0).max(1) })]),
  })
  .superRefine((c, ctx) => {
    if ((c.feature === undefined) === (c.score === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "feature" or "score"', path: [] });
      return;
    }
    if (c.feature !== undefined && !NUMERIC_FEATURE_NAMES.has(c.feature) && !CATEGORY_FEATURE_NAMES.has(c.feature)) {
      ctx.addIssue({ code: 'custom', message: `unknown feature "${c.feature}"`, path: ['feature'] });
      return;
    }
    const numeric = c.feature !== undefined ? NUMERIC_FEATURE_NAMES.has(c.feature) : NUMERIC_TAG_SCORE_FIELDS.has(c.score!);
    const isQuantile = typeof c.value === 'object' && !Array.isArray(c.value);
    if (numeric) {
      if (c.op === 'in' || c.op === 'not_in') {
        ctx.addIssue({ code: 'custom', message: `"${c.op}" works on text fields; compare numbers with >=, >, <=, <, ==, !=`, path: ['op'] });
      } else if (typeof c.value !== 'number' && !isQuantile) {
        ctx.addIssue({ code: 'custom', message: 'a numeric field is compared with a number or {quantile}', path: ['value'] });
      } else if (isQuantile && c.score !== undefined && !QUANTILE_TAG_SCORE_FIELDS.has(c.score)) {
        ctx.addIssue({ code: 'custom', message: '{quantile} works on numeric features and super_user_score only', path: ['value'] });
      }
    } else {
      const list = c.op === 'in' || c.op === 'not_in';
      if (!list && c.op !== '==' && c.op !== '!=') {
        ctx.addIssue({ code: 'custom', message: `"${c.op}" compares numbers; a text field takes ==, !=, in, not_in`, path: ['op'] });
      } else if (list ? !Array.isArray(c.value) : typeof c.value !== 'string') {
        ctx.addIssue({ code: 'custom', message: list ? `"${c.op}" needs a list of strings` : `"${c.op}" on a text field needs a string`, path: ['value'] });
      }
    }
  });
export type TagCondition = z.infer<typeof TagConditionSchema>;

export const TagRuleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _ only'),
    description: z.string().default(''),
    /** Every condition must hold (AND). A condition on an empty value never holds. */
    when: z.array(TagConditionSchema).min(1),
    /** Numeric feature whose base percentile (0–1) is the tag's strength; without it the strength is 1. */
    strength: z.string().optional(),
    /** Category feature whose value is appended to the tag, e.g. top_category → `category_fan:Books`. */
    label: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    if (r.strength !== undefined && !NUMERIC_FEATURE_NAMES.has(r.strength)) {
      ctx.addIssue({ code: 'custom', message: `"${r.strength}" is not a numeric feature`, path: ['strength'] });
    }
    if (r.label !== undefined && !CATEGORY_FEATURE_NAMES.has(r.label)) {
      ctx.addIssue({ code: 'custom', message: `"${r.label}" is not a category feature`, path: ['label'] });
    }
  });
export type TagRule = z.infer<typeof TagRuleSchema>;

/**
 * Default tags (seeds 002 and 004: tag customers from behaviour and send each a fitting message).
 * The seeds name the behaviours but give no numbers, so each threshold below has a note on where it
 * comes from: seed wording, the base's own quantiles (`{quantile}`, adapting to each business), or —
 * said so where it is — a judgement made here, to be tuned per business through config `tags`.
 */
export const DEFAULT_TAG_RULES: TagRule[] = [
  {
    id: 'category_fan',
    // Seed 004 (line 110): message each person by their own preferences. 60%: a clear majority of
    // their lines in one category, not just a plurality (judgement). ≥ 3 purchases: with one or two
    // purchases a high share says nothing (one purchase is always 100% one category); 3 is the
    // smallest count where a majority means repeated choice (judgement, the same floor as
    // weekend_shopper and campaign_responder).
    description: 'at least 60% of categorised purchase lines in one category, over at least 3 purchases',
    when: [
      { feature: 'top_category_share', op: '>=', value: 0.6 },
      { feature: 'purchases_all', op: '>=', value: 3 },
    ],
    strength: 'top_category_share',
    label: 'top_category',
  },
  {
    id: 'weekend_shopper',
    // Weekend days are 2/7 ≈ 29% of the week; 60% is about twice that.
    description: 'at least 60% of purchases on Saturday or Sunday, over at least 3 purchases',
    when: [
      { feature: 'weekend_purchase_share', op: '>=', value: 0.6 },
      { feature: 'purchases_all', op: '>=', value: 3 },
    ],
    strength: 'weekend_purchase_share',
  },
  {
    id: 'high_margin_lover',
    description: 'margin rate of their purchases in the top quarter of the base (≥ p75)',
    when: [{ feature: 'margin_rate_all', op: '>=', value: { quantile: 0.75 } }],
    strength: 'margin_rate_all',
  },
  {
    id: 'referrer',
    // Seed 002 (line 33) names customers "willing to recommend to friends" (願意推薦給朋友), and seed 000
    // counts "referring new customers" as social influence: one referral is that act, so ≥ 1.
    description: 'has referred at least one customer',
    when: [{ feature: 'referrals_all', op: '>=', value: 1 }],
    strength: 'referrals_all',
  },
  {
    id: 'app_heavy',
    description: 'app time in the last 90 days in the top 10% of the base (and above zero)',
    when: [
      { feature: 'app_time_s_90', op: '>=', value: { quantile: 0.9 } },
      { feature: 'app_time_s_90', op: '>', value: 0 },
    ],
    strength: 'app_time_s_90',
  },
  {
    id: 'at_risk_vip',
    description: 'diamond customer who is dozing or half asleep: win back before they are lost',
    when: [
      { score: 'value_tier', op: 'in', value: ['diamond'] },
      { score: 'lifecycle_segment', op: 'in', value: ['dozing', 'half_asleep'] },
    ],
    strength: 'revenue_365',
  },
  {
    id: 'review_writer',
    // Seed 002 (line 33) names customers who "often give positive reviews" (時常提出正面評價): "often"
    // means more than once, so ≥ 2, the smallest count that is a habit rather than a single review.
    description: 'has written at least 2 reviews',
    when: [{ feature: 'reviews_all', op: '>=', value: 2 }],
    strength: 'reviews_all',
  },
  {
    id: 'campaign_responder',
    // Top quarter (p75) of the base's click rate: from the base, not a fixed rate. ≥ 3 messages: a
    // click rate over one or two messages can only be 0, ½ or 1, too coarse to rank anyone by; 3 is
    // the smallest count giving it four steps (judgement).
    description: 'received at least 3 campaign messages in 365 days and clicks in the top quarter of the base (and above zero)',
    when: [
      { feature: 'campaigns_sent_365', op: '>=', value: 3 },
      { feature: 'campaign_click_rate_365', op: '>=', value: { quantile: 0.75 } },
      { feature: 'campaign_click_rate_365', op: '>', value: 0 },
    ],
    strength: 'campaign_click_rate_365',
  },
];

export const ScoringConfigSchema = z
  .strictObject({
    /**
     * Points of the quantile grid kept per measure in the scoring context (101 = every percentile).
     * Percentile ranks are interpolated between grid points, so one customer alone is normalised
     * exactly as in the batch.
     */
    quantileGridPoints: z.number().int().min(11).max(1001).default(101),

    /**
     * Lifecycle stages of seed 003 (new, core, dozing, half asleep, sleeping) as multiples of the
     * business's typical purchase gap G. Defaults follow the Taiwanese "NES" model these stage
     * names come from (N new; E0 core: buys again within 1 purchase cycle; S1 dozing: 1–2 cycles
     * without a purchase; S2 half asleep: 2–3 cycles; S3 sleeping: beyond 3 cycles).
     */
    lifecycle: z
      .strictObject({
        /** new = first purchase at most this many G ago … (NES: a first-time buyer within one cycle) */
        newWithin: multiple(1),
        /** … and at most this many purchase days (NES: first purchase only). */
        newMaxPurchaseDays: z.number().int().min(1).default(1),
        /** core = last purchase at most this many G ago (NES E0: 1 cycle). */
        core: multiple(1),
        /** dozing = at most this many G (NES S1: 1–2 cycles). */
        dozing: multiple(2),
        /** half asleep = at most this many G (NES S2: 2–3 cycles); sleeping beyond (S3). */
        halfAsleep: multiple(3),
        /**
         * G is the median of `mean_gap_days` over repeat customers; with fewer repeat customers than
         * this it is too unstable (about 30 is the usual small-sample rule of thumb) and …
         */
        minRepeatCustomers: z.number().int().min(1).default(30),
        /** … this gap is used instead: a monthly cycle, the usual retail CRM default without history. */
        fallbackGapDays: multiple(30),
      })
      .superRefine((l, ctx) => {
        if (!(l.core <= l.dozing && l.dozing <= l.halfAsleep)) {
          ctx.addIssue({ code: 'custom', message: 'multiples must satisfy core ≤ dozing ≤ halfAsleep', path: ['dozing'] });
        }
      })
      .prefault({}),

    /**
     * Value tiers of seed 003 (diamond, gold, general) by contribution to trailing-12-month value.
     * Customers sorted by contribution: diamond = the top ones together making the first
     * `diamondShare` of the total, gold up to `goldShare`; 80% is the Pareto line, 50% the core half.
     */
    valueTier: z
      .strictObject({
        /** revenue: `revenue_365` (net of refunds); margin: `margin_365` (seed 003: "revenue or profit"). */
        basis: z.enum(['revenue', 'margin']).default('revenue'),
        diamondShare: share(0.5),
        goldShare: share(0.8),
      })
      .superRefine((v, ctx) => {
        if (!(v.diamondShare < v.goldShare)) ctx.addIssue({ code: 'custom', message: 'diamondShare must be below goldShare', path: ['goldShare'] });
      })
      .prefault({}),

    /** Pareto figure of seed 000: the revenue share of the top 20% of customers, and the customer share making 80% (the 80/20 rule). */
    pareto: z.strictObject({ topCustomerShare: share(0.2), revenueShare: share(0.8) }).prefault({}),

    /** Super-user potential score of seed 000: four weighted dimensions of weighted sub-measures. */
    superUser: z
      .strictObject({
        /** Equal by default: the seed names four dimensions and leaves the weights to the business. */
        dimensionWeights: z
          .strictObject({ consumption: weight(1), engagement: weight(1), social: weight(1), loyalty: weight(1) })
          .superRefine(notAllZero)
          .prefault({}),
        measureWeights: z
          .strictObject({
            consumption: ConsumptionWeights.prefault({}),
            engagement: EngagementWeights.prefault({}),
            social: SocialWeights.prefault({}),
            loyalty: LoyaltyWeights.prefault({}),
          })
          .prefault({}),
      })
      .prefault({}),

    /**
     * Potential tiers of seed 000 (super user, high, medium, low) from the value tier and a
     * potential index P on 0–100 (see src/scoring/potential-tier.ts for the table).
     */
    potential: z
      .strictObject({
        /**
         * P bands. The super-user score is a weighted mean of percentile ranks, so 50 is a typical
         * customer; 40 / 60 / 80 are equal 20-point steps around and above it. Tune them after
         * looking at the distribution that `summarize` reports.
         */
        thresholds: z
          .strictObject({ medium: z.number().min(0).max(100).default(40), high: z.number().min(0).max(100).default(60), superUser: z.number().min(0).max(100).default(80) })
          .superRefine((t, ctx) => {
            if (!(t.medium <= t.high && t.high <= t.superUser)) ctx.addIssue({ code: 'custom', message: 'thresholds must satisfy medium ≤ high ≤ superUser', path: ['high'] });
          })
          .prefault({}),
        /**
         * When model predictions are given, P blends them with the super-user score (weights over the
         * parts that are present). Half rests on observed behaviour; the other half on the models:
         * purchase probability and CLV (seed 002's high-potential buyers) and staying (1 − churn).
         */
        blend: z
          .strictObject({ superUserScore: weight(0.5), purchaseProbability: weight(0.2), clvPercentile: weight(0.2), retention: weight(0.1) })
          .superRefine(notAllZero)
          .prefault({}),
      })
      .prefault({}),

    /** Funnel of seed 002 (aware → trial → joined → loyal). */
    funnel: z
      .strictObject({
        /** loyal = at least this many purchase days; the "third purchase" is common practice for a habit. */
        loyalMinPurchaseDays: z.number().int().min(2).default(3),
      })
      .prefault({}),

    /** Behaviour tags (seeds 002, 004). */
    tags: z
      .strictObject({
        /** The rule set; replacing it drops the defaults (use `extraRules` / `disabled` to adjust them). */
        rules: z.array(TagRuleSchema).default(DEFAULT_TAG_RULES),
        /** Added after `rules`; a rule with the id of an earlier one replaces it. */
        extraRules: z.array(TagRuleSchema).default([]),
        /** Ids of rules to switch off. */
        disabled: z.array(z.string()).default([]),
      })
      .prefault({}),
  })
  .prefault({});

export type ScoringConfig = z.infer<typeof ScoringConfigSchema>;
/** What a config file may hold: any part of the config. */
export type ScoringConfigInput = z.input<typeof ScoringConfigSchema>;

export class ScoringConfigError extends DomainError {
  constructor(message: string, issues: Issue[] = []) {
    super('invalid_config', message, 500, issues);
  }
}

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.code === 'unrecognized_keys' ? `unknown key(s): ${i.keys.join(', ')}` : i.message,
  }));
}

/** Validates a config object (any part of it; the rest takes the defaults). Throws ScoringConfigError naming each bad field path. */
export function parseScoringConfig(input: unknown, source = 'scoring config'): ScoringConfig {
  const result = ScoringConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const issues = issuesOf(result.error);
    const list = issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
    throw new ScoringConfigError(`Invalid ${source}: ${list}`, issues);
  }
  return result.data;
}

/** The defaults, parsed. */
export const DEFAULT_SCORING_CONFIG: ScoringConfig = parseScoringConfig({});

/**
 * Reads the scoring config: the defaults, with the JSON file (if given) merged over them.
 * Throws ScoringConfigError for a missing/unreadable file, bad JSON or a bad field (with its path).
 */
export function loadScoringConfig(file?: string): ScoringConfig {
  if (file === undefined) return parseScoringConfig({});
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScoringConfigError(`Cannot read scoring config ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScoringConfigError(`Scoring config ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseScoringConfig(json, `scoring config ${file}`);
}

/** The effective tag rules: `rules` then `extraRules` (same id replaces), minus `disabled`. */
export function effectiveTagRules(config: ScoringConfig): TagRule[] {
  const byId = new Map<string, TagRule>();
  for (const rule of [...config.tags.rules, ...config.tags.extraRules]) byId.set(rule.id, rule);
  const disabled = new Set(config.tags.disabled);
  return [...byId.values()].filter((r) => !disabled.has(r.id));
}
