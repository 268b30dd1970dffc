import { describe, expect, it } from 'vitest';
import { attributePurchases, type ShownUnit } from './attribution.js';

const DAY = 86_400_000;
const unit = (decision_id: string, shownDay: number, extra: Partial<ShownUnit> = {}): ShownUnit => ({
  decision_id,
  action_id: `a-${decision_id}`,
  person_id: 1,
  shown_at: shownDay * DAY,
  converted: false,
  ...extra,
});
const purchase = (day: number, person_id = 1) => ({ person_id, ts: day * DAY, amount: 10 });

describe('last-touch attribution', () => {
  it('gives a purchase to the unit shown last before it, within the window', () => {
    const units = [unit('d1', 1), unit('d2', 3), unit('d3', 9)];
    expect(attributePurchases([purchase(5)], units, 7)).toEqual([{ purchase: 0, decision_id: 'd2', action_id: 'a-d2' }]);
  });

  it('attributes nothing shown after the purchase, outside the window, already converted, or of another customer', () => {
    const units = [unit('late', 6), unit('old', 1), unit('done', 4, { converted: true }), unit('other', 4, { person_id: 2 })];
    expect(attributePurchases([purchase(5)], units, 3)).toEqual([]);
    // The window's edge is inside.
    expect(attributePurchases([purchase(4)], [unit('edge', 1)], 3)).toHaveLength(1);
    // A purchase stamped to the second counts as after an action shown later within that second.
    const sameSecond = { person_id: 1, ts: 5 * DAY, amount: 1 };
    expect(attributePurchases([sameSecond], [unit('ms', 5, { shown_at: 5 * DAY + 400 })], 3)).toHaveLength(1);
    expect(attributePurchases([sameSecond], [unit('next-second', 5, { shown_at: 5 * DAY + 1000 })], 3)).toEqual([]);
  });

  it('converts a unit once: a second purchase goes to the next open unit, in time order', () => {
    const units = [unit('d1', 1), unit('d2', 2)];
    const got = attributePurchases([purchase(4), purchase(3)], units, 7);
    expect(got).toEqual([
      { purchase: 1, decision_id: 'd2', action_id: 'a-d2' },
      { purchase: 0, decision_id: 'd1', action_id: 'a-d1' },
    ]);
    expect(attributePurchases([purchase(3), purchase(4), purchase(5)], [unit('only', 1)], 7)).toHaveLength(1);
  });

  it('is off with a window of 0 days', () => {
    expect(attributePurchases([purchase(1)], [unit('d1', 1)], 0)).toEqual([]);
  });
});
