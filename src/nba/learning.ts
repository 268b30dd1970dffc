import { z } from 'zod';
import type { Policy } from './catalog.js';
import { betaVariate, logGammaVariate, type VariateSource } from '../util/gamma-variate.js';

/**
 * Learning from outcomes: a Beta-Bernoulli posterior of the response rate per action × segment, and
 * Thompson sampling from it.
 *
 * Segment. Outcomes are pooled per action and *lifecycle segment* by default (`policy.learning.
 * segment_by`; `potential_tier` or `value_tier` may be chosen instead). The lifecycle segment is
 * chosen because response to an action depends most on where the customer is in the relationship
 * (a win-back works on the dozing, not on core customers), because it is computed from events alone
 * (it exists before any model is trained) and because its five groups keep enough outcomes per cell
 * to learn quickly. A customer without the score is pooled in the segment `unknown`.
 *
 * Prior. Centred on the model-based P of that action in that segment: m = Σ p_model / shown, the mean
 * of the P the engine predicted for the customers who were shown it (decide() returns `p_model` so
 * the caller can record it with the outcome). When that sum was not recorded, m is the current
 * customer's own model-based P. Strength s = `prior_strength` pseudo-counts (default 20):
 *   α = s·m + converted,  β = s·(1 − m) + (shown − converted).
 * With s = 20 the first 20 outcomes weigh as much as the model; after a few hundred the data decide.
 *
 * Use. θ is drawn from Beta(α, β) (mode `thompson`) or is the posterior mean α/(α+β) (mode `mean`).
 * The customer's P is scaled by how the segment actually responds relative to what the model expected:
 *   P_adjusted = clip(P_customer × θ / m, 0, 1).
 * So differences between customers (from the models) are kept, and the level is corrected by the
 * feedback. No outcomes yet for a cell (no record or shown = 0): P is left as the model gives it —
 * exploration then comes from the model P alone, and sampling starts with the first outcomes.
 */

/** A source of uniform numbers in [0, 1); seeded for reproducibility (e.g. createRng of src/ml/random.ts). */
export interface UniformRng {
  next(): number;
}

/** Outcome counts of one action in one segment. */
export const OutcomeStatsSchema = z.object({
  action_id: z.string(),
  segment: z.string(),
  shown: z.number().int().min(0),
  converted: z.number().int().min(0),
  /** Σ of the model-based P (decide's `p_model`) of the customers shown; centres the prior. */
  p_model_sum: z.number().min(0).optional(),
});
export type OutcomeStats = z.infer<typeof OutcomeStatsSchema>;

export type SegmentBy = Policy['learning']['segment_by'];

export function segmentOf(scores: Partial<Record<SegmentBy, string | null | undefined>>, by: SegmentBy): string {
  return scores[by] ?? 'unknown';
}

const key = (actionId: string, segment: string) => `${actionId}\u0000${segment}`;

/** Outcome counts looked up by action and segment (duplicate rows are added up). */
export class PosteriorTable {
  private readonly cells = new Map<string, OutcomeStats>();

  constructor(stats: Iterable<OutcomeStats> = []) {
    for (const s of stats) this.add(s);
  }

  add(s: OutcomeStats): void {
    const k = key(s.action_id, s.segment);
    const prev = this.cells.get(k);
    if (!prev) {
      this.cells.set(k, { ...s });
      return;
    }
    prev.shown += s.shown;
    prev.converted += s.converted;
    if (prev.p_model_sum !== undefined && s.p_model_sum !== undefined) prev.p_model_sum += s.p_model_sum;
    else delete prev.p_model_sum;
  }

  get(actionId: string, segment: string): OutcomeStats | undefined {
    return this.cells.get(key(actionId, segment));
  }

  all(): OutcomeStats[] {
    return [...this.cells.values()];
  }
}

