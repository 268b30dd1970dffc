import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { FEATURE_SCHEMA } from '../../features/schema.js';
import type { FeatureFrame } from '../../features/frame.js';
import { applyCalibration, CalibrationSchema, type CalibrationParams } from '../calibration.js';
import { predictProba } from '../classifier.js';
import { inLabelPopulation, LabelDefinitionSchema, type LabelDefinition } from '../dataset/labels.js';
import { scoringMatrix } from '../dataset/training-set.js';
import { ArtifactError } from '../errors.js';
import { initBackend } from '../backend.js';
import { explainRowPlain, plainDenseStack, type PlainDense } from '../explain.js';
import { explainAllRows, type ExplanationTable } from '../explain-batch.js';
import type { BinaryReport, PairedDifference } from '../metrics.js';
import type { ModelRegistry } from '../registry/registry.js';
import type { ModelMetadata } from '../registry/metadata.js';
import { isScaler, transform, type Scaler } from '../scaler.js';
import { loadModel, saveModel } from '../tf-io.js';
import { rowRange, runSteps, runStepsInTurns, type Steps } from '../../util/steps.js';
import { baselineDescription, type TrainedPropensity } from './propensity.js';

const SCALER_FILE = 'scaler.json';
const CALIBRATION_FILE = 'calibration.json';
const EVALUATION_FILE = 'evaluation.json';
/** Rows of the input matrix built per step (≈5–10 ms here for 63 features). */
const ROWS_PER_STEP = 4_000;

/** The contract's metric names (CONTRACT.md §2 train --json). */
export function contractMetrics(r: BinaryReport) {
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    auc: finite(r.rocAuc),
    pr_auc: finite(r.prAuc),
    log_loss: finite(r.logLoss),
    brier: finite(r.brier),
    lift_top_decile: finite(r.liftTopDecile),
    base_rate: finite(r.baseRate),
    ece: finite(r.ece),
  };
}

/**
 * How many standard errors of the paired log-loss difference a model may lie above its baseline and
 * still count as no worse: two, a one-sided false alarm rate of about 2.5% under the normal
 * approximation (Diebold & Mariano 1995). Below that the gap is what another draw of the same
 * customers would move it by.
 */
export const LOG_LOSS_NOISE_SE = 2;

/**
 * Whether a propensity model earns promotion over its rule baseline: it must rank better (AUC) and
 * its probabilities must be no worse (log loss, the baseline calibrated isotonic on the model's own
 * calibration rows) beyond sampling noise, judged on the paired per-customer difference when given.
 * Next best action multiplies these probabilities by money, so a model that ranks well but whose
 * probabilities are off (e.g. after a shift between cutoffs) is not served.
 */
export function beatsBaseline(model: BinaryReport, baseline: BinaryReport, logLossDifference?: PairedDifference): boolean {
  if (!(model.rocAuc > baseline.rocAuc)) return false;
  if (!logLossDifference || !Number.isFinite(logLossDifference.standardError)) return !(model.logLoss > baseline.logLoss);
  return !(logLossDifference.mean > LOG_LOSS_NOISE_SE * logLossDifference.standardError);
}

