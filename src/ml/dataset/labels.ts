import { z } from 'zod';
import { addDays, asOfEnd, latestEventDay, parseAsOf, type AsOf } from '../../features/as-of.js';
import type { FeatureFrame } from '../../features/frame.js';
import type { Db } from '../../store/database.js';
import { DatasetError } from './errors.js';

/**
 * Labels of the purchase and churn models (CONTRACT.md §2), computed in SQL for one cutoff day C.
 *
 * Time: features are "as of C", i.e. built from events with ts < end of C (midnight after C, UTC).
 * The label window is the `horizonDays` calendar days after C: events with
 *   end of C ≤ ts < end of (C + horizon)
 * which is "(end of C, end of C + horizon]" at day resolution. The two boundaries are chosen so that
 * features and labels partition time with no gap and no overlap:
 * - an event at exactly midnight after C is not a feature (features take ts < end of C strictly), so it
 *   belongs to the label window — otherwise it would be seen by neither;
 * - an event at 23:59:59 of the last horizon day counts; one a second later (midnight) belongs to the
 *   next day, by the same rule that makes "as of D" mean "ts < midnight after D".
 */

export const LABEL_TARGETS = ['purchase', 'churn'] as const;
export type LabelTarget = (typeof LABEL_TARGETS)[number];

/** Contract defaults: a month for a purchase (the campaign cycle), a quarter for churn (CONTRACT.md §2). */
export const DEFAULT_HORIZON_DAYS: Readonly<Record<LabelTarget, number>> = { purchase: 30, churn: 90 };
/** "Active" = any event in the 90 days before the cutoff (CONTRACT.md §2); same window as `events_90`. */
export const DEFAULT_ACTIVE_WINDOW_DAYS = 90;

/** Up to ten years: longer horizons leave no history to train on and are surely a typo. */
const Days = z.number().int().positive().max(3650);

export const PurchaseLabelSchema = z.strictObject({
  target: z.literal('purchase'),
  horizonDays: Days.default(DEFAULT_HORIZON_DAYS.purchase),
});
export const ChurnLabelSchema = z.strictObject({
  target: z.literal('churn'),
  horizonDays: Days.default(DEFAULT_HORIZON_DAYS.churn),
  activeWindowDays: Days.default(DEFAULT_ACTIVE_WINDOW_DAYS),
});
/** The label definition, recorded in a model's metadata. Parse `{ target }` alone to get the defaults. */
export const LabelDefinitionSchema = z.discriminatedUnion('target', [PurchaseLabelSchema, ChurnLabelSchema]);
export type LabelDefinition = z.output<typeof LabelDefinitionSchema>;
export type LabelDefinitionInput = z.input<typeof LabelDefinitionSchema>;

/** One sentence saying what a positive label means, for model metadata and reports. */
export function describeLabel(def: LabelDefinition): string {
  const window = `in the ${def.horizonDays} days after the cutoff day (UTC; features use events up to the end of the cutoff day)`;
  return def.target === 'purchase'
    ? `1 if the customer makes at least one purchase ${window}; over every customer known at the cutoff`
    : `1 if the customer has no event of any kind ${window}; over customers with any event in the ${def.activeWindowDays} days up to the end of the cutoff day`;
}

export interface LabelWindow {
  /** First and last calendar day of the horizon. */
  firstDay: AsOf;
  lastDay: AsOf;
  /** Inclusive start and exclusive end, as DuckDB TIMESTAMP text (UTC). */
  start: string;
  end: string;
}

export function labelWindow(cutoff: AsOf, horizonDays: number): LabelWindow {
  const lastDay = addDays(cutoff, horizonDays);
  return { firstDay: addDays(cutoff, 1), lastDay, start: asOfEnd(cutoff), end: asOfEnd(lastDay) };
}

export interface LabelSet {
  /** Rows of the feature frame that are in the label population, ascending. */
  rowIndexes: Int32Array;
  /** 0/1 label per population row (parallel to rowIndexes). */
  labels: Uint8Array;
  positives: number;
}

/** Customers with a purchase in the label window. */
const PURCHASE_POSITIVES_SQL = `
SELECT DISTINCT person_id
FROM events
WHERE type = 'purchase' AND ts >= $t_start::TIMESTAMP AND ts < $t_end::TIMESTAMP`;

/**
 * The churn population (an event in [end of C − active window, end of C)) with its label
 * (1 = no event in the label window). `ts >= end − W days` is the same boundary as the
 * feature `events_90` (age_days <= 90), so population = rows with events_<W> > 0.
 */
const CHURN_LABELS_SQL = `
SELECT person_id,
       CASE WHEN count(*) FILTER (WHERE ts >= $t_start::TIMESTAMP) = 0 THEN 1 ELSE 0 END AS label
FROM events
WHERE ts >= $t_active::TIMESTAMP AND ts < $t_end::TIMESTAMP
GROUP BY person_id
HAVING count(*) FILTER (WHERE ts < $t_start::TIMESTAMP) > 0`;

