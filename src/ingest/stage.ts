import { ValidationError } from '../domain/errors.js';
import { sqlIdent, sqlString, type Db } from '../store/database.js';
import { countFileLines, readsPlain, recordLines, scanCsvPieces, type CsvDialect } from './csv-lines.js';
import type { InputFormat } from './format.js';

/** A file rejected by the reader itself (bad quoting, wrong column count, broken JSON). */
export interface MalformedLine {
  line: number;
  reason: string;
}

export interface StageRequest {
  file: string;
  format: InputFormat;
  /** Target columns wanted in the staging table, all VARCHAR. */
  columns: readonly string[];
  /** target → source column renames (`--map`). */
  map: Record<string, string>;
  table: string;
  /**
   * Extra columns computed once while staging, in layers (name → SQL over the staged columns and
   * the earlier layers), e.g. typed values, then validity.
   */
  derived?: Derived;
  /**
   * CSV only: read without line numbers first (row_number() over a whole file runs on one thread
   * and doubles the load time) and number lines only if a row is malformed or breaks a rule (the
   * derived `ok` column is false). Lines are then NULL.
   */
  linesOnlyForRejects?: boolean;
  /**
   * With linesOnlyForRejects: the only columns the table keeps when every row is valid (besides
   * `ok`). The text is needed only to word the reasons of rejected rows, so a valid file stores
   * just what the later steps read. Default: every column.
   */
  keep?: readonly string[];
}

/** Derived columns in layers: each layer may use the columns of the layers before it. */
export type Derived = Record<string, string>[];

export interface StageResult {
  read: number;
  malformed: MalformedLine[];
  /** Columns absent from the file (staged as NULL). */
  missing: string[];
  /** False when the rows were staged without line numbers (every row valid, see linesOnlyForRejects). */
  linesKnown: boolean;
}

/**
 * Loads a file into a temporary staging table `(line BIGINT, <columns> VARCHAR)` where `line` is
 * the 1-based line of the row in the file (CSV: the line its record starts on, the header being
 * line 1; Parquet counts rows).
 * Every value stays text here; validation and typing happen in SQL afterwards, one path for all formats.
 */
export async function stageFile(db: Db, request: StageRequest, onStatement?: (sql: string) => Promise<void>): Promise<StageResult> {
  const run = onStatement ?? ((sql: string) => db.run(sql));
  switch (request.format) {
    case 'csv':
      return stageCsv(db, request, run);
    case 'ndjson':
      return stageNdjson(db, request, run);
    case 'parquet':
      return stageParquet(db, request, run);
  }
}

function sourceFor(request: StageRequest, target: string): string {
  return request.map[target] ?? target;
}

function checkMappedColumns(request: StageRequest, present: Set<string>): string[] {
  for (const [target, source] of Object.entries(request.map)) {
    if (!present.has(source)) {
      throw new ValidationError(
        `--map ${target}=${source}: the file has no column '${source}'. Its columns: ${[...present].join(', ')}`,
        [{ path: ['map', target], message: `no column '${source}' in ${request.file}` }],
      );
    }
  }
  return request.columns.filter((c) => !present.has(sourceFor(request, c)));
}

/** Wraps a staging SELECT so derived columns are computed in the same pass. */
export function withDerived(select: string, derived: Derived | undefined): string {
  let sql = select;
  for (const layer of derived ?? []) {
    const extra = Object.entries(layer);
    if (extra.length > 0) sql = `SELECT *, ${extra.map(([name, expr]) => `${expr} AS ${sqlIdent(name)}`).join(', ')} FROM (${sql})`;
  }
  return sql;
}

/**
 * A value as staged: trimmed, and NULL when empty. trim() copies every string it returns and
 * costs about as much as reading the CSV; it can change a value only when the value starts or ends
 * with a space or holds a non-ASCII character (the only ASCII character trim() removes is the
 * space), so other values are taken as they are. `expr` must be VARCHAR.
 */
export function textSql(expr: string): string {
  return `CASE WHEN strlen(${expr}) = 0 OR starts_with(${expr}, ' ') OR ends_with(${expr}, ' ') OR strlen(${expr}) <> length(${expr})
    THEN nullif(trim(${expr}), '') ELSE ${expr} END`;
}

function textColumn(expr: string): string {
  return `nullif(trim(CAST(${expr} AS VARCHAR)), '')`;
}

