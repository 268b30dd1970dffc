/** One problem with one field of the input; `path` names the field, e.g. ["events", 3, "ts"]. */
export interface Issue {
  path: (string | number)[];
  message: string;
}

type ZodIssueLike = { code?: string; path: readonly PropertyKey[]; message: string; keys?: readonly string[] };

/**
 * zod issues → issues with path arrays, under an optional prefix such as ['events', 3]. An unknown
 * field is named by its own path (zod reports it on the enclosing object).
 */
export function issuesFromZod(error: { issues: readonly ZodIssueLike[] }, prefix: (string | number)[] = []): Issue[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      return issue.keys.map((key) => ({ path: [...path, key], message: `Unknown field '${key}'` }));
    }
    return [{ path, message: issue.message }];
  });
}

/** Base of every error the product reports on purpose; `code` is stable for programs to branch on. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, issues: Issue[] = []) {
    super('invalid_input', message, 400, issues);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', message, 404);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, issues: Issue[] = []) {
    super('conflict', message, 409, issues);
  }
}

/** The DuckDB file is locked by another process (DuckDB allows one writer process per file). */
export class StoreBusyError extends DomainError {
  constructor(readonly file: string, readonly holder: string | undefined) {
    super(
      'store_busy',
      `The store ${file} is in use by another process${holder ? ` (${holder})` : ''}. ` +
        'DuckDB lets one process open a database file for writing at a time: stop that process ' +
        '(for example the running service) and try again, or send the data to the running service ' +
        'through its HTTP API (POST /v1/events).',
      503,
    );
  }
}

export class StoreError extends DomainError {
  constructor(message: string) {
    super('store_error', message, 500);
  }
}

/** With --strict, any rejected row fails the whole file and nothing is written. */
export class StrictRejectError extends DomainError {
  constructor(rejected: number, issues: Issue[]) {
    super('rejected_rows', `${rejected} row(s) were rejected and --strict is set: nothing was written`, 422, issues);
  }
}
