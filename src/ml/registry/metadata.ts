import { z } from 'zod';
import { FeatureSpecSchema, type FeatureSpec } from '../../features/schema.js';

/**
 * metadata.json of one registered model version (`models/<target>/<version>/metadata.json`).
 *
 * Written once by ModelRegistry.register (which fills in `files` with the sha256 of every other file in
 * the version directory) and verified by ModelRegistry.open before a model is served.
 */

export const MODEL_TARGETS = ['purchase', 'churn', 'clv'] as const;
export type ModelTarget = (typeof MODEL_TARGETS)[number];
export const ModelTargetSchema = z.enum(MODEL_TARGETS);

/** Targets whose models are classifiers over the feature schema (purchase/churn). */
export const CLASSIFIER_TARGETS: readonly ModelTarget[] = ['purchase', 'churn'];
export const isClassifierTarget = (target: ModelTarget): boolean => CLASSIFIER_TARGETS.includes(target);

/** Kinds the trainers write today; `kind` itself is any non-empty string so new model kinds need no change here. */
export const KNOWN_MODEL_KINDS = ['logistic', 'mlp', 'bg_nbd+gamma_gamma'] as const;

export const METADATA_FILE = 'metadata.json';
export const METADATA_VERSION = 1;

const Day = z.iso.date();
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');
/** A metric value; null when undefined (e.g. AUC with one class only). NaN/Infinity are stored as null. */
const Metric = z.number().nullable();

/** Classification metrics of the model or of the rule baseline (CONTRACT.md §2 `train --json`). */
export const ClassificationMetricsSchema = z.looseObject({
  auc: Metric,
  pr_auc: Metric,
  log_loss: Metric,
  brier: Metric,
  lift_top_decile: Metric,
  base_rate: Metric,
});
export type ClassificationMetrics = z.infer<typeof ClassificationMetricsSchema>;

export const MetricsSchema = z.looseObject({
  /** purchase/churn: the model on the validation cutoff. */
  model: ClassificationMetricsSchema.optional(),
  /** purchase/churn: the rule baseline on the same rows. */
  baseline: ClassificationMetricsSchema.optional(),
  /** clv: fit statistics (log-likelihood, iterations, converged, holdout errors, ...). */
  fit: z.record(z.string(), z.unknown()).optional(),
});

export const LabelSchema = z.looseObject({
  /** The label definition object (e.g. `{ target: 'churn', horizonDays: 90, activeWindowDays: 90 }`). */
  definition: z.record(z.string(), z.unknown()),
  /** One sentence saying what a positive label (or the prediction) means. */
  sentence: z.string().min(1),
});

export const TrainingSchema = z.looseObject({
  /** Cutoff days the training rows were built at. */
  cutoffs: z.array(Day),
  rows: z.number().int().nonnegative(),
  /** Positive labels among the rows; null where it means nothing (clv). */
  positives: z.number().int().nonnegative().nullable(),
  seconds: z.number().nonnegative(),
});

const metadataShape = {
  metadata_version: z.literal(METADATA_VERSION).default(METADATA_VERSION),
  target: ModelTargetSchema,
  version: z.string().min(1),
  created_at: z.iso.datetime({ offset: true }),
  /** Where it was trained: tfjs backend name ('tensorflow' | 'wasm' | 'cpu') or e.g. 'js' for CLV. */
  backend: z.string().min(1),
  kind: z.string().min(1),
  /** The feature schema the model was trained with; required for purchase/churn. */
  feature_schema: z.array(FeatureSpecSchema).optional(),
  label: LabelSchema,
  /** Feature (validation) cutoff day; null when the model has none (clv fits up to as_of). */
  cutoff: Day.nullable(),
  horizon_days: z.number().int().positive(),
  as_of: Day,
  training: TrainingSchema,
  data_fingerprint: z.string().min(1),
  metrics: MetricsSchema,
  beats_baseline: z.boolean(),
  /** Every file of the version directory except metadata.json: relative POSIX path → sha256 (hex). */
  files: z.record(z.string().min(1), Sha256),
  /** Target-specific extras (params, scaler, calibration, thresholds, ...). */
  details: z.record(z.string(), z.unknown()).optional(),
};

function refineMetadata(
  m: { target: ModelTarget; feature_schema?: FeatureSpec[] | undefined; metrics: z.infer<typeof MetricsSchema> },
  ctx: z.RefinementCtx,
): void {
  if (isClassifierTarget(m.target)) {
    if (!m.feature_schema || m.feature_schema.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['feature_schema'], message: `required for a ${m.target} model` });
    }
    if (!m.metrics.model) ctx.addIssue({ code: 'custom', path: ['metrics', 'model'], message: `required for a ${m.target} model` });
    if (!m.metrics.baseline) ctx.addIssue({ code: 'custom', path: ['metrics', 'baseline'], message: `required for a ${m.target} model` });
  } else if (!m.metrics.fit) {
    ctx.addIssue({ code: 'custom', path: ['metrics', 'fit'], message: `required for a ${m.target} model` });
  }
  if (m.feature_schema) {
    const seen = new Set<string>();
    m.feature_schema.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['feature_schema', i, 'name'], message: `duplicate feature '${f.name}'` });
      seen.add(f.name);
    });
  }
}

