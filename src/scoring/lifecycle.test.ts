import { describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG, parseScoringConfig } from '../config/scoring.js';
import { lifecycleReason, lifecycleSegment, typicalGap, type TypicalGap } from './lifecycle.js';
import { buyer, makeFrame } from './test-frame.js';

const lc = DEFAULT_SCORING_CONFIG.lifecycle; // new ≤ 1·G with 1 purchase day; core ≤ 1·G; dozing ≤ 2·G; half asleep ≤ 3·G
const seg = (recency: number, first: number, days: number, gap = 20) => lifecycleSegment(days > 0 ? days : 0, recency, first, days, gap, lc);

describe('lifecycle stages', () => {
  it('measures the typical gap as the median mean gap of repeat customers', () => {
    const frame = makeFrame([
      buyer(5, 2, 10, { mean_gap_days: 10 }),
      buyer(5, 3, 10, { mean_gap_days: 30 }),
      buyer(5, 2, 10, { mean_gap_days: 20 }),
      buyer(5, 1, 10), // one purchase day: no gap
    ]);
    const cfg = parseScoringConfig({ lifecycle: { minRepeatCustomers: 3 } });
    expect(typicalGap(frame, cfg)).toEqual({ days: 20, source: 'median_of_repeat_customers', repeatCustomers: 3 });
    // Too few repeat customers for the default minimum of 30: the configured fallback
    expect(typicalGap(frame, DEFAULT_SCORING_CONFIG)).toEqual({ days: 30, source: 'config_fallback', repeatCustomers: 3 });
  });

  it('assigns stages by hand with a 20-day gap, boundaries inclusive', () => {
    expect(seg(5, 5, 1)).toBe('new'); // one purchase 5 days ago
    expect(seg(20, 20, 1)).toBe('new'); // exactly 1·G
    expect(seg(25, 25, 1)).toBe('dozing'); // one purchase, more than a gap ago: not new any more
    expect(seg(10, 15, 2)).toBe('core'); // repeat customer
    expect(seg(20, 300, 6)).toBe('core');
    expect(seg(21, 300, 6)).toBe('dozing');
    expect(seg(40, 300, 6)).toBe('dozing');
    expect(seg(41, 300, 6)).toBe('half_asleep');
    expect(seg(60, 300, 6)).toBe('half_asleep');
    expect(seg(61, 300, 6)).toBe('sleeping');
    expect(seg(Number.NaN, Number.NaN, 0)).toBeNull(); // no purchases
  });

  it('fits a grocery and a car dealer alike: the same rhythm gives the same stage', () => {
    for (const [recency, days] of [[5, 1], [10, 3], [30, 3], [50, 3], [90, 3]] as const) {
      expect(seg(recency, recency, days, 20)).toBe(seg(recency * 35, recency * 35, days, 700));
    }
  });

  it('honours configured multiples', () => {
    const cfg = parseScoringConfig({ lifecycle: { core: 1.5, dozing: 3, halfAsleep: 6, newMaxPurchaseDays: 2 } }).lifecycle;
    expect(lifecycleSegment(2, 10, 15, 2, 20, cfg)).toBe('new');
    expect(lifecycleSegment(5, 30, 300, 5, 20, cfg)).toBe('core');
    expect(lifecycleSegment(5, 60, 300, 5, 20, cfg)).toBe('dozing');
    expect(lifecycleSegment(5, 120, 300, 5, 20, cfg)).toBe('half_asleep');
    expect(lifecycleSegment(5, 121, 300, 5, 20, cfg)).toBe('sleeping');
  });

  it('explains the stage in the business rhythm', () => {
    const gap: TypicalGap = { days: 20, source: 'median_of_repeat_customers', repeatCustomers: 40 };
    expect(lifecycleReason('dozing', 40, 300, 6, gap, lc)).toBe('dozing: 40 days since last purchase, 1–2× the typical 20-day gap');
    expect(lifecycleReason('new', 5, 5, 1, gap, lc)).toBe('new: first purchase 5 days ago, within 1× the typical 20-day gap, 1 purchase day');
    expect(lifecycleReason('sleeping', 100, 300, 6, gap, lc)).toBe('sleeping: 100 days since last purchase, beyond 3× the typical 20-day gap');
    expect(lifecycleReason('core', 3, 300, 6, { days: 30, source: 'config_fallback', repeatCustomers: 2 }, lc)).toBe(
      'core: last purchase 3 days ago, within 1× the configured 30-day gap (too few repeat customers to measure one)',
    );
  });
});
