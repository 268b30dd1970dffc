import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { RegistryError } from './errors.js';
import { ModelRegistry, compareVersionsNewestFirst, replay, versionSequence } from './registry.js';
import { SMALL_SCHEMA, metadataFor, tempDir, trainFake } from './test-helpers.js';

let root: string;
let registry: ModelRegistry;

beforeEach(async () => {
  root = await tempDir();
  registry = new ModelRegistry(root);
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected the promise to reject');
}

const sha = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');

describe('register, list and current', () => {
  it('records the sha256 of every file except metadata.json and lists the version as not yet current', async () => {
    const { version, dir } = await trainFake(registry, 'churn');
    const metadata = JSON.parse(await fs.readFile(path.join(dir, 'metadata.json'), 'utf8'));
    expect(Object.keys(metadata.files).sort()).toEqual(['extra/scaler.json', 'model.json', 'weights.bin']);
    expect(metadata.files['weights.bin']).toBe(await sha(path.join(dir, 'weights.bin')));
    expect(metadata).toMatchObject({ target: 'churn', version, kind: 'logistic', beats_baseline: true, metadata_version: 1 });
    expect(dir).toBe(path.join(root, 'churn', version));

    expect(await registry.current('churn')).toBeUndefined();
    const listed = await registry.list();
    expect(listed.problems).toEqual([]);
    expect(listed.versions).toHaveLength(1);
    expect(listed.versions[0]).toMatchObject({ target: 'churn', version, current: false, auc: 0.8, baseline_auc: 0.7 });
    expect(listed.current).toEqual({ purchase: null, churn: null, clv: null });
  });

  it('marks the promoted version current in list() and current()', async () => {
    const a = await trainFake(registry, 'purchase');
    const b = await trainFake(registry, 'purchase');
    await registry.promote('purchase', a.version);
    expect(await registry.current('purchase')).toBe(a.version);
    expect((await fs.readFile(path.join(root, 'purchase', 'CURRENT'), 'utf8')).trim()).toBe(a.version);
    const { versions, current } = await registry.list('purchase');
    expect(versions.map((v) => [v.version, v.current])).toEqual([
      [b.version, false],
      [a.version, true],
    ]);
    expect(current).toEqual({ purchase: a.version });
  });

  it('registers a clv model with its parameters and the schema of the features it reads', async () => {
    const { version } = await trainFake(registry, 'clv');
    const { metadata } = await registry.open('clv', version);
    expect(metadata.kind).toBe('bg_nbd+gamma_gamma');
    expect(metadata.feature_schema?.map((f) => f.name)).toEqual(['clv_frequency', 'clv_recency', 'clv_t', 'clv_monetary']);
    expect(metadata.details?.params).toMatchObject({ r: 0.24 });
  });

  it('refuses metadata that breaks the schema, naming the field', async () => {
    const { version, dir } = await registry.newVersionDir('churn');
    await fs.writeFile(path.join(dir, 'model.json'), '{}');
    const { feature_schema: _omit, ...noSchema } = metadataFor('churn');
    const error = await rejection(registry.register('churn', version, noSchema));
    expect(error.code).toBe('invalid_input');
    expect(error.issues.map((i) => i.path.join('.'))).toContain('feature_schema');
    await expect(fs.access(path.join(dir, 'metadata.json'))).rejects.toThrow();
  });

  it('refuses an unknown top-level metadata field (extras belong in details)', async () => {
    const { version, dir } = await registry.newVersionDir('churn');
    await fs.writeFile(path.join(dir, 'model.json'), '{}');
    const error = await rejection(registry.register('churn', version, { ...metadataFor('churn'), threshold: 0.5 } as never));
    expect(error.code).toBe('invalid_input');
  });

  it('refuses to register an empty version directory or the same version twice', async () => {
    const empty = await registry.newVersionDir('churn');
    expect((await rejection(registry.register('churn', empty.version, metadataFor('churn')))).code).toBe('invalid_input');
    const { version } = await trainFake(registry, 'churn');
    expect((await rejection(registry.register('churn', version, metadataFor('churn')))).code).toBe('already_registered');
  });

  it('stores NaN / infinite metrics as null', async () => {
    const { version, dir } = await registry.newVersionDir('churn');
    await fs.writeFile(path.join(dir, 'model.json'), '{}');
    const input = metadataFor('churn');
    input.metrics.model!.auc = Number.NaN;
    input.metrics.model!.log_loss = Number.POSITIVE_INFINITY;
    const metadata = await registry.register('churn', version, input);
    expect(metadata.metrics.model).toMatchObject({ auc: null, log_loss: null });
  });
});

describe('version ids', () => {
  it('sort by creation even when created within the same second', async () => {
    const sameSecond = new Date('2026-11-24T15:02:03.000Z');
    const created: string[] = [];
    for (let i = 0; i < 12; i++) created.push((await trainFake(registry, 'churn', { now: sameSecond })).version);
    expect(new Set(created).size).toBe(12);
    expect([...created].sort()).toEqual(created); // lexicographic order = creation order
    expect([...created].sort(compareVersionsNewestFirst)).toEqual([...created].reverse());
    const { versions } = await registry.list('churn');
    expect(versions.map((v) => v.version)).toEqual([...created].reverse());
  });

  it('are unique and sequential when created concurrently', async () => {
    const now = new Date('2026-11-24T15:02:03Z');
    const made = await Promise.all(Array.from({ length: 8 }, () => registry.newVersionDir('purchase', now)));
    const seqs = made.map((m) => versionSequence(m.version)!).sort((a, b) => a - b);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(made[0]!.version).toMatch(/^v\d{4}-20261124T150203Z$/);
  });

  it('are not reused after a version directory is deleted', async () => {
    const a = await trainFake(registry, 'churn');
    const b = await trainFake(registry, 'churn');
    await registry.promote('churn', b.version);
    await fs.rm(b.dir, { recursive: true });
    await fs.rm(a.dir, { recursive: true });
    const c = await registry.newVersionDir('churn');
    expect(versionSequence(c.version)).toBe(3);
  });
});

describe('promote', () => {
  it('refuses a version that does not beat the baseline unless forced, and records the force in the history', async () => {
    const good = await trainFake(registry, 'churn');
    await registry.promote('churn', good.version);
    const worse = await trainFake(registry, 'churn', { beatsBaseline: false, auc: 0.6, baselineAuc: 0.7 });

    const error = await rejection(registry.promote('churn', worse.version));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.code).toBe('worse_than_baseline');
    expect(error.message).toContain('AUC 0.600 vs baseline 0.700');
    expect(await registry.current('churn')).toBe(good.version);
    // Refused for its probabilities though it ranks better: the message names both measures.
    const uncalibrated = await trainFake(registry, 'churn', { beatsBaseline: false, auc: 0.73, baselineAuc: 0.63, logLoss: 0.736, baselineLogLoss: 0.662 });
    expect((await rejection(registry.promote('churn', uncalibrated.version))).message).toContain(
      '(AUC 0.730 vs baseline 0.630; log loss 0.736 vs baseline 0.662)',
    );

    const result = await registry.promote('churn', worse.version, { force: true, reason: 'baseline rules changed' });
    expect(result).toMatchObject({ version: worse.version, previous: good.version, changed: true, forced: true });
    expect(await registry.current('churn')).toBe(worse.version);
    const history = await registry.history('churn');
    expect(history.at(-1)).toMatchObject({
      action: 'promote',
      version: worse.version,
      previous: good.version,
      force: true,
      beats_baseline: false,
      reason: 'baseline rules changed',
    });
  });

  it('refuses an unknown version, a corrupt version, and a name that is not a version id', async () => {
    expect((await rejection(registry.promote('churn', 'v9999-20260101T000000Z'))).code).toBe('version_not_found');
    const { version, dir } = await trainFake(registry, 'churn');
    await fs.writeFile(path.join(dir, 'weights.bin'), 'tampered');
    expect((await rejection(registry.promote('churn', version))).code).toBe('corrupt_artifact');
    expect((await rejection(registry.promote('churn', '../purchase'))).code).toBe('invalid_input');
    expect(await registry.current('churn')).toBeUndefined();
  });

  it('refuses a version trained with another feature schema when the expected schema is given', async () => {
    const { version } = await trainFake(registry, 'churn');
    const expected = [...SMALL_SCHEMA, { name: 'tenure_days', description: '', window: null, type: 'days' as const }];
    expect((await rejection(registry.promote('churn', version, { expectedFeatureSchema: expected }))).code).toBe('schema_mismatch');
    expect(await registry.current('churn')).toBeUndefined();
  });

  it('promoting the current version again changes nothing', async () => {
    const { version } = await trainFake(registry, 'clv');
    await registry.promote('clv', version);
    expect(await registry.promote('clv', version)).toMatchObject({ changed: false, previous: version });
    expect(await registry.history('clv')).toHaveLength(1);
  });
});

