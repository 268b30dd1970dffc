import { describe, expect, it } from 'vitest';
import { createRng } from '../ml/random.js';
import { controlGroupDraw, isInControlGroup } from './control-group.js';
import { decide } from './decide.js';
import { action, input, testPolicy } from './test-helpers.js';

const group = { share: 0.05, salt: 'propel-nba-1' };

describe('control group', () => {
  it('is deterministic: the same id and salt always give the same draw, a new salt another', () => {
    expect(controlGroupDraw('c-123', 'salt')).toBe(controlGroupDraw('c-123', 'salt'));
    expect(controlGroupDraw('c-123', 'salt')).not.toBe(controlGroupDraw('c-123', 'other salt'));
    // pinned value, computed independently (Python: int.from_bytes(sha256(b"salt:c-123")[:6], "big") / 2**48):
    // groups must not move between releases or processes
    expect(controlGroupDraw('c-123', 'salt')).toBe(0.7952993757999955);
  });

  it('holds out about 5% of 100k ids (within 4 binomial standard deviations)', () => {
    const n = 100_000;
    let inGroup = 0;
    for (let i = 0; i < n; i++) if (isInControlGroup(`customer-${i}`, group)) inGroup++;
    const sd = Math.sqrt(n * 0.05 * 0.95); // ≈ 69
    expect(Math.abs(inGroup - n * 0.05)).toBeLessThan(4 * sd);
  });

  it('draws are uniform: each tenth of [0, 1) gets about 10%', () => {
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) bins[Math.floor(controlGroupDraw(`id${i}`, 's') * 10)]!++;
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(4 * Math.sqrt(20_000 * 0.1 * 0.9));
  });

  it('share 0 holds out nobody', () => {
    for (let i = 0; i < 1000; i++) expect(isInControlGroup(`c${i}`, { share: 0, salt: 's' })).toBe(false);
  });

  it('a customer in the control group gets no action; what they would have got is withheld and the explanation says so', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `c${i}`);
    const held = ids.find((id) => isInControlGroup(id, group))!;
    const treated = ids.find((id) => !isInControlGroup(id, group))!;
    const policy = testPolicy({ control_group: group });
    const catalog = { actions: [action({ id: 'promo' })] };
    const d = decide(input({ customer_id: held }), catalog, policy, [], createRng(1));
    expect(d.control_group).toBe(true);
    expect(d.actions).toEqual([]);
    expect(d.withheld.map((w) => w.action_id)).toEqual(['promo']);
    expect(d.explanation).toMatch(/control group/);
    expect(d.explanation).toMatch(/promo/);
    const t = decide(input({ customer_id: treated }), catalog, policy, [], createRng(1));
    expect(t.control_group).toBe(false);
    expect(t.actions.map((a) => a.action_id)).toEqual(['promo']);
  });
});
