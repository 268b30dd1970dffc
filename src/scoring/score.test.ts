import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG, parseScoringConfig } from '../config/scoring.js';
import { computeScoringContext, type Predictions } from './context.js';
import { BaseSummarySchema, CustomerScoreSchema } from './schema.js';
import { scoreFrame } from './score.js';
import { summarize } from './summary.js';
import { buyer, makeFrame, sliceFrame, type Row } from './test-frame.js';

const cfg = DEFAULT_SCORING_CONFIG;

const BASE: Row[] = [
  buyer(2, 6, 1200, { customer_id: 'vip', days_since_first_purchase: 300, mean_gap_days: 20, revenue_365: 1000, purchases_365: 6, visits_90: 10, referrals_all: 2, referred_buyers_all: 1, tenure_days: 300 }),
  buyer(10, 3, 300, { customer_id: 'regular', days_since_first_purchase: 100, mean_gap_days: 30, revenue_365: 300, purchases_365: 3, visits_90: 4, tenure_days: 120 }),
  buyer(4, 1, 40, { customer_id: 'one_purchase', revenue_365: 40, purchases_365: 1, visits_90: 1, tenure_days: 4 }),
  buyer(50, 2, -30, { customer_id: 'refunder', days_since_first_purchase: 80, mean_gap_days: 30, revenue_365: -30, purchases_365: 2, tenure_days: 90 }),
  { customer_id: 'browser', visits_90: 2, events_all: 2, tenure_days: 10, trials_all: 1 },
  { customer_id: 'profile_only', signed_up: 1, events_all: 0 },
  { customer_id: 'nothing' },
];

