/** Shared argument checks for the prediction functions (fail loudly, never return NaN). */

import { ClvFitError } from './errors.js';

export function assertPositiveParams(params: Record<string, number>, model: string): void {
  for (const [name, v] of Object.entries(params)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new ClvFitError(
        'invalid_input',
        `${model} parameter "${name}" must be a positive finite number, got ${String(v)}. ` +
          'Use the params object returned by the fit function (or the saved model artifact) unchanged.',
      );
    }
  }
}

export function assertCustomer(fn: string, x: number, tx: number, T: number): void {
  const bad = (field: string, value: number, problem: string): never => {
    throw new ClvFitError('invalid_input', `${fn}: argument "${field}" = ${String(value)} ${problem}.`, {
      issues: [{ index: 0, field, value, problem }],
    });
  };
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || !Number.isInteger(x)) {
    bad('frequency', x, '(x) must be a whole number >= 0');
  }
  if (typeof T !== 'number' || !Number.isFinite(T) || T < 0) bad('T', T, 'must be a finite number >= 0');
  if (typeof tx !== 'number' || !Number.isFinite(tx) || tx < 0) bad('recency', tx, '(t_x) must be a finite number >= 0');
  if (tx > T * (1 + 1e-9) + 1e-12) bad('recency', tx, `(t_x) must be <= T (${T})`);
}

export function assertHorizon(fn: string, t: number): void {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new ClvFitError('invalid_input', `${fn}: horizon t = ${String(t)} must be a finite number >= 0.`);
  }
}

/** Final guard: a prediction that is not finite is an error, never a value. */
export function finiteOrThrow(fn: string, value: number, context: Record<string, unknown>): number {
  if (!Number.isFinite(value)) {
    throw new ClvFitError(
      'degenerate',
      `${fn} produced a non-finite value (${String(value)}) for ${JSON.stringify(context)}. ` +
        'The parameters are probably at an extreme; refit with a penalizer (e.g. 0.001–0.1).',
      { diagnostics: context },
    );
  }
  return value;
}

/** log-parameters beyond this are treated as "diverged" (param > ~1e6 or < ~1e-6). */
export const LOG_PARAM_LIMIT = Math.log(1e6);
/** The objectives refuse to go further than this (keeps the simplex out of overflow land). */
export const LOG_PARAM_HARD_LIMIT = 30;

/** The L2 penalizer of a fit (lifetimes-style); 0 means the plain maximum-likelihood estimate. */
export function checkPenalizer(penalizer: number): number {
  if (!(penalizer >= 0) || !Number.isFinite(penalizer)) {
    throw new ClvFitError('invalid_input', `penalizer must be a finite number >= 0, got ${penalizer}.`);
  }
  return penalizer;
}
