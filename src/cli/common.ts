import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readEnv, type Env } from '../config/env.js';
import { DomainError, ValidationError } from '../domain/errors.js';

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

export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: false, strict: true });
  } catch (error) {
    throw new ValidationError(`${(error as Error).message}\n\n${usage}`);
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    process.stdout.write(usage + '\n');
    process.exit(0);
  }
  const env = readEnv();
  const common: CommonArgs = {
    env,
    db: (values.db as string | undefined) ?? env.PROPEL_DB,
    models: (values.models as string | undefined) ?? env.PROPEL_MODELS,
    json: Boolean(values.json),
  };
  return { common, values };
}

/** Logs go to stderr so that stdout's last line can be the JSON summary. */
export function log(message: string): void {
  process.stderr.write(message + '\n');
}

/**
 * Runs a command: prints its JSON summary as the last stdout line with --json, a readable one
 * otherwise; a DomainError becomes a clear message (and an error object with --json), exit 1.
 */
export async function runCommand(json: boolean, main: () => Promise<{ summary: unknown; text: string }>): Promise<void> {
  try {
    const { summary, text } = await main();
    if (json) process.stdout.write(JSON.stringify(summary) + '\n');
    else process.stdout.write(text + '\n');
  } catch (error) {
    const domain = error instanceof DomainError ? error : undefined;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    for (const issue of domain?.issues.slice(0, 20) ?? []) process.stderr.write(`  - ${issue.path.join('.')}: ${issue.message}\n`);
    if (json) {
      process.stdout.write(
        JSON.stringify({ error: { code: domain?.code ?? 'internal', message, issues: domain?.issues ?? [] } }) + '\n',
      );
    }
    if (!domain) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    process.exitCode = 1;
  }
}
