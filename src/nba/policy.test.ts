import { describe, expect, it } from 'vitest';
import { contactPolicyExclusions, prepareHistory, toMillis, type ContactRecord } from './policy.js';
import { action, testPolicy } from './test-helpers.js';
import { decide } from './decide.js';
import { input } from './test-helpers.js';
import { createRng } from '../ml/random.js';

const NOW = toMillis('2025-03-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW - d * 86_400_000).toISOString();
const caps = testPolicy({ frequency_caps: [{ channel: 'email', max: 2, per_days: 7 }] });
const email = action({ id: 'promo', channel: 'email' });
const all = { email: true, sms: true, line: true, push: true };
const check = (a = email, history: ContactRecord[] = [], consents: Record<string, boolean> = all, policy = caps) =>
  contactPolicyExclusions(a, consents, prepareHistory(history, NOW), policy);

describe('contact policy', () => {
  it('excludes an action whose channel cap is reached, with the reason', () => {
    const history: ContactRecord[] = [
      { action_id: 'other', channel: 'email', ts: daysAgo(1) },
      { action_id: 'another', channel: 'email', ts: daysAgo(6.9) },
    ];
    expect(check(email, history)).toEqual([{ code: 'frequency_cap', reason: 'email cap reached: 2 contacts in the last 7 days (max 2)' }]);
  });

  it('allows the contact below the cap, and does not count contacts outside the window, in the future or on other channels', () => {
    expect(check(email, [{ action_id: 'o', channel: 'email', ts: daysAgo(1) }])).toEqual([]);
    expect(
      check(email, [
        { action_id: 'o', channel: 'email', ts: daysAgo(1) },
        { action_id: 'o', channel: 'email', ts: daysAgo(7.01) },
        { action_id: 'o', channel: 'email', ts: daysAgo(-1) },
        { action_id: 'o', channel: 'sms', ts: daysAgo(1) },
      ]),
    ).toEqual([]);
  });

  it('checks every cap of a channel (weekly and monthly)', () => {
    const policy = testPolicy({ frequency_caps: [{ channel: 'email', max: 5, per_days: 7 }, { channel: 'email', max: 3, per_days: 30 }] });
    const history = [10, 15, 20].map((d) => ({ action_id: 'o', channel: 'email' as const, ts: daysAgo(d) }));
    expect(check(email, history, all, policy).map((e) => e.reason)).toEqual(['email cap reached: 3 contacts in the last 30 days (max 3)']);
  });

  it('excludes an action inside its own cooldown, and allows it once the cooldown is over', () => {
    const a = action({ id: 'winback', cooldown_days: 14 });
    const shown = (d: number): ContactRecord[] => [{ action_id: 'winback', channel: 'email', ts: daysAgo(d) }];
    expect(check(a, shown(3), all, testPolicy())).toEqual([{ code: 'cooldown', reason: 'in cooldown: last contact 3 days ago (cooldown 14 days)' }]);
    expect(check(a, shown(14), all, testPolicy())).toEqual([]);
    // another action's contact does not start this one's cooldown
    expect(check(a, [{ action_id: 'other', channel: 'email', ts: daysAgo(1) }], all, testPolicy())).toEqual([]);
  });

  it('excludes an action on a channel without consent; absent consent is no consent', () => {
    expect(check(action({ id: 'x', channel: 'line' }), [], { email: true })).toEqual([{ code: 'consent', reason: 'no line consent' }]);
    expect(check(action({ id: 'x', channel: 'sms' }), [], { sms: false })).toEqual([{ code: 'consent', reason: 'no sms consent' }]);
  });

  it('needs no consent for a web, app or store placement', () => {
    for (const channel of ['web', 'app', 'store'] as const) {
      expect(check(action({ id: 'x', channel }), [], {})).toEqual([]);
    }
  });

  it('uses the overridden consent of an action (a store call needing the phone consent)', () => {
    const call = action({ id: 'call', channel: 'store', consent_required: 'sms' });
    expect(check(call, [], { email: true })).toEqual([{ code: 'consent', reason: 'no sms consent (needed by this store action)' }]);
    expect(check(call, [], { sms: true })).toEqual([]);
  });

  it('reads a date-time without zone as UTC', () => {
    expect(toMillis('2025-03-01T12:00:00')).toBe(Date.UTC(2025, 2, 1, 12));
    expect(toMillis('2025-03-01 12:00')).toBe(Date.UTC(2025, 2, 1, 12));
    expect(toMillis('2025-03-01')).toBe(Date.UTC(2025, 2, 1));
    expect(toMillis('2025-03-01T12:00:00+08:00')).toBe(Date.UTC(2025, 2, 1, 4));
    expect(Number.isNaN(toMillis('yesterday'))).toBe(true);
  });

  it('in decide: capped, cooled-down and consent-less actions are excluded with their reasons', () => {
    const catalog = { actions: [email, action({ id: 'line_msg', channel: 'line' }), action({ id: 'banner', channel: 'web' })] };
    const d = decide(
      input({
        consents: { email: true },
        history: [
          { action_id: 'promo', channel: 'email', ts: daysAgo(1) },
          { action_id: 'x', channel: 'email', ts: daysAgo(2) },
        ],
      }),
      catalog,
      caps,
      [],
      createRng(1),
    );
    expect(d.actions.map((a) => a.action_id)).toEqual(['banner']);
    expect(d.excluded).toEqual([
      { action_id: 'line_msg', codes: ['consent'], reasons: ['no line consent'] },
      { action_id: 'promo', codes: ['frequency_cap'], reasons: ['email cap reached: 2 contacts in the last 7 days (max 2)'] },
    ]);
  });
});
