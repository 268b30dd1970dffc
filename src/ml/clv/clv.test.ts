import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases, type BgNbdParams } from './bgnbd.js';
import { customerLifetimeValue, customerLifetimeValues } from './clv.js';
import { ClvFitError } from './errors.js';
import { conditionalExpectedSpend, type GammaGammaParams } from './gamma-gamma.js';

const BG: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }; // weeks
const GG: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };
const active = { customerId: 'x', frequency: 6, recency: 35, T: 38.86, monetaryValue: 40 };
const newbie = { customerId: 'n', frequency: 0, recency: 0, T: 2, monetaryValue: 0 };

describe('customerLifetimeValue', () => {
  it('without discounting equals margin × expected spend × expected purchases over the horizon', () => {
    for (const discountStep of ['monthly', 'daily'] as const) {
      const res = customerLifetimeValue(BG, GG, active, { horizonMonths: 12, timeUnitDays: 7, margin: 0.3, discountStep });
      const purchases = conditionalExpectedPurchases(BG, (12 * 30) / 7, 6, 35, 38.86);
      const spend = conditionalExpectedSpend(GG, 6, 40);
      expect(res.expectedPurchases).toBeCloseTo(purchases, 12);
      expect(res.expectedSpend).toBeCloseTo(spend, 12);
      expect(res.clv).toBeCloseTo(0.3 * spend * purchases, 9);
    }
  });

  it('discounting lowers CLV, by less than discounting everything at the horizon end, and daily ≈ monthly', () => {
    const opts = { horizonMonths: 24, timeUnitDays: 7, annualDiscountRate: 0.12 };
    const undiscounted = customerLifetimeValue(BG, GG, active, { ...opts, annualDiscountRate: 0 }).clv;
    const monthly = customerLifetimeValue(BG, GG, active, opts).clv;
    const daily = customerLifetimeValue(BG, GG, active, { ...opts, discountStep: 'daily' }).clv;
    expect(monthly).toBeLessThan(undiscounted);
    expect(monthly).toBeGreaterThan(undiscounted / 1.12 ** 2);
    // Daily discounting happens earlier within each month → slightly higher value.
    expect(daily).toBeGreaterThan(monthly);
    expect(Math.abs(daily - monthly) / monthly).toBeLessThan(0.01);
  });

  it('values a customer without repeat purchases at the population mean spend p·v/(q−1)', () => {
    const res = customerLifetimeValue(BG, GG, newbie, { horizonMonths: 6, timeUnitDays: 7 });
    expect(res.expectedSpend).toBeCloseTo((GG.p * GG.v) / (GG.q - 1), 12);
    expect(res.clv).toBeGreaterThan(0);
  });

  it('grows with the horizon and is finite for long horizons', () => {
    let prev = 0;
    for (const h of [1, 6, 12, 60, 240]) {
      const { clv } = customerLifetimeValue(BG, GG, active, { horizonMonths: h, timeUnitDays: 7, annualDiscountRate: 0.1 });
      expect(Number.isFinite(clv)).toBe(true);
      expect(clv).toBeGreaterThan(prev);
      prev = clv;
    }
  });

  it('handles a fractional horizon (partial last month)', () => {
    const a = customerLifetimeValue(BG, GG, active, { horizonMonths: 1.5, timeUnitDays: 7 }).expectedPurchases;
    expect(a).toBeCloseTo(conditionalExpectedPurchases(BG, 45 / 7, 6, 35, 38.86), 12);
  });

  it('rejects options and rows that would produce NaN', () => {
    const bad: [string, () => unknown][] = [
      ['horizon', () => customerLifetimeValue(BG, GG, active, { horizonMonths: Number.NaN })],
      ['rate', () => customerLifetimeValue(BG, GG, active, { horizonMonths: 12, annualDiscountRate: -1 })],
      ['margin', () => customerLifetimeValue(BG, GG, active, { horizonMonths: 12, margin: -0.1 })],
      ['monetary', () => customerLifetimeValue(BG, GG, { ...active, monetaryValue: 0 }, { horizonMonths: 12 })],
      ['q<=1', () => customerLifetimeValue(BG, { ...GG, q: 0.9 }, active, { horizonMonths: 12 })],
      ['batch', () => customerLifetimeValues(BG, GG, [active, { ...active, recency: Number.NaN }], { horizonMonths: 12 })],
    ];
    for (const [name, f] of bad) expect(f, name).toThrow(ClvFitError);
  });
});
