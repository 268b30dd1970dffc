import { describe, expect, it } from 'vitest';
import { testStore } from '../../test/helpers.js';
import { ControlAssignments, controlDraw } from './control-assignments.js';

const DRAW = controlDraw({ salt: 's', share: 0.05 });

describe('ControlAssignments', () => {
  it('keeps the group of the earlier first decision when two people merge, the same in memory as when loaded from the log', async () => {
    const { store } = await testStore();
    const decide = (id: string, person: number, control: boolean, at: string, draw = DRAW) =>
      store.run(
        `INSERT INTO nba_decisions (decision_id, person_id, customer_id, channel, placement, control_group, control_draw, segment, offered, decided_at)
         VALUES (?, ?, 'c', 'email', 'outbound', ?, ?, 'core', '[]', ?::TIMESTAMP)`,
        [id, person, control, draw, at],
      );
    // Person 2 was first decided earlier (control) than person 1 (treatment); 2 then merges into 1.
    await decide('d1', 1, false, '2025-01-02 00:00:00');
    await decide('d2', 2, true, '2025-01-01 00:00:00');
    await decide('d3', 1, false, '2025-01-03 00:00:00');
    // Another salt or share is another experiment: not read.
    await decide('d4', 3, true, '2025-01-01 00:00:00', controlDraw({ salt: 's', share: 0.1 }));

    const inMemory = await ControlAssignments.load(store, DRAW);
    expect([inMemory.of(1), inMemory.of(2), inMemory.of(3)]).toEqual([false, true, undefined]);
    inMemory.merge([{ absorbed: 2, survivor: 1 }]);
    expect([inMemory.of(1), inMemory.of(2)]).toEqual([true, undefined]);

    await store.run('INSERT INTO persons VALUES (1, NULL, 1, NULL), (2, NULL, 1, 1)');
    expect((await ControlAssignments.load(store, DRAW)).of(1)).toBe(true);

    // A first draw stays: remembering again changes nothing; a survivor decided first keeps its own.
    inMemory.remember(1, false, new Date('2025-02-01T00:00:00Z'));
    expect(inMemory.of(1)).toBe(true);
    inMemory.remember(5, false, new Date('2024-12-01T00:00:00Z'));
    inMemory.remember(6, true, new Date('2025-03-01T00:00:00Z'));
    inMemory.merge([{ absorbed: 6, survivor: 5 }]);
    expect(inMemory.of(5)).toBe(false);
    store.close();
  });
});
