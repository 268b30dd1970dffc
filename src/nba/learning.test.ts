import { describe, expect, it } from 'vitest';
import { createRng } from '../ml/random.js';
import { decide } from './decide.js';
import { aggregateOutcomes, learnedProbability, posterior, PosteriorTable, sampleBeta, sampleGamma } from './learning.js';
import { action, input, testPolicy } from './test-helpers.js';

function moments(draw: () => number, n: number) {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

describe('samplers (Marsaglia–Tsang gamma, beta from two gammas)', () => {
  it('Gamma(k) has mean k and variance k, also for k < 1', () => {
    const rng = createRng(7);
    for (const k of [0.3, 1, 4.5]) {
      const m = moments(() => sampleGamma(k, rng), 40_000);
      expect(m.mean).toBeCloseTo(k, 1);
      expect(Math.abs(m.variance - k) / k).toBeLessThan(0.06);
    }
  });

  it('Beta(2, 5) has mean 2/7 and variance 10/392; Beta(0.5, 0.5) mean 1/2', () => {
    const rng = createRng(11);
    const m = moments(() => sampleBeta(2, 5, rng), 40_000);
    expect(m.mean).toBeCloseTo(2 / 7, 2);
    expect(Math.abs(m.variance - 10 / 392) / (10 / 392)).toBeLessThan(0.05);
    expect(moments(() => sampleBeta(0.5, 0.5, rng), 40_000).mean).toBeCloseTo(0.5, 2);
  });

  it('is reproducible with the same seed', () => {
    const a = createRng(3);
    const b = createRng(3);
    for (let i = 0; i < 100; i++) expect(sampleBeta(3, 4, a)).toBe(sampleBeta(3, 4, b));
  });
});

describe('Beta-Bernoulli posterior', () => {
  it('centres the prior on the model P with the given pseudo-counts, then adds the counts', () => {
    // m = 0.2, s = 20: α = 4 + 3, β = 16 + 7
    expect(posterior(0.2, 20, 10, 3)).toEqual({ alpha: 7, beta: 23, prior_mean: 0.2, mean: 7 / 30 });
  });

  it('centres the prior on the mean recorded model P of those shown, and scales the customer P by rate / prior mean', () => {
    const table = new PosteriorTable([{ action_id: 'a', segment: 'core', shown: 100, converted: 30, p_model_sum: 20 }]);
    const r = learnedProbability(0.1, 'a', 'core', table, { prior_strength: 20, mode: 'mean', segment_by: 'lifecycle_segment' }, createRng(1));
    // m = 20/100 = 0.2; α = 4 + 30 = 34, β = 16 + 70 = 86; mean = 34/120; P = 0.1 × (34/120) / 0.2
    expect(r.posterior!.alpha).toBeCloseTo(34, 12);
    expect(r.posterior!.beta).toBeCloseTo(86, 12);
    expect(r.p).toBeCloseTo((0.1 * (34 / 120)) / 0.2, 12);
    expect(r.reason).toMatch(/30\/100 converted/);
  });

  it('leaves P as the model gives it when the cell has no outcomes, or learning is off', () => {
    const table = new PosteriorTable([{ action_id: 'a', segment: 'core', shown: 0, converted: 0 }]);
    const l = { prior_strength: 20, mode: 'thompson', segment_by: 'lifecycle_segment' } as const;
    expect(learnedProbability(0.3, 'a', 'core', table, l, createRng(1)).p).toBe(0.3);
    expect(learnedProbability(0.3, 'a', 'dozing', table, l, createRng(1)).p).toBe(0.3);
    const full = new PosteriorTable([{ action_id: 'a', segment: 'core', shown: 50, converted: 0 }]);
    expect(learnedProbability(0.3, 'a', 'core', full, { ...l, mode: 'off' }, createRng(1)).p).toBe(0.3);
  });

  it('aggregates raw outcomes per action and segment, with the model P sum when every record has it', () => {
    expect(
      aggregateOutcomes([
        { action_id: 'a', segment: 'core', converted: true, p_model: 0.5 },
        { action_id: 'a', segment: 'core', converted: false, p_model: 0.25 },
        { action_id: 'b', segment: 'new', converted: false },
      ]),
    ).toEqual([
      { action_id: 'a', segment: 'core', shown: 2, converted: 1, p_model_sum: 0.75 },
      { action_id: 'b', segment: 'new', shown: 1, converted: 0 },
    ]);
  });
});

describe('learning in decide', () => {
  // A: P = purchase 0.5 × 1 = 0.5, value 100 → priority 50; B: fixed 0.4 × 100 → 40. A ranks first on the models.
  const catalog = {
    actions: [
      action({ id: 'a', response_model: { type: 'purchase', uplift: 1 }, business_value: 100 }),
      action({ id: 'b', response_model: { type: 'fixed', base_rate: 0.4 }, business_value: 100 }),
    ],
  };
  const policy = testPolicy({ learning: { mode: 'thompson', prior_strength: 20, segment_by: 'lifecycle_segment' } });
  const customer = input({ predictions: { purchase_probability: 0.5 } });
  const firstIn = (stats: ConstructorParameters<typeof PosteriorTable>[0], draws: number) => {
    let bFirst = 0;
    const table = new PosteriorTable(stats);
    for (let seed = 0; seed < draws; seed++) if (decide(customer, catalog, policy, table, createRng(seed)).actions[0]!.action_id === 'b') bFirst++;
    return bFirst;
  };

  it('ranks by the models before any feedback', () => {
    expect(firstIn([], 50)).toBe(0);
  });

  it('after feedback (A shown and not converting, B converting, in the customer segment) B ranks first in most draws', () => {
    const stats = [
      { action_id: 'a', segment: 'core', shown: 400, converted: 4, p_model_sum: 200 },
      { action_id: 'b', segment: 'core', shown: 400, converted: 240, p_model_sum: 160 },
    ];
    expect(firstIn(stats, 200)).toBeGreaterThanOrEqual(190);
  });

  it('feedback from another segment does not move this customer', () => {
    const stats = [
      { action_id: 'a', segment: 'dozing', shown: 400, converted: 4, p_model_sum: 200 },
      { action_id: 'b', segment: 'dozing', shown: 400, converted: 240, p_model_sum: 160 },
    ];
    expect(firstIn(stats, 50)).toBe(0);
  });

  it('explores while evidence is thin: with a few outcomes both orders occur', () => {
    const stats = [
      { action_id: 'a', segment: 'core', shown: 4, converted: 2, p_model_sum: 2 },
      { action_id: 'b', segment: 'core', shown: 4, converted: 2, p_model_sum: 1.6 },
    ];
    const b = firstIn(stats, 200);
    expect(b).toBeGreaterThan(10);
    expect(b).toBeLessThan(190);
  });
});
