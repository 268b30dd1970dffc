import { z } from 'zod';
import { DomainError, type Issue } from '../../domain/errors.js';
import type { BinaryReport } from '../metrics.js';

/**
 * What the evaluation report of one purchase/churn model version is drawn from: the validation metrics and
 * curves of the model and of the rule baseline on the same rows, plus the facts a data scientist needs to decide
 * whether to promote the version. The training code fills it (buildEvaluation turns metrics.ts BinaryReports
 * into the model/baseline parts); renderReport (html.ts) validates it with EvaluationSchema and draws it.
 *
 * Metric values are null where undefined (e.g. AUC with one class only, log loss of a baseline whose score is
 * not a probability); the report shows them as "—". NaN/Infinity are refused here: buildEvaluation maps them to
 * null, as the registry does.
 */

export const REPORT_FILE = 'report.html';

const unit = z.number().min(0).max(1);
const count = z.number().int().nonnegative();
const day = z.iso.date();

/** The metrics the report shows, in order, with how to read and print them. */
export const METRIC_KEYS = ['auc', 'pr_auc', 'lift_top_decile', 'brier', 'log_loss', 'ece', 'base_rate'] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

export interface MetricInfo {
  key: MetricKey;
  label: string;
  /** true: higher is better; false: lower is better; null: descriptive only (base rate). */
  higherIsBetter: boolean | null;
  /** Decimals shown (differences use the same). */
  decimals: number;
  /** Printed after the value, e.g. "×" for lift. */
  suffix: string;
  help: string;
}

export const METRICS: Readonly<Record<MetricKey, MetricInfo>> = {
  auc: {
    key: 'auc',
    label: 'ROC AUC',
    higherIsBetter: true,
    decimals: 3,
    suffix: '',
    help: 'chance a random positive is ranked above a random negative (0.5 = coin flip)',
  },
  pr_auc: {
    key: 'pr_auc',
    label: 'PR AUC',
    higherIsBetter: true,
    decimals: 3,
    suffix: '',
    help: 'average precision; a random ranking scores the base rate',
  },
  lift_top_decile: {
    key: 'lift_top_decile',
    label: 'Top-decile lift',
    higherIsBetter: true,
    decimals: 2,
    suffix: '×',
    help: 'positive rate in the top 10% by score ÷ overall positive rate',
  },
  brier: {
    key: 'brier',
    label: 'Brier score',
    higherIsBetter: false,
    decimals: 4,
    suffix: '',
    help: 'mean squared error of the probabilities',
  },
  log_loss: {
    key: 'log_loss',
    label: 'Log loss',
    higherIsBetter: false,
    decimals: 4,
    suffix: '',
    help: 'mean negative log-likelihood of the probabilities',
  },
  ece: {
    key: 'ece',
    label: 'ECE',
    higherIsBetter: false,
    decimals: 4,
    suffix: '',
    help: 'expected calibration error: row-weighted |observed − predicted| over the calibration bins',
  },
  base_rate: {
    key: 'base_rate',
    label: 'Base rate',
    higherIsBetter: null,
    decimals: 4,
    suffix: '',
    help: 'share of positive labels on the validation rows',
  },
};

export const MetricsSchema = z.object({
  auc: unit.nullable(),
  pr_auc: unit.nullable(),
  log_loss: z.number().nonnegative().nullable(),
  brier: unit.nullable(),
  lift_top_decile: z.number().nonnegative().nullable(),
  base_rate: unit.nullable(),
  ece: unit.nullable(),
});
export type EvaluationMetrics = z.output<typeof MetricsSchema>;

export const RocPointSchema = z.object({ fpr: unit, tpr: unit });
export const GainsPointSchema = z.object({
  /** Share of rows targeted, highest scores first. */
  share: unit,
  /** Share of all positives among them. */
  captured: unit,
});

export const CalibrationRowSchema = z
  .object({
    /** Bin edges [lower, upper] of predicted probability. */
    bin: z.tuple([unit, unit]),
    count,
    /** Mean predicted probability in the bin; null when the bin is empty. */
    mean_predicted: unit.nullable(),
    /** Observed positive rate in the bin; null when the bin is empty. */
    observed_rate: unit.nullable(),
  })
  .superRefine((row, ctx) => {
    if (row.bin[0] > row.bin[1]) ctx.addIssue({ code: 'custom', path: ['bin'], message: `lower edge ${row.bin[0]} is above upper edge ${row.bin[1]}` });
  });
