import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../ml/random.js';
import { ActionSchema, loadActionCatalog, PolicySchema, type Action } from './catalog.js';
import { isInControlGroup } from './control-group.js';
import { decide, type DecideInput } from './decide.js';
import { DecideInputSchema, DecisionSchema } from './schemas.js';
import { action, input, testPolicy } from './test-helpers.js';
import { CHANNELS, LIFECYCLE_SEGMENTS, POTENTIAL_TIERS, RFM_SEGMENTS, VALUE_TIERS } from './vocab.js';

const rng = () => createRng(42);
const ids = (d: ReturnType<typeof decide>) => d.actions.map((a) => a.action_id);
const run = (actions: Action[], over: Partial<DecideInput> = {}, policy = testPolicy()) => decide(input(over), { actions }, policy, [], rng());

describe('eligibility', () => {
  it('keeps actions whose segment, tier and RFM lists contain the customer, drops the others with the reason', () => {
    const d = run([
      action({ id: 'core_only', eligibility: { lifecycle_segments: ['core'] } }),
      action({ id: 'dozing_only', eligibility: { lifecycle_segments: ['dozing', 'half_asleep'] } }),
      action({ id: 'diamond_only', eligibility: { value_tiers: ['diamond'] } }),
      action({ id: 'high_potential', eligibility: { potential_tiers: ['super_user', 'high'] } }),
      action({ id: 'champions', eligibility: { rfm_segments: ['champions'] } }),
    ]);
    expect(ids(d)).toEqual(['core_only', 'high_potential']);
    expect(d.excluded).toEqual([
      { action_id: 'champions', codes: ['eligibility'], reasons: ['rfm_segment loyal not in champions'] },
      { action_id: 'diamond_only', codes: ['eligibility'], reasons: ['value_tier gold not in diamond'] },
      { action_id: 'dozing_only', codes: ['eligibility'], reasons: ['lifecycle_segment core not in dozing, half_asleep'] },
    ]);
  });

  it('applies tags_any (labelled tags included) and tags_none', () => {
    const actions = [
      action({ id: 'fans', eligibility: { tags_any: ['category_fan', 'referrer'] } }),
      action({ id: 'no_app', eligibility: { tags_none: ['app_heavy'] } }),
    ];
    expect(ids(run(actions, { tags: ['category_fan:Books'] }))).toEqual(['fans', 'no_app']);
    const d = run(actions, { tags: ['app_heavy'] });
    expect(ids(d)).toEqual([]);
    expect(d.excluded.map((e) => e.reasons[0])).toEqual(['has none of the tags category_fan, referrer', 'has excluded tag app_heavy']);
  });

  it('applies min/max probability, super-user and social thresholds', () => {
    const actions = [
      action({ id: 'likely_buyer', eligibility: { min_purchase_probability: 0.35 } }),
      action({ id: 'unlikely_buyer', eligibility: { max_purchase_probability: 0.35 } }),
      action({ id: 'at_risk', eligibility: { min_churn_probability: 0.5 } }),
      action({ id: 'safe', eligibility: { max_churn_probability: 0.5 } }),
      action({ id: 'su80', eligibility: { min_super_user_score: 80 } }),
      action({ id: 'social50', eligibility: { min_social_score: 50 } }),
    ];
    const d = run(actions); // purchase 0.4, churn 0.3, super-user 70, social 60
    expect(ids(d)).toEqual(['likely_buyer', 'safe', 'social50']);
    expect(Object.fromEntries(d.excluded.map((e) => [e.action_id, e.reasons]))).toEqual({
      at_risk: ['churn_probability 0.3 below min 0.5'],
      su80: ['super_user_score 70 below min 80'],
      unlikely_buyer: ['purchase_probability 0.4 above max 0.35'],
    });
  });

  it('offers an action only in the contexts its placements name', () => {
    const actions = [action({ id: 'banner', channel: 'web', placements: ['web:home_banner'] }), action({ id: 'anywhere', channel: 'web', placements: ['*'] })];
    const d = run(actions, { context: { channel: 'web', placement: 'product_page' } });
    expect(ids(d)).toEqual(['anywhere']);
    expect(d.excluded[0]).toEqual({ action_id: 'banner', codes: ['placement'], reasons: ['not offered in web:product_page (placements: web:home_banner)'] });
  });

  it('skips disabled actions', () => {
    expect(run([action({ id: 'off', enabled: false })]).excluded[0]!.codes).toEqual(['disabled']);
  });
});

