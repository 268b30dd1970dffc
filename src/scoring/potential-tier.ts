import type { ScoringConfig } from '../config/scoring.js';
import { fmt } from './explain.js';
import { percentileRank } from './quantiles.js';
import type { ValueTier } from './value-tier.js';

/**
 * Potential tiers of seed 000 — current super users, high, medium and low potential — each with
 * its strategy, from current value (the value tier) and a potential index P (0–100).
 *
 * P without predictions is the super-user score. When model predictions are given (a later issue
 * fills them), P is the weighted mean of the parts that are present, weights from
 * `potential.blend` (defaults 0.5 / 0.2 / 0.2 / 0.1):
 *   super-user score ÷ 100, purchase_probability, the customer's predicted_clv percentile in the
 *   base (needs a CLV grid in the context: `computeScoringContext(…, { predictions })`; equal
 *   predictions share the middle rank of their range, e.g. 0.5 when every prediction is the same), and
 *   retention = 1 − churn_probability;
 * then × 100. A missing (NaN) prediction is left out of the mean for that customer, with one
 * exception: a customer the churn model does not cover because they are already inactive (`lapsed`:
 * no event in its active window, so outside its population; CONTRACT.md §2) has retention 0, as if
 * churned. Leaving the part out would raise their index above that of active customers at risk.
 *
 * Tier, with thresholds medium / high / superUser (defaults 40 / 60 / 80):
 *
 * | value tier \ P | < medium | medium – high | high – superUser | ≥ superUser |
 * |----------------|----------|---------------|-----------------|-------------|
 * | diamond        | high     | super_user    | super_user      | super_user  |
 * | gold           | medium   | medium        | high            | super_user  |
 * | general        | low      | medium        | high            | super_user  |
 *
 * A diamond customer with at least medium potential already is a super user (retain and deepen);
 * a diamond customer who is not engaged is high (accelerate before they slip). Exceptional potential
 * makes a super user at any spend — seed 000: "a customer with modest spend but strong referral
 * power can still be a super user". Gold lifts a low index to medium. Empty without a super-user score.
 */

export const POTENTIAL_TIERS = ['super_user', 'high', 'medium', 'low'] as const;
export type PotentialTier = (typeof POTENTIAL_TIERS)[number];

export const POTENTIAL_STRATEGY: Record<PotentialTier, string> = {
  super_user: 'retain and deepen: VIP recognition, exclusive access and early previews, invite them to co-create and to refer',
  high: 'accelerate: personalised offers and content that move them up to super user',
  medium: 'nurture: regular relevant engagement, education and light incentives to raise involvement',
  low: 'basic service: low-cost automated communication, no heavy investment',
};

/** The model predictions blended into P for one customer (each null when absent). */
export interface PotentialPredictions {
  purchase_probability: number | null;
  clv_percentile: number | null;
  churn_probability: number | null;
  /** No churn probability because the customer is already inactive: retention counted 0. */
  lapsed: boolean;
}

export interface PotentialResult {
  tier: PotentialTier;
  /** The potential index P, 0–100. */
  index: number;
  strategy: string;
  /** The predictions blended in; null when the customer has none (P is then the super-user score). */
  predictions: PotentialPredictions | null;
}

export function potentialIndex(
  superUserScore: number,
  purchaseProbability: number,
  churnProbability: number,
  clvPercentile: number,
  blend: ScoringConfig['potential']['blend'],
): number {
  // No prediction present: P is the super-user score itself (the common case, kept cheap).
  if (Number.isNaN(purchaseProbability) && Number.isNaN(churnProbability) && Number.isNaN(clvPercentile)) return superUserScore;
  let sum = 0;
  let weights = 0;
  let predicted = 0;
  const parts = [superUserScore / 100, purchaseProbability, clvPercentile, 1 - churnProbability];
  const w = [blend.superUserScore, blend.purchaseProbability, blend.clvPercentile, blend.retention];
  for (let k = 0; k < 4; k++) {
    if (w[k]! > 0 && Number.isFinite(parts[k]!)) {
      sum += w[k]! * parts[k]!;
      weights += w[k]!;
      if (k > 0) predicted++;
    }
  }
  // Every present prediction weighted 0: P is the super-user score itself.
  if (predicted === 0 || !(weights > 0)) return superUserScore;
  return (100 * sum) / weights;
}

export function potentialTier(valueTier: ValueTier, index: number, t: ScoringConfig['potential']['thresholds']): PotentialTier {
  if (index >= t.superUser) return 'super_user';
  if (index >= t.high) return valueTier === 'diamond' ? 'super_user' : 'high';
  if (index >= t.medium) return valueTier === 'diamond' ? 'super_user' : 'medium';
  if (valueTier === 'diamond') return 'high';
  return valueTier === 'gold' ? 'medium' : 'low';
}

/** One customer's potential tier; null without a super-user score or value tier. NaN predictions = absent. */
export function scorePotential(
  superUserScore: number | null,
  valueTier: ValueTier | null,
  purchaseProbability: number,
  churnProbability: number,
  predictedClv: number,
  clvGrid: number[] | null,
  config: ScoringConfig,
  /** churnModel: a churn model scored these customers, so an empty churn probability means "not covered: lapsed". */
  options: { churnModel?: boolean } = {},
): PotentialResult | null {
  if (superUserScore === null || valueTier === null) return null;
  const lapsed = options.churnModel === true && Number.isNaN(churnProbability);
  const clvPercentile = clvGrid !== null && Number.isFinite(predictedClv) ? percentileRank(clvGrid, predictedClv) : Number.NaN;
  const index = potentialIndex(superUserScore, purchaseProbability, lapsed ? 1 : churnProbability, clvPercentile, config.potential.blend);
  const tier = potentialTier(valueTier, index, config.potential.thresholds);
  return {
    tier,
    index,
    strategy: POTENTIAL_STRATEGY[tier],
    predictions:
      Number.isNaN(purchaseProbability) && Number.isNaN(clvPercentile) && Number.isNaN(churnProbability) && !lapsed
        ? null
        : {
            purchase_probability: Number.isFinite(purchaseProbability) ? purchaseProbability : null,
            clv_percentile: Number.isFinite(clvPercentile) ? clvPercentile : null,
            churn_probability: Number.isFinite(churnProbability) ? churnProbability : null,
            lapsed,
          },
  };
}

export function potentialReason(res: PotentialResult | null, valueTier: ValueTier | null, superUserScore: number | null): string {
  if (res === null || superUserScore === null) return 'no super-user score: no potential tier';
  const parts = [`super-user score ${fmt(superUserScore)}`];
  const c = res.predictions;
  if (c?.purchase_probability != null) parts.push(`purchase probability ${fmt(c.purchase_probability)}`);
  if (c?.clv_percentile != null) parts.push(`CLV percentile ${fmt(c.clv_percentile)}`);
  if (c?.churn_probability != null) parts.push(`churn probability ${fmt(c.churn_probability)}`);
  if (c?.lapsed) parts.push('no churn probability: already inactive, retention counted 0');
  return `${res.tier}: potential ${fmt(res.index)} (${parts.join(', ')}), current value ${valueTier} → ${POTENTIAL_STRATEGY[res.tier]}`;
}
