import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ActionCatalogError, contextWeight, loadActionCatalog, parseActionCatalog, placementMatches } from './catalog.js';
import { OCTALYSIS_DRIVES } from './vocab.js';
import { action, testPolicy } from './test-helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nba-catalog-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const defaultJson = () => JSON.parse(fs.readFileSync(new URL('../../config/actions.json', import.meta.url), 'utf8'));

function thrown(fn: () => unknown): ActionCatalogError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ActionCatalogError);
    return err as ActionCatalogError;
  }
  throw new Error('expected an ActionCatalogError');
}

describe('loadActionCatalog', () => {
  it('loads the default config/actions.json: every action documented, all eight drives covered', () => {
    const catalog = loadActionCatalog();
    expect(catalog.actions.length).toBeGreaterThanOrEqual(10);
    expect(new Set(catalog.actions.map((a) => a.octalysis_drive))).toEqual(new Set(OCTALYSIS_DRIVES));
    for (const a of catalog.actions) expect(a.note, a.id).toBeTruthy();
    expect(catalog.policy.control_group.share).toBe(0.05);
  });

  it('derives consent from the channel: outbound channels need their own consent, placements none, overrides kept', () => {
    const byId = new Map(loadActionCatalog().actions.map((a) => [a.id, a]));
    expect(byId.get('winback_offer')!.consent_required).toBe('email');
    expect(byId.get('referral_invite')!.consent_required).toBe('line');
    expect(byId.get('cross_sell_reco')!.consent_required).toBeNull();
    expect(byId.get('loyalty_badge')!.consent_required).toBeNull();
    expect(byId.get('churn_rescue_call')!.consent_required).toBe('sms'); // store channel, override
    expect(action({ id: 'svc', channel: 'email', consent_required: false }).consent_required).toBeNull();
  });

  it('names the bad field path, e.g. actions[2].cooldown_days, and the action', () => {
    const json = defaultJson();
    json.actions[2].cooldown_days = -3;
    const err = thrown(() => loadActionCatalog(write('neg.json', json)));
    expect(err.message).toContain('actions[2].cooldown_days');
    expect(err.message).toContain(`action "${json.actions[2].id}"`);
    expect(err.issues[0]!.path).toEqual(['actions', 2, 'cooldown_days']);
  });

  it('reports unknown keys, bad enums and nested paths', () => {
    const json = defaultJson();
    json.actions[0].cooldwn_days = 3;
    json.actions[1].channel = 'fax';
    json.actions[3].eligibility.value_tiers = ['platinum'];
    json.policy.frequency_caps[1].per_days = 0;
    const msg = thrown(() => parseActionCatalog(json)).message;
    expect(msg).toContain('actions[0]: unknown key(s): cooldwn_days');
    expect(msg).toContain('actions[1].channel');
    expect(msg).toContain('actions[3].eligibility.value_tiers[0]');
    expect(msg).toContain('policy.frequency_caps[1].per_days');
  });

  it('rejects duplicate ids, clv_share without clv basis, missing clv_share, and consent true on a consent-less channel', () => {
    const base = { description: 'x', channel: 'web', octalysis_drive: 'meaning', response_model: { type: 'fixed', base_rate: 0.1 }, business_value: 1, placements: ['*'] };
    const msg = thrown(() =>
      parseActionCatalog({
        actions: [
          { ...base, id: 'a' },
          { ...base, id: 'a' },
          { ...base, id: 'b', value_basis: 'clv_share' },
          { ...base, id: 'c', clv_share: 0.2 },
          { ...base, id: 'd', consent_required: true },
          { ...base, id: 'e', eligibility: { min_churn_probability: 0.8, max_churn_probability: 0.2 } },
        ],
      }),
    ).message;
    expect(msg).toContain('actions[1].id: duplicate action id "a"');
    expect(msg).toContain('actions[2].clv_share');
    expect(msg).toContain('actions[3].clv_share');
    expect(msg).toContain('actions[4].consent_required');
    expect(msg).toContain('actions[5].eligibility.min_churn_probability');
  });

  it('says so for a missing file and for bad JSON', () => {
    expect(thrown(() => loadActionCatalog(path.join(dir, 'nope.json'))).message).toMatch(/Cannot read action catalog/);
    expect(thrown(() => loadActionCatalog(write('bad.json', '{"actions": ['))).message).toMatch(/not valid JSON/);
  });
});

describe('placements and context weights', () => {
  it('matches placement, channel:placement, channel:* and *', () => {
    const ctx = { channel: 'web', placement: 'home_banner' };
    expect(placementMatches('home_banner', ctx)).toBe(true);
    expect(placementMatches('web:home_banner', ctx)).toBe(true);
    expect(placementMatches('web:*', ctx)).toBe(true);
    expect(placementMatches('*', ctx)).toBe(true);
    expect(placementMatches('app:home_banner', ctx)).toBe(false);
    expect(placementMatches('web:product_page', ctx)).toBe(false);
  });

  it('takes the most specific context weight, 1 when none matches', () => {
    const policy = testPolicy({
      context_weights: [
        { channel: '*', placement: '*', weight: 0.9 },
        { channel: '*', placement: 'outbound', weight: 0.8 },
        { channel: 'sms', placement: '*', weight: 0.7 },
        { channel: 'sms', placement: 'outbound', weight: 0.6 },
      ],
    });
    expect(contextWeight(policy, 'sms', 'outbound')).toBe(0.6);
    expect(contextWeight(policy, 'sms', 'other')).toBe(0.7);
    expect(contextWeight(policy, 'email', 'outbound')).toBe(0.8);
    expect(contextWeight(policy, 'email', 'other')).toBe(0.9);
    expect(contextWeight(testPolicy(), 'email', 'outbound')).toBe(1);
  });
});