async function stageCsv(db: Db, request: StageRequest, run: (sql: string) => Promise<void>): Promise<StageResult> {
  const file = sqlString(request.file);
  const header = await db.all<{ column_name: string }>(
    `DESCRIBE SELECT * FROM read_csv(${file}, header = true, all_varchar = true, ignore_errors = true)`,
  );
  const present = new Set(header.map((h) => h.column_name));
  const missing = checkMappedColumns(request, present);
  const select = request.columns
    .map((c) => (present.has(sourceFor(request, c)) ? `${textSql(sqlIdent(sourceFor(request, c)))} AS ${sqlIdent(c)}` : `NULL::VARCHAR AS ${sqlIdent(c)}`))
    .join(', ');
  const rejectsTable = `${request.table}_csv_errors`;
  const scansTable = `${request.table}_csv_scans`;
  const readCsv = `read_csv(${file}, header = true, all_varchar = true, store_rejects = true,
                     rejects_table = ${sqlString(rejectsTable)}, rejects_scan = ${sqlString(scansTable)})`;
  const malformedLines = async () =>
    (
      await db.all<{ line: number; reason: string }>(
        `SELECT line, min(error_type || ': ' || error_message) AS reason FROM ${rejectsTable} GROUP BY line ORDER BY line`,
      )
    ).map((m) => ({ line: Number(m.line), reason: firstLine(m.reason) }));
  if (request.linesOnlyForRejects) {
    const data = `${request.table}_unnumbered`;
    const kept = request.keep ? `SELECT ${[...request.keep, 'ok'].map(sqlIdent).join(', ')} FROM (${withDerived(`SELECT ${select} FROM ${readCsv}`, request.derived)})` : withDerived(`SELECT ${select} FROM ${readCsv}`, request.derived);
    await run(`CREATE OR REPLACE TEMP TABLE ${data} AS ${kept}`);
    const malformed = await malformedLines();
    const invalid = Number((await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${data} WHERE NOT ok`))!.n);
    await db.run(`DROP TABLE IF EXISTS ${rejectsTable}`);
    await db.run(`DROP TABLE IF EXISTS ${scansTable}`);
    if (malformed.length === 0 && invalid === 0) {
      await db.run(`CREATE OR REPLACE TEMP VIEW ${request.table} AS SELECT NULL::BIGINT AS line, * FROM ${data}`);
      return { read: await countRows(db, data), malformed, missing, linesKnown: false };
    }
    await db.run(`DROP TABLE ${data}`);
  }
  await db.run(`DROP VIEW IF EXISTS ${request.table}`);
  // Counted while DuckDB reads (a pass of memchr, mostly hidden): tells whether records and lines differ.
  const fileLines = countFileLines(request.file);
  await run(
    `CREATE OR REPLACE TEMP TABLE ${request.table} AS ${withDerived(`SELECT row_number() OVER () AS line, ${select} FROM ${readCsv}`, request.derived)}`,
  );
  const malformed = await malformedLines();
  const rows = await countRows(db, request.table);
  if ((await fileLines) === 1 + rows + malformed.length) {
    // One line per record and no blank lines: record numbers are line numbers.
    await renumberCsvLines(db, request.table, malformed);
  } else {
    await placeCsvRecords(db, request, { rows, malformed, columns: header.length, scansTable });
  }
  await db.run(`DROP TABLE IF EXISTS ${rejectsTable}`);
  await db.run(`DROP TABLE IF EXISTS ${scansTable}`);
  return { read: rows + malformed.length, malformed, missing, linesKnown: true };
}

/**
 * Numbers rows and malformed records by the physical line they start on, for a file where a
 * quoted value spans lines or a blank line stands between records. Falls back to record numbers
 * (renumberCsvLines) when the file cannot be scanned or the scan disagrees with DuckDB's read.
 */
async function placeCsvRecords(
  db: Db,
  request: StageRequest,
  read: { rows: number; malformed: MalformedLine[]; columns: number; scansTable: string },
): Promise<void> {
  const dialect = readsPlain(request.file) ? await csvDialect(db, request.file, read.scansTable) : undefined;
  const pieces = dialect && (await scanCsvPieces(request.file, dialect).catch(() => undefined));
  const placed = pieces && recordLines(pieces, read.rows, read.malformed.map((m) => m.line), read.columns === 1);
  if (!placed) {
    await renumberCsvLines(db, request.table, read.malformed);
    return;
  }
  for (const m of read.malformed) m.line = placed.malformed.get(m.line)!;
  const map = `${request.table}_line_map`;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${map} (k BIGINT, line BIGINT)`);
  const appender = await db.connection.createAppender(map, null, 'temp');
  placed.rows.forEach((line, k) => {
    appender.appendBigInt(BigInt(k + 1));
    appender.appendBigInt(BigInt(line));
    appender.endRow();
  });
  appender.closeSync();
  await db.run(`UPDATE ${request.table} SET line = m.line FROM ${map} m WHERE ${request.table}.line = m.k`);
  await db.run(`DROP TABLE ${map}`);
}

/**
 * The quote, escape and newline DuckDB read the file with: from its rejects scan when it rejected
 * a line (the options it used), else from its sniffer, which detects the same way.
 */
async function csvDialect(db: Db, file: string, scansTable: string): Promise<CsvDialect | undefined> {
  const used = await db
    .one<{ quote: string; escape: string; newline: string }>(`SELECT quote, escape, newline_delimiter AS newline FROM ${scansTable} LIMIT 1`)
    .catch(() => undefined);
  const sniffed =
    used ??
    (await db
      .one<{ quote: string; escape: string; newline: string }>(
        `SELECT Quote AS quote, Escape AS escape, NewLineDelimiter AS newline FROM sniff_csv(${sqlString(file)}, header = true)`,
      )
      .catch(() => undefined));
  if (!sniffed) return undefined;
  const char = (value: string) => (value === '(empty)' ? '' : value);
  return { quote: char(sniffed.quote), escape: char(sniffed.escape), newline: sniffed.newline === '\\r' ? '\r' : '\n' };
}

/**
 * row_number() counts accepted rows; a file line is that plus the header plus the malformed
 * lines before it. Only needed when the reader skipped lines.
 */
async function renumberCsvLines(db: Db, table: string, malformed: MalformedLine[]): Promise<void> {
  if (malformed.length === 0) {
    await db.run(`UPDATE ${table} SET line = line + 1`);
    return;
  }
  const bad = malformed.map((m) => m.line);
  // Accepted row k (1-based) sits on the k-th line, counting from line 2, that is not malformed.
  await db.run(
    `UPDATE ${table} SET line = m.file_line FROM (
       SELECT row_number() OVER (ORDER BY l) AS k, l AS file_line
       FROM range(2, (SELECT count(*) FROM ${table}) + ${bad.length} + 2) r(l)
       WHERE l NOT IN (${bad.join(',')})
     ) m WHERE ${table}.line = m.k`,
  );
}

async function stageNdjson(db: Db, request: StageRequest, run: (sql: string) => Promise<void>): Promise<StageResult> {
  const file = sqlString(request.file);
  const raw = `${request.table}_raw`;
  // Each line read as one text value, so a broken line is reported with its number, not fatal.
  await run(
    `CREATE OR REPLACE TEMP TABLE ${raw} AS
     SELECT row_number() OVER () AS line, j FROM read_csv(${file}, header = false, auto_detect = false,
       columns = {'j': 'VARCHAR'}, delim = '\x1f', quote = '', escape = '', new_line = '\\n')`,
  );
  const keys = new Set(
    (await db.all<{ k: string }>(`SELECT DISTINCT unnest(json_keys(j)) AS k FROM ${raw} WHERE json_valid(j) AND json_type(j) = 'OBJECT'`)).map(
      (r) => r.k,
    ),
  );
  const missing = checkMappedColumns(request, keys);
  const select = request.columns
    .map((c) => `${textColumn(`j->>${sqlString('$.' + JSON.stringify(sourceFor(request, c)))}`)} AS ${sqlIdent(c)}`)
    .join(', ');
  const malformed = (
    await db.all<{ line: number }>(
      `SELECT line FROM ${raw} WHERE j IS NOT NULL AND (NOT json_valid(j) OR json_type(j) <> 'OBJECT') ORDER BY line`,
    )
  ).map((m) => ({ line: Number(m.line), reason: 'the line is not a JSON object' }));
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${request.table} AS ${withDerived(
      `SELECT line, ${select} FROM ${raw} WHERE j IS NOT NULL AND json_valid(j) AND json_type(j) = 'OBJECT'`,
      request.derived,
    )}`,
  );
  await db.run(`DROP TABLE ${raw}`);
  const read = await countRows(db, request.table);
  return { read: read + malformed.length, malformed, missing, linesKnown: true };
}

async function stageParquet(db: Db, request: StageRequest, run: (sql: string) => Promise<void>): Promise<StageResult> {
  const file = sqlString(request.file);
  const columns = await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${file})`);
  const present = new Set(columns.map((c) => c.column_name));
  const missing = checkMappedColumns(request, present);
  const select = request.columns
    .map((c) => (present.has(sourceFor(request, c)) ? `${textColumn(sqlIdent(sourceFor(request, c)))} AS ${sqlIdent(c)}` : `NULL::VARCHAR AS ${sqlIdent(c)}`))
    .join(', ');
  await run(
    `CREATE OR REPLACE TEMP TABLE ${request.table} AS ${withDerived(
      `SELECT file_row_number + 1 AS line, ${select} FROM read_parquet(${file}, file_row_number = true)`,
      request.derived,
    )}`,
  );
  return { read: await countRows(db, request.table), malformed: [], missing, linesKnown: true };
}

async function countRows(db: Db, table: string): Promise<number> {
  return Number((await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n ?? 0);
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
