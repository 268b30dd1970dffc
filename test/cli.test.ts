import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argvError, closestOption, dateOption, jsonRequested, wholeNumberOption } from '../src/cli/args.js';
import { asOfWarnings, missingModels, missingModelWarning, registeredVersions } from '../src/cli/score-checks.js';
import { trainExitCode, trainSummary, trainText } from '../src/cli/train-summary.js';
import type { TargetResult } from '../src/ml/train/run.js';
import { ModelRegistry } from '../src/ml/registry/registry.js';
import { trainFake } from '../src/ml/registry/test-helpers.js';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const TSX = path.resolve('node_modules/.bin/tsx');
let dir: string;
let db: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line as JSON; undefined when it is not JSON. */
  json: any;
}

/** Runs scripts/<script>.ts with exactly these arguments; models go to a fresh directory, never the repo's models/. */
async function script(name: string, args: string[]): Promise<CliResult> {
  const env = { ...process.env, PROPEL_ID_HASH_KEY: 'cli-test-key-0123456789', PROPEL_MODELS: path.join(dir, 'models') };
  let result: Omit<CliResult, 'json'>;
  try {
    result = { code: 0, ...(await run(TSX, [`scripts/${name}.ts`, ...args], { env })) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  let json: unknown;
  try {
    json = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
  } catch {
    json = undefined;
  }
  return { ...result, json };
}

/** A command that takes --db, run on the test store. */
const cli = (name: string, args: string[]) => script(name, ['--db', db, ...args]);

/** What a clean error looks like: non-zero, no stack trace, and with --json exactly one JSON error object. */
function expectCleanError(result: CliResult, json: boolean) {
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/error: /);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  if (json) {
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.json.error.code).toBe('invalid_input');
  } else {
    expect(result.stdout).toBe('');
  }
}

