/**
 * Parameters of the demo-data generator (the "truth" behind generated files).
 *
 * Every number of the generative process described in process.ts lives here, validated by zod,
 * with a default and a short reason for it. `parseGeneratorParams(partial)` fills in defaults, so
 * a caller (or `--params FILE.json`) overrides only what it needs. Time unit: days. Money: one
 * currency unit (think USD); amounts are rounded to cents.
 *
 * The defaults are tuned so that 200,000 customers over 365 days give about 10 million events
 * (≈ 50 events per customer per year, counting prospects and customers who lapse).
 */
import { z } from 'zod';

/** Purchaser types; stored only in the truth file, never in events. Prospects are a separate kind. */
export const CUSTOMER_TYPES = ['regular', 'vip', 'influencer', 'browser', 'bargain'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

const probability = z.number().min(0).max(1);
const positive = z.number().positive();
const nonNegative = z.number().min(0);

/** Probabilities of the low / middle / high population tercile; must sum to 1. */
const terciles = z
  .tuple([probability, probability, probability])
  .refine((t) => Math.abs(t[0] + t[1] + t[2] - 1) < 1e-9, 'tercile probabilities must sum to 1');

const betaShape = z.object({ a: positive, b: positive });

const typeProfile = z.object({
  /** Share of purchasers of this type (mixture weight). */
  weight: probability,
  /**
   * Where this type sits in the population distribution of the purchase rate lambda (low, middle,
   * high tercile). Omitted for `regular`, which takes what the other types leave, so that the
   * population as a whole stays exactly Gamma(r, alpha) (see process.ts, "Types").
   */
  lambdaTerciles: terciles.optional(),
  /** Same for the customer's mean spend per purchase (high tercile = big spender). */
  spendTerciles: terciles.optional(),
  /** Multiplier on engagement rates (visits, app sessions, content, event participation). */
  engagement: positive,
  /** Multiplier on the referral rate. */
  referral: nonNegative,
  /** Multiplier on the share rate. */
  share: nonNegative,
  /** Multiplier on the probability of reviewing a purchase. */
  review: nonNegative,
  /** Beta(a, b) of the preference for high-margin products (mean a/(a+b)). */
  marginPreference: betaShape,
});
export type TypeProfile = z.infer<typeof typeProfile>;

/** The profile schema with every field defaulting to this type's value, so overrides can be partial. */
function typeProfileWithDefaults(d: TypeProfile) {
  return z
    .object({
      weight: typeProfile.shape.weight.default(d.weight),
      lambdaTerciles: d.lambdaTerciles ? terciles.default(d.lambdaTerciles) : terciles.optional(),
      spendTerciles: d.spendTerciles ? terciles.default(d.spendTerciles) : terciles.optional(),
      engagement: typeProfile.shape.engagement.default(d.engagement),
      referral: typeProfile.shape.referral.default(d.referral),
      share: typeProfile.shape.share.default(d.share),
      review: typeProfile.shape.review.default(d.review),
      marginPreference: betaShape.default(d.marginPreference),
    })
    .prefault({});
}

const ratesByChannel = z.object({ email: probability, sms: probability, line: probability, push: probability });

export const GeneratorParamsSchema = z
  .object({
    population: z
      .object({
        /** Customers who never purchase (aware → trial → joined at most). 15%: a visible, not dominant, top of funnel. */
        prospectShare: probability.default(0.15),
        /** Purchasers' first purchase is uniform over this fraction of the window, so every purchaser has ≥ 1/3 of the window of history. */
        acquisitionWindow: z.number().gt(0).max(1).default(2 / 3),
        /** Prospects appear uniformly over this fraction of the window (new prospects keep arriving). */
        prospectWindow: z.number().gt(0).max(1).default(0.95),
        /** Mean days a prospect stays active (exponential): browsing interest fades within weeks. */
        prospectActiveDays: positive.default(30),
        /** Mean days from first awareness (first visit) to first purchase (exponential): a short consideration phase. */
        leadDays: positive.default(10),
      })
      .prefault({}),

    /** BG/NBD repeat purchasing, time unit days. */
    bgnbd: z
      .object({
        /** Gamma shape of the purchase rate lambda. 0.8: strong heterogeneity, like the CDNOW fit (r≈0.24) but less extreme. */
        r: positive.default(0.8),
        /** Gamma rate of lambda, in days. 40: mean lambda = r/alpha = 0.02/day ≈ 7.3 purchases a year while alive. */
        alpha: positive.default(40),
        /** Beta a of the dropout probability p. 0.8 with b = 2.5: mean p = 0.24, i.e. about 4 purchases before dropping out. */
        a: positive.default(0.8),
        /** Beta b of p (see a). */
        b: positive.default(2.5),
        /**
         * BG/NBD proper lets a customer drop out only after a repeat purchase (P(alive | no repeat) = 1).
         * true makes the first purchase a dropout point too (the MBG/NBD variant). false: data follows the
         * model the CLV fitter estimates.
         */
        dropoutAtFirstPurchase: z.boolean().default(false),
      })
      .prefault({}),

    /** Gamma-Gamma spend: nu ~ Gamma(q, rate v) per customer, each amount z ~ Gamma(p, rate nu). */
    gammaGamma: z
      .object({
        /** Shape of each amount. 6: amounts of one customer vary by ~40% (CV = 1/√6). */
        p: positive.default(6),
        /** Shape of nu. 4: heavy but finite-variance tail of customers' mean spend (needs q > 2). */
        q: z.number().gt(1).default(4),
        /** Rate of nu. 50: population mean amount p·v/(q−1) = 100 currency units. */
        v: positive.default(50),
        /** Currency label written into the truth file. */
        currency: z.string().default('USD'),
      })
      .prefault({}),

    /** Purchaser type mixture (see process.ts, "Types"); weights must sum to 1. */
    types: z
      .object({
        /** The bulk: average everything. */
        regular: typeProfileWithDefaults({
          weight: 0.58,
          engagement: 1,
          referral: 1,
          share: 1,
          review: 1,
          marginPreference: { a: 2, b: 3 },
        }),
        /** High spend, frequent: mostly top tercile of both lambda and spend. */
        vip: typeProfileWithDefaults({
          weight: 0.08,
          lambdaTerciles: [0, 0.2, 0.8],
          spendTerciles: [0, 0.2, 0.8],
          engagement: 1.5,
          referral: 1.5,
          share: 1.5,
          review: 1.5,
          marginPreference: { a: 3, b: 2 },
        }),
        /** Low spend, strong social reach: the "modest spender who is still a super user" of the seed article. */
        influencer: typeProfileWithDefaults({
          weight: 0.07,
          lambdaTerciles: [0.25, 0.45, 0.3],
          spendTerciles: [0.8, 0.2, 0],
          engagement: 2,
          referral: 12,
          share: 10,
          review: 6,
          marginPreference: { a: 2, b: 3 },
        }),
        /** High engagement, rare purchases: bottom tercile of lambda, lots of browsing. */
        browser: typeProfileWithDefaults({
          weight: 0.12,
          lambdaTerciles: [0.85, 0.15, 0],
          spendTerciles: [1 / 3, 1 / 3, 1 / 3],
          engagement: 3,
          referral: 0.5,
          share: 1.5,
          review: 0.5,
          marginPreference: { a: 2, b: 3 },
        }),
        /** Price hunters: low margin, lower spend, normal frequency. */
        bargain: typeProfileWithDefaults({
          weight: 0.15,
          lambdaTerciles: [1 / 3, 1 / 3, 1 / 3],
          spendTerciles: [0.5, 0.5, 0],
          engagement: 0.8,
          referral: 0.5,
          share: 0.7,
          review: 0.7,
          marginPreference: { a: 1, b: 8 },
        }),
      })
      .prefault({}),

    /** Engagement while active (events per day for an average purchaser, before multipliers). */
    engagement: z
      .object({
        /** ≈ 24 visits a year: store or web, by the customer's channel preference. */
        visitPerDay: nonNegative.default(0.065),
        /** ≈ 18 app sessions a year (scaled by the customer's app preference). */
        appSessionPerDay: nonNegative.default(0.05),
        /** ≈ 13 content interactions a year (articles, videos, LINE posts). */
        contentPerDay: nonNegative.default(0.035),
        /** ≈ 1 offline/online event a year. */
        eventParticipationPerDay: nonNegative.default(0.003),
        /** Engagement ∝ (lambda / E[lambda])^elasticity, so purchase propensity is learnable from engagement. */
        lambdaElasticity: nonNegative.default(0.5),
        /** Engagement factor is clipped to [1/clip, clip] before the type multiplier. */
        lambdaFactorClip: z.number().min(1).default(5),
        /** Log-normal sigma of individual engagement noise (mean-corrected): real people differ beyond their purchase rate. */
        noiseSigma: nonNegative.default(0.5),
        /** Activity decays linearly over this many days before dropout… */
        fadeDays: nonNegative.default(45),
        /** …down to this fraction of the normal rate, then stops at dropout. */
        fadeFloor: probability.default(0.2),
        /** Median seconds of a store visit (log-normal). */
        storeVisitMedianS: positive.default(900),
        /** Median seconds of a web visit. */
        webVisitMedianS: positive.default(150),
        /** Median seconds of an app session. */
        appSessionMedianS: positive.default(240),
        /** Log-normal sigma of durations. */
        durationSigma: nonNegative.default(0.8),
        /** Prospects' engagement multiplier relative to an average purchaser (they are curious while active). */
        prospectEngagement: nonNegative.default(3),
      })
      .prefault({}),

    /** When in the week and day events happen (purchases too: a weekly/daily modulated Poisson process). */
    timing: z
      .object({
        /**
         * Per-customer weekend (local Saturday and Sunday) intensity multiplier ~ U(min, max); weekdays
         * take the rest so the weekly mean stays 1 (purchase counts over whole weeks keep their BG/NBD
         * distribution).
         */
        weekendBoostMin: z.number().min(0).max(3.5).default(1),
        weekendBoostMax: z.number().min(0).max(3.5).default(1.6),
        /** Local time of the business is UTC + this many hours (8: Taiwan, the seed articles' market). Timestamps are written in UTC. */
        utcOffsetHours: z.number().min(-12).max(14).default(8),
        /** Relative activity by local hour (normalised to mean 1): quiet nights, lunch and evening peaks. */
        hourProfile: z
          .array(nonNegative)
          .length(24)
          .default([
            0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 0.9, 1.1, 1.3, 1.5, 1.7, 1.5, 1.3, 1.2, 1.2, 1.3, 1.5, 1.8, 2.0,
            1.8, 1.2, 0.6,
          ]),
      })
      .prefault({}),

    /** Purchases: what, where, how much margin. */
    purchases: z
      .object({
        /** Categories with a margin factor (mean ≈ 1) applied to the customer's margin rate. */
        categories: z
          .array(z.object({ name: z.string().min(1), marginFactor: positive }))
          .min(1)
          .default([
            { name: 'grocery', marginFactor: 0.6 },
            { name: 'beauty', marginFactor: 1.4 },
            { name: 'fashion', marginFactor: 1.3 },
            { name: 'electronics', marginFactor: 0.7 },
            { name: 'home', marginFactor: 1.0 },
            { name: 'sports', marginFactor: 1.0 },
            { name: 'books', marginFactor: 0.8 },
            { name: 'toys', marginFactor: 1.2 },
          ]),
        /** Products per category (popularity skewed towards low numbers). */
        productsPerCategory: z.number().int().positive().default(40),
        /** Dirichlet concentration of each customer's category preference: < 1 means a few favourite categories. */
        categoryConcentration: positive.default(0.5),
        /** Dirichlet concentration of the store / web / app preference. */
        channelConcentration: positive.default(1),
        /** Margin rate = min + (max − min) · high-margin preference, times the category factor. */
        marginRateMin: probability.default(0.05),
        marginRateMax: probability.default(0.45),
        /** Quantity = 1 + Poisson(extraMean). */
        quantityExtraMean: nonNegative.default(0.4),
        /** Share of purchases refunded later. 4%: typical retail return rate. */
        refundShare: probability.default(0.04),
        /** Mean days from purchase to refund (exponential). */
        refundDelayDays: positive.default(7),
        /** Share of refunds that return the full amount; the rest return 20–90%. */
        refundFullShare: probability.default(0.7),
        /** Probability of reviewing a purchase (times the type's review multiplier). */
        reviewPerPurchase: probability.default(0.05),
      })
      .prefault({}),

    /** Funnel: aware (first visit) → trial → joined (signup / first purchase) → loyal (repeat). */
    funnel: z
      .object({
        /** Visits per day between awareness and first purchase: people look around before buying. */
        leadVisitPerDay: nonNegative.default(0.3),
        /** Share of purchasers with a trial before their first purchase. */
        trialShare: probability.default(0.3),
        /** Share of purchasers who sign up (become members) before their first purchase. */
        signupShare: probability.default(0.7),
        /** Share of prospects who take a trial while active. */
        prospectTrialShare: probability.default(0.35),
        /** Share of prospects who sign up (join) but never buy. */
        prospectSignupShare: probability.default(0.35),
      })
      .prefault({}),

    /** Social influence while active. */
    social: z
      .object({
        /** Referrals per day for a regular customer (≈ 0.3 a year); influencers ×12. */
        referralPerDay: nonNegative.default(0.0008),
        /** The referred customer first appears within this many days after the referral. */
        referralWindowDays: positive.default(60),
        /** Shares per day for a regular customer (≈ 1 a year); influencers ×10. */
        sharePerDay: nonNegative.default(0.003),
      })
      .prefault({}),

    /** Service: feedback and support tickets, rated 1–5. */
    service: z
      .object({
        feedbackPerDay: nonNegative.default(0.002),
        supportPerDay: nonNegative.default(0.0015),
        /** Support tickets become up to this many times more frequent in the fade before dropout (friction precedes churn). */
        supportFadeBoost: nonNegative.default(3),
        /** Mean latent satisfaction (1–5 scale). */
        satisfactionMean: z.number().min(1).max(5).default(3.9),
        /** Satisfaction falls by this much per unit of dropout probability p above its mean (unhappy customers leave). */
        satisfactionPerP: nonNegative.default(3),
        /** Individual spread of latent satisfaction. */
        satisfactionSd: nonNegative.default(0.6),
        /** Spread of one rating around the customer's satisfaction. */
        ratingSd: nonNegative.default(0.7),
      })
      .prefault({}),

    /** Marketing campaigns: a global calendar; each customer's funnel sent → opened → clicked → converted. */
    campaigns: z
      .object({
        /** A campaign every ~this many days (gap uniform in [0.5, 1.5] × it): ~3 a week over all channels. */
        everyDays: positive.default(2.5),
        /** Channel mix of campaigns. */
        channelWeights: ratesByChannel.default({ email: 0.4, sms: 0.15, line: 0.25, push: 0.2 }),
        /** Share of consented, active, known customers each campaign targets ~ U(min, max). */
        audienceMin: probability.default(0.3),
        audienceMax: probability.default(0.7),
        /** Base open rate by channel (times the customer's responsiveness). */
        openRate: ratesByChannel.default({ email: 0.22, sms: 0.35, line: 0.45, push: 0.12 }),
        /** Base click rate given open. */
        clickRate: probability.default(0.15),
        /** A purchase within this many days after a click counts as a conversion (last click wins). */
        conversionWindowDays: positive.default(7),
        /** false: nothing is sent after a customer drops out, so "no event at all" marks churn cleanly. */
        sendAfterDropout: z.boolean().default(false),
        /** Action ids a campaign can carry (next-best-action vocabulary). */
        actions: z
          .array(z.string().min(1))
          .min(1)
          .default([
            'act_welcome',
            'act_discount_10',
            'act_new_arrival',
            'act_winback',
            'act_loyalty_points',
            'act_referral_bonus',
            'act_event_invite',
          ]),
      })
      .prefault({}),

    /** Identities across channels (One ID). */
    identity: z
      .object({
        /** Shares of customers with a member id, an e-mail, a phone. */
        memberShare: probability.default(0.85),
        emailShare: probability.default(0.85),
        phoneShare: probability.default(0.85),
        /** Consent by channel, among customers who can be reached there (push: app users). */
        consent: ratesByChannel.default({ email: 0.7, sms: 0.5, line: 0.45, push: 0.55 }),
        /** Share of store events (purchase, visit, refund) recorded with the phone only (POS lookup by phone). */
        storePhoneOnlyShare: probability.default(0.3),
        /** Share of e-mail campaign events recorded with the e-mail only (ESP export). */
        emailOnlyShare: probability.default(0.4),
        /** Share of app events (app sessions, app purchases, push campaigns) recorded with the member id only. */
        appMemberOnlyShare: probability.default(0.25),
        /** Share of web purchases that also carry the e-mail next to the customer id. */
        webEmailShare: probability.default(0.5),
        /** Share of customers with one identifier never seen next to their customer id (One ID cannot merge it). */
        unlinkedShare: probability.default(0.02),
        /** Share of e-mail occurrences with varied case or surrounding spaces (trim + lowercase reconciles). */
        emailVariantShare: probability.default(0.3),
        /** Share of phone occurrences written with separators (stripping non-digits reconciles). */
        phoneVariantShare: probability.default(0.5),
        /**
         * Share of phone occurrences written as +886 9xx xxx xxx. 0 by default: the digits (886…) differ
         * from the national form (09…) unless the normaliser adds the country code (PROPEL_PHONE_COUNTRY_CODE=886).
         */
        phoneInternationalShare: probability.default(0),
      })
      .prefault({}),
  })
  .superRefine((params, ctx) => {
    const weights = CUSTOMER_TYPES.map((t) => params.types[t].weight);
    const total = weights.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > 1e-6) {
      ctx.addIssue({ code: 'custom', path: ['types'], message: `type weights must sum to 1, got ${total}` });
      return;
    }
    if (params.types.regular.weight <= 0) {
      ctx.addIssue({ code: 'custom', path: ['types', 'regular', 'weight'], message: 'regular needs a positive weight' });
      return;
    }
    // The regular type fills each (lambda tercile × spend tercile) cell up to 1/9; it cannot go negative.
    for (let li = 0; li < 3; li++) {
      for (let si = 0; si < 3; si++) {
        let used = 0;
        for (const t of CUSTOMER_TYPES) {
          if (t === 'regular') continue;
          const p = params.types[t];
          used += p.weight * (p.lambdaTerciles?.[li] ?? 1 / 3) * (p.spendTerciles?.[si] ?? 1 / 3);
        }
        if (used > 1 / 9 + 1e-9) {
          ctx.addIssue({
            code: 'custom',
            path: ['types'],
            message: `types other than regular claim ${used.toFixed(4)} > 1/9 of the (lambda tercile ${li}, spend tercile ${si}) cell`,
          });
        }
      }
    }
    if (params.timing.weekendBoostMin > params.timing.weekendBoostMax) {
      ctx.addIssue({ code: 'custom', path: ['timing'], message: 'weekendBoostMin must be ≤ weekendBoostMax' });
    }
    if (params.campaigns.audienceMin > params.campaigns.audienceMax) {
      ctx.addIssue({ code: 'custom', path: ['campaigns'], message: 'audienceMin must be ≤ audienceMax' });
    }
    if (params.purchases.marginRateMin > params.purchases.marginRateMax) {
      ctx.addIssue({ code: 'custom', path: ['purchases'], message: 'marginRateMin must be ≤ marginRateMax' });
    }
    if (!params.timing.hourProfile.some((w) => w > 0)) {
      ctx.addIssue({ code: 'custom', path: ['timing', 'hourProfile'], message: 'needs a positive weight' });
    }
  });

export type GeneratorParams = z.infer<typeof GeneratorParamsSchema>;
export type GeneratorParamsInput = z.input<typeof GeneratorParamsSchema>;

/** Validates partial parameters and fills in every default. Throws a ZodError on bad input. */
export function parseGeneratorParams(input: unknown = {}): GeneratorParams {
  return GeneratorParamsSchema.parse(input ?? {});
}

/** Run options: how much data, which seed, which window. */
export const RunOptionsSchema = z.object({
  /** Number of customers (purchasers and prospects). */
  customers: z.number().int().positive().default(1000),
  /** Length of the observation window in days; events fall in [start, start + days). */
  days: z.number().int().positive().max(36500).default(365),
  /** Seed of every random draw: the same seed and options give byte-identical files. */
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(42),
  /** First day of the window (UTC midnight). */
  start: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date')
    .default('2024-01-01'),
});
export type RunOptions = z.infer<typeof RunOptionsSchema>;
export type RunOptionsInput = z.input<typeof RunOptionsSchema>;
