import { z } from 'zod';
import { ValidationError } from '../../domain/errors.js';
import { addDays, latestEventDay, parseAsOf, type AsOf } from '../../features/as-of.js';
import type { Db } from '../../store/database.js';
import { DatasetError, parseOptions } from './errors.js';
import { checkHorizon, type LabelDefinition } from './labels.js';

/**
 * Rolling cutoffs for training and validation.
 *
 * - as-of: `--as-of`, default the day of the latest stored event.
 * - validation cutoff V: `--cutoff`, default as-of − horizon (CONTRACT.md §2), so its label window ends
 *   on the as-of day. Validation is always this latest cutoff — an out-of-time holdout, never a random
 *   split of the same dates (which would put one customer's near-identical rows on both sides).
 * - training cutoffs: t_i = V − i·step for i = 1..k, oldest first; those before the data starts are skipped.
 *
 * INVARIANT: every training label window ends on or before V, i.e. t_i + horizon ≤ V for all i.
 * It holds because step ≥ horizon (enforced below, and asserted per cutoff). So everything the training
 * rows saw — features and labels — was known at the end of V, exactly like a model trained on day V
 * and then judged on V's customers; validation metrics are therefore honest, not inflated by training
 * labels that overlap the validation period. step ≥ horizon also keeps consecutive training windows of
 * one customer disjoint.
 */

const DaySchema = z.string().refine(
  (value) => {
    try {
      parseAsOf(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a date YYYY-MM-DD' },
);

export const CutoffOptionsSchema = z.strictObject({
  /** Use only events up to the end of this day; default the latest event day. */
  asOf: DaySchema.optional(),
  /** The validation cutoff (features as of its end); default as-of − horizon. */
  cutoff: DaySchema.optional(),
  /**
   * Earlier cutoffs to train on. 4: roughly 4× the rows of one snapshot and several seasons of behaviour
   * (4 months of purchase labels, a year of churn labels at the default horizons) without reaching so
   * far back that old behaviour dominates; feature-building cost grows linearly with it.
   */
  trainingCutoffs: z.number().int().min(1).max(100).default(4),
  /** Days between cutoffs; default = the horizon (the smallest step the invariant allows, so the most recent data). */
  step: z.number().int().positive().max(3650).optional(),
});
export type CutoffOptions = z.output<typeof CutoffOptionsSchema>;
export type CutoffOptionsInput = z.input<typeof CutoffOptionsSchema>;

/** First and last day with an event in the store. */
export interface DataSpan {
  firstEventDay: AsOf;
  latestEventDay: AsOf;
}

export interface CutoffPlan {
  horizonDays: number;
  step: number;
  asOf: AsOf;
  /** The validation cutoff, the latest one. */
  validation: AsOf;
  /** Training cutoffs, oldest first; all earlier than `validation`. */
  training: AsOf[];
  /** Candidate training cutoffs dropped because they fall before the data starts, oldest first. */
  skipped: AsOf[];
  /** The last day any label looks at: validation + horizon (≤ as-of). */
  lastLabelDay: AsOf;
  span: DataSpan;
}

/** The days of the first and the latest stored event (the latest never after today: latestEventDay). */
export async function dataSpan(db: Db): Promise<DataSpan | undefined> {
  const row = await db.one<{ first: string | null }>("SELECT strftime(min(ts), '%Y-%m-%d') AS first FROM events");
  const last = await latestEventDay(db);
  return row?.first && last ? { firstEventDay: row.first, latestEventDay: last } : undefined;
}

/** Plans the cutoffs for a label definition over the stored data span (pure; see the invariant above). */
export function planCutoffs(def: LabelDefinition, input: CutoffOptionsInput, span: DataSpan): CutoffPlan {
  const options = parseOptions(CutoffOptionsSchema, input, 'cutoff options');
  const horizon = def.horizonDays;
  const step = options.step ?? horizon;
  if (step < horizon) {
    throw new ValidationError(
      `step (${step} days) must be at least the ${def.target} horizon (${horizon} days): with a shorter step the label window ` +
        'of a training cutoff would reach past the validation cutoff, and validation would no longer be out of time.',
      [{ path: ['step'], message: `must be ≥ horizon (${horizon})` }],
    );
  }
  const asOf = options.asOf ?? span.latestEventDay;
  const validation = options.cutoff ?? addDays(asOf, -horizon);
  // An error names the option the user gave: --cutoff, or --as-of when the cutoff is as-of − horizon.
  const field = options.cutoff === undefined ? 'as-of' : 'cutoff';
  const derived = options.cutoff === undefined ? ` (as-of ${asOf} − ${horizon} days)` : '';
  checkHorizon(def.target, validation, horizon, span.latestEventDay, asOf, field);
  if (validation < span.firstEventDay) {
    throw new DatasetError(
      'insufficient_history',
      `Cannot train ${def.target} at cutoff ${validation}${derived}: the data starts on ${span.firstEventDay}, after the cutoff.`,
      [{ path: [field], message: `cutoff ${validation}${derived} is before the first event day ${span.firstEventDay}` }],
    );
  }

  const training: AsOf[] = [];
  const skipped: AsOf[] = [];
  for (let i = 1; i <= options.trainingCutoffs; i++) {
    const t = addDays(validation, -i * step);
    // The invariant, checked per cutoff rather than trusted to the arithmetic.
    if (addDays(t, horizon) > validation) throw new Error(`internal: training cutoff ${t} + ${horizon} days passes validation cutoff ${validation}`);
    (t < span.firstEventDay ? skipped : training).push(t);
  }
  if (training.length === 0) {
    throw new DatasetError(
      'insufficient_history',
      `Not enough history to train ${def.target}: the latest training cutoff would be ${addDays(validation, -step)} ` +
        `(validation cutoff ${validation} − ${step} days), before the data starts on ${span.firstEventDay}. ` +
        `Need events from ${addDays(validation, -step)} or earlier, or a shorter horizon/step.`,
      [{ path: ['trainingCutoffs'], message: 'every training cutoff is before the first event day' }],
    );
  }
  training.reverse();
  skipped.reverse();
  return { horizonDays: horizon, step, asOf, validation, training, skipped, lastLabelDay: addDays(validation, horizon), span };
}

/** Plans the cutoffs against the store's data span. */
export async function resolveCutoffs(db: Db, def: LabelDefinition, options: CutoffOptionsInput): Promise<CutoffPlan> {
  const span = await dataSpan(db);
  if (!span) throw new DatasetError('no_data', `Cannot train ${def.target}: the store holds no events. Ingest events first.`);
  return planCutoffs(def, options, span);
}
