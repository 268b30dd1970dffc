import { listedIdSql } from '../domain/anonymous-id.js';
import { sqlIdent, sqlString, type Db } from '../store/database.js';
import { asOfEnd, type AsOf } from './as-of.js';
import { frameFromResult, type FeatureFrame } from './frame.js';
import { FEATURE_DEFS, HELPER_DAY_SQL, HELPER_EVENT_SQL, zeroWhenAbsent, type FeatureDef } from './schema.js';

/**
 * The batch feature builder. It computes every feature of FEATURE_DEFS for every customer known at
 * the end of the as-of day, from events strictly before that moment: nothing later can leak in.
 * One customer (or a few) goes through the same definitions evaluated in process over the
 * customer's evidence (customer-features.ts): DuckDB plans every query again on each run, which
 * alone costs more than the whole evaluation.
 *
 * Speed (`npm run bench -- features`): one aggregate with every events-stage column over all
 * events costs DuckDB ~70 aggregate updates per event. The batch instead splits the events-stage
 * columns by the event types they test (typesRead) into a few family aggregates: each scans only
 * its own types (the test runs inside the scan) and updates only its own columns. A column's SQL is
 * unchanged and, testing the type in every aggregate, gives the same value over its family's rows
 * as over all of a customer's events. A customer without rows in a family gets NULL from the join,
 * then 0 for counts and sums and empty for the rest (zeroWhenAbsent) — what the aggregates give
 * over no rows. families.test.ts holds the builder to the single-aggregate query on generated data.
 */
export function featureSql(): string {
  // The events a stage reads, with their age at the as-of end. Each family scans the table itself
  // (its type test pushed into the scan).
  const eventsOf = (typeTest: string | null) => `(${EVENT_ROWS}${typeTest === null ? '' : ` AND ${typeTest}`})`;
  const families = EVENT_FAMILIES.map((family, i) => {
    const columns = family.columns.map((c) => `,\n    ${c.sql} AS ${sqlIdent(c.name)}`).join('');
    return `${familyName(i)} AS (
  SELECT person_id${columns}
  FROM ${eventsOf(familyRows(family.types))}
  GROUP BY person_id
)`;
  });
  const itemAggs = FEATURE_DEFS.filter((f) => f.stage === 'items').map((f) => `${f.sql} AS ${sqlIdent(f.name)}`);
  const dayAggs = [
    ...FEATURE_DEFS.filter((f) => f.stage === 'days').map((f) => `${f.sql} AS ${sqlIdent(f.name)}`),
    ...Object.entries(HELPER_DAY_SQL).map(([name, sql]) => `${sql} AS ${sqlIdent(name)}`),
  ];
  // Customers without events (profile only) get 0 for counts and sums, empty for the rest.
  // Numbers leave as DOUBLE with NaN for empty: frameFromResult copies them without a null check.
  const output = (f: FeatureDef, expr: string) =>
    f.type === 'category' ? `${expr} AS ${sqlIdent(f.name)}` : `coalesce(CAST(${expr} AS DOUBLE), 'NaN'::DOUBLE) AS ${sqlIdent(f.name)}`;
  const passthrough = FEATURE_DEFS.filter((f) => f.stage !== 'final').map((f) =>
    output(f, zeroWhenAbsent(f) ? `coalesce(${sqlIdent(f.name)}, 0)` : sqlIdent(f.name)),
  );
  const finals = FEATURE_DEFS.filter((f) => f.stage === 'final').map((f) => output(f, f.sql));
  return `
WITH ${families.join(',\n')},
purchases AS (
  SELECT event_id, person_id, ts, amount, product_id, category FROM ${eventsOf(`type = 'purchase'`)}
),
lines AS (
  SELECT e.person_id, coalesce(i.product_id, e.product_id) AS product_id, coalesce(i.category, e.category) AS category
  FROM purchases e LEFT JOIN event_items i ON i.event_id = e.event_id
),
items AS (
  SELECT person_id, ${itemAggs.join(', ')} FROM lines GROUP BY person_id
),
purchase_days AS (
  SELECT person_id, CAST(ts AS DATE) AS day, sum(amount) AS amount FROM purchases GROUP BY person_id, day
),
days AS (
  SELECT person_id, ${dayAggs.join(', ')} FROM purchase_days GROUP BY person_id
),
cats AS (
  SELECT person_id, min(CASE WHEN n = top_n THEN category END) AS __top_category, max(n) / sum(n)::DOUBLE AS __top_category_share
  FROM (SELECT person_id, category, count(*) AS n, max(count(*)) OVER (PARTITION BY person_id) AS top_n
        FROM lines WHERE category IS NOT NULL GROUP BY person_id, category)
  GROUP BY person_id
),
referred AS (${referredBuyersSql(eventsOf(`type = 'referral'`))}),
profile AS (${profileSql('')}),
population AS (
  SELECT person_id FROM ${familyName(ALL_TYPES_FAMILY)} UNION SELECT person_id FROM profile
)
SELECT person_id, ${listedIdSql('p.customer_id', 'person_id')} AS customer_id,
       ${passthrough.join(',\n       ')},
       ${finals.join(',\n       ')}
FROM population pop
JOIN persons p USING (person_id)
${families.map((_, i) => `LEFT JOIN ${familyName(i)} USING (person_id)`).join('\n')}
LEFT JOIN items USING (person_id)
LEFT JOIN days USING (person_id)
LEFT JOIN cats USING (person_id)
LEFT JOIN referred USING (person_id)
LEFT JOIN profile USING (person_id)
WHERE p.merged_into IS NULL
ORDER BY person_id`;
}

