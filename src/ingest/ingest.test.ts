import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { StrictRejectError, ValidationError } from '../domain/errors.js';
import type { OpenedStore } from '../store/open.js';
import { csv, freshStoreEachTest, ingestRows, testStore, writeFile } from '../../test/helpers.js';
import { ingestCustomers, ingestEvents } from './ingest.js';

let opened: OpenedStore;
let dir: string;
freshStoreEachTest((o, d) => ((opened = o), (dir = d)));

const fileIngest = (file: string, extra: Record<string, unknown> = {}) =>
  ingestEvents(opened.store, {
    source: { kind: 'file', file, format: file.includes('.ndjson') ? 'ndjson' : file.endsWith('.parquet') ? 'parquet' : 'csv', map: (extra.map as Record<string, string>) ?? {} },
    identity: opened.identity,
    origin: 'cli',
    rejectsDir: path.join(dir, 'rejects'),
    ...extra,
  });

const personCount = async () =>
  Number((await opened.store.one<{ n: number }>('SELECT count(*) AS n FROM persons WHERE merged_into IS NULL'))!.n);

describe('One ID', () => {
  it('joins a chain A–B on one row and B–C on another into one person', async () => {
    const summary = await ingestRows(opened, [
      { customer_id: 'A', email: 'b@example.com', type: 'visit', ts: '2024-01-01' },
      { email: 'B@Example.com ', phone: '0912-345-678', type: 'visit', ts: '2024-01-02' },
      { phone: '+886 912 345 678', type: 'visit', ts: '2024-01-03' },
    ]);
    expect(summary.ingested).toBe(3);
    expect(await personCount()).toBe(1);
    const people = await opened.store.all<{ person_id: number; n: number }>('SELECT person_id, count(*) AS n FROM events GROUP BY 1');
    expect(people).toEqual([{ person_id: expect.any(Number), n: 3 }]);
  });

  it('merges two known people into the older one when a later batch links them, and records the merge', async () => {
    await ingestRows(opened, [{ customer_id: 'OLD', type: 'visit', ts: '2024-01-01' }]);
    await ingestRows(opened, [{ phone: '0911111111', type: 'visit', ts: '2024-01-02' }]);
    expect(await personCount()).toBe(2);
    const summary = await ingestRows(opened, [{ customer_id: 'OLD', phone: '0911-111-111', type: 'purchase', amount: '10', ts: '2024-01-03' }]);
    expect(summary.merges).toBe(1);
    expect(await personCount()).toBe(1);
    const merge = await opened.store.one<{ absorbed_person_id: number; survivor_person_id: number }>('SELECT * FROM identity_merges');
    expect(merge!.survivor_person_id).toBeLessThan(merge!.absorbed_person_id);
    const survivor = await opened.store.one<{ customer_id: string }>('SELECT customer_id FROM persons WHERE person_id = ?', [merge!.survivor_person_id]);
    expect(survivor!.customer_id).toBe('OLD');
    const owners = await opened.store.all('SELECT DISTINCT person_id FROM events');
    expect(owners).toEqual([{ person_id: merge!.survivor_person_id }]);
  });

  it('keeps people apart when no row links them', async () => {
    await ingestRows(opened, [
      { customer_id: 'A', type: 'visit', ts: '2024-01-01' },
      { customer_id: 'B', email: 'b@example.com', type: 'visit', ts: '2024-01-01' },
      { member_id: 'M9', type: 'visit', ts: '2024-01-01' },
    ]);
    expect(await personCount()).toBe(3);
  });

  it('stores no raw e-mail or phone in the store file', async () => {
    opened.store.close();
    const file = path.join(dir, 'pii.duckdb');
    opened = await testStore(file);
    const email = 'secret.person@example.org';
    const phone = '0987654321';
    await ingestRows(opened, [
      { customer_id: 'P1', email, phone, type: 'signup', ts: '2024-01-01' },
      { email: 'broken-email', type: 'visit', ts: '2024-01-01' },
    ]);
    await ingestCustomers(opened.store, {
      source: { kind: 'file', file: writeFile(dir, 'c.csv', csv([{ customer_id: 'P2', email: 'other.person@example.org', phone: '0911222333' }])), format: 'csv' },
      identity: opened.identity,
      origin: 'cli',
    });
    await opened.store.run('CHECKPOINT');
    opened.store.close();
    const bytes = fs.readFileSync(file).toString('latin1');
    for (const raw of [email, 'secret.person', phone, '987654321', 'other.person', '911222333', 'broken-email']) {
      expect(bytes.includes(raw), `found ${raw} in the store file`).toBe(false);
    }
    expect(bytes.includes('P1')).toBe(true); // the file was written and is readable as expected
    opened = await testStore();
  });
});

