import type { EventFacts } from './evidence.js';

/**
 * Events-stage feature expressions, each written once and rendered twice: as the SQL the batch
 * builder aggregates over every customer's events in DuckDB, and as a JS function the evaluator
 * runs over one customer's events in hand. The JS follows SQL's NULL rules (an aggregate over no
 * values is NULL, except count, which is 0). customer-features.test.ts and build.test.ts hold the two
 * renderings to each other on generated data.
 */
export interface EventExpr {
  sql: string;
  value: (events: readonly EventFacts[]) => number | null;
}

/** A condition on one event; `type` when it holds only for events of that type. */
export interface Cond {
  sql: string;
  test: (e: EventFacts) => boolean;
  type?: string;
}

/** A column of one event (NULL as null). */
export interface Column {
  sql: string;
  get: (e: EventFacts) => number | null;
}

export const cond = (sql: string, test: (e: EventFacts) => boolean): Cond => ({ sql, test });
export const isType = (type: string): Cond => ({ ...cond(`type = '${type}'`, (e) => e.type === type), type });
/** Within the last `days` days; null (no condition) for all history. */
export const inWindow = (days: number | null): Cond | null => (days === null ? null : cond(`age_days <= ${days}`, (e) => e.ageDays <= days));
export const olderThan = (days: number): Cond => cond(`age_days > ${days}`, (e) => e.ageDays > days);
export const hasMargin: Cond = cond('margin IS NOT NULL', (e) => e.margin !== null);
export const onWeekend: Cond = cond('dayofweek(ts) IN (0, 6)', (e) => e.dow === 0 || e.dow === 6);

export function both(...conds: (Cond | null)[]): Cond {
  const present = conds.filter((c): c is Cond => c !== null);
  const type = present.find((c) => c.type !== undefined)?.type;
  return {
    ...cond(
      present.map((c) => c.sql).join(' AND '),
      (e) => {
        // A loop, not every(): this runs per event and feature, and a closure per call adds up.
        for (const c of present) if (!c.test(e)) return false;
        return true;
      },
    ),
    ...(type === undefined ? {} : { type }),
  };
}

const byType = new WeakMap<readonly EventFacts[], Map<string, EventFacts[]>>();

/** A customer's events of one type, in order (indexed once per events array). */
function eventsOfType(events: readonly EventFacts[], type: string): readonly EventFacts[] {
  let index = byType.get(events);
  if (!index) {
    index = new Map();
    for (const e of events) {
      const list = index.get(e.type);
      if (list) list.push(e);
      else index.set(e.type, [e]);
    }
    byType.set(events, index);
  }
  return index.get(type) ?? [];
}

export const ONE: Column = { sql: '1', get: () => 1 };
export const AMOUNT: Column = { sql: 'amount', get: (e) => e.amount };
export const MARGIN: Column = { sql: 'margin', get: (e) => e.margin };
export const DURATION_S: Column = { sql: 'duration_s', get: (e) => e.durationS };
export const RATING: Column = { sql: 'rating', get: (e) => e.rating };
export const AGE_DAYS: Column = { sql: 'age_days', get: (e) => e.ageDays };

export type Aggregate = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** `agg(column)` over the non-NULL values of the events where `where` holds (every event without it). */
function aggregateOf(agg: Aggregate, column: Column, where: Cond | null) {
  return (events: readonly EventFacts[]): number | null => {
    let n = 0;
    let acc = 0;
    // Only the events the condition can hold for: a customer's many campaign messages and visits
    // are not scanned again for every purchase feature.
    for (const e of where?.type === undefined ? events : eventsOfType(events, where.type)) {
      if (where !== null && !where.test(e)) continue;
      const v = column.get(e);
      if (v === null) continue;
      if (n === 0) acc = agg === 'count' ? 0 : v;
      else if (agg === 'sum' || agg === 'avg') acc += v;
      else if (agg === 'min') acc = Math.min(acc, v);
      else if (agg === 'max') acc = Math.max(acc, v);
      n++;
    }
    if (agg === 'count') return n;
    if (n === 0) return null;
    return agg === 'avg' ? acc / n : acc;
  };
}

/**
 * `agg(column)` over the events where `where` holds. Written as CASE rather than as an aggregate
 * FILTER clause: the same rows in the same order, so the same value, but DuckDB runs filtered
 * aggregates several times slower.
 */
export function aggWhere(agg: Aggregate, column: Column, where: Cond): EventExpr {
  return { sql: `${agg}(CASE WHEN ${where.sql} THEN ${column.sql} END)`, value: aggregateOf(agg, column, where) };
}

/** `agg(column)` over every event. */
export function aggAll(agg: Aggregate, column: Column): EventExpr {
  return { sql: `${agg}(${column.sql})`, value: aggregateOf(agg, column, null) };
}

export const countAll: EventExpr = { sql: 'count(*)', value: (events) => events.length };

/** Distinct non-NULL values of a text column over every event. */
export function countDistinct(sql: string, get: (e: EventFacts) => string | null): EventExpr {
  return { sql: `count(DISTINCT ${sql})`, value: (events) => distinctCount(events, get) };
}

/** How many distinct non-NULL values `get` gives over the rows: SQL's count(DISTINCT …). */
export function distinctCount<T>(rows: readonly T[], get: (row: T) => string | null): number {
  const seen = new Set<string>();
  for (const row of rows) {
    const v = get(row);
    if (v !== null) seen.add(v);
  }
  return seen.size;
}

export const countWhere = (where: Cond): EventExpr => aggWhere('count', ONE, where);

export function coalesceZero(x: EventExpr): EventExpr {
  return { sql: `coalesce(${x.sql}, 0)`, value: (events) => x.value(events) ?? 0 };
}

export function minus(a: EventExpr, b: EventExpr): EventExpr {
  return {
    sql: `${a.sql} - ${b.sql}`,
    value: (events) => {
      const x = a.value(events);
      const y = b.value(events);
      return x === null || y === null ? null : x - y;
    },
  };
}

/** num ÷ den; empty unless den > 0. */
export function ratio(num: EventExpr, den: EventExpr): EventExpr {
  return {
    sql: `CASE WHEN (${den.sql}) > 0 THEN (${num.sql}) / (${den.sql})::DOUBLE END`,
    value: (events) => {
      const d = den.value(events);
      if (d === null || !(d > 0)) return null;
      const n = num.value(events);
      return n === null ? null : n / d;
    },
  };
}

/** (recent − earlier) / (recent + earlier) in [−1, 1]; empty when both are zero. */
export function trend(recent: EventExpr, earlier: EventExpr): EventExpr {
  const r = `(${recent.sql})`;
  const e = `(${earlier.sql})`;
  return {
    sql: `CASE WHEN ${r} + ${e} > 0 THEN (${r} - ${e}) / (${r} + ${e})::DOUBLE END`,
    value: (events) => {
      const x = recent.value(events);
      const y = earlier.value(events);
      if (x === null || y === null || !(x + y > 0)) return null;
      return (x - y) / (x + y);
    },
  };
}