describe('arbitration', () => {
  it('priority = P × value × context weight × lever − cost, hand-computed for two actions', () => {
    const policy = testPolicy({ context_weights: [{ channel: 'email', placement: 'outbound', weight: 1.2 }] });
    const a = action({ id: 'a', response_model: { type: 'purchase', uplift: 1.5 }, business_value: 200, cost: 5 });
    const b = action({
      id: 'b',
      response_model: { type: 'retention', save_rate: 0.5 },
      business_value: 100,
      value_basis: 'clv_share',
      clv_share: 0.1,
      cost: 10,
      lever: 2,
    });
    // purchase 0.4, churn 0.3, CLV 3000
    // a: P = 0.4 × 1.5 = 0.6;  0.6 × 200 × 1.2 × 1 − 5 = 139
    // b: P = 0.3 × 0.5 = 0.15; value = 0.1 × 3000 = 300; 0.15 × 300 × 1.2 × 2 − 10 = 98
    const d = run([b, a], {}, policy);
    expect(ids(d)).toEqual(['a', 'b']);
    const [ra, rb] = d.actions;
    expect(ra).toMatchObject({ p_response: 0.6, value: 200, context_weight: 1.2, lever: 1, cost: 5, channel: 'email', octalysis_drive: 'meaning' });
    expect(ra!.priority).toBeCloseTo(139, 9);
    expect(rb).toMatchObject({ p_response: 0.15, value: 300, context_weight: 1.2, lever: 2, cost: 10 });
    expect(rb!.priority).toBeCloseTo(98, 9);
    expect(rb!.reasons).toContain('value = clv_share 0.1 × predicted_clv 3000 = 300');
    expect(d.explanation).toMatch(/^2 actions qualify in email:outbound; best: a/);
  });

  it('caps P at 1 when the uplift pushes it past, and says so: 0.4 × 3 = 1.2, capped at 1', () => {
    const d = run([action({ id: 'boost', response_model: { type: 'purchase', uplift: 3 } })]);
    const [boost] = d.actions;
    expect(boost!.p_response).toBe(1);
    expect(boost!.reasons).toContain('P = purchase_probability 0.4 × uplift 3 = 1.2, capped at 1');
    expect(run([action({ id: 'plain', response_model: { type: 'purchase', uplift: 2 } })]).actions[0]!.reasons).toContain(
      'P = purchase_probability 0.4 × uplift 2 = 0.8',
    );
  });

  it('excludes an action whose priority is ≤ 0, saying so', () => {
    const d = run([action({ id: 'loss', response_model: { type: 'fixed', base_rate: 0.01 }, business_value: 100, cost: 2 })]);
    expect(d.actions).toEqual([]);
    expect(d.excluded[0]!.codes).toEqual(['priority']);
    expect(d.excluded[0]!.reasons[0]).toMatch(/priority = 0.01 × 100 × 1 × 1 − 2 = -1 ≤ 0/);
    expect(d.explanation).toMatch(/No action qualifies in email:outbound/);
    expect(d.explanation).toMatch(/loss: priority/);
  });

  it('breaks ties by action id', () => {
    expect(ids(run([action({ id: 'zeta' }), action({ id: 'alpha' }), action({ id: 'mid' })]))).toEqual(['alpha', 'mid', 'zeta']);
  });

  it('uses the social score for referral actions, then the super-user score', () => {
    const ref = action({ id: 'ref', response_model: { type: 'referral', max_rate: 0.2 } });
    expect(run([ref]).actions[0]!.p_response).toBeCloseTo(0.12, 12); // 0.2 × 60 / 100
    const d = run([ref], { scores: { super_user_score: 50 } });
    expect(d.actions[0]!.p_response).toBeCloseTo(0.1, 12);
    expect(d.actions[0]!.reasons).toContain('social_score missing: super_user_score 50 used instead');
  });

  it('explains every exclusion when nothing qualifies', () => {
    const d = run(
      [
        action({ id: 'a', eligibility: { lifecycle_segments: ['new'] } }),
        action({ id: 'b', channel: 'line' }),
        action({ id: 'c', channel: 'app', placements: ['app:app_home'] }),
      ],
      { consents: { email: true } },
    );
    expect(d.actions).toEqual([]);
    expect(d.explanation).toContain('All 3 actions were excluded');
    expect(d.explanation).toContain('a: lifecycle_segment core not in new');
    expect(d.explanation).toContain('b: no line consent');
    expect(d.explanation).toContain('not offered in this placement: c');
  });
});

