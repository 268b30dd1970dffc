import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { csvField, fileKind, openTableWriter, rowSerializer } from './write.js';
import { parseCsv } from './test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'propel-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  id: string;
  text?: string | undefined;
  n?: number | undefined;
  ok?: boolean | undefined;
}
const COLUMNS = ['id', 'text', 'n', 'ok'] as const;
const TRICKY: Row[] = [
  { id: 'a', text: 'plain', n: 1.5, ok: true },
  { id: 'b', text: 'comma, inside', n: 0 },
  { id: 'c', text: 'say "hi"', ok: false },
  { id: 'd', text: 'two\nlines\r\nhere' },
  { id: 'e', text: '  padded  ' },
  { id: 'f', text: '' },
  { id: 'g', text: 'ünïcödé 漢字 ✓' },
  { id: 'h' },
];

describe('fileKind', () => {
  it('picks the format from the extension, with optional .gz', () => {
    expect(fileKind('x.csv')).toEqual({ format: 'csv', gzip: false });
    expect(fileKind('x.CSV.GZ')).toEqual({ format: 'csv', gzip: true });
    expect(fileKind('x.ndjson.gz')).toEqual({ format: 'ndjson', gzip: true });
    expect(fileKind('x.jsonl')).toEqual({ format: 'ndjson', gzip: false });
    expect(() => fileKind('x.parquet')).toThrow(/format/);
  });
});

describe('CSV fields', () => {
  it('quotes only what needs quoting and doubles inner quotes', () => {
    expect(csvField(undefined)).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField(true)).toBe('true');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
    expect(csvField(' x')).toBe('" x"');
  });

  it('serialises whole rows the same on the fast and the generic path', () => {
    const fast = rowSerializer<Row>('csv', COLUMNS);
    for (const row of TRICKY) {
      const generic = COLUMNS.map((c) => csvField(row[c])).join(',') + '\n';
      expect(fast(row)).toBe(generic);
    }
  });
});

describe('table writers', () => {
  it.each(['t.csv', 't.csv.gz'])('round-trip tricky values through %s', async (name) => {
    const path = join(dir, name);
    const w = openTableWriter<Row>(path, COLUMNS);
    for (const row of TRICKY) w.write(row);
    const { rows, bytes } = await w.close();
    expect(rows).toBe(TRICKY.length);
    const raw = readFileSync(path);
    expect(bytes).toBe(raw.length);
    const text = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    const [header, ...records] = parseCsv(text);
    expect(header).toEqual([...COLUMNS]);
    expect(records).toEqual(TRICKY.map((r) => COLUMNS.map((c) => csvField(r[c]).replace(/^"|"$/g, '').replace(/""/g, '"'))));
    expect(records.map((r) => r[1])).toEqual(TRICKY.map((r) => r.text ?? ''));
  });

  it.each(['t.ndjson', 't.ndjson.gz'])('round-trip through %s, omitting missing keys', async (name) => {
    const path = join(dir, name);
    const w = openTableWriter<Row>(path, COLUMNS);
    for (const row of TRICKY) w.write(row);
    await w.close();
    const raw = readFileSync(path);
    const lines = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').trimEnd().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as Row);
    const expected = TRICKY.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
    expect(parsed).toEqual(expected);
    expect(lines[7]).toBe('{"id":"h"}');
  });

  it('keeps memory flat and the output complete when writing many rows under backpressure', async () => {
    const path = join(dir, 'many.csv.gz');
    const w = openTableWriter<Row>(path, COLUMNS, { chunkBytes: 4096, highWaterMark: 16 * 1024 });
    const before = process.memoryUsage().heapUsed;
    let drains = 0;
    for (let i = 0; i < 200_000; i++) {
      w.write({ id: `r${i}`, text: 'some text that repeats', n: i });
      if (w.needsDrain) {
        drains++;
        await w.drain();
      }
    }
    const after = process.memoryUsage().heapUsed;
    await w.close();
    expect(drains).toBeGreaterThan(0);
    expect(after - before).toBeLessThan(64 * 1024 * 1024);
    const lines = gunzipSync(readFileSync(path)).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(200_001);
    expect(lines[200_000]).toBe('r199999,some text that repeats,199999,');
  });

  it('rejects on close when the file cannot be written', async () => {
    const w = openTableWriter<Row>(join(dir, 'missing-dir', 'x.csv'), COLUMNS);
    w.write({ id: 'a' });
    await expect(w.close()).rejects.toThrow(/ENOENT/);
  });
});
