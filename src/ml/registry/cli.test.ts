import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FEATURE_SCHEMA } from '../../features/schema.js';
import { modelsCommand } from './cli.js';
import { ModelRegistry } from './registry.js';
import { tempDir, trainFake } from './test-helpers.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['scripts/models.ts', ...args], { cwd: REPO, env: { ...process.env, PROPEL_MODELS: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (stdout: string) => stdout.trimEnd().split('\n').at(-1) ?? '';

let root: string;
let registry: ModelRegistry;
beforeEach(async () => {
  root = await tempDir('propel-models-cli-');
  registry = new ModelRegistry(root);
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('npm run models (scripts/models.ts)', () => {
  it('list --json prints one JSON object on the last stdout line, with the current version marked', async () => {
    const a = await trainFake(registry, 'churn');
    await registry.promote('churn', a.version);
    const broken = await registry.newVersionDir('churn');
    const { code, stdout, stderr } = await run(['list', '--json', '--models', root]);
    expect(code).toBe(0);
    const summary = JSON.parse(lastLine(stdout));
    expect(summary.versions).toEqual([expect.objectContaining({ target: 'churn', version: a.version, current: true })]);
    expect(summary.problems).toEqual([expect.objectContaining({ version: broken.version, code: 'unregistered' })]);
    expect(stderr).toContain(`skipped churn/${broken.version}`);
  });

  it('takes the registry from PROPEL_MODELS when --models is not given', async () => {
    const a = await trainFake(registry, 'clv');
    const { code, stdout } = await run(['list', '--json'], { PROPEL_MODELS: root });
    expect(code).toBe(0);
    expect(JSON.parse(lastLine(stdout)).versions.map((v: { version: string }) => v.version)).toEqual([a.version]);
  });

  it('a refused promote exits 1 with an error object on the last stdout line', async () => {
    const worse = await trainFake(registry, 'purchase', { beatsBaseline: false, schema: FEATURE_SCHEMA });
    const refused = await run(['promote', 'purchase', worse.version, '--models', root, '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(lastLine(refused.stdout))).toEqual({ error: expect.objectContaining({ code: 'worse_than_baseline' }) });
    const forced = await run(['promote', 'purchase', worse.version, '--force', '--models', root, '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(lastLine(forced.stdout))).toMatchObject({ version: worse.version, forced: true });
  });
});

describe('modelsCommand', () => {
  const cmd = (...args: string[]) => modelsCommand([...args, '--models', root], {});

  it('list prints a table with AUC against the baseline and a current marker', async () => {
    const a = await trainFake(registry, 'churn', { auc: 0.81, baselineAuc: 0.74 });
    await trainFake(registry, 'clv');
    await registry.promote('churn', a.version);
    const { text } = await cmd('list');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/TARGET\s+VERSION\s+CREATED \(UTC\)\s+KIND/);
    const row = lines.find((l) => l.includes(a.version))!;
    expect(row).toMatch(/^\*\s+churn/);
    expect(row).toContain('0.810 vs 0.740');
    expect(lines.find((l) => l.includes('clv'))).toMatch(/^\s+clv .*bg_nbd\+gamma_gamma/);
  });

  it('show reports a damaged file without failing, rollback goes back, and bad input is refused', async () => {
    const a = await trainFake(registry, 'clv');
    const b = await trainFake(registry, 'clv');
    await cmd('promote', 'clv', a.version);
    await cmd('promote', 'clv', b.version);
    await fs.appendFile(path.join(b.dir, 'model.json'), ' ');
    const shown = (await cmd('show', 'clv')).summary as { version: string; current: boolean; integrity: { ok: boolean; code?: string } };
    expect(shown).toMatchObject({ version: b.version, current: true, integrity: { ok: false, code: 'corrupt_artifact' } });
    expect((await cmd('rollback', 'clv')).summary).toMatchObject({ version: a.version, previous: b.version });
    await expect(cmd('promote', 'nope', a.version)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(cmd('frobnicate')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(cmd('promote', 'clv')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('promote refuses a purchase/churn model trained with another feature schema than the code computes', async () => {
    const stale = await trainFake(registry, 'churn'); // trained on a 3-feature schema
    await expect(cmd('promote', 'churn', stale.version)).rejects.toMatchObject({ code: 'schema_mismatch' });
    const fresh = await trainFake(registry, 'churn', { schema: FEATURE_SCHEMA });
    expect((await cmd('promote', 'churn', fresh.version)).summary).toMatchObject({ version: fresh.version, changed: true });
  });
});
