/**
 * npm run generate -- --customers N --days D --seed S --out FILE [--customers-out FILE]
 *                     [--start YYYY-MM-DD] [--params FILE.json] [--gzip-level 0-9] [--quiet]
 *
 * Writes deterministic demo events (and optionally customer profiles) plus `<out>.truth.json`
 * with the true parameters. Progress goes to stderr; the last stdout line is a JSON summary.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ZodError } from 'zod';
import { generate } from '../src/generate/generate.js';
import { fileKind } from '../src/generate/write.js';

const USAGE = `usage: npm run generate -- [--customers N] [--days D] [--seed S] [--out FILE]
                         [--customers-out FILE] [--start YYYY-MM-DD] [--params FILE.json]
                         [--gzip-level 0-9] [--quiet]
  --out             events file: .csv, .ndjson or .jsonl, optionally .gz (default data/events.csv)
  --customers-out   customer profile file, same formats
  --params          JSON overrides of the generator parameters (see src/generate/params.ts)
defaults: --customers 1000 --days 365 --seed 42 --start 2024-01-01
also writes <out>.truth.json with the true parameters and per-customer truth`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'customers-out': { type: 'string' },
      start: { type: 'string' },
      params: { type: 'string' },
      'gzip-level': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const gzipLevel = integer('gzip-level', values['gzip-level']);
  if (gzipLevel !== undefined && gzipLevel > 9) throw new UsageError('--gzip-level must be 0–9');
  const out = values.out ?? 'data/events.csv';
  for (const file of [out, values['customers-out']]) {
    if (file === undefined) continue;
    try {
      fileKind(file);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const params: unknown = values.params ? JSON.parse(readFileSync(values.params, 'utf8')) : undefined;

  const bar =
    values.quiet === true
      ? null
      : new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: 'generate [{bar}] {percentage}% | {value}/{total} customers | {events} events | ETA {eta_formatted}',
            noTTYOutput: true,
            notTTYSchedule: 2000,
            hideCursor: null,
          },
          cliProgress.Presets.shades_classic,
        );
  let barStarted = false;

  const summary = await generate({
    customers: integer('customers', values.customers),
    days: integer('days', values.days),
    seed: integer('seed', values.seed),
    start: values.start,
    out,
    customersOut: values['customers-out'],
    params: params as never,
    gzipLevel,
    onProgress: (done, total, events) => {
      if (!bar) return;
      if (!barStarted) {
        bar.start(total, 0, { events: 0 });
        barStarted = true;
      }
      bar.update(done, { events });
    },
  });
  if (bar && barStarted) bar.stop();
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => `  ${i.path.join('.') || '(options)'}: ${i.message}`).join('\n');
    process.stderr.write(`generate: invalid options or parameters\n${issues}\n`);
    process.exitCode = 2;
  } else if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`generate: ${err.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`generate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
});
