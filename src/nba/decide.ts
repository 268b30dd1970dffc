import { ValidationError } from '../domain/errors.js';
import { contextWeight, placementMatches, type Action, type ActionCatalog, type Eligibility, type Policy } from './catalog.js';
import { isInControlGroup } from './control-group.js';
import { learnedProbability, PosteriorTable, segmentOf, type OutcomeStats, type UniformRng } from './learning.js';
import { contactPolicyExclusions, prepareHistory, toMillis, type ContactRecord, type Exclusion } from './policy.js';
import type { DecideInputParsed, Decision, ExcludedAction, RankedAction } from './schemas.js';
import type { ConsentChannel } from './vocab.js';

/**
 * Next best action by Pega-style arbitration, as a pure function (the caller supplies scores,
 * predictions, consents, history and outcome counts; nothing is read or written here).
 *
 * 1. Control group: customers in the deterministic hold-out (control-group.ts) get no action; what
 *    they would have got is returned as `withheld`, so outcomes can be recorded against it.
 * 2. Filters, per action: enabled; offered in the request's context (`placements`); eligibility
 *    (segments, tiers, tags, model thresholds); consent; frequency caps; cooldown (policy.ts).
 * 3. Arbitration: priority = P(response | customer, action) × value × context weight × lever − cost.
 *    - P starts from the action's response model (catalog.ts) on the customer's predictions, with the
 *      policy's base rates for missing predictions, and is then adjusted by learning (learning.ts).
 *    - value = business_value, or clv_share × predicted_clv (business_value when CLV is missing).
 *    - context weight from policy.context_weights (action channel × placement), lever from the action.
 *    An action whose priority is ≤ 0 (its expected value does not pay for the contact) is excluded.
 * 4. Ranking by priority, highest first, ties by action id.
 * Every included action carries the reasons behind its numbers; every excluded one the reasons it was
 * left out; `explanation` sums the decision up (and says why, when nothing qualifies).
 */

type Timestamp = string | Date;

/** The decision request; absent scores, predictions, tags, consents or history count as empty. */
export type DecideInput = Omit<DecideInputParsed, 'now' | 'history' | 'tags' | 'consents' | 'scores' | 'predictions'> & {
  now: Timestamp;
  history?: ContactRecord[];
  tags?: string[];
  consents?: Partial<Record<ConsentChannel, boolean>>;
  scores?: Partial<DecideInputParsed['scores']>;
  predictions?: Partial<DecideInputParsed['predictions']>;
};

/** Outcome counts for learning: a PosteriorTable, or the rows to build one from. */
export type Posteriors = PosteriorTable | readonly OutcomeStats[];

const f = (x: number, digits = 3) => {
  if (!Number.isFinite(x)) return String(x);
  const r = Math.round(x * 10 ** digits) / 10 ** digits;
  return Math.abs(r) >= 1e6 ? x.toExponential(3) : String(r);
};
const clip01 = (x: number) => (x > 1 ? 1 : x > 0 ? x : 0);
/** "= 0.42", or "= 1.01, capped at 1" when a multiplier pushed a probability past 1. */
const equalsClipped = (raw: number) => (raw > 1 ? `= ${f(raw)}, capped at 1` : `= ${f(clip01(raw))}`);
/** A known number, or undefined for null / undefined / NaN. */
const known = (x: number | null | undefined): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

/** 12 significant digits: drops floating-point noise (125.00000000000001) from the response. */
const tidy = (x: number) => Number(x.toPrecision(12));

/** Product that is 0 when any factor is 0 and stays finite (no Infinity × 0 = NaN). */
function safeProduct(...xs: number[]): number {
  if (xs.some((x) => x === 0)) return 0;
  const p = xs.reduce((a, b) => a * b, 1);
  return Number.isFinite(p) ? p : p > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
}

interface Customer {
  scores: Partial<DecideInputParsed['scores']>;
  predictions: Partial<DecideInputParsed['predictions']>;
  tags: readonly string[];
}

const hasTag = (tags: readonly string[], wanted: string) => tags.some((t) => t === wanted || t.startsWith(`${wanted}:`));