describe('scoreFrame', () => {
  const frame = makeFrame(BASE);
  const context = computeScoringContext(frame, cfg, { asOf: '2024-06-30' });
  const scores = scoreFrame(frame, context, cfg);
  const by = (id: string) => scores.find((s) => s.customer_id === id)!;

  it('gives every score a valid shape with reasons', () => {
    for (const s of scores) expect(CustomerScoreSchema.parse(s)).toEqual(s);
  });

  it('leaves every score empty for a customer with no events at all', () => {
    expect(by('nothing')).toEqual({
      customer_id: 'nothing',
      person_id: 7,
      rfm_score: null,
      rfm_r: null,
      rfm_f: null,
      rfm_m: null,
      rfm_segment: null,
      lifecycle_segment: null,
      value_tier: null,
      pareto_top: false,
      super_user_score: null,
      super_user: null,
      potential_tier: null,
      potential: null,
      funnel_stage: null,
      tags: [],
      reasons: {
        rfm_score: 'no purchases: RFM cannot be computed',
        rfm_segment: 'no purchases: no RFM segment',
        lifecycle_segment: 'no purchases: no lifecycle stage',
        value_tier: 'no events: no value tier',
        super_user_score: 'no events: no super-user score',
        potential_tier: 'no super-user score: no potential tier',
        funnel_stage: 'no events and not signed up: not in the funnel',
      },
    });
    // a profile signup without events is a member (joined) but has no behaviour scores
    expect(by('profile_only')).toMatchObject({ funnel_stage: 'joined', super_user_score: null, value_tier: null });
  });

  it('scores the base by hand', () => {
    // 4 purchasers: breakpoints x[⌈k·4/5⌉−1] = every value (one per bin, so with m < 5 the bins 1–4 are used:
    // R reaches 5 but not 1, F and M reach 4 but not 5)
    expect(context.rfm).toEqual({ purchasers: 4, recency: [2, 4, 10, 50], frequency: [1, 2, 3, 6], monetary: [-30, 40, 300, 1200] });
    expect(context.typicalGap).toEqual({ days: 30, source: 'config_fallback', repeatCustomers: 3 });
    expect(by('vip')).toMatchObject({ rfm_score: '544', rfm_segment: 'champions', lifecycle_segment: 'core', value_tier: 'diamond', funnel_stage: 'loyal', pareto_top: true });
    // one purchase 4 days ago, within the 30-day fallback gap: new; FM (1+2)/2 → 2
    expect(by('one_purchase')).toMatchObject({ rfm_score: '412', rfm_segment: 'potential_loyalist', lifecycle_segment: 'new', value_tier: 'general', funnel_stage: 'joined' });
    // refunds exceeding purchases: lowest M, general tier, still scored; 50 days is 1–2 gaps of 30 → dozing
    expect(by('refunder')).toMatchObject({ rfm_score: '221', rfm_segment: 'hibernating', lifecycle_segment: 'dozing', value_tier: 'general', funnel_stage: 'joined' });
    expect(by('refunder').reasons!.value_tier).toBe('general: no positive trailing-12-month net revenue');
    expect(by('refunder').reasons!.rfm_score).toContain('M=1: net revenue -30 (spend band 1 of 5: lowest)');
    // 300 of 1340: after the diamond 1000 (74.6%), below 80% → gold; 3 purchase days → loyal
    expect(by('regular')).toMatchObject({ rfm_score: '333', rfm_segment: 'need_attention', lifecycle_segment: 'core', value_tier: 'gold', funnel_stage: 'loyal' });
    expect(by('browser')).toMatchObject({ rfm_score: null, lifecycle_segment: null, value_tier: 'general', funnel_stage: 'trial' });
    expect(by('browser').super_user_score).not.toBeNull();
  });

  it('summarizes shares, tiers, funnel and Pareto', () => {
    const summary = summarize(scores, frame, context);
    expect(BaseSummarySchema.parse(summary)).toEqual(summary);
    expect(summary.as_of).toBe('2024-06-30');
    expect(summary.customers).toBe(7);
    expect(summary.customers_with_events).toBe(5);
    expect(summary.lifecycle_segments.scored).toBe(4);
    expect(summary.lifecycle_segments.empty).toBe(3);
    expect(summary.lifecycle_segments.groups.new).toEqual({ count: 1, share: 0.25 });
    expect(summary.rfm_segments.groups.champions).toEqual({ count: 1, share: 0.25 });
    expect(summary.value_tiers.groups.diamond).toMatchObject({ count: 1, value: 1000 });
    expect(summary.value_tiers.groups.diamond.value_share).toBeCloseTo(1000 / 1340, 12);
    expect(summary.typical_gap).toEqual({ days: 30, source: 'config_fallback', repeat_customers: 3 });
    expect(summary.tags).toEqual({ referrer: 1 });
    // aware: 6 (all but "nothing"); trial or beyond: 6; joined: 5 (browser only trialled); loyal: vip, regular
    expect(summary.funnel.stages.map((s) => s.reached)).toEqual([6, 6, 5, 2]);
    expect(summary.pareto).toMatchObject({ customers_with_revenue: 3, top_customers: 1, top_cutoff: 1000 });
    expect(summary.pareto.top_revenue_share).toBeCloseTo(1000 / 1340, 12);
    expect(summary.hourglass).toMatchObject({ loyal_customers: 2, loyal_referrers: 1, referrals_by_loyal: 2, referred_buyers_by_loyal: 1 });
    const potentialTotal = Object.values(summary.potential_tiers.groups).reduce((a, g) => a + g.count, 0);
    expect(potentialTotal).toBe(5);
  });

  it('keeps the context plain JSON and scores the same from a stored copy', () => {
    const stored = JSON.parse(JSON.stringify(context));
    expect(stored).toEqual(context);
    expect(scoreFrame(frame, stored, cfg)).toEqual(scores);
  });

  it('leaves the text out with explain: false and nothing else changes', () => {
    const lean = scoreFrame(frame, context, cfg, undefined, { explain: false });
    const strip = (s: (typeof scores)[number]) => ({ ...s, reasons: null, tags: s.tags.map((t) => ({ ...t, reason: null })) });
    expect(lean).toEqual(scores.map(strip));
    for (const s of lean) expect(CustomerScoreSchema.parse(s)).toEqual(s);
  });

  it('refuses prediction columns of the wrong length', () => {
    expect(() => scoreFrame(frame, context, cfg, { purchase_probability: [0.5] })).toThrow(/purchase_probability.*1 values for 7/);
  });

  it('plugs predictions into the potential tiers when present', () => {
    const predictions = { purchase_probability: new Float64Array(frame.n).fill(0.9), churn_probability: new Float64Array(frame.n).fill(0.05) };
    const ctx = computeScoringContext(frame, cfg, { predictions });
    const withPred = scoreFrame(frame, ctx, cfg, predictions);
    const browser = withPred.find((s) => s.customer_id === 'browser')!;
    expect(browser.potential!.predictions).toEqual({ purchase_probability: 0.9, churn_probability: 0.05, clv_percentile: null, lapsed: false });
    const su = browser.super_user_score!;
    expect(browser.potential!.index).toBeCloseTo((100 * (0.5 * (su / 100) + 0.2 * 0.9 + 0.1 * 0.95)) / 0.8, 10);
  });
});

// ---- parity: whole frame vs each customer alone, over random frames ----

