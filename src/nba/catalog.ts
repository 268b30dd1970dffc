import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../config/paths.js';
import { DomainError, type Issue } from '../domain/errors.js';
import {
  CHANNELS,
  CONSENT_CHANNELS,
  LIFECYCLE_SEGMENTS,
  OCTALYSIS_DRIVES,
  POTENTIAL_TIERS,
  RFM_SEGMENTS,
  VALUE_TIERS,
  isConsentChannel,
  type Channel,
  type ConsentChannel,
} from './vocab.js';

/**
 * The action catalog (`config/actions.json`): what the next-best-action engine may propose, and the
 * global contact policy it arbitrates under. Unknown keys are errors (a misspelt field is reported,
 * not ignored); every error names the field path, e.g. `actions[2].cooldown_days`.
 *
 * Money (`business_value`, `cost`, predicted CLV) is in the business's own currency, the same one as
 * event amounts. `business_value` is the value of one conversion *net of any incentive paid on
 * conversion*; `cost` is the cost of one contact (sending, staff time, expected incentive given
 * whether or not the customer converts). See decide.ts for how they enter the priority.
 */

const prob = z.number().min(0).max(1);
const score100 = z.number().min(0).max(100);
const money = z.number().finite().min(0);
const note = z.string().optional();

/**
 * How P(response | customer, action) starts from the models (before learning adjusts it):
 * - `purchase`:  purchase_probability × uplift (the action's multiplier on the baseline chance to buy);
 * - `retention`: churn_probability × save_rate (the share of would-be churners the action keeps);
 * - `referral`:  max_rate × social_score / 100 (the super-user score's social dimension, 0–100);
 * - `fixed`:     base_rate, whatever the customer.
 * Missing predictions fall back to the policy's base rates (`policy.fallback`); the result is clipped to [0, 1].
 */
export const ResponseModelSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('purchase'), uplift: z.number().finite().positive().default(1), note }),
  z.strictObject({ type: z.literal('retention'), save_rate: z.number().gt(0).max(1), note }),
  z.strictObject({ type: z.literal('referral'), max_rate: z.number().gt(0).max(1), note }),
  z.strictObject({ type: z.literal('fixed'), base_rate: prob, note }),
]);
export type ResponseModel = z.infer<typeof ResponseModelSchema>;

/**
 * Who may receive the action. Every listed condition must hold (AND); a list condition holds when the
 * customer's value is in the list. A condition on a value the customer does not have (a score that
 * could not be computed, a model not trained yet) does not hold — unless `if_prediction_missing` is
 * `pass`, which lets the *model* thresholds (purchase/churn probability, predicted CLV) through when
 * that prediction is missing. Tags: `category_fan` matches the tag `category_fan` and any labelled
 * variant such as `category_fan:Books`.
 */
export const EligibilitySchema = z
  .strictObject({
    lifecycle_segments: z.array(z.enum(LIFECYCLE_SEGMENTS)).min(1).optional(),
    value_tiers: z.array(z.enum(VALUE_TIERS)).min(1).optional(),
    potential_tiers: z.array(z.enum(POTENTIAL_TIERS)).min(1).optional(),
    rfm_segments: z.array(z.enum(RFM_SEGMENTS)).min(1).optional(),
    tags_any: z.array(z.string().min(1)).min(1).optional(),
    tags_none: z.array(z.string().min(1)).optional(),
    min_purchase_probability: prob.optional(),
    max_purchase_probability: prob.optional(),
    min_churn_probability: prob.optional(),
    max_churn_probability: prob.optional(),
    min_super_user_score: score100.optional(),
    min_social_score: score100.optional(),
    min_predicted_clv: money.optional(),
    if_prediction_missing: z.enum(['exclude', 'pass']).default('exclude'),
  })
  .superRefine((e, ctx) => {
    for (const m of ['purchase_probability', 'churn_probability'] as const) {
      const lo = e[`min_${m}`];
      const hi = e[`max_${m}`];
      if (lo !== undefined && hi !== undefined && lo > hi) {
        ctx.addIssue({ code: 'custom', message: `min_${m} (${lo}) is above max_${m} (${hi})`, path: [`min_${m}`] });
      }
    }
  });
export type Eligibility = z.infer<typeof EligibilitySchema>;

/**
 * One action. `consent_required` defaults from the channel: email/sms/line/push need the customer's
 * consent on that channel, web/app/store placements need none. Override it with `false` (e.g. a
 * service message that needs no marketing consent) or with a consent channel (e.g. a staff phone call
 * delivered through the store that needs the `sms` (phone) consent). After parsing it is the consent
 * channel needed, or null.
 */