/** Counts outcome records into per action × segment stats (for callers that keep raw outcomes). */
export function aggregateOutcomes(
  records: Iterable<{ action_id: string; segment: string; converted: boolean; p_model?: number | null }>,
): OutcomeStats[] {
  const table = new Map<string, OutcomeStats & { missingP: boolean }>();
  for (const r of records) {
    const k = key(r.action_id, r.segment);
    let s = table.get(k);
    if (!s) table.set(k, (s = { action_id: r.action_id, segment: r.segment, shown: 0, converted: 0, p_model_sum: 0, missingP: false }));
    s.shown++;
    if (r.converted) s.converted++;
    if (typeof r.p_model === 'number' && Number.isFinite(r.p_model)) s.p_model_sum! += r.p_model;
    else s.missingP = true;
  }
  return [...table.values()].map(({ missingP, ...s }) => (missingP ? { action_id: s.action_id, segment: s.segment, shown: s.shown, converted: s.converted } : s));
}

const EPS = 1e-4;
const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export interface Posterior {
  alpha: number;
  beta: number;
  prior_mean: number;
  mean: number;
}

/** Beta posterior with the prior centred on `priorMean` (clipped to [1e-4, 1 − 1e-4]) with `strength` pseudo-counts. */
export function posterior(priorMean: number, strength: number, shown: number, converted: number): Posterior {
  const m = clip(Number.isFinite(priorMean) ? priorMean : 0.5, EPS, 1 - EPS);
  const n = Math.max(0, shown);
  const k = clip(converted, 0, n);
  const alpha = strength * m + k;
  const beta = strength * (1 - m) + (n - k);
  return { alpha, beta, prior_mean: m, mean: alpha / (alpha + beta) };
}

/** Gamma(shape, 1) (util/gamma-variate.ts) from the learning's generator. */
export function sampleGamma(shape: number, rng: UniformRng): number {
  return Math.exp(logGammaVariate(shape, variateSource(rng)));
}

/** Beta(a, b) (util/gamma-variate.ts) from the learning's generator. */
export function sampleBeta(a: number, b: number, rng: UniformRng): number {
  return betaVariate(a, b, variateSource(rng));
}

function variateSource(rng: UniformRng): VariateSource {
  // 1 − next() is in (0, 1]; Box–Muller from two uniforms.
  const uniform = () => 1 - rng.next();
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * rng.next()) };
}

export interface LearningResult {
  /** P after learning. */
  p: number;
  /** θ / m, the multiplier applied to the customer's P (1 when nothing was learnt). */
  factor: number;
  segment: string;
  /** null when no outcomes were used. */
  posterior: (Posterior & { shown: number; converted: number; rate: number }) | null;
  reason: string;
}

const f3 = (x: number) => (Math.round(x * 1000) / 1000).toString();

/** Adjusts a customer's model-based P for one action by the outcomes of its segment (see the module comment). */
export function learnedProbability(
  pModel: number,
  actionId: string,
  segment: string,
  table: PosteriorTable,
  learning: Pick<Policy['learning'], 'prior_strength' | 'mode' | 'segment_by'>,
  rng: UniformRng,
): LearningResult {
  const stats = table.get(actionId, segment);
  const where = `${learning.segment_by} ${segment}`;
  if (learning.mode === 'off') return { p: pModel, factor: 1, segment, posterior: null, reason: 'learning off: model P used as is' };
  if (!stats || stats.shown <= 0) {
    return { p: pModel, factor: 1, segment, posterior: null, reason: `no outcomes yet for ${where}: model P used as is` };
  }
  const priorMean = stats.p_model_sum !== undefined ? stats.p_model_sum / stats.shown : pModel;
  const post = posterior(priorMean, learning.prior_strength, stats.shown, stats.converted);
  const rate = learning.mode === 'thompson' ? sampleBeta(post.alpha, post.beta, rng) : post.mean;
  const factor = rate / post.prior_mean;
  const p = clip(pModel * factor, 0, 1);
  const how = learning.mode === 'thompson' ? 'sampled rate' : 'posterior mean';
  return {
    p,
    factor,
    segment,
    posterior: { ...post, shown: stats.shown, converted: Math.min(stats.converted, stats.shown), rate },
    reason:
      `learning (${where}): ${stats.converted}/${stats.shown} converted, prior mean ${f3(post.prior_mean)} × ${learning.prior_strength} pseudo-counts → ` +
      `Beta(${f3(post.alpha)}, ${f3(post.beta)}), ${how} ${f3(rate)}; P × ${f3(factor)} = ${f3(p)}`,
  };
}
