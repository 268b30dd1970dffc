import { describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../config/scoring.js';
import { potentialIndex, potentialReason, potentialTier, scorePotential } from './potential-tier.js';
import { quantileGrid } from './quantiles.js';

const t = DEFAULT_SCORING_CONFIG.potential.thresholds; // 40 / 60 / 80
const blend = DEFAULT_SCORING_CONFIG.potential.blend; // 0.5 / 0.2 / 0.2 / 0.1
const NaN_ = Number.NaN;

describe('potential tiers', () => {
  it('follows the value × potential table', () => {
    const row = (tier: 'diamond' | 'gold' | 'general') => [20, 50, 70, 90].map((p) => potentialTier(tier, p, t));
    expect(row('diamond')).toEqual(['high', 'super_user', 'super_user', 'super_user']);
    expect(row('gold')).toEqual(['medium', 'medium', 'high', 'super_user']);
    expect(row('general')).toEqual(['low', 'medium', 'high', 'super_user']);
    expect(potentialTier('general', 40, t)).toBe('medium'); // thresholds inclusive
    expect(potentialTier('general', 39.99, t)).toBe('low');
  });

  it('uses the super-user score alone without predictions', () => {
    expect(potentialIndex(63, NaN_, NaN_, NaN_, blend)).toBe(63);
    const res = scorePotential(63, 'gold', NaN_, NaN_, NaN_, null, DEFAULT_SCORING_CONFIG)!;
    expect(res).toEqual({
      tier: 'high',
      index: 63,
      strategy: 'accelerate: personalised offers and content that move them up to super user',
      predictions: null,
    });
    expect(potentialReason(res, 'gold', 63)).toBe(
      'high: potential 63 (super-user score 63), current value gold → accelerate: personalised offers and content that move them up to super user',
    );
  });

  it('blends predictions in when present, by hand', () => {
    // (0.5·0.60 + 0.2·0.8 + 0.2·0.9 + 0.1·(1 − 0.2)) / 1.0 = 0.72
    expect(potentialIndex(60, 0.8, 0.2, 0.9, blend)).toBeCloseTo(72, 10);
    // only a purchase probability: (0.5·0.6 + 0.2·0.8) / 0.7
    expect(potentialIndex(60, 0.8, NaN_, NaN_, blend)).toBeCloseTo((100 * 0.46) / 0.7, 10);
  });

  it('moves a customer up a tier when the models see a likely buyer', () => {
    const clvGrid = quantileGrid([0, 100, 200, 300, 400], 101);
    const without = scorePotential(50, 'general', NaN_, NaN_, NaN_, clvGrid, DEFAULT_SCORING_CONFIG)!;
    const withPred = scorePotential(50, 'general', 0.9, 0.1, 400, clvGrid, DEFAULT_SCORING_CONFIG)!;
    expect(without.tier).toBe('medium');
    // (0.25 + 0.18 + 0.2 + 0.09) = 0.72 → high
    expect(withPred.index).toBeCloseTo(72, 10);
    expect(withPred.predictions).toEqual({ purchase_probability: 0.9, clv_percentile: 1, churn_probability: 0.1, lapsed: false });
    expect(withPred.tier).toBe('high');
  });

  it('counts retention 0 for a customer the churn model does not cover, below an active customer at any churn risk', () => {
    const clvGrid = quantileGrid([0, 100, 200, 300, 400], 101);
    const score = (churn: number, churnModel: boolean) => scorePotential(50, 'general', 0.5, churn, 200, clvGrid, DEFAULT_SCORING_CONFIG, { churnModel })!;
    const lapsed = score(NaN_, true);
    // (0.5·0.5 + 0.2·0.5 + 0.2·0.5 + 0.1·0) / 1.0
    expect(lapsed.index).toBeCloseTo(45, 10);
    expect(lapsed.predictions).toEqual({ purchase_probability: 0.5, clv_percentile: 0.5, churn_probability: null, lapsed: true });
    expect(lapsed.index).toBeLessThan(score(0.99, true).index);
    // Without a churn model the part is simply left out: (0.25 + 0.1 + 0.1) / 0.9.
    expect(score(NaN_, false).index).toBeCloseTo(50, 10);
    expect(score(NaN_, false).predictions!.lapsed).toBe(false);
    expect(potentialReason(lapsed, 'general', 50)).toContain('no churn probability: already inactive, retention counted 0');
  });

  it('gives CLV percentile 0.5 when every customer has the same predicted CLV, so the index is not pulled down', () => {
    const res = scorePotential(70, 'general', 0.5, 0.5, 500, quantileGrid([500, 500, 500], 101), DEFAULT_SCORING_CONFIG)!;
    expect(res.predictions!.clv_percentile).toBe(0.5);
    // (0.5·0.7 + 0.2·0.5 + 0.2·0.5 + 0.1·0.5) / 1.0 = 0.6 → high
    expect(res.index).toBeCloseTo(60, 10);
    expect(res.tier).toBe('high');
  });

  it('is empty without a super-user score', () => {
    expect(scorePotential(null, 'general', 0.9, 0.1, 10, null, DEFAULT_SCORING_CONFIG)).toBeNull();
    expect(potentialReason(null, null, null)).toBe('no super-user score: no potential tier');
  });
});
