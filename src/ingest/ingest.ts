import fs from 'node:fs';
import path from 'node:path';
import { StrictRejectError, ValidationError } from '../domain/errors.js';
import { CUSTOMER_COLUMNS, EVENT_COLUMNS } from '../domain/event.js';
import type { IdentitySettings } from '../identity/normalize.js';
import { resolveIdentities } from '../identity/resolve.js';
import { sqlIdent, sqlString, type Db, type Store } from '../store/database.js';
import { EventIdFilter } from './event-id-filter.js';
import type { InputFormat } from './format.js';
import { eventIdSql, hashedKeyColumns, identityKeySelect, identityTuplesSql, TUPLE_PERSON_JOIN } from './keys.js';
import { aggregateOrderLines, ORDER_LINE_COLUMNS, rejectLinesOfOthersOrders } from './lines.js';
import { isEmptyFile, readError } from './read-errors.js';
import { claimRejectsFile } from './rejects-file.js';
import {
  booleanSql,
  customerRules,
  DEFAULT_FUTURE_TOLERANCE_HOURS,
  eventRules,
  eventTypedValues,
  issuesSql,
  orderLineRules,
  validSql,
  type EventRuleOptions,
  type Rule,
} from './rules.js';
import { stageFile, withDerived, type Derived, type MalformedLine, type StageResult } from './stage.js';
import { SUMMARY_REJECTS_LIMIT, type IngestSummary, type RejectedRow } from './summary.js';

export type IngestSource =
  | { kind: 'file'; file: string; format: InputFormat; map?: Record<string, string> }
  /** Rows already in memory (HTTP); values as text; `line` of a row is its index. */
  | { kind: 'rows'; rows: Record<string, string | null>[] };

export interface IngestOptions {
  source: IngestSource;
  identity: IdentitySettings;
  origin: 'cli' | 'http' | 'demo';
  /** Order-line file: one row per product line, aggregated into purchase/refund events. */
  lines?: boolean;
  /** strptime format for ts columns that are not ISO 8601. */
  tsFormat?: string;
  /** The ingest time events are checked against (default: the clock). */
  now?: Date;
  /** How many hours past `now` an event's ts may lie (default DEFAULT_FUTURE_TOLERANCE_HOURS). */
  futureToleranceHours?: number;
  strict?: boolean;
  /** Folder for the rejects CSV; none is written when undefined. */
  rejectsDir?: string;
  /** How many rejected rows the summary lists in full (the rejects table and file hold all). */
  rejectsLimit?: number;
  /** Called while the file is read (0–100). */
  onProgress?: (percentage: number) => void;
  /** The stored events' ids, kept by a running service: lets a batch skip the duplicate scan. */
  knownEventIds?: EventIdFilter;
  /** List the rows that landed (`landed`), so a caller that combined several requests can answer each. */
  reportLanded?: boolean;
}

/** A row of the input that was stored: its line (index for rows in memory) and the event id it got. */
export interface LandedRow {
  line: number;
  event_id: string;
}

const STAGE = 'stg';

/** What later steps read of a staged event: the event id, what the insert stores, and the identifiers. */
const EVENT_KEEP = [
  'eid',
  'type',
  'v_ts',
  'v_amount',
  'v_margin',
  'v_quantity',
  'product_id',
  'category',
  'channel',
  'v_duration_s',
  'v_rating',
  'related_customer_id',
  'campaign_id',
  'action_id',
  'customer_id',
  'member_id',
  'k_email',
  'k_phone',
];

