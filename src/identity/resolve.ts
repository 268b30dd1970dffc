import type { Db } from '../store/database.js';
import { IntUnionFind } from './union-find.js';

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
  let nextPerson = Number((await db.one<{ n: number }>('SELECT coalesce(max(person_id), 0) + 1 AS n FROM persons'))!.n);
  const firstNewPerson = nextPerson;

  // The union-find runs over small integers: the keys of the edges are numbered in SQL, so only
  // numbers cross into JS and back (moving the key strings costs seconds per million).
  await db.run(
    `CREATE OR REPLACE TEMP TABLE b_nodes AS
     SELECT k, (row_number() OVER () - 1)::INTEGER AS i FROM (SELECT a AS k FROM b_edges UNION SELECT b FROM b_edges)`,
  );
  const edges = (
    await db.connection.runAndReadAll(
      `SELECT na.i AS a, nb.i AS b, e.pa, e.pb FROM b_edges e JOIN b_nodes na ON na.k = e.a JOIN b_nodes nb ON nb.k = e.b`,
    )
  ).getColumnsJS() as [number[]?, number[]?, (bigint | null)[]?, (bigint | null)[]?];
  const [edgeA = [], edgeB = [], edgePa = [], edgePb = []] = edges; // no columns when no rows
  const keyCount = Number((await db.one<{ n: number }>('SELECT count(*) AS n FROM b_nodes'))!.n);

  // Known people are nodes too, numbered after the keys.
  const personNode = new Map<number, number>();
  const people: number[] = [];
  const nodeOf = (person: bigint): number => {
    const id = Number(person);
    let node = personNode.get(id);
    if (node === undefined) {
      node = keyCount + people.length;
      personNode.set(id, node);
      people.push(id);
    }
    return node;
  };
  const edgeNodes: [number, number][] = [];
  for (let e = 0; e < edgeA.length; e++) {
    edgeNodes.push([edgeA[e]!, edgeB[e]!]);
    if (edgePa[e] !== null) edgeNodes.push([edgeA[e]!, nodeOf(edgePa[e]!)]);
    if (edgePb[e] !== null) edgeNodes.push([edgeB[e]!, nodeOf(edgePb[e]!)]);
  }
  const uf = new IntUnionFind(keyCount + people.length);
  for (const [a, b] of edgeNodes) uf.union(a, b);

  // Each group takes its oldest known person, the others merge into it; a group of new keys only
  // gets a new person (its customer_id, the smallest customer id among its keys, is set in SQL below).
  const survivorOf = new Map<number, number>();
  for (let j = 0; j < people.length; j++) {
    const root = uf.find(keyCount + j);
    const survivor = survivorOf.get(root);
    if (survivor === undefined || people[j]! < survivor) survivorOf.set(root, people[j]!);
  }
  const merges: { absorbed: number; survivor: number }[] = [];
  for (let j = 0; j < people.length; j++) {
    const survivor = survivorOf.get(uf.find(keyCount + j))!;
    if (people[j] !== survivor) merges.push({ absorbed: people[j]!, survivor });
  }
  const assignedNode: number[] = [];
  const assignedPerson: number[] = [];
  for (let i = 0; i < keyCount; i++) {
    const root = uf.find(i);
    let person = survivorOf.get(root);
    if (person === undefined) {
      person = nextPerson++;
      survivorOf.set(root, person);
    }
    assignedNode.push(i);
    assignedPerson.push(person);
  }

  await db.run('CREATE OR REPLACE TEMP TABLE b_assign_nodes (i INTEGER, person_id BIGINT)');
  await db.run('CREATE OR REPLACE TEMP TABLE b_merges (absorbed BIGINT, survivor BIGINT)');
  if (assignedNode.length > 0) {
    const appender = await db.connection.createAppender('b_assign_nodes', null, 'temp');
    for (let r = 0; r < assignedNode.length; r++) {
      appender.appendInteger(assignedNode[r]!);
      appender.appendBigInt(BigInt(assignedPerson[r]!));
      appender.endRow();
    }
    appender.closeSync();
  }
  await appendRows(db, 'b_merges', merges, (a, r) => {
    a.appendBigInt(BigInt(r.absorbed));
    a.appendBigInt(BigInt(r.survivor));
  });
  await db.run('CREATE OR REPLACE TEMP TABLE b_assign AS SELECT n.k, a.person_id FROM b_assign_nodes a JOIN b_nodes n USING (i)');
  await db.run(
    `CREATE OR REPLACE TEMP TABLE b_new_persons AS
     SELECT person_id, min(substr(k, 13)) FILTER (WHERE starts_with(k, 'customer_id:')) AS customer_id
     FROM b_assign WHERE person_id >= ${firstNewPerson} GROUP BY person_id`,
  );

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
