import { describe, expect, it } from 'vitest';
import { experimentReport, ExperimentReportSchema, newcombeInterval, twoProportionPValue, wilsonInterval, type OutcomeRecord } from './experiment.js';

const records = (action_id: string, group: 'treatment' | 'control', n: number, conversions: number, value = 0): OutcomeRecord[] =>
  Array.from({ length: n }, (_, i) => ({ action_id, group, converted: i < conversions, ...(i < conversions && value ? { value } : {}) }));

describe('intervals', () => {
  it("reproduces Newcombe's (1998) published hybrid score intervals (Table II, method 10)", () => {
    // (p1 − p2): published lower, upper
    const cases: [number, number, number, number, number, number][] = [
      [56, 70, 48, 80, 0.0524, 0.3339],
      [9, 10, 3, 10, 0.1705, 0.809],
      [6, 7, 2, 7, 0.0582, 0.8062],
      [5, 56, 0, 29, -0.0381, 0.1926],
      [0, 10, 0, 20, -0.1611, 0.2775],
      [10, 10, 0, 20, 0.6791, 1.0],
    ];
    for (const [x1, n1, x2, n2, lo, hi] of cases) {
      const ci = newcombeInterval(x1, n1, x2, n2)!;
      expect(ci.lower, `${x1}/${n1} − ${x2}/${n2}`).toBeCloseTo(lo, 4);
      expect(ci.upper, `${x1}/${n1} − ${x2}/${n2}`).toBeCloseTo(hi, 4);
    }
  });

  it('Wilson interval by hand: 56/70 → centre (0.8 + z²/140)/(1 + z²/70) ± …', () => {
    const z2 = 1.959963984540054 ** 2;
    const centre = (0.8 + z2 / 140) / (1 + z2 / 70);
    const half = (1.959963984540054 / (1 + z2 / 70)) * Math.sqrt((0.8 * 0.2) / 70 + z2 / (4 * 70 * 70));
    const w = wilsonInterval(56, 70)!;
    expect(w.lower).toBeCloseTo(centre - half, 12);
    expect(w.upper).toBeCloseTo(centre + half, 12);
    expect(w.lower).toBeCloseTo(0.6918, 4);
    expect(w.upper).toBeCloseTo(0.877, 4);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('pooled two-proportion z test: 56/70 vs 48/80 → z = 2.650, p = 0.00805', () => {
    expect(twoProportionPValue(56, 70, 48, 80)).toBeCloseTo(0.008045, 5);
    expect(twoProportionPValue(0, 10, 0, 10)).toBeNull();
    expect(twoProportionPValue(1, 10, 0, 0)).toBeNull();
  });
});

describe('experimentReport', () => {
  it('computes rates, uplift with its interval, relative lift and revenue per customer for each action', () => {
    const report = experimentReport([...records('winback', 'treatment', 70, 56, 100), ...records('winback', 'control', 80, 48, 100)]);
    const w = report.actions[0]!;
    expect(w.action_id).toBe('winback');
    expect(w.treatment).toMatchObject({ n: 70, conversions: 56, conversion_rate: 0.8, revenue: 5600, revenue_per_customer: 80 });
    expect(w.control).toMatchObject({ n: 80, conversions: 48, conversion_rate: 0.6, revenue: 4800, revenue_per_customer: 60 });
    expect(w.uplift).toBeCloseTo(0.2, 12);
    expect(w.uplift_ci95!.lower).toBeCloseTo(0.0524, 4);
    expect(w.uplift_ci95!.upper).toBeCloseTo(0.3339, 4);
    expect(w.relative_lift).toBeCloseTo(0.2 / 0.6, 12);
    expect(w.revenue_uplift_per_customer).toBeCloseTo(20, 12);
    expect(w.incremental_conversions).toBeCloseTo(14, 9);
    expect(w.significant).toBe(true);
    expect(w.notes).toEqual([]);
    expect(() => ExperimentReportSchema.parse(report)).not.toThrow();
  });

  it('handles zero counts with nulls and notes, never NaN', () => {
    const report = experimentReport([
      ...records('no_control', 'treatment', 10, 2),
      ...records('zero_control', 'treatment', 40, 4),
      ...records('zero_control', 'control', 40, 0),
      ...records('nothing_converts', 'treatment', 40, 0),
      ...records('nothing_converts', 'control', 40, 0),
    ]);
    const by = Object.fromEntries(report.actions.map((a) => [a.action_id, a]));
    expect(by.no_control!.control).toMatchObject({ n: 0, conversion_rate: null, conversion_rate_ci95: null, revenue_per_customer: null });
    expect(by.no_control).toMatchObject({ uplift: null, uplift_ci95: null, relative_lift: null, p_value: null, significant: null, revenue_uplift_per_customer: null });
    expect(by.no_control!.notes.join(' ')).toMatch(/no control records/);
    expect(by.zero_control!.uplift).toBeCloseTo(0.1, 12);
    expect(by.zero_control!.relative_lift).toBeNull();
    expect(by.zero_control!.notes.join(' ')).toMatch(/control conversion rate is 0/);
    expect(by.nothing_converts!.uplift).toBe(0);
    expect(by.nothing_converts!.p_value).toBeNull();
    expect(by.nothing_converts!.significant).toBe(false);
    const json = JSON.stringify(report);
    expect(json).not.toMatch(/NaN|Infinity/);
    expect(report.actions.flatMap((a) => [a.uplift, a.relative_lift, a.p_value]).some((x) => typeof x === 'number' && Number.isNaN(x))).toBe(false);
    expect(experimentReport([]).overall.notes.join(' ')).toMatch(/no treatment records/);
  });

  it('pools all actions in the overall row and flags small groups', () => {
    const report = experimentReport([...records('a', 'treatment', 10, 5), ...records('a', 'control', 10, 2), ...records('b', 'treatment', 10, 1)]);
    expect(report.overall).toMatchObject({ action_id: '*', treatment: { n: 20, conversions: 6 }, control: { n: 10, conversions: 2 } });
    expect(report.actions[0]!.notes.join(' ')).toMatch(/fewer than 30/);
  });
});
