import { describe, expect, it } from 'vitest';
import { experimentReport, ExperimentReportSchema, newcombeInterval, twoProportionPValue, wilsonInterval, type OutcomeRecord } from './experiment.js';

/** n customers (distinct per action and group) of one action, the first `conversions` of them converted. */
const records = (action_id: string, group: 'treatment' | 'control', n: number, conversions: number, value = 0): OutcomeRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    customer: `${action_id}-${group}-${i}`,
    action_id,
    group,
    converted: i < conversions,
    ...(i < conversions && value ? { value } : {}),
  }));

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

  it('counts a customer once per group in the overall row, converted if any of their actions converted', () => {
    const r = (customer: string, action_id: string, group: 'treatment' | 'control', converted: boolean, value?: number): OutcomeRecord => ({
      customer,
      action_id,
      group,
      converted,
      ...(value !== undefined ? { value } : {}),
    });
    const report = experimentReport([
      r('t1', 'a', 'treatment', true, 10),
      r('t1', 'b', 'treatment', false),
      r('t2', 'a', 'treatment', false),
      r('t2', 'b', 'treatment', true, 20),
      r('t3', 'a', 'treatment', false),
      r('t3', 'b', 'treatment', false),
      r('t4', 'a', 'treatment', true, 5),
      r('t4', 'b', 'treatment', true, 7),
      r('c1', 'a', 'control', true, 8),
      r('c1', 'b', 'control', false),
      r('c2', 'a', 'control', false),
      r('c2', 'b', 'control', false),
      r('c3', 'a', 'control', false),
      r('c4', 'b', 'control', false),
    ]);
    // Per action nothing changes: a is 2/4 vs 1/3, b is 2/4 vs 0/3.
    expect(report.actions.map((x) => [x.action_id, x.treatment.n, x.treatment.conversions, x.control.n, x.control.conversions])).toEqual([
      ['a', 4, 2, 3, 1],
      ['b', 4, 2, 3, 0],
    ]);
    // Pooled: treatment t1, t2, t4 of 4 converted (3/4, revenue 10 + 20 + 5 + 7), control c1 of 4 (1/4, revenue 8) —
    // not 4/8 vs 1/6 as counting a customer once per action would give.
    const o = report.overall;
    expect(o.treatment).toMatchObject({ n: 4, conversions: 3, conversion_rate: 0.75, revenue: 42, revenue_per_customer: 10.5 });
    expect(o.control).toMatchObject({ n: 4, conversions: 1, conversion_rate: 0.25, revenue: 8, revenue_per_customer: 2 });
    // Wilson by hand (z² = 3.8415): 3/4 → (1.2302 ± 0.6408) / 1.9604 = (0.3006, 0.9544); 1/4 → (0.0456, 0.6994).
    expect(o.treatment.conversion_rate_ci95!.lower).toBeCloseTo(0.3006, 4);
    expect(o.treatment.conversion_rate_ci95!.upper).toBeCloseTo(0.9544, 4);
    expect(o.control.conversion_rate_ci95!.lower).toBeCloseTo(0.0456, 4);
    expect(o.control.conversion_rate_ci95!.upper).toBeCloseTo(0.6994, 4);
    // Newcombe: 0.5 − √(0.4494² + 0.4494²) = −0.1355, 0.5 + √(0.2044² + 0.2044²) = 0.7891.
    expect(o.uplift).toBeCloseTo(0.5, 12);
    expect(o.uplift_ci95!.lower).toBeCloseTo(-0.1355, 4);
    expect(o.uplift_ci95!.upper).toBeCloseTo(0.7891, 4);
    expect(o.significant).toBe(false);
    // Pooled rate 4/8: z = 0.5 / √(0.25 × (1/4 + 1/4)) = √2, p = 0.1573.
    expect(o.p_value).toBeCloseTo(0.1573, 4);
    expect(o.revenue_uplift_per_customer).toBeCloseTo(8.5, 12);
    expect(o.incremental_conversions).toBeCloseTo(2, 12);
  });
});
