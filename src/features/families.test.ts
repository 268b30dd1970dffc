import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../generate/generate.js';
import { ingestCustomers, ingestEvents } from '../ingest/ingest.js';
import { sqlIdent } from '../store/database.js';
import type { OpenedStore } from '../store/open.js';
import { tempDir, testStore } from '../../test/helpers.js';
import { addDays, asOfEnd } from './as-of.js';
import { buildFeatures, EVENT_FAMILIES, featureSql, typesRead } from './build.js';
import { CustomerFeatures } from './customer-features.js';
import { frameFromColumns, frameFromResult, type FeatureFrame } from './frame.js';
import { FEATURE_DEFS, HELPER_DAY_SQL, HELPER_EVENT_SQL, zeroWhenAbsent, type FeatureDef } from './schema.js';

/**
 * The builder splits the events-stage aggregate by event-type family (build.ts) for speed. These
 * tests hold it to the plain form: every events-stage column in one aggregate over all of a
 * customer's events, joined as before — the query shape the builder had until the split.
 */
function referenceSql(): string {
  const q = sqlIdent;
  const eventAggs = [
    ...FEATURE_DEFS.filter((f) => f.stage === 'events').map((f) => `${f.sql} AS ${q(f.name)}`),
    ...Object.entries(HELPER_EVENT_SQL).map(([name, sql]) => `${sql} AS ${name}`),
  ];
  const stageAggs = (stage: FeatureDef['stage']) => FEATURE_DEFS.filter((f) => f.stage === stage).map((f) => `${f.sql} AS ${q(f.name)}`);
  const output = (f: FeatureDef, expr: string) => (f.type === 'category' ? `${expr} AS ${q(f.name)}` : `CAST(${expr} AS DOUBLE) AS ${q(f.name)}`);
  const passthrough = FEATURE_DEFS.filter((f) => f.stage !== 'final').map((f) => output(f, zeroWhenAbsent(f) ? `coalesce(${q(f.name)}, 0)` : q(f.name)));
  const finals = FEATURE_DEFS.filter((f) => f.stage === 'final').map((f) => output(f, f.sql));
  return `
WITH ev AS (
  SELECT e.*, date_diff('second', e.ts, $t_end::TIMESTAMP) / 86400.0 AS age_days FROM events e WHERE e.ts < $t_end::TIMESTAMP
),
agg AS (SELECT person_id, ${eventAggs.join(', ')} FROM ev GROUP BY person_id),
lines AS (
  SELECT e.person_id, coalesce(i.product_id, e.product_id) AS product_id, coalesce(i.category, e.category) AS category
  FROM ev e LEFT JOIN event_items i ON i.event_id = e.event_id WHERE e.type = 'purchase'
),
items AS (SELECT person_id, ${stageAggs('items').join(', ')} FROM lines GROUP BY person_id),
purchase_days AS (SELECT person_id, CAST(ts AS DATE) AS day, sum(amount) AS amount FROM ev WHERE type = 'purchase' GROUP BY person_id, day),
days AS (
  SELECT person_id, ${[...stageAggs('days'), ...Object.entries(HELPER_DAY_SQL).map(([name, sql]) => `${sql} AS ${name}`)].join(', ')}
  FROM purchase_days GROUP BY person_id
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
  SELECT c.person_id, date_diff('second', c.signup_ts, $t_end::TIMESTAMP) / 86400.0 AS __signup_age_days
  FROM customers c JOIN ingest_batches b ON b.batch_id = c.batch_id
  WHERE coalesce(c.signup_ts, b.started_at) < $t_end::TIMESTAMP
),
population AS (SELECT person_id FROM agg UNION SELECT person_id FROM profile)
SELECT person_id, coalesce(p.customer_id, 'anon-' || person_id) AS customer_id, ${passthrough.join(', ')}, ${finals.join(', ')}
FROM population pop JOIN persons p USING (person_id)
LEFT JOIN agg USING (person_id) LEFT JOIN items USING (person_id) LEFT JOIN days USING (person_id)
LEFT JOIN cats USING (person_id) LEFT JOIN referred USING (person_id) LEFT JOIN profile USING (person_id)
WHERE p.merged_into IS NULL
ORDER BY person_id`;
}

async function referenceFeatures(opened: OpenedStore, asOf: string): Promise<FeatureFrame> {
  const reader = await opened.store.connection.runAndReadAll(referenceSql(), { t_end: asOfEnd(asOf) });
  return frameFromColumns(reader.columnNames(), reader.getColumnsJS());
}

