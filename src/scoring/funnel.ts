import type { FeatureFrame } from '../features/frame.js';
import { hasEvents, hasPurchase, numericColumn } from './columns.js';
import { plural } from './explain.js';

/**
 * Membership funnel of seed 002: aware → trial → joined → loyal, then the referral "hourglass".
 *
 * A customer's stage is the furthest one reached:
 * - loyal:  at least `funnel.loyalMinPurchaseDays` purchase days (default 3: a habit, not a try)
 * - joined: a first purchase, or signed up (`signed_up`, a signup event or profile signup date)
 * - trial:  started a trial (`trials_all` > 0)
 * - aware:  any event at all
 * - null:   nothing known (no events, not signed up)
 * Stages are cumulative: a customer who bought without a trial has passed the trial step too, so
 * "reached trial" counts everyone at trial or beyond. Each step's conversion is reached(step) ÷
 * reached(previous step).
 *
 * Hourglass (after the funnel, loyal members bring new ones): over loyal customers, how many refer
 * (`referrals_all` > 0), how many customers they referred, and how many of those went on to buy
 * (`referred_buyers_all`), next to the same figures for the whole base.
 */

export const FUNNEL_STAGES = ['aware', 'trial', 'joined', 'loyal'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

export function funnelStage(
  eventsAll: number,
  trialsAll: number,
  purchasesAll: number,
  purchaseDays: number,
  signedUp: number,
  loyalMinPurchaseDays: number,
): FunnelStage | null {
  if (hasPurchase(purchasesAll) && purchaseDays >= loyalMinPurchaseDays) return 'loyal';
  if (hasPurchase(purchasesAll) || signedUp > 0) return 'joined';
  if (trialsAll > 0) return 'trial';
  if (hasEvents(eventsAll)) return 'aware';
  return null;
}

export function funnelReason(
  stage: FunnelStage | null,
  eventsAll: number,
  trialsAll: number,
  purchasesAll: number,
  purchaseDays: number,
  loyalMinPurchaseDays: number,
): string {
  switch (stage) {
    case null:
      return 'no events and not signed up: not in the funnel';
    case 'loyal':
      return `loyal: ${plural(purchaseDays, 'purchase day')} (≥ ${loyalMinPurchaseDays})`;
    case 'joined':
      return hasPurchase(purchasesAll)
        ? `joined: first purchase made, ${plural(purchaseDays, 'purchase day')} (loyal from ${loyalMinPurchaseDays})`
        : 'joined: signed up, no purchase yet';
    case 'trial':
      return `trial: ${plural(trialsAll, 'trial')} started, no purchase or signup yet`;
    case 'aware':
      return `aware: ${plural(eventsAll, 'event')}, no trial, purchase or signup yet`;
  }
}

export interface FunnelSummary {
  /** Customers in the frame. */
  customers: number;
  stages: { stage: FunnelStage; reached: number; conversion_from_previous: number | null }[];
  /** loyal ÷ aware. */
  overall_conversion: number | null;
}

export interface Hourglass {
  loyal_customers: number;
  loyal_referrers: number;
  /** loyal_referrers ÷ loyal_customers */
  loyal_referrer_share: number | null;
  referrals_by_loyal: number;
  referred_buyers_by_loyal: number;
  /** referred_buyers_by_loyal ÷ referrals_by_loyal */
  referred_buyer_conversion: number | null;
  referrals_all: number;
  referred_buyers_all: number;
  /** Share of all referred buyers that loyal customers brought in. */
  loyal_share_of_referred_buyers: number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export function summarizeFunnel(stages: readonly (FunnelStage | null)[]): FunnelSummary {
  const at = [0, 0, 0, 0];
  for (const s of stages) if (s !== null) at[FUNNEL_STAGES.indexOf(s)]!++;
  const reached = [0, 0, 0, 0];
  for (let k = 3, acc = 0; k >= 0; k--) reached[k] = acc += at[k]!;
  return {
    customers: stages.length,
    stages: FUNNEL_STAGES.map((stage, k) => ({
      stage,
      reached: reached[k]!,
      conversion_from_previous: k === 0 ? null : ratio(reached[k]!, reached[k - 1]!),
    })),
    overall_conversion: ratio(reached[3]!, reached[0]!),
  };
}

export function summarizeHourglass(stages: readonly (FunnelStage | null)[], frame: FeatureFrame): Hourglass {
  const referrals = numericColumn(frame, 'referrals_all');
  const buyers = numericColumn(frame, 'referred_buyers_all');
  const num = (v: number) => (Number.isFinite(v) ? v : 0);
  let loyal = 0;
  let loyalReferrers = 0;
  let byLoyal = 0;
  let buyersByLoyal = 0;
  let all = 0;
  let buyersAll = 0;
  for (let i = 0; i < frame.n; i++) {
    const r = num(referrals[i]!);
    const b = num(buyers[i]!);
    all += r;
    buyersAll += b;
    if (stages[i] !== 'loyal') continue;
    loyal++;
    if (r > 0) loyalReferrers++;
    byLoyal += r;
    buyersByLoyal += b;
  }
  return {
    loyal_customers: loyal,
    loyal_referrers: loyalReferrers,
    loyal_referrer_share: ratio(loyalReferrers, loyal),
    referrals_by_loyal: byLoyal,
    referred_buyers_by_loyal: buyersByLoyal,
    referred_buyer_conversion: ratio(buyersByLoyal, byLoyal),
    referrals_all: all,
    referred_buyers_all: buyersAll,
    loyal_share_of_referred_buyers: ratio(buyersByLoyal, buyersAll),
  };
}
