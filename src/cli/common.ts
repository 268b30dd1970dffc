import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ZodError } from 'zod';
import { readEnv, type Env } from '../config/env.js';
import { DomainError, issuesFromZod, ValidationError } from '../domain/errors.js';
import { argvError, jsonRequested, UsageError } from './args.js';

/** Options every command takes (CONTRACT.md §2). */
export const COMMON_OPTIONS = {
  db: { type: 'string' },
  models: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export interface CommonArgs {
  env: Env;
  db: string;
  models: string;
  json: boolean;
}

export interface CommandOutput {
  summary: unknown;
  text: string;
  /** Non-zero when the command ran but part of it failed (the summary is still printed). */
  exitCode?: number;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv strictly; a bad or unknown option throws a UsageError naming it. */
export function parseOptions(argv: string[], options: Options, usage: string): Record<string, unknown> {
  const all = { ...COMMON_OPTIONS, ...options };
  try {
    return parseArgs({ args: argv, options: all, allowPositionals: false, strict: true }).values as Record<string, unknown>;
  } catch (error) {
    throw argvError(error, Object.keys(all), usage);
  }
}

/** --db, --models and --json, falling back to the environment (a bad variable is invalid input, not a crash). */
export function commonArgs(values: Record<string, unknown>): CommonArgs {
  let env: Env;
  try {
    env = readEnv();
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    throw new ValidationError('Invalid environment variable(s)', issuesFromZod(error, ['env']));
  }
  return {
    env,
    db: (values.db as string | undefined) ?? env.PROPEL_DB,
    models: (values.models as string | undefined) ?? env.PROPEL_MODELS,
    json: Boolean(values.json),
  };
}

/**
 * Runs a whole command, parsing included, so that a bad option is reported like any other error
 * (one JSON error object with --json, which is read from raw argv since parsing may be what failed).
 * --help prints the usage (as {"usage": ...} with --json).
 */
export async function runCli(
  argv: string[],
  options: Options,
  usage: string,
  main: (args: { common: CommonArgs; values: Record<string, unknown> }) => Promise<CommandOutput>,
): Promise<void> {
  await runCommand(jsonRequested(argv), async () => {
    const values = parseOptions(argv, options, usage);
    if (values.help) return { summary: { usage }, text: usage };
    return main({ common: commonArgs(values), values });
  });
}

/** Logs go to stderr so that stdout's last line can be the JSON summary. */
export function log(message: string): void {
  process.stderr.write(message + '\n');
}

/**
 * Runs a command: prints its JSON summary as the last stdout line with --json, a readable one
 * otherwise, exiting with the command's exitCode; a DomainError becomes a clear message (and an
 * error object with --json), exit 1.
 */
export async function runCommand(json: boolean, main: () => Promise<CommandOutput>): Promise<void> {
  try {
    const { summary, text, exitCode } = await main();
    if (json) process.stdout.write(JSON.stringify(summary) + '\n');
    else process.stdout.write(text + '\n');
    if (exitCode) process.exitCode = exitCode;
  } catch (error) {
    reportError(json, error);
    process.exitCode = 1;
  }
}

/** One error: a message (with issues and, for bad usage, the usage) on stderr; the error object on stdout with --json. */
export function reportError(json: boolean, error: unknown): void {
  const domain = error instanceof DomainError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  for (const issue of domain?.issues.slice(0, 20) ?? []) process.stderr.write(`  - ${issue.path.join('.')}: ${issue.message}\n`);
  if (error instanceof UsageError) process.stderr.write(`\n${error.usage}\n`);
  if (json) {
    process.stdout.write(JSON.stringify({ error: { code: domain?.code ?? 'internal', message, issues: domain?.issues ?? [] } }) + '\n');
  }
  // A stack only for what nobody anticipated: that is a bug to report.
  if (!domain) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
}
