import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../config/scoring.js';
import { ingestEvents } from '../ingest/ingest.js';
import type { OpenedStore } from '../store/open.js';
import { testStore } from '../../test/helpers.js';
import { EventIntake, type EventRow, type IntakeOptions } from './event-intake.js';
import { CustomerScorer } from './scorer.js';

let opened: OpenedStore;

beforeEach(async () => {
  opened = await testStore();
});
afterEach(() => opened.store.close());

const visit = (customer_id: string, event_id: string, ts = '2024-03-01T10:00:00Z'): EventRow => ({ customer_id, type: 'visit', ts, event_id });

/**
 * An intake whose first ingest waits until `release()`, so the test can queue submissions behind it;
 * `rowsPerIngest` lists the rows of each ingest call, `fail` makes a call throw when it holds such a row.
 */
function gatedIntake(options: IntakeOptions & { fail?: (row: EventRow) => boolean; scorer?: CustomerScorer } = {}) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const rowsPerIngest: number[] = [];
  const ingest: typeof ingestEvents = async (store, ingestOptions) => {
    const rows = ingestOptions.source.kind === 'rows' ? ingestOptions.source.rows : [];
    rowsPerIngest.push(rows.length);
    if (rowsPerIngest.length === 1) await gate;
    if (options.fail && rows.some(options.fail)) throw new Error('this batch cannot be written');
    return ingestEvents(store, ingestOptions);
  };
  const scorer = options.scorer ?? new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG);
  const intake = new EventIntake({ store: opened.store, identity: opened.identity, scorer }, { ...options, ingest });
  return { intake, release, rowsPerIngest };
}

/** Lets queued promise callbacks and the first DuckDB calls run. */
const aMoment = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('EventIntake (group commit)', () => {
  it('writes the submissions that arrive during a batch together in the next one, answering each with its own rows', async () => {
    const { intake, release, rowsPerIngest } = gatedIntake();
    const first = intake.submit([visit('A', 'e1')]);
    await aMoment();
    const second = intake.submit([visit('B', 'e2'), { ...visit('B', 'e-bad'), ts: 'not a date' }, visit('C', 'e1')]);
    const third = intake.submit([visit('D', 'e3'), visit('E', 'e2')]);
    release();
    const [one, two, three] = await Promise.all([first, second, third]);

    expect(rowsPerIngest).toEqual([1, 5]);
    expect(one).toMatchObject({ submissions_in_batch: 1, ingested: 1, duplicates: 0, rejected: 0 });
    expect(two.batch_id).toBe(three.batch_id);
    expect(two.batch_id).not.toBe(one.batch_id);
    // e1 was stored by the first batch; the bad date is named by its line in this submission.
    expect(two).toMatchObject({ submissions_in_batch: 2, ingested: 1, duplicates: 1, rejected: 1 });
    expect(two.rejects).toEqual([expect.objectContaining({ line: 1, field: 'ts' })]);
    // e2 went to the submission before it in the same batch: the first occurrence wins.
    expect(three).toMatchObject({ ingested: 1, duplicates: 1, rejected: 0, rejects: [] });
    const owner = await opened.store.one<{ customer_id: string }>(
      "SELECT p.customer_id FROM events e JOIN persons p USING (person_id) WHERE e.event_id = 'e2'",
    );
    expect(owner?.customer_id).toBe('B');
  });

  it('retries a failed batch one submission at a time, so only the submission that fails is refused', async () => {
    const { intake, release, rowsPerIngest } = gatedIntake({ fail: (row) => row.customer_id === 'BOOM' });
    const first = intake.submit([visit('A', 'f1')]);
    await aMoment();
    const good = intake.submit([visit('B', 'f2')]);
    const bad = intake.submit([visit('BOOM', 'f3')]);
    const after = intake.submit([visit('C', 'f4')]);
    release();
    await expect(bad).rejects.toThrow(/cannot be written/);
    expect(await good).toMatchObject({ ingested: 1, submissions_in_batch: 1 });
    expect(await after).toMatchObject({ ingested: 1 });
    expect(await first).toMatchObject({ ingested: 1 });
    // The first alone, the three together (failed), then each of them alone.
    expect(rowsPerIngest).toEqual([1, 3, 1, 1, 1]);
    const stored = await opened.store.all<{ event_id: string }>('SELECT event_id FROM events ORDER BY event_id');
    expect(stored.map((r) => r.event_id)).toEqual(['f1', 'f2', 'f4']);
  });

  it('does not retry a batch that was written when a later step fails: each submission gets the error, each event is stored once', async () => {
    const failingScorer = {
      invalidate: () => {
        throw new Error('rebuild failed');
      },
    } as unknown as CustomerScorer;
    const { intake, release, rowsPerIngest } = gatedIntake({ scorer: failingScorer });
    const first = intake.submit([visit('A', 'h1')]);
    await aMoment();
    const waiting = [intake.submit([visit('B', 'h2')]), intake.submit([visit('C', 'h3')])];
    release();
    for (const p of [first, ...waiting]) await expect(p).rejects.toThrow(/rebuild failed/);
    expect(rowsPerIngest).toEqual([1, 2]);
    const stored = await opened.store.all<{ event_id: string }>('SELECT event_id FROM events ORDER BY event_id');
    expect(stored.map((r) => r.event_id)).toEqual(['h1', 'h2', 'h3']);
  });

  it('puts no more rows in a batch than its limit, and takes a larger submission whole on its own', async () => {
    const { intake, release, rowsPerIngest } = gatedIntake({ maxRowsPerBatch: 3 });
    const waits = [intake.submit([visit('A', 'g1')])];
    await aMoment();
    waits.push(intake.submit([visit('B', 'g2'), visit('B', 'g3')]));
    waits.push(intake.submit([visit('C', 'g4')]));
    waits.push(intake.submit([visit('D', 'g5'), visit('D', 'g6')]));
    waits.push(intake.submit([visit('E', 'g7'), visit('E', 'g8'), visit('E', 'g9'), visit('E', 'g10')]));
    release();
    const results = await Promise.all(waits);
    expect(rowsPerIngest).toEqual([1, 3, 2, 4]);
    expect(results.map((r) => r.ingested)).toEqual([1, 2, 1, 2, 4]);
  });
});
