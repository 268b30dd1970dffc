import { ValidationError } from '../domain/errors.js';
import type { Db } from '../store/database.js';

/** A calendar day `YYYY-MM-DD` (UTC); "as of D" means every event up to the end of D. */
export type AsOf = string;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const MS_PER_DAY = 86_400_000;

export function parseAsOf(value: string, field = 'as_of'): AsOf {
  const date = new Date(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new ValidationError(`${field} must be a date YYYY-MM-DD, got '${value}'`, [{ path: [field], message: 'not a date YYYY-MM-DD' }]);
  }
  return value;
}

/** The exclusive end of the as-of day: midnight after it, as DuckDB TIMESTAMP text. */
export function asOfEnd(asOf: AsOf): string {
  return `${addDays(asOf, 1)} 00:00:00`;
}

export function addDays(day: AsOf, days: number): AsOf {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * The default as-of day: the day of the latest stored event (so historical data scores sensibly),
 * but never after today (UTC): one event stamped in the future must not move every customer's
 * scores to that date. Ingest refuses such events; this guards stores written before it did.
 */
export async function latestEventDay(db: Db, now: Date = new Date()): Promise<AsOf | undefined> {
  const row = await db.one<{ day: string | null }>("SELECT strftime(max(ts), '%Y-%m-%d') AS day FROM events WHERE ts < ?::TIMESTAMP", [
    asOfEnd(now.toISOString().slice(0, 10)),
  ]);
  return row?.day ?? undefined;
}