/** An events-stage column (a feature or a helper for the final stage) and its aggregate SQL. */
export interface EventColumn {
  name: string;
  sql: string;
}

/** Events-stage columns aggregated together over the events of `types` (null: every type). */
export interface EventFamily {
  types: string[] | null;
  columns: EventColumn[];
}

/**
 * Rows a family aggregates: at least those of its types. A range of types rather than a list: DuckDB
 * tests a range inside the scan, a list only after reading every row. The extra types in the range
 * change nothing, as every column of the family tests the type itself (typesRead).
 */
function familyRows(types: string[] | null): string | null {
  if (types === null) return null;
  if (types.length === 1) return `type = ${sqlString(types[0]!)}`;
  return `type BETWEEN ${sqlString(types[0]!)} AND ${sqlString(types.at(-1)!)}`;
}

/**
 * Referred customers who bought before the end of the as-of day, per referrer, from `referrals`
 * (a relation of referral events with person_id and related_customer_id).
 */
function referredBuyersSql(referrals: string): string {
  return `
  SELECT r.person_id, count(DISTINCT i.person_id) AS __referred_buyers
  FROM ${referrals} r JOIN identifiers i ON i.id_key = 'customer_id:' || r.related_customer_id
  WHERE EXISTS (
    SELECT 1 FROM events b WHERE b.person_id = i.person_id AND b.type = 'purchase' AND b.ts < $t_end::TIMESTAMP)
  GROUP BY r.person_id
`;
}

/**
 * Profiles known by the end of the as-of day and their signup age in days; `where` narrows them
 * (`AND c.person_id …`). A profile without a signup date counts as known from the day it was
 * loaded, never before: otherwise every profiled customer would sit in every historical cutoff.
 */
export function profileSql(where: string): string {
  return `
  SELECT c.person_id, date_diff('second', c.signup_ts, $t_end::TIMESTAMP) / 86400.0 AS __signup_age_days
  FROM customers c JOIN ingest_batches b ON b.batch_id = c.batch_id
  WHERE coalesce(c.signup_ts, b.started_at) < $t_end::TIMESTAMP${where}
`;
}

/** Every column a stage may read, and the event's age in days at the end of the as-of day. */
export const EVENT_ROWS = `SELECT event_id, person_id, type, ts, amount, margin, product_id, category, channel, duration_s, rating,
         related_customer_id, date_diff('second', ts, $t_end::TIMESTAMP) / 86400.0 AS age_days
  FROM events WHERE ts < $t_end::TIMESTAMP`;

