import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Store } from '../store/database.js';
import type { OpenedStore } from '../store/open.js';
import { ingestRows, testStore } from '../../test/helpers.js';
import { EventIdFilter } from './event-id-filter.js';

let opened: OpenedStore;
beforeEach(async () => {
  opened = await testStore();
});
afterEach(() => opened.store.close());

const visit = (event_id: string, customer_id = 'C1') => ({ customer_id, type: 'visit', ts: '2024-01-01T00:00:00Z', event_id });
const idsOf = async (eventIds: string[]) => {
  await opened.store.run('CREATE OR REPLACE TEMP TABLE probe AS SELECT unnest(?::VARCHAR[]) AS eid', [`[${eventIds.map((id) => `"${id}"`).join(',')}]`]);
  return EventIdFilter.idsOf(opened.store, 'probe');
};
/** Statements run on any connection of the store (an ingest runs on a transaction connection of its own). */
const statements: string[] = [];
const connectionDb = Object.getPrototypeOf(Store.prototype) as { run: (sql: string) => Promise<void> };
const scanned = () => statements.some((sql) => sql.includes('b_existing'));
beforeEach(() => {
  statements.length = 0;
  const run = connectionDb.run;
  vi.spyOn(connectionDb, 'run').mockImplementation(function (this: unknown, sql: string, ...rest: unknown[]) {
    statements.push(sql);
    return (run as (...args: unknown[]) => Promise<void>).call(this, sql, ...rest);
  });
});
afterEach(() => vi.restoreAllMocks());

describe('EventIdFilter', () => {
  it('answers "may" for every stored id, and "no" for nearly every other (under 1% false positives)', async () => {
    const stored = Array.from({ length: 2000 }, (_, i) => `stored-${i}`);
    await ingestRows(opened, stored.map((id, i) => visit(id, `C${i % 50}`)));
    const filter = await EventIdFilter.open(opened.store);
    expect(filter.mayContainAny(await idsOf(stored.slice(0, 1)))).toBe(true); // still loading: "may"
    await filter.ready;
    for (const id of stored) expect(filter.mayContainAny(await idsOf([id])), id).toBe(true);
    const others = await idsOf(Array.from({ length: 20_000 }, (_, i) => `other-${i}`));
    const falsePositives = others.filter((id) => filter.mayContainAny([id])).length;
    expect(falsePositives / others.length).toBeLessThan(0.01);
    filter.add(others.slice(0, 1));
    expect(filter.mayContainAny(others.slice(0, 1))).toBe(true);
  });

  it('lets an ingest skip the duplicate scan when no id can be stored, and still catches every repeat', async () => {
    await ingestRows(opened, [visit('e1'), visit('e2')]);
    const filter = await EventIdFilter.open(opened.store);
    await filter.ready;
    statements.length = 0;
    expect(await ingestRows(opened, [visit('e3')], { knownEventIds: filter })).toMatchObject({ ingested: 1, duplicates: 0 });
    expect(scanned()).toBe(false);
    // e3 went in through the filter: alone, it is still found a repeat.
    expect(await ingestRows(opened, [visit('e3')], { knownEventIds: filter })).toMatchObject({ ingested: 0, duplicates: 1 });
    // e1 was stored before the filter read the store: both are repeats.
    expect(await ingestRows(opened, [visit('e3'), visit('e1'), visit('e4')], { knownEventIds: filter })).toMatchObject({ ingested: 1, duplicates: 2 });
    expect(scanned()).toBe(true);
    // Without a filter the scan always runs.
    statements.length = 0;
    await ingestRows(opened, [visit('e5')]);
    expect(scanned()).toBe(true);
    const stored = await opened.store.all<{ event_id: string }>('SELECT event_id FROM events ORDER BY event_id');
    expect(stored.map((r) => r.event_id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });
});