export type CalibrationRow = z.output<typeof CalibrationRowSchema>;

const sideShape = {
  metrics: MetricsSchema,
  /** ROC curve on the validation rows, from (0, 0) to (1, 1). */
  roc: z.array(RocPointSchema),
  /** Cumulative gains curve, from (0, 0) to (1, 1). */
  gains: z.array(GainsPointSchema),
  calibration: z.array(CalibrationRowSchema),
};

export const MODEL_KINDS = ['logistic', 'mlp'] as const;
export const ModelKindSchema = z.enum(MODEL_KINDS);

export const CandidateSchema = z.object({
  kind: ModelKindSchema,
  /** Validation AUC / log loss of the candidate (before the winner's calibration, as the trainer compared them). */
  auc: unit.nullable(),
  log_loss: z.number().nonnegative().nullable(),
  chosen: z.boolean(),
  /** Optional short description of the candidate's settings, e.g. "hidden [32, 16], l2 1e-4". */
  params: z.string().optional(),
});
export type Candidate = z.output<typeof CandidateSchema>;

export const FeatureImportanceSchema = z.object({
  feature: z.string().min(1),
  /** Permutation importance: drop in validation AUC when the feature is shuffled (may be slightly negative). */
  importance: z.number().finite(),
  /** Standard deviation of the drop over the repeats. */
  std: z.number().nonnegative().optional(),
  description: z.string().optional(),
});
export type FeatureImportanceRow = z.output<typeof FeatureImportanceSchema>;

/** The calibrators of calibration.ts call "no calibration" 'identity'; both spellings are accepted. */
const CalibrationMethodSchema = z.enum(['platt', 'isotonic', 'none', 'identity']).transform((m) => (m === 'identity' ? 'none' : m));

export const EvaluationSchema = z
  .object({
    target: z.enum(['purchase', 'churn']),
    version: z.string().min(1),
    created_at: z.iso.datetime({ offset: true }),
    /** tfjs backend the model was trained on ('tensorflow' | 'wasm' | 'cpu'). */
    backend: z.string().min(1),
    /** One sentence defining a positive label. */
    label: z.string().min(1),
    /** Feature (validation) cutoff day. */
    cutoff: day,
    horizon_days: z.number().int().positive(),
    as_of: day.optional(),
    validation: z.object({ n: count, positives: count, base_rate: unit.nullable() }),
    model: z.object({ kind: ModelKindSchema, ...sideShape }),
    baseline: z.object({
      name: z.string().min(1),
      /** What the rule scores, in a sentence. */
      description: z.string(),
      ...sideShape,
    }),
    candidates: z.array(CandidateSchema).optional(),
    /** How the trainer picks among candidates, in a sentence (e.g. "lowest validation log loss"). */
    selection: z.string().optional(),
    calibration_method: CalibrationMethodSchema,
    /** Why that calibration method (chooseCalibration's reason). */
    calibration_reason: z.string().optional(),
    feature_importance: z.array(FeatureImportanceSchema),
    training: z.object({
      cutoffs: z.array(day),
      rows: count,
      positives: count,
      seconds: z.number().nonnegative(),
    }),
    data_fingerprint: z.string().min(1),
    /**
     * The trainer's decision (metadata.json `beats_baseline`), when it has made one; otherwise the report decides
     * by validation AUC: the model must be strictly above the baseline.
     */
    beats_baseline: z.boolean().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.validation.positives > e.validation.n) {
      ctx.addIssue({ code: 'custom', path: ['validation', 'positives'], message: `${e.validation.positives} positives among ${e.validation.n} rows` });
    }
    if (e.training.positives > e.training.rows) {
      ctx.addIssue({ code: 'custom', path: ['training', 'positives'], message: `${e.training.positives} positives among ${e.training.rows} rows` });
    }
    if (e.candidates && e.candidates.length > 0) {
      const chosen = e.candidates.flatMap((c, i) => (c.chosen ? [i] : []));
      if (chosen.length !== 1) {
        ctx.addIssue({ code: 'custom', path: ['candidates'], message: `exactly one candidate must be chosen, got ${chosen.length}` });
      } else if (e.candidates[chosen[0]!]!.kind !== e.model.kind) {
        ctx.addIssue({
          code: 'custom',
          path: ['candidates', chosen[0]!, 'kind'],
          message: `the chosen candidate is ${e.candidates[chosen[0]!]!.kind} but model.kind is ${e.model.kind}`,
        });
      }
    }
    const seen = new Set<string>();
    e.feature_importance.forEach((f, i) => {
      if (seen.has(f.feature)) ctx.addIssue({ code: 'custom', path: ['feature_importance', i, 'feature'], message: `duplicate feature '${f.feature}'` });
      seen.add(f.feature);
    });
  });

