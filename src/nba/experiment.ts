import { z } from 'zod';

/**
 * Uplift of each action against the control group, from outcome records.
 *
 * Per action and group (treatment = customers who got the action; control = held-out customers who
 * would have got it, decide()'s `withheld`): n, conversions, conversion rate with its 95% Wilson score
 * interval, revenue and revenue per customer. Then:
 * - uplift = rate_treatment − rate_control, with the 95% interval of Newcombe's hybrid score method
 *   (Newcombe 1998, "Interval estimation for the difference between independent proportions",
 *   method 10): from the Wilson intervals (l₁, u₁) of the treatment rate p₁ and (l₂, u₂) of the
 *   control rate p₂,
 *     lower = d − √((p₁ − l₁)² + (u₂ − p₂)²),  upper = d + √((u₁ − p₁)² + (p₂ − l₂)²).
 *   Unlike the Wald interval it stays inside [−1, 1] and behaves at rates near 0 or 1 and small n.
 * - relative lift = uplift / rate_control;
 * - p-value of the two-sided pooled two-proportion z test;
 * - revenue uplift per customer = revenue per treated customer − revenue per control customer, and
 *   incremental conversions ≈ uplift × n_treatment.
 * A figure that cannot be computed (a group without records, a zero control rate for the relative
 * lift) is null and a note says why — never NaN.
 */

export const OutcomeRecordSchema = z.object({
  /** Who the record is for (any stable id): the pooled row counts each customer once per group. */
  customer: z.string().min(1),
  action_id: z.string().min(1),
  group: z.enum(['treatment', 'control']),
  converted: z.boolean(),
  /** Revenue of the outcome (e.g. the purchase amount); absent counts as 0. */
  value: z.number().finite().optional(),
});
export type OutcomeRecord = z.infer<typeof OutcomeRecordSchema>;

const Interval = z.object({ lower: z.number(), upper: z.number() });

export const GroupStatsSchema = z.object({
  n: z.number().int().min(0),
  conversions: z.number().int().min(0),
  conversion_rate: z.number().min(0).max(1).nullable(),
  conversion_rate_ci95: Interval.nullable().describe('Wilson score interval'),
  revenue: z.number(),
  revenue_per_customer: z.number().nullable(),
});
export type GroupStats = z.infer<typeof GroupStatsSchema>;

export const ActionExperimentSchema = z.object({
  action_id: z.string().describe('"*" for all actions pooled'),
  treatment: GroupStatsSchema,
  control: GroupStatsSchema,
  uplift: z.number().nullable().describe('conversion rate treatment − control'),
  uplift_ci95: Interval.nullable().describe("Newcombe's hybrid score interval"),
  relative_lift: z.number().nullable().describe('uplift / control rate'),
  p_value: z.number().min(0).max(1).nullable().describe('two-sided pooled two-proportion z test'),
  significant: z.boolean().nullable().describe('the 95% interval of the uplift excludes 0'),
  revenue_uplift_per_customer: z.number().nullable(),
  incremental_conversions: z.number().nullable().describe('uplift × treatment n'),
  notes: z.array(z.string()),
});
export type ActionExperiment = z.infer<typeof ActionExperimentSchema>;

export const ExperimentReportSchema = z.object({
  method: z.string(),
  actions: z.array(ActionExperimentSchema),
  overall: ActionExperimentSchema,
});
export type ExperimentReport = z.infer<typeof ExperimentReportSchema>;

/** z with P(|Z| ≤ z) = 0.95. */
export const Z95 = 1.959963984540054;

