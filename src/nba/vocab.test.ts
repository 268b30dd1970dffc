import { describe, expect, it } from 'vitest';
import { LIFECYCLE_SEGMENTS as SCORING_LIFECYCLE } from '../scoring/lifecycle.js';
import { POTENTIAL_TIERS as SCORING_POTENTIAL } from '../scoring/potential-tier.js';
import { RFM_SEGMENTS as SCORING_RFM } from '../scoring/rfm.js';
import { VALUE_TIERS as SCORING_VALUE } from '../scoring/value-tier.js';
import { LIFECYCLE_SEGMENTS, OCTALYSIS_DRIVES, POTENTIAL_TIERS, RFM_SEGMENTS, VALUE_TIERS } from './vocab.js';

describe('nba vocabulary', () => {
  it('uses the same score values as the scoring code (CONTRACT.md §2)', () => {
    expect([...LIFECYCLE_SEGMENTS]).toEqual([...SCORING_LIFECYCLE]);
    expect([...VALUE_TIERS]).toEqual([...SCORING_VALUE]);
    expect([...POTENTIAL_TIERS]).toEqual([...SCORING_POTENTIAL]);
    expect([...RFM_SEGMENTS]).toEqual([...SCORING_RFM]);
  });

  it("lists Octalysis's eight drives", () => {
    expect(new Set(OCTALYSIS_DRIVES).size).toBe(8);
  });
});
