import { buildFeatures, featureSql } from '../../src/features/build.js';
import { CustomerFeatures } from '../../src/features/customer-features.js';
import { evaluateFeatures } from '../../src/features/evaluate.js';
import { asOfEnd, latestEventDay } from '../../src/features/as-of.js';
import { computeScoringContext, DEFAULT_SCORING_CONFIG, scoreFrame } from '../../src/scoring/index.js';
import type { Db } from '../../src/store/database.js';
import { benchStore } from './data.js';
import { percentile, table, timed } from './util.js';

/**
 * Features for every customer of the ≈10M-event / 200k-customer base, next to one plain DuckDB
 * aggregate over the same events in the same run (target ≤ 2×), and the latency of one customer's
 * features + rule scores (target p99 ≤ 2 ms): from the store (read their evidence, evaluate, score)
 * and from evidence in hand (evaluate, score), next to two floors measured the same way: a
 * prepared `SELECT 1` (one round trip to DuckDB) and a prepared read of that customer's events.
 */
export async function run(argv: string[]): Promise<void> {
  const customers = Number(argv[0] ?? 200_000);
  const { store } = await benchStore('features', customers);
  const asOf = (await latestEventDay(store))!;
  const events = Number((await store.one<{ n: number }>('SELECT count(*) AS n FROM events'))!.n);

  // Warm the file cache so neither side pays for the first read.
  await store.all('SELECT person_id, count(*) FROM events GROUP BY person_id');
  // Both queries run to a materialized result inside DuckDB, not converted to JS, so they compare
  // like for like; the features are then also timed as the service builds them (into a frame).
  const plain = await timed(async () =>
    (await store.connection.run('SELECT person_id, count(*) AS n, sum(amount) AS amount, max(ts) AS last_ts FROM events GROUP BY person_id')).rowCount,
  );
  const query = await timed(async () => (await store.connection.run(featureSql(), { t_end: asOfEnd(asOf) })).rowCount);
  const batch = await timed(() => buildFeatures(store, asOf));
  const scored = await timed(async () => {
    const frame = await buildFeatures(store, asOf);
    const context = computeScoringContext(frame, DEFAULT_SCORING_CONFIG);
    return scoreFrame(frame, context, DEFAULT_SCORING_CONFIG, undefined, { explain: false }).length;
  });
  const context = computeScoringContext(batch.result, DEFAULT_SCORING_CONFIG);
  const scoreOne = (frame: typeof batch.result) => scoreFrame(frame, context, DEFAULT_SCORING_CONFIG, undefined, { explain: true });

  const ids = batch.result.personIds;
  const samples = Math.min(300, ids.length);
  const sample = Array.from({ length: samples }, (_, k) => ids[Math.floor((k * ids.length) / samples)]!);
  const single = new CustomerFeatures(store);
  const fromStore = await latencies(sample, async (id) => scoreOne(await single.build([id], asOf)));
  const evidence = new Map<number, Awaited<ReturnType<CustomerFeatures['evidence']>>>();
  for (const id of sample) evidence.set(id, await single.evidence([id], asOf));
  // A warm-up pass (the JIT compiles the evaluator on first use), then ten: at ~0.1 ms a call, a
  // p99 over a few hundred calls would be whichever GC pause or scheduler hiccup came along.
  await latencies(sample, async (id) => scoreOne(evaluateFeatures(evidence.get(id)!)));
  const inHand = await latencies(Array.from({ length: 10 }, () => sample).flat(), async (id) => scoreOne(evaluateFeatures(evidence.get(id)!)));
  // The service rebuilds every customer of an ingest request in one read (CustomerScorer.invalidate).
  const group = sample.slice(0, 100);
  const together = await timed(async () => scoreFrame(await single.build(group, asOf), context, DEFAULT_SCORING_CONFIG, undefined, { explain: false }));
  const eventsPerCustomer = [...evidence.values()].reduce((sum, [c]) => sum + (c?.events.length ?? 0), 0) / samples;
  const roundTrip = await preparedLatencies(store, 'SELECT 1', sample, () => ({}));
  const eventsOnly = await preparedLatencies(
    store,
    'SELECT * FROM events WHERE person_id = $person AND ts < $t_end::TIMESTAMP',
    sample,
    (id) => ({ person: BigInt(id), t_end: asOfEnd(asOf) }),
  );
  store.close();

  const ms = (sorted: number[]) => `p50 ${percentile(sorted, 50).toFixed(3)} ms, p99 ${percentile(sorted, 99).toFixed(3)} ms`;
  process.stdout.write(
    table([
      ['step', 'customers', 'seconds', 'vs plain aggregate'],
      ['plain DuckDB aggregate (count, sum, max by customer)', plain.result, plain.seconds, 1],
      ['feature query (all customers, in DuckDB)', query.result, query.seconds, query.seconds / plain.seconds],
      ['features into a frame (as the service builds them)', batch.result.n, batch.seconds, batch.seconds / plain.seconds],
      ['features + rule scores (all customers)', scored.result, scored.seconds, scored.seconds / plain.seconds],
    ]) +
      `\n${events} events, as of ${asOf}\n` +
      `one customer's features + rule scores over ${samples} customers (${eventsPerCustomer.toFixed(0)} events each on average):\n` +
      `  from the store (read evidence, evaluate, score): ${ms(fromStore)}\n` +
      `  from evidence in hand (evaluate, score):         ${ms(inHand)} over ${inHand.length} calls\n` +
      `  ${group.length} customers together from the store (as after one ingest request): ${(together.seconds * 1000).toFixed(1)} ms\n` +
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
