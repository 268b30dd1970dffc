/**
 * Errors raised by the CLV models (BG/NBD, Gamma-Gamma, CLV).
 *
 * The most common complaint about the Python `lifetimes` library is its opaque
 * "The model did not converge" error. Every error here carries a machine-readable
 * `code`, the offending customers/fields (when the input is at fault), and a
 * message that says what is wrong AND what to try.
 */

export type ClvErrorCode =
  /** A value is missing, non-finite, out of range or inconsistent (e.g. t_x > T), or the data is empty. */
  | 'invalid_input'
  /** Fewer customers than the model can sensibly be fitted on. */
  | 'too_few_customers'
  /** No customer made a repeat purchase: dropout / spend parameters are not identifiable. */
  | 'no_repeat_buyers'
  /** The optimiser stopped before meeting its tolerance. */
  | 'not_converged'
  /** The optimum lies at a boundary / infinity of the parameter space, or a prediction is not finite. */
  | 'degenerate';

/** One problem found in one input row. */
export interface ClvInputIssue {
  /** 0-based position of the row in the input array. */
  index: number;
  /** Customer id of the row, when the row has one. */
  customerId?: string | number;
  /** Name of the offending field, e.g. "recency". */
  field: string;
  /** The offending value (NaN/Infinity are kept as numbers). */
  value: unknown;
  /** Human-readable description, e.g. "must be <= T (38.86)". */
  problem: string;
}

export interface ClvFitErrorDetails {
  issues?: ClvInputIssue[];
  /** Free-form diagnostic values (optimiser state, parameter values...). JSON-serialisable. */
  diagnostics?: Record<string, unknown>;
}

export class ClvFitError extends Error {
  readonly code: ClvErrorCode;
  readonly issues: ClvInputIssue[];
  readonly diagnostics: Record<string, unknown>;

  constructor(code: ClvErrorCode, message: string, details: ClvFitErrorDetails = {}) {
    super(message);
    this.name = 'ClvFitError';
    this.code = code;
    this.issues = details.issues ?? [];
    this.diagnostics = details.diagnostics ?? {};
  }
}

/** Formats "customer #3 (id "c-17")" for messages. */
export function describeRow(index: number, customerId?: string | number): string {
  return customerId === undefined ? `customer #${index}` : `customer #${index} (id ${JSON.stringify(customerId)})`;
}

const MAX_LISTED_ISSUES = 5;

/**
 * Throws an `invalid_input` ClvFitError listing the first few issues, or does nothing
 * when `issues` is empty.
 */
export function throwIfIssues(issues: ClvInputIssue[], context: string, hint: string): void {
  if (issues.length === 0) return;
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((i) => `  - ${describeRow(i.index, i.customerId)}: field "${i.field}" = ${formatValue(i.value)} ${i.problem}`)
    .join('\n');
  const more = issues.length > MAX_LISTED_ISSUES ? `\n  ... and ${issues.length - MAX_LISTED_ISSUES} more` : '';
  throw new ClvFitError(
    'invalid_input',
    `${context}: ${issues.length} invalid value(s):\n${listed}${more}\n${hint}`,
    { issues },
  );
}

export function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === undefined) return 'undefined';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