export const ActionSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _ only, starting with a letter'),
    description: z.string().min(1),
    /** Why the action exists and why its defaults are what they are. */
    note,
    enabled: z.boolean().default(true),
    channel: z.enum(CHANNELS),
    octalysis_drive: z.enum(OCTALYSIS_DRIVES),
    eligibility: EligibilitySchema.prefault({}),
    consent_required: z.union([z.boolean(), z.enum(CONSENT_CHANNELS)]).optional(),
    response_model: ResponseModelSchema,
    /** Value of one conversion (net of incentives paid on conversion); with `clv_share`, the fallback when CLV is missing. */
    business_value: money,
    value_basis: z.enum(['fixed', 'clv_share']).default('fixed'),
    /** With value_basis `clv_share`: value = clv_share × predicted_clv. */
    clv_share: z.number().gt(0).max(1).optional(),
    /** Cost of one contact, converted or not. */
    cost: money.default(0),
    /** No repeat of this action within this many days of its last contact. */
    cooldown_days: z.number().finite().min(0).default(0),
    /**
     * Contexts the action may appear in: `placement`, `channel:placement`, `channel:*` or `*`, matched
     * against the request's context `{channel, placement}`.
     */
    placements: z.array(z.string().regex(/^[A-Za-z0-9_*-]+(:[A-Za-z0-9_*-]+)?$/, 'placement, channel:placement, channel:* or *')).min(1),
    /** Business priority multiplier (Pega's "lever"); 0 switches the action off through its priority. */
    lever: z.number().finite().min(0).default(1),
  })
  .superRefine((a, ctx) => {
    if (a.value_basis === 'clv_share' && a.clv_share === undefined) {
      ctx.addIssue({ code: 'custom', message: 'value_basis "clv_share" needs clv_share (0–1]', path: ['clv_share'] });
    }
    if (a.value_basis === 'fixed' && a.clv_share !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'clv_share is used only with value_basis "clv_share"', path: ['clv_share'] });
    }
    if (a.consent_required === true && !isConsentChannel(a.channel)) {
      ctx.addIssue({
        code: 'custom',
        message: `channel "${a.channel}" has no consent flag; name the one needed (${CONSENT_CHANNELS.join(', ')}) or use false`,
        path: ['consent_required'],
      });
    }
  })
  .transform((a) => ({ ...a, consent_required: resolveConsent(a.channel, a.consent_required) }));
export type Action = z.output<typeof ActionSchema>;
export type ActionInput = z.input<typeof ActionSchema>;

function resolveConsent(channel: Channel, given: boolean | ConsentChannel | undefined): ConsentChannel | null {
  if (given === undefined || given === true) return isConsentChannel(channel) ? channel : null;
  if (given === false) return null;
  return given;
}

const FrequencyCapSchema = z.strictObject({
  channel: z.enum(CHANNELS),
  max: z.number().int().min(0),
  per_days: z.number().finite().gt(0),
  note,
});
export type FrequencyCap = z.infer<typeof FrequencyCapSchema>;

/** Default caps: a common, cautious starting point for permission-based outbound marketing. */
export const DEFAULT_FREQUENCY_CAPS: FrequencyCap[] = [
  { channel: 'email', max: 2, per_days: 7 },
  { channel: 'email', max: 6, per_days: 30 },
  { channel: 'sms', max: 1, per_days: 7 },
  { channel: 'sms', max: 2, per_days: 30 },
  { channel: 'line', max: 2, per_days: 7 },
  { channel: 'push', max: 3, per_days: 7 },
];

const ContextWeightSchema = z.strictObject({
  /** The action's channel, or * for any. */
  channel: z.union([z.enum(CHANNELS), z.literal('*')]),
  /** The request's placement, or * for any. */
  placement: z.string().min(1),
  weight: z.number().finite().min(0),
  note,
});
export type ContextWeight = z.infer<typeof ContextWeightSchema>;

const lifecycleRates = (rates: Record<(typeof LIFECYCLE_SEGMENTS)[number] | 'unknown', number>) =>
  z.strictObject({
    new: prob.default(rates.new),
    core: prob.default(rates.core),
    dozing: prob.default(rates.dozing),
    half_asleep: prob.default(rates.half_asleep),
    sleeping: prob.default(rates.sleeping),
    unknown: prob.default(rates.unknown),
  });

/**
 * Base rates used when a prediction is missing (models not trained yet, or a customer they cannot
 * score), by lifecycle segment (`unknown` when the segment is missing too). The defaults are rough
 * priors that follow the meaning of the segments (core customers buy regularly; the longer asleep,
 * the likelier gone): purchase within 30 days, churn (no event) within 90 days, as in CONTRACT.md §2.
 * Replace them with the `base_rate` that `train --json` reports for your data.
 */
export const FallbackSchema = z.strictObject({
  purchase_probability: lifecycleRates({ new: 0.2, core: 0.35, dozing: 0.1, half_asleep: 0.05, sleeping: 0.02, unknown: 0.1 }).prefault({}),
  churn_probability: lifecycleRates({ new: 0.45, core: 0.15, dozing: 0.45, half_asleep: 0.65, sleeping: 0.85, unknown: 0.4 }).prefault({}),
  /** Social score (0–100) assumed when neither social_score nor super_user_score is known. */
  social_score: score100.default(10),
  note,
});
export type Fallback = z.infer<typeof FallbackSchema>;

