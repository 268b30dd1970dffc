import { describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG, parseScoringConfig, type ScoringConfig } from '../config/scoring.js';
import type { FeatureFrame } from '../features/frame.js';
import {
  competitorResistance,
  measureColumns,
  scoreSuperUser,
  superUserContext,
  superUserReason,
  superUserScorer,
  type SuperUserResult,
} from './super-user.js';
import { makeFrame } from './test-frame.js';

function scoreAll(frame: FeatureFrame, config: ScoringConfig = DEFAULT_SCORING_CONFIG): (SuperUserResult | null)[] {
  const ctx = superUserContext(frame, config);
  const scorer = superUserScorer(ctx, config);
  const cols = measureColumns(frame);
  return Array.from({ length: frame.n }, (_, i) => scoreSuperUser(frame.numeric.events_all![i]!, cols, i, scorer));
}

/** Five customers 0..4: consumption, social and tenure rise with k; no engagement, margin, feedback or repeat purchases. */
const BASE = [0, 1, 2, 3, 4].map((k) => ({
  purchases_365: k,
  revenue_365: 10 * k,
  distinct_products_all: k,
  referrals_all: k === 4 ? 4 : 0,
  referred_buyers_all: k,
  shares_all: k,
  reviews_all: k,
  tenure_days: 100 * (k + 1),
  support_satisfaction: [Number.NaN, 5, 3, 4, 5][k]!,
}));

