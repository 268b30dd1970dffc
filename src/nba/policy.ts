import type { Action, Policy } from './catalog.js';
import { DAY_MS, type Channel, type ConsentChannel } from './vocab.js';

/**
 * Contact policy from a customer's recorded contact history: an action is excluded when
 * - its channel needs consent the customer has not given;
 * - any frequency cap of its channel is reached: `max` contacts or more on that channel in the last
 *   `per_days` days, i.e. in the window (now − per_days, now] — one more contact would exceed it;
 * - it is inside its own cooldown: the last contact *of this action* is less than `cooldown_days` ago.
 * History entries after `now` are ignored (so a decision can be replayed as of a past moment).
 * Each exclusion carries a stable `code` and a human reason.
 */

/** A contact made earlier; `ts` is ISO 8601 (a date-time without zone is UTC, as in CONTRACT.md §1) or a Date. */
export interface ContactRecord {
  action_id: string;
  channel: Channel;
  ts: string | Date;
}

export type Consents = Partial<Record<ConsentChannel, boolean>>;

export type ExclusionCode = 'disabled' | 'placement' | 'eligibility' | 'consent' | 'frequency_cap' | 'cooldown' | 'priority';

export interface Exclusion {
  code: ExclusionCode;
  reason: string;
}

const NO_ZONE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/;

/** Milliseconds since the epoch; NaN when the value is not a valid date. A date-time without zone is read as UTC. */
export function toMillis(ts: string | Date | number): number {
  if (ts instanceof Date) return ts.getTime();
  if (typeof ts === 'number') return Number.isFinite(ts) ? ts : Number.NaN;
  const m = NO_ZONE.exec(ts.trim());
  return Date.parse(m ? `${m[1]}T${m[2]}Z` : ts.trim());
}

const days = (ms: number): string => {
  const d = ms / DAY_MS;
  return d < 1 ? `${Math.round(d * 24 * 10) / 10} hours` : `${Math.round(d * 10) / 10} days`;
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** History as [channel, action_id, ms] with future and unreadable entries dropped; shared by every action of one decision. */
export interface PreparedHistory {
  now: number;
  contacts: { action_id: string; channel: Channel; ms: number }[];
}

export function prepareHistory(history: readonly ContactRecord[], now: number): PreparedHistory {
  const contacts: PreparedHistory['contacts'] = [];
  for (const h of history) {
    const ms = toMillis(h.ts);
    if (Number.isFinite(ms) && ms <= now) contacts.push({ action_id: h.action_id, channel: h.channel, ms });
  }
  return { now, contacts };
}

export function consentExclusion(action: Pick<Action, 'channel' | 'consent_required'>, consents: Consents): Exclusion | null {
  const needed = action.consent_required;
  if (needed === null || consents[needed] === true) return null;
  const via = needed === action.channel ? '' : ` (needed by this ${action.channel} action)`;
  return { code: 'consent', reason: `no ${needed} consent${via}` };
}

export function frequencyCapExclusions(channel: Channel, policy: Pick<Policy, 'frequency_caps'>, history: PreparedHistory): Exclusion[] {
  const out: Exclusion[] = [];
  for (const cap of policy.frequency_caps) {
    if (cap.channel !== channel) continue;
    const since = history.now - cap.per_days * DAY_MS;
    let n = 0;
    for (const c of history.contacts) if (c.channel === channel && c.ms > since) n++;
    if (n >= cap.max) {
      out.push({
        code: 'frequency_cap',
        reason: `${channel} cap reached: ${plural(n, 'contact')} in the last ${plural(cap.per_days, 'day')} (max ${cap.max})`,
      });
    }
  }
  return out;
}

export function cooldownExclusion(action: Pick<Action, 'id' | 'cooldown_days'>, history: PreparedHistory): Exclusion | null {
  if (!(action.cooldown_days > 0)) return null;
  let last = -Infinity;
  for (const c of history.contacts) if (c.action_id === action.id && c.ms > last) last = c.ms;
  if (last === -Infinity) return null;
  const ago = history.now - last;
  if (ago >= action.cooldown_days * DAY_MS) return null;
  return {
    code: 'cooldown',
    reason: `in cooldown: last contact ${days(ago)} ago (cooldown ${plural(action.cooldown_days, 'day')})`,
  };
}

/** Every contact-policy exclusion of one action for one customer (empty: the policy allows it). */
export function contactPolicyExclusions(
  action: Pick<Action, 'id' | 'channel' | 'consent_required' | 'cooldown_days'>,
  consents: Consents,
  history: PreparedHistory,
  policy: Pick<Policy, 'frequency_caps'>,
): Exclusion[] {
  const out: Exclusion[] = [];
  const consent = consentExclusion(action, consents);
  if (consent) out.push(consent);
  out.push(...frequencyCapExclusions(action.channel, policy, history));
  const cooldown = cooldownExclusion(action, history);
  if (cooldown) out.push(cooldown);
  return out;
}