beforeAll(async () => {
  dir = tempDir();
  db = path.join(dir, 'store.duckdb');
  await run(TSX, ['scripts/generate.ts', '--customers', '200', '--days', '200', '--seed', '5', '--out', path.join(dir, 'ev.csv'), '--customers-out', path.join(dir, 'cu.csv'), '--quiet']);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('command line (CONTRACT.md §2)', () => {
  it('ingest --json prints the contract summary as the last stdout line, and re-ingest adds nothing', async () => {
    const first = await cli('ingest', ['--events', path.join(dir, 'ev.csv'), '--customers', path.join(dir, 'cu.csv'), '--json']);
    expect(first.code).toBe(0);
    for (const key of ['read', 'ingested', 'duplicates', 'rejected', 'rejects_file']) expect(first.json).toHaveProperty(key);
    expect(first.json.ingested).toBeGreaterThan(1000);
    expect(first.json.ingested).toBe(first.json.read);
    const again = await cli('ingest', ['--events', path.join(dir, 'ev.csv'), '--json']);
    expect(again.json).toMatchObject({ ingested: 0, duplicates: first.json.ingested });
  });

  it('score writes the contract columns with empty model columns and summarises on stderr', async () => {
    const output = path.join(dir, 'scores.csv');
    const scored = await cli('score', ['--output', output, '--json']);
    expect(scored.code).toBe(0);
    expect(scored.json).toMatchObject({ output });
    expect(scored.stderr).toMatch(/Pareto: the top 20.0% of customers/);
    const lines = fs.readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'customer_id,purchase_probability,churn_probability,expected_purchases,p_alive,predicted_clv,rfm_score,rfm_segment,lifecycle_segment,value_tier,super_user_score,potential_tier',
    );
    expect(lines.length - 1).toBe(scored.json.customers);
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const row of rows) {
      expect(row.slice(1, 6).every((v) => v === '')).toBe(true);
      expect(row[6]).toMatch(/^([1-5]{3})?$/);
      expect(['', 'new', 'core', 'dozing', 'half_asleep', 'sleeping']).toContain(row[8]);
      expect(['', 'diamond', 'gold', 'general']).toContain(row[9]);
      if (row[10] !== '') expect(Number(row[10])).toBeGreaterThanOrEqual(0);
    }
  });

  it('applies --map to the events file and --customers-map to the profile file in one run', async () => {
    fs.writeFileSync(path.join(dir, 'ev2.csv'), 'Kunde,Art,Zeit\nK1,visit,2024-02-01\n');
    fs.writeFileSync(path.join(dir, 'cu2.csv'), 'Nr,consent_email\nK1,true\n');
    const both = await cli('ingest', [
      '--events', path.join(dir, 'ev2.csv'), '--map', 'customer_id=Kunde,type=Art,ts=Zeit',
      '--customers', path.join(dir, 'cu2.csv'), '--customers-map', 'customer_id=Nr', '--json',
    ]);
    expect(both.code).toBe(0);
    expect(both.json).toMatchObject({ ingested: 1, customers: { ingested: 1 } });
  });

  it('reports a bad flag and a missing file as errors with a non-zero exit, naming the option that gave the file', async () => {
    const missing = await cli('ingest', ['--events', path.join(dir, 'nope.csv'), '--json']);
    expect(missing.code).not.toBe(0);
    expect(missing.json.error.message).toMatch(/No such file/);
    expect(missing.json.error.issues[0].path).toEqual(['events']);
    const badDate = await cli('score', ['--output', path.join(dir, 'x.csv'), '--as-of', '2024-13-40', '--json']);
    expect(badDate.code).not.toBe(0);
    expect(badDate.json.error.issues[0].path).toEqual(['as-of']);
  });

  it('exits 1 with a warning, still printing the summary, when every row of a file is rejected (a wrong --ts-format)', async () => {
    const file = path.join(dir, 'wrong-format.csv');
    fs.writeFileSync(file, 'customer_id,type,ts\nX1,visit,2024-01-05 10:00:00\nX2,visit,2024-01-06 11:00:00\n');
    const result = await cli('ingest', ['--events', file, '--ts-format', '%d/%m/%Y %H:%M', '--json']);
    expect(result.code).toBe(1);
    expect(result.json).toMatchObject({ read: 2, ingested: 0, rejected: 2 });
    expect(result.stderr).toMatch(/warning: nothing from .*wrong-format\.csv was ingested: all 2 rows were rejected\. The first: line 2, ts: /);
  });

  it('prints one JSON error object naming --unknown-flag when the option is unknown, for every command', async () => {
    const results = await Promise.all([
      cli('train', ['--target', 'purchase', '--unknown-flag', '--json']),
      cli('score', ['--output', path.join(dir, 'x.csv'), '--unknown-flag', '--json']),
      cli('ingest', ['--events', path.join(dir, 'ev.csv'), '--unknown-flag', '--json']),
      script('generate', ['--unknown-flag', '--json']),
      script('models', ['list', '--unknown-flag', '--json']),
    ]);
    for (const result of results) {
      expectCleanError(result, true);
      expect(result.json.error.message).toMatch(/Unknown option '--unknown-flag'/);
    }
  });

  it('reports a mistyped option on stderr with the likely intended one and the usage, and nothing on stdout, without --json', async () => {
    const result = await cli('train', ['--target', 'purchase', '--seeed', '3']);
    expectCleanError(result, false);
    expect(result.stderr).toMatch(/Unknown option '--seeed' \(did you mean --seed\?\)/);
    expect(result.stderr).toMatch(/Usage: npm run train/);
  });

  it('refuses a malformed number or date as invalid_input naming the option, before touching the store', async () => {
    const cases: [string, string[], string][] = [
      ['train', ['--target', 'purchase', '--seed', 'abc'], 'seed'],
      ['train', ['--target', 'purchase', '--horizon', '4000'], 'horizon'],
      ['train', ['--target', 'purchase', '--as-of', '2024-02-30'], 'as-of'],
      ['train', ['--target', 'purchase', '--cutoff', 'soon'], 'cutoff'],
      ['generate', ['--days', 'many'], 'days'],
    ];
    const untouched = path.join(dir, 'never-opened.duckdb');
    const results = await Promise.all(
      cases.map(([name, args]) => script(name, [...(name === 'generate' ? [] : ['--db', untouched]), ...args, '--json'])),
    );
    results.forEach((result, i) => {
      const option = cases[i]![2];
      expectCleanError(result, true);
      expect(result.json.error.message).toContain(`--${option}`);
      expect(result.json.error.issues[0].path).toEqual([option]);
    });
    expect(fs.existsSync(untouched)).toBe(false);
  });

  it("exits non-zero when a target of --target all fails, still printing every target's result with null for what a failed one lacks", async () => {
    const tiny = path.join(dir, 'tiny.duckdb');
    fs.writeFileSync(path.join(dir, 'tiny.csv'), 'customer_id,type,ts,amount\nK1,purchase,2024-02-01,10\nK2,purchase,2024-02-05,5\n');
    expect((await script('ingest', ['--db', tiny, '--events', path.join(dir, 'tiny.csv'), '--json'])).code).toBe(0);
    const trained = await script('train', ['--db', tiny, '--models', path.join(dir, 'tiny-models'), '--target', 'all', '--json']);
    expect(trained.code).not.toBe(0);
    expect(trained.stdout.trim().split('\n')).toHaveLength(1);
    expect(Object.keys(trained.json)).toEqual(['purchase', 'churn', 'clv']);
    for (const result of Object.values(trained.json) as Record<string, unknown>[]) {
      expect(result).toMatchObject({ version: null, backend: null, kind: null, promoted: false, error: { code: expect.any(String) } });
    }
  });

  it("keeps a successful target's result as it is and nulls only the failed target's version, backend and kind", () => {
    const ok: TargetResult = { target: 'purchase', version: 'v0001', backend: 'cpu', kind: 'mlp', promoted: true, metrics: { auc: 0.8 } };
    const failed: TargetResult = { target: 'clv', version: null, backend: null, kind: null, promoted: false, error: { code: 'clv_degenerate', message: 'boundary' } };
    expect(trainSummary([ok, failed])).toEqual({ purchase: ok, clv: failed });
    expect(trainExitCode([ok, failed])).toBe(1);
    expect(trainExitCode([ok])).toBe(0);
    expect(trainSummary([ok])).toEqual(ok);
  });

  it("repeats CLV's holdout warnings under its line of the closing summary", () => {
    const clv: TargetResult = {
      target: 'clv',
      version: 'v0002',
      backend: 'cpu',
      kind: 'bgnbd+gamma_gamma',
      promoted: true,
      metrics: { holdout: { warnings: ['dropout not identified', 'forecast 26% short'] } },
    };
    expect(trainText([clv]).split('\n')).toEqual(['clv: v0002 (bgnbd+gamma_gamma, cpu), promoted', '  warning: dropout not identified', '  warning: forecast 26% short']);
  });

  it('warns on stderr for each target without a current model and lists them in models_missing, stdout staying one JSON object', async () => {
    const nowhere = path.join(dir, 'no-models-here');
    const scored = await cli('score', ['--output', path.join(dir, 'scores-nomodels.csv'), '--models', nowhere, '--json']);
    expect(scored.code).toBe(0);
    expect(scored.stdout.trim().split('\n')).toHaveLength(1);
    expect(scored.json.models_missing).toEqual(['purchase', 'churn', 'clv']);
    expect(scored.stderr).toContain(`warning: no current clv model in ${nowhere} (no such directory): expected_purchases, p_alive, predicted_clv stay empty`);
    expect(scored.stderr).toContain(`warning: no current purchase model in ${nowhere} (no such directory): purchase_probability stays empty`);
    expect(scored.stderr).toMatch(/no current churn model/);
  });

  it('names only the targets whose model is missing, the columns each leaves empty, and points to unpromoted versions', async () => {
    expect(missingModels({ purchase: 'v0001', churn: 'v0002', clv: null })).toEqual(['clv']);
    expect(missingModels({ purchase: 'v0001', churn: 'v0002', clv: 'v0003' })).toEqual([]);
    expect(missingModelWarning('clv', 'models', 0)).toBe(
      'warning: no current clv model in models: expected_purchases, p_alive, predicted_clv stay empty (train with npm run train -- --target clv)',
    );
    expect(missingModelWarning('churn', 'models', 2)).toBe(
      'warning: no current churn model in models: churn_probability stays empty (2 version(s) registered but none promoted: see npm run models -- list --target churn)',
    );
    const registry = new ModelRegistry(path.join(dir, 'registered-models'));
    await trainFake(registry, 'churn');
    // A version directory a failed run left without metadata is not a registered version.
    fs.mkdirSync(path.join(registry.root, 'clv', 'v0001-20240101T000000Z'), { recursive: true });
    expect(await registeredVersions(registry, 'churn')).toBe(1);
    expect(await registeredVersions(registry, 'clv')).toBe(0);
    expect(await registeredVersions(new ModelRegistry(path.join(dir, 'absent')), 'clv')).toBeUndefined();
  });

  it('refuses an --output that is a directory, or lies under a file, as invalid_input naming --output', async () => {
    const [directory, underFile] = await Promise.all([
      cli('score', ['--output', dir, '--json']),
      cli('score', ['--output', path.join(dir, 'ev.csv', 'scores.csv'), '--json']),
    ]);
    for (const result of [directory, underFile]) {
      expectCleanError(result, true);
      expect(result.json.error.message).toMatch(/^--output /);
      expect(result.json.error.issues[0].path).toEqual(['output']);
    }
    expect(directory.json.error.message).toMatch(/is a directory/);
  });

  it('creates missing directories of --output and warns when --as-of is before the first event', async () => {
    const output = path.join(dir, 'new', 'deeper', 'early.csv');
    const scored = await cli('score', ['--output', output, '--as-of', '2020-01-01', '--json']);
    expect(scored.code).toBe(0);
    expect(scored.json.customers).toBe(0);
    expect(fs.readFileSync(output, 'utf8')).toMatch(/^customer_id,purchase_probability,/);
    expect(scored.stderr).toMatch(/warning: --as-of 2020-01-01 is before the first event \(2024-01-0\d\): no event counts, and the file holds 0 customer\(s\)/);
  });

  it('warns that every recency grows when --as-of is after the latest event', async () => {
    const scored = await cli('score', ['--output', path.join(dir, 'late.csv'), '--as-of', '2030-01-01', '--json']);
    expect(scored.code).toBe(0);
    expect(scored.json.customers).toBeGreaterThan(0);
    expect(scored.stderr).toMatch(/warning: --as-of 2030-01-01 is \d+ day\(s\) after the latest event \(2024-\d\d-\d\d\): every customer's recency grows/);
  });

  it('says nothing about --as-of inside the data, and counts the days past the latest event', () => {
    const days = { firstEventDay: '2024-01-01', latestEventDay: '2024-07-18' };
    expect(asOfWarnings('2024-03-01', days, 10)).toEqual([]);
    expect(asOfWarnings('2024-07-18', days, 10)).toEqual([]);
    expect(asOfWarnings('2024-07-28', days, 10)[0]).toMatch(/is 10 day\(s\) after the latest event/);
  });
});

describe('command-line parsing helpers', () => {
  it('takes digits only for a whole-number option, within its range, and names the flag otherwise', () => {
    const seed = { min: 0, max: Number.MAX_SAFE_INTEGER };
    expect(wholeNumberOption('seed', '7', seed)).toBe(7);
    expect(wholeNumberOption('seed', undefined, seed)).toBeUndefined();
    for (const bad of ['abc', '1.5', '1e3', '', ' 7', '-1', '99999999999999999999']) {
      expect(() => wholeNumberOption('seed', bad, seed)).toThrow(/^--seed must be a whole number ≥ 0/);
    }
    expect(() => wholeNumberOption('horizon', '3651', { min: 1, max: 3650 })).toThrow("--horizon must be a whole number from 1 to 3650, got '3651'");
    expect(() => wholeNumberOption('horizon', '0', { min: 1, max: 3650 })).toThrow(/--horizon/);
    expect(dateOption('as-of', '2024-02-29')).toBe('2024-02-29');
    expect(() => dateOption('as-of', '2023-02-29')).toThrow("--as-of must be a date YYYY-MM-DD, got '2023-02-29'");
  });

  it('names the option whose value is missing, or which takes none', () => {
    const parse = (args: string[]) => {
      try {
        parseArgs({ args, options: { seed: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
      } catch (error) {
        return argvError(error, ['seed', 'json'], 'usage');
      }
      throw new Error('parsed');
    };
    expect(parse(['--seed']).issues).toEqual([{ path: ['seed'], message: 'value missing' }]);
    expect(parse(['--seed', '--json']).message).toBe("Option '--seed' needs a value (one starting with '-' is given as --seed=-X)");
    expect(parse(['--json=1']).issues).toEqual([{ path: ['json'], message: 'takes no value' }]);
  });

  it('reads --json from raw argv, ignoring what follows --', () => {
    expect(jsonRequested(['--target', 'all', '--json'])).toBe(true);
    expect(jsonRequested(['--json=1'])).toBe(true);
    expect(jsonRequested(['--target', 'all', '--', '--json'])).toBe(false);
  });

  it('suggests the known option a typo most likely meant, and none for an unrelated one', () => {
    const known = ['target', 'horizon', 'as-of', 'cutoff', 'seed', 'db', 'models', 'json', 'help'];
    expect(closestOption('horizn', known)).toBe('horizon');
    expect(closestOption('asof', known)).toBe('as-of');
    expect(closestOption('hor', known)).toBe('horizon');
    expect(closestOption('unknown-flag', known)).toBeUndefined();
    expect(closestOption('x', known)).toBeUndefined();
  });
});
