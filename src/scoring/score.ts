import type { ScoringConfig } from '../config/scoring.js';
import type { FeatureFrame } from '../features/frame.js';
import { numericColumn } from './columns.js';
import { checkPredictions, type Predictions, type ScoringContext } from './context.js';
import { funnelReason, funnelStage } from './funnel.js';
import { lifecycleReason, lifecycleSegment } from './lifecycle.js';
import { potentialReason, scorePotential } from './potential-tier.js';
import { rfmReason, rfmSegmentReason, scoreRfm } from './rfm.js';
import type { CustomerScore } from './schema.js';
import { measureColumns, scoreSuperUser, superUserReason, superUserScorer } from './super-user.js';
import { evaluateTags, NO_TAGS, tagRulesFor } from './tags.js';
import { isParetoTop, valueTier, valueTierReason } from './value-tier.js';

export interface ScoreOptions {
  /**
   * Write the human reason of every output (default true). Batch runs that need only the values
   * (e.g. the score file) pass false: reasons and tag reasons are then null, and scoring is several
   * times faster because the text is most of the per-customer allocation.
   */
  explain?: boolean;
  /** Score only these rows of the frame (default: all), in this order; scores[k] is row rows[k]. */
  rows?: readonly number[];
}

/**
 * Scores every customer of the frame against a context: pure and per customer — customer i's
 * result depends only on row i of the frame (and of `predictions`), the context and the config,
 * so scoring the whole base and scoring one customer as a frame of n = 1 give identical results.
 */
export function scoreFrame(
  frame: FeatureFrame,
  context: ScoringContext,
  config: ScoringConfig,
  predictions?: Predictions,
  options: ScoreOptions = {},
): CustomerScore[] {
  const explain = options.explain ?? true;
  checkPredictions(frame, predictions);
  const n = frame.n;
  const col = (name: string) => numericColumn(frame, name);
  const events = col('events_all');
  const purchases = col('purchases_all');
  const recency = col('recency_days');
  const firstPurchase = col('days_since_first_purchase');
  const purchaseDays = col('purchase_days_all');
  const revenueAll = col('revenue_all');
  const revenue365 = col('revenue_365');
  const trials = col('trials_all');
  const signedUp = col('signed_up');
  const tierValue = col(context.valueTier.feature);
  const measures = measureColumns(frame);
  const purchaseP = predictions?.purchase_probability;
  const churnP = predictions?.churn_probability;
  const clv = predictions?.predicted_clv;

  const gap = context.typicalGap;
  const lc = config.lifecycle;
  const loyalMin = config.funnel.loyalMinPurchaseDays;
  const scorer = superUserScorer(context.superUser, config);
  const tagRules = tagRulesFor(frame, context.quantiles, config, predictions);
  const scratch = new Float64Array(8);

  const rows = options.rows;
  const count = rows ? rows.length : n;
  const out = new Array<CustomerScore>(count);
  for (let k = 0; k < count; k++) {
    const i = rows ? rows[k]! : k;
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new RangeError(`row ${i} is not in a frame of ${n}`);
    const ev = events[i]!;
    const pa = purchases[i]!;
    const rec = recency[i]!;
    const first = firstPurchase[i]!;
    const days = purchaseDays[i]!;
    const rev = revenueAll[i]!;

    const rfm = scoreRfm(pa, rec, days, rev, context.rfm);
    const lifecycle = lifecycleSegment(pa, rec, first, days, gap.days, lc);
    const tier = valueTier(ev, tierValue[i]!, context.valueTier);
    const su = scoreSuperUser(ev, measures, i, scorer, scratch);
    const potential = scorePotential(
      su === null ? null : su.score,
      tier,
      purchaseP?.[i] ?? Number.NaN,
      churnP?.[i] ?? Number.NaN,
      clv?.[i] ?? Number.NaN,
      context.predictedClv,
      config,
      { churnModel: churnP !== undefined },
    );
    const stage = funnelStage(ev, trials[i]!, pa, days, signedUp[i]!, loyalMin);

    const score: CustomerScore = {
      customer_id: frame.customerIds[i]!,
      person_id: frame.personIds[i]!,
      rfm_score: rfm === null ? null : rfm.score,
      rfm_r: rfm === null ? null : rfm.r,
      rfm_f: rfm === null ? null : rfm.f,
      rfm_m: rfm === null ? null : rfm.m,
      rfm_segment: rfm === null ? null : rfm.segment,
      lifecycle_segment: lifecycle,
      value_tier: tier,
      pareto_top: isParetoTop(ev, revenue365[i]!, context.pareto),
      super_user_score: su === null ? null : su.score,
      super_user: su,
      potential_tier: potential === null ? null : potential.tier,
      potential,
      funnel_stage: stage,
      tags: NO_TAGS,
      reasons: !explain ? null : {
        rfm_score: rfmReason(rfm, rec, days, rev),
        rfm_segment: rfmSegmentReason(rfm),
        lifecycle_segment: lifecycleReason(lifecycle, rec, first, days, gap, lc),
        value_tier: valueTierReason(tier, tierValue[i]!, context.valueTier),
        super_user_score: superUserReason(su, ev),
        potential_tier: potentialReason(potential, tier, su === null ? null : su.score),
        funnel_stage: funnelReason(stage, ev, trials[i]!, pa, days, loyalMin),
      },
    };
    score.tags = evaluateTags(tagRules, i, score, explain);
    out[k] = score;
  }
  return out;
}
