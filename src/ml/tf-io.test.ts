import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';
import { predictLogits, predictProba, trainClassifier } from './classifier.js';
import { ArtifactError } from './errors.js';
import { simulateLogistic } from './simulate.js';
import { loadModel, MODEL_JSON, saveModel, WEIGHTS_BIN } from './tf-io.js';

let tmp: string;
let model: tf.LayersModel;
const sim = simulateLogistic({ n: 2000, weights: [1, -0.5, 0.25, 0], bias: -1, seed: 6 });
const X = Float32Array.from(sim.X);

beforeAll(async () => {
  await initBackend();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'propel-tf-io-'));
  model = (await trainClassifier({ X, y: sim.y, n: sim.n, d: sim.d }, { kind: 'mlp', hiddenUnits: [8, 4], maxEpochs: 3 })).model;
});

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function savedCopy(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  await saveModel(model, dir);
  return dir;
}

async function expectArtifactError(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArtifactError);
  expect((err as ArtifactError).code).toBe(code);
  expect((err as ArtifactError).message).toMatch(message);
}

describe('saveModel / loadModel', () => {
  it('round-trips to model.json + weights.bin with identical predictions and logits', async () => {
    const dir = path.join(tmp, 'roundtrip');
    const info = await saveModel(model, dir, { metadata: { scaler: { names: ['a', 'b', 'c', 'd'] } } });
    expect((await fs.readdir(dir)).sort()).toEqual([MODEL_JSON, WEIGHTS_BIN]);
    expect(info.weightsBytes).toBe((4 * 8 + 8 + 8 * 4 + 4 + 4 * 1 + 1) * 4);
    const json = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual([WEIGHTS_BIN]);
    expect(json.propel.weightsSha256).toBe(info.weightsSha256);

    const loaded = await loadModel(dir);
    expect(Array.from(predictProba(loaded, X, sim.n, sim.d))).toEqual(Array.from(predictProba(model, X, sim.n, sim.d)));
    expect(Array.from(predictLogits(loaded, X, sim.n, sim.d))).toEqual(Array.from(predictLogits(model, X, sim.n, sim.d)));
    expect(loaded.getUserDefinedMetadata()).toEqual({ scaler: { names: ['a', 'b', 'c', 'd'] } });
  });

  it('refuses a weights file with a flipped byte (same size) as artifact_corrupt via the checksum', async () => {
    const dir = await savedCopy('flipped');
    const file = path.join(dir, WEIGHTS_BIN);
    const bytes = await fs.readFile(file);
    bytes[10] = bytes[10]! ^ 0xff;
    await fs.writeFile(file, bytes);
    await expectArtifactError(loadModel(dir), 'artifact_corrupt', /checksum/);
  });

  it('refuses a truncated weights file as artifact_corrupt, naming the sizes', async () => {
    const dir = await savedCopy('truncated');
    const file = path.join(dir, WEIGHTS_BIN);
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 8));
    await expectArtifactError(loadModel(dir), 'artifact_corrupt', /truncated/);
  });

  it('refuses NaN weights even when the checksum is absent', async () => {
    const dir = await savedCopy('nan');
    const file = path.join(dir, WEIGHTS_BIN);
    const bytes = await fs.readFile(file);
    const f32 = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    f32[0] = NaN;
    await fs.writeFile(file, bytes);
    const jsonPath = path.join(dir, MODEL_JSON);
    const json = JSON.parse(await fs.readFile(jsonPath, 'utf8'));
    delete json.propel;
    await fs.writeFile(jsonPath, JSON.stringify(json));
    await expectArtifactError(loadModel(dir), 'artifact_corrupt', /NaN/);
  });

  it('reports a missing directory or weights file as artifact_missing', async () => {
    await expectArtifactError(loadModel(path.join(tmp, 'nope')), 'artifact_missing', /does not exist/);
    const dir = await savedCopy('noweights');
    await fs.rm(path.join(dir, WEIGHTS_BIN));
    await expectArtifactError(loadModel(dir), 'artifact_missing', /weights\.bin/);
  });

  it('reports unparsable model.json as artifact_corrupt and a foreign format as artifact_incompatible', async () => {
    const dir = await savedCopy('badjson');
    const jsonPath = path.join(dir, MODEL_JSON);
    const text = await fs.readFile(jsonPath, 'utf8');
    await fs.writeFile(jsonPath, text.slice(0, text.length / 2));
    await expectArtifactError(loadModel(dir), 'artifact_corrupt', /not valid JSON/);
    await fs.writeFile(jsonPath, JSON.stringify({ ...JSON.parse(text), format: 'graph-model' }));
    await expectArtifactError(loadModel(dir), 'artifact_incompatible', /graph-model/);
  });

  it('refuses weight paths that point outside the model directory', async () => {
    const dir = await savedCopy('escape');
    const jsonPath = path.join(dir, MODEL_JSON);
    const json = JSON.parse(await fs.readFile(jsonPath, 'utf8'));
    json.weightsManifest[0].paths = ['../flipped/weights.bin'];
    await fs.writeFile(jsonPath, JSON.stringify(json));
    await expectArtifactError(loadModel(dir), 'artifact_corrupt', /outside the model directory/);
  });
});
