import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../config/scoring.js';
import { CustomerFeatures } from '../features/customer-features.js';
import type { Db } from '../store/database.js';
import type { OpenedStore } from '../store/open.js';
import { ingestRows, loadGeneratedBase, tempDir, testStore } from '../../test/helpers.js';
import { CustomerScorer } from './scorer.js';

let opened: OpenedStore;
let dir: string;
let scorer: CustomerScorer;

beforeAll(async () => {
  dir = tempDir();
  opened = await testStore();
  await loadGeneratedBase(opened, dir, { customers: 120, days: 200, seed: 5 });
  scorer = new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG);
  await scorer.refresh();
});
afterAll(() => {
  vi.restoreAllMocks();
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Customers of the base with purchases, by customer id and person id. */
function buyers(count: number, skip = 0) {
  const base = scorer.current!;
  return base.scores
    .map((s, i) => ({ id: s.customer_id, person: base.frame.personIds[i]!, purchases: base.frame.numeric.purchases_all![i]! }))
    .filter((c) => c.purchases > 0)
    .slice(skip, skip + count);
}

const purchase = (customerId: string, amount: number, eventId: string) => ({
  customer_id: customerId,
  type: 'purchase',
  amount: String(amount),
  ts: `${scorer.current!.asOf}T10:00:00Z`,
  event_id: eventId,
});

/**
 * The test store, with `afterRun` awaited after each statement run on its connection directly (the
 * base's feature query), so a test can hold a refresh between reading the store and landing.
 */
function storeWithHookedRun(afterRun: (sql: string) => Promise<void>): Db {
  const connection = new Proxy(opened.store.connection, {
    get(target, prop) {
      if (prop === 'run') {
        return async (...args: Parameters<typeof target.run>) => {
          const result = await target.run(...args);
          await afterRun(args[0]);
          return result;
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { connection, all: opened.store.all.bind(opened.store), one: opened.store.one.bind(opened.store), run: opened.store.run.bind(opened.store) };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CustomerScorer freshness', () => {
  it('rebuilds the customers of one ingest together as soon as they are invalidated, so requests only read the result', async () => {
    const [a, b] = buyers(2);
    await ingestRows(opened, [purchase(a!.id, 11, 'r-a'), purchase(b!.id, 12, 'r-b')]);
    const build = vi.spyOn(CustomerFeatures.prototype, 'build');
    scorer.invalidate([a!.person, b!.person]);
    await scorer.settled();
    expect(build).toHaveBeenCalledTimes(1);
    expect([...build.mock.calls[0]![0]].sort()).toEqual([a!.person, b!.person].sort());
    const [stateA, stateB] = [await scorer.state(a!.id), await scorer.state(b!.id)];
    expect(build).toHaveBeenCalledTimes(1);
    expect(stateA.frame.numeric.purchases_all![stateA.index]).toBe(a!.purchases + 1);
    expect(stateB.frame.numeric.purchases_all![stateB.index]).toBe(b!.purchases + 1);
    build.mockRestore();
  });

  it('finds a customer who is new since the base from their rebuild, without asking the store who they are', async () => {
    await ingestRows(opened, [purchase('NEW-1', 30, 'r-new')]);
    const person = (await opened.store.one<{ person_id: number }>("SELECT person_id FROM identifiers WHERE id_key = 'customer_id:NEW-1'"))!.person_id;
    scorer.invalidate([person]);
    await scorer.settled();
    const one = vi.spyOn(opened.store, 'one');
    const state = await scorer.state('NEW-1');
    expect(state.person_id).toBe(person);
    expect(state.frame.numeric.purchases_all![state.index]).toBe(1);
    expect(one.mock.calls.filter(([sql]) => /identifiers/.test(sql))).toEqual([]);
    one.mockRestore();
  });

  it('answers a request made during a rebuild with it, and never lets a rebuild that read too early land late', async () => {
    const [c] = buyers(1, 2);
    const build = CustomerFeatures.prototype.build;
    const firstRead = deferred();
    const firstMayLand = deferred();
    let calls = 0;
    vi.spyOn(CustomerFeatures.prototype, 'build').mockImplementation(async function (this: CustomerFeatures, ids, asOf) {
      const first = calls++ === 0;
      const frame = await build.call(this, ids, asOf);
      if (first) {
        firstRead.resolve();
        await firstMayLand.promise;
      }
      return frame;
    });
    await ingestRows(opened, [purchase(c!.id, 5, 'r-c1')]);
    scorer.invalidate([c!.person]);
    const during = scorer.state(c!.id);
    await firstRead.promise;
    // More events after the first rebuild read the store: a second rebuild lands, then the first.
    await ingestRows(opened, [purchase(c!.id, 6, 'r-c2')]);
    scorer.invalidate([c!.person]);
    await scorer.settled();
    firstMayLand.resolve();
    const early = await during;
    expect(early.frame.numeric.purchases_all![early.index]).toBe(c!.purchases + 1);
    const state = await scorer.state(c!.id);
    expect(state.frame.numeric.purchases_all![state.index]).toBe(c!.purchases + 2);
    vi.restoreAllMocks();
  });

  it('keeps a customer whose events arrive after the base was read fresh once the new base lands', async () => {
    const [d] = buyers(1, 3);
    // The base's feature query finishes, then waits: the events arrive before the new base is in place.
    let afterRun = async () => {};
    const gated = new CustomerScorer(storeWithHookedRun(() => afterRun()), DEFAULT_SCORING_CONFIG);
    await gated.refresh();
    const [baseRead, baseMayLand] = [deferred(), deferred()];
    afterRun = async () => {
      baseRead.resolve();
      await baseMayLand.promise;
    };
    const refreshing = gated.refresh();
    await baseRead.promise;
    await ingestRows(opened, [purchase(d!.id, 7, 'r-d')]);
    gated.invalidate([d!.person]);
    await gated.settled();
    baseMayLand.resolve();
    await refreshing;
    const state = await gated.state(d!.id);
    expect(state.frame.numeric.purchases_all![state.index]).toBe(d!.purchases + 1);
  });

  it('scores one base at a time, so a refresh begun later never lands before an earlier one', async () => {
    const [e] = buyers(1, 4);
    const reads: number[] = [];
    const firstMayLand = deferred();
    const gated = new CustomerScorer(
      storeWithHookedRun(async (sql) => {
        if (!/\bFROM events\b/.test(sql)) return; // the features read (not the consents read after it)
        reads.push(reads.length);
        if (reads.length === 1) await firstMayLand.promise;
      }),
      DEFAULT_SCORING_CONFIG,
    );
    const first = gated.refresh();
    await ingestRows(opened, [purchase(e!.id, 9, 'r-e')]);
    const second = gated.refresh();
    await new Promise((resolve) => setTimeout(resolve, 300)); // ample for a second read on this small store
    expect(reads).toHaveLength(1); // the second waits for the first
    firstMayLand.resolve();
    await Promise.all([first, second]);
    expect(reads).toHaveLength(2);
    const base = gated.current!;
    expect(base.frame.numeric.purchases_all![base.indexByCustomer.get(e!.id)!]).toBe(e!.purchases + 1);
  });
});
