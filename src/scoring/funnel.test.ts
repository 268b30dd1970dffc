import { describe, expect, it } from 'vitest';
import { funnelReason, funnelStage, summarizeFunnel, summarizeHourglass } from './funnel.js';
import { makeFrame } from './test-frame.js';

describe('funnel', () => {
  it('places each customer at the furthest stage reached', () => {
    // (events, trials, purchases, purchase days, signed up)
    expect(funnelStage(0, 0, 0, 0, 0, 3)).toBeNull();
    expect(funnelStage(4, 0, 0, 0, 0, 3)).toBe('aware');
    expect(funnelStage(4, 1, 0, 0, 0, 3)).toBe('trial');
    expect(funnelStage(4, 1, 0, 0, 1, 3)).toBe('joined'); // signed up
    expect(funnelStage(0, 0, 0, 0, 1, 3)).toBe('joined'); // profile signup only
    expect(funnelStage(4, 0, 1, 1, 0, 3)).toBe('joined'); // first purchase, no trial needed
    expect(funnelStage(9, 0, 3, 2, 0, 3)).toBe('joined'); // 3 purchases but on 2 days
    expect(funnelStage(9, 0, 3, 3, 0, 3)).toBe('loyal');
    expect(funnelStage(9, 0, 2, 2, 0, 2)).toBe('loyal'); // configurable
  });

  it('explains the stage', () => {
    expect(funnelReason('loyal', 9, 0, 3, 3, 3)).toBe('loyal: 3 purchase days (≥ 3)');
    expect(funnelReason('joined', 4, 0, 1, 1, 3)).toBe('joined: first purchase made, 1 purchase day (loyal from 3)');
    expect(funnelReason('aware', 4, 0, 0, 0, 3)).toBe('aware: 4 events, no trial, purchase or signup yet');
  });

  it('counts customers reaching each stage and the conversion of each step, by hand', () => {
    const s = summarizeFunnel(['aware', 'trial', 'joined', 'joined', 'loyal', 'loyal', null]);
    expect(s.customers).toBe(7);
    expect(s.stages).toEqual([
      { stage: 'aware', reached: 6, conversion_from_previous: null },
      { stage: 'trial', reached: 5, conversion_from_previous: 5 / 6 },
      { stage: 'joined', reached: 4, conversion_from_previous: 4 / 5 },
      { stage: 'loyal', reached: 2, conversion_from_previous: 2 / 4 },
    ]);
    expect(s.overall_conversion).toBe(2 / 6);
    expect(summarizeFunnel([null]).stages[1]!.conversion_from_previous).toBeNull();
  });

  it('measures the hourglass: customers brought in by loyal ones', () => {
    const frame = makeFrame([
      { referrals_all: 2, referred_buyers_all: 1 }, // loyal
      { referrals_all: 0 }, // loyal
      { referrals_all: 3, referred_buyers_all: 1 }, // joined
    ]);
    expect(summarizeHourglass(['loyal', 'loyal', 'joined'], frame)).toEqual({
      loyal_customers: 2,
      loyal_referrers: 1,
      loyal_referrer_share: 0.5,
      referrals_by_loyal: 2,
      referred_buyers_by_loyal: 1,
      referred_buyer_conversion: 0.5,
      referrals_all: 5,
      referred_buyers_all: 2,
      loyal_share_of_referred_buyers: 0.5,
    });
  });
});