/** Global contact policy and arbitration settings. */
export const PolicySchema = z.strictObject({
  /** At most `max` contacts on `channel` in any `per_days` days; several caps per channel allowed (e.g. weekly and monthly). */
  frequency_caps: z.array(FrequencyCapSchema).default(DEFAULT_FREQUENCY_CAPS),
  /** Deterministic hold-out: customers whose hash(salt:customer_id) falls below `share` get no action. Change the salt to draw a new group. */
  control_group: z
    .strictObject({ share: z.number().min(0).lt(1).default(0.05), salt: z.string().min(1).default('propel-nba-1'), note })
    .prefault({}),
  /** Weight of an action by its channel in the request's placement; the most specific entry wins, 1 when none matches. */
  context_weights: z.array(ContextWeightSchema).default([]),
  learning: z
    .strictObject({
      /** Pseudo-counts of the Beta prior centred on the model-based P (its weight against observed outcomes). */
      prior_strength: z.number().finite().gt(0).default(20),
      /** Which score defines the segment an action's outcomes are pooled in. */
      segment_by: z.enum(['lifecycle_segment', 'potential_tier', 'value_tier']).default('lifecycle_segment'),
      /** thompson: sample the posterior (explore); mean: posterior mean (no exploration); off: model P only. */
      mode: z.enum(['thompson', 'mean', 'off']).default('thompson'),
      note,
    })
    .prefault({}),
  fallback: FallbackSchema.prefault({}),
  /**
   * A purchase sent through POST /v1/events converts the customer's action shown last (last touch,
   * treatment or control) within `window_days` before it; 0 turns this off. Default 7 days: email
   * attribution windows are commonly 5 (Klaviyo's default) to 7 days, and a week spans a weekly
   * promotion cycle.
   */
  attribution: z.strictObject({ window_days: z.number().min(0).max(365).default(7), note }).prefault({}),
});
export type Policy = z.output<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;

export const ActionCatalogSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    policy: PolicySchema.prefault({}),
    actions: z.array(ActionSchema).min(1),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.actions.forEach((a, i) => {
      const first = seen.get(a.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', message: `duplicate action id "${a.id}" (also actions[${first}])`, path: ['actions', i, 'id'] });
      } else seen.set(a.id, i);
    });
  });
export type ActionCatalog = z.output<typeof ActionCatalogSchema>;
export type ActionCatalogInput = z.input<typeof ActionCatalogSchema>;

export class ActionCatalogError extends DomainError {
  constructor(message: string, issues: Issue[] = []) {
    super('invalid_config', message, 500, issues);
  }
}

/** `["actions", 2, "cooldown_days"]` → `actions[2].cooldown_days`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Validates a catalog object. Throws ActionCatalogError whose message names each bad field path. */
export function parseActionCatalog(input: unknown, source = 'action catalog'): ActionCatalog {
  const result = ActionCatalogSchema.safeParse(input);
  if (result.success) return result.data;
  const issues: Issue[] = result.error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.code === 'unrecognized_keys' ? `unknown key(s): ${i.keys.join(', ')}` : i.message,
  }));
  const actions = (input as { actions?: unknown } | null)?.actions;
  const list = issues
    .map((i) => {
      const idx = i.path[0] === 'actions' && typeof i.path[1] === 'number' ? i.path[1] : undefined;
      const id = idx !== undefined && Array.isArray(actions) ? (actions[idx] as { id?: unknown } | undefined)?.id : undefined;
      return `${formatPath(i.path)}: ${i.message}${typeof id === 'string' ? ` (action "${id}")` : ''}`;
    })
    .join('; ');
  throw new ActionCatalogError(`Invalid ${source}: ${list}`, issues);
}

/** `config/actions.json` at the project root. */
export const DEFAULT_CATALOG_FILE = path.join(projectRoot(), 'config', 'actions.json');

/** Reads and validates the catalog (default `config/actions.json`). Throws ActionCatalogError for an unreadable file, bad JSON or a bad field. */
export function loadActionCatalog(file: string = DEFAULT_CATALOG_FILE): ActionCatalog {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ActionCatalogError(`Cannot read action catalog ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ActionCatalogError(`Action catalog ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseActionCatalog(json, `action catalog ${file}`);
}

/** Does a placement pattern (`placement`, `channel:placement`, `channel:*`, `*`) match the context? */
export function placementMatches(pattern: string, context: { channel: string; placement: string }): boolean {
  const colon = pattern.indexOf(':');
  const channel = colon >= 0 ? pattern.slice(0, colon) : '*';
  const placement = colon >= 0 ? pattern.slice(colon + 1) : pattern;
  return (channel === '*' || channel === context.channel) && (placement === '*' || placement === context.placement);
}

/**
 * Context weight of an action channel in a placement: the most specific entry of
 * `policy.context_weights` — (channel, placement), then (channel, *), then (*, placement), then (*, *) — or 1.
 */
export function contextWeight(policy: Pick<Policy, 'context_weights'>, actionChannel: Channel, placement: string): number {
  const find = (c: string, p: string) => policy.context_weights.find((w) => w.channel === c && w.placement === p);
  const hit = find(actionChannel, placement) ?? find(actionChannel, '*') ?? find('*', placement) ?? find('*', '*');
  return hit?.weight ?? 1;
}
