import { z } from 'zod';
import { CONSENT_CHANNELS } from '../../domain/event.js';
import { LIFECYCLE_SEGMENTS, POTENTIAL_TIERS, RFM_SEGMENTS, VALUE_TIERS, type PotentialTier } from '../../scoring/index.js';

// ---------------------------------------------------------------------------------------------
// The filter spec

export const DEFAULT_AUDIENCE_TIERS: readonly PotentialTier[] = ['super_user', 'high'];
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Most tag values one filter may list. */
export const MAX_FILTER_TAGS = 50;

/** Shared with the member schema (rows.ts). */
export const probability = z.number().min(0).max(1);
export const score100 = z.number().min(0).max(100);
const tagName = z.string().min(1).max(200);

/** Which customers an audience holds (every condition given must hold). */
export const AudienceFilterSchema = z
  .object({
    tiers: z.array(z.enum(POTENTIAL_TIERS)).min(1).describe('potential tiers to include'),
    min_potential_index: score100.optional(),
    min_super_user_score: score100.optional(),
    min_purchase_probability: probability.optional(),
    max_purchase_probability: probability.optional(),
    min_churn_probability: probability.optional(),
    max_churn_probability: probability.optional(),
    min_predicted_clv: z.number().optional(),
    lifecycle_segments: z.array(z.enum(LIFECYCLE_SEGMENTS)).min(1).optional(),
    value_tiers: z.array(z.enum(VALUE_TIERS)).min(1).optional(),
    rfm_segments: z.array(z.enum(RFM_SEGMENTS)).min(1).optional(),
    /** Has at least one; `x` matches the tag `x` and every labelled `x:<label>`. */
    tags: z.array(tagName).min(1).max(MAX_FILTER_TAGS).optional(),
    /** Has none of these (same matching as `tags`). */
    exclude_tags: z.array(tagName).min(1).max(MAX_FILTER_TAGS).optional(),
    /** Has consented to every one of these channels. */
    consent: z.array(z.enum(CONSENT_CHANNELS)).min(1).optional(),
  })
  .strict();
export type AudienceFilter = z.infer<typeof AudienceFilterSchema>;
