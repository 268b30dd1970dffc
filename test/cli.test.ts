import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const TSX = path.resolve('node_modules/.bin/tsx');
let dir: string;
let db: string;

async function cli(script: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(TSX, [`scripts/${script}.ts`, '--db', db, ...args], {
      env: { ...process.env, PROPEL_ID_HASH_KEY: 'cli-test-key-0123456789' },
    });
    return { code: 0, stdout, stderr, json: JSON.parse(stdout.trim().split('\n').at(-1)!) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, json: JSON.parse(e.stdout.trim().split('\n').at(-1)!) };
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

  it('reports a bad flag and a missing file as errors with a non-zero exit', async () => {
    const missing = await cli('ingest', ['--events', path.join(dir, 'nope.csv'), '--json']);
    expect(missing.code).not.toBe(0);
    expect(missing.json.error.message).toMatch(/No such file/);
    const badDate = await cli('score', ['--output', path.join(dir, 'x.csv'), '--as-of', '2024-13-40', '--json']);
    expect(badDate.code).not.toBe(0);
    expect(badDate.json.error.issues[0].path).toEqual(['as-of']);
  });
});
