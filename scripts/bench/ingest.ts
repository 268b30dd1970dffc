import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingestEvents } from '../../src/ingest/ingest.js';
import { openStore } from '../../src/store/open.js';
import { benchEvents } from './data.js';
import { freshFile, table } from './util.js';

/**
 * Ingest throughput on the ≈10M-event benchmark CSV, next to DuckDB's own read_csv of the same
 * file into a table of a fresh database file in the same run. Target: ≥ 0.5× DuckDB's raw rate.
 *
 * The machine is shared, so DuckDB's read is timed before and after ours and the faster of the two
 * is the baseline (the stricter one: a load spike during one of them cannot flatter the ratio).
 * CPU seconds (all threads of this process) are printed too; they move less with others' load.
 */
export async function run(argv: string[]): Promise<void> {
  const customers = Number(argv[0] ?? 200_000);
  const { events } = await benchEvents(customers);
  const dir = path.resolve('data', 'bench');

  const rawRead = async () =>
    measure(async () => {
      const instance = await DuckDBInstance.create(freshFile(path.join(dir, 'raw.duckdb')));
      const connection = await instance.connect();
      try {
        await connection.run(`CREATE TABLE raw AS SELECT * FROM read_csv('${events}')`);
        return Number((await connection.runAndReadAll('SELECT count(*) FROM raw')).getRows()[0]![0]);
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    });
  const rawBefore = await rawRead();

  const storeFile = freshFile(path.join(dir, 'ingest.duckdb'));
  const { store, identity } = await openStore(storeFile, { PROPEL_ID_HASH_KEY: 'bench-key-0123456789', PROPEL_PHONE_COUNTRY_CODE: '' });
  const ingest = () => measure(() => ingestEvents(store, { source: { kind: 'file', file: events, format: 'csv' }, identity, origin: 'cli' }));
  const ours = await ingest();
  const again = await ingest();
  store.close();

  const rawAfter = await rawRead();
  const raw = rawBefore.seconds <= rawAfter.seconds ? rawBefore : rawAfter;
  const rawRate = raw.result / raw.seconds;
  const row = (name: string, rows: number, m: { seconds: number; cpu: number }) => [name, rows, m.seconds, m.cpu, rows / m.seconds, rows / m.seconds / rawRate];
  const ratio = ours.result.read / ours.seconds / rawRate;
  process.stdout.write(
    table([
      ['run', 'rows', 'seconds', 'cpu s', 'rows/s', 'vs DuckDB'],
      row('DuckDB read_csv → table, before', rawBefore.result, rawBefore),
      row('DuckDB read_csv → table, after', rawAfter.result, rawAfter),
      row('propel ingest (validate, One ID, store)', ours.result.read, ours),
      row('propel re-ingest (all duplicates)', again.result.read, again),
    ]) +
      `\nbaseline: the faster DuckDB run (${formatRate(rawRate)} rows/s)` +
      `\ningested ${ours.result.ingested} events, ${ours.result.persons_created} people, ${ours.result.merges} merges, ${ours.result.rejected} rejected; ` +
      `re-ingest added ${again.result.ingested}\ntarget: propel ≥ 0.5× DuckDB → ${ratio >= 0.5 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×)\n`,
  );
}

/** Wall and CPU seconds of `work` (CPU of every thread of this process, DuckDB's included). */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; cpu: number }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, seconds: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 };
}

function formatRate(rate: number): string {
  return Math.round(rate).toLocaleString('en-US');
}