describe('ingest from files', () => {
  const events = [
    { event_id: 'e1', customer_id: 'C1', type: 'purchase', ts: '2024-01-01T10:00:00Z', amount: '12.5' },
    { event_id: 'e2', customer_id: 'C1', type: 'visit', ts: '2024-01-02' },
    { event_id: 'e3', customer_id: 'C2', type: 'refund', ts: '2024-01-03 09:00:00', amount: '3' },
  ];

  it('adds nothing when the same file is ingested again', async () => {
    const file = writeFile(dir, 'ev.csv', csv(events));
    const first = await fileIngest(file);
    const second = await fileIngest(file);
    expect(first).toMatchObject({ read: 3, ingested: 3, duplicates: 0, rejected: 0 });
    expect(second).toMatchObject({ read: 3, ingested: 0, duplicates: 3, rejected: 0 });
    expect(Number((await opened.store.one<{ n: number }>('SELECT count(*) n FROM events'))!.n)).toBe(3);
  });

  it('gives events without event_id a content id, so re-ingest stays idempotent', async () => {
    const file = writeFile(dir, 'noid.csv', csv(events.map(({ event_id: _, ...rest }) => rest)));
    await fileIngest(file);
    const again = await fileIngest(file);
    expect(again).toMatchObject({ ingested: 0, duplicates: 3 });
  });

  it('keeps rows without event_id apart when they differ only in which column holds a value', async () => {
    const summary = await ingestRows(opened, [
      { customer_id: '1001', type: 'visit', ts: '2024-01-01' },
      { member_id: '1001', type: 'visit', ts: '2024-01-01' },
      { customer_id: 'Z', type: 'visit', ts: '2024-01-01', channel: 'web' },
      { customer_id: 'Z', type: 'visit', ts: '2024-01-01', category: 'web' },
    ]);
    expect(summary).toMatchObject({ ingested: 4, duplicates: 0 });
  });

  it('rejects bad rows with their line numbers and reasons, and lands the valid ones', async () => {
    const rows = [
      events[0]!,
      { event_id: 'x1', customer_id: 'C3', type: 'purchase', ts: '2024-02-30', amount: '5' }, // line 3: bad date
      events[1]!,
      { event_id: 'x2', type: 'visit', ts: '2024-01-01' }, // line 5: no identifier
      { event_id: 'x3', customer_id: 'C4', type: 'teleport', ts: '2024-01-01' }, // line 6: unknown type
      { event_id: 'x4', customer_id: 'C5', type: 'purchase', ts: '2024-01-01', amount: '-2' }, // line 7: negative
      { event_id: 'x5', customer_id: 'C6', type: 'review', ts: '2024-01-01', rating: '7' }, // line 8: rating
    ];
    const file = writeFile(dir, 'bad.csv', csv(rows, ['event_id', 'customer_id', 'type', 'ts', 'amount', 'rating']));
    const summary = await fileIngest(file);
    expect(summary).toMatchObject({ read: 7, ingested: 2, rejected: 5 });
    expect(summary.rejects.map((r) => [r.line, r.field])).toEqual([
      [3, 'ts'],
      [5, 'customer_id'],
      [6, 'type'],
      [7, 'amount'],
      [8, 'rating'],
    ]);
    expect(summary.rejects[0]!.reason).toContain("'2024-02-30' is not an ISO 8601");
    const written = fs.readFileSync(summary.rejects_file!, 'utf8').trim().split('\n');
    expect(written[0]).toBe('line,field,reason');
    expect(written.slice(1).map((l) => l.split(',')[0])).toEqual(['3', '5', '6', '7', '8']);
  });

  it('keeps the first of two rows with the same event_id in one file', async () => {
    const file = writeFile(
      dir,
      'repeat.csv',
      csv([
        { event_id: 'r1', customer_id: 'C1', type: 'purchase', ts: '2024-01-01', amount: '5' },
        { event_id: 'r2', customer_id: 'C1', type: 'visit', ts: '2024-01-02' },
        { event_id: 'r1', customer_id: 'C1', type: 'purchase', ts: '2024-01-01', amount: '9' },
      ]),
    );
    expect(await fileIngest(file)).toMatchObject({ read: 3, ingested: 2, duplicates: 1, rejected: 0 });
    expect(await opened.store.one("SELECT amount FROM events WHERE event_id = 'r1'")).toEqual({ amount: 5 });
  });

  it('trims values (spaces and other Unicode spaces) and takes blank ones as absent', async () => {
    const nbsp = '\u00a0';
    const file = writeFile(
      dir,
      'padded.csv',
      csv([
        { event_id: ' t1 ', customer_id: ' C1', type: 'purchase ', ts: ' 2024-01-01 ', amount: ' 5 ', product_id: `${nbsp}P1${nbsp}`, channel: '   ' },
        { event_id: 't2', customer_id: 'C1', type: 'visit', ts: '2024-01-02', category: 'home & garden', channel: '"  "' },
      ]),
    );
    expect(await fileIngest(file)).toMatchObject({ ingested: 2, rejected: 0 });
    const rows = await opened.store.all('SELECT event_id, type, ts::VARCHAR AS ts, amount, product_id, category, channel FROM events ORDER BY event_id');
    expect(rows).toEqual([
      { event_id: 't1', type: 'purchase', ts: '2024-01-01 00:00:00', amount: 5, product_id: 'P1', category: null, channel: null },
      { event_id: 't2', type: 'visit', ts: '2024-01-02 00:00:00', amount: null, product_id: null, category: 'home & garden', channel: '"  "' },
    ]);
    const ids = await opened.store.all("SELECT id_key FROM identifiers WHERE id_key LIKE 'customer_id:%'");
    expect(ids).toEqual([{ id_key: 'customer_id:C1' }]);
  });

  it('stores date-times with an offset or a zone name in UTC', async () => {
    const summary = await ingestRows(opened, [
      { event_id: 'z5', customer_id: 'C1', type: 'visit', ts: '2024-06-01 10:00:00 America/New_York' },
      { event_id: 'z1', customer_id: 'C1', type: 'visit', ts: '2024-01-01T10:00:00+08:00' },
      { event_id: 'z2', customer_id: 'C1', type: 'visit', ts: '2024-01-01T10:00:00.5Z' },
      { event_id: 'z3', customer_id: 'C1', type: 'visit', ts: '2024-01-01 10:00' },
    ]);
    expect(summary).toMatchObject({ ingested: 4, rejected: 0 });
    const rows = await opened.store.all<{ ts: string }>('SELECT ts::VARCHAR AS ts FROM events ORDER BY event_id');
    expect(rows.map((r) => r.ts)).toEqual(['2024-01-01 02:00:00', '2024-01-01 10:00:00.5', '2024-01-01 10:00:00', '2024-06-01 14:00:00']);
  });

  it('reads a date-time without a zone as UTC even after one with a zone name in the same batch', async () => {
    // DuckDB's ICU cast keeps the last zone name for the zoneless values that follow it.
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      event_id: `n${i}`,
      customer_id: 'C1',
      type: 'visit',
      ts: i % 3 === 0 ? '2024-01-01 10:00:00 Asia/Taipei' : i % 3 === 1 ? '2024-01-01 10:00:00' : '2024-01-01T10:00:00+01:00',
    }));
    expect(await ingestRows(opened, rows)).toMatchObject({ ingested: 3000, rejected: 0 });
    const stored = await opened.store.all<{ ts: string; n: number }>('SELECT ts::VARCHAR AS ts, count(*) AS n FROM events GROUP BY ts ORDER BY ts');
    expect(stored).toEqual([
      { ts: '2024-01-01 02:00:00', n: 1000 },
      { ts: '2024-01-01 09:00:00', n: 1000 },
      { ts: '2024-01-01 10:00:00', n: 1000 },
    ]);
  });

  it('still links identifiers when every event of a file is already stored', async () => {
    const first = [
      { event_id: 'l1', customer_id: 'A', type: 'visit', ts: '2024-01-01' },
      { event_id: 'l2', email: 'a@example.com', type: 'visit', ts: '2024-01-02' },
    ];
    await fileIngest(writeFile(dir, 'first.csv', csv(first)));
    expect(await personCount()).toBe(2);
    const linked = [{ ...first[0]!, email: 'a@example.com' }, first[1]!];
    const summary = await fileIngest(writeFile(dir, 'linked.csv', csv(linked)));
    expect(summary).toMatchObject({ ingested: 0, duplicates: 2, merges: 1 });
    expect(await personCount()).toBe(1);
    const owners = await opened.store.all('SELECT DISTINCT person_id FROM events');
    expect(owners).toHaveLength(1);
  });

  it('keeps line numbers right in a file big enough to be read in parallel', async () => {
    const bad = new Set([123_457, 500_001, 999_999]);
    const lines = ['event_id,customer_id,type,ts'];
    for (let line = 2; line <= 1_000_001; line++) {
      lines.push(`e${line},C${line % 5000},visit,${bad.has(line) ? '2024-13-01' : '2024-01-02'}`);
    }
    const file = writeFile(dir, 'big.csv', lines.join('\n') + '\n');
    const summary = await fileIngest(file);
    expect(summary).toMatchObject({ read: 1_000_000, ingested: 999_997, rejected: 3 });
    expect(summary.rejects.map((r) => r.line)).toEqual([...bad]);
  });

  it('reports a malformed CSV line by number and still loads the rest', async () => {
    const file = writeFile(
      dir,
      'malformed.csv',
      'event_id,customer_id,type,ts\ne1,C1,visit,2024-01-01\ne2,C1,visit,2024-01-02,extra,columns\ne3,C2,visit,2024-01-03\n',
    );
    const summary = await fileIngest(file);
    expect(summary).toMatchObject({ read: 3, ingested: 2, rejected: 1 });
    expect(summary.rejects[0]!.line).toBe(3);
    const lines = await opened.store.all<{ event_id: string }>('SELECT event_id FROM events ORDER BY 1');
    expect(lines.map((l) => l.event_id)).toEqual(['e1', 'e3']);
  });

  it('with --strict fails the whole file and writes nothing', async () => {
    const file = writeFile(dir, 'strict.csv', csv([events[0]!, { event_id: 'x', type: 'visit', ts: 'yesterday', customer_id: 'C9' }]));
    await expect(fileIngest(file, { strict: true })).rejects.toBeInstanceOf(StrictRejectError);
    for (const table of ['events', 'persons', 'identifiers', 'ingest_batches', 'rejects']) {
      expect(Number((await opened.store.one<{ n: number }>(`SELECT count(*) n FROM ${table}`))!.n), table).toBe(0);
    }
  });

  it('reads gzip CSV and gzip NDJSON, reporting a broken JSON line by number', async () => {
    const gzCsv = path.join(dir, 'ev.csv.gz');
    fs.writeFileSync(gzCsv, zlib.gzipSync(csv(events)));
    expect(await fileIngest(gzCsv)).toMatchObject({ ingested: 3 });
    const ndjson = [
      JSON.stringify({ event_id: 'n1', customer_id: 'C7', type: 'purchase', ts: '2024-03-01', amount: 9.99 }),
      '{"event_id": "n2", broken',
      JSON.stringify({ event_id: 'n3', email: 'x@y.io', type: 'share', ts: '2024-03-02' }),
    ].join('\n');
    const gzJson = path.join(dir, 'ev.ndjson.gz');
    fs.writeFileSync(gzJson, zlib.gzipSync(ndjson + '\n'));
    const summary = await fileIngest(gzJson);
    expect(summary).toMatchObject({ read: 3, ingested: 2, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 2 });
    const amount = await opened.store.one<{ amount: number }>("SELECT amount FROM events WHERE event_id = 'n1'");
    expect(amount!.amount).toBe(9.99);
  });

  it('reads Parquet with row numbers as lines', async () => {
    const file = path.join(dir, 'ev.parquet');
    await opened.store.run(
      `COPY (SELECT * FROM (VALUES ('p1','C1','visit', TIMESTAMP '2024-01-01 10:00:00'), ('p2', NULL, 'visit', TIMESTAMP '2024-01-02'))
             t(event_id, customer_id, type, ts)) TO '${file}' (FORMAT parquet)`,
    );
    const summary = await fileIngest(file);
    expect(summary).toMatchObject({ read: 2, ingested: 1, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 2, field: 'customer_id' });
  });

  it('renames columns with --map and says which mapped column is missing', async () => {
    const file = writeFile(dir, 'mapped.csv', 'Kunde,Art,Zeit,Betrag\nK1,purchase,2024-01-05,20\n');
    const summary = await fileIngest(file, { map: { customer_id: 'Kunde', type: 'Art', ts: 'Zeit', amount: 'Betrag' } });
    expect(summary.ingested).toBe(1);
    const row = await opened.store.one<{ customer_id: string }>('SELECT p.customer_id FROM events e JOIN persons p USING (person_id)');
    expect(row!.customer_id).toBe('K1');
    await expect(fileIngest(file, { map: { customer_id: 'Client' } })).rejects.toThrow(/no column 'Client'/);
    await expect(fileIngest(writeFile(dir, 'nots.csv', 'customer_id,type\nA,visit\n'))).rejects.toBeInstanceOf(ValidationError);
  });

  it('turns order lines into one purchase per order and refunds for negative quantities (--lines)', async () => {
    const summary = await fileIngest(path.resolve('test/fixtures/order_lines.csv'), {
      lines: true,
      map: { order_id: 'InvoiceNo', quantity: 'Quantity', unit_price: 'UnitPrice', ts: 'InvoiceDate', customer_id: 'CustomerID', product_id: 'StockCode' },
    });
    // 9 lines: one without customer, one with a negative price → 7 valid lines in 6 orders.
    expect(summary).toMatchObject({ read: 9, rejected: 2, ingested: 6 });
    expect(summary.rejects.map((r) => [r.line, r.field])).toEqual([
      [6, 'customer_id'],
      [10, 'customer_id'],
      [10, 'unit_price'],
    ]);
    const rows = await opened.store.all<{ event_id: string; type: string; amount: number; customer_id: string }>(
      'SELECT e.event_id, e.type, e.amount, p.customer_id FROM events e JOIN persons p USING (person_id) ORDER BY 1',
    );
    expect(rows).toContainEqual({ event_id: '536365', type: 'purchase', amount: 35.64, customer_id: '17850' });
    expect(rows).toContainEqual({ event_id: 'C536379:refund', type: 'refund', amount: 27.5, customer_id: '14527' });
    expect(rows.filter((r) => r.customer_id === '17850')).toHaveLength(2);
    const items = await opened.store.all("SELECT product_id, quantity FROM event_items WHERE event_id = '536365' ORDER BY 1");
    expect(items).toEqual([{ product_id: '71053', quantity: 6 }, { product_id: '85123A', quantity: 6 }]);
    const again = await fileIngest(path.resolve('test/fixtures/order_lines.csv'), {
      lines: true,
      map: { order_id: 'InvoiceNo', quantity: 'Quantity', unit_price: 'UnitPrice', ts: 'InvoiceDate', customer_id: 'CustomerID' },
    });
    expect(again).toMatchObject({ ingested: 0, duplicates: 6 });
  });
});

