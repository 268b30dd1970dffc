import { describe, expect, it } from 'vitest';
import { summaryFromTransactions, type Transaction } from './summary.js';

const day = (iso: string, hour = 12): number => Date.parse(`${iso}T${String(hour).padStart(2, '0')}:00:00Z`);

describe('summaryFromTransactions', () => {
  const tx: Transaction[] = [
    // customer A: 3 purchase days (two purchases on Jan 10 count once, amounts summed)
    { customerId: 'A', ts: day('2024-01-01'), amount: 100 },
    { customerId: 'A', ts: day('2024-01-10', 9), amount: 20 },
    { customerId: 'A', ts: day('2024-01-10', 18), amount: 30 },
    { customerId: 'A', ts: new Date(day('2024-01-29')), amount: 10 },
    // customer B: a single purchase day (two purchases the same day)
    { customerId: 'B', ts: day('2024-01-15', 1), amount: 5 },
    { customerId: 'B', ts: day('2024-01-15', 23), amount: 7 },
    // customer C: numeric ids allowed; a purchase after the end is ignored
    { customerId: 42, ts: day('2024-01-20'), amount: 8 },
    { customerId: 42, ts: day('2024-03-01'), amount: 999 },
    // customer D: only after the end → not in the summary
    { customerId: 'D', ts: day('2024-02-05'), amount: 1 },
  ];
  const end = new Date(day('2024-01-31', 23));

  it('counts repeat purchase DAYS (same-day purchases once) and averages repeat-day amounts, excluding the first', () => {
    const s = summaryFromTransactions(tx, { observationEnd: end });
    expect(s).toEqual([
      // days: Jan 1, Jan 10 (20+30), Jan 29 → x=2, t_x=28, T=30, monetary=(50+10)/2
      { customerId: 'A', frequency: 2, recency: 28, T: 30, monetaryValue: 30 },
      { customerId: 'B', frequency: 0, recency: 0, T: 16, monetaryValue: 0 },
      { customerId: 42, frequency: 0, recency: 0, T: 11, monetaryValue: 0 },
    ]);
  });

  it('expresses recency and T in weeks with timeUnitDays = 7 (CDNOW convention)', () => {
    const s = summaryFromTransactions(tx, { observationEnd: end, timeUnitDays: 7 });
    const a = s.find((r) => r.customerId === 'A');
    expect(a?.recency).toBeCloseTo(4, 12);
    expect(a?.T).toBeCloseTo(30 / 7, 12);
    expect(a?.frequency).toBe(2);
  });

  it('includes purchases on the observation end day, whatever the time of day', () => {
    const s = summaryFromTransactions(
      [
        { customerId: 'E', ts: day('2024-01-01'), amount: 1 },
        { customerId: 'E', ts: day('2024-01-31', 23), amount: 4 },
      ],
      { observationEnd: day('2024-01-31', 0) },
    );
    expect(s).toEqual([{ customerId: 'E', frequency: 1, recency: 30, T: 30, monetaryValue: 4 }]);
  });

  it('rejects a non-positive timeUnitDays and an invalid observation end', () => {
    expect(() => summaryFromTransactions(tx, { observationEnd: end, timeUnitDays: 0 })).toThrow(/timeUnitDays/);
    expect(() => summaryFromTransactions(tx, { observationEnd: new Date('nope') })).toThrow(/observationEnd/);
    expect(() => summaryFromTransactions(tx, { observationEnd: day('2023-12-01') })).toThrow(/after observationEnd/);
  });
});