/** Writes a trained model as a new registry version (weights, scaler, calibration, evaluation, metadata). */
export async function savePropensity(
  registry: ModelRegistry,
  trained: TrainedPropensity,
  extraFiles: (dir: string, version: string) => Promise<void> = async () => undefined,
): Promise<{ version: string; dir: string; metadata: ModelMetadata }> {
  const { version, dir } = await registry.newVersionDir(trained.target);
  await saveModel(trained.model, dir);
  await fs.writeFile(path.join(dir, SCALER_FILE), JSON.stringify(trained.scaler));
  await fs.writeFile(path.join(dir, CALIBRATION_FILE), JSON.stringify(trained.calibration));
  await fs.writeFile(path.join(dir, EVALUATION_FILE), JSON.stringify({ ...trained.evaluation, importance: trained.importance }));
  await extraFiles(dir, version);
  const { meta } = trained.set;
  const model = contractMetrics(trained.evaluation.model);
  const baseline = contractMetrics(trained.evaluation.baseline);
  const metadata = await registry.register(trained.target, version, {
    backend: trained.backend,
    kind: trained.kind,
    feature_schema: FEATURE_SCHEMA,
    label: { definition: meta.def as unknown as Record<string, unknown>, sentence: meta.label },
    cutoff: meta.cutoffs.validation,
    horizon_days: meta.def.horizonDays,
    as_of: meta.asOf,
    training: {
      cutoffs: meta.cutoffs.training,
      rows: trained.set.train.n,
      positives: countOnes(trained.set.train.y),
      seconds: trained.seconds,
    },
    data_fingerprint: meta.dataFingerprint,
    metrics: { model, baseline },
    beats_baseline: beatsBaseline(trained.evaluation.model, trained.evaluation.baseline, trained.evaluation.logLossDifference),
    details: {
      feature_names: trained.featureNames,
      calibration_method: trained.calibration.method,
      calibration_reason: trained.calibrationReason,
      candidates: trained.candidates,
      baseline: baselineDescription(trained.target),
      validation_rows: trained.set.validation.n,
      counts: meta.counts,
    },
  });
  return { version, dir, metadata };
}

export interface Explanation {
  feature: string;
  /** Change in log-odds from this feature's value versus the training average. */
  effect: number;
  direction: 'up' | 'down';
}

/** A loaded purchase or churn model: calibrated probabilities and explanations for a feature frame. */
export class PropensityModel {
  /** The weights as plain numbers for per-customer explanations (copied out of tfjs on first use). */
  private plain: PlainDense[] | undefined;

  private constructor(
    readonly version: string,
    readonly metadata: ModelMetadata,
    private readonly model: tf.LayersModel,
    private readonly scaler: Scaler,
    private readonly calibration: CalibrationParams,
    readonly featureNames: string[],
    /** What the model predicts, and for whom (its label population). */
    readonly label: LabelDefinition,
  ) {}

  /** Input matrices made by predict, until explainAll takes them (weakly: they go with the frame). */
  private readonly scaledFrames = new WeakMap<FeatureFrame, Float32Array>();

  /** Opens a version after the registry verified its checksums and feature schema. */
  static async load(registry: ModelRegistry, target: 'purchase' | 'churn', version?: string): Promise<PropensityModel> {
    // Serving and scoring predict on the fastest backend that works here, as training does (backend.ts).
    await initBackend();
    const opened = await registry.open(target, version, { expectedFeatureSchema: FEATURE_SCHEMA });
    const model = await loadModel(opened.dir);
    const scaler = await readJson(path.join(opened.dir, SCALER_FILE));
    if (!isScaler(scaler)) throw new ArtifactError('artifact_corrupt', `${SCALER_FILE} is not a valid scaler`, opened.dir);
    const calibration = CalibrationSchema.safeParse(await readJson(path.join(opened.dir, CALIBRATION_FILE)));
    if (!calibration.success) throw new ArtifactError('artifact_corrupt', `${CALIBRATION_FILE} is not valid: ${calibration.error.message}`, opened.dir);
    const names = opened.metadata.details?.feature_names;
    if (!Array.isArray(names) || names.join() !== scaler.names.join()) {
      throw new ArtifactError('artifact_incompatible', 'the scaler and the metadata list different features', opened.dir);
    }
    const label = LabelDefinitionSchema.safeParse(opened.metadata.label.definition);
    if (!label.success || label.data.target !== target) {
      throw new ArtifactError('artifact_incompatible', `the metadata's label definition is not a valid ${target} label`, opened.dir);
    }
    return new PropensityModel(opened.version, opened.metadata, model, scaler, calibration.data, names as string[], label.data);
  }