const small = (max: number) => fc.integer({ min: 0, max });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const rowArb: fc.Arbitrary<Row> = fc
  .record({
    events: small(4),
    purchases: small(4),
    extraDays: small(2),
    recency: fc.constantFrom(0, 1, 3, 10, 30, 45, 90, 400),
    span: fc.constantFrom(0, 10, 100),
    revenue: fc.constantFrom(-50, 0, 10, 10, 100, 250, 1000),
    margin: maybe(fc.constantFrom(0.1, 0.3, 0.3, 0.6)),
    visits: small(3),
    app: fc.constantFrom(0, 0, 60, 600),
    referrals: small(2),
    reviews: small(3),
    satisfaction: maybe(fc.constantFrom(1, 3, 5)),
    tenure: maybe(fc.constantFrom(1, 30, 365)),
    trials: small(1),
    signed: small(1),
    category: fc.constantFrom(null, 'Books', 'Toys'),
    share: fc.constantFrom(0.3, 0.6, 1),
    weekend: fc.constantFrom(0, 0.5, 1),
    clicks: maybe(fc.constantFrom(0, 0.2, 0.5)),
  })
  .map((r): Row => {
    const bought = r.purchases > 0;
    const days = bought ? Math.max(1, r.purchases - r.extraDays) : 0;
    const events = r.events + r.purchases;
    return {
      events_all: events,
      purchases_all: r.purchases,
      purchases_365: r.purchases,
      purchase_days_all: days,
      recency_days: bought ? r.recency : null,
      days_since_first_purchase: bought ? r.recency + r.span : null,
      mean_gap_days: days >= 2 ? r.span / (days - 1) || 1 : null,
      revenue_all: bought ? r.revenue : 0,
      revenue_365: bought ? r.revenue : 0,
      margin_365: bought && r.margin !== null ? r.revenue * r.margin : 0,
      margin_rate_all: bought ? r.margin : null,
      distinct_products_all: days,
      visits_90: r.visits,
      app_time_s_90: r.app,
      referrals_all: r.referrals,
      referred_buyers_all: Math.min(r.referrals, 1),
      reviews_all: r.reviews,
      support_satisfaction: r.satisfaction,
      tenure_days: events > 0 ? r.tenure : null,
      trials_all: r.trials,
      signed_up: r.signed,
      top_category: bought ? r.category : null,
      top_category_share: bought && r.category !== null ? r.share : null,
      weekend_purchase_share: bought ? r.weekend : null,
      campaigns_sent_365: 4,
      campaign_click_rate_365: r.clicks,
    };
  });

describe('batch and single-customer parity', () => {
  const config = parseScoringConfig({
    lifecycle: { minRepeatCustomers: 2 },
    tags: { extraRules: [{ id: 'top_potential', when: [{ score: 'super_user_score', op: '>=', value: { quantile: 0.8 } }], strength: 'revenue_365' }] },
  });

  it('scores each customer alone (n = 1 frame) exactly as in the whole frame', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 25 }), fc.boolean(), (rows, withPredictions) => {
        const frame = makeFrame(rows);
        const predictions: Predictions | undefined = withPredictions
          ? {
              purchase_probability: Float64Array.from(rows, (_, i) => (i % 3 === 0 ? Number.NaN : (i % 10) / 10)),
              churn_probability: Float64Array.from(rows, (_, i) => ((i * 7) % 10) / 10),
              predicted_clv: Float64Array.from(rows, (_, i) => (i % 4) * 100),
            }
          : undefined;
        const context = computeScoringContext(frame, config, { predictions });
        const all = scoreFrame(frame, context, config, predictions);
        for (let i = 0; i < frame.n; i++) {
          const one = predictions && {
            purchase_probability: (predictions.purchase_probability as Float64Array).slice(i, i + 1),
            churn_probability: (predictions.churn_probability as Float64Array).slice(i, i + 1),
            predicted_clv: (predictions.predicted_clv as Float64Array).slice(i, i + 1),
          };
          expect(scoreFrame(sliceFrame(frame, i), context, config, one)[0]).toEqual(all[i]);
        }
        // Rows scored in place (the service's profile path), in any order, match too.
        const order = [...all.keys()].reverse();
        expect(scoreFrame(frame, context, config, predictions, { rows: order })).toEqual(order.map((i) => all[i]));
        for (const s of all) {
          if (s.super_user === null) continue;
          const sum = Object.values(s.super_user.contributions).reduce<number>((a, b) => a + (b ?? 0), 0);
          expect(sum).toBeCloseTo(s.super_user.score, 9);
          expect(s.super_user.score).toBeGreaterThanOrEqual(0);
          expect(s.super_user.score).toBeLessThanOrEqual(100);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('re-evaluates prediction-based tags when the same frame is scored with other predictions', () => {
    const frame = makeFrame([buyer(5, 2, 100, { customer_id: 'A' }), buyer(8, 3, 200, { customer_id: 'B' })]);
    const rules = parseScoringConfig({ tags: { extraRules: [{ id: 'likely_buyer', when: [{ score: 'purchase_probability', op: '>=', value: 0.5 }] }] } });
    const context = computeScoringContext(frame, rules, {});
    const tagged = (p: number[]) =>
      scoreFrame(frame, context, rules, { purchase_probability: Float64Array.from(p) }).map((s) => s.tags.some((t) => t.id === 'likely_buyer'));
    expect(tagged([0.9, 0.1])).toEqual([true, false]);
    expect(tagged([0.1, 0.9])).toEqual([false, true]);
    expect(scoreFrame(frame, context, rules).map((s) => s.tags.some((t) => t.id === 'likely_buyer'))).toEqual([false, false]);
  });

  it('refuses a row outside the frame', () => {
    const frame = makeFrame([buyer(5, 2, 100, { customer_id: 'A' })]);
    const context = computeScoringContext(frame, config, {});
    expect(() => scoreFrame(frame, context, config, undefined, { rows: [1] })).toThrow(/row 1 is not in a frame of 1/);
  });
});
