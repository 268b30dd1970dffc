/**
 * Per-customer RFM summary (frequency, recency, T, monetary value) from a transaction
 * log, following lifetimes' `summary_data_from_transaction_data` (freq='D'):
 *
 *  - Purchases are bucketed by UTC calendar day; several purchases on the same day
 *    count as ONE purchase period, with their amounts summed.
 *  - frequency x      = number of purchase days − 1 (repeat purchase periods).
 *  - recency t_x      = (last purchase day − first purchase day) / timeUnitDays.
 *  - T                = (observation end day − first purchase day) / timeUnitDays.
 *  - monetaryValue    = mean of the per-day amounts of the REPEAT days (first day
 *                       excluded); 0 when x = 0.
 *  - Transactions after the observation end's day are ignored (like lifetimes).
 *
 * With timeUnitDays = 7 the day-resolution recency/T are expressed in weeks (the
 * CDNOW convention: 30.43 weeks = 213 days), like lifetimes' freq='D',
 * freq_multiplier=7.
 */

import { ClvFitError, type ClvInputIssue, throwIfIssues } from './errors.js';

export type CustomerId = string | number;

export interface Transaction {
  customerId: CustomerId;
  /** Date, or epoch milliseconds. */
  ts: Date | number;
  amount: number;
}

/** Frequency / recency / age of one customer (the BG/NBD sufficient statistics). */
export interface RfmRow {
  customerId?: CustomerId;
  /** x: number of repeat purchase periods (integer ≥ 0). */
  frequency: number;
  /** t_x: time from first to last purchase, in model time units (0 when x = 0). */
  recency: number;
  /** T: time from first purchase to the observation end, in model time units. */
  T: number;
}

/** RFM row with the mean value of the repeat purchases (Gamma-Gamma input). */
export interface RfmMonetaryRow extends RfmRow {
  /** Mean value of the repeat purchase periods, excluding the first purchase; 0 when x = 0. */
  monetaryValue: number;
}

export interface CustomerSummary extends RfmMonetaryRow {
  customerId: CustomerId;
}

export interface SummaryOptions {
  /** End of the observation window (inclusive, at day resolution). */
  observationEnd: Date | number;
  /** Length of one model time unit in days (1 = days, 7 = weeks). Default 1. */
  timeUnitDays?: number;
}

const MS_PER_DAY = 86_400_000;

function toMs(ts: Date | number): number {
  return ts instanceof Date ? ts.getTime() : ts;
}

/**
 * Builds one summary row per customer seen on or before the observation end, in the
 * order customers first appear in `transactions`.
 *
 * @throws ClvFitError('invalid_input') for an empty log, an invalid timestamp /
 *   amount / customer id (naming the transaction index and customer), a bad
 *   `timeUnitDays`/`observationEnd`, or when no transaction falls before the end.
 */