describe('super-user score', () => {
  it('leaves out what the business has no data for and shares the weight out', () => {
    const ctx = superUserContext(makeFrame(BASE), DEFAULT_SCORING_CONFIG);
    expect(ctx.leftOutDimensions).toEqual(['engagement']);
    expect(ctx.leftOutMeasures).toEqual([
      'margin_rate_all', // all empty
      'visits_90',
      'app_time_s_90',
      'content_interactions_90',
      'event_participations_365',
      'competitor_resistance', // no repeat customer: all 0
      'feedback_all',
    ]);
    expect(ctx.measures.purchases_365.status).toBe('ok');
    expect(ctx.measures.margin_rate_all.status).toBe('no_data');
  });

  it('computes scores by hand: percentile ranks averaged per dimension, then over dimensions', () => {
    const s = scoreAll(makeFrame(BASE));
    // customer 2: consumption (0.5+0.5+0.5)/3; social (0 + 0.5+0.5+0.5)/4 = 0.375;
    // loyalty tenure 300 → 0.5, satisfaction 3 (lowest of 3,4,5,5) → 0: 0.25. Engagement left out.
    expect(s[2]!.score).toBeCloseTo((100 / 3) * (0.5 + 0.375 + 0.25), 10);
    expect(s[2]!.contributions.consumption).toBeCloseTo(100 / 6, 10);
    expect(s[2]!.contributions.social).toBeCloseTo(12.5, 10);
    expect(s[2]!.contributions.loyalty).toBeCloseTo(100 / 12, 10);
    expect(s[2]!.contributions.engagement).toBeNull();
    expect(s[2]!.left_out).toEqual(['engagement']);
    // customer 0 has no rated ticket: satisfaction skipped, loyalty = tenure alone (lowest) → 0
    expect(s[0]).toMatchObject({ score: 0, skipped: ['support_satisfaction'] });
    expect(s[4]!.score).toBeCloseTo(100, 10);
    // contributions sum to the score
    for (const r of s) {
      const sum = Object.values(r!.contributions).reduce<number>((a, b) => a + (b ?? 0), 0);
      expect(sum).toBeCloseTo(r!.score, 12);
    }
  });

  it('uses business weights for dimensions and sub-measures', () => {
    const cfg = parseScoringConfig({
      superUser: { dimensionWeights: { consumption: 2, social: 1, loyalty: 1 }, measureWeights: { social: { referrals_all: 0 } } },
    });
    const s = scoreAll(makeFrame(BASE), cfg);
    // customer 2: consumption 0.5 (weight 2/4), social 0.5 without referrals (1/4), loyalty 0.25 (1/4)
    expect(s[2]!.score).toBeCloseTo(100 * (0.5 * 0.5 + 0.25 * 0.5 + 0.25 * 0.25), 10);
  });

  it('lets a low-spend, high-referral influencer outrank a bigger passive spender when social weight is high (seed 000)', () => {
    const rows = [
      { customer_id: 'spender', purchases_365: 12, revenue_365: 2400, distinct_products_all: 9, tenure_days: 400 },
      { customer_id: 'influencer', purchases_365: 2, revenue_365: 150, distinct_products_all: 2, referrals_all: 6, referred_buyers_all: 4, shares_all: 15, reviews_all: 5, tenure_days: 400 },
      ...[1, 2, 3, 4, 5, 6].map((k) => ({ purchases_365: k, revenue_365: 100 * k, distinct_products_all: k, shares_all: k % 3, reviews_all: k % 2, tenure_days: 100 * k })),
    ];
    const frame = makeFrame(rows);
    // A business that values spend above all ranks the spender first …
    const spend = scoreAll(frame, parseScoringConfig({ superUser: { dimensionWeights: { consumption: 4, engagement: 1, social: 1, loyalty: 1 } } }));
    expect(spend[0]!.score).toBeGreaterThan(spend[1]!.score);
    // … one that values influence ranks the influencer first
    const social = scoreAll(frame, parseScoringConfig({ superUser: { dimensionWeights: { consumption: 1, engagement: 1, social: 4, loyalty: 1 } } }));
    expect(social[1]!.score).toBeGreaterThan(social[0]!.score);
    expect(social[1]!.contributions.social!).toBeGreaterThan(social[0]!.contributions.consumption!);
  });

  it('leaves out, for the whole base, a dimension whose only weighted sub-measure has no data (data elsewhere weighted 0)', () => {
    // Engagement counts site visits only; the business has app time but no visits.
    const cfg = parseScoringConfig({
      superUser: { measureWeights: { engagement: { visits_90: 1, app_time_s_90: 0, content_interactions_90: 0, event_participations_365: 0 } } },
    });
    const frame = makeFrame(BASE.map((row, k) => ({ ...row, app_time_s_90: 100 * k })));
    const ctx = superUserContext(frame, cfg);
    expect(ctx.measures.app_time_s_90.status).toBe('ok');
    expect(ctx.leftOutDimensions).toEqual(['engagement']);
    const s = scoreAll(frame, cfg);
    for (const r of s) {
      expect(r!.left_out).toEqual(['engagement']);
      expect(r!.skipped).not.toContain('engagement');
      expect(r!.contributions.engagement).toBeNull();
    }
    // The same hand-computed score as without engagement data: customer 2 = (100/3)·(0.5 + 0.375 + 0.25)
    expect(s[2]!.score).toBeCloseTo((100 / 3) * (0.5 + 0.375 + 0.25), 10);
    expect(s[2]!.skipped).toEqual([]);
    expect(superUserReason(s[2]!, 1)).toBe(
      '37.5/100 = consumption 16.67 + social 12.5 + loyalty 8.33; left out (its sub-measures with data all have weight 0): engagement; sub-measures left out: margin_rate_all, visits_90, content_interactions_90, event_participations_365, competitor_resistance, feedback_all',
    );
  });

  it('keeps a dimension when one weighted sub-measure has data, even if another weighted one has none', () => {
    const frame = makeFrame(BASE.map((row, k) => ({ ...row, app_time_s_90: 100 * k })));
    expect(superUserContext(frame, DEFAULT_SCORING_CONFIG).leftOutDimensions).toEqual([]);
    // customer 2 ranks 0.5 on app time, the only engagement sub-measure with data
    expect(scoreAll(frame)[2]!.dimensions.engagement).toBeCloseTo(50, 10);
  });

  it('gives no score to a customer without events, and none when every weighted dimension is left out', () => {
    expect(scoreAll(makeFrame([...BASE, {}]))[5]).toBeNull();
    const onlyEngagement = parseScoringConfig({ superUser: { dimensionWeights: { consumption: 0, engagement: 1, social: 0, loyalty: 0 } } });
    expect(scoreAll(makeFrame(BASE), onlyEngagement)[3]).toBeNull();
  });

  it('treats a measure that every customer shares as no variation (left out)', () => {
    const ctx = superUserContext(makeFrame([{ tenure_days: 30, reviews_all: 1 }, { tenure_days: 30, reviews_all: 2 }]), DEFAULT_SCORING_CONFIG);
    expect(ctx.measures.tenure_days.status).toBe('no_variation');
    expect(ctx.measures.reviews_all.status).toBe('ok');
  });

  it('derives competitor resistance from keeping the own purchase rhythm', () => {
    expect(competitorResistance(5, 10, 4)).toBe(1);
    expect(competitorResistance(5, 10, 30)).toBeCloseTo(1 / 3, 12);
    expect(competitorResistance(1, Number.NaN, 4)).toBe(0); // no repeat purchase yet
    expect(competitorResistance(0, Number.NaN, Number.NaN)).toBe(0);
  });

  it('explains the score with its points per dimension', () => {
    const s = scoreAll(makeFrame(BASE));
    expect(superUserReason(s[0]!, 1)).toBe(
      '0/100 = consumption 0 + social 0 + loyalty 0; left out (no data in this business): engagement; sub-measures left out: margin_rate_all, visits_90, app_time_s_90, content_interactions_90, event_participations_365, competitor_resistance, feedback_all; skipped (no value for this customer): support_satisfaction',
    );
    expect(superUserReason(null, 0)).toBe('no events: no super-user score');
  });
});

describe('super-user dimension standings', () => {
  it('gives each dimension a 0–100 standing whose weighted mean is the score', () => {
    const config = parseScoringConfig({ superUser: { dimensionWeights: { consumption: 0.4, engagement: 0.2, social: 0.3, loyalty: 0.1 } } });
    const results = scoreAll(makeFrame(BASE), config);
    const weights = config.superUser.dimensionWeights;
    for (const r of results) {
      if (!r) continue;
      let sum = 0;
      let total = 0;
      for (const [d, standing] of Object.entries(r.dimensions) as [keyof typeof weights, number | null][]) {
        expect(standing === null || (standing >= 0 && standing <= 100)).toBe(true);
        if (standing === null) expect(r.contributions[d]).toBeNull();
        else {
          sum += weights[d] * standing;
          total += weights[d];
        }
      }
      expect(r.score).toBeCloseTo(sum / total, 9);
    }
    // The top referrer stands highest on social.
    expect(results[4]!.dimensions.social).toBeGreaterThan(results[1]!.dimensions.social!);
    expect(results[0]).not.toBeNull();
    expect(results[0]!.dimensions.engagement).toBeNull(); // engagement is left out in BASE
  });
});