/** Aggregate functions an events-stage column may use, and the scalar functions around them. */
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'arg_min', 'arg_max', 'count_if', 'median', 'stddev_samp', 'var_samp', 'any_value']);
const SCALARS = new Set(['coalesce', 'greatest', 'least', 'abs', 'round', 'ln', 'sqrt', 'nullif', 'cast', 'date_diff', 'dayofweek']);
const CALL = /\b([a-z_]+)\(/gi;
/** `CASE WHEN type = '…'` with an optional further condition, up to its THEN. */
const TYPED_ARGUMENT = /^(?:DISTINCT )?CASE WHEN type = '([a-z_]+)'(?: AND ((?:(?! THEN ).)*))? THEN /;

/**
 * The event types an events-stage column reads; null when it reads every event (no type test).
 * A column that tests the type must do so in every aggregate, as `agg(CASE WHEN type = '…' [AND
 * …] THEN … END)`: then it gives the same value over the events of any set of types that holds its
 * own, which lets the builder aggregate it over its family's types only. Anything else (an
 * aggregate without the test, an OR beside it, an ELSE, an unknown function) is refused at load time.
 */
export function typesRead(sql: string): string[] | null {
  if (!/\btype\b/.test(sql)) return null;
  const refuse = (why: string) => new Error(`Events-stage feature SQL ${why}: ${sql}`);
  const types = new Set<string>();
  for (const call of sql.matchAll(CALL)) {
    const name = call[1]!.toLowerCase();
    if (SCALARS.has(name)) continue;
    if (!AGGREGATES.has(name)) throw refuse(`uses ${name}(), which the builder does not know as aggregate or scalar`);
    const typed = TYPED_ARGUMENT.exec(sql.slice(call.index + call[0].length));
    if (!typed) throw refuse(`tests the event type, but its ${name}() does not start with CASE WHEN type = '…'`);
    if (/\b(OR|CASE)\b/i.test(typed[2] ?? '')) throw refuse('has OR or CASE beside its type test');
    types.add(typed[1]!);
  }
  if (/\btype\b/.test(sql.replace(/CASE WHEN type = '[a-z_]+'/g, ''))) throw refuse('uses the event type outside CASE WHEN type = …');
  // count(CASE WHEN type = 'x' THEN 1 ELSE 0 END) would count every row of the family.
  if (/\bELSE\b/i.test(sql)) throw refuse('tests the event type and has an ELSE');
  return [...types].sort();
}

/**
 * Types with many events per customer (campaign messages, visits, sessions, content) or many
 * columns (purchases) get a scan of their own; the rest share one. The grouping only changes the
 * speed, never a value.
 */
const OWN_SCAN = new Set([
  'purchase',
  'refund',
  'visit',
  'app_session',
  'content_interaction',
  'campaign_sent',
  'campaign_opened',
  'campaign_clicked',
  'campaign_converted',
]);

export function eventFamilies(
  columns: EventColumn[],
  ownScan: ReadonlySet<string> = OWN_SCAN,
): EventFamily[] {
  const all: EventFamily = { types: null, columns: [] };
  let typed: EventFamily[] = [];
  for (const column of columns) {
    const types = typesRead(column.sql);
    if (types === null) {
      all.columns.push(column);
      continue;
    }
    // Columns reading overlapping types (revenue: purchase and refund) join one family.
    const overlapping = typed.filter((f) => f.types!.some((t) => types.includes(t)));
    typed = typed.filter((f) => !overlapping.includes(f));
    typed.push({
      types: [...new Set([...overlapping.flatMap((f) => f.types!), ...types])].sort(),
      columns: [...overlapping.flatMap((f) => f.columns), column],
    });
  }
  const own = typed.filter((f) => f.types!.some((t) => ownScan.has(t)));
  const shared = typed.filter((f) => !own.includes(f));
  const merged: EventFamily[] =
    shared.length === 0 ? [] : [{ types: shared.flatMap((f) => f.types!).sort(), columns: shared.flatMap((f) => f.columns) }];
  return [all, ...own, ...merged];
}

const EVENT_COLUMNS: EventColumn[] = [
  ...FEATURE_DEFS.filter((f) => f.stage === 'events').map((f) => ({ name: f.name, sql: f.sql })),
  ...Object.entries(HELPER_EVENT_SQL).map(([name, sql]) => ({ name, sql })),
];
export const EVENT_FAMILIES: EventFamily[] = eventFamilies(EVENT_COLUMNS);
/** The family over every event type: its customers are everyone with an event before the as-of end. */
const ALL_TYPES_FAMILY = 0;
const familyName = (i: number) => (i === ALL_TYPES_FAMILY ? 'ev_all' : `ev_${i}`);

/** Features of every customer as of a day. */
export async function buildFeatures(db: Db, asOf: AsOf): Promise<FeatureFrame> {
  return frameFromResult(await db.connection.run(BATCH_SQL, { t_end: asOfEnd(asOf) }));
}

const BATCH_SQL = featureSql();