/** Failures (the action is not for this customer) and notes (conditions passed unchecked). */
export function checkEligibility(e: Eligibility, c: Customer): { failures: string[]; notes: string[] } {
  const failures: string[] = [];
  const notes: string[] = [];
  const inList = (name: string, value: string | null | undefined, list: readonly string[] | undefined) => {
    if (!list) return;
    if (value == null) failures.push(`${name} unknown (needs ${list.join(' or ')})`);
    else if (!list.includes(value)) failures.push(`${name} ${value} not in ${list.join(', ')}`);
  };
  inList('lifecycle_segment', c.scores.lifecycle_segment, e.lifecycle_segments);
  inList('value_tier', c.scores.value_tier, e.value_tiers);
  inList('potential_tier', c.scores.potential_tier, e.potential_tiers);
  inList('rfm_segment', c.scores.rfm_segment, e.rfm_segments);
  if (e.tags_any && !e.tags_any.some((t) => hasTag(c.tags, t))) failures.push(`has none of the tags ${e.tags_any.join(', ')}`);
  const banned = (e.tags_none ?? []).filter((t) => hasTag(c.tags, t));
  if (banned.length) failures.push(`has excluded tag${banned.length > 1 ? 's' : ''} ${banned.join(', ')}`);

  const bound = (name: string, value: number | undefined, min: number | undefined, max: number | undefined, isPrediction: boolean) => {
    if (min === undefined && max === undefined) return;
    const wanted = [min !== undefined ? `≥ ${f(min)}` : '', max !== undefined ? `≤ ${f(max)}` : ''].filter(Boolean).join(' and ');
    if (value === undefined) {
      if (isPrediction && e.if_prediction_missing === 'pass') notes.push(`${name} unknown: condition ${wanted} not checked (if_prediction_missing: pass)`);
      else failures.push(`${name} unknown (needs ${wanted})${name in MISSING_WHY ? `: ${MISSING_WHY[name as keyof typeof MISSING_WHY]}` : ''}`);
      return;
    }
    if (min !== undefined && value < min) failures.push(`${name} ${f(value)} below min ${f(min)}`);
    if (max !== undefined && value > max) failures.push(`${name} ${f(value)} above max ${f(max)}`);
  };
  bound('purchase_probability', known(c.predictions.purchase_probability), e.min_purchase_probability, e.max_purchase_probability, true);
  bound('churn_probability', known(c.predictions.churn_probability), e.min_churn_probability, e.max_churn_probability, true);
  bound('predicted_clv', known(c.predictions.predicted_clv), e.min_predicted_clv, undefined, true);
  bound('super_user_score', known(c.scores.super_user_score), e.min_super_user_score, undefined, false);
  bound('social_score', known(c.scores.social_score), e.min_social_score, undefined, false);
  return { failures, notes };
}

const MISSING_WHY = {
  purchase_probability: 'model not trained or customer not scored',
  // The churn model covers only customers with an event in its active window (labels.ts).
  churn_probability: 'model not trained, customer not scored, or no recent event: already inactive',
} as const;

/** P(response) from the action's response model, before learning, with the reasons (incl. fallbacks). */
export function modelProbability(action: Pick<Action, 'response_model'>, c: Customer, fallback: Policy['fallback']): { p: number; reasons: string[] } {
  const m = action.response_model;
  const lifecycle = c.scores.lifecycle_segment ?? 'unknown';
  const fromModel = (name: 'purchase_probability' | 'churn_probability'): { value: number; reason?: string } => {
    const v = known(c.predictions[name]);
    if (v !== undefined) return { value: clip01(v) };
    const base = fallback[name][lifecycle];
    return {
      value: base,
      reason: `${name} missing (${MISSING_WHY[name]}): base rate ${f(base)} for lifecycle ${lifecycle} used`,
    };
  };
  switch (m.type) {
    case 'purchase': {
      const { value, reason } = fromModel('purchase_probability');
      const raw = value * m.uplift;
      return { p: clip01(raw), reasons: [...(reason ? [reason] : []), `P = purchase_probability ${f(value)} × uplift ${f(m.uplift)} ${equalsClipped(raw)}`] };
    }
    case 'retention': {
      const { value, reason } = fromModel('churn_probability');
      const raw = value * m.save_rate;
      return { p: clip01(raw), reasons: [...(reason ? [reason] : []), `P = churn_probability ${f(value)} × save_rate ${f(m.save_rate)} ${equalsClipped(raw)}`] };
    }
    case 'referral': {
      const social = known(c.scores.social_score);
      const su = known(c.scores.super_user_score);
      const reasons: string[] = [];
      let s: number;
      if (social !== undefined) s = social;
      else if (su !== undefined) {
        s = su;
        reasons.push(`social_score missing: super_user_score ${f(su)} used instead`);
      } else {
        s = fallback.social_score;
        reasons.push(`social_score and super_user_score missing: base social score ${f(s)} used`);
      }
      const p = clip01((m.max_rate * Math.min(100, Math.max(0, s))) / 100);
      reasons.push(`P = max_rate ${f(m.max_rate)} × social score ${f(s)} / 100 = ${f(p)}`);
      return { p, reasons };
    }
    case 'fixed':
      return { p: clip01(m.base_rate), reasons: [`P = fixed base rate ${f(m.base_rate)}`] };
  }
}