describe('control group', () => {
  it('follows the group the caller says was first drawn for the customer, whatever the hash of the id would give', () => {
    const half = testPolicy({ control_group: { share: 0.5, salt: 's2' } });
    const nobody = testPolicy({ control_group: { share: 0, salt: 's2' } });
    const a = [action({ id: 'a' })];
    expect(run(a, {}, half).control_group).toBe(isInControlGroup('c1', half.control_group));
    expect(run(a, { control_group: !isInControlGroup('c1', half.control_group) }, half).control_group).toBe(!isInControlGroup('c1', half.control_group));
    const kept = run(a, { control_group: true }, nobody);
    expect(kept.control_group).toBe(true);
    expect(kept.withheld.map((w) => w.action_id)).toEqual(['a']);
    expect(kept.explanation).toMatch(/as drawn at their first decision/);
  });
});

describe('missing predictions (models not trained yet)', () => {
  const noModels: Partial<DecideInput> = { predictions: {}, scores: { lifecycle_segment: 'dozing', value_tier: 'gold', potential_tier: 'super_user' } };

  it('falls back to the base rates of the lifecycle segment, and to business_value for CLV, saying so', () => {
    const policy = testPolicy();
    const winback = action({
      id: 'winback',
      response_model: { type: 'retention', save_rate: 0.2 },
      business_value: 1000,
      value_basis: 'clv_share',
      clv_share: 0.3,
    });
    const buy = action({ id: 'buy', response_model: { type: 'purchase', uplift: 2 } });
    const d = run([winback, buy], noModels, policy);
    const w = d.actions.find((a) => a.action_id === 'winback')!;
    // dozing: churn base rate 0.45 → P = 0.45 × 0.2 = 0.09; value = 1000 → priority 90
    expect(w.p_response).toBeCloseTo(0.09, 12);
    expect(w.value).toBe(1000);
    expect(w.priority).toBeCloseTo(90, 9);
    expect(w.reasons.join(' | ')).toMatch(/churn_probability missing .*base rate 0.45 for lifecycle dozing/);
    expect(w.reasons.join(' | ')).toMatch(/predicted_clv missing: fixed business_value 1000 used/);
    const b = d.actions.find((a) => a.action_id === 'buy')!;
    expect(b.p_response).toBeCloseTo(policy.fallback.purchase_probability.dozing * 2, 12);
  });

  it('a model threshold on a missing prediction excludes the action, unless if_prediction_missing is pass', () => {
    const d = run(
      [
        action({ id: 'call', eligibility: { min_churn_probability: 0.5 } }),
        action({ id: 'banner', eligibility: { min_purchase_probability: 0.3, if_prediction_missing: 'pass' } }),
      ],
      noModels,
    );
    expect(ids(d)).toEqual(['banner']);
    expect(d.actions[0]!.reasons[0]).toBe('purchase_probability unknown: condition ≥ 0.3 not checked (if_prediction_missing: pass)');
    expect(d.excluded).toEqual([{ action_id: 'call', codes: ['eligibility'], reasons: ['churn_probability unknown (needs ≥ 0.5): model not trained, customer not scored, or no recent event: already inactive'] }]);
  });

  it('the default catalog decides for a customer with no scores and no predictions without crashing', () => {
    const catalog = loadActionCatalog();
    for (const context of [
      { channel: 'email', placement: 'outbound' },
      { channel: 'web', placement: 'home_banner' },
      { channel: 'app', placement: 'app_home' },
      { channel: 'store', placement: 'call_list' },
    ] as const) {
      const d = decide({ customer_id: 'unknown', context, now: '2025-01-01' }, catalog, { ...catalog.policy, control_group: { share: 0, salt: 's' } }, [], rng());
      expect(() => DecisionSchema.parse(d)).not.toThrow();
      expect(d.explanation.length).toBeGreaterThan(0);
    }
    // the free web placement is shown on base rates alone
    const noHoldout = { ...catalog.policy, control_group: { share: 0, salt: 's' } };
    const web = decide({ customer_id: 'u', context: { channel: 'web', placement: 'home_banner' }, now: '2025-01-01' }, catalog, noHoldout, [], rng());
    expect(ids(web)).toEqual(['cross_sell_reco']);
  });
});

