import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../domain/errors.js';
import type { OpenedStore } from '../store/open.js';
import { csv, freshStoreEachTest, ingestRows, testStore, writeFile } from '../../test/helpers.js';
import { ingestCustomers, ingestEvents, type IngestOptions } from './ingest.js';

let opened: OpenedStore;
let dir: string;
freshStoreEachTest((o, d) => ((opened = o), (dir = d)));

const fileIngest = (file: string, extra: Partial<IngestOptions> & { map?: Record<string, string>; format?: 'csv' | 'ndjson' | 'parquet' } = {}) => {
  const { map, format, ...rest } = extra;
  return ingestEvents(opened.store, {
    source: { kind: 'file', file, format: format ?? (file.includes('.ndjson') ? 'ndjson' : 'csv'), map: map ?? {} },
    identity: opened.identity,
    origin: 'cli',
    rejectsDir: path.join(dir, 'rejects'),
    ...rest,
  });
};

const customersIngest = (file: string) =>
  ingestCustomers(opened.store, { source: { kind: 'file', file, format: 'csv' }, identity: opened.identity, origin: 'cli' });

const eventCount = async () => Number((await opened.store.one<{ n: number }>('SELECT count(*) AS n FROM events'))!.n);

describe('events dated in the future', () => {
  const now = new Date('2024-06-01T00:00:00Z');

  it('rejects an event whose ts is later than the ingest time + 24 h, naming ts, from rows sent to the API', async () => {
    const summary = await ingestRows(
      opened,
      [
        { event_id: 'ok', customer_id: 'C1', type: 'visit', ts: '2024-06-01T23:59:59Z' },
        { event_id: 'far', customer_id: 'C1', type: 'visit', ts: '2099-01-01T00:00:00Z' },
        { event_id: 'edge', customer_id: 'C1', type: 'visit', ts: '2024-06-02T00:00:01Z' },
      ],
      { now },
    );
    expect(summary).toMatchObject({ read: 3, ingested: 1, rejected: 2 });
    expect(summary.rejects).toEqual([
      { line: 1, field: 'ts', reason: "ts '2099-01-01T00:00:00Z' is in the future (after the ingest time + 24 h)" },
      { line: 2, field: 'ts', reason: "ts '2024-06-02T00:00:01Z' is in the future (after the ingest time + 24 h)" },
    ]);
  });

  it('accepts a local time without a zone written at UTC+14 at the ingest time (read as UTC, 14 h ahead)', async () => {
    const summary = await ingestRows(opened, [{ customer_id: 'C1', type: 'visit', ts: '2024-06-01 14:00:00' }], { now });
    expect(summary).toMatchObject({ ingested: 1, rejected: 0 });
  });

  it('rejects a future-dated row of a file by its line, and infinity as well', async () => {
    const file = writeFile(
      dir,
      'future.csv',
      csv([
        { customer_id: 'C1', type: 'visit', ts: '2024-05-01' },
        { customer_id: 'C1', type: 'purchase', ts: '2099-01-01', amount: '5' },
        { customer_id: 'C1', type: 'visit', ts: 'infinity' },
      ]),
    );
    const summary = await fileIngest(file, { now });
    expect(summary).toMatchObject({ read: 3, ingested: 1, rejected: 2 });
    expect(summary.rejects.map((r) => [r.line, r.field])).toEqual([
      [3, 'ts'],
      [4, 'ts'],
    ]);
    const latest = await opened.store.one<{ ts: string }>('SELECT max(ts)::VARCHAR AS ts FROM events');
    expect(latest!.ts).toBe('2024-05-01 00:00:00');
  });

  it('takes the tolerance from futureToleranceHours', async () => {
    const rows = [{ event_id: 'a', customer_id: 'C1', type: 'visit', ts: '2024-06-01T00:30:00Z' }];
    const strict = await ingestRows(opened, rows, { now, futureToleranceHours: 0 });
    expect(strict.rejects).toEqual([{ line: 0, field: 'ts', reason: "ts '2024-06-01T00:30:00Z' is in the future (after the ingest time + 0 h)" }]);
    expect(await ingestRows(opened, rows, { now, futureToleranceHours: 1 })).toMatchObject({ ingested: 1, rejected: 0 });
    await expect(ingestRows(opened, rows, { now, futureToleranceHours: -1 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('checks against the clock when no time is given', async () => {
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const summary = await ingestRows(opened, [
      { customer_id: 'C1', type: 'visit', ts: inDays(0) },
      { customer_id: 'C1', type: 'visit', ts: inDays(3) },
    ]);
    expect(summary).toMatchObject({ ingested: 1, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 1, field: 'ts' });
  });

  it('rejects a future-dated order line (--lines)', async () => {
    const file = writeFile(dir, 'lines.csv', 'order_id,customer_id,ts,quantity,unit_price\nO1,C1,2024-05-01,1,10\nO2,C1,2099-01-01,1,10\n');
    const summary = await fileIngest(file, { lines: true, now });
    expect(summary).toMatchObject({ read: 2, ingested: 1, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 3, field: 'ts' });
  });
});

describe('the reserved anon- prefix', () => {
  it('rejects a customer_id that starts with the reserved anon- prefix (any case), naming the row', async () => {
    const summary = await ingestRows(opened, [
      { customer_id: 'anon-2', type: 'visit', ts: '2024-01-01' },
      { customer_id: 'ANON-7', type: 'visit', ts: '2024-01-01' },
      { customer_id: 'anon2', type: 'visit', ts: '2024-01-01' },
      { customer_id: 'C1', email: 'a@example.com', type: 'visit', ts: '2024-01-01' },
    ]);
    expect(summary).toMatchObject({ read: 4, ingested: 2, rejected: 2 });
    expect(summary.rejects.map((r) => [r.line, r.field])).toEqual([
      [0, 'customer_id'],
      [1, 'customer_id'],
    ]);
    expect(summary.rejects[0]!.reason).toBe(
      "customer_id 'anon-2' starts with anon-, a prefix reserved for the ids given to people known only by e-mail, phone or member id",
    );
    const ids = await opened.store.all<{ customer_id: string }>('SELECT customer_id FROM persons WHERE customer_id IS NOT NULL ORDER BY 1');
    expect(ids.map((r) => r.customer_id)).toEqual(['C1', 'anon2']);
  });

  it('rejects a referral whose related_customer_id has the reserved prefix', async () => {
    const summary = await ingestRows(opened, [
      { customer_id: 'C1', type: 'referral', related_customer_id: 'anon-3', ts: '2024-01-01' },
      { customer_id: 'C1', type: 'referral', related_customer_id: 'C2', ts: '2024-01-02' },
    ]);
    expect(summary).toMatchObject({ ingested: 1, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 0, field: 'related_customer_id' });
  });

  it('rejects a profile whose customer_id has the reserved prefix', async () => {
    const file = writeFile(dir, 'customers.csv', csv([{ customer_id: 'C1', consent_email: 'true' }, { customer_id: 'Anon-5', consent_email: 'true' }]));
    const summary = await customersIngest(file);
    expect(summary).toMatchObject({ read: 2, ingested: 1, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 3, field: 'customer_id' });
    expect(summary.rejects[0]!.reason).toContain('reserved');
  });

  it('rejects an order line whose customer_id has the reserved prefix (--lines)', async () => {
    const file = writeFile(dir, 'lines.csv', 'order_id,customer_id,ts,quantity,unit_price\nO1,anon-1,2024-05-01,1,10\n');
    const summary = await fileIngest(file, { lines: true });
    expect(summary).toMatchObject({ read: 1, ingested: 0, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 2, field: 'customer_id' });
  });
});

describe('order lines of two customers in one order (--lines)', () => {
  const header = 'order_id,customer_id,email,ts,quantity,unit_price,product_id';

  it("rejects the lines whose identifiers differ from the order's first line, naming the order, and keeps the rest", async () => {
    const file = writeFile(
      dir,
      'split.csv',
      [
        header,
        'O1,C1,,2024-05-01,2,5,P1', // line 2: O1 belongs to C1
        'O1,C2,,2024-05-01,1,10,P2', // line 3: another customer's line
        'O1,C1,,2024-05-01,1,1,P3', // line 4
        'O2,C2,,2024-05-02,1,7,P4', // line 5
      ].join('\n') + '\n',
    );
    const summary = await fileIngest(file, { lines: true });
    expect(summary).toMatchObject({ read: 4, ingested: 2, duplicates: 0, rejected: 1 });
    expect(summary.rejects).toEqual([{ line: 3, field: 'order_id', reason: 'order O1 already belongs to another customer (the identifiers of its line 2)' }]);
    const events = await opened.store.all('SELECT e.event_id, p.customer_id, e.amount FROM events e JOIN persons p USING (person_id) ORDER BY 1');
    expect(events).toEqual([
      { event_id: 'O1', customer_id: 'C1', amount: 11 },
      { event_id: 'O2', customer_id: 'C2', amount: 7 },
    ]);
    const items = await opened.store.all<{ product_id: string }>("SELECT product_id FROM event_items WHERE event_id = 'O1' ORDER BY 1");
    expect(items.map((i) => i.product_id)).toEqual(['P1', 'P3']);
    expect(fs.readFileSync(summary.rejects_file!, 'utf8')).toContain('3,order_id,order O1 already belongs to another customer');
  });

  it('does not link two people through an order whose lines name different identifiers', async () => {
    const file = writeFile(dir, 'link.csv', [header, 'O1,C1,,2024-05-01,1,5,P1', 'O1,,b@example.com,2024-05-01,1,5,P2'].join('\n') + '\n');
    const summary = await fileIngest(file, { lines: true });
    expect(summary).toMatchObject({ read: 2, ingested: 1, rejected: 1, merges: 0 });
    const people = await opened.store.one<{ n: number }>('SELECT count(*) AS n FROM persons');
    expect(Number(people!.n)).toBe(1);
  });

  it('takes lines that write the same e-mail in another case or with spaces as one customer', async () => {
    const file = writeFile(dir, 'same.csv', [header, 'O1,,Ann@Example.com,2024-05-01,1,5,P1', 'O1,, ann@example.com ,2024-05-01,1,5,P2'].join('\n') + '\n');
    expect(await fileIngest(file, { lines: true })).toMatchObject({ read: 2, ingested: 1, rejected: 0 });
  });
});

describe('customer profiles repeated in one file', () => {
  it('counts the rows of a customer before the last as duplicates, and the last row wins', async () => {
    const file = writeFile(
      dir,
      'customers.csv',
      csv([
        { customer_id: 'C1', consent_email: 'false' },
        { customer_id: 'C2', consent_email: 'true' },
        { customer_id: 'C1', consent_email: 'true' },
      ]),
    );
    const summary = await customersIngest(file);
    expect(summary).toMatchObject({ read: 3, ingested: 2, duplicates: 1, rejected: 0 });
    expect(summary.read).toBe(summary.ingested + summary.duplicates + summary.rejected);
    const c1 = await opened.store.one("SELECT c.consent_email FROM customers c JOIN persons p USING (person_id) WHERE p.customer_id = 'C1'");
    expect(c1).toEqual({ consent_email: true });
  });
});

describe('input files that cannot be read', () => {
  const okCsv = () => writeFile(dir, 'ok.csv', csv([{ customer_id: 'C1', type: 'visit', ts: '2024-01-01' }]));

  const failure = async (run: Promise<unknown>) => {
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  };

  it('says a CSV file given as --format parquet is not Parquet, keeping DuckDB’s text as detail', async () => {
    const error = await failure(fileIngest(okCsv(), { format: 'parquet' }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/ok\.csv is not a Parquet file/);
    expect(error.issues[0]!.message).toMatch(/No magic bytes found/);
  });

  it('says a .csv.gz file that is not gzip-compressed is not gzip', async () => {
    const file = writeFile(dir, 'plain.csv.gz', csv([{ customer_id: 'C1', type: 'visit', ts: '2024-01-01' }]));
    const error = await failure(fileIngest(file));
    expect(error.message).toMatch(/plain\.csv\.gz ends in \.gz but is not gzip-compressed/);
    expect(error.issues[0]!.message).toMatch(/not a GZIP stream/);
  });

  it('says a --ts-format DuckDB cannot use is not a strptime format, before reading the file', async () => {
    const error = await failure(fileIngest(okCsv(), { tsFormat: '%Q' }));
    expect(error.message).toMatch(/--ts-format '%Q' is not a strptime format/);
    expect(error.issues[0]!.message).toMatch(/%Q/);
    const lines = writeFile(dir, 'lines.csv', 'order_id,customer_id,ts,quantity,unit_price\nO1,C1,01/05/2024,1,10\n');
    await failure(fileIngest(lines, { lines: true, tsFormat: '%Q' }));
  });

  it('says an empty file (0 bytes, or gzip of nothing) is empty, for events and profiles', async () => {
    const empty = writeFile(dir, 'empty.csv', '');
    expect((await failure(fileIngest(empty))).message).toMatch(/empty\.csv is empty/);
    expect((await failure(customersIngest(empty))).message).toMatch(/is empty/);
    const gz = path.join(dir, 'empty.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync(''));
    expect((await failure(fileIngest(gz))).message).toMatch(/empty\.csv\.gz is empty/);
  });

  it('says a file that is not text with one JSON object per line cannot be read as NDJSON', async () => {
    const file = path.join(dir, 'binary.ndjson');
    await opened.store.run(`COPY (SELECT 'C1' AS customer_id) TO '${file}' (FORMAT parquet)`);
    expect((await failure(fileIngest(file))).message).toMatch(/cannot be read as NDJSON/);
  });
});

describe('rejects files', () => {
  const badFile = () => writeFile(dir, 'bad.csv', csv([{ customer_id: 'C1', type: 'teleport', ts: '2024-01-01' }]));
  const rejectsDir = () => path.join(dir, 'rejects');
  const ingestInto = (store: OpenedStore, file: string) =>
    ingestEvents(store.store, { source: { kind: 'file', file, format: 'csv' }, identity: store.identity, origin: 'cli', rejectsDir: rejectsDir() });

  it('names the file after the store, so two stores in one folder keep their own', async () => {
    const file = badFile();
    const a = await testStore(path.join(dir, 'a.duckdb'));
    const b = await testStore(path.join(dir, 'b.duckdb'));
    try {
      const first = await ingestInto(a, file);
      const second = await ingestInto(b, file);
      expect(first.batch_id).toBe(second.batch_id);
      expect(path.basename(first.rejects_file!)).toBe('a-batch-1-bad.csv.rejects.csv');
      expect(path.basename(second.rejects_file!)).toBe('b-batch-1-bad.csv.rejects.csv');
    } finally {
      a.store.close();
      b.store.close();
    }
  });

  it('does not overwrite the rejects file of an earlier store of the same name, adding a suffix', async () => {
    const file = badFile();
    const storeFile = path.join(dir, 'main.duckdb');
    const first = await testStore(storeFile);
    const earlier = (await ingestInto(first, file)).rejects_file!;
    first.store.close();
    fs.rmSync(storeFile);
    fs.appendFileSync(earlier, 'kept\n');
    const again = await testStore(storeFile);
    try {
      const later = (await ingestInto(again, file)).rejects_file!;
      expect(path.basename(later)).toBe('main-batch-1-bad.csv-2.rejects.csv');
      expect(fs.readFileSync(earlier, 'utf8')).toMatch(/kept\n$/);
      expect(fs.readFileSync(later, 'utf8')).toContain('teleport');
    } finally {
      again.store.close();
    }
  });
});

describe('line numbers of CSV rejects', () => {
  const header = 'event_id,customer_id,type,ts,channel';

  it('names the line a record starts on after a quoted value that spans lines', async () => {
    const text = [header, 'e1,C1,visit,2024-01-01,web', 'e2,C1,visit,2024-01-02,"two', 'lines"', 'e3,C1,teleport,2024-01-03,web'].join('\n') + '\n';
    const summary = await fileIngest(writeFile(dir, 'spans.csv', text));
    expect(summary).toMatchObject({ read: 3, ingested: 2, rejected: 1 });
    expect(summary.rejects.map((r) => [r.line, r.field])).toEqual([[5, 'type']]);
  });

  it('names the line a record starts on after a blank line, in a plain and a gzip file', async () => {
    const text = [header, 'e1,C1,visit,2024-01-01,web', '', 'e3,C1,teleport,2024-01-03,web'].join('\n') + '\n';
    expect((await fileIngest(writeFile(dir, 'blank.csv', text))).rejects.map((r) => r.line)).toEqual([4]);
    const gz = path.join(dir, 'blank.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync(text));
    expect((await fileIngest(gz)).rejects.map((r) => r.line)).toEqual([4]);
  });

  it('names the start line of malformed records and of rows after them, with CRLF line ends', async () => {
    const text =
      [header, 'e1,C1,visit,2024-01-01,"a', 'b"', 'e2,C1,visit,2024-01-02,web,extra', '', 'e3,C1,teleport,2024-01-03,web', 'e4,C1,visit,"2024-01-04","x', '', 'y"', 'e5,C1,visit,bad-date,web'].join('\r\n') +
      '\r\n';
    const summary = await fileIngest(writeFile(dir, 'mixed.csv', text));
    expect(summary).toMatchObject({ read: 5, ingested: 2, rejected: 3 });
    expect(summary.rejects.map((r) => [r.line, r.field])).toEqual([
      [4, ''],
      [6, 'type'],
      [10, 'ts'],
    ]);
  });
});