export type Evaluation = z.output<typeof EvaluationSchema>;
export type EvaluationInput = z.input<typeof EvaluationSchema>;
export type EvaluationSide = Pick<Evaluation['model'], 'metrics' | 'roc' | 'gains' | 'calibration'>;

export class EvaluationError extends DomainError {
  constructor(message: string, issues: Issue[] = []) {
    super('invalid_evaluation', message, 500, issues);
  }
}

/** Validates an evaluation; throws EvaluationError whose message and issues name every bad field path. */
export function parseEvaluation(input: unknown): Evaluation {
  const result = EvaluationSchema.safeParse(input);
  if (result.success) return result.data;
  const issues: Issue[] = result.error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
  }));
  const list = issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
  throw new EvaluationError(`Invalid evaluation: ${list}`, issues);
}

// ---------------------------------------------------------------------------------------------------------
// Building from metrics.ts

const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The model/baseline part of an evaluation from a metrics.ts BinaryReport (NaN metrics become null). */
export function sideFromReport(report: BinaryReport): EvaluationSide {
  return {
    metrics: {
      auc: orNull(report.rocAuc),
      pr_auc: orNull(report.prAuc),
      log_loss: orNull(report.logLoss),
      brier: orNull(report.brier),
      lift_top_decile: orNull(report.liftTopDecile),
      base_rate: orNull(report.baseRate),
      ece: orNull(report.ece),
    },
    roc: report.roc.map((p) => ({ fpr: p.fpr, tpr: p.tpr })),
    gains: report.gains.map((p) => ({ share: p.targeted, captured: p.captured })),
    calibration: report.calibration.map((b) => ({
      bin: [b.lower, b.upper] as [number, number],
      count: b.count,
      mean_predicted: b.meanPredicted,
      observed_rate: b.observedRate,
    })),
  };
}

type EvaluationBase = Omit<EvaluationInput, 'model' | 'baseline' | 'validation'>;

export interface BuildEvaluationInput extends EvaluationBase {
  model: { kind: (typeof MODEL_KINDS)[number]; report: BinaryReport };
  /** The rule baseline scored on the same validation rows as the model. */
  baseline: { name: string; description: string; report: BinaryReport };
  /** Default: n / positives / base rate of the model's report. */
  validation?: EvaluationInput['validation'];
}

/**
 * An evaluation from the model's and the baseline's BinaryReports (metrics.ts binaryReport on the validation
 * rows) plus the run's facts; validated, throws EvaluationError naming the bad field. NaN/Infinity metrics (of the
 * reports and of the candidates) become null.
 */
