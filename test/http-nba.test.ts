import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/http/app.js';
import { isInControlGroup, parseActionCatalog, type ActionCatalogInput } from '../src/nba/index.js';
import { CONSENT_BIT } from '../src/serving/consents.js';
import { NbaService } from '../src/serving/next-best-action.js';
import type { CustomerScorer } from '../src/serving/scorer.js';
import type { OpenedStore } from '../src/store/open.js';
import { createRng } from '../src/ml/random.js';
import { ingestRows, loadGeneratedBase, tempDir, testApp, testKeys, testStore } from './helpers.js';

let opened: OpenedStore;
let dir: string;
let scorer: CustomerScorer;
const { keys, tokens } = testKeys({ nba: ['predict'], feedback: ['events:write'], reader: ['customers:read'] });

/** Email and SMS actions with fixed response rates; caps, cooldown and control share as the test needs. */
function catalog(over: { control?: number; caps?: NonNullable<ActionCatalogInput['policy']>['frequency_caps']; actions?: ActionCatalogInput['actions'] } = {}) {
  return parseActionCatalog({
    policy: {
      frequency_caps: over.caps ?? [{ channel: 'email', max: 2, per_days: 7 }],
      control_group: { share: over.control ?? 0, salt: 'test-salt' },
      learning: { mode: 'mean', prior_strength: 20, segment_by: 'lifecycle_segment' },
    },
    actions: over.actions ?? [
      action('mail_a', 'email', 0.3, { cooldown_days: 3 }),
      action('mail_b', 'email', 0.2),
      action('text_c', 'sms', 0.25),
    ],
  });
}

function action(id: string, channel: 'email' | 'sms', rate: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    description: id,
    channel,
    octalysis_drive: 'meaning' as const,
    response_model: { type: 'fixed' as const, base_rate: rate },
    business_value: 100,
    cost: 1,
    placements: ['*'],
    ...extra,
  };
}

/**
 * The service on the shared store; `at` sets its clock (the history it keeps and the outcome and
 * decision dates it accepts are measured from it): a time, or a function for a clock a test moves on.
 */
async function service(cat = catalog(), at?: string | (() => string)) {
  const clock = at === undefined ? undefined : typeof at === 'string' ? () => new Date(at) : () => new Date(at());
  const nba = await NbaService.open(opened.store, scorer, cat, { rng: createRng(7), ...(clock ? { clock } : {}) });
  const app = createApp({ store: opened.store, identity: opened.identity, keys, scorer, nba });
  const post = (path: string, body: unknown, token = tokens.nba) =>
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const decideFor = async (customer_id: string, now: string, context = { channel: 'email', placement: 'outbound' }) => {
    const res = await post('/v1/next-best-action', { customer_id, context, now });
    expect(res.status).toBe(200);
    return res.json();
  };
  const outcomes = async (list: unknown[]) => {
    const res = await post('/v1/outcomes', { outcomes: list }, tokens.feedback);
    expect(res.status).toBe(200);
    return res.json();
  };
  return { nba, app, post, decideFor, outcomes };
}

/** Customers of the base with (or without) the given consent bits, not yet used by another test. */
const used = new Set<string>();
function customerWith(bits: number, none = 0): string {
  const base = scorer.current!;
  for (let i = 0; i < base.frame.n; i++) {
    const id = base.frame.customerIds[i]!;
    if (used.has(id) || id.startsWith('anon-') || base.scores[i]!.lifecycle_segment === null) continue;
    if ((base.consents[i]! & bits) === bits && (base.consents[i]! & none) === 0) {
      used.add(id);
      return id;
    }
  }
  throw new Error('no such customer in the generated base');
}
const EMAIL_SMS = CONSENT_BIT.email | CONSENT_BIT.sms;

/** The person behind a customer of the scored base. */
const personOf = (cid: string) => scorer.current!.frame.personIds[scorer.current!.indexByCustomer.get(cid)!]!;

/** Shows mail_a and then mail_b to a customer on two days: the e-mail cap (2 per 7 days) is reached. */
async function showTwoMails(s: Pick<Awaited<ReturnType<typeof service>>, 'decideFor' | 'outcomes'>, customerId: string, days: [string, string]) {
  const first = await s.decideFor(customerId, days[0]);
  const second = await s.decideFor(customerId, days[1]);
  await s.outcomes([
    { decision_id: first.decision_id, action_id: 'mail_a', outcome: 'shown', ts: days[0] },
    { decision_id: second.decision_id, action_id: 'mail_b', outcome: 'shown', ts: days[1] },
  ]);
}

