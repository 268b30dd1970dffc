import { ValidationError, type Issue } from '../domain/errors.js';
import { parseAsOf, type AsOf } from '../features/as-of.js';

/** Bad command-line input; runCommand prints the usage on stderr after the message (never in the JSON error). */
export class UsageError extends ValidationError {
  constructor(
    message: string,
    issues: Issue[],
    readonly usage: string,
  ) {
    super(message, issues);
  }
}

/** Whether the caller asked for JSON, read from raw argv so that even a failed parse can answer in JSON. */
export function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  // '--json=1' is refused by the parser, but its error should still be JSON.
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--json' || arg.startsWith('--json='));
}

/** A node:util parseArgs error → a UsageError whose issue names the option (e.g. path ['seed']). */
export function argvError(error: unknown, knownOptions: readonly string[], usage: string): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const flag = /'(-{1,2}[^'\s<]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const near = closestOption(flag.replace(/^-+/, ''), knownOptions);
    const text = `Unknown option '${flag}'${near ? ` (did you mean --${near}?)` : ''}`;
    return new UsageError(text, [{ path: [flag.replace(/^-+/, '')], message: 'unknown option' }], usage);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    const name = flag.replace(/^-+/, '');
    // Node words a missing value as "argument missing" or, before another option, "ambiguous".
    return /does not take/.test(message)
      ? new UsageError(`Option '${flag}' does not take a value`, [{ path: [name], message: 'takes no value' }], usage)
      : new UsageError(`Option '${flag}' needs a value (one starting with '-' is given as ${flag}=-X)`, [{ path: [name], message: 'value missing' }], usage);
  }
  return new UsageError(message, [], usage);
}

/** The known option nearest to a mistyped one (a typo or two, or a prefix of it), if any. */
export function closestOption(name: string, knownOptions: readonly string[]): string | undefined {
  // Short names allow one typo only, else '-x' would "mean" --db.
  const allowed = name.length >= 5 ? 2 : 1;
  let best: { option: string; distance: number } | undefined;
  for (const option of knownOptions) {
    const distance = option.startsWith(name) && name.length >= 3 ? 1 : editDistance(name, option);
    if (distance <= allowed && (!best || distance < best.distance)) best = { option, distance };
  }
  return best?.option;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * A whole-number option (digits only, so '1e3', '1.5', '' and 'abc' are refused rather than
 * becoming NaN or a surprise value further down); undefined when the option was not given.
 */
export function wholeNumberOption(name: string, value: unknown, range: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= range.min && n <= range.max)) {
    const allowed = range.max === Number.MAX_SAFE_INTEGER ? `≥ ${range.min}` : `from ${range.min} to ${range.max}`;
    throw new ValidationError(`--${name} must be a whole number ${allowed}, got '${text}'`, [{ path: [name], message: `not a whole number ${allowed}` }]);
  }
  return n;
}

/** A calendar-day option YYYY-MM-DD; undefined when the option was not given. */
export function dateOption(name: string, value: unknown): AsOf | undefined {
  if (value === undefined) return undefined;
  try {
    return parseAsOf(String(value), name);
  } catch (error) {
    // parseAsOf names the field bare ('as-of must be ...'); on the command line it is the flag.
    if (error instanceof ValidationError) throw new ValidationError(`--${error.message}`, error.issues);
    throw error;
  }
}
