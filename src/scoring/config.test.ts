import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG, DEFAULT_TAG_RULES, effectiveTagRules, loadScoringConfig, parseScoringConfig, ScoringConfigError } from '../config/scoring.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function writeJson(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'propel-scoring-'));
  dirs.push(dir);
  const file = path.join(dir, 'scoring.json');
  fs.writeFileSync(file, content);
  return file;
}

function errorOf(fn: () => unknown): ScoringConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScoringConfigError) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

describe('scoring config', () => {
  it('has a default for everything', () => {
    expect(loadScoringConfig()).toEqual(DEFAULT_SCORING_CONFIG);
    expect(DEFAULT_SCORING_CONFIG).toMatchObject({
      quantileGridPoints: 101,
      lifecycle: { newWithin: 1, newMaxPurchaseDays: 1, core: 1, dozing: 2, halfAsleep: 3, minRepeatCustomers: 30, fallbackGapDays: 30 },
      valueTier: { basis: 'revenue', diamondShare: 0.5, goldShare: 0.8 },
      pareto: { topCustomerShare: 0.2, revenueShare: 0.8 },
      superUser: { dimensionWeights: { consumption: 1, engagement: 1, social: 1, loyalty: 1 } },
      potential: { thresholds: { medium: 40, high: 60, superUser: 80 }, blend: { superUserScore: 0.5, purchaseProbability: 0.2, clvPercentile: 0.2, retention: 0.1 } },
      funnel: { loyalMinPurchaseDays: 3 },
    });
    expect(effectiveTagRules(DEFAULT_SCORING_CONFIG).map((r) => r.id)).toEqual(DEFAULT_TAG_RULES.map((r) => r.id));
  });

  it('merges a file deeply over the defaults', () => {
    const file = writeJson(JSON.stringify({ superUser: { dimensionWeights: { social: 3 }, measureWeights: { loyalty: { tenure_days: 2 } } }, lifecycle: { core: 1.5 } }));
    const cfg = loadScoringConfig(file);
    expect(cfg.superUser.dimensionWeights).toEqual({ consumption: 1, engagement: 1, social: 3, loyalty: 1 });
    expect(cfg.superUser.measureWeights.loyalty).toEqual({ tenure_days: 2, competitor_resistance: 1, feedback_all: 1, support_satisfaction: 1 });
    expect(cfg.superUser.measureWeights.social.referrals_all).toBe(1);
    expect(cfg.lifecycle).toMatchObject({ core: 1.5, dozing: 2 });
    expect(cfg.valueTier).toEqual(DEFAULT_SCORING_CONFIG.valueTier);
  });

  it('names the bad field path: negative weight, all-zero weights, unknown key', () => {
    const negative = errorOf(() => parseScoringConfig({ superUser: { dimensionWeights: { social: -1 } } }));
    expect(negative.code).toBe('invalid_config');
    expect(negative.message).toContain('superUser.dimensionWeights.social: a weight must be ≥ 0');
    expect(negative.issues[0]!.path).toEqual(['superUser', 'dimensionWeights', 'social']);

    const zero = errorOf(() => parseScoringConfig({ superUser: { dimensionWeights: { consumption: 0, engagement: 0, social: 0, loyalty: 0 } } }));
    expect(zero.message).toContain('superUser.dimensionWeights: the weights must not all be zero');
    const zeroMeasures = errorOf(() =>
      parseScoringConfig({ superUser: { measureWeights: { social: { referrals_all: 0, referred_buyers_all: 0, shares_all: 0, reviews_all: 0 } } } }),
    );
    expect(zeroMeasures.issues[0]!.path).toEqual(['superUser', 'measureWeights', 'social']);
    const zeroBlend = errorOf(() => parseScoringConfig({ potential: { blend: { superUserScore: 0, purchaseProbability: 0, clvPercentile: 0, retention: 0 } } }));
    expect(zeroBlend.issues[0]!.path).toEqual(['potential', 'blend']);

    const typo = errorOf(() => parseScoringConfig({ superUser: { dimensionWeight: { social: 2 } } }));
    expect(typo.message).toContain('superUser: unknown key(s): dimensionWeight');
    const text = errorOf(() => parseScoringConfig({ superUser: { dimensionWeights: { social: 'high' } } }));
    expect(text.issues[0]!.path).toEqual(['superUser', 'dimensionWeights', 'social']);
  });

  it('checks orders of multiples, shares and thresholds', () => {
    expect(errorOf(() => parseScoringConfig({ lifecycle: { core: 3, dozing: 2 } })).message).toContain('lifecycle.dozing: multiples must satisfy');
    expect(errorOf(() => parseScoringConfig({ valueTier: { diamondShare: 0.9 } })).message).toContain('valueTier.goldShare');
    expect(errorOf(() => parseScoringConfig({ valueTier: { basis: 'profit' } })).issues[0]!.path).toEqual(['valueTier', 'basis']);
    expect(errorOf(() => parseScoringConfig({ potential: { thresholds: { high: 90 } } })).message).toContain('potential.thresholds.high');
  });

  it('validates tag rules and names the path', () => {
    const unknown = errorOf(() => parseScoringConfig({ tags: { rules: [{ id: 'x', when: [{ feature: 'nope', op: '>=', value: 1 }] }] } }));
    expect(unknown.message).toContain('tags.rules.0.when.0.feature: unknown feature "nope"');
    const both = errorOf(() => parseScoringConfig({ tags: { extraRules: [{ id: 'x', when: [{ feature: 'reviews_all', score: 'value_tier', op: '>=', value: 1 }] }] } }));
    expect(both.issues[0]!.path).toEqual(['tags', 'extraRules', 0, 'when', 0]);
    const list = errorOf(() => parseScoringConfig({ tags: { rules: [{ id: 'x', when: [{ score: 'value_tier', op: 'in', value: 'diamond' }] }] } }));
    expect(list.message).toContain('needs a list of strings');
    const order = errorOf(() => parseScoringConfig({ tags: { rules: [{ id: 'x', when: [{ score: 'lifecycle_segment', op: '>=', value: 1 }] }] } }));
    expect(order.issues[0]!.path).toEqual(['tags', 'rules', 0, 'when', 0, 'op']);
    const quantile = errorOf(() => parseScoringConfig({ tags: { rules: [{ id: 'x', when: [{ score: 'rfm_r', op: '>=', value: { quantile: 0.5 } }] }] } }));
    expect(quantile.message).toContain('{quantile} works on numeric features and super_user_score only');
    const strength = errorOf(() => parseScoringConfig({ tags: { rules: [{ id: 'x', when: [{ feature: 'reviews_all', op: '>=', value: 1 }], strength: 'top_category' }] } }));
    expect(strength.issues[0]!.path).toEqual(['tags', 'rules', 0, 'strength']);
    const id = errorOf(() => parseScoringConfig({ tags: { rules: [{ id: 'Bad Id', when: [{ feature: 'reviews_all', op: '>=', value: 1 }] }] } }));
    expect(id.issues[0]!.path).toEqual(['tags', 'rules', 0, 'id']);
  });

  it('loads the example file', () => {
    const cfg = loadScoringConfig(path.join(import.meta.dirname, '../../config/scoring.example.json'));
    expect(cfg.superUser.dimensionWeights.social).toBe(2);
    expect(effectiveTagRules(cfg).map((r) => r.id)).toContain('big_spender');
    expect(effectiveTagRules(cfg).map((r) => r.id)).not.toContain('weekend_shopper');
  });

  it('reports a missing file and bad JSON clearly', () => {
    expect(() => loadScoringConfig('/nonexistent/scoring.json')).toThrow(/Cannot read scoring config \/nonexistent\/scoring.json/);
    expect(() => loadScoringConfig(writeJson('{ "superUser": '))).toThrow(/is not valid JSON/);
    expect(() => loadScoringConfig(writeJson('{"funnel": {"loyalMinPurchaseDays": 1}}'))).toThrow(/scoring config .*scoring\.json: funnel\.loyalMinPurchaseDays/);
  });
});