export async function ingestEvents(store: Store, options: IngestOptions): Promise<IngestSummary & { landed?: LandedRow[] }> {
  const columns = options.lines ? ORDER_LINE_COLUMNS : EVENT_COLUMNS;
  const ruleOptions = eventRuleOptions(options);
  const { typed, rules } = options.lines ? orderLineRules(ruleOptions) : eventRules(ruleOptions);
  // Typed values, hashed identity keys and the event id are computed once, while staging; validity from them.
  const derived: Derived = options.lines
    ? [typed, { ok: validSql(rules) }]
    : [
        { ...typed, ...hashedKeyColumns(options.identity), eid: eventIdSql(options.identity, EVENT_COLUMNS.filter((c) => c !== 'event_id')) },
        { ok: validSql(rules) },
      ];
  return store.transaction(async (tx) => {
    // Reading, checking and deduplicating the input only makes temp tables: that work runs before
    // the batch's transaction, which then holds every write (a temp table made inside an open
    // transaction is read back through its transaction-local storage, about twice as slowly).
    const prepared = await beforeWriting(tx, async () => {
      let staged = await stage(tx, options, columns, derived, options.lines ? undefined : EVENT_KEEP);
      requireColumns(staged.missing, options.lines ? ['ts', 'order_id', 'quantity', 'unit_price'] : ['type', 'ts']);
      await stageRejects(tx, rules, staged);

      let source = STAGE;
      if (options.lines) {
        await tx.run(`CREATE OR REPLACE TEMP TABLE valid_lines AS SELECT * FROM ${STAGE} WHERE ok`);
        await rejectLinesOfOthersOrders(tx, 'valid_lines', 'b_rejects', options.identity);
        await aggregateOrderLines(tx, 'valid_lines', 'order_events', options.tsFormat);
        const { v_ts: _, ...numbers } = eventTypedValues(); // ts is a TIMESTAMP already
        await tx.run(
          `CREATE OR REPLACE TEMP TABLE order_events_staged AS
           SELECT *, true AS ok, ts AS v_ts, ${Object.entries(numbers).map(([name, sql]) => `${sql} AS ${name}`).join(', ')},
                  ${identityKeySelect(options.identity)}, event_id AS eid
           FROM order_events ORDER BY line`,
        );
        source = 'order_events_staged';
      }
      // A view, not a table: the big batch is read in place by each step instead of copied again.
      await tx.run(`CREATE OR REPLACE TEMP VIEW valid AS SELECT * FROM ${source} WHERE ok`);
      let counts = await countIds(tx);
      if (counts.repeated && !staged.linesKnown) {
        // "The first occurrence wins" needs file order: read again, with line numbers (rare).
        staged = await stage(tx, options, columns, derived);
        counts = await countIds(tx);
      }
      let fresh = 'valid';
      let freshRows = counts.n;
      if (counts.repeated) {
        // Repeated event_ids inside the input: the first occurrence wins.
        await tx.run('CREATE OR REPLACE TEMP TABLE valid_first AS SELECT * FROM valid QUALIFY row_number() OVER (PARTITION BY eid ORDER BY line) = 1 ORDER BY line');
        fresh = 'valid_first';
        freshRows = await count(tx, fresh);
      }
      // Identity is resolved over the distinct identifier tuples; each row then joins its tuple's person.
      await tx.run(`CREATE OR REPLACE TEMP TABLE b_id_tuples AS ${identityTuplesSql(fresh)}`);
      return { staged, valid: counts.n, fresh, freshRows };
    });
    const { staged, fresh } = prepared;

    const batchId = await beginBatch(tx, 'events', options);
    const rejected = await collectRejects(tx, batchId, options.rejectsLimit);
    const hasEvents = (await tx.one('SELECT 1 AS x FROM events LIMIT 1')) !== undefined;
    const known = options.knownEventIds;
    const batchIds = known ? await EventIdFilter.idsOf(tx, fresh) : undefined;
    let existing = 0;
    // With a filter that rules out every id of the batch, no event can be stored already.
    if (hasEvents && (!batchIds || known!.mayContainAny(batchIds))) {
      // Events already stored (re-ingest). Listed first, not anti-joined in the insert: the insert
      // then builds its hash table on this list and streams the batch through in file order.
      await tx.run(`CREATE OR REPLACE TEMP TABLE b_existing AS SELECT eid FROM ${fresh} WHERE eid IN (SELECT event_id FROM events)`);
      existing = await count(tx, 'b_existing');
    }
    // Every batch's identifiers are resolved, even when all its events are already stored.
    const identity = await resolveIdentities(tx, 'b_id_tuples', batchId);
    if (existing < prepared.freshRows) {
      await tx.run('CREATE OR REPLACE TEMP TABLE b_tuple_person AS SELECT t.*, m.person_id FROM b_id_tuples t JOIN b_keymap m ON m.k = t.anchor');
      await tx.run(
        `INSERT INTO events
         SELECT v.eid, p.person_id, v.type, v.v_ts, v.v_amount, v.v_margin, v.v_quantity, v.product_id, v.category, v.channel,
                v.v_duration_s, TRY_CAST(v.v_rating AS TINYINT), v.related_customer_id, v.campaign_id, v.action_id, ${batchId}
         FROM ${fresh} v JOIN b_tuple_person p ON ${TUPLE_PERSON_JOIN}
         ${existing > 0 ? 'WHERE v.eid NOT IN (SELECT eid FROM b_existing)' : ''}`,
      );
    }
    if (batchIds) known!.add(batchIds);
    const ingested = await count(tx, `events WHERE batch_id = ${batchId}`);
    if (options.lines) {
      await tx.run(`INSERT INTO event_items SELECT i.* FROM order_items i WHERE i.event_id IN (SELECT event_id FROM events WHERE batch_id = ${batchId})`);
    }
    const landed = options.reportLanded
      ? (
          await tx.all<{ line: number; event_id: string }>(
            `SELECT line, eid AS event_id FROM ${fresh} WHERE eid IN (SELECT event_id FROM events WHERE batch_id = ${batchId}) ORDER BY line`,
          )
        ).map((r) => ({ line: Number(r.line), event_id: r.event_id }))
      : undefined;
    const summary: IngestSummary & { landed?: LandedRow[] } = {
      ...(landed ? { landed } : {}),
      batch_id: batchId,
      kind: 'events',
      read: staged.read,
      ingested,
      duplicates: prepared.valid - ingested,
      rejected: rejected.rows,
      rejects_file: null,
      persons_created: identity.personsCreated,
      merges: identity.merges,
      rejects: rejected.sample,
    };
    return finishBatch(tx, summary, options, store.file);
  });
}

