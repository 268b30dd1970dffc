import type { z } from 'zod';
import { DomainError, ValidationError, type Issue } from '../../domain/errors.js';

/**
 * Stable codes for training data that cannot be built:
 * - `no_data`: the store holds no events.
 * - `horizon_incomplete`: a label window reaches past the as-of day or past the latest stored event,
 *   so its labels would be wrong (a customer who buys tomorrow would count as a non-buyer).
 * - `insufficient_history`: a cutoff (validation or every training one) falls before the data starts.
 * - `empty_population`: no customer is in the label population (e.g. nobody active before a churn cutoff).
 * - `unknown_feature`: a model asks for a feature column the feature frame does not have.
 */
export type DatasetErrorCode = 'no_data' | 'horizon_incomplete' | 'insufficient_history' | 'empty_population' | 'unknown_feature';

export class DatasetError extends DomainError {
  constructor(
    override readonly code: DatasetErrorCode,
    message: string,
    issues: Issue[] = [],
  ) {
    super(code, message, 422, issues);
  }
}

/** Parses with a zod schema; a failure becomes a ValidationError whose issues name the option paths. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
  }));
  const first = issues[0];
  throw new ValidationError(`Invalid ${what}${first ? `: ${first.path.join('.') || '(root)'}: ${first.message}` : ''}`, issues);
}
