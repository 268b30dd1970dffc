import { buildFeatures, SingleCustomerFeatures } from '../../src/features/build.js';
import { latestEventDay } from '../../src/features/as-of.js';
import { benchStore } from './data.js';
import { percentile, table, timed } from './util.js';

/**
 * Features + rule scores for every customer of the ≈10M-event / 200k-customer base, next to one
 * plain DuckDB aggregate over the same events in the same run (target ≤ 2×), and the latency of
 * one customer's features + scores (target p99 ≤ 2 ms).
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

  const single = new SingleCustomerFeatures(store);
  const ids = batch.result.personIds;
  const latencies: number[] = [];
  const samples = Math.min(300, ids.length);
  for (let k = 0; k < samples; k++) {
    const id = ids[Math.floor((k * ids.length) / samples)]!;
    const start = performance.now();
    await single.build(id, asOf);
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  store.close();

  process.stdout.write(
    table([
      ['step', 'customers', 'seconds', 'vs plain aggregate'],
      ['plain DuckDB aggregate (count, sum, max by customer)', plain.result.length, plain.seconds, 1],
      ['features (all customers)', batch.result.n, batch.seconds, batch.seconds / plain.seconds],
    ]) +
      `\n${events} events, as of ${asOf}\n` +
      `one customer's features (SQL builder, prepared): p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms over ${samples} customers\n`,
  );
}
