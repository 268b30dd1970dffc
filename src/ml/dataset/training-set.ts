import { createHash } from 'node:crypto';
import { z } from 'zod';
import { asOfEnd, type AsOf } from '../../features/as-of.js';
import { buildFeatures } from '../../features/build.js';
import type { FeatureFrame } from '../../features/frame.js';
import { NUMERIC_FEATURES } from '../../features/schema.js';
import type { Db } from '../../store/database.js';
import { CutoffOptionsSchema, resolveCutoffs } from './cutoffs.js';
import { DatasetError, parseOptions } from './errors.js';
import { describeLabel, LabelDefinitionSchema, labelsAt, type LabelDefinition } from './labels.js';

/**
 * Leak-free training sets for the purchase and churn models: one snapshot per rolling cutoff
 * (cutoffs.ts), features as of the cutoff (features/build.ts, events strictly before the end of the
 * cutoff day) and labels from the horizon after it (labels.ts). The training rows are the earlier
 * cutoffs stacked; validation is the latest cutoff alone.
 */

export const TrainingSetOptionsSchema = CutoffOptionsSchema.extend({ def: LabelDefinitionSchema });
export type TrainingSetOptions = z.input<typeof TrainingSetOptionsSchema>;

export interface TrainMatrix {
  /** Row-major n × featureNames.length; NaN where a feature is empty. */
  X: Float32Array;
  y: Uint8Array;
  n: number;
  /** Cutoffs the rows come from, oldest first. */
  cutoffs: AsOf[];
  /** Index into `cutoffs` of each row (e.g. for per-cutoff diagnostics). */
  rowCutoff: Uint16Array;
}

export interface ValidationMatrix {
  X: Float32Array;
  y: Uint8Array;
  n: number;
  cutoff: AsOf;
  personIds: number[];
  customerIds: string[];
}

const Day = z.string();
export const CutoffCountSchema = z.object({
  cutoff: Day,
  role: z.enum(['train', 'validation']),
  /** Customers in the feature frame at the cutoff. */
  customers: z.number().int(),
  /** Of those, in the label population. */
  population: z.number().int(),
  positives: z.number().int(),
  /** positives / population; null when the population is empty. */
  baseRate: z.number().nullable(),
});
export type CutoffCount = z.infer<typeof CutoffCountSchema>;

export const DataSummarySchema = z.object({
  /** Events with ts before the end of this day were summarised (the last label day). */
  untilDay: Day,
  events: z.number().int(),
  purchases: z.number().int(),
  persons: z.number().int(),
  firstTs: z.string().nullable(),
  lastTs: z.string().nullable(),
  /** Exact sums as decimal text (so the fingerprint does not depend on floating-point summation order). */
  amountSum: z.string(),
  tsSumMs: z.string(),
  profiles: z.number().int(),
  signupSumMs: z.string(),
});
export type DataSummary = z.infer<typeof DataSummarySchema>;

/** What a model records about its training data (JSON-safe). */
export const TrainingSetMetaSchema = z.object({
  def: LabelDefinitionSchema,
  label: z.string(),
  asOf: Day,
  cutoffs: z.object({ training: z.array(Day), validation: Day, skipped: z.array(Day), step: z.number().int() }),
  lastLabelDay: Day,
  counts: z.array(CutoffCountSchema),
  baseRates: z.object({ train: z.number(), validation: z.number() }),
  dataFingerprint: z.string(),
  dataSummary: DataSummarySchema,
});
export type TrainingSetMeta = z.infer<typeof TrainingSetMetaSchema>;

export interface TrainingSet {
  featureNames: string[];
  train: TrainMatrix;
  validation: ValidationMatrix;
  meta: TrainingSetMeta;
}

export interface TrainingSetHooks {
  /** Called after each cutoff's snapshot is built (for progress output). */
  onCutoff?: (count: CutoffCount) => void;
}

/**
 * The model input matrix for a feature frame: row-major, columns in `featureNames` order, NaN for empty.
 * Training and serving both build X with this function, so the column order cannot drift between them.
 * `rows` selects (and orders) frame rows; default all.
 */
export function scoringMatrix(frame: FeatureFrame, featureNames: readonly string[], rows?: ArrayLike<number>): Float32Array {
  const d = featureNames.length;
  const n = rows ? rows.length : frame.n;
  const columns = featureNames.map((name, j) => {
    const column = frame.numeric[name];
    if (!column) {
      throw new DatasetError('unknown_feature', `The feature '${name}' is not a numeric column of the feature frame; the model was built for another feature schema.`, [
        { path: ['featureNames', j], message: 'unknown numeric feature' },
      ]);
    }
    return column;
  });
  const X = new Float32Array(n * d);
  // Row by row, writing X in order (a service builds this in blocks of rows between requests).
  for (let r = 0; r < n; r++) {
    const source = rows ? rows[r]! : r;
    const at = r * d;
    for (let j = 0; j < d; j++) X[at + j] = columns[j]![source]!;
  }
  return X;
}

interface Snapshot {
  X: Float32Array;
  y: Uint8Array;
  n: number;
  frame: FeatureFrame;
  rowIndexes: Int32Array;
  count: CutoffCount;
}

