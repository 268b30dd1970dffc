import { z } from 'zod';
import { toMillis } from './policy.js';
import {
  CHANNELS,
  LIFECYCLE_SEGMENTS,
  OCTALYSIS_DRIVES,
  POTENTIAL_TIERS,
  RFM_SEGMENTS,
  VALUE_TIERS,
} from './vocab.js';

/**
 * Request and response shapes of the next-best-action decision (for the HTTP layer and for tests).
 * Scores and predictions may be null or absent: a score that could not be computed is empty
 * (CONTRACT.md §2) and predictions are missing until the models are trained.
 */

const prob = z.number().min(0).max(1);
const score100 = z.number().min(0).max(100);

export const TimestampSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}/, { message: 'an ISO 8601 date or date-time', abort: true })
  .refine((s) => Number.isFinite(toMillis(s)), 'an ISO 8601 date or date-time')
  .describe('ISO 8601 date or date-time; without zone it is UTC');

export const ContactRecordSchema = z.object({
  action_id: z.string().min(1),
  channel: z.enum(CHANNELS),
  ts: TimestampSchema,
});

export const DecisionContextSchema = z.object({
  channel: z.enum(CHANNELS).describe('channel of the touchpoint asking for a decision'),
  placement: z.string().min(1).describe('slot within it, e.g. home_banner, outbound, app_home, call_list'),
});
export type DecisionContext = z.infer<typeof DecisionContextSchema>;

export const DecideInputSchema = z.object({
  customer_id: z.string().min(1),
  scores: z
    .object({
      lifecycle_segment: z.enum(LIFECYCLE_SEGMENTS).nullish(),
      value_tier: z.enum(VALUE_TIERS).nullish(),
      potential_tier: z.enum(POTENTIAL_TIERS).nullish(),
      rfm_segment: z.enum(RFM_SEGMENTS).nullish(),
      super_user_score: score100.nullish(),
      social_score: score100.nullish().describe('social dimension of the super-user score, 0–100'),
    })
    .prefault({}),
  predictions: z
    .object({
      purchase_probability: prob.nullish(),
      churn_probability: prob.nullish(),
      predicted_clv: z.number().finite().min(0).nullish(),
    })
    .prefault({}),
  tags: z.array(z.string()).default([]),
  consents: z
    .object({
      email: z.boolean().default(false),
      sms: z.boolean().default(false),
      line: z.boolean().default(false),
      push: z.boolean().default(false),
    })
    .prefault({})
    .describe('absent means no consent'),
  history: z.array(ContactRecordSchema).default([]).describe("this customer's past contacts"),
  control_group: z
    .boolean()
    .optional()
    .describe("the group the customer was first drawn into, kept for them (else drawn from a hash of the salt and the id)"),
  context: DecisionContextSchema,
  now: TimestampSchema,
});
export type DecideInputParsed = z.output<typeof DecideInputSchema>;

export const EXCLUSION_CODES = ['disabled', 'placement', 'eligibility', 'consent', 'frequency_cap', 'cooldown', 'priority'] as const;

export const RankedActionSchema = z.object({
  action_id: z.string(),
  description: z.string(),
  channel: z.enum(CHANNELS),
  octalysis_drive: z.enum(OCTALYSIS_DRIVES),
  priority: z.number().describe('p_response × value × context_weight × lever − cost'),
  p_response: prob.describe('P(response | customer, action) after learning'),
  p_model: prob.describe('P(response) from the models (or base rates) before learning; record it with the outcome'),
  value: z.number().min(0),
  cost: z.number().min(0),
  context_weight: z.number().min(0),
  lever: z.number().min(0),
  reasons: z.array(z.string()),
});
export type RankedAction = z.infer<typeof RankedActionSchema>;

export const ExcludedActionSchema = z.object({
  action_id: z.string(),
  codes: z.array(z.enum(EXCLUSION_CODES)),
  reasons: z.array(z.string()),
});
export type ExcludedAction = z.infer<typeof ExcludedActionSchema>;

export const DecisionSchema = z.object({
  customer_id: z.string(),
  context: DecisionContextSchema,
  control_group: z.boolean(),
  /** The learning segment the customer's outcomes are pooled in (record it with the outcome). */
  segment: z.string(),
  actions: z.array(RankedActionSchema).describe('ranked by priority, highest first (ties by action_id); empty in the control group'),
  excluded: z.array(ExcludedActionSchema),
  withheld: z
    .array(z.object({ action_id: z.string(), priority: z.number() }))
    .describe('control group only: what would have been offered, to record outcomes against (with the decision_id; the decision keeps the group)'),
  explanation: z.string(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const OUTCOME_KINDS = ['shown', 'accepted', 'rejected', 'converted'] as const;

/** One outcome of an action a decision offered (or, in the control group, withheld). */
export const OutcomeInputSchema = z
  .object({
    decision_id: z.string().min(1).max(100).describe('from the next-best-action answer'),
    action_id: z.string().min(1).max(200).describe('an action the decision ranked (or withheld, in the control group)'),
    outcome: z.enum(OUTCOME_KINDS).describe('shown (delivered; for the control group: when it would have been), accepted, rejected, converted'),
    value: z.number().finite().min(0).optional().describe('revenue of a conversion; only with outcome converted'),
    ts: TimestampSchema.optional().describe('when it happened; default now; at most 24 h after the server time and no earlier than 5 min before its decision'),
  })
  .strict()
  .refine((o) => o.value === undefined || o.outcome === 'converted', { path: ['value'], message: 'value is only recorded with outcome converted' });
export type OutcomeInput = z.infer<typeof OutcomeInputSchema>;
