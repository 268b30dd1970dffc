import fs from 'node:fs';
import path from 'node:path';
import { StrictRejectError, ValidationError } from '../domain/errors.js';
import { CUSTOMER_COLUMNS, EVENT_COLUMNS } from '../domain/event.js';
import type { IdentitySettings } from '../identity/normalize.js';
import { resolveIdentities } from '../identity/resolve.js';
import { sqlIdent, sqlString, type Db, type Store } from '../store/database.js';
import type { InputFormat } from './format.js';
import { eventIdSql, identityKeyColumns, identityKeySelect } from './keys.js';
import { aggregateOrderLines, ORDER_LINE_COLUMNS } from './lines.js';
import { booleanSql, customerRules, eventRules, issuesSql, orderLineRules, timestampSql, type Rule } from './rules.js';
import { stageFile, withDerived, type MalformedLine } from './stage.js';
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
  strict?: boolean;
  /** Folder for the rejects CSV; none is written when undefined. */
  rejectsDir?: string;
  /** How many rejected rows the summary lists in full (the rejects table and file hold all). */
  rejectsLimit?: number;
  /** Called while the file is read (0–100). */
  onProgress?: (percentage: number) => void;
}

const STAGE = 'stg';

export async function ingestEvents(store: Store, options: IngestOptions): Promise<IngestSummary> {
  const columns = options.lines ? ORDER_LINE_COLUMNS : EVENT_COLUMNS;
  const rules = options.lines ? orderLineRules(options.tsFormat) : eventRules(options.tsFormat);
  // Validity, the parsed timestamp, identity keys and the event id are computed once, while staging.
  const derived = {
    ok: validSql(rules),
    ts_value: timestampSql('ts', options.tsFormat),
    ...(options.lines ? {} : { ...identityKeyColumns(options.identity), eid: eventIdSql(options.identity, EVENT_COLUMNS.filter((c) => c !== 'event_id')) }),
  };
  return store.transaction(async (tx) => {
    const batchId = await beginBatch(tx, 'events', options);
    let staged = await stage(tx, options, columns, derived, !options.lines);
    requireColumns(staged.missing, options.lines ? ['ts', 'order_id', 'quantity', 'unit_price'] : ['type', 'ts']);
    const rejected = await collectRejects(tx, rules, staged.malformed, batchId, options.rejectsLimit);

    let source = STAGE;
    if (options.lines) {
      await tx.run(`CREATE OR REPLACE TEMP TABLE valid_lines AS SELECT * FROM ${STAGE} WHERE ok`);
      await aggregateOrderLines(tx, 'valid_lines', 'order_events', options.tsFormat);
      await tx.run(
        `CREATE OR REPLACE TEMP TABLE order_events_staged AS
         SELECT *, true AS ok, ts AS ts_value, ${identityKeySelect(options.identity)},
                event_id AS eid
         FROM order_events`,
      );
      source = 'order_events_staged';
    }
    // A view, not a table: the big batch is read in place by each step instead of copied again.
    await tx.run(`CREATE OR REPLACE TEMP VIEW valid AS SELECT * FROM ${source} WHERE ok`);
    const countIds = async () => (await tx.one<{ n: number; distinct_ids: number }>('SELECT count(*) AS n, count(DISTINCT eid) AS distinct_ids FROM valid'))!;
    let counts = await countIds();
    if (Number(counts.distinct_ids) < Number(counts.n) && !staged.linesKnown) {
      // "The first occurrence wins" needs file order: read again, with line numbers (rare).
      staged = await stage(tx, options, columns, derived, false);
      counts = await countIds();
    }
    let fresh = 'valid';
    if (Number(counts.distinct_ids) < Number(counts.n)) {
      // Repeated event_ids inside the input: the first occurrence wins.
      await tx.run('CREATE OR REPLACE TEMP TABLE valid_first AS SELECT * FROM valid QUALIFY row_number() OVER (PARTITION BY eid ORDER BY line) = 1');
      fresh = 'valid_first';
    }
    const hasEvents = (await tx.one('SELECT 1 AS x FROM events LIMIT 1')) !== undefined;
    if (hasEvents) {
      await tx.run(`CREATE OR REPLACE TEMP TABLE b_existing AS SELECT eid FROM ${fresh} WHERE eid IN (SELECT event_id FROM events)`);
    }
    const identity = await resolveIdentities(tx, fresh, batchId);
    await tx.run(
      `INSERT INTO events
       SELECT v.eid, m.person_id, v.type, v.ts_value, TRY_CAST(v.amount AS DOUBLE), TRY_CAST(v.margin AS DOUBLE),
              TRY_CAST(v.quantity AS DOUBLE), v.product_id, v.category, v.channel, TRY_CAST(v.duration_s AS DOUBLE),
              TRY_CAST(TRY_CAST(v.rating AS DOUBLE) AS TINYINT), v.related_customer_id, v.campaign_id, v.action_id, ${batchId}
       FROM ${fresh} v JOIN b_keymap m ON m.k = v.anchor
       ${hasEvents ? 'WHERE v.eid NOT IN (SELECT eid FROM b_existing)' : ''}`,
    );
    const ingested = await count(tx, `events WHERE batch_id = ${batchId}`);
    if (options.lines) {
      await tx.run(`INSERT INTO event_items SELECT i.* FROM order_items i WHERE i.event_id IN (SELECT event_id FROM events WHERE batch_id = ${batchId})`);
    }
    const summary: IngestSummary = {
      batch_id: batchId,
      kind: 'events',
      read: staged.read,
      ingested,
      duplicates: Number(counts.n) - ingested,
      rejected: rejected.rows,
      rejects_file: null,
      persons_created: identity.personsCreated,
      merges: identity.merges,
      rejects: rejected.sample,
    };
    return finishBatch(tx, summary, options);
  });
}