export function summaryFromTransactions(
  transactions: readonly Transaction[],
  options: SummaryOptions,
): CustomerSummary[] {
  const timeUnitDays = options.timeUnitDays ?? 1;
  if (!(timeUnitDays > 0) || !Number.isFinite(timeUnitDays)) {
    throw new ClvFitError('invalid_input', `timeUnitDays must be a positive finite number of days, got ${timeUnitDays}.`);
  }
  const endMs = toMs(options.observationEnd);
  if (typeof endMs !== 'number' || !Number.isFinite(endMs)) {
    throw new ClvFitError('invalid_input', `observationEnd is not a valid date/epoch-ms value (${String(options.observationEnd)}).`);
  }
  if (transactions.length === 0) {
    throw new ClvFitError(
      'invalid_input',
      'summaryFromTransactions: the transaction list is empty. Check the upstream query / date filter.',
    );
  }
  const endDay = Math.floor(endMs / MS_PER_DAY);

  const issues: ClvInputIssue[] = [];
  // customer -> (day -> summed amount)
  const byCustomer = new Map<CustomerId, Map<number, number>>();
  transactions.forEach((tr, index) => {
    const id = tr.customerId;
    if ((typeof id !== 'string' && typeof id !== 'number') || id === '' || (typeof id === 'number' && !Number.isFinite(id))) {
      issues.push({ index, field: 'customerId', value: id, problem: 'must be a non-empty string or finite number' });
      return;
    }
    const ms = tr.ts instanceof Date || typeof tr.ts === 'number' ? toMs(tr.ts) : Number.NaN;
    if (!Number.isFinite(ms)) {
      issues.push({ index, customerId: id, field: 'ts', value: tr.ts, problem: 'must be a valid Date or epoch milliseconds' });
      return;
    }
    if (typeof tr.amount !== 'number' || !Number.isFinite(tr.amount)) {
      issues.push({ index, customerId: id, field: 'amount', value: tr.amount, problem: 'must be a finite number' });
      return;
    }
    const day = Math.floor(ms / MS_PER_DAY);
    if (day > endDay) return; // after the observation window: ignored, like lifetimes
    let days = byCustomer.get(id);
    if (!days) {
      days = new Map();
      byCustomer.set(id, days);
    }
    days.set(day, (days.get(day) ?? 0) + tr.amount);
  });
  throwIfIssues(
    issues,
    'summaryFromTransactions',
    'Fix or drop these transactions (the index is the position in the input array).',
  );
  if (byCustomer.size === 0) {
    throw new ClvFitError(
      'invalid_input',
      `summaryFromTransactions: all ${transactions.length} transactions are after observationEnd ` +
        `(${new Date(endMs).toISOString()}). Check the observation end date.`,
    );
  }

  const out: CustomerSummary[] = [];
  for (const [customerId, days] of byCustomer) {
    const sortedDays = [...days.keys()].sort((p, q) => p - q);
    const first = sortedDays[0] as number;
    const last = sortedDays[sortedDays.length - 1] as number;
    const frequency = sortedDays.length - 1;
    let monetaryValue = 0;
    if (frequency > 0) {
      let total = 0;
      for (let i = 1; i < sortedDays.length; i++) total += days.get(sortedDays[i] as number) as number;
      monetaryValue = total / frequency;
    }
    out.push({
      customerId,
      frequency,
      recency: (last - first) / timeUnitDays,
      T: (endDay - first) / timeUnitDays,
      monetaryValue,
    });
  }
  return out;
}

const REL_TOL = 1e-9;

/**
 * Validates frequency / recency / T (and monetaryValue when `monetary` is set) of every
 * row and throws one ClvFitError('invalid_input') listing the offending customers and
 * fields. Empty input is also `invalid_input`.
 */
export function validateRfmRows(
  rows: readonly RfmRow[] | readonly RfmMonetaryRow[],
  context: string,
  options: { monetary?: boolean } = {},
): void {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new ClvFitError(
      'invalid_input',
      `${context}: the customer summary is empty (0 customers). ` +
        'Build it with summaryFromTransactions() and check that the transaction query returned rows.',
    );
  }
  const issues: ClvInputIssue[] = [];
  rows.forEach((row: RfmRow & { monetaryValue?: number }, index: number) => {
    const customerId = row.customerId;
    const push = (field: string, value: unknown, problem: string): void => {
      issues.push(customerId === undefined ? { index, field, value, problem } : { index, customerId, field, value, problem });
    };
    const { frequency: x, recency: tx, T } = row;
    const xOk = typeof x === 'number' && Number.isFinite(x);
    const txOk = typeof tx === 'number' && Number.isFinite(tx);
    const TOk = typeof T === 'number' && Number.isFinite(T);
    if (!xOk) push('frequency', x, '(x, repeat purchases) must be a finite number');
    else if (x < 0) push('frequency', x, '(x, repeat purchases) must be >= 0');
    else if (!Number.isInteger(x)) push('frequency', x, '(x) must be a whole number of repeat purchase periods');
    if (!TOk) push('T', T, '(customer age) must be a finite number');
    else if (T < 0) push('T', T, '(customer age) must be >= 0');
    if (!txOk) push('recency', tx, '(t_x) must be a finite number');
    else if (tx < 0) push('recency', tx, '(t_x) must be >= 0');
    else if (TOk && tx > T + REL_TOL * Math.max(1, Math.abs(T))) {
      push('recency', tx, `(t_x) must be <= T (${T}): the last purchase cannot be after the observation end`);
    } else if (xOk && x === 0 && tx !== 0) {
      push('recency', tx, '(t_x) must be 0 when frequency is 0 (no repeat purchase)');
    }
    if (options.monetary) {
      const m = row.monetaryValue;
      if (typeof m !== 'number' || !Number.isFinite(m)) push('monetaryValue', m, 'must be a finite number');
      else if (xOk && x > 0 && m <= 0) {
        push('monetaryValue', m, 'must be > 0 for a repeat buyer (the Gamma-Gamma model needs positive spend)');
      }
    }
  });
  throwIfIssues(
    issues,
    context,
    'Fix these rows at the source (or drop them); summaryFromTransactions() always produces consistent rows.',
  );
}