describe('rollback', () => {
  it('returns to the previously promoted version, further back on each call, then refuses', async () => {
    const a = await trainFake(registry, 'purchase');
    const b = await trainFake(registry, 'purchase');
    const c = await trainFake(registry, 'purchase');
    for (const v of [a, b, c]) await registry.promote('purchase', v.version);

    expect(await registry.rollback('purchase')).toMatchObject({ version: b.version, previous: c.version });
    expect(await registry.current('purchase')).toBe(b.version);
    expect(await registry.rollback('purchase')).toMatchObject({ version: a.version, previous: b.version });
    expect(await registry.current('purchase')).toBe(a.version);
    expect((await rejection(registry.rollback('purchase'))).code).toBe('no_previous_version');
    expect(await registry.current('purchase')).toBe(a.version);
    expect((await registry.history('purchase')).map((h) => h.action)).toEqual(['promote', 'promote', 'promote', 'rollback', 'rollback']);
  });

  it('after a rollback and a new promote, rolls back to the version that was current before it', async () => {
    const a = await trainFake(registry, 'churn');
    const b = await trainFake(registry, 'churn');
    const c = await trainFake(registry, 'churn');
    await registry.promote('churn', a.version);
    await registry.promote('churn', b.version);
    await registry.rollback('churn'); // → a
    await registry.promote('churn', c.version);
    expect((await registry.rollback('churn')).version).toBe(a.version);
  });

  it('refuses when nothing was promoted before', async () => {
    expect((await rejection(registry.rollback('churn'))).code).toBe('no_previous_version');
    const { version } = await trainFake(registry, 'churn');
    await registry.promote('churn', version);
    expect((await rejection(registry.rollback('churn'))).code).toBe('no_previous_version');
  });

  it('refuses to roll back to a version whose files were damaged since, keeping the current one', async () => {
    const a = await trainFake(registry, 'churn');
    const b = await trainFake(registry, 'churn');
    await registry.promote('churn', a.version);
    await registry.promote('churn', b.version);
    await fs.rm(path.join(a.dir, 'model.json'));
    expect((await rejection(registry.rollback('churn'))).code).toBe('corrupt_artifact');
    expect(await registry.current('churn')).toBe(b.version);
  });

  it('replay() treats a rollback as popping back to the version it switched to', () => {
    const at = '2026-01-01T00:00:00Z';
    const e = (action: 'promote' | 'rollback', version: string) => ({ action, version, previous: null, at, force: false, beats_baseline: true, reason: null });
    expect(replay([e('promote', 'a'), e('promote', 'b'), e('promote', 'c'), e('rollback', 'b')])).toEqual(['a', 'b']);
    expect(replay([e('promote', 'a'), e('promote', 'b'), e('rollback', 'x')])).toEqual(['a', 'x']);
  });
});

