import fs from 'node:fs';
import path from 'node:path';
import { generate } from '../../src/generate/generate.js';
import { ingestCustomers, ingestEvents } from '../../src/ingest/ingest.js';
import { openStore, type OpenedStore } from '../../src/store/open.js';

export const BENCH_ENV = { PROPEL_ID_HASH_KEY: 'bench-key-0123456789', PROPEL_PHONE_COUNTRY_CODE: '' };

/** A store holding the benchmark base, loaded once into data/bench/<name>-<customers>.duckdb and reused. */
export async function benchStore(name: string, customers: number): Promise<OpenedStore> {
  const storeFile = path.resolve('data', 'bench', `${name}-${customers}.duckdb`);
  const fresh = !fs.existsSync(storeFile);
  const opened = await openStore(storeFile, BENCH_ENV);
  if (fresh) {
    const files = await benchEvents(customers);
    process.stderr.write('loading the benchmark base (once; cached) ...\n');
    const shared = { identity: opened.identity, origin: 'cli' as const };
    await ingestCustomers(opened.store, { ...shared, source: { kind: 'file', file: files.customers, format: 'csv' } });
    await ingestEvents(opened.store, { ...shared, source: { kind: 'file', file: files.events, format: 'csv' } });
    await opened.store.run('CHECKPOINT');
  }
  return opened;
}

/**
 * The benchmark base: 200k customers over a year (≈10M events), generated once and cached under
 * data/bench/ (git-ignored). Deterministic, so every run measures the same file.
 */
export async function benchEvents(customers = 200_000): Promise<{ events: string; customers: string }> {
  const dir = path.resolve('data', 'bench');
  const events = path.join(dir, `events-${customers}.csv`);
  const profiles = path.join(dir, `customers-${customers}.csv`);
  if (!fs.existsSync(events) || !fs.existsSync(profiles)) {
    process.stderr.write(`generating ${customers} customers into ${dir} (once; cached) ...\n`);
    const summary = await generate({ customers, days: 365, seed: 2024, start: '2024-01-01', out: events, customersOut: profiles });
    process.stderr.write(`generated ${summary.events} events in ${(summary.elapsed_ms / 1000).toFixed(1)} s\n`);
  }
  return { events, customers: profiles };
}
