import { describe, expect, it } from 'vitest';
import { testStore } from '../../test/helpers.js';
import { DecisionLog, type LoggedDecision } from './decision-log.js';

const decision = (k: number): LoggedDecision => ({
  decision_id: `d-${k}`,
  person_id: k,
  customer_id: `C${k}`,
  channel: 'email',
  placement: 'outbound',
  control_group: k % 2 === 0,
  control_draw: 'salt-1@0.05',
  segment: 'core',
  offered: [{ action_id: 'a', channel: 'email', p_model: k % 2 === 0 ? null : 0.25, priority: 10 + k }],
  decided_at: new Date(Date.UTC(2025, 0, 1, 0, 0, k)),
});

describe('decision log', () => {
  it('writes decisions in batches and reads back ones no longer kept in memory from the store', async () => {
    const { store } = await testStore();
    const log = new DecisionLog(store, { recentLimit: 2, flushAtCount: 1000, flushEveryMs: 60_000 });
    for (let k = 1; k <= 5; k++) log.add(decision(k));
    expect(Number((await store.one<{ n: number }>('SELECT count(*) AS n FROM nba_decisions'))!.n)).toBe(0);
    // d-1 left memory (limit 2): the lookup flushes the waiting batch and reads it from the store.
    const found = await log.get(['d-1', 'd-5', 'd-missing']);
    expect(Number((await store.one<{ n: number }>('SELECT count(*) AS n FROM nba_decisions'))!.n)).toBe(5);
    expect(found.get('d-1')).toEqual(decision(1));
    expect(found.get('d-5')).toEqual(decision(5));
    expect(found.has('d-missing')).toBe(false);
    store.close();
  });

  it('flushes on its own once the batch size is reached', async () => {
    const { store } = await testStore();
    const log = new DecisionLog(store, { flushAtCount: 3, flushEveryMs: 60_000 });
    for (let k = 1; k <= 3; k++) log.add(decision(k));
    await log.flush(); // waits for the write the third add started
    expect(Number((await store.one<{ n: number }>('SELECT count(*) AS n FROM nba_decisions'))!.n)).toBe(3);
    store.close();
  });

  it('writes a batch wholly or not at all, and keeps a failed batch for the next flush', async () => {
    const { store } = await testStore();
    const log = new DecisionLog(store, { flushAtCount: 1000, flushEveryMs: 60_000 });
    log.add(decision(1));
    // A value the log cannot serialise, in a batch with a good decision.
    const broken = decision(2);
    broken.offered = [{ ...broken.offered[0]!, priority: 1n as unknown as number }];
    log.add(broken);
    await expect(log.flush()).rejects.toThrow(/BigInt/);
    expect(Number((await store.one<{ n: number }>('SELECT count(*) AS n FROM nba_decisions'))!.n)).toBe(0);
    broken.offered = decision(2).offered;
    await log.flush(); // the kept batch, now writable
    const rows = await store.all<{ decision_id: string }>('SELECT decision_id FROM nba_decisions ORDER BY decision_id');
    expect(rows.map((r) => r.decision_id)).toEqual(['d-1', 'd-2']);
    store.close();
  });

  it('writes a placement holding a lone surrogate as U+FFFD rather than failing the batch (and every batch after it)', async () => {
    const { store } = await testStore();
    const log = new DecisionLog(store, { flushAtCount: 1000, flushEveryMs: 60_000 });
    log.add({ ...decision(1), placement: 'home\ud800banner' });
    log.add({ ...decision(2), placement: 'x\udc00' });
    log.add(decision(3));
    await log.flush();
    const rows = await store.all<{ placement: string }>('SELECT placement FROM nba_decisions ORDER BY decision_id');
    expect(rows.map((r) => r.placement)).toEqual(['home\ufffdbanner', 'x\ufffd', 'outbound']);
    store.close();
  });
});
