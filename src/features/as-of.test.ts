import { describe, expect, it } from 'vitest';
import { Store } from '../store/database.js';
import { dataSpan } from '../ml/dataset/cutoffs.js';
import { latestEventDay } from './as-of.js';

describe('latestEventDay', () => {
  it('is the day of the latest event, but never after today: an event stamped in 2099 moves no one', async () => {
    const store = await Store.open(':memory:');
    const visit = (id: string, ts: string) =>
      store.run(`INSERT INTO events (event_id, person_id, type, ts, batch_id) VALUES (?, 1, 'visit', ?::TIMESTAMP, 1)`, [id, ts]);
    expect(await latestEventDay(store)).toBeUndefined();
    await visit('a', '2024-03-01 08:00:00');
    await visit('b', '2024-05-20 23:59:59');
    await visit('future', '2099-01-01 00:00:00');
    const now = new Date('2024-06-01T12:00:00Z');
    expect(await latestEventDay(store, now)).toBe('2024-05-20');
    // An event later today still counts (the as-of day is today).
    await visit('today', '2024-06-01 18:00:00');
    expect(await latestEventDay(store, now)).toBe('2024-06-01');
    expect(await latestEventDay(store, new Date('2100-01-01T00:00:00Z'))).toBe('2099-01-01');
    // Training plans its cutoffs over the same span.
    expect((await dataSpan(store))!.latestEventDay).toBe(await latestEventDay(store));
    store.close();
  });
});