/** Reading: unknown top-level keys (from a newer writer) are ignored. */
export const ModelMetadataSchema = z.object(metadataShape).superRefine(refineMetadata);
/** Registering: unknown top-level keys are refused (a typo would otherwise vanish); extras belong in `details`. */
export const StrictModelMetadataSchema = z.strictObject(metadataShape).superRefine(refineMetadata);

export type ModelMetadata = z.output<typeof ModelMetadataSchema>;

/**
 * What a trainer passes to register(): the metadata without `target`, `version`, `files` (filled in by the
 * registry) and with `created_at` optional (default: now). NaN/Infinity metric values become null.
 */
export type RegisterMetadataInput = Omit<z.input<typeof ModelMetadataSchema>, 'target' | 'version' | 'files' | 'created_at' | 'metadata_version'> & {
  created_at?: string;
};

// ---------------------------------------------------------------------------------------------------------
// Feature schema comparison

export interface FeatureChange {
  name: string;
  /** The description counts: it is the feature's definition, and it changes when the definition does. */
  field: 'type' | 'window' | 'description';
  expected: unknown;
  actual: unknown;
}

export interface FeatureSchemaDiff {
  /** In the expected schema (the running code) but not in the model. */
  added: string[];
  /** In the model but not in the expected schema. */
  removed: string[];
  /** Same name, different type, window or description (definition). */
  changed: FeatureChange[];
  /** Same features but in another order: the first position that differs, else null. */
  firstReorderedIndex: number | null;
}

/**
 * Compares a model's feature schema (`actual`) with the one the caller will feed it (`expected`):
 * names, order, type, window and description (the definition) must match. Returns null when they match.
 */
export function diffFeatureSchemas(expected: readonly FeatureSpec[], actual: readonly FeatureSpec[]): FeatureSchemaDiff | null {
  const exp = new Map(expected.map((f) => [f.name, f]));
  const act = new Map(actual.map((f) => [f.name, f]));
  const added = expected.filter((f) => !act.has(f.name)).map((f) => f.name);
  const removed = actual.filter((f) => !exp.has(f.name)).map((f) => f.name);
  const changed: FeatureChange[] = [];
  for (const e of expected) {
    const a = act.get(e.name);
    if (!a) continue;
    if (a.type !== e.type) changed.push({ name: e.name, field: 'type', expected: e.type, actual: a.type });
    if (a.window !== e.window) changed.push({ name: e.name, field: 'window', expected: e.window, actual: a.window });
    if (a.description !== e.description) changed.push({ name: e.name, field: 'description', expected: e.description, actual: a.description });
  }
  let firstReorderedIndex: number | null = null;
  if (added.length === 0 && removed.length === 0) {
    const i = expected.findIndex((f, k) => actual[k]?.name !== f.name);
    firstReorderedIndex = i === -1 ? null : i;
  }
  if (added.length === 0 && removed.length === 0 && changed.length === 0 && firstReorderedIndex === null) return null;
  return { added, removed, changed, firstReorderedIndex };
}

/** One line per difference, e.g. "added: tenure_days", "changed: recency_days type days → count". */
export function describeFeatureSchemaDiff(diff: FeatureSchemaDiff, expected: readonly FeatureSpec[], actual: readonly FeatureSpec[]): string[] {
  const lines: string[] = [];
  const names = (list: string[]) => (list.length > 10 ? `${list.slice(0, 10).join(', ')} and ${list.length - 10} more` : list.join(', '));
  if (diff.added.length) lines.push(`added (expected by the code, missing from the model): ${names(diff.added)}`);
  if (diff.removed.length) lines.push(`removed (in the model, no longer computed): ${names(diff.removed)}`);
  for (const c of diff.changed.slice(0, 10)) {
    lines.push(c.field === 'description' ? `changed definition: ${c.name} is now '${String(c.expected)}'` : `changed: ${c.name} ${c.field} ${String(c.actual)} → ${String(c.expected)}`);
  }
  if (diff.changed.length > 10) lines.push(`and ${diff.changed.length - 10} more changed`);
  if (diff.firstReorderedIndex !== null) {
    const i = diff.firstReorderedIndex;
    lines.push(`reordered: position ${i} is '${actual[i]?.name}' in the model but '${expected[i]?.name}' in the code`);
  }
  return lines;
}