/** Wilson score interval of x successes in n trials (null for n = 0). */
export function wilsonInterval(x: number, n: number, z = Z95): { lower: number; upper: number } | null {
  if (!(n > 0)) return null;
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Newcombe's hybrid score interval of p₁ − p₂ (method 10); null when either n is 0. */
export function newcombeInterval(x1: number, n1: number, x2: number, n2: number, z = Z95): { lower: number; upper: number } | null {
  const w1 = wilsonInterval(x1, n1, z);
  const w2 = wilsonInterval(x2, n2, z);
  if (!w1 || !w2) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const d = p1 - p2;
  return {
    lower: d - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
    upper: d + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
  };
}

/** Complementary error function (Numerical Recipes erfcc, fractional error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Two-sided p-value of the pooled two-proportion z test; null when undefined (a group empty, or pooled rate 0 or 1). */
export function twoProportionPValue(x1: number, n1: number, x2: number, n2: number): number | null {
  if (!(n1 > 0 && n2 > 0)) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return null;
  const zStat = (x1 / n1 - x2 / n2) / se;
  return Math.min(1, Math.max(0, erfc(Math.abs(zStat) / Math.SQRT2)));
}

interface Tally {
  n: number;
  conversions: number;
  revenue: number;
}

function groupStats(t: Tally): GroupStats {
  return {
    n: t.n,
    conversions: t.conversions,
    conversion_rate: t.n > 0 ? t.conversions / t.n : null,
    conversion_rate_ci95: wilsonInterval(t.conversions, t.n),
    revenue: t.revenue,
    revenue_per_customer: t.n > 0 ? t.revenue / t.n : null,
  };
}

/** Below this many records in a group the interval is wide; a note says so. */
const SMALL_GROUP = 30;

function compare(actionId: string, tr: Tally, co: Tally): ActionExperiment {
  const treatment = groupStats(tr);
  const control = groupStats(co);
  const notes: string[] = [];
  if (tr.n === 0) notes.push('no treatment records: uplift cannot be measured');
  if (co.n === 0) notes.push('no control records: uplift cannot be measured (is the control group share 0?)');
  const both = tr.n > 0 && co.n > 0;
  const uplift = both ? treatment.conversion_rate! - control.conversion_rate! : null;
  const ci = newcombeInterval(tr.conversions, tr.n, co.conversions, co.n);
  let relative: number | null = null;
  if (both) {
    if (control.conversion_rate! > 0) relative = uplift! / control.conversion_rate!;
    else notes.push('control conversion rate is 0: relative lift undefined');
  }
  const pValue = twoProportionPValue(tr.conversions, tr.n, co.conversions, co.n);
  if (both && pValue === null) notes.push(`every record ${tr.conversions === 0 ? 'did not convert' : 'converted'} in both groups: no z test`);
  if (both && Math.min(tr.n, co.n) < SMALL_GROUP) notes.push(`fewer than ${SMALL_GROUP} records in a group: the interval is wide, judge with care`);
  const significant = ci ? ci.lower > 0 || ci.upper < 0 : null;
  return {
    action_id: actionId,
    treatment,
    control,
    uplift,
    uplift_ci95: ci,
    relative_lift: relative,
    p_value: pValue,
    significant,
    revenue_uplift_per_customer: both ? treatment.revenue_per_customer! - control.revenue_per_customer! : null,
    incremental_conversions: uplift !== null ? uplift * tr.n : null,
    notes,
  };
}

export const EXPERIMENT_METHOD =
  'conversion rates with 95% Wilson score intervals; uplift = treatment − control with the 95% hybrid score interval of Newcombe (1998, method 10); ' +
  'relative lift = uplift / control rate; p-value of the two-sided pooled two-proportion z test; revenue per customer = Σ value / n; ' +
  'n counts customers (the unit the control group is drawn for): a customer shown an action several times counts once, converted if any showing converted; ' +
  'in the overall row (action "*") a customer shown several actions counts once, converted if any of them converted';

const emptyTally = (): Tally => ({ n: 0, conversions: 0, revenue: 0 });

/**
 * Per-action (sorted by id) and pooled comparison of treatment and control. A record is one
 * customer's units of one action in one group. The pooled row counts a customer once per group, as
 * n counts customers: converted if any of their records converted, their revenue summed — counting
 * them once per action would weigh a customer shown three actions as three independent trials.
 */
export function experimentReport(records: Iterable<OutcomeRecord>): ExperimentReport {
  const per = new Map<string, { treatment: Tally; control: Tally }>();
  const customers = { treatment: new Map<string, { converted: boolean; revenue: number }>(), control: new Map<string, { converted: boolean; revenue: number }>() };
  for (const r of records) {
    let cell = per.get(r.action_id);
    if (!cell) per.set(r.action_id, (cell = { treatment: emptyTally(), control: emptyTally() }));
    const value = typeof r.value === 'number' && Number.isFinite(r.value) ? r.value : 0;
    const t = cell[r.group];
    t.n++;
    if (r.converted) t.conversions++;
    t.revenue += value;
    const c = customers[r.group].get(r.customer);
    if (c) {
      c.converted ||= r.converted;
      c.revenue += value;
    } else customers[r.group].set(r.customer, { converted: r.converted, revenue: value });
  }
  const pooled = (group: Map<string, { converted: boolean; revenue: number }>): Tally => {
    const t = emptyTally();
    for (const c of group.values()) {
      t.n++;
      if (c.converted) t.conversions++;
      t.revenue += c.revenue;
    }
    return t;
  };
  const ids = [...per.keys()].sort();
  return {
    method: EXPERIMENT_METHOD,
    actions: ids.map((id) => compare(id, per.get(id)!.treatment, per.get(id)!.control)),
    overall: compare('*', pooled(customers.treatment), pooled(customers.control)),
  };
}
