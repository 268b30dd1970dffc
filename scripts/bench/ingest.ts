import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingestEvents } from '../../src/ingest/ingest.js';
import { openStore } from '../../src/store/open.js';
import { benchEvents } from './data.js';
import { freshFile, table, timed } from './util.js';

/**
 * Ingest throughput on the ≈10M-event benchmark CSV, next to DuckDB's own read_csv of the same
 * file into a table of a fresh database file in the same run. Target: ≥ 0.5× DuckDB's raw rate.
 */
export async function run(argv: string[]): Promise<void> {
  const customers = Number(argv[0] ?? 200_000);
  const { events } = await benchEvents(customers);
  const dir = path.resolve('data', 'bench');

  const rawFile = freshFile(path.join(dir, 'raw.duckdb'));
  const instance = await DuckDBInstance.create(rawFile);
  const connection = await instance.connect();
  const raw = await timed(async () => {
    await connection.run(`CREATE TABLE raw AS SELECT * FROM read_csv('${events}')`);
    return Number((await connection.runAndReadAll('SELECT count(*) FROM raw')).getRows()[0]![0]);
  });
  connection.closeSync();
  instance.closeSync();

  const storeFile = freshFile(path.join(dir, 'ingest.duckdb'));
  const { store, identity } = await openStore(storeFile, { PROPEL_ID_HASH_KEY: 'bench-key-0123456789', PROPEL_PHONE_COUNTRY_CODE: '' });
  const ours = await timed(() =>
    ingestEvents(store, { source: { kind: 'file', file: events, format: 'csv' }, identity, origin: 'cli' }),
  );
  const again = await timed(() =>
    ingestEvents(store, { source: { kind: 'file', file: events, format: 'csv' }, identity, origin: 'cli' }),
  );
  store.close();

  const rawRate = raw.result / raw.seconds;
  const ourRate = ours.result.read / ours.seconds;
  process.stdout.write(
    table([
      ['run', 'rows', 'seconds', 'rows/s', 'vs DuckDB'],
      ['DuckDB read_csv → table', raw.result, raw.seconds, rawRate, 1],
      ['propel ingest (validate, One ID, store)', ours.result.read, ours.seconds, ourRate, ourRate / rawRate],
      ['propel re-ingest (all duplicates)', again.result.read, again.seconds, again.result.read / again.seconds, again.result.read / again.seconds / rawRate],
    ]) +
      `\ningested ${ours.result.ingested} events, ${ours.result.persons_created} people, ${ours.result.merges} merges, ${ours.result.rejected} rejected; ` +
      `re-ingest added ${again.result.ingested}\ntarget: propel ≥ 0.5× DuckDB → ${ourRate / rawRate >= 0.5 ? 'met' : 'NOT met'}\n`,
  );
}
