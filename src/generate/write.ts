/**
 * Streamed table writers: CSV (RFC 4180, header row) or NDJSON, optionally gzip, chosen by file
 * extension (`.csv`, `.ndjson`/`.jsonl`, each optionally `.gz`).
 *
 * Rows are encoded into a byte chunk that is handed to the stream every ~4 MiB; when
 * the stream reports backpressure the writer says so (`needsDrain`) and the caller awaits
 * `drain()`. Memory stays flat however many rows are written. Output is a pure function of the
 * rows (gzip header carries no timestamp), so equal rows give byte-identical files.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, type ZlibOptions } from 'node:zlib';

export type TableFormat = 'csv' | 'ndjson';
export interface FileKind {
  format: TableFormat;
  gzip: boolean;
}

/** Format by extension; throws for anything else. */
export function fileKind(path: string): FileKind {
  const lower = path.toLowerCase();
  const gzip = lower.endsWith('.gz');
  const base = gzip ? lower.slice(0, -3) : lower;
  if (base.endsWith('.csv')) return { format: 'csv', gzip };
  if (base.endsWith('.ndjson') || base.endsWith('.jsonl')) return { format: 'ndjson', gzip };
  throw new Error(`cannot tell the format of ${path}: use .csv, .ndjson or .jsonl, optionally followed by .gz`);
}

export type Cell = string | number | boolean | null | undefined;