  predict(frame: FeatureFrame): Float64Array {
    return runSteps(this.predictSteps(frame));
  }

  /**
   * predict() in steps (util/steps.ts): the input matrix is built a block of rows per step, then
   * predicted in one call (one tfjs call costs ~100 µs whatever its size). With `keep`, the matrix
   * stays with the frame until explainAll takes it (a service explains its base right after
   * predicting it); otherwise it is dropped (a scoring run of 1M customers need not hold 250 MB).
   */
  *predictSteps(frame: FeatureFrame, options: { keep?: boolean; rowsPerStep?: number } = {}): Steps<Float64Array> {
    if (frame.n === 0) return new Float64Array(0);
    const X = yield* this.scaledSteps(frame, options.rowsPerStep);
    if (options.keep) this.scaledFrames.set(frame, X);
    const p = applyCalibration(this.calibration, predictProba(this.model, X, frame.n, this.featureNames.length));
    for (let i = 0; i < frame.n; i++) if (!this.covers(frame, i)) p[i] = Number.NaN;
    return p;
  }

  /**
   * Whether the model predicts for row i: the row is in its label population (labels.ts). Outside it
   * (churn: no event in the active window) the probability is empty, never an extrapolation.
   */
  covers(frame: FeatureFrame, i: number): boolean {
    return inLabelPopulation(this.label, frame, i);
  }

  /** The features pushing row i's probability up or down the most (ModelSet leaves out rows the model does not cover). */
  explain(frame: FeatureFrame, i: number, k = 5): Explanation[] {
    const X = this.scaled(frame, [i]);
    this.plain ??= plainDenseStack(this.model);
    const row = explainRowPlain(this.plain, X, { k, featureNames: this.featureNames });
    return row.top.map((c) => ({ feature: c.name, effect: c.contribution, direction: c.contribution >= 0 ? 'up' : 'down' }));
  }

  /** The same explanation for every row of a frame at once (tensor operations: ≈1 s per 100k rows); read a row with explanationAt. */
  async explainAll(frame: FeatureFrame, k = 5): Promise<ExplanationTable> {
    const X = this.scaledFrames.get(frame) ?? (await runStepsInTurns(this.scaledSteps(frame)));
    this.scaledFrames.delete(frame);
    return explainAllRows(this.model, X, frame.n, this.featureNames.length, { k });
  }

  /** Row i of a table from explainAll, as explain gives it. */
  explanationAt(table: ExplanationTable, i: number): Explanation[] {
    const out: Explanation[] = [];
    for (let s = i * table.k; s < (i + 1) * table.k && table.index[s]! >= 0; s++) {
      const effect = table.effect[s]!;
      out.push({ feature: this.featureNames[table.index[s]!]!, effect, direction: effect >= 0 ? 'up' : 'down' });
    }
    return out;
  }

  /** The model's input: the frame's features (all rows, or those given) in its order, scaled as in training. */
  private scaled(frame: FeatureFrame, rows?: ArrayLike<number>): Float32Array {
    return transform(this.scaler, scoringMatrix(frame, this.featureNames, rows));
  }

  /** scaled() for every row, a block of rows per step. */
  private *scaledSteps(frame: FeatureFrame, rowsPerStep = ROWS_PER_STEP): Steps<Float32Array> {
    const d = this.featureNames.length;
    const X = new Float32Array(frame.n * d);
    for (let start = 0; start < frame.n; start += rowsPerStep) {
      X.set(this.scaled(frame, rowRange(start, Math.min(frame.n, start + rowsPerStep))), start * d);
      if (start + rowsPerStep < frame.n) yield;
    }
    return X;
  }

  dispose(): void {
    this.model.dispose();
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new ArtifactError('artifact_corrupt', `cannot read ${path.basename(file)}: ${(error as Error).message}`, file);
  }
}

function countOnes(y: Uint8Array): number {
  let s = 0;
  for (const v of y) s += v;
  return s;
}