/** The event rules' options from the ingest's, checking the tolerance. */
function eventRuleOptions(options: IngestOptions): EventRuleOptions {
  const hours = options.futureToleranceHours ?? DEFAULT_FUTURE_TOLERANCE_HOURS;
  if (!Number.isFinite(hours) || hours < 0) {
    throw new ValidationError(`futureToleranceHours must be a number of hours ≥ 0, got ${hours}`, [
      { path: ['futureToleranceHours'], message: 'must be ≥ 0' },
    ]);
  }
  return { tsFormat: options.tsFormat, now: options.now ?? new Date(), futureToleranceHours: hours };
}

/**
 * Counts the valid rows and tells whether an event id repeats among them. Distinct 64-bit hashes
 * are several times cheaper to count than distinct strings, and as many hashes as rows proves
 * every id distinct; only fewer (a repeat, or a hash collision) needs the exact count.
 */
async function countIds(tx: Db): Promise<{ n: number; repeated: boolean }> {
  const hashed = (await tx.one<{ n: number; hashes: number }>('SELECT count(*) AS n, count(DISTINCT hash(eid)) AS hashes FROM valid'))!;
  const n = Number(hashed.n);
  if (Number(hashed.hashes) === n) return { n, repeated: false };
  const exact = (await tx.one<{ ids: number }>('SELECT count(DISTINCT eid) AS ids FROM valid'))!;
  return { n, repeated: Number(exact.ids) < n };
}

/**
 * Runs `work` outside the transaction `tx` holds, then opens a new one for the batch's writes.
 * Only for work that makes temp tables, before the batch has written anything.
 */
async function beforeWriting<T>(tx: Db, work: () => Promise<T>): Promise<T> {
  await tx.run('COMMIT');
  try {
    return await work();
  } finally {
    await tx.run('BEGIN TRANSACTION');
  }
}

