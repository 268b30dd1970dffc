/**
 * npm run generate -- --customers N --days D --seed S --out FILE [--customers-out FILE]
 *                     [--start YYYY-MM-DD] [--params FILE.json] [--gzip-level 0-9] [--quiet] [--json]
 *
 * Writes deterministic demo events (and optionally customer profiles) plus `<out>.truth.json`
 * with the true parameters. Progress goes to stderr; the last stdout line is a JSON summary
 * (and, with --json, an error is one JSON error object as with the other commands).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ZodError } from 'zod';
import { argvError, jsonRequested, UsageError, wholeNumberOption } from '../src/cli/args.js';
import { reportError } from '../src/cli/common.js';
import { issuesFromZod, ValidationError } from '../src/domain/errors.js';
import { generate } from '../src/generate/generate.js';
import { fileKind } from '../src/generate/write.js';

const USAGE = `usage: npm run generate -- [--customers N] [--days D] [--seed S] [--out FILE]
                         [--customers-out FILE] [--start YYYY-MM-DD] [--params FILE.json]
                         [--gzip-level 0-9] [--quiet] [--json]
  --out             events file: .csv, .ndjson or .jsonl, optionally .gz (default data/events.csv)
  --customers-out   customer profile file, same formats
  --params          JSON overrides of the generator parameters (see src/generate/params.ts)
  --json            an error is also printed as one JSON object on stdout (the summary always is JSON)
defaults: --customers 1000 --days 365 --seed 42 --start 2024-01-01
also writes <out>.truth.json with the true parameters and per-customer truth`;

const integer = (name: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER) => wholeNumberOption(name, value, { min: 0, max });

const OPTIONS = {
  customers: { type: 'string' },
  days: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  'customers-out': { type: 'string' },
  start: { type: 'string' },
  params: { type: 'string' },
  'gzip-level': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The --params file: unreadable or not JSON is bad input naming --params, not a crash. */
function readParams(file: string | undefined): unknown {
  if (file === undefined) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ValidationError(`--params ${file}: ${(error as Error).message}`, [{ path: ['params'], message: 'unreadable or not JSON' }]);
  }
}

async function main(argv: string[]): Promise<void> {
  let values;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw argvError(error, Object.keys(OPTIONS), USAGE);
  }
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const gzipLevel = integer('gzip-level', values['gzip-level'], 9);
  const out = values.out ?? 'data/events.csv';
  for (const [option, file] of [['out', out], ['customers-out', values['customers-out']]] as const) {
    if (file === undefined) continue;
    try {
      fileKind(file);
    } catch (err) {
      throw new UsageError((err as Error).message, [{ path: [option], message: 'unsupported file type' }], USAGE);
    }
  }
  const params = readParams(values.params);

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

const argv = process.argv.slice(2);
main(argv).catch((err: unknown) => {
  const error = err instanceof ZodError ? new ValidationError('invalid options or parameters', issuesFromZod(err)) : err;
  reportError(jsonRequested(argv), error);
  // Bad input exits 2, as this command always has; anything else 1.
  process.exitCode = error instanceof ValidationError ? 2 : 1;
});