describe('decide never throws and never returns NaN priorities (property)', () => {
  const catalog = loadActionCatalog();
  const nullable = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null), fc.constant(undefined));
  const prob = fc.double({ min: 0, max: 1, noNaN: true });
  // money, levers and weights: ordinary, anywhere in the finite range, 0, and extremes whose product overflows
  const big = fc.oneof(
    fc.double({ min: 0, max: 1e6, noNaN: true }),
    fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true }),
    fc.constantFrom(0, 1e300, Number.MAX_VALUE),
  );
  const actionIds = [...catalog.actions.map((a) => a.id), 'x1'];
  const NOW = Date.UTC(2025, 5, 1);

  const arbAction = fc
    .record({
      id: fc.constantFrom('x1', 'x2'),
      channel: fc.constantFrom(...CHANNELS),
      model: fc.oneof(
        fc.record({ type: fc.constant('purchase' as const), uplift: fc.double({ min: 0.01, max: 100, noNaN: true }) }),
        fc.record({ type: fc.constant('retention' as const), save_rate: fc.double({ min: 0.001, max: 1, noNaN: true }) }),
        fc.record({ type: fc.constant('referral' as const), max_rate: fc.double({ min: 0.001, max: 1, noNaN: true }) }),
        fc.record({ type: fc.constant('fixed' as const), base_rate: prob }),
      ),
      business_value: big,
      clv: fc.boolean(),
      cost: big,
      lever: big,
      cooldown_days: fc.double({ min: 0, max: 400, noNaN: true }),
    })
    .map((a) =>
      ActionSchema.parse({
        id: a.id,
        description: 'generated',
        channel: a.channel,
        octalysis_drive: 'ownership',
        response_model: a.model,
        business_value: a.business_value,
        ...(a.clv ? { value_basis: 'clv_share', clv_share: 0.5 } : {}),
        cost: a.cost,
        lever: a.lever,
        cooldown_days: a.cooldown_days,
        placements: ['*'],
      }),
    );

  const arbInput = fc.record({
    customer_id: fc.string({ minLength: 1, maxLength: 12 }),
    scores: fc.record({
      lifecycle_segment: nullable(fc.constantFrom(...LIFECYCLE_SEGMENTS)),
      value_tier: nullable(fc.constantFrom(...VALUE_TIERS)),
      potential_tier: nullable(fc.constantFrom(...POTENTIAL_TIERS)),
      rfm_segment: nullable(fc.constantFrom(...RFM_SEGMENTS)),
      super_user_score: nullable(fc.double({ min: 0, max: 100, noNaN: true })),
      social_score: nullable(fc.double({ min: 0, max: 100, noNaN: true })),
    }),
    predictions: fc.record({ purchase_probability: nullable(prob), churn_probability: nullable(prob), predicted_clv: nullable(big) }),
    tags: fc.array(fc.constantFrom('referrer', 'app_heavy', 'category_fan:Books', 'at_risk_vip'), { maxLength: 3 }),
    consents: fc.record({ email: fc.boolean(), sms: fc.boolean(), line: fc.boolean(), push: fc.boolean() }),
    history: fc.array(
      fc.record({
        action_id: fc.constantFrom(...actionIds),
        channel: fc.constantFrom(...CHANNELS),
        ts: fc.integer({ min: NOW - 90 * 86_400_000, max: NOW + 86_400_000 }).map((ms) => new Date(ms).toISOString()),
      }),
      { maxLength: 8 },
    ),
    context: fc.record({
      channel: fc.constantFrom(...CHANNELS),
      placement: fc.constantFrom('outbound', 'home_banner', 'product_page', 'app_home', 'call_list', 'other'),
    }),
    now: fc.constant(new Date(NOW).toISOString()),
  });

  const arbPolicy = fc
    .record({
      share: fc.double({ min: 0, max: 0.5, noNaN: true }),
      mode: fc.constantFrom('thompson' as const, 'mean' as const, 'off' as const),
      segment_by: fc.constantFrom('lifecycle_segment' as const, 'potential_tier' as const, 'value_tier' as const),
      strength: fc.double({ min: 0.01, max: 1000, noNaN: true }),
      weight: big,
    })
    .map((p) =>
      PolicySchema.parse({
        ...catalog.policy,
        control_group: { share: p.share, salt: 'prop' },
        learning: { mode: p.mode, segment_by: p.segment_by, prior_strength: p.strength },
        context_weights: [...catalog.policy.context_weights, { channel: '*', placement: 'other', weight: p.weight }],
      }),
    );

  const arbStats = fc.array(
    fc
      .record({
        action_id: fc.constantFrom(...actionIds),
        segment: fc.constantFrom(...LIFECYCLE_SEGMENTS, ...POTENTIAL_TIERS, ...VALUE_TIERS, 'unknown'),
        shown: fc.integer({ min: 0, max: 10_000 }),
        conv: prob,
        p: fc.option(prob, { nil: undefined }),
      })
      .map((s) => ({
        action_id: s.action_id,
        segment: s.segment,
        shown: s.shown,
        converted: Math.floor(s.conv * s.shown),
        ...(s.p === undefined ? {} : { p_model_sum: s.p * s.shown }),
      })),
    { maxLength: 10 },
  );

  it('holds for arbitrary valid inputs, policies, outcome counts and extra actions', () => {
    fc.assert(
      fc.property(arbInput, arbPolicy, arbStats, fc.array(arbAction, { maxLength: 2 }), fc.integer(), (inp, policy, stats, extra, seed) => {
        expect(DecideInputSchema.safeParse(inp).success).toBe(true);
        const actions = [...catalog.actions, ...extra.filter((a, i) => extra.findIndex((b) => b.id === a.id) === i)];
        const d = decide(inp, { actions }, policy, stats, createRng(seed));
        for (const a of d.actions) {
          expect(Number.isFinite(a.priority)).toBe(true);
          expect(a.priority).toBeGreaterThan(0);
          expect(a.p_response).toBeGreaterThanOrEqual(0);
          expect(a.p_response).toBeLessThanOrEqual(1);
        }
        for (const w of d.withheld) expect(Number.isNaN(w.priority)).toBe(false);
        for (let i = 1; i < d.actions.length; i++) expect(d.actions[i - 1]!.priority).toBeGreaterThanOrEqual(d.actions[i]!.priority);
        expect(d.actions.length + d.excluded.length + (d.control_group ? d.withheld.length : 0)).toBe(actions.length);
        expect(DecisionSchema.safeParse(d).success).toBe(true);
        if (d.control_group) expect(d.actions).toEqual([]);
      }),
      { numRuns: 300, seed: 20250601 },
    );
  });
});
