import type { DuckDBPreparedStatement } from '@duckdb/node-api';
import { sqlIdent, type Db } from '../store/database.js';
import { asOfEnd, type AsOf } from './as-of.js';
import { frameFromColumns, type FeatureFrame } from './frame.js';
import { FEATURE_DEFS, HELPER_EVENT_SQL, type FeatureDef } from './schema.js';

/**
 * The one feature builder. It computes every feature of FEATURE_DEFS for every customer known at
 * the end of the as-of day, from events strictly before that moment: nothing later can leak in.
 * The batch path and the single-customer path run the same SQL text; the single path only adds
 * `person_id = $person` to the scans (and runs as a prepared statement).
 */
export function featureSql(scope: 'all' | 'one'): string {
  const personFilter = (alias: string) => (scope === 'one' ? ` AND ${alias}.person_id = $person` : '');
  const eventAggs = [
    ...FEATURE_DEFS.filter((f) => f.stage === 'events').map((f) => `${f.sql} AS ${sqlIdent(f.name)}`),
    ...Object.entries(HELPER_EVENT_SQL).map(([name, sql]) => `${sql} AS ${name}`),
  ];
  const itemAggs = FEATURE_DEFS.filter((f) => f.stage === 'items').map((f) => `${f.sql} AS ${sqlIdent(f.name)}`);
  const dayAggs = FEATURE_DEFS.filter((f) => f.stage === 'days').map((f) => `${f.sql} AS ${sqlIdent(f.name)}`);
  // Customers without events (profile only) get 0 for counts and sums, empty for the rest.
  // Numbers leave as DOUBLE: converting 200k × 60 BIGINT/HUGEINT values to JS is several times slower.
  const output = (f: FeatureDef, expr: string) => (f.type === 'category' ? `${expr} AS ${sqlIdent(f.name)}` : `CAST(${expr} AS DOUBLE) AS ${sqlIdent(f.name)}`);
  const passthrough = FEATURE_DEFS.filter((f) => f.stage !== 'final').map((f) =>
    output(f, zeroWhenAbsent(f) ? `coalesce(${sqlIdent(f.name)}, 0)` : sqlIdent(f.name)),
  );
  const finals = FEATURE_DEFS.filter((f) => f.stage === 'final').map((f) => output(f, f.sql));
  return `
WITH ev AS (
  SELECT e.event_id, e.person_id, e.type, e.ts, e.amount, e.margin, e.product_id, e.category, e.channel,
         e.duration_s, e.rating, e.related_customer_id,
         date_diff('second', e.ts, $t_end::TIMESTAMP) / 86400.0 AS age_days
  FROM events e WHERE e.ts < $t_end::TIMESTAMP${personFilter('e')}
),
agg AS (
  SELECT person_id, ${eventAggs.join(',\n    ')}
  FROM ev GROUP BY person_id
),
lines AS (
  SELECT e.person_id, coalesce(i.product_id, e.product_id) AS product_id, coalesce(i.category, e.category) AS category
  FROM ev e LEFT JOIN event_items i ON i.event_id = e.event_id WHERE e.type = 'purchase'
),
items AS (
  SELECT person_id, ${itemAggs.join(', ')} FROM lines GROUP BY person_id
),
purchase_days AS (
  SELECT person_id, CAST(ts AS DATE) AS day, sum(amount) AS amount FROM ev WHERE type = 'purchase' GROUP BY person_id, day
),
days AS (
  SELECT person_id, ${dayAggs.join(', ')} FROM purchase_days GROUP BY person_id
),
cats AS (
  SELECT person_id, min(category) FILTER (WHERE n = top_n) AS __top_category, max(n) / sum(n)::DOUBLE AS __top_category_share
  FROM (SELECT person_id, category, count(*) AS n, max(count(*)) OVER (PARTITION BY person_id) AS top_n
        FROM lines WHERE category IS NOT NULL GROUP BY person_id, category)
  GROUP BY person_id
),
referred AS (
  SELECT r.person_id, count(DISTINCT i.person_id) AS __referred_buyers
  FROM ev r JOIN identifiers i ON i.id_key = 'customer_id:' || r.related_customer_id
  WHERE r.type = 'referral' AND EXISTS (
    SELECT 1 FROM events b WHERE b.person_id = i.person_id AND b.type = 'purchase' AND b.ts < $t_end::TIMESTAMP)
  GROUP BY r.person_id
),
profile AS (
  -- A profile without a signup date counts as known from the day it was loaded, never before:
  -- otherwise every profiled customer would sit in every historical training cutoff.
  SELECT c.person_id, date_diff('second', c.signup_ts, $t_end::TIMESTAMP) / 86400.0 AS __signup_age_days
  FROM customers c JOIN ingest_batches b ON b.batch_id = c.batch_id
  WHERE coalesce(c.signup_ts, b.started_at) < $t_end::TIMESTAMP${personFilter('c')}
),
population AS (
  SELECT person_id FROM agg UNION SELECT person_id FROM profile
)
SELECT person_id, coalesce(p.customer_id, 'anon-' || person_id) AS customer_id,
       ${passthrough.map((c) => `${c}`).join(', ')},
       ${finals.join(',\n       ')}
FROM population pop
JOIN persons p USING (person_id)
LEFT JOIN agg USING (person_id)
LEFT JOIN items USING (person_id)
LEFT JOIN days USING (person_id)
LEFT JOIN cats USING (person_id)
LEFT JOIN referred USING (person_id)
LEFT JOIN profile USING (person_id)
WHERE p.merged_into IS NULL
ORDER BY person_id`;
}

function zeroWhenAbsent(f: FeatureDef): boolean {
  // The CLV summary stays empty without purchases: BG/NBD has no T for a customer who never bought.
  return !f.name.startsWith('clv_') && (f.type === 'count' || (f.type === 'amount' && !f.name.startsWith('avg_')));
}

/** Features of every customer as of a day. */
export async function buildFeatures(db: Db, asOf: AsOf): Promise<FeatureFrame> {
  const reader = await db.connection.runAndReadAll(featureSql('all'), { t_end: asOfEnd(asOf) });
  return frameFromColumns(reader.columnNames(), reader.getColumnsJS());
}

/**
 * Features of one customer, fast: a prepared statement per connection, reused across requests.
 */
export class SingleCustomerFeatures {
  private statement?: Promise<DuckDBPreparedStatement>;

  constructor(private readonly db: Db) {}

  async build(personId: number, asOf: AsOf): Promise<FeatureFrame> {
    this.statement ??= this.db.connection.prepare(featureSql('one'));
    const statement = await this.statement;
    statement.bind({ t_end: asOfEnd(asOf), person: BigInt(personId) });
    const reader = await statement.runAndReadAll();
    return frameFromColumns(reader.columnNames(), reader.getColumnsJS());
  }
}
