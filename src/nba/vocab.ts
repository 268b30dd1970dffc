/**
 * Names the next-best-action engine shares with the rest of the product.
 *
 * Score values and consent channels are re-exported from where they are defined, so they cannot drift.
 */
import { CONSENT_CHANNELS, type ConsentChannel } from '../domain/event.js';

/** Channels an action is delivered on. email/sms/line/push are outbound and need consent; web/app/store are placements. */
export const CHANNELS = ['email', 'sms', 'line', 'push', 'web', 'app', 'store'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels with a consent flag on the customer profile (CONTRACT.md §1: consent_email … consent_push). */
export { CONSENT_CHANNELS, type ConsentChannel };

export const isConsentChannel = (c: string): c is ConsentChannel => (CONSENT_CHANNELS as readonly string[]).includes(c);

/** Octalysis's eight core drives (seed 004). */
export const OCTALYSIS_DRIVES = [
  'meaning',
  'accomplishment',
  'creativity',
  'ownership',
  'social_influence',
  'scarcity',
  'unpredictability',
  'avoidance',
] as const;
export type OctalysisDrive = (typeof OCTALYSIS_DRIVES)[number];

// The score values come from the scoring rules themselves (one list each, CONTRACT.md §2).
export { LIFECYCLE_SEGMENTS, type LifecycleSegment } from '../scoring/lifecycle.js';
export { VALUE_TIERS, type ValueTier } from '../scoring/value-tier.js';
export { POTENTIAL_TIERS, type PotentialTier } from '../scoring/potential-tier.js';
export { RFM_SEGMENTS, type RfmSegment } from '../scoring/rfm.js';

export const DAY_MS = 86_400_000;
