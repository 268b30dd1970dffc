import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ArtifactError } from './errors.js';

/**
 * Save / load a tf.LayersModel as a directory with model.json + weights.bin (the TensorFlow.js layers format,
 * so `tfjs-node`'s file:// loader and the tfjs converter can read it too), on node:fs — pure tfjs has no file
 * handler. model.json additionally carries `propel.weightsSha256`, so a damaged weights file is refused
 * instead of silently producing wrong scores.
 *
 * Writes are atomic per file (temp file + rename), weights first: a reader never sees a model.json whose
 * checksum points at weights that are not fully written.
 */

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface SavedModelInfo {
  dir: string;
  modelJsonPath: string;
  weightsPath: string;
  weightsBytes: number;
  weightsSha256: string;
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: Record<string, object>;
  propel?: { version: 1; weightsBytes: number; weightsSha256: string; savedAt: string };
}

const sha256 = (buf: Uint8Array): string => createHash('sha256').update(buf).digest('hex');

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new ArtifactError('artifact_write_failed', `could not write ${file}: ${(err as Error).message}`, file, { cause: err });
  }
}

/**
 * Write model.json + weights.bin into `dir` (created if needed). `metadata` (plain JSON, e.g. scaler,
 * calibration, feature names) is stored in model.json's userDefinedMetadata and comes back from
 * loadModel via model.getUserDefinedMetadata().
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  options: { metadata?: Record<string, unknown> } = {},
): Promise<SavedModelInfo> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new ArtifactError('artifact_write_failed', `could not create ${dir}: ${(err as Error).message}`, dir, { cause: err });
  }
  const modelJsonPath = path.join(dir, MODEL_JSON);
  const weightsPath = path.join(dir, WEIGHTS_BIN);
  let info: SavedModelInfo | undefined;

  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (artifacts.modelTopology instanceof ArrayBuffer || !artifacts.modelTopology) {
        throw new ArtifactError('artifact_incompatible', 'only layers models (JSON topology) can be saved', dir);
      }
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []));
      const digest = sha256(weights);
      const userDefinedMetadata = {
        ...(artifacts.userDefinedMetadata ?? {}),
        ...(options.metadata as Record<string, object> | undefined),
      };
      const json: ModelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(Object.keys(userDefinedMetadata).length > 0 ? { userDefinedMetadata } : {}),
        propel: { version: 1, weightsBytes: weights.byteLength, weightsSha256: digest, savedAt: new Date().toISOString() },
      };
      const text = JSON.stringify(json);
      await writeAtomic(weightsPath, weights);
      await writeAtomic(modelJsonPath, text);
      info = { dir, modelJsonPath, weightsPath, weightsBytes: weights.byteLength, weightsSha256: digest };
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(json.modelTopology)),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? [])),
          weightDataBytes: weights.byteLength,
        },
      };
    }),
  );
  if (!info) throw new ArtifactError('artifact_write_failed', `saving to ${dir} produced no files`, dir);
  return info;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function expectedBytes(specs: tf.io.WeightsManifestEntry[], file: string): number {
  let total = 0;
  for (const s of specs) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const dtype = s.quantization?.dtype ?? s.dtype;
    const per = BYTES[dtype];
    if (per === undefined) throw new ArtifactError('artifact_incompatible', `weight ${s.name} has unsupported dtype ${dtype}`, file);
    total += size * per;
  }
  return total;
}

async function readOrThrow(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ArtifactError('artifact_missing', `model file ${file} does not exist`, file, { cause: err });
    }
    throw new ArtifactError('artifact_corrupt', `could not read ${file}: ${(err as Error).message}`, file, { cause: err });
  }
}

function parseModelJson(text: string, file: string): ModelJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ArtifactError('artifact_corrupt', `${file} is not valid JSON: ${(err as Error).message}`, file, { cause: err });
  }
  const j = raw as Partial<ModelJson> | null;
  if (typeof j !== 'object' || j === null || typeof j.modelTopology !== 'object' || j.modelTopology === null) {
    throw new ArtifactError('artifact_corrupt', `${file} has no modelTopology`, file);
  }
  if (j.format !== undefined && j.format !== 'layers-model') {
    throw new ArtifactError('artifact_incompatible', `${file} has format "${j.format}", expected "layers-model"`, file);
  }
  if (!Array.isArray(j.weightsManifest) || !j.weightsManifest.every((g) => Array.isArray(g?.paths) && Array.isArray(g?.weights))) {
    throw new ArtifactError('artifact_corrupt', `${file} has no valid weightsManifest`, file);
  }
  return j as ModelJson;
}

/**
 * Load a model saved by saveModel (or any tfjs layers-model directory with relative weight paths).
 * Throws ArtifactError: artifact_missing (no such file), artifact_corrupt (bad JSON, wrong weights size,
 * checksum mismatch, non-finite weights), artifact_incompatible (wrong format or the topology cannot be built).
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const modelJsonPath = path.join(dir, MODEL_JSON);
  const json = parseModelJson((await readOrThrow(modelJsonPath)).toString('utf8'), modelJsonPath);

  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Buffer[] = [];
  let weightsFile = path.join(dir, WEIGHTS_BIN);
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      if (typeof p !== 'string' || path.isAbsolute(p) || p.split(/[\\/]/).includes('..')) {
        throw new ArtifactError('artifact_corrupt', `${modelJsonPath} names weights file "${String(p)}" outside the model directory`, modelJsonPath);
      }
      weightsFile = path.join(dir, p);
      parts.push(await readOrThrow(weightsFile));
    }
  }
  const weights = parts.length === 1 ? parts[0]! : Buffer.concat(parts);

  const want = expectedBytes(specs, modelJsonPath);
  if (weights.byteLength !== want) {
    throw new ArtifactError(
      'artifact_corrupt',
      `${weightsFile} has ${weights.byteLength} bytes but model.json describes ${want}: the weights file is truncated or does not belong to this model`,
      weightsFile,
    );
  }
  if (json.propel?.weightsSha256 !== undefined && sha256(weights) !== json.propel.weightsSha256) {
    throw new ArtifactError('artifact_corrupt', `${weightsFile} does not match the checksum recorded in model.json: the file is damaged`, weightsFile);
  }

  // Copy into a fresh ArrayBuffer: Buffers from readFile may be views into a shared pool.
  const weightData = new Uint8Array(weights).buffer;
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? null,
        ...(json.trainingConfig ? { trainingConfig: json.trainingConfig } : {}),
        ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
      }),
    );
  } catch (err) {
    throw new ArtifactError('artifact_incompatible', `could not build the model in ${dir}: ${(err as Error).message}`, modelJsonPath, { cause: err });
  }

  const finite = tf.tidy(() => model.getWeights().every((w) => w.dtype !== 'float32' || tf.all(tf.isFinite(w)).dataSync()[0] === 1));
  if (!finite) {
    model.dispose();
    throw new ArtifactError('artifact_corrupt', `${weightsFile} contains NaN or infinite weights`, weightsFile);
  }
  return model;
}