beforeAll(async () => {
  dir = tempDir();
  opened = await testStore();
  await loadGeneratedBase(opened, dir, { customers: 300, days: 240, seed: 23 });
  ({ scorer } = await testApp(opened, keys));
});
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('POST /v1/next-best-action', () => {
  it('ranks the eligible actions by priority with the reasons behind each number, and a decision id', async () => {
    const { decideFor } = await service();
    const id = customerWith(EMAIL_SMS);
    const body = await decideFor(id, '2025-03-01T12:00:00Z');
    expect(body.customer_id).toBe(id);
    expect(body.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.control_group).toBe(false);
    expect(body.actions.map((a: { action_id: string }) => a.action_id)).toEqual(['mail_a', 'text_c', 'mail_b']);
    const top = body.actions[0];
    expect(top.priority).toBeCloseTo(0.3 * 100 - 1, 9);
    expect(top.reasons.at(-1)).toMatch(/priority = 0.3 × 100 × 1 × 1 − 1 = 29/);
    expect(body.segment).toBe(scorer.current!.scores[scorer.current!.indexByCustomer.get(id)!]!.lifecycle_segment);
    expect(body.model_versions).toEqual({ purchase: null, churn: null, clv: null });
  });

  it('leaves out actions on a channel the customer has not consented to, saying so', async () => {
    const { decideFor } = await service();
    const id = customerWith(CONSENT_BIT.email, CONSENT_BIT.sms);
    const body = await decideFor(id, '2025-03-01T12:00:00Z');
    expect(body.actions.map((a: { action_id: string }) => a.action_id)).toEqual(['mail_a', 'mail_b']);
    const sms = body.excluded.find((e: { action_id: string }) => e.action_id === 'text_c');
    expect(sms.codes).toEqual(['consent']);
    expect(sms.reasons.join(' ')).toMatch(/sms/);
  });

  it('stops at the frequency cap counted from recorded contacts, and again after a restart', async () => {
    // A clock the test moves on, as days pass.
    let clock = '2025-03-03T12:00:00Z';
    const { decideFor, outcomes } = await service(catalog(), () => clock);
    const id = customerWith(EMAIL_SMS);
    await showTwoMails({ decideFor, outcomes }, id, ['2025-03-01T12:00:00Z', '2025-03-02T12:00:00Z']);
    const capped = await decideFor(id, '2025-03-03T12:00:00Z');
    expect(capped.actions.map((a: { action_id: string }) => a.action_id)).toEqual(['text_c']);
    for (const e of capped.excluded) expect(e.codes).toContain('frequency_cap');
    // The cap window (7 days) has passed for the first contact: e-mail is allowed again.
    clock = '2025-03-08T13:00:00Z';
    const later = await decideFor(id, clock);
    expect(later.actions.map((a: { action_id: string }) => a.action_id)).toContain('mail_a');
    // A new service on the same store reads the history back.
    const restarted = await service(catalog(), '2025-03-03T18:00:00Z');
    const again = await restarted.decideFor(id, '2025-03-03T18:00:00Z');
    expect(again.actions.map((a: { action_id: string }) => a.action_id)).toEqual(['text_c']);
  });

  it("counts a merged-away customer's contacts toward the survivor's cap, at once and after a restart", async () => {
    const clock = '2025-05-03T00:00:00Z';
    const { decideFor, outcomes, post } = await service(catalog(), clock);
    const [a, b] = [customerWith(EMAIL_SMS), customerWith(EMAIL_SMS)];
    const [survivor, absorbed] = personOf(a) < personOf(b) ? [a, b] : [b, a];
    const first = await decideFor(absorbed, '2025-05-01T12:00:00Z');
    await outcomes([{ decision_id: first.decision_id, action_id: 'mail_a', outcome: 'shown', ts: '2025-05-01T12:00:00Z' }]);
    // Decided before the merge, shown after it.
    const second = await decideFor(absorbed, '2025-05-02T12:00:00Z');
    const before = await decideFor(survivor, '2025-05-03T12:00:00Z');
    expect(before.actions.map((x: { action_id: string }) => x.action_id)).toContain('mail_a');
    const linked = await post(
      '/v1/events',
      {
        events: [
          // On the base's last day, so the store's latest day (which other tests rely on) stays put.
          { customer_id: survivor, member_id: 'cap-link', type: 'visit', ts: `${scorer.current!.asOf}T00:00:00Z`, event_id: 'cap-1' },
          { customer_id: absorbed, member_id: 'cap-link', type: 'visit', ts: `${scorer.current!.asOf}T00:00:01Z`, event_id: 'cap-2' },
        ],
      },
      tokens.feedback,
    );
    expect(await linked.json()).toMatchObject({ merges: 1 });
    await outcomes([{ decision_id: second.decision_id, action_id: 'mail_b', outcome: 'shown', ts: '2025-05-02T12:00:00Z' }]);
    const after = await decideFor(survivor, '2025-05-03T12:00:00Z');
    expect(after.actions.map((x: { action_id: string }) => x.action_id)).toEqual(['text_c']);
    const restarted = await service(catalog(), clock);
    const again = await restarted.decideFor(survivor, '2025-05-03T18:00:00Z');
    expect(again.actions.map((x: { action_id: string }) => x.action_id)).toEqual(['text_c']);
  });

  it('keeps an action out during its cooldown after it was shown', async () => {
    let clock = '2025-04-01T00:00:00Z';
    const { decideFor, outcomes } = await service(catalog({ caps: [] }), () => clock);
    const id = customerWith(EMAIL_SMS);
    const first = await decideFor(id, clock);
    await outcomes([{ decision_id: first.decision_id, action_id: 'mail_a', outcome: 'shown', ts: '2025-04-01T00:00:00Z' }]);
    clock = '2025-04-03T23:00:00Z';
    const during = await decideFor(id, clock);
    const excluded = during.excluded.find((e: { action_id: string }) => e.action_id === 'mail_a');
    expect(excluded.codes).toEqual(['cooldown']);
    expect(during.actions.map((a: { action_id: string }) => a.action_id)).toEqual(['text_c', 'mail_b']);
    clock = '2025-04-04T01:00:00Z';
    const after = await decideFor(id, clock);
    expect(after.actions.map((a: { action_id: string }) => a.action_id)).toContain('mail_a');
  });

  it('holds out the control group deterministically and lists what it would have got', async () => {
    const cat = catalog({ control: 0.5 });
    const { decideFor } = await service(cat);
    const base = scorer.current!;
    const ids = base.frame.customerIds.filter((id) => !used.has(id) && !id.startsWith('anon-')).slice(0, 40);
    for (const id of ids) {
      const body = await decideFor(id, '2025-03-01T12:00:00Z');
      expect(body.control_group).toBe(isInControlGroup(id, cat.policy.control_group));
      if (body.control_group) {
        expect(body.actions).toEqual([]);
        expect(body.explanation).toMatch(/control group/);
      } else expect(body.withheld).toEqual([]);
    }
    const inControl = ids.filter((id) => isInControlGroup(id, cat.policy.control_group)).length;
    expect(inControl).toBeGreaterThan(5);
    expect(inControl).toBeLessThan(35);
  });

  it('learns from outcomes: an action that converts overtakes one that does not', async () => {
    const cat = catalog({ caps: [], actions: [action('learn_a', 'email', 0.3), action('learn_b', 'email', 0.2)] });
    const { decideFor, outcomes } = await service(cat);
    const id = customerWith(CONSENT_BIT.email);
    const before = await decideFor(id, '2025-05-01T00:00:00Z');
    expect(before.actions.map((a: { action_id: string }) => a.action_id)).toEqual(['learn_a', 'learn_b']);
    const feedback: unknown[] = [];
    for (let k = 0; k < 40; k++) {
      const d = await decideFor(id, '2025-05-01T00:00:00Z');
      feedback.push({ decision_id: d.decision_id, action_id: 'learn_a', outcome: 'shown', ts: '2025-05-01T00:00:00Z' });
      feedback.push({ decision_id: d.decision_id, action_id: 'learn_b', outcome: 'shown', ts: '2025-05-01T00:00:00Z' });
      if (k % 4 !== 0) feedback.push({ decision_id: d.decision_id, action_id: 'learn_b', outcome: 'converted', value: 50, ts: '2025-05-02T00:00:00Z' });
    }
    const summary = await outcomes(feedback);
    expect(summary).toMatchObject({ received: 110, recorded: 110, duplicates: 0, rejected: 0 });
    const after = await decideFor(id, '2025-05-03T00:00:00Z');
    expect(after.actions.map((a: { action_id: string }) => a.action_id)).toEqual(['learn_b', 'learn_a']);
    // Posterior means with prior strength 20 centred on the model rate: (20·m + converted) / (20 + shown).
    const pA = after.actions.find((a: { action_id: string }) => a.action_id === 'learn_a').p_response;
    const pB = after.actions.find((a: { action_id: string }) => a.action_id === 'learn_b').p_response;
    expect(pA).toBeCloseTo((20 * 0.3 + 0) / (20 + 40), 6);
    expect(pB).toBeCloseTo((20 * 0.2 + 30) / (20 + 40), 6);
  });

  it('keeps a person in the group first drawn for them when the id they are listed under changes, across a restart, until the share changes', async () => {
    const cat = catalog({ control: 0.5 });
    const { nba, decideFor, post } = await service(cat);
    const ts = `${scorer.current!.asOf}T08:00:00Z`;
    // Known only by e-mail: listed, and drawn, as anon-<person id>.
    expect((await (await post('/v1/events', { events: [{ email: 'sticky@example.org', type: 'visit', ts, event_id: 'sticky-1' }] }, tokens.feedback)).json()).ingested).toBe(1);
    const person = (await opened.store.one<{ person_id: number }>("SELECT person_id FROM events WHERE event_id = 'sticky-1'"))!.person_id;
    const first = await decideFor(`anon-${person}`, '2025-03-01T12:00:00Z');
    // They give a customer id whose own draw is the other group.
    const customerId = Array.from({ length: 100 }, (_, k) => `STICKY-${k}`).find((id) => isInControlGroup(id, cat.policy.control_group) !== first.control_group)!;
    await post('/v1/events', { events: [{ email: 'sticky@example.org', customer_id: customerId, type: 'visit', ts, event_id: 'sticky-2' }] }, tokens.feedback);
    const later = await decideFor(customerId, '2025-03-02T12:00:00Z');
    expect(later.customer_id).toBe(customerId);
    expect(later.control_group).toBe(first.control_group);
    if (later.control_group) expect(later.explanation).toMatch(/as drawn at their first decision/);
    // The first draw is read back from the decision log after a restart.
    await nba.flush();
    expect((await (await service(cat)).decideFor(customerId, '2025-03-03T12:00:00Z')).control_group).toBe(first.control_group);
    // A new share is a new experiment: drawn afresh (share 0: nobody is held out).
    expect((await (await service(catalog({ control: 0 }))).decideFor(customerId, '2025-03-04T12:00:00Z')).control_group).toBe(false);
  });

  it('decides on fresh scores after the customer’s events arrive through the API', async () => {
    const { decideFor, app } = await service();
    const base = scorer.current!;
    const i = base.scores.findIndex((sc, k) => sc.lifecycle_segment === 'sleeping' && !used.has(base.frame.customerIds[k]!));
    const id = base.frame.customerIds[i]!;
    used.add(id);
    expect((await decideFor(id, '2025-03-01T12:00:00Z')).segment).toBe('sleeping');
    const res = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.feedback}` },
      body: JSON.stringify({ events: [{ customer_id: id, type: 'purchase', amount: 80, ts: `${base.asOf}T09:00:00Z`, event_id: `fresh-${id}` }] }),
    });
    expect((await res.json()).ingested).toBe(1);
    expect((await decideFor(id, '2025-03-01T12:00:00Z')).segment).not.toBe('sleeping');
  });

  it('answers 404 for an unknown customer and 400 naming the field for a bad context', async () => {
    const { post } = await service();
    const unknown = await post('/v1/next-best-action', { customer_id: 'NOPE', context: { channel: 'email', placement: 'outbound' } });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('not_found');
    const bad = await post('/v1/next-best-action', { customer_id: 'x', context: { channel: 'fax', placement: 'outbound' }, extra: 1 });
    expect(bad.status).toBe(400);
    const paths = (await bad.json()).error.issues.map((i: { path: unknown[] }) => i.path.join('.'));
    expect(paths).toContain('context.channel');
    expect(paths).toContain('extra');
    const badNow = await post('/v1/next-best-action', { customer_id: 'x', context: { channel: 'email', placement: 'outbound' }, now: '2025-13-45' });
    expect((await badNow.json()).error.issues[0].path).toEqual(['now']);
  });

  it('needs the predict scope', async () => {
    const { post } = await service();
    const body = { customer_id: 'x', context: { channel: 'email', placement: 'outbound' } };
    expect((await post('/v1/next-best-action', body, 'pk_wrong_token')).status).toBe(401);
    expect((await post('/v1/next-best-action', body, tokens.reader)).status).toBe(403);
  });
});

describe('POST /v1/outcomes', () => {
  it('records the valid outcomes, names each rejected one by index and field, and counts repeats as duplicates', async () => {
    const { decideFor, outcomes } = await service();
    const id = customerWith(EMAIL_SMS);
    const d = await decideFor(id, '2025-06-01T00:00:00Z');
    const result = await outcomes([
      { decision_id: d.decision_id, action_id: 'mail_a', outcome: 'shown', ts: '2025-06-01T00:00:00Z' },
      { decision_id: 'no-such-decision', action_id: 'mail_a', outcome: 'shown' },
      { decision_id: d.decision_id, action_id: 'not_offered', outcome: 'shown' },
      { decision_id: d.decision_id, action_id: 'mail_a', outcome: 'shown', value: 5 },
      { decision_id: d.decision_id, action_id: 'mail_a', outcome: 'converted', value: 120, ts: 'yesterday' },
      { decision_id: d.decision_id, action_id: 'mail_a', outcome: 'converted', value: 120, ts: '2025-06-02T00:00:00Z' },
      { decision_id: d.decision_id, action_id: 'mail_a', outcome: 'shown', ts: '2025-06-01T00:00:00Z' },
    ]);
    expect(result).toMatchObject({ received: 7, recorded: 2, duplicates: 1, rejected: 4 });
    const paths = result.issues.map((i: { path: unknown[] }) => i.path.join('.'));
    expect(paths).toEqual(['outcomes.1.decision_id', 'outcomes.2.action_id', 'outcomes.3.value', 'outcomes.4.ts']);
    const rows = await opened.store.all<{ outcome: string; value: number | null; grp: string }>(
      'SELECT outcome, value, grp FROM nba_outcomes WHERE decision_id = ? ORDER BY outcome',
      [d.decision_id],
    );
    expect(rows).toEqual([
      { outcome: 'converted', value: 120, grp: 'treatment' },
      { outcome: 'shown', value: null, grp: 'treatment' },
    ]);
  });

  it('rejects an outcome dated after now + 24 h, naming outcomes[i].ts, while the valid ones of the request land', async () => {
    const now = '2025-06-10T12:00:00Z';
    const { decideFor, outcomes } = await service(catalog(), now);
    const id = customerWith(EMAIL_SMS);
    const d = await decideFor(id, now);
    const result = await outcomes([
      { decision_id: d.decision_id, action_id: 'mail_a', outcome: 'shown', ts: '2099-06-01T00:00:00Z' },
      { decision_id: d.decision_id, action_id: 'mail_b', outcome: 'shown', ts: '2025-06-11T11:59:00Z' }, // 23 h 59 min ahead: a clock without zone
      { decision_id: d.decision_id, action_id: 'text_c', outcome: 'shown', ts: '2025-06-11T12:01:00Z' }, // 24 h 1 min ahead
    ]);
    expect(result).toMatchObject({ received: 3, recorded: 1, rejected: 2 });
    expect(result.issues.map((i: { path: unknown[] }) => i.path)).toEqual([
      ['outcomes', 0, 'ts'],
      ['outcomes', 2, 'ts'],
    ]);
    expect(result.issues[0].message).toMatch(/in the future .*\+ 24 h/);
    const rows = await opened.store.all<{ action_id: string }>('SELECT action_id FROM nba_outcomes WHERE decision_id = ?', [d.decision_id]);
    expect(rows).toEqual([{ action_id: 'mail_b' }]);
  });

  it('refuses a decision dated more than 24 h ahead (400 naming now), and dates an outcome sent without ts no earlier than its decision', async () => {
    const clock = '2025-07-10T12:00:00Z';
    const { post, decideFor, outcomes } = await service(catalog(), clock);
    const id = customerWith(EMAIL_SMS);
    const ahead = await post('/v1/next-best-action', { customer_id: id, context: { channel: 'email', placement: 'outbound' }, now: '2025-07-11T12:01:00Z' });
    expect(ahead.status).toBe(400);
    expect((await ahead.json()).error.issues).toEqual([{ path: ['now'], message: 'more than 24 h after the server time' }]);
    const d = await decideFor(id, '2025-07-10T14:00:00Z'); // two hours ahead of the clock: allowed
    const result = await outcomes([{ decision_id: d.decision_id, action_id: d.actions[0].action_id, outcome: 'shown' }]);
    expect(result).toMatchObject({ recorded: 1, rejected: 0 });
    const [row] = await opened.store.all<{ ts: string }>("SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S') AS ts FROM nba_outcomes WHERE decision_id = ?", [d.decision_id]);
    expect(row!.ts).toBe('2025-07-10T14:00:00');
  });

  it('rejects an outcome dated more than 5 minutes before its decision, naming outcomes[i].ts', async () => {
    const { decideFor, outcomes } = await service(catalog({ caps: [] }), '2025-06-20T00:00:00Z');
    const id = customerWith(EMAIL_SMS);
    const d = await decideFor(id, '2025-06-15T12:00:00Z');
    const result = await outcomes([
      { decision_id: d.decision_id, action_id: 'mail_a', outcome: 'shown', ts: '2001-01-01' },
      { decision_id: d.decision_id, action_id: 'mail_b', outcome: 'shown', ts: '2025-06-15T11:56:00Z' }, // 4 min early: clock skew
      { decision_id: d.decision_id, action_id: 'text_c', outcome: 'shown', ts: '2025-06-15T11:54:00Z' }, // 6 min early
    ]);
    expect(result).toMatchObject({ received: 3, recorded: 1, rejected: 2 });
    expect(result.issues.map((i: { path: unknown[] }) => i.path)).toEqual([
      ['outcomes', 0, 'ts'],
      ['outcomes', 2, 'ts'],
    ]);
    expect(result.issues[0].message).toMatch(/before its decision \(decided at 2025-06-15T12:00:00.000Z/);
    // The rejected contact did not start mail_a's cooldown.
    const next = await decideFor(id, '2025-06-16T12:00:00Z');
    expect(next.actions.map((a: { action_id: string }) => a.action_id)).toContain('mail_a');
  });

  it('keeps a contact a week old when a later outcome dated ahead (within 24 h) is recorded for the same customer', async () => {
    // History is trimmed back from the clock, not from the customer's newest contact (which may lie ahead of it).
    const now = '2025-07-20T00:00:00Z';
    const { decideFor, outcomes } = await service(catalog(), now);
    const id = customerWith(EMAIL_SMS);
    const old = await decideFor(id, '2025-07-13T12:00:00Z'); // 6.5 days before now
    const recent = await decideFor(id, now);
    await outcomes([
      { decision_id: old.decision_id, action_id: 'mail_a', outcome: 'shown', ts: '2025-07-13T12:00:00Z' },
      { decision_id: recent.decision_id, action_id: 'mail_b', outcome: 'shown', ts: now },
    ]);
    const ahead = await decideFor(id, now, { channel: 'sms', placement: 'outbound' });
    await outcomes([{ decision_id: ahead.decision_id, action_id: 'text_c', outcome: 'shown', ts: '2025-07-20T23:00:00Z' }]);
    // Two e-mails in the last 7 days (2025-07-13 and 2025-07-20): the cap of 2 holds.
    const capped = await decideFor(id, '2025-07-20T01:00:00Z');
    expect(capped.actions.map((a: { action_id: string }) => a.action_id)).toEqual(['text_c']);
    expect(capped.excluded.find((e: { action_id: string }) => e.action_id === 'mail_b').codes).toEqual(['frequency_cap']);
  });

  it('keeps every contact history across a restart when the store holds an outcome dated years ahead', async () => {
    const now = '2025-08-03T12:00:00Z';
    const s = await service(catalog(), now);
    const [id, stray] = [customerWith(EMAIL_SMS), customerWith(EMAIL_SMS)];
    await showTwoMails(s, id, ['2025-08-01T12:00:00Z', '2025-08-02T12:00:00Z']);
    // A row dated 2099, as the service accepted before outcome dates were bounded.
    const straying = await s.decideFor(stray, now);
    await s.outcomes([{ decision_id: straying.decision_id, action_id: 'mail_a', outcome: 'shown', ts: now }]);
    await opened.store.run("UPDATE nba_outcomes SET ts = TIMESTAMP '2099-06-01 00:00:00' WHERE decision_id = ?", [straying.decision_id]);
    try {
      const restarted = await service(catalog(), now);
      const again = await restarted.decideFor(id, '2025-08-03T18:00:00Z');
      expect(again.actions.map((a: { action_id: string }) => a.action_id)).toEqual(['text_c']);
    } finally {
      await opened.store.run('DELETE FROM nba_outcomes WHERE decision_id = ?', [straying.decision_id]);
    }
  });

  it('answers 400 for a body that is not a list of outcomes, and 403 without events:write', async () => {
    const { post } = await service();
    expect((await post('/v1/outcomes', { outcomes: [] }, tokens.feedback)).status).toBe(400);
    expect((await post('/v1/outcomes', { outcomes: 'x' }, tokens.feedback)).status).toBe(400);
    expect((await post('/v1/outcomes', { outcomes: [{}] }, tokens.nba)).status).toBe(403);
  });
});

describe('GET /v1/experiments', () => {
  it('compares conversion in treatment and control for each action with a confidence interval', async () => {
    const cat = catalog({ control: 0.5, caps: [], actions: [action('exp_x', 'email', 0.3)] });
    const { decideFor, outcomes, app } = await service(cat);
    const base = scorer.current!;
    const ids = base.frame.customerIds.filter((cid, i) => !used.has(cid) && (base.consents[i]! & CONSENT_BIT.email) !== 0).slice(0, 40);
    const feedback: unknown[] = [];
    const tally = { treatment: { n: 0, conv: 0, value: 0 }, control: { n: 0, conv: 0, value: 0 } };
    for (const [k, cid] of ids.entries()) {
      const d = await decideFor(cid, '2025-07-01T00:00:00Z');
      const group = d.control_group ? 'control' : 'treatment';
      feedback.push({ decision_id: d.decision_id, action_id: 'exp_x', outcome: 'shown', ts: '2025-07-01T00:00:00Z' });
      tally[group].n++;
      // Treatment converts more often than control: every second vs every fourth customer.
      if (k % (group === 'treatment' ? 2 : 4) === 0) {
        feedback.push({ decision_id: d.decision_id, action_id: 'exp_x', outcome: 'converted', value: 10 + k, ts: '2025-07-02T00:00:00Z' });
        tally[group].conv++;
        tally[group].value += 10 + k;
      }
    }
    await outcomes(feedback);
    const res = await app.request('/v1/experiments', { headers: { authorization: `Bearer ${tokens.nba}` } });
    expect(res.status).toBe(200);
    const report = await res.json();
    const x = report.actions.find((a: { action_id: string }) => a.action_id === 'exp_x');
    expect(x.treatment.n).toBe(tally.treatment.n);
    expect(x.control.n).toBe(tally.control.n);
    expect(x.treatment.conversions).toBe(tally.treatment.conv);
    expect(x.control.conversions).toBe(tally.control.conv);
    expect(x.treatment.revenue).toBe(tally.treatment.value);
    expect(x.uplift).toBeCloseTo(tally.treatment.conv / tally.treatment.n - tally.control.conv / tally.control.n, 12);
    expect(x.uplift_ci95.lower).toBeLessThan(x.uplift);
    expect(x.uplift_ci95.upper).toBeGreaterThan(x.uplift);
  });

  it('with ?since, counts a unit by when it was first shown, with all its outcomes: one shown before and converted after is left out like its peers', async () => {
    const cat = catalog({ control: 0, caps: [], actions: [action('since_w', 'email', 0.3)] });
    const { decideFor, outcomes, app } = await service(cat);
    const base = scorer.current!;
    const ids = base.frame.customerIds.filter((cid, i) => !used.has(cid) && !cid.startsWith('anon-') && (base.consents[i]! & CONSENT_BIT.email) !== 0).slice(0, 4);
    for (const cid of ids) used.add(cid);
    // [first shown, converted at]: two units before `since` (one converts after it), two after (one converts).
    const plan: [string, string | null][] = [
      ['2025-11-01T00:00:00Z', '2025-11-10T00:00:00Z'],
      ['2025-11-01T00:00:00Z', null],
      ['2025-11-08T00:00:00Z', null],
      ['2025-11-08T00:00:00Z', '2025-11-09T00:00:00Z'],
    ];
    for (const [k, [shown, converted]] of plan.entries()) {
      const d = await decideFor(ids[k]!, shown);
      await outcomes([
        { decision_id: d.decision_id, action_id: 'since_w', outcome: 'shown', ts: shown },
        ...(converted ? [{ decision_id: d.decision_id, action_id: 'since_w', outcome: 'converted', value: 10, ts: converted }] : []),
      ]);
    }
    const report = await (await app.request('/v1/experiments?since=2025-11-05T00:00:00Z', { headers: { authorization: `Bearer ${tokens.nba}` } })).json();
    const w = report.actions.find((a: { action_id: string }) => a.action_id === 'since_w');
    expect(w.treatment).toMatchObject({ n: 2, conversions: 1, revenue: 10 });
    const all = await (await app.request('/v1/experiments', { headers: { authorization: `Bearer ${tokens.nba}` } })).json();
    expect(all.actions.find((a: { action_id: string }) => a.action_id === 'since_w').treatment).toMatchObject({ n: 4, conversions: 2, revenue: 20 });
  });

  it('records purchases that follow a shown action within the attribution window as its conversion, in both groups', async () => {
    const cat = catalog({ control: 0.5, caps: [], actions: [action('attr_y', 'email', 0.3)] });
    const { decideFor, outcomes, post, app } = await service(cat);
    const base = scorer.current!;
    const ids = base.frame.customerIds.filter((cid, i) => !used.has(cid) && !cid.startsWith('anon-') && (base.consents[i]! & CONSENT_BIT.email) !== 0);
    const treated = ids.filter((cid) => !isInControlGroup(cid, cat.policy.control_group)).slice(0, 3);
    const [held] = ids.filter((cid) => isInControlGroup(cid, cat.policy.control_group));
    const shownAt = '2025-09-01T00:00:00Z';
    for (const cid of [...treated, held!]) {
      used.add(cid);
      const d = await decideFor(cid, shownAt);
      await outcomes([{ decision_id: d.decision_id, action_id: 'attr_y', outcome: 'shown', ts: shownAt }]);
    }
    const buy = (cid: string, ts: string, amount: number, event_id: string) => ({ customer_id: cid, type: 'purchase', ts, amount, event_id });
    const sent = await post(
      '/v1/events',
      {
        events: [
          buy(treated[0]!, '2025-09-03T10:00:00Z', 50, 'attr-1'), // two days after: converts
          buy(treated[1]!, '2025-09-12T10:00:00Z', 60, 'attr-2'), // eleven days after: outside the 7-day window
          buy(treated[2]!, '2025-08-31T10:00:00Z', 70, 'attr-3'), // before it was shown
          buy(held!, '2025-09-02T10:00:00Z', 40, 'attr-4'), // control: bought anyway
        ],
      },
      tokens.feedback,
    );
    expect(sent.status).toBe(200);
    expect((await sent.json()).conversions_attributed).toBe(2);
    // A second purchase does not convert the same unit again.
    const again = await (await post('/v1/events', { events: [buy(treated[0]!, '2025-09-04T10:00:00Z', 5, 'attr-5')] }, tokens.feedback)).json();
    expect(again).toMatchObject({ ingested: 1, conversions_attributed: 0 });
    const report = await (await app.request('/v1/experiments', { headers: { authorization: `Bearer ${tokens.nba}` } })).json();
    const y = report.actions.find((a: { action_id: string }) => a.action_id === 'attr_y');
    expect(y.treatment).toMatchObject({ n: 3, conversions: 1, revenue: 50 });
    expect(y.control).toMatchObject({ n: 1, conversions: 1, revenue: 40 });
  });

  it('attributes at the next start, once, the purchases loaded by the CLI and those of an API batch whose attribution failed, skipping those the API attributed', async () => {
    const cat = catalog({ control: 0, caps: [], actions: [action('offline_z', 'email', 0.3)] });
    // Batches loaded before this test (the generated base) are looked at first, so they play no part below.
    await (await service(cat)).nba.attributePendingBatches();
    const { nba, decideFor, outcomes, post } = await service(cat);
    const base = scorer.current!;
    const withEmail = base.frame.customerIds.filter((cid, i) => !used.has(cid) && !cid.startsWith('anon-') && (base.consents[i]! & CONSENT_BIT.email) !== 0);
    const [t1, t2, t3, x, y, t4] = withEmail;
    for (const cid of withEmail.slice(0, 6)) used.add(cid);
    // x and y are about to be merged: the older person (smaller id) survives and carries the purchases.
    const [survivor, absorbed] = personOf(x!) < personOf(y!) ? [x!, y!] : [y!, x!];
    const show = async (cid: string, at: string) => {
      const d = await decideFor(cid, at);
      await outcomes([{ decision_id: d.decision_id, action_id: 'offline_z', outcome: 'shown', ts: at }]);
    };
    for (const cid of [t1!, t2!, absorbed, t4!]) await show(cid, '2025-10-01T00:00:00Z');
    await show(t3!, '2025-10-01T00:00:00Z');
    await show(t3!, '2025-10-02T00:00:00Z');
    const buy = (cid: string, ts: string, amount: number, event_id: string) => ({ customer_id: cid, type: 'purchase', ts, amount: String(amount), event_id });
    // Through the API: converts t3's later unit at once (last touch), and only that one.
    const sent = await (await post('/v1/events', { events: [{ ...buy(t3!, '2025-10-03T09:00:00Z', 20, 'off-0'), amount: 20 }] }, tokens.feedback)).json();
    expect(sent.conversions_attributed).toBe(1);
    // An API batch is written, then its attribution fails: the client hears of it, the purchase stays.
    vi.spyOn(nba, 'attributePurchases').mockRejectedValueOnce(new Error('attribution failed'));
    const failed = await post('/v1/events', { events: [{ ...buy(t4!, '2025-10-02T12:00:00Z', 15, 'off-6'), amount: 15 }] }, tokens.feedback);
    expect(failed.status).toBe(500);
    // The service stops (writing its last decisions); the CLI loads a file.
    await nba.flush();
    await ingestRows(
      opened,
      [
        { customer_id: survivor, member_id: 'off-link', type: 'visit', ts: '2025-09-20T00:00:00Z', event_id: 'off-1' },
        { customer_id: absorbed, member_id: 'off-link', type: 'visit', ts: '2025-09-21T00:00:00Z', event_id: 'off-2' }, // merges the two
        buy(t1!, '2025-10-03T10:00:00Z', 50, 'off-3'), // two days after: converts
        buy(t2!, '2025-10-12T10:00:00Z', 60, 'off-4'), // eleven days after: outside the 7-day window
        buy(survivor, '2025-10-02T10:00:00Z', 30, 'off-5'), // converts the unit shown to the person merged into the buyer
      ],
      { origin: 'cli' },
    );
    const restarted = (await service(cat)).nba;
    expect(await restarted.attributePendingBatches()).toEqual({ batches: 2, purchases: 3, attributed: 3 });
    // Started again: nothing new to look at, and nothing converts twice.
    const again = await service(cat);
    expect(await again.nba.attributePendingBatches()).toEqual({ batches: 0, purchases: 0, attributed: 0 });
    const report = await (await again.app.request('/v1/experiments', { headers: { authorization: `Bearer ${tokens.nba}` } })).json();
    const z = report.actions.find((a: { action_id: string }) => a.action_id === 'offline_z');
    // Customers, not showings: t3 was shown the action twice and counts once (converted once).
    expect(z.treatment).toMatchObject({ n: 5, conversions: 4, revenue: 115 });
  });
});
