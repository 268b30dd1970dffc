import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLV_MODEL_FILE, ClvArtifactError, loadClvModel, saveClvModel } from './artifact.js';
import { predictClv } from './predict.js';
import { clvFrame, exampleModel } from './test-helpers.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'propel-clv-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const frame = clvFrame([
  { x: 6, tx: 198, T: 210, m: 84.2 },
  { x: 0, tx: 0, T: 40, m: 0 },
  null,
  { x: 25, tx: 300, T: 301, m: 12.34 },
  { x: 1, tx: 5, T: 300, m: 1000 },
]);

/** Writes clv.json after `edit` changed the saved JSON, and returns the load error. */
async function loadAfter(edit: (json: Record<string, any>) => void): Promise<ClvArtifactError> {
  await saveClvModel(dir, exampleModel());
  const file = path.join(dir, CLV_MODEL_FILE);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json));
  const error = await loadClvModel(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ClvArtifactError);
  return error as ClvArtifactError;
}

describe('CLV artifact (clv.json)', () => {
  it('round-trips: the loaded model equals the saved one and predicts identically', async () => {
    const model = exampleModel({ hyper: { margin: 0.4, annualDiscountRate: 0.08 }, bgnbd: { r: 0.8123456789012345 } });
    const file = await saveClvModel(dir, model);
    expect(path.basename(file)).toBe('clv.json');
    const loaded = await loadClvModel(dir);
    expect(loaded).toEqual(model);
    const a = predictClv(model, frame);
    const b = predictClv(loaded, frame);
    for (const k of ['expected_purchases', 'p_alive', 'predicted_clv', 'expected_spend', 'expected_days_to_next_purchase'] as const) {
      expect(b[k]).toEqual(a[k]);
    }
  });

  it('refuses a missing parameter, naming the field', async () => {
    const error = await loadAfter((j) => delete j.params.bgnbd.alpha);
    expect(error.code).toBe('artifact_corrupt');
    expect(error.message).toMatch(/field params\.bgnbd\.alpha/);
    expect(error.issues).toContainEqual(expect.objectContaining({ path: ['params', 'bgnbd', 'alpha'] }));
  });

  it('refuses parameters out of range or of the wrong type', async () => {
    expect((await loadAfter((j) => (j.params.gamma_gamma.q = 0.5))).message).toMatch(/field params\.gamma_gamma\.q: must be > 1/);
    expect((await loadAfter((j) => (j.params.bgnbd.r = -1))).message).toMatch(/field params\.bgnbd\.r/);
    expect((await loadAfter((j) => (j.params.bgnbd.b = '2.5'))).message).toMatch(/field params\.bgnbd\.b/);
    expect((await loadAfter((j) => (j.hyper.horizonDays = 0))).message).toMatch(/field hyper\.horizonDays/);
    expect((await loadAfter((j) => delete j.evaluation)).message).toMatch(/field evaluation/);
    expect((await loadAfter((j) => (j.params.bgnbd.extra = 1))).message).toMatch(/params\.bgnbd/);
  });

  it('refuses a truncated or non-JSON file, another format version, and a missing file', async () => {
    await saveClvModel(dir, exampleModel());
    const file = path.join(dir, CLV_MODEL_FILE);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.length / 2));
    await expect(loadClvModel(dir)).rejects.toMatchObject({ code: 'artifact_corrupt', message: expect.stringMatching(/not valid JSON/) });
    fs.writeFileSync(file, '[]');
    await expect(loadClvModel(dir)).rejects.toMatchObject({ code: 'artifact_corrupt', message: expect.stringMatching(/field \(root\): .*expected object/) });

    const newer = await loadAfter((j) => (j.format_version = 2));
    expect(newer.code).toBe('artifact_incompatible');
    expect(newer.message).toMatch(/format_version 2/);

    await expect(loadClvModel(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'artifact_missing' });
  });

  it('refuses to save an invalid model', async () => {
    const bad = exampleModel();
    (bad.params.bgnbd as { alpha: number }).alpha = Number.NaN;
    await expect(saveClvModel(dir, bad)).rejects.toMatchObject({ code: 'artifact_write_failed', message: expect.stringMatching(/params\.bgnbd\.alpha/) });
    expect(fs.existsSync(path.join(dir, CLV_MODEL_FILE))).toBe(false);
  });
});
