import fs from 'node:fs';
import path from 'node:path';
import { generate } from '../../src/generate/generate.js';

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