describe('open', () => {
  it('opens the current version by default and returns its verified metadata', async () => {
    const { version, dir } = await trainFake(registry, 'churn');
    expect((await rejection(registry.open('churn'))).code).toBe('no_current_model');
    await registry.promote('churn', version);
    const opened = await registry.open('churn', undefined, { expectedFeatureSchema: SMALL_SCHEMA });
    expect(opened).toMatchObject({ target: 'churn', version, dir });
    expect(opened.metadata.feature_schema).toEqual(SMALL_SCHEMA);
  });

  it('refuses a weights file with one flipped byte, naming the file', async () => {
    const { version, dir } = await trainFake(registry, 'churn');
    const weights = path.join(dir, 'weights.bin');
    const bytes = await fs.readFile(weights);
    bytes[100] = bytes[100]! ^ 0x01;
    await fs.writeFile(weights, bytes);
    const error = (await rejection(registry.open('churn', version))) as RegistryError;
    expect(error.code).toBe('corrupt_artifact');
    expect(error.file).toBe(weights);
    expect(error.message).toContain('weights.bin');
    expect(error.issues).toEqual([{ path: ['files', 'weights.bin'], message: expect.stringContaining('sha256 mismatch') }]);
  });

  it('refuses a version with a listed file missing, naming the file', async () => {
    const { version, dir } = await trainFake(registry, 'churn');
    await fs.rm(path.join(dir, 'extra', 'scaler.json'));
    const error = (await rejection(registry.open('churn', version))) as RegistryError;
    expect(error.code).toBe('corrupt_artifact');
    expect(error.file).toBe(path.join(dir, 'extra', 'scaler.json'));
    expect(error.issues).toEqual([{ path: ['files', 'extra/scaler.json'], message: 'missing' }]);
  });

  it('refuses a feature schema mismatch, listing added, removed and changed features', async () => {
    const { version } = await trainFake(registry, 'purchase');
    const expected = [
      { ...SMALL_SCHEMA[0]!, type: 'count' as const }, // changed type
      SMALL_SCHEMA[1]!,
      // revenue_all removed
      { name: 'tenure_days', description: 'new', window: null, type: 'days' as const }, // added
    ];
    const error = await rejection(registry.open('purchase', version, { expectedFeatureSchema: expected }));
    expect(error.code).toBe('schema_mismatch');
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['feature_schema.tenure_days', 'feature_schema.revenue_all', 'feature_schema.recency_days.type']);
    expect(error.message).toContain('added');
    expect(error.message).toContain('tenure_days');
    expect(error.message).toContain('revenue_all');
    expect(error.message).toMatch(/recency_days type days → count/);
  });

  it('refuses the same features in another order', async () => {
    const { version } = await trainFake(registry, 'purchase');
    const reordered = [SMALL_SCHEMA[1]!, SMALL_SCHEMA[0]!, SMALL_SCHEMA[2]!];
    const error = await rejection(registry.open('purchase', version, { expectedFeatureSchema: reordered }));
    expect(error.code).toBe('schema_mismatch');
    expect(error.message).toContain('reordered');
  });

  it("refuses a schema whose descriptions differ: a feature's description is its definition, which a model trained on the old one does not match", async () => {
    const { version } = await trainFake(registry, 'purchase');
    const redefined = SMALL_SCHEMA.map((f) => (f.name === 'revenue_all' ? { ...f, description: 'revenue net of refunds over all history' } : f));
    const error = (await rejection(registry.open('purchase', version, { expectedFeatureSchema: redefined }))) as RegistryError;
    expect(error.code).toBe('schema_mismatch');
    expect(error.issues).toContainEqual(expect.objectContaining({ path: ['feature_schema', 'revenue_all', 'description'] }));
  });

  it('refuses metadata.json that was edited into an invalid shape or copied from another version', async () => {
    const a = await trainFake(registry, 'churn');
    const b = await trainFake(registry, 'churn');
    const metaA = path.join(a.dir, 'metadata.json');
    const json = JSON.parse(await fs.readFile(metaA, 'utf8'));
    await fs.writeFile(metaA, JSON.stringify({ ...json, beats_baseline: 'yes' }));
    const invalid = (await rejection(registry.open('churn', a.version))) as RegistryError;
    expect(invalid.code).toBe('corrupt_artifact');
    expect(invalid.file).toBe(metaA);
    await fs.copyFile(path.join(b.dir, 'metadata.json'), metaA);
    expect((await rejection(registry.open('churn', a.version))).code).toBe('corrupt_artifact');
  });

  it('refuses metadata listing a file outside the version directory', async () => {
    const { version, dir } = await trainFake(registry, 'churn');
    const metaPath = path.join(dir, 'metadata.json');
    const json = JSON.parse(await fs.readFile(metaPath, 'utf8'));
    json.files['../../escape.bin'] = 'a'.repeat(64);
    await fs.writeFile(metaPath, JSON.stringify(json));
    const error = await rejection(registry.open('churn', version));
    expect(error.code).toBe('corrupt_artifact');
    expect(error.issues[0]?.path).toEqual(['files', '../../escape.bin']);
  });
});

