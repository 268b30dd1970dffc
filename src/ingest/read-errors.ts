import fs from 'node:fs';
import { ValidationError } from '../domain/errors.js';
import { readPlain } from './csv-lines.js';
import type { InputFormat } from './format.js';

/** What a file that DuckDB could not read as the format is, in words a user can act on. */
const NOT_READABLE: Record<InputFormat, string> = {
  csv: 'cannot be read as CSV: no delimiter, quoting and header could be made out (is it a text file of rows?)',
  ndjson: 'cannot be read as NDJSON: it is not text with one JSON object per line',
  parquet: 'cannot be read as Parquet: the file is damaged or not Parquet',
};

/** DuckDB's message without the SQL it quotes ("LINE 1: ..."), which names no part of the file. */
export function duckDbDetail(message: string): string {
  return message.split(/\n\s*\nLINE \d+:/)[0]!.trim();
}

/**
 * An error DuckDB raised while reading an input file, in plain words: what is wrong with the file
 * or the options, with DuckDB's own text kept as the detail. Undefined for an error that
 * is not about the input (the caller rethrows it as it is).
 */
export function readError(error: unknown, file: string, format: InputFormat): ValidationError | undefined {
  if (!(error instanceof Error)) return undefined;
  const detail = duckDbDetail(error.message);
  const fail = (message: string) => new ValidationError(message, [{ path: ['file'], message: detail }]);
  if (/Input is not a GZIP stream/i.test(detail)) {
    return fail(`${file} ends in .gz but is not gzip-compressed: rename it without .gz, or compress it`);
  }
  if (/No magic bytes found|not a parquet file/i.test(detail)) {
    return fail(`${file} is not a Parquet file (it was read as one for --format parquet or its name): give its format with --format csv|ndjson`);
  }
  if (/^Invalid Input Error:/.test(detail)) {
    return fail(`${file} ${NOT_READABLE[format]}`);
  }
  return undefined;
}

/** True when the file holds no bytes, or (ending in .gz) decompresses to none. */
export async function isEmptyFile(file: string): Promise<boolean> {
  if (fs.statSync(file).size === 0) return true;
  if (!/\.gz$/i.test(file)) return false;
  try {
    // Stops at the first byte: leaving the loop closes the streams.
    for await (const chunk of readPlain(file)) if ((chunk as Buffer).length > 0) return false;
    return true;
  } catch {
    return false; // not gzip at all: the reader says so in its own words
  }
}