export function buildEvaluation(input: BuildEvaluationInput): Evaluation {
  const { model, baseline, validation, ...rest } = input;
  if (model.report.n !== baseline.report.n) {
    throw new EvaluationError(`model and baseline were evaluated on different rows (${model.report.n} vs ${baseline.report.n})`, [
      { path: ['baseline', 'report', 'n'], message: `expected ${model.report.n} rows like the model, got ${baseline.report.n}` },
    ]);
  }
  return parseEvaluation({
    ...rest,
    candidates: rest.candidates?.map((c) => ({
      ...c,
      auc: typeof c.auc === 'number' ? orNull(c.auc) : c.auc,
      log_loss: typeof c.log_loss === 'number' ? orNull(c.log_loss) : c.log_loss,
    })),
    validation: validation ?? { n: model.report.n, positives: model.report.positives, base_rate: orNull(model.report.baseRate) },
    model: { kind: model.kind, ...sideFromReport(model.report) },
    baseline: { name: baseline.name, description: baseline.description, ...sideFromReport(baseline.report) },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Reading an evaluation

/** A metric value as the report prints it (fixed decimals, suffix); "—" when null. */
export function formatMetric(key: MetricKey, value: number | null): string {
  if (value === null) return '—';
  const info = METRICS[key];
  return `${value.toFixed(info.decimals)}${info.suffix}`;
}

export interface MetricComparison {
  key: MetricKey;
  model: number | null;
  baseline: number | null;
  /** model − baseline; null when either is null. */
  difference: number | null;
  /** 'better' / 'worse' for the model, 'same' when equal at the printed precision, null when not comparable. */
  outcome: 'better' | 'worse' | 'same' | null;
}

export function compareMetric(e: Evaluation, key: MetricKey): MetricComparison {
  const model = e.model.metrics[key];
  const baseline = e.baseline.metrics[key];
  if (model === null || baseline === null) return { key, model, baseline, difference: null, outcome: null };
  const difference = model - baseline;
  const info = METRICS[key];
  if (info.higherIsBetter === null) return { key, model, baseline, difference, outcome: null };
  const shown = Number(Math.abs(difference).toFixed(info.decimals));
  const outcome = shown === 0 ? 'same' : (difference > 0) === info.higherIsBetter ? 'better' : 'worse';
  return { key, model, baseline, difference, outcome };
}

/** A signed difference at the metric's precision: "+0.070", "−0.0012", "±0.000". */
export function formatDifference(key: MetricKey, difference: number | null): string {
  if (difference === null) return '—';
  const info = METRICS[key];
  const abs = Math.abs(difference).toFixed(info.decimals);
  const sign = Number(abs) === 0 ? '±' : difference > 0 ? '+' : '−';
  return `${sign}${abs}${info.suffix}`;
}

export interface Verdict {
  beats: boolean;
  /** model AUC − baseline AUC; null when either is undefined. */
  aucGain: number | null;
  /** e.g. "beats the rule baseline on AUC by 0.070" / "does NOT beat the baseline — will not be promoted without --force". */
  headline: string;
  /** The AUCs behind it, e.g. "0.812 vs 0.742". */
  detail: string;
  /** headline (detail). */
  text: string;
}

/** Whether the version beats the rule baseline (the trainer's decision if recorded, else validation AUC) and why. */
export function verdictOf(e: Evaluation): Verdict {
  const { model, baseline, difference } = compareMetric(e, 'auc');
  const beats = e.beats_baseline ?? (difference !== null && difference > 0);
  const aucs = `AUC ${formatMetric('auc', model)} vs ${formatMetric('auc', baseline)}`;
  let headline: string;
  let detail: string;
  if (!beats) {
    headline = 'does NOT beat the baseline — will not be promoted without --force';
    detail = difference === null ? aucs : `${aucs}, ${formatDifference('auc', difference)}`;
    // Ranks better but its probabilities are worse (the trainer also compares log loss).
    const loss = compareMetric(e, 'log_loss');
    if (difference !== null && difference > 0 && loss.difference !== null && loss.difference > 0) {
      detail += `; but log loss ${formatMetric('log_loss', loss.model)} vs ${formatMetric('log_loss', loss.baseline)}: its probabilities are worse`;
    }
  } else if (difference !== null && difference > 0) {
    headline = `beats the rule baseline on AUC by ${difference.toFixed(METRICS.auc.decimals)}`;
    detail = `${formatMetric('auc', model)} vs ${formatMetric('auc', baseline)}`;
    // The trainer let a slightly higher log loss through as sampling noise (paired comparison).
    const loss = compareMetric(e, 'log_loss');
    if (loss.difference !== null && loss.difference > 0) {
      detail += `; log loss ${formatMetric('log_loss', loss.model)} vs ${formatMetric('log_loss', loss.baseline)}, within the noise of the paired comparison`;
    }
  } else {
    headline = "beats the rule baseline by the trainer's decision";
    detail = difference === null ? aucs : `${aucs}, ${formatDifference('auc', difference)}`;
  }
  return { beats, aucGain: difference, headline, detail, text: `${headline} (${detail})` };
}