export async function ingestCustomers(store: Store, options: IngestOptions): Promise<IngestSummary> {
  const { typed, rules } = customerRules(options.tsFormat);
  return store.transaction(async (tx) => {
    const staged = await beforeWriting(tx, async () => {
      const staged = await stage(tx, options, CUSTOMER_COLUMNS, [typed, { ok: validSql(rules) }]);
      requireColumns(staged.missing, ['customer_id']);
      await stageRejects(tx, rules, staged);
      await tx.run(
        `CREATE OR REPLACE TEMP TABLE valid AS
         SELECT line, v_signup_ts AS signup_ts,
                ${['consent_email', 'consent_sms', 'consent_line', 'consent_push'].map((c) => `${booleanSql(c)} AS ${c}`).join(', ')},
                ${identityKeySelect(options.identity)}
         FROM ${STAGE} WHERE ok`,
      );
      return staged;
    });
    const batchId = await beginBatch(tx, 'customers', options);
    const rejected = await collectRejects(tx, batchId, options.rejectsLimit);
    const identity = await resolveIdentities(tx, 'valid', batchId);
    // The last row of a person in the file wins (the others count as duplicates); a newer file
    // replaces an older profile.
    await tx.run(
      `CREATE OR REPLACE TEMP TABLE profiles AS
       SELECT m.person_id, v.signup_ts, v.consent_email, v.consent_sms, v.consent_line, v.consent_push
       FROM valid v JOIN b_keymap m ON m.k = v.anchor
       QUALIFY row_number() OVER (PARTITION BY m.person_id ORDER BY v.line DESC) = 1`,
    );
    await tx.run('DELETE FROM customers WHERE person_id IN (SELECT person_id FROM profiles)');
    await tx.run(`INSERT INTO customers SELECT *, ${batchId} FROM profiles`);
    const ingested = await count(tx, 'profiles');
    const summary: IngestSummary = {
      batch_id: batchId,
      kind: 'customers',
      read: staged.read,
      ingested,
      duplicates: (await count(tx, 'valid')) - ingested,
      rejected: rejected.rows,
      rejects_file: null,
      persons_created: identity.personsCreated,
      merges: identity.merges,
      rejects: rejected.sample,
    };
    return finishBatch(tx, summary, options, store.file);
  });
}

async function beginBatch(tx: Db, kind: 'events' | 'customers', options: IngestOptions): Promise<number> {
  const batchId = Number((await tx.one<{ n: number }>('SELECT coalesce(max(batch_id), 0) + 1 AS n FROM ingest_batches'))!.n);
  const source = options.source.kind === 'file' ? options.source.file : `${options.source.rows.length} rows`;
  const format = options.source.kind === 'file' ? options.source.format : 'json';
  await tx.run(
    `INSERT INTO ingest_batches (batch_id, kind, origin, source, format, started_at) VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)`,
    [batchId, kind, options.origin, source, format],
  );
  return batchId;
}

/**
 * Stages the input as the temp table (or view) `stg`: the text columns, `line`, and the derived
 * columns. With `keep`, a CSV whose rows are all valid keeps only those columns and no line numbers.
 */
