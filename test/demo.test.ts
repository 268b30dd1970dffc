import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDemo } from '../src/demo/bootstrap.js';
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
    // The demo year ends the day before the clock: a caller's events of today follow on from it.
    const span = await opened.store.one<{ first: string; last: string }>(
      "SELECT strftime(min(ts), '%Y-%m-%d') AS first, strftime(max(ts), '%Y-%m-%d') AS last FROM events",
    );
    expect(span).toEqual({ first: '2025-03-15', last: '2026-03-14' });
  });
});
