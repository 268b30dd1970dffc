import path from 'node:path';
import type { Env } from '../config/env.js';
import { addDays, MS_PER_DAY, type AsOf } from '../features/as-of.js';
import { generate } from '../generate/generate.js';
import { ingestCustomers, ingestEvents } from '../ingest/ingest.js';
import type { IdentitySettings } from '../identity/normalize.js';
import { expectedFeatureSchema } from '../ml/feature-schemas.js';
import { MODEL_TARGETS, type ModelTarget } from '../ml/registry/metadata.js';
import { ModelRegistry } from '../ml/registry/registry.js';
import { runTraining, type TrainedTarget } from '../ml/train/run.js';
import type { Store } from '../store/database.js';

export interface DemoDeps {
  store: Store;
  identity: IdentitySettings;
  env: Pick<Env, 'PROPEL_DB' | 'PROPEL_DEMO_CUSTOMERS'>;
  log: (message: string) => void;
  /** The clock the demo's dates follow (tests pin it). */
  now?: Date;
}

/** Fixed so the demo base is the same on every machine (the generator is deterministic per seed). */
export const DEMO_SEED = 42;
export const DEMO_DAYS = 365;

/** A Monday: the demo window starts a whole number of weeks after it. */
export const DEMO_ANCHOR = '2024-01-01';

/**
 * The demo's year ends within the last week (UTC), so events a caller sends today through the API
 * follow on from it, as in a live shop (a base ending in some past year would put a customer
 * rebuilt after today's event years ahead of everyone else). It starts a whole number of weeks after
 * DEMO_ANCHOR: the generator's only calendar effect is the weekend, so the base, and the models
 * trained on it, are the same whichever day `npm start` first runs.
 */
export function demoStart(now: Date): AsOf {
  const latestStart = addDays(now.toISOString().slice(0, 10), -DEMO_DAYS);
  const weeks = Math.floor((Date.parse(latestStart) - Date.parse(DEMO_ANCHOR)) / (7 * MS_PER_DAY));
  return addDays(DEMO_ANCHOR, 7 * weeks);
}

/**
 * On an empty store: generate a demo base with known parameters and load it, so a fresh clone has
 * something to serve. A store that already holds events is left alone.
 */
export async function bootstrapDemo({ store, identity, env, log, now = new Date() }: DemoDeps): Promise<boolean> {
  const existing = await store.one<{ n: number }>('SELECT count(*) AS n FROM events');
  if (Number(existing?.n ?? 0) > 0) return false;
  const dir = path.join(path.dirname(path.resolve(env.PROPEL_DB)), 'demo');
  const eventsFile = path.join(dir, 'events.csv.gz');
  const customersFile = path.join(dir, 'customers.csv');
  log(`empty store: generating a demo base of ${env.PROPEL_DEMO_CUSTOMERS} customers in ${dir}`);
  const generated = await generate({
    customers: env.PROPEL_DEMO_CUSTOMERS,
    days: DEMO_DAYS,
    seed: DEMO_SEED,
    start: demoStart(now),
    out: eventsFile,
    customersOut: customersFile,
  });
  const shared = { identity, origin: 'demo' as const, rejectsDir: path.join(dir, 'rejects') };
  const profiles = await ingestCustomers(store, { ...shared, source: { kind: 'file', file: customersFile, format: 'csv' } });
  const events = await ingestEvents(store, { ...shared, source: { kind: 'file', file: eventsFile, format: 'csv' } });
  log(
    `demo data loaded: ${events.ingested} events (${generated.events} generated), ${profiles.ingested} profiles, ` +
      `${events.rejected} rejected, ${events.merges + profiles.merges} identity merges`,
  );
  return true;
}

/**
 * Trains every model that has no current version yet (on a fresh clone: all of them), or whose
 * current version was trained on features the code now defines otherwise (after an upgrade),
 * promoting each one that beats its rule baseline, so `npm start` serves predictions from the first run.
 */
export async function trainMissingModels(store: Store, modelsDir: string, log: (message: string) => void): Promise<void> {
  const registry = new ModelRegistry(modelsDir);
  const missing: ModelTarget[] = [];
  const stale: ModelTarget[] = [];
  for (const target of MODEL_TARGETS) {
    const current = await registry.current(target);
    if (!current) missing.push(target);
    else if (await schemaMismatch(registry, target, current)) stale.push(target);
  }
  if (missing.length > 0) log(`no current ${missing.join(', ')} model: training (once)`);
  if (stale.length > 0) log(`current ${stale.join(', ')} model trained on features the code now defines otherwise: training again`);
  for (const target of [...missing, ...stale]) {
    try {
      // One target: a failure throws rather than coming back as a FailedTarget.
      const [result] = (await runTraining(store, modelsDir, { targets: [target], promote: 'if_better' }, () => undefined)) as TrainedTarget[];
      log(`${target}: ${result!.version} ${result!.promoted ? 'promoted' : `not promoted (${result!.promote_refused})`}`);
    } catch (error) {
      log(`${target}: training failed, serving without it: ${(error as Error).message}`);
    }
  }
}

async function schemaMismatch(registry: ModelRegistry, target: ModelTarget, version: string): Promise<boolean> {
  try {
    await registry.open(target, version, { expectedFeatureSchema: expectedFeatureSchema(target) });
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === 'schema_mismatch';
  }
}