async function stage(tx: Db, options: IngestOptions, columns: readonly string[], derived: Derived, keep?: readonly string[]): Promise<StageResult> {
  const { source } = options;
  if (source.kind === 'file') {
    if (!fs.existsSync(source.file)) {
      throw new ValidationError(`No such file: ${source.file}`, [{ path: ['file'], message: 'file not found' }]);
    }
    if (await isEmptyFile(source.file)) {
      throw new ValidationError(`The file ${source.file} is empty: it has no header and no rows`, [{ path: ['file'], message: 'empty file' }]);
    }
    await checkTsFormat(tx, options.tsFormat);
    const request = { file: source.file, format: source.format, columns, map: source.map ?? {}, table: STAGE, derived, linesOnlyForRejects: keep !== undefined, keep };
    try {
      return await stageFile(tx, request, (sql) => runWithProgress(tx, sql, options.onProgress));
    } catch (error) {
      throw readError(error, source.file, source.format) ?? error;
    }
  }
  const text = `${STAGE}_text`;
  await tx.run(
    `CREATE OR REPLACE TEMP TABLE ${text} (line BIGINT, ${columns.map((c) => `${sqlIdent(c)} VARCHAR`).join(', ')})`,
  );
  const appender = await tx.connection.createAppender(text, null, 'temp');
  source.rows.forEach((row, index) => {
    appender.appendBigInt(BigInt(index));
    for (const column of columns) {
      const value = row[column]?.trim();
      if (value === undefined || value === '') appender.appendNull();
      else appender.appendVarchar(value);
    }
    appender.endRow();
  });
  appender.closeSync();
  await tx.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} AS ${withDerived(`SELECT * FROM ${text}`, derived)}`);
  return { read: source.rows.length, malformed: [] as MalformedLine[], missing: [] as string[], linesKnown: true };
}

/** A --ts-format DuckDB cannot use fails the ingest before the file is read, in plain words. */
async function checkTsFormat(tx: Db, format: string | undefined): Promise<void> {
  if (format === undefined) return;
  try {
    await tx.one(`SELECT try_strptime('2024-01-01', ${sqlString(format)}) AS t`);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`--ts-format '${format}' is not a strptime format DuckDB can read (e.g. %d/%m/%Y %H:%M)`, [
      { path: ['ts_format'], message: detail },
    ]);
  }
}

/** Runs a long statement while reporting DuckDB's own progress estimate. */
async function runWithProgress(tx: Db, sql: string, onProgress?: (p: number) => void): Promise<void> {
  if (!onProgress) return tx.run(sql);
  await tx.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
  const timer = setInterval(() => {
    const percentage = tx.connection.progress.percentage;
    if (percentage >= 0) onProgress(percentage);
  }, 200);
  try {
    await tx.run(sql);
    onProgress(100);
  } finally {
    clearInterval(timer);
  }
}

function requireColumns(missing: string[], required: string[]): void {
  const absent = required.filter((c) => missing.includes(c));
  if (absent.length > 0) {
    throw new ValidationError(`The input has no column ${absent.map((c) => `'${c}'`).join(', ')} (use --map target=source to rename)`, absent.map((c) => ({ path: [c], message: 'column missing' })));
  }
}

/** Lists every broken rule of every rejected row, and every malformed line, in the temp table b_rejects. */
async function stageRejects(tx: Db, rules: Rule[], staged: StageResult): Promise<void> {
  const { malformed } = staged;
  if (!staged.linesKnown) {
    // Every row is valid (and the text of the values may not have been kept).
    await tx.run('CREATE OR REPLACE TEMP TABLE b_rejects (line BIGINT, field VARCHAR, reason VARCHAR)');
    return;
  }
  await tx.run(
    `CREATE OR REPLACE TEMP TABLE b_rejects AS
     SELECT line, i.field AS field, i.reason AS reason FROM (
       SELECT line, unnest(${issuesSql(rules)}) AS i FROM ${STAGE} WHERE NOT ok
     )`,
  );
  if (malformed.length > 0) {
    const appender = await tx.connection.createAppender('b_rejects', null, 'temp');
    for (const m of malformed) {
      appender.appendBigInt(BigInt(m.line));
      appender.appendNull();
      appender.appendVarchar(m.reason);
      appender.endRow();
    }
    appender.closeSync();
  }
}

/** Stores the rejects of b_rejects with the batch; returns the count of rows and a sample. */
async function collectRejects(tx: Db, batchId: number, limit = SUMMARY_REJECTS_LIMIT) {
  await tx.run(`INSERT INTO rejects SELECT ${batchId}, line, field, reason FROM b_rejects`);
  const rows = Number((await tx.one<{ n: number }>('SELECT count(DISTINCT line) AS n FROM b_rejects'))!.n);
  const sample = (
    await tx.all<RejectedRow>(`SELECT line, coalesce(field, '') AS field, reason FROM b_rejects ORDER BY line, field LIMIT ${limit}`)
  ).map((r) => ({ line: Number(r.line), field: r.field, reason: r.reason }));
  return { rows, sample };
}

async function finishBatch<S extends IngestSummary>(tx: Db, summary: S, options: IngestOptions, storeFile: string): Promise<S> {
  if (options.strict && summary.rejected > 0) {
    throw new StrictRejectError(
      summary.rejected,
      summary.rejects.map((r) => ({ path: ['line', r.line, r.field], message: r.reason })),
    );
  }
  if (options.rejectsDir && summary.rejected > 0) {
    const input = options.source.kind === 'file' ? path.basename(options.source.file) : 'request';
    const file = claimRejectsFile(options.rejectsDir, storeFile, summary.batch_id, input);
    await tx.run(`COPY (SELECT line, field, reason FROM b_rejects ORDER BY line, field) TO ${sqlString(file)} (HEADER)`);
    summary.rejects_file = file;
  }
  await tx.run(
    `UPDATE ingest_batches SET finished_at = now()::TIMESTAMP, read = ?, ingested = ?, duplicates = ?, rejected = ?, merges = ?, rejects_file = ?
     WHERE batch_id = ?`,
    [summary.read, summary.ingested, summary.duplicates, summary.rejected, summary.merges, summary.rejects_file, summary.batch_id],
  );
  return summary;
}

async function count(tx: Db, table: string): Promise<number> {
  return Number((await tx.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n);
}
