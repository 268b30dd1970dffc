/**
 * Helpers for the generator's tests: an independent RFC 4180 CSV reader (so tests do not parse
 * with the code they check) and a reader of generated files.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Parses CSV text into records of fields: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else if (c !== '\r' || text[i + 1] !== '\n') field += c;
    i++;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Text of a generated file, gunzipped when it ends in .gz. */
export function readText(path: string): string {
  const raw = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

/** Rows of a CSV file with a header, as objects of strings. */
export function readCsvObjects(path: string): Record<string, string>[] {
  const [header = [], ...records] = parseCsv(readText(path));
  return records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/** Rows of an NDJSON file. */
export function readNdjson(path: string): Record<string, unknown>[] {
  return readText(path)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
