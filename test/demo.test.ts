import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDemo, demoStart, trainMissingModels } from '../src/demo/bootstrap.js';
import { FEATURE_SCHEMA } from '../src/features/schema.js';
import { ModelRegistry } from '../src/ml/registry/registry.js';
import { trainFake } from '../src/ml/registry/test-helpers.js';
import type { OpenedStore } from '../src/store/open.js';
import { tempDir, testStore } from './helpers.js';

let dir: string;
let opened: OpenedStore;
const CUSTOMERS = 200;

beforeAll(async () => {
  dir = tempDir();
  opened = await testStore();
});
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('demo bootstrap on an empty store', () => {
  it('loads a generated base once, and One ID puts every channel of a customer on one person', async () => {
    const env = { PROPEL_DB: path.join(dir, 'propel.duckdb'), PROPEL_DEMO_CUSTOMERS: CUSTOMERS };
    const messages: string[] = [];
    const now = new Date('2026-03-15T09:30:00Z');
    expect(await bootstrapDemo({ ...opened, env, log: (m) => messages.push(m), now })).toBe(true);
    expect(await bootstrapDemo({ ...opened, env, log: () => undefined })).toBe(false);
    expect(messages.at(-1)).toMatch(/0 rejected/);

    const truth = JSON.parse(fs.readFileSync(path.join(dir, 'demo', 'events.csv.gz.truth.json'), 'utf8'));
    const persons = await opened.store.all<{ with_id: number; anonymous: number }>(
      `SELECT count(customer_id) AS with_id, count(*) FILTER (WHERE customer_id IS NULL) AS anonymous FROM persons WHERE merged_into IS NULL`,
    );
    // Every customer is one person: none split across channels, none merged with another.
    expect(persons[0]!.with_id).toBe(CUSTOMERS);
    const idsPerPerson = await opened.store.all<{ n: number }>(
      "SELECT count(*) AS n FROM identifiers WHERE starts_with(id_key, 'customer_id:') GROUP BY person_id HAVING count(*) > 1",
    );
    expect(idsPerPerson).toEqual([]);
    // The only people without a customer id are identities the generator deliberately left unlinked.
    expect(persons[0]!.anonymous).toBeLessThanOrEqual(truth.unlinked_identities.length);
    const events = await opened.store.one<{ n: number }>('SELECT count(*) AS n FROM events');
    expect(events!.n).toBe(truth.realized.events);
    // The demo year ends in the week before the clock (a caller's events of today follow on from it),
    // starting on a Monday a whole number of weeks after 2024-01-01: 2025-03-10 for 2026-03-15.
    const span = await opened.store.one<{ first: string; last: string }>(
      "SELECT strftime(min(ts), '%Y-%m-%d') AS first, strftime(max(ts), '%Y-%m-%d') AS last FROM events",
    );
    expect(span!.first).toBe('2025-03-10');
    expect(span!.last >= '2026-03-08' && span!.last <= '2026-03-14').toBe(true);
  });
});

describe('demo window', () => {
  it('starts on the Monday of whole weeks after the anchor, at most a year and six days before the clock', () => {
    expect(demoStart(new Date('2026-03-15T09:30:00Z'))).toBe('2025-03-10');
    expect(demoStart(new Date('2026-03-16T00:00:00Z'))).toBe('2025-03-10'); // 2025-03-16 is a Sunday
    expect(demoStart(new Date('2026-03-17T00:00:00Z'))).toBe('2025-03-17'); // a Monday again
    for (const day of ['2025-01-01', '2026-11-25', '2030-06-30']) {
      const start = demoStart(new Date(`${day}T12:00:00Z`));
      expect(new Date(`${start}T00:00:00Z`).getUTCDay()).toBe(1);
      const latest = Date.parse(day) - 365 * 86_400_000;
      expect(latest - Date.parse(start)).toBeGreaterThanOrEqual(0);
      expect(latest - Date.parse(start)).toBeLessThan(7 * 86_400_000);
    }
  });
});

describe('demo models', () => {
  it('trains again a target whose current version was trained on features the code now defines otherwise, and only that one', async () => {
    const models = path.join(dir, 'models-stale');
    const registry = new ModelRegistry(models);
    const purchase = await trainFake(registry, 'purchase', { schema: FEATURE_SCHEMA });
    const churn = await trainFake(registry, 'churn', { schema: FEATURE_SCHEMA.map((f) => (f.name === 'clv_monetary' ? { ...f, description: 'gross spend' } : f)) });
    const clv = await trainFake(registry, 'clv');
    for (const [target, v] of [['purchase', purchase], ['churn', churn], ['clv', clv]] as const) await registry.promote(target, v.version, { force: true });
    const messages: string[] = [];
    await trainMissingModels(opened.store, models, (m) => messages.push(m));
    expect(messages[0]).toBe('current churn model trained on features the code now defines otherwise: training again');
    expect(await registry.current('purchase')).toBe(purchase.version);
    expect(await registry.current('clv')).toBe(clv.version);
    // A churn version trained on the demo base the test above loaded, next to the stale one.
    expect((await registry.list('churn')).versions.length).toBe(2);
    expect(messages[1]).toMatch(/^churn: v0002-\S+ (promoted|not promoted)/);
  }, 120_000);
});
