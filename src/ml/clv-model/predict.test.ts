import { describe, expect, it } from 'vitest';
import {
  conditionalExpectedPurchases,
  conditionalExpectedSpend,
  customerLifetimeValue,
  expectedTimeToNextPurchase,
  probabilityAlive,
  simulateCustomers,
} from '../clv/index.js';
import { parseClvHyperparams } from './hyper.js';
import { clvPredictor, predictClv, predictClvOne } from './predict.js';
import { clvSummaryRows } from './summary-rows.js';
import { clvFrame, EXAMPLE_BGNBD as BG, EXAMPLE_GG as GG, exampleModel } from './test-helpers.js';

/** Customers in days, like the feature builder gives them (integer days, t_x ≤ T, t_x = 0 when x = 0). */
function simulatedFrame(n: number, seed: number) {
  const sim = simulateCustomers({ bgnbd: BG, gammaGamma: GG, nCustomers: n, T: { min: 0, max: 600 }, seed });
  return clvFrame(
    sim.map((c, i) =>
      i % 7 === 3 ? null : { x: c.frequency, tx: c.frequency === 0 ? 0 : Math.floor(c.recency), T: Math.floor(c.T), m: c.monetaryValue },
    ),
  );
}

describe('hyperparameters', () => {
  it('default to the contract horizon, days, no penalty, no discounting, revenue CLV', () => {
    expect(parseClvHyperparams({})).toEqual({
      horizonDays: 365,
      timeUnitDays: 1,
      penalizer: 0,
      spendPenalizer: 0,
      annualDiscountRate: 0,
      discountStep: 'monthly',
      margin: 1,
      minCustomers: 100,
      minRepeatBuyers: 30,
      holdoutDays: null,
    });
    expect(() => parseClvHyperparams({ horizonDays: -5 })).toThrow(/horizonDays/);
    expect(() => parseClvHyperparams({ horizon: 30 })).toThrow(/horizon/);
  });
});