/** Value of one conversion for this customer, with its reason. */
export function actionValue(action: Pick<Action, 'business_value' | 'value_basis' | 'clv_share'>, c: Customer): { value: number; reason: string } {
  if (action.value_basis === 'clv_share' && action.clv_share !== undefined) {
    const clv = known(c.predictions.predicted_clv);
    if (clv !== undefined && clv >= 0) {
      const value = action.clv_share * clv;
      return { value, reason: `value = clv_share ${f(action.clv_share)} × predicted_clv ${f(clv, 2)} = ${f(value, 2)}` };
    }
    return { value: action.business_value, reason: `predicted_clv missing: fixed business_value ${f(action.business_value, 2)} used` };
  }
  return { value: action.business_value, reason: `value = business_value ${f(action.business_value, 2)}` };
}

const CODE_LABEL: Record<Exclusion['code'], string> = {
  disabled: 'disabled',
  placement: 'not for this placement',
  eligibility: 'not eligible',
  consent: 'no consent',
  frequency_cap: 'frequency cap',
  cooldown: 'cooldown',
  priority: 'priority ≤ 0',
};

export function decide(
  input: DecideInput,
  catalog: Pick<ActionCatalog, 'actions'>,
  policy: Policy,
  posteriors: Posteriors,
  rng: UniformRng,
): Decision {
  const now = toMillis(input.now);
  if (!Number.isFinite(now)) throw new ValidationError('now is not a valid date', [{ path: ['now'], message: 'an ISO 8601 date or date-time' }]);
  const table = posteriors instanceof PosteriorTable ? posteriors : new PosteriorTable(posteriors);
  const customer: Customer = { scores: input.scores ?? {}, predictions: input.predictions ?? {}, tags: input.tags ?? [] };
  const consents = input.consents ?? {};
  const history = prepareHistory(input.history ?? [], now);
  const ctx = input.context;
  const where = `${ctx.channel}:${ctx.placement}`;
  const segment = segmentOf(customer.scores, policy.learning.segment_by);

  const ranked: RankedAction[] = [];
  const excluded: ExcludedAction[] = [];
  const exclude = (action_id: string, list: Exclusion[]) =>
    excluded.push({ action_id, codes: [...new Set(list.map((x) => x.code))], reasons: list.map((x) => x.reason) });

  const actions = [...catalog.actions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const action of actions) {
    if (!action.enabled) {
      exclude(action.id, [{ code: 'disabled', reason: 'disabled in the catalog' }]);
      continue;
    }
    if (!action.placements.some((p) => placementMatches(p, ctx))) {
      exclude(action.id, [{ code: 'placement', reason: `not offered in ${where} (placements: ${action.placements.join(', ')})` }]);
      continue;
    }
    const { failures, notes } = checkEligibility(action.eligibility, customer);
    const out: Exclusion[] = failures.map((reason) => ({ code: 'eligibility', reason }));
    out.push(...contactPolicyExclusions(action, consents, history, policy));
    if (out.length) {
      exclude(action.id, out);
      continue;
    }

    const reasons: string[] = [...notes];
    reasons.push(action.consent_required ? `${action.consent_required} consent given` : `no consent needed (${action.channel})`);
    const model = modelProbability(action, customer, policy.fallback);
    reasons.push(...model.reasons);
    const learnt = learnedProbability(model.p, action.id, segment, table, policy.learning, rng);
    reasons.push(learnt.reason);
    const p = clip01(learnt.p);
    const { value, reason: valueReason } = actionValue(action, customer);
    reasons.push(valueReason);
    const cw = contextWeight(policy, action.channel, ctx.placement);
    const gross = safeProduct(p, value, cw, action.lever);
    const priority = gross - action.cost;
    const formula = `priority = ${f(p)} × ${f(value, 2)} × ${f(cw)} × ${f(action.lever)} − ${f(action.cost, 2)} = ${f(priority, 2)}`;
    if (!(priority > 0)) {
      exclude(action.id, [{ code: 'priority', reason: `${formula} ≤ 0: the expected value does not cover the contact cost` }]);
      continue;
    }
    reasons.push(`context weight ${f(cw)} for ${action.channel} in ${ctx.placement}, lever ${f(action.lever)}`, formula);
    ranked.push({
      action_id: action.id,
      description: action.description,
      channel: action.channel,
      octalysis_drive: action.octalysis_drive,
      priority,
      p_response: tidy(p),
      p_model: tidy(model.p),
      value: tidy(value),
      cost: action.cost,
      context_weight: cw,
      lever: action.lever,
      reasons,
    });
  }
  ranked.sort((a, b) => b.priority - a.priority || (a.action_id < b.action_id ? -1 : a.action_id > b.action_id ? 1 : 0));
  for (const r of ranked) r.priority = tidy(r.priority); // after sorting: ranking uses the exact values

  // A group once drawn stays with the person, even if the id they are listed under changes since.
  const control = input.control_group ?? isInControlGroup(input.customer_id, policy.control_group);
  const base = { customer_id: input.customer_id, context: { channel: ctx.channel, placement: ctx.placement }, segment, excluded };
  if (control) {
    const top = ranked[0];
    return {
      ...base,
      control_group: true,
      actions: [],
      withheld: ranked.map((r) => ({ action_id: r.action_id, priority: r.priority })),
      explanation:
        `Customer ${input.customer_id} is in the control group (${f(policy.control_group.share * 100, 2)}% hold-out, ${input.control_group === undefined ? 'drawn from a hash of the salt and the id' : 'as drawn at their first decision'}): ` +
        `no action is taken, so the uplift of next-best actions can be measured. ` +
        (top
          ? `They would have received ${top.action_id} (priority ${f(top.priority, 2)}); record its outcomes against this decision_id and that action_id (the decision keeps the group).`
          : `No action would have qualified anyway. ${summariseExclusions(excluded)}`),
    };
  }
  const top = ranked[0];
  const explanation = top
    ? `${ranked.length} action${ranked.length === 1 ? '' : 's'} qualif${ranked.length === 1 ? 'ies' : 'y'} in ${where}; ` +
      `best: ${top.action_id} (${top.channel}, ${top.octalysis_drive}), ${top.reasons[top.reasons.length - 1]}.` +
      (excluded.length ? ` ${excluded.length} excluded: ${countByCode(excluded)}.` : '')
    : `No action qualifies in ${where}. ${summariseExclusions(excluded)}`;
  return { ...base, control_group: false, actions: ranked, withheld: [], explanation };
}

function countByCode(excluded: readonly ExcludedAction[]): string {
  const counts = new Map<string, number>();
  for (const e of excluded) {
    const code = e.codes[0] ?? 'eligibility';
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].map(([code, n]) => `${CODE_LABEL[code as Exclusion['code']] ?? code} ${n}`).join(', ');
}

function summariseExclusions(excluded: readonly ExcludedAction[]): string {
  if (!excluded.length) return 'The catalog has no actions.';
  const elsewhere = excluded.filter((e) => e.codes.length === 1 && e.codes[0] === 'placement').map((e) => e.action_id);
  const detailed = excluded.filter((e) => !(e.codes.length === 1 && e.codes[0] === 'placement'));
  const parts = detailed.map((e) => `${e.action_id}: ${e.reasons.join('; ')}`);
  if (elsewhere.length) parts.push(`not offered in this placement: ${elsewhere.join(', ')}`);
  return `All ${excluded.length} action${excluded.length === 1 ? ' was' : 's were'} excluded (${countByCode(excluded)}) — ${parts.join(' | ')}.`;
}
