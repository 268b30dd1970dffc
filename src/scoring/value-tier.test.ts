import { describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG, parseScoringConfig } from '../config/scoring.js';
import { makeFrame } from './test-frame.js';
import { isParetoTop, paretoFigure, valueTier, valueTierContext, valueTierCutoffs, valueTierReason } from './value-tier.js';

const cfg = DEFAULT_SCORING_CONFIG;
const tiersOf = (values: (number | null)[], config = cfg) => {
  const frame = makeFrame(values.map((v) => (v === null ? {} : { revenue_365: v, margin_365: v === 0 ? 0 : 1 })));
  const ctx = valueTierContext(frame, config);
  return { ctx, tiers: values.map((_, i) => valueTier(frame.numeric.events_all![i]!, frame.numeric[ctx.feature]![i]!, ctx)) };
};

describe('value tiers', () => {
  it('cuts diamond at the first 50% and gold at 80% of revenue, by hand', () => {
    // total 100: 50 alone makes 50% → diamond; 30 brings it to 80% → gold; the rest general
    const { ctx, tiers } = tiersOf([5, 50, 10, 30, 5, 0, -20, null]);
    expect(ctx).toMatchObject({ total: 100, customersWithValue: 5, diamondCutoff: 50, goldCutoff: 30 });
    expect(tiers).toEqual(['general', 'diamond', 'general', 'gold', 'general', 'general', 'general', null]);
  });

  it('includes the customer who crosses the line, so one whale is diamond', () => {
    expect(valueTierCutoffs([90, 5, 5], 0.5, 0.8)).toEqual({ total: 100, diamondCutoff: 90, goldCutoff: 90 });
  });

  it('stops diamond at a customer who alone makes exactly 50%, despite floating-point sums (1.66 of 3.32)', () => {
    // 1.66 + 1.25 + 0.41 sums to 3.3200000000000003 in floating point; 1.66 is exactly half of 3.32
    expect(valueTierCutoffs([1.66, 1.25, 0.41], 0.5, 0.8)).toMatchObject({ diamondCutoff: 1.66, goldCutoff: 1.25 });
    // same amounts in cents, where the sums are exact, for comparison
    expect(valueTierCutoffs([166, 125, 41], 0.5, 0.8)).toMatchObject({ diamondCutoff: 166, goldCutoff: 125 });
  });

  it('puts ties at a cutoff in the same tier', () => {
    // 30 + 30 = 60% already, but the third 30 equals the cutoff: diamond too
    const { ctx, tiers } = tiersOf([30, 30, 30, 10]);
    expect(ctx.diamondCutoff).toBe(30);
    expect(tiers).toEqual(['diamond', 'diamond', 'diamond', 'general']);
  });

  it('has no cutoffs when nobody has positive revenue: everyone with events is general', () => {
    const { ctx, tiers } = tiersOf([0, -5, null]);
    expect(ctx.diamondCutoff).toBeNull();
    expect(tiers).toEqual(['general', 'general', null]);
  });

  it('can use margin as the basis', () => {
    const config = parseScoringConfig({ valueTier: { basis: 'margin' } });
    const frame = makeFrame([
      { revenue_365: 1000, margin_365: 10 },
      { revenue_365: 100, margin_365: 60 },
      { revenue_365: 100, margin_365: 30 },
    ]);
    const ctx = valueTierContext(frame, config);
    expect(ctx.feature).toBe('margin_365');
    expect([0, 1, 2].map((i) => valueTier(1, frame.numeric.margin_365![i]!, ctx))).toEqual(['general', 'diamond', 'gold']);
  });

  it('explains the tier', () => {
    const { ctx } = tiersOf([5, 50, 10, 30, 5]);
    expect(valueTierReason('diamond', 50, ctx)).toBe('diamond: trailing-12-month net revenue 50; the top customers making 50% of it have ≥ 50');
    expect(valueTierReason('gold', 30, ctx)).toBe('gold: trailing-12-month net revenue 30; the customers making 50%–80% of it have ≥ 30');
    expect(valueTierReason('general', -3, ctx)).toBe('general: no positive trailing-12-month net revenue');
    expect(valueTierReason(null, 0, ctx)).toBe('no events: no value tier');
  });
});

describe('Pareto figure', () => {
  it('gives the revenue share of the top 20% and the customer share making 80%, by hand', () => {
    const frame = makeFrame([100, 50, 20, 10, 10, 5, 5, 0, -5].map((v) => ({ revenue_365: v })));
    const p = paretoFigure(frame, cfg);
    // 7 customers with positive revenue, total 200; top ⌈1.4⌉ = 2 make 150 = 75%; 100+50+20 = 170 ≥ 160 → 3 of 7
    expect(p).toMatchObject({ customersWithRevenue: 7, totalRevenue: 200, topCustomers: 2, topCutoff: 50, topRevenueShare: 0.75, customersForRevenueShare: 3 });
    expect(p.customerShareForRevenueShare).toBeCloseTo(3 / 7, 12);
    expect(isParetoTop(1, 50, p)).toBe(true);
    expect(isParetoTop(1, 20, p)).toBe(false);
  });

  it('needs 8 of 10 equal customers for 80% of revenue, despite floating-point sums (0.7 each)', () => {
    // 8 × 0.7 = 5.6 = 80% of 7; summed one by one in floating point the running total misses it by dust
    const p = paretoFigure(makeFrame(Array.from({ length: 10 }, () => ({ revenue_365: 0.7 }))), cfg);
    expect(p.customersForRevenueShare).toBe(8);
    expect(p.customerShareForRevenueShare).toBe(0.8);
  });

  it('extends the top group to ties and is empty without revenue', () => {
    const p = paretoFigure(makeFrame([10, 10, 10, 10, 10].map((v) => ({ revenue_365: v }))), cfg);
    expect(p).toMatchObject({ topCustomers: 5, topRevenueShare: 1, customersForRevenueShare: 4 });
    expect(paretoFigure(makeFrame([{ revenue_365: 0 }]), cfg)).toMatchObject({ customersWithRevenue: 0, topCutoff: null, topRevenueShare: null });
  });
});
