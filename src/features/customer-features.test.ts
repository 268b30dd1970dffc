import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../domain/event.js';
import type { OpenedStore } from '../store/open.js';
import { testStore } from '../../test/helpers.js';
import { addDays } from './as-of.js';
import { buildFeatures } from './build.js';
import { CustomerFeatures } from './customer-features.js';
import type { FeatureFrame } from './frame.js';

/**
 * The in-process evaluator against the batch SQL on random stores: every customer, every feature.
 * Rows go straight into the tables, so the cases reach what ingest would smooth over (sub-second
 * times, purchases without amounts or categories, lines without products, merged persons).
 */
const START = Date.parse('2024-01-01T00:00:00Z');
const DAY = 86_400_000;
const CUSTOMERS = ['A', 'B', 'C', 'D', 'E'];
// Code-point order and UTF-16 order disagree on the last two: DuckDB breaks top-category ties by bytes.
const CATEGORIES = ['books', 'Books', 'toys', 'é', '\uFF5E', '\u{1F600}'];

const eventArb = fc.record({
  customer: fc.integer({ min: 0, max: CUSTOMERS.length - 1 }),
  type: fc.constantFrom(...EVENT_TYPES),
  ms: fc.integer({ min: 0, max: 400 * DAY }),
  amount: fc.option(fc.integer({ min: 0, max: 50_000 }).map((c) => c / 100)),
  margin: fc.option(fc.integer({ min: -1_000, max: 20_000 }).map((c) => c / 100)),
  product: fc.option(fc.constantFrom('p1', 'p2', 'p3')),
  category: fc.option(fc.constantFrom(...CATEGORIES)),
  channel: fc.option(fc.constantFrom('web', 'app', 'store')),
  duration: fc.option(fc.integer({ min: 0, max: 3_600 })),
  rating: fc.option(fc.integer({ min: 1, max: 5 })),
  related: fc.option(fc.constantFrom(...CUSTOMERS, 'nobody')),
  lines: fc.array(fc.record({ product: fc.option(fc.constantFrom('p1', 'p4')), category: fc.option(fc.constantFrom(...CATEGORIES)) }), { maxLength: 3 }),
});

const caseArb = fc.record({
  events: fc.array(eventArb, { maxLength: 40 }),
  profiles: fc.array(fc.record({ customer: fc.integer({ min: 0, max: CUSTOMERS.length - 1 }), signupMs: fc.option(fc.integer({ min: 0, max: 400 * DAY })) }), { maxLength: 3 }),
  mergedCustomer: fc.option(fc.integer({ min: 0, max: CUSTOMERS.length - 1 })),
  asOfDay: fc.integer({ min: 0, max: 420 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

const iso = (ms: number) => new Date(START + ms).toISOString().replace('T', ' ').replace('Z', '');

let opened: OpenedStore;
beforeAll(async () => {
  opened = await testStore();
});
afterAll(() => opened.store.close());

async function load(c: Case): Promise<void> {
  const db = opened.store;
  for (const table of ['events', 'event_items', 'customers', 'persons', 'identifiers', 'ingest_batches']) await db.run(`DELETE FROM ${table}`);
  await db.run(`INSERT INTO ingest_batches (batch_id, kind, origin, started_at) VALUES (1, 'events', 'cli', TIMESTAMP '2024-03-01')`);
  for (const [i, id] of CUSTOMERS.entries()) {
    const merged = c.mergedCustomer === i && i > 0 ? 1 : null;
    await db.run('INSERT INTO persons VALUES (?, ?, 1, ?)', [i + 1, id, merged]);
    await db.run('INSERT INTO identifiers VALUES (?, ?, 1)', [`customer_id:${id}`, merged ?? i + 1]);
  }
  for (const [k, e] of c.events.entries()) {
    const eventId = `e${k}`;
    await db.run(
      `INSERT INTO events (event_id, person_id, type, ts, amount, margin, product_id, category, channel, duration_s, rating, related_customer_id, batch_id)
       VALUES (?, ?, ?, ?::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      [eventId, e.customer + 1, e.type, iso(e.ms), e.amount, e.margin, e.product, e.category, e.channel, e.duration, e.rating, e.related],
    );
    for (const line of e.lines) await db.run('INSERT INTO event_items VALUES (?, ?, ?, 1, NULL)', [eventId, line.product, line.category]);
  }
  for (const p of c.profiles) {
    await db.run('INSERT INTO customers (person_id, signup_ts, batch_id) VALUES (?, ?::TIMESTAMP, 1)', [p.customer + 1, p.signupMs === null ? null : iso(p.signupMs)]);
  }
}

function expectSameRows(single: FeatureFrame, batch: FeatureFrame) {
  expect(single.personIds).toEqual(batch.personIds);
  expect(single.customerIds).toEqual(batch.customerIds);
  for (let i = 0; i < batch.n; i++) {
    for (const [name, values] of Object.entries(batch.numeric)) {
      const want = values[i]!;
      const got = single.numeric[name]![i]!;
      const where = `${name} of person ${batch.personIds[i]}: ${got} vs ${want}`;
      if (Number.isNaN(want)) expect(got, where).toBeNaN();
      // Sums may differ in the last bits: DuckDB adds in no fixed order.
      else expect(Math.abs(got - want), where).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
    }
    for (const [name, values] of Object.entries(batch.categorical)) expect(single.categorical[name]![i], name).toBe(values[i]);
  }
}

describe('features of a few customers, evaluated in process', () => {
  it('equal the batch SQL for every customer and feature on random stores', async () => {
    const single = new CustomerFeatures(opened.store);
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await load(c);
        const asOf = addDays('2024-01-01', c.asOfDay);
        const batch = await buildFeatures(opened.store, asOf);
        const everyone = CUSTOMERS.map((_, i) => i + 1);
        expectSameRows(await single.build(everyone, asOf), batch);
      }),
      { numRuns: 40, seed: 20261124 },
    );
  });

  it('breaks a top-category tie as DuckDB does, by code point (not by UTF-16 unit)', async () => {
    const purchase = (category: string, ms: number) => ({
      customer: 0, type: 'purchase' as const, ms, amount: 1, margin: null, product: null, category, channel: null,
      duration: null, rating: null, related: null, lines: [],
    });
    const single = new CustomerFeatures(opened.store);
    for (const [a, b, top] of [['\u{1F600}', '\uFF5E', '\uFF5E'], ['books', 'Books', 'Books']] as const) {
      await load({ events: [purchase(a, 0), purchase(b, DAY)], profiles: [], mergedCustomer: null, asOfDay: 5 });
      const batch = await buildFeatures(opened.store, '2024-01-06');
      expect(batch.categorical.top_category![0]).toBe(top);
      expect((await single.build([1], '2024-01-06')).categorical.top_category![0]).toBe(top);
    }
  });

  it('gives no row to a person unknown at the as-of day and none for an empty list', async () => {
    await load({ events: [], profiles: [], mergedCustomer: null, asOfDay: 0 });
    await opened.store.run(`INSERT INTO events (event_id, person_id, type, ts, batch_id) VALUES ('x', 1, 'visit', TIMESTAMP '2024-02-01 00:00:00', 1)`);
    const single = new CustomerFeatures(opened.store);
    expect((await single.build([1, 2], '2024-01-31')).n).toBe(0);
    const frame = await single.build([1, 2], '2024-02-01');
    expect(frame.personIds).toEqual([1]);
    expect(frame.numeric.visits_all![0]).toBe(1);
    expect((await single.build([], '2024-02-01')).n).toBe(0);
  });
});