/** Equal, except that sums may differ in the last bits: DuckDB adds in no fixed order. */
function expectSameFeatures(actual: FeatureFrame, expected: FeatureFrame, rows: number[] = [...Array(expected.n).keys()], actualRow = (i: number) => i) {
  for (const i of rows) {
    const a = actualRow(i);
    expect(actual.personIds[a]).toBe(expected.personIds[i]);
    expect(actual.customerIds[a]).toBe(expected.customerIds[i]);
    for (const [name, values] of Object.entries(expected.numeric)) {
      const want = values[i]!;
      const got = actual.numeric[name]![a]!;
      if (Number.isNaN(want)) expect(got, `${name} of person ${expected.personIds[i]}`).toBeNaN();
      else expect(Math.abs(got - want), `${name} of person ${expected.personIds[i]}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
    }
    for (const [name, values] of Object.entries(expected.categorical)) expect(actual.categorical[name]![a]).toBe(values[i]);
  }
}

describe('event-type families', () => {
  let opened: OpenedStore;
  let dir: string;
  let start: string;
  const DAYS = 240;

  beforeAll(async () => {
    dir = tempDir();
    opened = await testStore();
    const out = path.join(dir, 'events.csv');
    const customersOut = path.join(dir, 'customers.csv');
    const summary = await generate({ customers: 400, days: DAYS, seed: 7, start: '2024-01-01', out, customersOut });
    start = summary.start;
    const shared = { identity: opened.identity, origin: 'cli' as const };
    await ingestCustomers(opened.store, { ...shared, source: { kind: 'file', file: customersOut, format: 'csv' } });
    await ingestEvents(opened.store, { ...shared, source: { kind: 'file', file: out, format: 'csv' } });
    // Order lines for a third of the purchases, so that lines come from event_items and from events.
    await opened.store.run(
      `INSERT INTO event_items
       SELECT event_id, 'line-' || (hash(event_id) % 7)::VARCHAR, 'cat-' || (hash(event_id) % 3)::VARCHAR, 1, amount
       FROM events WHERE type = 'purchase' AND hash(event_id) % 3 = 0`,
    );
  });
  afterAll(() => {
    opened.store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives every customer the features of the single-aggregate query, at several cutoffs', async () => {
    for (const asOf of [addDays(start, 40), addDays(start, 150), addDays(start, DAYS - 1)]) {
      const expected = await referenceFeatures(opened, asOf);
      expect(expected.n).toBeGreaterThan(100);
      expectSameFeatures(await buildFeatures(opened.store, asOf), expected);
    }
  });

  it('gives one customer the features of the single-aggregate query', async () => {
    const asOf = addDays(start, 150);
    const expected = await referenceFeatures(opened, asOf);
    const single = new CustomerFeatures(opened.store);
    const sample = [...Array(expected.n).keys()].filter((i) => i % 9 === 0);
    for (const i of sample) {
      const one = await single.build([expected.personIds[i]!], asOf);
      expect(one.n).toBe(1);
      expectSameFeatures(one, expected, [i], () => 0);
    }
  });

  it('reads a result in any row order into a frame in person_id order', async () => {
    const asOf = addDays(start, 150);
    const sql = featureSql();
    expect(sql).toMatch(/ORDER BY person_id$/);
    const reversed = await frameFromResult(await opened.store.connection.run(`${sql} DESC`, { t_end: asOfEnd(asOf) }));
    const built = await buildFeatures(opened.store, asOf);
    expect(reversed.n).toBe(built.n);
    // Two runs of the query: sums may differ in the last bits (DuckDB adds in no fixed order).
    expectSameFeatures(reversed, built);
  });

  it('gives a customer without events of a family what its aggregates give over no events', async () => {
    // A customer missing from a family's aggregate gets NULL from the join, which the builder turns
    // into 0 for counts and sums (zeroWhenAbsent) and keeps empty otherwise.
    const absent = new Map(FEATURE_DEFS.map((f) => [f.name, zeroWhenAbsent(f) ? 0 : null]));
    const noEvents = `(SELECT NULL::VARCHAR AS type, NULL::TIMESTAMP AS ts, NULL::DOUBLE AS amount, NULL::DOUBLE AS margin,
      NULL::VARCHAR AS channel, NULL::DOUBLE AS duration_s, NULL::TINYINT AS rating, NULL::DOUBLE AS age_days WHERE false)`;
    for (const family of EVENT_FAMILIES.slice(1)) {
      for (const column of family.columns) {
        const row = await opened.store.one<{ v: number | null }>(`SELECT CAST(${column.sql} AS DOUBLE) AS v FROM ${noEvents}`);
        if (absent.has(column.name)) expect(row!.v, column.name).toBe(absent.get(column.name));
        // Helper columns feed final-stage SQL, which must read an absent value like 0.
        else expect([0, null], column.name).toContain(row!.v);
      }
    }
  });

  it('reads the types of a column from its CASE WHEN type tests, and refuses other uses of the type', () => {
    expect(typesRead('max(age_days)')).toBeNull();
    expect(typesRead("count(CASE WHEN type = 'visit' AND age_days <= 30 THEN 1 END)")).toEqual(['visit']);
    expect(
      typesRead("CASE WHEN coalesce(sum(CASE WHEN type = 'purchase' THEN amount END), 0) > 0 THEN sum(CASE WHEN type = 'refund' THEN amount END) END"),
    ).toEqual(['purchase', 'refund']);
    // count(*) would count the family's rows, not the customer's events.
    expect(() => typesRead("count(CASE WHEN type = 'visit' THEN 1 END) / count(*)")).toThrow(/does not start with CASE WHEN type/);
    expect(() => typesRead("count(CASE WHEN type = 'visit' OR age_days < 3 THEN 1 END)")).toThrow(/OR/);
    expect(() => typesRead("count(CASE WHEN type = 'visit' THEN 1 ELSE 0 END)")).toThrow(/ELSE/);
    expect(() => typesRead("count(*) FILTER (WHERE type = 'visit')")).toThrow();
    expect(() => typesRead("count(CASE WHEN type IN ('visit') THEN 1 END)")).toThrow();
    expect(() => typesRead("quantile(CASE WHEN type = 'visit' THEN amount END, 0.5)")).toThrow(/quantile/);
  });

  it('puts every events-stage column in exactly one family, the all-types family first', () => {
    const names = EVENT_FAMILIES.flatMap((f) => f.columns.map((c) => c.name));
    const expected = [...FEATURE_DEFS.filter((f) => f.stage === 'events').map((f) => f.name), ...Object.keys(HELPER_EVENT_SQL)];
    expect([...names].sort()).toEqual([...expected].sort());
    expect(EVENT_FAMILIES[0]!.types).toBeNull();
    for (const family of EVENT_FAMILIES.slice(1)) {
      for (const column of family.columns) for (const t of typesRead(column.sql)!) expect(family.types).toContain(t);
    }
  });
});
