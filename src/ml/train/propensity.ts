import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { initBackend } from '../backend.js';
import { applyCalibration, chooseCalibration, fitIsotonic, type CalibrationParams } from '../calibration.js';
import { ClassifierParamsSchema, predictProba, trainClassifier } from '../classifier.js';
import { buildTrainingSet, type TrainingSet } from '../dataset/training-set.js';
import type { LabelTarget } from '../dataset/labels.js';
import { permutationImportance } from '../explain.js';
import { binaryReport, pairedLogLossDifference, type BinaryReport, type PairedDifference } from '../metrics.js';
import { createRng } from '../random.js';
import { fitScaler, transform, type Scaler } from '../scaler.js';
import type { Db } from '../../store/database.js';
import { BASELINE_DESCRIPTION, baselineScores } from './baseline.js';

export const PropensityOptionsSchema = z.object({
  target: z.enum(['purchase', 'churn']),
  /** Label horizon; contract defaults 30 (purchase) and 90 (churn) days. */
  horizonDays: z.number().int().positive().optional(),
  asOf: z.string().optional(),
  cutoff: z.string().optional(),
  /** Earlier rolling cutoffs for training (more examples, no leakage). */
  trainingCutoffs: z.number().int().min(1).max(24).default(4),
  /** Both are tried; the better on the inner validation set is kept. */
  kinds: z.array(z.enum(['logistic', 'mlp'])).min(1).default(['logistic', 'mlp']),
  /** Rare positives (below this base rate) get balanced class weights; calibration restores probabilities. */
  classWeightBelowBaseRate: z.number().min(0).max(1).default(0.1),
  maxEpochs: z.number().int().positive().default(100),
  seed: z.number().int().default(42),
});
export type PropensityOptions = z.input<typeof PropensityOptionsSchema>;

export interface Candidate {
  kind: 'logistic' | 'mlp';
  innerAuc: number;
  innerLogLoss: number;
  epochs: number;
  chosen: boolean;
}

export interface TrainedPropensity {
  target: LabelTarget;
  model: tf.LayersModel;
  kind: 'logistic' | 'mlp';
  backend: string;
  featureNames: string[];
  scaler: Scaler;
  calibration: CalibrationParams;
  calibrationReason: string;
  candidates: Candidate[];
  set: TrainingSet;
  /** Validation reports of the model and the rule baseline, and their paired log-loss difference (model − baseline). */
  evaluation: { model: BinaryReport; baseline: BinaryReport; logLossDifference: PairedDifference };
  importance: { feature: string; importance: number }[];
  seconds: number;
}

/**
 * Fits the purchase or churn model. Rows come from rolling cutoffs; the latest training cutoff is
 * the inner set (early stopping, choice of logistic vs MLP, calibration), and the final cutoff is
 * held out for the evaluation only — never a random split of the same dates.
 */
