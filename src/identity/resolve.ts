import type { Db } from '../store/database.js';
import { UnionFind } from './union-find.js';

/**
 * One ID: links every identifier on a row to one person, across rows, batches and channels.
 *
 * Input: a temp table with key columns `k_customer_id, k_member_id, k_email, k_phone` ('<kind>:<value>'
 * or NULL) and `anchor` (the row's first key). Output: temp table `b_keymap(k, person_id)` mapping
 * every key of the batch (so every anchor) to its surviving person.
 *
 * The heavy lifting (distinct tuples, lookups, the final join) is SQL; only the rows that link two
 * or more identifiers go through a union-find in JS. When a row links people who were already
 * apart, they merge into the oldest (smallest person_id) and the merge is recorded.
 */
export interface ResolveResult {
  personsCreated: number;
  merges: number;
}

const KEY_COLUMNS = ['k_customer_id', 'k_member_id', 'k_email', 'k_phone'] as const;
const PERSON_PREFIX = '\u0000person:';

export async function resolveIdentities(db: Db, table: string, batchId: number): Promise<ResolveResult> {
  const keyList = `[${KEY_COLUMNS.join(', ')}]`;
  await db.run(`CREATE OR REPLACE TEMP TABLE b_tuples AS SELECT DISTINCT ${KEY_COLUMNS.join(', ')} FROM ${table}`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE b_keys AS SELECT DISTINCT k FROM (SELECT unnest(${keyList}) AS k FROM b_tuples) WHERE k IS NOT NULL`,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE b_known AS SELECT b.k, i.person_id FROM b_keys b JOIN identifiers i ON i.id_key = b.k`,
  );
  // A star of edges from each multi-identifier tuple's first key; edges already inside one person are dropped.
  await db.run(
    `CREATE OR REPLACE TEMP TABLE b_edges AS
     WITH pairs AS (
       SELECT DISTINCT coalesce(${KEY_COLUMNS.join(', ')}) AS a, o AS b
       FROM (SELECT *, unnest(${keyList}) AS o FROM b_tuples
             WHERE (${KEY_COLUMNS.map((c) => `(${c} IS NOT NULL)::INT`).join(' + ')}) >= 2)
       WHERE o IS NOT NULL AND o <> coalesce(${KEY_COLUMNS.join(', ')})
     )
     SELECT p.a, p.b, ka.person_id AS pa, kb.person_id AS pb
     FROM pairs p LEFT JOIN b_known ka ON ka.k = p.a LEFT JOIN b_known kb ON kb.k = p.b
     WHERE ka.person_id IS NULL OR kb.person_id IS NULL OR ka.person_id <> kb.person_id`,
  );
  const edges = await db.all<{ a: string; b: string; pa: number | null; pb: number | null }>('SELECT * FROM b_edges');
  let nextPerson = Number((await db.one<{ n: number }>('SELECT coalesce(max(person_id), 0) + 1 AS n FROM persons'))!.n);

  const uf = new UnionFind();
  for (const edge of edges) {
    uf.union(edge.a, edge.b);
    if (edge.pa !== null) uf.union(edge.a, PERSON_PREFIX + edge.pa);
    if (edge.pb !== null) uf.union(edge.b, PERSON_PREFIX + edge.pb);
  }
  const assignments: { k: string; person: number }[] = [];
  const newPersons: { person: number; customerId: string | null }[] = [];
  const merges: { absorbed: number; survivor: number }[] = [];
  for (const group of uf.groups()) {
    const people = group.filter((k) => k.startsWith(PERSON_PREFIX)).map((k) => Number(k.slice(PERSON_PREFIX.length)));
    const keys = group.filter((k) => !k.startsWith(PERSON_PREFIX));
    let person: number;
    if (people.length === 0) {
      person = nextPerson++;
      newPersons.push({ person, customerId: oldestCustomerId(keys) });
    } else {
      person = Math.min(...people);
      for (const other of people) if (other !== person) merges.push({ absorbed: other, survivor: person });
    }
    for (const k of keys) assignments.push({ k, person });
  }

  await db.run('CREATE OR REPLACE TEMP TABLE b_assign (k VARCHAR, person_id BIGINT)');
  await db.run('CREATE OR REPLACE TEMP TABLE b_new_persons (person_id BIGINT, customer_id VARCHAR)');
  await db.run('CREATE OR REPLACE TEMP TABLE b_merges (absorbed BIGINT, survivor BIGINT)');
  await appendRows(db, 'b_assign', assignments, (a, r) => {
    a.appendVarchar(r.k);
    a.appendBigInt(BigInt(r.person));
  });
  await appendRows(db, 'b_new_persons', newPersons, (a, r) => {
    a.appendBigInt(BigInt(r.person));
    if (r.customerId === null) a.appendNull();
    else a.appendVarchar(r.customerId);
  });
  await appendRows(db, 'b_merges', merges, (a, r) => {
    a.appendBigInt(BigInt(r.absorbed));
    a.appendBigInt(BigInt(r.survivor));
  });

  // Keys seen alone on their rows and never before: one new person each.
  await db.run(
    `INSERT INTO b_new_persons
     SELECT ${nextPerson} + row_number() OVER (ORDER BY k) - 1, CASE WHEN starts_with(k, 'customer_id:') THEN substr(k, 13) END
     FROM b_keys WHERE k NOT IN (SELECT k FROM b_known) AND k NOT IN (SELECT k FROM b_assign)`,
  );
  await db.run(
    `INSERT INTO b_assign
     SELECT k, ${nextPerson} + row_number() OVER (ORDER BY k) - 1
     FROM b_keys WHERE k NOT IN (SELECT k FROM b_known) AND k NOT IN (SELECT k FROM b_assign)`,
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE b_keymap AS
     SELECT k, person_id FROM b_assign
     UNION ALL
     SELECT k, coalesce(m.survivor, b_known.person_id) FROM b_known LEFT JOIN b_merges m ON m.absorbed = b_known.person_id
     WHERE k NOT IN (SELECT k FROM b_assign)`,
  );

  await db.run(`INSERT INTO persons SELECT person_id, customer_id, ${batchId}, NULL FROM b_new_persons`);
  await db.run(
    `INSERT INTO identifiers SELECT k, person_id, ${batchId} FROM b_keymap WHERE k NOT IN (SELECT k FROM b_known)`,
  );
  if (merges.length > 0) await applyMerges(db, batchId);
  // A person known so far only by e-mail, phone or member id takes the first customer_id linked to them.
  await db.run(
    `UPDATE persons SET customer_id = f.customer_id FROM (
       SELECT person_id, min(substr(k, 13)) AS customer_id FROM b_keymap WHERE starts_with(k, 'customer_id:') GROUP BY person_id
     ) f WHERE persons.person_id = f.person_id AND persons.customer_id IS NULL`,
  );
  const personsCreated = Number((await db.one<{ n: number }>('SELECT count(*) AS n FROM b_new_persons'))!.n);
  return { personsCreated, merges: merges.length };
}

function oldestCustomerId(keys: string[]): string | null {
  const ids = keys.filter((k) => k.startsWith('customer_id:')).map((k) => k.slice('customer_id:'.length));
  return ids.length > 0 ? ids.sort()[0]! : null;
}

/** Moves everything of the absorbed people to the survivor; the survivor keeps its own customer_id. */
async function applyMerges(db: Db, batchId: number): Promise<void> {
  await db.run(`INSERT INTO identity_merges SELECT absorbed, survivor, ${batchId}, now()::TIMESTAMP FROM b_merges`);
  await db.run('UPDATE persons SET merged_into = m.survivor FROM b_merges m WHERE persons.person_id = m.absorbed');
  // People merged into an absorbed person earlier now point at the new survivor (no chains to follow).
  await db.run('UPDATE persons SET merged_into = m.survivor FROM b_merges m WHERE persons.merged_into = m.absorbed');
  await db.run(
    `UPDATE persons SET customer_id = f.customer_id FROM (
       SELECT m.survivor, min(p.customer_id) AS customer_id FROM b_merges m JOIN persons p ON p.person_id = m.absorbed
       GROUP BY m.survivor
     ) f WHERE persons.person_id = f.survivor AND persons.customer_id IS NULL`,
  );
  for (const table of ['identifiers', 'events']) {
    await db.run(`UPDATE ${table} SET person_id = m.survivor FROM b_merges m WHERE ${table}.person_id = m.absorbed`);
  }
  // One profile per person: the most recently loaded one wins.
  await db.run('UPDATE customers SET person_id = m.survivor FROM b_merges m WHERE customers.person_id = m.absorbed');
  await db.run(
    `DELETE FROM customers WHERE rowid IN (
       SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY person_id ORDER BY batch_id DESC) AS rn
                          FROM customers WHERE person_id IN (SELECT survivor FROM b_merges)) WHERE rn > 1)`,
  );
}

async function appendRows<T>(
  db: Db,
  table: string,
  rows: T[],
  write: (appender: Awaited<ReturnType<Db['connection']['createAppender']>>, row: T) => void,
): Promise<void> {
  if (rows.length === 0) return;
  const appender = await db.connection.createAppender(table, null, 'temp');
  for (const row of rows) {
    write(appender, row);
    appender.endRow();
  }
  appender.closeSync();
}
