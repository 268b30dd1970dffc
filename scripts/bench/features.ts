import { buildFeatures, SingleCustomerFeatures } from '../../src/features/build.js';
import { asOfEnd, latestEventDay } from '../../src/features/as-of.js';
import type { Db } from '../../src/store/database.js';
import { benchStore } from './data.js';
import { percentile, table, timed } from './util.js';

/**
 * Features for every customer of the ≈10M-event / 200k-customer base, next to one plain DuckDB
 * aggregate over the same events in the same run (target ≤ 2×), and the latency of one customer's
 * features (target p99 ≤ 2 ms) next to two floors measured the same way: a prepared `SELECT 1`
 * (one round trip to DuckDB) and a prepared read of that customer's events alone.
 */
export async function run(argv: string[]): Promise<void> {
  const customers = Number(argv[0] ?? 200_000);
  const { store } = await benchStore('features', customers);
  const asOf = (await latestEventDay(store))!;
  const events = Number((await store.one<{ n: number }>('SELECT count(*) AS n FROM events'))!.n);

  // Warm the file cache so neither side pays for the first read.
  await store.all('SELECT person_id, count(*) FROM events GROUP BY person_id');
  const plain = await timed(() =>
    store.all('SELECT person_id, count(*) AS n, sum(amount) AS amount, max(ts) AS last_ts FROM events GROUP BY person_id'),
  );
  const batch = await timed(() => buildFeatures(store, asOf));

  const ids = batch.result.personIds;
  const samples = Math.min(300, ids.length);
  const sample = Array.from({ length: samples }, (_, k) => ids[Math.floor((k * ids.length) / samples)]!);
  const single = new SingleCustomerFeatures(store);
  const features = await latencies(sample, (id) => single.build(id, asOf));
  const roundTrip = await preparedLatencies(store, 'SELECT 1', sample, () => ({}));
  const eventsOnly = await preparedLatencies(
    store,
    'SELECT * FROM events WHERE person_id = $person AND ts < $t_end::TIMESTAMP',
    sample,
    (id) => ({ person: BigInt(id), t_end: asOfEnd(asOf) }),
  );
  store.close();

  const ms = (sorted: number[]) => `p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`;
  process.stdout.write(
    table([
      ['step', 'customers', 'seconds', 'vs plain aggregate'],
      ['plain DuckDB aggregate (count, sum, max by customer)', plain.result.length, plain.seconds, 1],
      ['features (all customers)', batch.result.n, batch.seconds, batch.seconds / plain.seconds],
    ]) +
      `\n${events} events, as of ${asOf}\n` +
      `one customer's features (SQL builder, prepared): ${ms(features)} over ${samples} customers\n` +
      `  floor: prepared SELECT 1 ${ms(roundTrip)}; prepared read of the customer's events ${ms(eventsOnly)}\n`,
  );
}

async function latencies(ids: number[], work: (id: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (const id of ids) {
    const start = performance.now();
    await work(id);
    out.push(performance.now() - start);
  }
  return out.sort((a, b) => a - b);
}

async function preparedLatencies(db: Db, sql: string, ids: number[], params: (id: number) => Record<string, string | bigint>) {
  const statement = await db.connection.prepare(sql);
  return latencies(ids, async (id) => {
    statement.bind(params(id));
    (await statement.runAndReadAll()).getColumnsJS();
  });
}