const MUST_QUOTE = /[",\r\n]|^\s|\s$/;

/** A string as a CSV field: quoted when it holds a quote, comma or line break, or white space at an edge. */
function csvString(value: string): string {
  return MUST_QUOTE.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV field: empty for missing, quoted when it holds a quote, comma, line break or edge space. */
export function csvField(value: Cell): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return csvString(value);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Serialiser of one row (with its line ending) for the given columns. For plain identifier column
 * names the function is generated with direct property reads (fast on rows of one shape).
 */
export function rowSerializer<R extends object>(format: TableFormat, columns: readonly (keyof R & string)[]): (row: R) => string {
  const fast = columns.length > 0 && columns.every((c) => IDENTIFIER.test(c));
  if (format === 'csv') {
    if (fast) {
      // Missing values and strings are handled inline (one regex test per string, the fastest of
      // the variants measured); numbers and booleans go through csvField.
      const reads = columns.map((c, i) => `const v${i} = r.${c};`).join(' ');
      const body = columns
        .map((_, i) => `(v${i} === undefined ? '' : typeof v${i} === 'string' ? s(v${i}) : f(v${i}))`)
        .join(" + ',' + ");
      const source = `return function (r) { ${reads} return ${body} + '\\n'; };`;
      return new Function('f', 's', source)(csvField, csvString) as (row: R) => string;
    }
    return (row) => {
      const r = row as Record<string, Cell>;
      let line = csvField(r[columns[0] as string]);
      for (let i = 1; i < columns.length; i++) line += ',' + csvField(r[columns[i] as string]);
      return line + '\n';
    };
  }
  const keys = columns.map((c) => `${JSON.stringify(c)}:`);
  const field = (key: string, v: Cell): string => {
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return ',' + key + JSON.stringify(v);
    if (typeof v === 'number') return Number.isFinite(v) ? ',' + key + String(v) : '';
    return ',' + key + (v ? 'true' : 'false');
  };
  if (fast) {
    const body = columns.map((c, i) => `f(k[${i}], r.${c})`).join(' + ');
    const inner = new Function('f', 'k', `return function (r) { return ${body}; };`)(field, keys) as (row: R) => string;
    return (row) => `{${inner(row).slice(1)}}\n`;
  }
  return (row) => {
    const r = row as Record<string, Cell>;
    let line = '';
    for (let i = 0; i < columns.length; i++) line += field(keys[i] ?? '', r[columns[i] as string]);
    return `{${line.slice(1)}}\n`;
  };
}

export interface WriterOptions {
  /** Bytes buffered before handing a chunk to the stream (default 4 MiB: big jobs for zlib's thread). */
  chunkBytes?: number;
  /** zlib level for .gz (default DEFAULT_GZIP_LEVEL). */
  gzipLevel?: number;
  /** Bytes the stream may buffer before asking the producer to wait (default 16 MiB). */
  highWaterMark?: number;
}

/** A buffered, backpressure-aware text file writer (gzip when asked). */
export interface TextWriter {
  readonly path: string;
  /** Appends text to the buffer (flushing to the stream when the buffer is full). */
  write(text: string): void;
  /** True when the stream asked to wait; await `drain()` before writing much more. */
  readonly needsDrain: boolean;
  drain(): Promise<void>;
  /** Flushes, ends the stream and waits until the file is complete; returns its size in bytes. */
  close(): Promise<number>;
}

const BATCH_CHARS = 16_384;

/** zlib level of .gz outputs unless told otherwise: 1 compresses ~4x faster than 6 for ~25% more bytes (generation speed matters more here). */
export const DEFAULT_GZIP_LEVEL = 1;

export function openTextWriter(path: string, gzip: boolean, options: WriterOptions = {}): TextWriter {
  const chunkBytes = options.chunkBytes ?? 4 << 20;
  const highWaterMark = options.highWaterMark ?? 16 << 20;
  const file = createWriteStream(path, { highWaterMark });
  let sink: Writable = file;
  let finished: Promise<void>;
  if (gzip) {
    // zlib compresses on the libuv thread pool. A generous buffer (highWaterMark, passed through to
    // the Transform) and large output chunks let it work while JS produces the next rows; the
    // producer must still yield to the event loop now and then (see generate.ts) to feed it.
    const zlibOptions = { level: options.gzipLevel ?? DEFAULT_GZIP_LEVEL, chunkSize: 1 << 20, highWaterMark };
    const gz = createGzip(zlibOptions as ZlibOptions);
    sink = gz;
    finished = pipeline(gz, file);
  } else {
    finished = once(file, 'finish').then(() => undefined);
  }
  let failure: unknown = null;
  const fail = (err: unknown): void => {
    failure ??= err;
  };
  finished.catch(fail);
  sink.on('error', fail);

  // Text is encoded straight into a byte chunk; full chunks go to the stream. Nothing long-lived
  // accumulates on the JS heap, so garbage collection stays cheap however much is written.
  let chunk = Buffer.allocUnsafe(chunkBytes);
  let used = 0;
  let waiting: Promise<void> | null = null;
  const send = (bytes: Buffer): void => {
    const ok = sink.write(bytes);
    if (!ok && waiting === null) {
      waiting = once(sink, 'drain').then(
        () => {
          waiting = null;
        },
        (err: unknown) => {
          fail(err);
          waiting = null;
        },
      );
    }
  };
  // Short texts (rows) are joined into a small batch first: one encode call per ~16K characters.
  let pending = '';
  const encode = (): void => {
    const text = pending;
    pending = '';
    // A UTF-16 code unit takes at most 3 UTF-8 bytes.
    if (used + text.length * 3 > chunkBytes) {
      flush();
      if (text.length * 3 > chunkBytes) {
        send(Buffer.from(text, 'utf8'));
        return;
      }
    }
    used += chunk.write(text, used, 'utf8');
  };
  const flush = (): void => {
    if (used === 0) return;
    send(chunk.subarray(0, used));
    chunk = Buffer.allocUnsafe(chunkBytes);
    used = 0;
  };

  return {
    path,
    write(text: string): void {
      if (failure) throw failure;
      pending += text;
      if (pending.length >= BATCH_CHARS) encode();
    },
    get needsDrain(): boolean {
      return waiting !== null;
    },
    async drain(): Promise<void> {
      if (waiting) await waiting;
      if (failure) throw failure;
    },
    async close(): Promise<number> {
      if (failure) throw failure;
      encode();
      flush();
      if (waiting) await waiting;
      sink.end();
      await finished.catch(fail);
      if (failure) throw failure;
      return (await stat(path)).size;
    },
  };
}

export interface TableWriter<R> {
  readonly path: string;
  readonly kind: FileKind;
  /** Appends one row. */
  write(row: R): void;
  /** True when the stream asked to wait; await `drain()` before writing much more. */
  readonly needsDrain: boolean;
  drain(): Promise<void>;
  /** Flushes, ends the stream and waits until the file is complete. */
  close(): Promise<{ rows: number; bytes: number }>;
}

/** Opens a streamed writer of `columns` to `path`; format from the extension. CSV starts with the header. */
export function openTableWriter<R extends object>(
  path: string,
  columns: readonly (keyof R & string)[],
  options: WriterOptions = {},
): TableWriter<R> {
  const kind = fileKind(path);
  const out = openTextWriter(path, kind.gzip, options);
  const serialize = rowSerializer<R>(kind.format, columns);
  if (kind.format === 'csv') out.write(columns.map((c) => csvField(c)).join(',') + '\n');
  let rows = 0;
  return {
    path,
    kind,
    write(row: R): void {
      out.write(serialize(row));
      rows++;
    },
    get needsDrain(): boolean {
      return out.needsDrain;
    },
    drain: () => out.drain(),
    async close(): Promise<{ rows: number; bytes: number }> {
      return { rows, bytes: await out.close() };
    },
  };
}