describe('list', () => {
  it('skips a version with broken metadata and one never registered, and reports both', async () => {
    const good = await trainFake(registry, 'churn');
    const broken = await trainFake(registry, 'churn');
    await fs.writeFile(path.join(broken.dir, 'metadata.json'), '{ not json');
    const unfinished = await registry.newVersionDir('churn');

    const { versions, problems } = await registry.list();
    expect(versions.map((v) => v.version)).toEqual([good.version]);
    expect(problems).toEqual([
      expect.objectContaining({ target: 'churn', version: unfinished.version, code: 'unregistered' }),
      expect.objectContaining({ target: 'churn', version: broken.version, code: 'corrupt_artifact' }),
    ]);
  });

  it('reports a CURRENT pointer to a version that no longer exists', async () => {
    const { version, dir } = await trainFake(registry, 'clv');
    await registry.promote('clv', version);
    await fs.rm(dir, { recursive: true });
    const { problems, current } = await registry.list('clv');
    expect(current.clv).toBe(version);
    expect(problems).toEqual([expect.objectContaining({ version, code: 'version_not_found' })]);
  });

  it('ignores the registry files beside the versions', async () => {
    const { version } = await trainFake(registry, 'churn');
    await registry.promote('churn', version);
    const listed = await registry.list('churn');
    expect(listed.problems).toEqual([]);
    expect(listed.versions.map((v) => v.version)).toEqual([version]);
  });
});
