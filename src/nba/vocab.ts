/**
 * Names the next-best-action engine shares with the rest of the product.
 *
 * The score values are the ones of CONTRACT.md §2 (and src/scoring); they are repeated here so the
 * engine stays a leaf module with no runtime dependency on the scoring code. `vocab.test.ts` fails
 * when the two lists drift apart.
 */

/** Channels an action is delivered on. email/sms/line/push are outbound and need consent; web/app/store are placements. */
export const CHANNELS = ['email', 'sms', 'line', 'push', 'web', 'app', 'store'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels with a consent flag on the customer profile (CONTRACT.md §1: consent_email … consent_push). */
export const CONSENT_CHANNELS = ['email', 'sms', 'line', 'push'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

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

export const LIFECYCLE_SEGMENTS = ['new', 'core', 'dozing', 'half_asleep', 'sleeping'] as const;
export type LifecycleSegment = (typeof LIFECYCLE_SEGMENTS)[number];

export const VALUE_TIERS = ['diamond', 'gold', 'general'] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];

export const POTENTIAL_TIERS = ['super_user', 'high', 'medium', 'low'] as const;
export type PotentialTier = (typeof POTENTIAL_TIERS)[number];

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new_customers',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cannot_lose_them',
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export const DAY_MS = 86_400_000;