export async function ingestCustomers(store: Store, options: IngestOptions): Promise<IngestSummary> {
  const rules = customerRules(options.tsFormat);
  return store.transaction(async (tx) => {
    const batchId = await beginBatch(tx, 'customers', options);
    const staged = await stage(tx, options, CUSTOMER_COLUMNS, { ok: validSql(rules) });
    requireColumns(staged.missing, ['customer_id']);
    const rejected = await collectRejects(tx, rules, staged.malformed, batchId, options.rejectsLimit);
    await tx.run(
      `CREATE OR REPLACE TEMP TABLE valid AS
       SELECT line, ${timestampSql('signup_ts', options.tsFormat)} AS signup_ts,
              ${['consent_email', 'consent_sms', 'consent_line', 'consent_push'].map((c) => `${booleanSql(c)} AS ${c}`).join(', ')},
              ${identityKeySelect(options.identity)}
       FROM ${STAGE} WHERE ok`,
    );
    const identity = await resolveIdentities(tx, 'valid', batchId);
    // The last row of a person in the file wins; a newer file replaces an older profile.
    await tx.run(
      `CREATE OR REPLACE TEMP TABLE profiles AS
       SELECT m.person_id, v.signup_ts, v.consent_email, v.consent_sms, v.consent_line, v.consent_push
       FROM valid v JOIN b_keymap m ON m.k = v.anchor
       QUALIFY row_number() OVER (PARTITION BY m.person_id ORDER BY v.line DESC) = 1`,
    );
    await tx.run('DELETE FROM customers WHERE person_id IN (SELECT person_id FROM profiles)');
    await tx.run(`INSERT INTO customers SELECT *, ${batchId} FROM profiles`);
    const summary: IngestSummary = {
      batch_id: batchId,
      kind: 'customers',
      read: staged.read,
      ingested: await count(tx, 'profiles'),
      duplicates: 0,
      rejected: rejected.rows,
      rejects_file: null,
      persons_created: identity.personsCreated,
      merges: identity.merges,
      rejects: rejected.sample,
    };
    return finishBatch(tx, summary, options);
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

async function stage(tx: Db, options: IngestOptions, columns: readonly string[], derived: Record<string, string>, linesOnlyForRejects = false) {
  const { source } = options;
  if (source.kind === 'file') {
    if (!fs.existsSync(source.file)) {
      throw new ValidationError(`No such file: ${source.file}`, [{ path: ['file'], message: 'file not found' }]);
    }
    return stageFile(tx, { file: source.file, format: source.format, columns, map: source.map ?? {}, table: STAGE, derived, linesOnlyForRejects }, (sql) =>
      runWithProgress(tx, sql, options.onProgress),
    );
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

function validSql(rules: Rule[]): string {
  return `NOT (${rules.map((r) => `coalesce(${r.broken}, false)`).join(' OR ')})`;
}

/** Records every broken rule of every rejected row; returns the count of rows and a sample. */
async function collectRejects(tx: Db, rules: Rule[], malformed: MalformedLine[], batchId: number, limit = SUMMARY_REJECTS_LIMIT) {
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
  await tx.run(`INSERT INTO rejects SELECT ${batchId}, line, field, reason FROM b_rejects`);
  const rows = Number((await tx.one<{ n: number }>('SELECT count(DISTINCT line) AS n FROM b_rejects'))!.n);
  const sample = (
    await tx.all<RejectedRow>(`SELECT line, coalesce(field, '') AS field, reason FROM b_rejects ORDER BY line, field LIMIT ${limit}`)
  ).map((r) => ({ line: Number(r.line), field: r.field, reason: r.reason }));
  return { rows, sample };
}

async function finishBatch(tx: Db, summary: IngestSummary, options: IngestOptions): Promise<IngestSummary> {
  if (options.strict && summary.rejected > 0) {
    throw new StrictRejectError(
      summary.rejected,
      summary.rejects.map((r) => ({ path: ['line', r.line, r.field], message: r.reason })),
    );
  }
  if (options.rejectsDir && summary.rejected > 0) {
    fs.mkdirSync(options.rejectsDir, { recursive: true });
    const base = options.source.kind === 'file' ? path.basename(options.source.file).replace(/[^\w.-]+/g, '_') : 'request';
    const file = path.join(options.rejectsDir, `batch-${summary.batch_id}-${base}.rejects.csv`);
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
