import { describe, expect, it } from 'vitest';
import { quintileBin, quintileBreakpoints, RFM_SEGMENTS, rfmContext, rfmReason, rfmSegment, scoreRfm } from './rfm.js';
import { buyer, makeFrame } from './test-frame.js';

const scoreAll = (values: number[], higherIsBetter: boolean) => {
  const bps = quintileBreakpoints([...values].sort((a, b) => a - b))!;
  return values.map((v) => (higherIsBetter ? quintileBin(v, bps) : 6 - quintileBin(v, bps)));
};

describe('RFM quintiles', () => {
  it('puts ten distinct values two to a quintile', () => {
    expect(quintileBreakpoints([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([2, 4, 6, 8]);
    expect(scoreAll([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], true)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(scoreAll([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], false)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it('never splits equal values: one-time buyers at the edges all get F=1', () => {
    const f = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5];
    expect(quintileBreakpoints(f)).toEqual([1, 1, 1, 3]);
    expect(scoreAll(f, true)).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
  });

  it('keeps a tie straddling a recency breakpoint together (fresher score)', () => {
    // breakpoints x[1]=2, x[3]=3, x[5]=5, x[7]=7: the two customers at 2 days both get R=5
    const r = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(quintileBreakpoints(r)).toEqual([2, 3, 5, 7]);
    expect(scoreAll(r, false)).toEqual([5, 5, 5, 4, 3, 3, 2, 2, 1, 1]);
  });

  it('scores a frame by hand: best to worst, refunds exceeding purchases, and no purchase', () => {
    const frame = makeFrame([
      buyer(1, 5, 500),
      buyer(10, 4, 400),
      buyer(20, 3, 300),
      buyer(30, 2, 200),
      buyer(40, 1, -50), // refunded more than bought: lowest M, still scored
      { visits_all: 3 }, // events, no purchase
    ]);
    const ctx = rfmContext(frame);
    expect(ctx.purchasers).toBe(5);
    expect(ctx.recency).toEqual([1, 10, 20, 30]);
    expect(ctx.monetary).toEqual([-50, 200, 300, 400]);
    const at = (i: number) =>
      scoreRfm(frame.numeric.purchases_all![i]!, frame.numeric.recency_days![i]!, frame.numeric.purchase_days_all![i]!, frame.numeric.revenue_all![i]!, ctx);
    expect(at(0)).toEqual({ r: 5, f: 5, m: 5, score: '555', segment: 'champions' });
    expect(at(1)).toEqual({ r: 4, f: 4, m: 4, score: '444', segment: 'loyal' });
    expect(at(2)).toEqual({ r: 3, f: 3, m: 3, score: '333', segment: 'need_attention' });
    expect(at(3)).toEqual({ r: 2, f: 2, m: 2, score: '222', segment: 'hibernating' });
    expect(at(4)).toEqual({ r: 1, f: 1, m: 1, score: '111', segment: 'lost' });
    expect(at(5)).toBeNull();
    expect(rfmReason(at(0), 1, 5, 500)).toBe(
      'R=5: last purchase 1 day ago (recency band 5 of 5: most recent); F=5: 5 purchase days (frequency band 5 of 5: highest); M=5: net revenue 500 (spend band 5 of 5: highest)',
    );
    expect(rfmReason(at(2), 20, 3, 300)).toBe(
      'R=3: last purchase 20 days ago (recency band 3 of 5); F=3: 3 purchase days (frequency band 3 of 5); M=3: net revenue 300 (spend band 3 of 5)',
    );
    expect(rfmReason(at(4), 40, 1, -50)).toBe(
      'R=1: last purchase 40 days ago (recency band 1 of 5: least recent); F=1: 1 purchase day (frequency band 1 of 5: lowest); M=1: net revenue -50 (spend band 1 of 5: lowest)',
    );
    expect(rfmReason(null, Number.NaN, 0, 0)).toBe('no purchases: RFM cannot be computed');
  });

  it('names the band, not a share of the base, when ties make a band hold 60% (six of ten one-time buyers)', () => {
    const frame = makeFrame([1, 1, 1, 1, 1, 1, 2, 3, 4, 5].map((days, i) => buyer(i + 1, days, 10 * (i + 1))));
    const ctx = rfmContext(frame);
    const res = scoreRfm(1, 1, 1, 10, ctx)!;
    expect(res.f).toBe(1);
    const reason = rfmReason(res, 1, 1, 10);
    expect(reason).toBe(
      'R=5: last purchase 1 day ago (recency band 5 of 5: most recent); F=1: 1 purchase day (frequency band 1 of 5: lowest); M=1: net revenue 10 (spend band 1 of 5: lowest)',
    );
    expect(reason).not.toMatch(/%/);
  });

  it('scores a lone one-purchase customer R=5 F=1 M=1 (new_customers)', () => {
    const frame = makeFrame([buyer(3, 1, 20)]);
    const ctx = rfmContext(frame);
    expect(scoreRfm(1, 3, 1, 20, ctx)).toEqual({ r: 5, f: 1, m: 1, score: '511', segment: 'new_customers' });
  });

  it('has no breakpoints when nobody bought', () => {
    const ctx = rfmContext(makeFrame([{ visits_all: 1 }, {}]));
    expect(ctx).toEqual({ purchasers: 0, recency: null, frequency: null, monetary: null });
  });

  it('maps R × FM to the documented segment grid (FM rounded half up)', () => {
    expect(rfmSegment(5, 1, 1)).toBe('new_customers');
    expect(rfmSegment(5, 5, 4)).toBe('champions'); // FM 4.5 → 5
    expect(rfmSegment(4, 4, 5)).toBe('champions');
    expect(rfmSegment(4, 4, 4)).toBe('loyal');
    expect(rfmSegment(3, 3, 4)).toBe('loyal'); // FM 3.5 → 4
    expect(rfmSegment(4, 2, 3)).toBe('potential_loyalist'); // FM 2.5 → 3
    expect(rfmSegment(4, 1, 1)).toBe('promising');
    expect(rfmSegment(3, 3, 3)).toBe('need_attention');
    expect(rfmSegment(3, 1, 2)).toBe('about_to_sleep');
    expect(rfmSegment(2, 4, 4)).toBe('at_risk');
    expect(rfmSegment(1, 3, 3)).toBe('at_risk');
    expect(rfmSegment(1, 5, 5)).toBe('cannot_lose_them');
    expect(rfmSegment(2, 5, 5)).toBe('cannot_lose_them');
    expect(rfmSegment(2, 1, 2)).toBe('hibernating');
    expect(rfmSegment(1, 1, 2)).toBe('lost'); // FM 1.5 → 2
    const used = new Set<string>();
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) used.add(rfmSegment(r, f, m));
    expect([...used].sort()).toEqual([...RFM_SEGMENTS].sort());
  });
});