describe('predictClv', () => {
  const frame = simulatedFrame(3000, 7);
  const model = exampleModel();
  const p = predictClv(model, frame);

  it('equals the src/ml/clv functions customer by customer (one code path for the math)', () => {
    const c = frame.numeric;
    let checked = 0;
    let nextChecked = 0;
    for (let i = 0; i < frame.n; i++) {
      const x = c.clv_frequency![i]!;
      if (Number.isNaN(x)) continue;
      const tx = c.clv_recency![i]!;
      const T = c.clv_t![i]!;
      const m = c.clv_monetary![i]!;
      const e = conditionalExpectedPurchases(BG, 365, x, tx, T);
      expect(p.expected_purchases[i]).toBeCloseTo(e, 10);
      expect(p.p_alive[i]).toBeCloseTo(probabilityAlive(BG, x, tx, T), 12);
      const spend = conditionalExpectedSpend(GG, x, m);
      expect(p.expected_spend[i]).toBeCloseTo(spend, 9);
      expect(p.predicted_clv[i]! / (spend * e)).toBeCloseTo(1, 12);
      if (i % 5 === 0) {
        const next = expectedTimeToNextPurchase(BG, x, tx, T, { maxHorizon: 365, relativeTolerance: 1e-10 });
        if (next === null) expect(p.expected_days_to_next_purchase[i]).toBeNaN();
        else {
          expect(Math.abs(p.expected_days_to_next_purchase[i]! - next)).toBeLessThan(1e-3);
          nextChecked++;
        }
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
    expect(nextChecked).toBeGreaterThan(100);
    expect(p.failed).toBe(0);
  });

  it('leaves every column NaN for customers without purchases (never a made-up number)', () => {
    for (let i = 3; i < frame.n; i += 7) {
      for (const col of [p.expected_purchases, p.p_alive, p.predicted_clv, p.expected_spend, p.expected_days_to_next_purchase]) {
        expect(col[i]).toBeNaN();
      }
    }
    const one = predictClvOne(model, frame, 3);
    expect(one).toMatchObject({ has_purchases: false, expected_purchases: null, p_alive: null, predicted_clv: null });
    expect(one.explanation).toMatch(/No purchase yet/);
  });

  it('applies the margin and discounts with the library CLV when configured', () => {
    const discounted = exampleModel({ hyper: { margin: 0.3, annualDiscountRate: 0.1 } });
    const q = predictClv(discounted, frame);
    const i = [...frame.numeric.clv_frequency!].findIndex((x) => x >= 3);
    const row = { frequency: frame.numeric.clv_frequency![i]!, recency: frame.numeric.clv_recency![i]!, T: frame.numeric.clv_t![i]!, monetaryValue: frame.numeric.clv_monetary![i]! };
    const lib = customerLifetimeValue(BG, GG, row, { horizonMonths: 365 / 30, annualDiscountRate: 0.1, margin: 0.3, daysPerMonth: 30 });
    expect(q.predicted_clv[i]).toBeCloseTo(lib.clv, 9);
    expect(q.predicted_clv[i]!).toBeLessThan(0.3 * p.predicted_clv[i]!);
    expect(q.expected_purchases[i]).toBeCloseTo(p.expected_purchases[i]!, 12);
  });

  it('uses weekly parameters with timeUnitDays = 7 and still speaks in days', () => {
    const weekly = exampleModel({ hyper: { timeUnitDays: 7 }, bgnbd: { alpha: BG.alpha / 7 } });
    const q = predictClv(weekly, frame);
    // Same model in another time unit: identical predictions.
    for (let i = 0; i < 200; i++) {
      if (Number.isNaN(p.expected_purchases[i]!)) continue;
      expect(q.expected_purchases[i]).toBeCloseTo(p.expected_purchases[i]!, 9);
      expect(q.p_alive[i]).toBeCloseTo(p.p_alive[i]!, 12);
      if (!Number.isNaN(p.expected_days_to_next_purchase[i]!)) {
        expect(q.expected_days_to_next_purchase[i]).toBeCloseTo(p.expected_days_to_next_purchase[i]!, 2);
      }
    }
  });

  it('gives no CLV (NaN) for a repeat buyer without a positive recorded spend, but still the purchase forecast', () => {
    const f = clvFrame([{ x: 2, tx: 30, T: 60, m: 0 }, { x: 2, tx: 30, T: 60, m: NaN }, { x: 0, tx: 0, T: 10, m: 0 }]);
    const q = predictClv(model, f);
    expect(q.predicted_clv[0]).toBeNaN();
    expect(q.predicted_clv[1]).toBeNaN();
    expect(q.expected_purchases[0]).toBeGreaterThan(0);
    expect(q.predicted_clv[2]).toBeCloseTo(conditionalExpectedSpend(GG, 0, 0) * q.expected_purchases[2]!, 9);
    expect(predictClvOne(model, f, 0).explanation).toMatch(/no positive repeat spend/);
  });

  it('explains one customer in a sentence with the numbers it combines', () => {
    const f = clvFrame([{ x: 6, tx: 198, T: 210, m: 84.2 }, { x: 0, tx: 0, T: 40, m: 0 }]);
    const one = predictClvOne(model, f, 0);
    const batch = predictClv(model, f);
    expect(one.expected_purchases).toBe(batch.expected_purchases[0]);
    expect(one.predicted_clv).toBe(batch.predicted_clv[0]);
    expect(one.explanation).toMatch(
      /^7 purchases \(days with a purchase\) in 210 days since the first, last 12 days ago → P\(alive\) 0\.\d\d, \d+\.\d purchases expected in 365 days × \d+\.\d\d per purchase = CLV \d+\.\d\d$/,
    );
    expect(predictClvOne(model, f, 1).explanation).toMatch(/^1 purchase, 40 days ago, no repeat yet → P\(alive\) 1\.00/);
    expect(() => predictClvOne(model, f, 2)).toThrow(RangeError);
  });

  it('reads the numbers from batch predictions of the same frame when given them, with the same answer', () => {
    const f = clvFrame([{ x: 6, tx: 198, T: 210, m: 84.2 }, { x: 0, tx: 0, T: 40, m: 0 }, null, { x: 2, tx: 30, T: 60, m: 0 }]);
    const batch = predictClv(model, f);
    for (let i = 0; i < f.n; i++) expect(predictClvOne(model, f, i, batch)).toEqual(predictClvOne(model, f, i));
    // The numbers do come from the batch: an edited batch value shows in the answer.
    batch.p_alive[0] = 0.123;
    expect(predictClvOne(model, f, 0, batch).explanation).toMatch(/P\(alive\) 0\.12,/);
    // A row the batch has no numbers for (as after a failed prediction) is computed.
    batch.expected_purchases[0] = NaN;
    expect(predictClvOne(model, f, 0, batch)).toEqual(predictClvOne(model, f, 0));
  });

  it('refuses a frame without the clv_* features, naming the column', () => {
    const f = clvFrame([{ x: 1, tx: 1, T: 2, m: 3 }]);
    delete f.numeric.clv_t;
    expect(() => predictClv(model, f)).toThrow(/'clv_t'/);
  });

  it('gives the model set its three columns through clvPredictor', () => {
    const predictor = clvPredictor(model, 'v1');
    const cols = predictor.predict(frame);
    expect(Object.keys(cols).sort()).toEqual(['expected_purchases', 'p_alive', 'predicted_clv']);
    expect(cols.predicted_clv).toEqual(p.predicted_clv);
    for (const i of [0, 5, frame.n - 1]) expect(predictor.explain(frame, i)).toBe(predictClvOne(model, frame, i).explanation);
  });

  it('summary rows keep the frame index and skip customers without purchases', () => {
    const rows = clvSummaryRows(frame);
    expect(rows.length).toBe([...frame.numeric.clv_frequency!].filter((x) => !Number.isNaN(x)).length);
    expect(rows.every((r) => frame.numeric.clv_frequency![r.index] === r.frequency && frame.customerIds[r.index] === r.customerId)).toBe(true);
    const weekly = clvSummaryRows(frame, { timeUnitDays: 7 });
    expect(weekly[5]!.T).toBeCloseTo(rows[5]!.T / 7, 12);
    expect(weekly[5]!.frequency).toBe(rows[5]!.frequency);
  });
});
