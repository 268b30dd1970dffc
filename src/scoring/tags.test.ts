import { describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG, parseScoringConfig, type ScoringConfig } from '../config/scoring.js';
import { computeScoringContext, type Predictions } from './context.js';
import { scoreFrame } from './score.js';
import { buyer, makeFrame, type Row } from './test-frame.js';

const ROWS: Row[] = [
  buyer(5, 5, 500, { top_category: 'Books', top_category_share: 0.8, weekend_purchase_share: 0.2, margin_rate_all: 0.5, revenue_365: 500 }),
  buyer(5, 2, 200, { top_category: 'Toys', top_category_share: 0.9, margin_rate_all: 0.1, referrals_all: 2, revenue_365: 200 }),
  buyer(5, 4, 300, { top_category: 'Books', top_category_share: 0.5, weekend_purchase_share: 0.75, margin_rate_all: 0.2, revenue_365: 300 }),
  buyer(5, 3, 100, { margin_rate_all: 0.3, reviews_all: 2, revenue_365: 100 }),
  buyer(5, 3, 100, { margin_rate_all: 0.4, reviews_all: 1, revenue_365: 100 }),
  buyer(45, 3, 10_000, { days_since_first_purchase: 400, revenue_365: 10_000 }), // diamond, dozing (45 days, gap 30)
  {}, // nothing at all
];

function tagsOf(rows: Row[], config: ScoringConfig = DEFAULT_SCORING_CONFIG, predictions?: Predictions) {
  const frame = makeFrame(rows);
  const ctx = computeScoringContext(frame, config, { predictions });
  return scoreFrame(frame, ctx, config, predictions).map((s) => s.tags);
}

describe('tags', () => {
  it('applies the default rules by hand', () => {
    const tags = tagsOf(ROWS);
    expect(tags.map((t) => t.map((x) => x.tag))).toEqual([
      ['category_fan:Books', 'high_margin_lover'], // 80% Books over 5 purchases; margin 0.5 ≥ p75 0.4
      ['referrer'], // 90% Toys but only 2 purchases: no fan
      ['weekend_shopper'],
      ['review_writer'],
      ['high_margin_lover'], // 0.4 = p75
      ['at_risk_vip'],
      [],
    ]);
    expect(tags[0]![1]).toEqual({
      tag: 'high_margin_lover',
      id: 'high_margin_lover',
      strength: 1, // the top margin rate
      reason: 'high_margin_lover: margin_rate_all 0.5 >= 0.4 (p75)',
    });
    expect(tags[4]![0]!.strength).toBeCloseTo(0.75, 12);
    expect(tags[0]![0]!.reason).toBe('category_fan:Books: top_category_share 0.8 >= 0.6, purchases_all 5 >= 3');
    expect(tags[5]![0]!.reason).toBe('at_risk_vip: value_tier diamond in [diamond], lifecycle_segment dozing in [dozing, half_asleep]');
  });

  it('gives every category fan strength 0.5 when every buyer has a top-category share of 1 (a shared value ranks mid-plateau, not 0)', () => {
    const rows = [0, 1, 2, 3].map((k) => buyer(5, 3 + k, 100, { top_category: 'Books', top_category_share: 1 }));
    for (const t of tagsOf(rows)) expect(t).toEqual([expect.objectContaining({ tag: 'category_fan:Books', strength: 0.5 })]);
  });

  it('gives fans tied at the top share the middle of their plateau', () => {
    // shares 0.5, 1, 1, 1: 1 fills grid points 34..100 of 101 (h = 3j/100 > 1) → (34 + 100)/2/100 = 0.67
    const rows = [0.5, 1, 1, 1].map((share) => buyer(5, 3, 100, { top_category: 'Books', top_category_share: share }));
    const tags = tagsOf(rows);
    expect(tags[0]).toEqual([]); // 0.5 < 0.6: no fan
    for (const t of tags.slice(1)) expect(t[0]!.strength).toBeCloseTo(0.67, 12);
  });

  it('evaluates custom rules over other scores, predictions and quantiles; empty values never match', () => {
    const config = parseScoringConfig({
      tags: {
        rules: [
          { id: 'champion', when: [{ score: 'rfm_segment', op: '==', value: 'champions' }] },
          { id: 'likely_buyer', when: [{ score: 'purchase_probability', op: '>=', value: 0.5 }] },
          { id: 'top_potential', when: [{ score: 'super_user_score', op: '>=', value: { quantile: 0.9 } }] },
          { id: 'not_general', when: [{ score: 'value_tier', op: '!=', value: 'general' }] },
        ],
      },
    });
    const predictions = { purchase_probability: Float64Array.from([0.9, 0.1, Number.NaN, 0.5, 0.2, 0.7, Number.NaN]) };
    const tags = tagsOf(ROWS, config, predictions).map((t) => t.map((x) => x.tag));
    // F breakpoints [3,3,3,4], M [100,200,300,500]. Customer 0: R=5 F=5 M=4 → FM 4.5 → 5; customer 2: R=5 F=4 M=3 → FM 3.5 → 4:
    // both champions. Customer 5: R=1 F=1 M=5 → at_risk.
    expect(tags.map((t) => t.includes('champion'))).toEqual([true, false, true, false, false, false, false]);
    expect(tags[2]).not.toContain('likely_buyer'); // NaN prediction
    expect(tags[3]).toContain('likely_buyer');
    expect(tags[6]).toEqual([]); // no events: value_tier null, so even "!= general" does not hold
    expect(tags.filter((t) => t.includes('top_potential'))).toHaveLength(1);
  });

  it('can switch default rules off and add rules', () => {
    const config = parseScoringConfig({
      tags: { disabled: ['referrer', 'review_writer'], extraRules: [{ id: 'big_basket', when: [{ feature: 'revenue_all', op: '>', value: 400 }] }] },
    });
    const tags = tagsOf(ROWS, config).map((t) => t.map((x) => x.id));
    expect(tags[1]).toEqual([]);
    expect(tags[3]).toEqual([]);
    expect(tags[0]).toEqual(['category_fan', 'high_margin_lover', 'big_basket']);
  });
});