export async function trainPropensity(db: Db, input: PropensityOptions, log: (m: string) => void = () => undefined): Promise<TrainedPropensity> {
  const options = PropensityOptionsSchema.parse(input);
  const started = performance.now();
  const backend = await initBackend();
  log(`${options.target}: tfjs backend ${backend}`);
  const def = options.target === 'purchase'
    ? { target: 'purchase' as const, ...(options.horizonDays ? { horizonDays: options.horizonDays } : {}) }
    : { target: 'churn' as const, ...(options.horizonDays ? { horizonDays: options.horizonDays } : {}) };
  const set = await buildTrainingSet(db, {
    def,
    ...(options.asOf ? { asOf: options.asOf } : {}),
    ...(options.cutoff ? { cutoff: options.cutoff } : {}),
    trainingCutoffs: options.trainingCutoffs,
  }, { onCutoff: (c) => log(`${options.target}: cutoff ${c.cutoff} (${c.role}) ${c.population} customers, base rate ${c.baseRate?.toFixed(3) ?? '—'}`) });
  const d = set.featureNames.length;
  const { fit, inner } = splitInner(set, options.seed);
  const scaler = fitScaler(fit.X, set.featureNames);
  const fitX = transform(scaler, fit.X);
  const innerX = transform(scaler, inner.X);
  const outerX = transform(scaler, set.validation.X);
  const baseRate = mean(fit.y);
  const classWeight = baseRate < options.classWeightBelowBaseRate ? ('balanced' as const) : ('none' as const);

  const trained = [];
  for (const kind of options.kinds) {
    // At least ~20 steps an epoch: with a few thousand rows, 512-row batches give too few Adam steps
    // before early stopping and the model is left underfit.
    const batchSize = Math.max(32, Math.min(512, Math.floor(fit.n / 20)));
    const params = ClassifierParamsSchema.parse({ kind, classWeight, seed: options.seed, maxEpochs: options.maxEpochs, batchSize });
    const result = await trainClassifier({ X: fitX, y: fit.y, n: fit.n, d }, params, { validation: { X: innerX, y: inner.y, n: inner.n } });
    const raw = predictProba(result.model, innerX, inner.n, d);
    const report = binaryReport(inner.y, raw);
    log(`${options.target}: ${kind} inner AUC ${report.rocAuc.toFixed(4)} after ${result.epochsRun} epochs`);
    trained.push({ kind, result, raw, auc: report.rocAuc, logLoss: report.logLoss });
  }
  const best = trained.reduce((a, b) => (b.auc > a.auc + 1e-4 ? b : a));
  for (const t of trained) if (t !== best) t.result.model.dispose();
  const calibration = chooseCalibration(best.raw, inner.y, { seed: options.seed });

  const outerRaw = predictProba(best.result.model, outerX, set.validation.n, d);
  const outerP = applyCalibration(calibration.params, outerRaw);
  const baselineCalibration = fitIsotonic(baselineScores(options.target, inner.X, inner.n, set.featureNames), inner.y);
  const baselineP = applyCalibration(baselineCalibration, baselineScores(options.target, set.validation.X, set.validation.n, set.featureNames));
  const importance = permutationImportance(best.result.model, outerX, set.validation.y, set.validation.n, d, {
    repeats: 2,
    seed: options.seed,
    featureNames: set.featureNames,
  });
  return {
    target: options.target,
    model: best.result.model,
    kind: best.kind,
    backend,
    featureNames: set.featureNames,
    scaler,
    calibration: calibration.params,
    calibrationReason: calibration.reason,
    candidates: trained.map((t) => ({ kind: t.kind, innerAuc: t.auc, innerLogLoss: t.logLoss, epochs: t.result.epochsRun, chosen: t === best })),
    set,
    evaluation: {
      model: binaryReport(set.validation.y, outerP),
      baseline: binaryReport(set.validation.y, baselineP),
      logLossDifference: pairedLogLossDifference(set.validation.y, outerP, baselineP),
    },
    importance: importance.features.map((f) => ({ feature: f.name, importance: f.importance })),
    seconds: (performance.now() - started) / 1000,
  };
}

export const baselineDescription = (target: LabelTarget) => BASELINE_DESCRIPTION[target];

interface Rows {
  X: Float32Array;
  y: Uint8Array;
  n: number;
}

/** The latest training cutoff is the inner set; with a single cutoff, a seeded 20% of its rows. */
function splitInner(set: TrainingSet, seed: number): { fit: Rows; inner: Rows } {
  const { train } = set;
  const d = set.featureNames.length;
  const last = train.cutoffs.length - 1;
  const rng = createRng(seed);
  const isInner = (i: number) => (last > 0 ? train.rowCutoff[i] === last : rng.next() < 0.2);
  const innerRows: number[] = [];
  const fitRows: number[] = [];
  for (let i = 0; i < train.n; i++) (isInner(i) ? innerRows : fitRows).push(i);
  const take = (rows: number[]): Rows => {
    const X = new Float32Array(rows.length * d);
    const y = new Uint8Array(rows.length);
    rows.forEach((r, k) => {
      X.set(train.X.subarray(r * d, (r + 1) * d), k * d);
      y[k] = train.y[r]!;
    });
    return { X, y, n: rows.length };
  };
  return { fit: take(fitRows), inner: take(innerRows) };
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length ? s / values.length : 0;
}