async function snapshot(db: Db, def: LabelDefinition, cutoff: AsOf, role: CutoffCount['role'], featureNames: readonly string[]): Promise<Snapshot> {
  const frame = await buildFeatures(db, cutoff);
  const { rowIndexes, labels, positives } = await labelsAt(db, def, cutoff, frame);
  const n = rowIndexes.length;
  return {
    X: scoringMatrix(frame, featureNames, rowIndexes),
    y: labels,
    n,
    frame,
    rowIndexes,
    count: { cutoff, role, customers: frame.n, population: n, positives, baseRate: n > 0 ? positives / n : null },
  };
}

export async function buildTrainingSet(db: Db, input: TrainingSetOptions, hooks: TrainingSetHooks = {}): Promise<TrainingSet> {
  const { def, ...cutoffOptions } = parseOptions(TrainingSetOptionsSchema, input, 'training set options');
  const plan = await resolveCutoffs(db, def, cutoffOptions);
  const featureNames = [...NUMERIC_FEATURES];
  const d = featureNames.length;

  const parts: Snapshot[] = [];
  for (const cutoff of plan.training) {
    const part = await snapshot(db, def, cutoff, 'train', featureNames);
    hooks.onCutoff?.(part.count);
    parts.push(part);
  }
  const valid = await snapshot(db, def, plan.validation, 'validation', featureNames);
  hooks.onCutoff?.(valid.count);

  const n = parts.reduce((sum, p) => sum + p.n, 0);
  if (n === 0) {
    throw new DatasetError(
      'empty_population',
      `No ${def.target} training rows: the label population is empty at every training cutoff (${plan.training.join(', ')}).`,
    );
  }
  if (valid.n === 0) {
    throw new DatasetError('empty_population', `No ${def.target} validation rows: the label population is empty at the validation cutoff ${plan.validation}.`);
  }
  const X = new Float32Array(n * d);
  const y = new Uint8Array(n);
  const rowCutoff = new Uint16Array(n);
  let offset = 0;
  parts.forEach((p, k) => {
    X.set(p.X, offset * d);
    y.set(p.y, offset);
    rowCutoff.fill(k, offset, offset + p.n);
    offset += p.n;
  });

  const { fingerprint, summary } = await dataFingerprint(db, plan.lastLabelDay);
  const positives = parts.reduce((sum, p) => sum + p.count.positives, 0);
  return {
    featureNames,
    train: { X, y, n, cutoffs: plan.training, rowCutoff },
    validation: {
      X: valid.X,
      y: valid.y,
      n: valid.n,
      cutoff: plan.validation,
      personIds: Array.from(valid.rowIndexes, (i) => valid.frame.personIds[i]!),
      customerIds: Array.from(valid.rowIndexes, (i) => valid.frame.customerIds[i]!),
    },
    meta: {
      def,
      label: describeLabel(def),
      asOf: plan.asOf,
      cutoffs: { training: plan.training, validation: plan.validation, skipped: plan.skipped, step: plan.step },
      lastLabelDay: plan.lastLabelDay,
      counts: [...parts.map((p) => p.count), valid.count],
      baseRates: { train: positives / n, validation: valid.count.positives / valid.n },
      dataFingerprint: fingerprint,
      dataSummary: summary,
    },
  };
}

const EVENT_SUMMARY_SQL = `
SELECT count(*) AS events,
       count(*) FILTER (WHERE type = 'purchase') AS purchases,
       count(DISTINCT person_id) AS persons,
       CAST(min(ts) AS VARCHAR) AS first_ts,
       CAST(max(ts) AS VARCHAR) AS last_ts,
       CAST(coalesce(sum(CAST(amount AS DECIMAL(38, 6))), 0) AS VARCHAR) AS amount_sum,
       CAST(coalesce(sum(CAST(epoch_ms(ts) AS HUGEINT)), 0) AS VARCHAR) AS ts_sum_ms
FROM events WHERE ts < $t_end::TIMESTAMP`;

const PROFILE_SUMMARY_SQL = `
SELECT count(*) AS profiles,
       CAST(coalesce(sum(CAST(epoch_ms(signup_ts) AS HUGEINT)), 0) AS VARCHAR) AS signup_sum_ms
FROM customers WHERE signup_ts IS NULL OR signup_ts < $t_end::TIMESTAMP`;

/**
 * A short hash of the data a training run saw: events (and customer profiles) before the end of
 * `untilDay` — the last label day, the latest moment any training or validation row looks at.
 * It changes when such data is added, removed or edited in count, timing, amount or persons,
 * and stays the same when only later data arrives. Exact sums keep it deterministic.
 */
export async function dataFingerprint(db: Db, untilDay: AsOf): Promise<{ fingerprint: string; summary: DataSummary }> {
  const params = { t_end: asOfEnd(untilDay) };
  const ev = (await db.one<Record<string, unknown>>(EVENT_SUMMARY_SQL, params))!;
  const pr = (await db.one<Record<string, unknown>>(PROFILE_SUMMARY_SQL, params))!;
  const summary: DataSummary = {
    untilDay,
    events: Number(ev.events),
    purchases: Number(ev.purchases),
    persons: Number(ev.persons),
    firstTs: (ev.first_ts as string | null) ?? null,
    lastTs: (ev.last_ts as string | null) ?? null,
    amountSum: String(ev.amount_sum),
    tsSumMs: String(ev.ts_sum_ms),
    profiles: Number(pr.profiles),
    signupSumMs: String(pr.signup_sum_ms),
  };
  const fingerprint = createHash('sha256').update(JSON.stringify({ v: 1, ...summary })).digest('hex').slice(0, 16);
  return { fingerprint, summary };
}