/**
 * Labels at `cutoff` for the rows of `frame` (which must be the features as of `cutoff`).
 * Person ids are events.person_id: merged persons are already rewritten to their survivors, and the
 * frame holds survivors only, so the two line up.
 */
export async function labelsAt(db: Db, def: LabelDefinition, cutoff: AsOf, frame: FeatureFrame): Promise<LabelSet> {
  parseAsOf(cutoff, 'cutoff');
  const window = labelWindow(cutoff, def.horizonDays);
  const rowOf = new Map<number, number>();
  frame.personIds.forEach((personId, i) => rowOf.set(personId, i));

  if (def.target === 'purchase') {
    // Population: every customer of the frame (known at the cutoff); label 1 when they bought in the window.
    const buyers = await db.all<{ person_id: number }>(PURCHASE_POSITIVES_SQL, { t_start: window.start, t_end: window.end });
    const labels = new Uint8Array(frame.n);
    let positives = 0;
    for (const { person_id } of buyers) {
      const i = rowOf.get(Number(person_id));
      // A buyer unknown at the cutoff (first seen in the window) is not in the population.
      if (i !== undefined) {
        labels[i] = 1;
        positives++;
      }
    }
    return { rowIndexes: Int32Array.from({ length: frame.n }, (_, i) => i), labels, positives };
  }

  const rows = await db.all<{ person_id: number; label: number }>(CHURN_LABELS_SQL, {
    t_active: asOfEnd(addDays(cutoff, -def.activeWindowDays)),
    t_start: window.start,
    t_end: window.end,
  });
  const members: { i: number; label: number }[] = [];
  for (const row of rows) {
    const i = rowOf.get(Number(row.person_id));
    if (i !== undefined) members.push({ i, label: Number(row.label) });
  }
  members.sort((a, b) => a.i - b.i);
  const labels = Uint8Array.from(members, (m) => m.label);
  return {
    rowIndexes: Int32Array.from(members, (m) => m.i),
    labels,
    positives: labels.reduce((sum, v) => sum + v, 0),
  };
}

/**
 * Whether row i of a feature frame is in the label population of `def` at the frame's as-of day: every
 * customer for purchase; for churn, a customer with an event in the active window, i.e.
 * days_since_last_event ≤ activeWindowDays (age ≤ W days ⇔ ts ≥ end of the day − W days, the boundary
 * of CHURN_LABELS_SQL). A model predicts only for its population: a customer inactive for longer has
 * already lapsed by the label's own definition, and the churn model never saw one.
 */
export function inLabelPopulation(def: LabelDefinition, frame: FeatureFrame, i: number): boolean {
  if (def.target === 'purchase') return true;
  const days = frame.numeric.days_since_last_event;
  if (!days) throw new Error('feature frame without days_since_last_event');
  return days[i]! <= def.activeWindowDays;
}

/** Whether the store has data through the last day of the horizon after `cutoff` (latest event day ≥ cutoff + horizon). */
export async function horizonComplete(db: Db, cutoff: AsOf, horizonDays: number): Promise<boolean> {
  const latest = await latestEventDay(db);
  return latest !== undefined && latest >= addDays(cutoff, horizonDays);
}

/**
 * Refuses a label window that is not fully observed: it must end on or before the as-of day (training
 * never sees events after as-of) and on or before the day of the latest stored event (otherwise
 * customers who act later than the data would be labelled as if they had not).
 */
export function checkHorizon(
  target: LabelTarget,
  cutoff: AsOf,
  horizonDays: number,
  latestDay: AsOf,
  asOf: AsOf,
  /** The option the cutoff came from: given as --cutoff, or as-of − horizon. Errors name it. */
  field: 'cutoff' | 'as-of' = 'cutoff',
): void {
  const lastDay = addDays(cutoff, horizonDays);
  const latestCutoff = addDays(asOf < latestDay ? asOf : latestDay, -horizonDays);
  const advice = `Use a cutoff on or before ${latestCutoff}, or a shorter horizon.`;
  if (lastDay > asOf) {
    throw new DatasetError(
      'horizon_incomplete',
      `Cannot train ${target} at cutoff ${cutoff}: its ${horizonDays}-day label window runs ${addDays(cutoff, 1)} to ${lastDay}, ` +
        `past the as-of day ${asOf}, so training would see events after ${asOf}. ${advice}`,
      [{ path: [field], message: `cutoff ${cutoff} + ${horizonDays} days = ${lastDay} is after as-of ${asOf}` }],
    );
  }
  if (lastDay > latestDay) {
    throw new DatasetError(
      'horizon_incomplete',
      `Cannot train ${target} at cutoff ${cutoff}: its ${horizonDays}-day label window runs ${addDays(cutoff, 1)} to ${lastDay}, ` +
        `but the store's latest event is on ${latestDay}, so the labels are incomplete. ${advice} Or ingest data through ${lastDay}.`,
      [{ path: [field], message: `cutoff ${cutoff} + ${horizonDays} days = ${lastDay} is after the latest event day ${latestDay}` }],
    );
  }
}