describe('customer profiles', () => {
  it('loads consent flags, rejects bad ones, and attaches the profile to the person of the events', async () => {
    await ingestRows(opened, [{ email: 'ann@example.com', type: 'visit', ts: '2024-01-01' }]);
    const file = writeFile(
      dir,
      'customers.csv',
      csv([
        { customer_id: 'ANN', email: 'Ann@Example.com', signup_ts: '2023-05-01', consent_email: 'true', consent_sms: 'false' },
        { customer_id: 'BOB', consent_email: 'maybe' },
        { customer_id: 'CAT', consent_line: 'yes' },
      ]),
    );
    const summary = await ingestCustomers(opened.store, { source: { kind: 'file', file, format: 'csv' }, identity: opened.identity, origin: 'cli' });
    expect(summary).toMatchObject({ read: 3, ingested: 2, rejected: 1 });
    expect(summary.rejects[0]).toMatchObject({ line: 3, field: 'consent_email' });
    const profile = await opened.store.one<Record<string, unknown>>(
      `SELECT p.customer_id, c.consent_email, c.consent_sms, c.consent_line, c.signup_ts IS NOT NULL AS has_signup,
              (SELECT count(*) FROM events e WHERE e.person_id = p.person_id) AS events
       FROM customers c JOIN persons p USING (person_id) WHERE p.customer_id = 'ANN'`,
    );
    expect(profile).toEqual({ customer_id: 'ANN', consent_email: true, consent_sms: false, consent_line: false, has_signup: true, events: 1 });
  });
});
