import fs from 'node:fs';
import path from 'node:path';
import { generate } from '../../src/generate/generate.js';
import { ingestCustomers, ingestEvents } from '../../src/ingest/ingest.js';
import { openStore, type OpenedStore } from '../../src/store/open.js';

export const BENCH_ENV = { PROPEL_ID_HASH_KEY: 'bench-key-0123456789', PROPEL_PHONE_COUNTRY_CODE: '' };

/**
 * A store holding the benchmark base, loaded once into data/bench/<name>-<customers>.duckdb and
 * reused. Built under a temporary name and renamed when complete, so an interrupted first run
 * leaves nothing that a later run would take for the cache.
 */
export async function benchStore(name: string, customers: number): Promise<OpenedStore> {
  if (!Number.isInteger(customers) || customers <= 0) throw new Error(`the customer count must be a positive integer, got ${customers}`);
  const storeFile = path.resolve('data', 'bench', `${name}-${customers}.duckdb`);
  if (!fs.existsSync(storeFile)) {
    const files = await benchEvents(customers);
    process.stderr.write('loading the benchmark base (once; cached) ...\n');
    const partial = `${storeFile}.partial`;
    for (const leftover of [partial, `${partial}.wal`]) fs.rmSync(leftover, { force: true });
    const building = await openStore(partial, BENCH_ENV);
    const shared = { identity: building.identity, origin: 'cli' as const };
    await ingestCustomers(building.store, { ...shared, source: { kind: 'file', file: files.customers, format: 'csv' } });
    await ingestEvents(building.store, { ...shared, source: { kind: 'file', file: files.events, format: 'csv' } });
    await building.store.run('CHECKPOINT');
    building.store.close();
    fs.renameSync(partial, storeFile);
  }
  return openStore(storeFile, BENCH_ENV);
}

/**
 * The benchmark base: 200k customers over a year (≈10M events), generated once and cached under
 * data/bench/ (git-ignored). Deterministic, so every run measures the same file. Written under
 * temporary names and renamed when complete (see benchStore).
 */
export async function benchEvents(customers = 200_000): Promise<{ events: string; customers: string }> {
  if (!Number.isInteger(customers) || customers <= 0) throw new Error(`the customer count must be a positive integer, got ${customers}`);
  const dir = path.resolve('data', 'bench');
  const events = path.join(dir, `events-${customers}.csv`);
  const profiles = path.join(dir, `customers-${customers}.csv`);
  if (!fs.existsSync(events) || !fs.existsSync(profiles)) {
    process.stderr.write(`generating ${customers} customers into ${dir} (once; cached) ...\n`);
    const partialOf = (file: string) => file.replace(/\.csv$/, '.partial.csv'); // the extension tells generate the format
    const [eventsPartial, profilesPartial] = [partialOf(events), partialOf(profiles)];
    const summary = await generate({ customers, days: 365, seed: 2024, start: '2024-01-01', out: eventsPartial, customersOut: profilesPartial });
    fs.renameSync(`${eventsPartial}.truth.json`, `${events}.truth.json`);
    fs.renameSync(profilesPartial, profiles);
    fs.renameSync(eventsPartial, events);
    process.stderr.write(`generated ${summary.events} events in ${(summary.elapsed_ms / 1000).toFixed(1)} s\n`);
  }
  return { events, customers: profiles };
}
