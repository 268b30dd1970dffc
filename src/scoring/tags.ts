import {
  effectiveTagRules,
  type ScoringConfig,
  type TagCondition,
  type TagRule,
  type TagScoreField,
} from '../config/scoring.js';
import type { FeatureFrame } from '../features/frame.js';
import type { Predictions } from './context.js';
import { fmt } from './explain.js';
import { percentileRank, valueAtQuantile } from './quantiles.js';

/**
 * Behaviour tags (seeds 002, 004), declared in config (`tags`; defaults in DEFAULT_TAG_RULES):
 * `{ id, description, when: [{ feature | score, op, value }], strength?, label? }`.
 *
 * - Every condition of `when` must hold. `feature` reads the customer's own feature; `score` reads
 *   the output of another rule (rfm_*, lifecycle_segment, value_tier, super_user_score,
 *   potential_tier, funnel_stage) or a model prediction, so `at_risk_vip` = value_tier in [diamond]
 *   AND lifecycle_segment in [dozing, half_asleep] is one declaration.
 * - `value: {quantile: q}` is the base's q-quantile of that field, read from the context's grid
 *   (exact at multiples of 1/(grid points − 1), interpolated between them).
 * - An empty value (NaN / null) never satisfies a condition, whatever the operator.
 * - `strength` (a numeric feature) gives the tag's strength: the customer's percentile rank of that
 *   feature in the base (0–1; `percentileRank`: a value many customers share gets the middle of their
 *   range, so when every buyer has top_category_share 1 each fan's strength is 0.5, not 0 or 1), or
 *   null when the base has no data for it. Without `strength`: 1.
 * - `label` (a category feature) is appended: `category_fan:Books`. An empty label leaves the bare id.
 */

export interface TagHit {
  /** The tag as shown, e.g. `category_fan:Books`. */
  tag: string;
  /** The rule id, e.g. `category_fan`. */
  id: string;
  strength: number | null;
  /** Null when scored with `explain: false`. */
  reason: string | null;
}

/** What a `score` condition reads for customer i: the other rules' outputs (predictions are read from their columns). */
export type ScoreView = {
  [K in TagScoreField]?: string | number | null;
};

/** Fields whose base quantile grid the context must hold for these rules (`{quantile}` thresholds and strengths). */
export function tagGridFields(config: ScoringConfig): string[] {
  const fields = new Set<string>();
  for (const rule of effectiveTagRules(config)) {
    if (rule.strength !== undefined) fields.add(rule.strength);
    for (const c of rule.when) {
      if (typeof c.value === 'object' && !Array.isArray(c.value)) fields.add(c.feature ?? c.score!);
    }
  }
  return [...fields].sort();
}

interface CompiledCondition {
  field: string;
  /** Numeric feature column or prediction column; null for rule outputs / category fields. */
  column: ArrayLike<number> | null;
  categories: (string | null)[] | null;
  score: TagScoreField | null;
  op: TagCondition['op'];
  number: number;
  strings: readonly string[];
  /** "(p75)" when the threshold is a quantile. */
  note: string;
  /** The condition, specialised at compile time for its field kind and operator. */
  test: (i: number, view: ScoreView) => boolean;
}

export interface CompiledTagRule {
  id: string;
  conditions: CompiledCondition[];
  /**
   * The conditions on columns (features, predictions) evaluated for the whole frame at once:
   * 1 where they all hold. The conditions on other rules' outputs (`late`) run per customer.
   */
  pre: Uint8Array | null;
  late: CompiledCondition[];
  /** `id:label` strings already built, by label. */
  names: Map<string, string>;
  strengthColumn: Float64Array | null;
  strengthGrid: number[] | null;
  label: (string | null)[] | null;
}

export type QuantileGrids = Record<string, number[] | null>;

const PREDICTION_FIELDS: ReadonlySet<TagScoreField> = new Set(['purchase_probability', 'churn_probability', 'predicted_clv']);
const NONE: ArrayLike<number> = { length: 0 };

function compileCondition(
  c: TagCondition,
  frame: FeatureFrame,
  grids: QuantileGrids,
  ruleId: string,
  predictions: Predictions,
): CompiledCondition {
  const field = c.feature ?? c.score!;
  let number = Number.NaN;
  let strings: readonly string[] = [];
  let note = '';
  if (typeof c.value === 'number') number = c.value;
  else if (typeof c.value === 'string') strings = [c.value];
  else if (Array.isArray(c.value)) strings = c.value;
  else {
    if (!(field in grids)) {
      throw new Error(`Tag rule "${ruleId}": the scoring context has no quantile grid for "${field}"; recompute the context with this config`);
    }
    const grid = grids[field];
    number = grid ? valueAtQuantile(grid, c.value.quantile) : Number.NaN; // no data in the base: never holds
    note = ` (p${fmt(c.value.quantile * 100)})`;
  }
  // A prediction that was not given reads as empty (NONE[i] is undefined → treated as NaN).
  const column =
    c.feature !== undefined
      ? (frame.numeric[c.feature] ?? null)
      : PREDICTION_FIELDS.has(c.score!)
        ? (predictions[c.score as keyof Predictions] ?? NONE)
        : null;
  const categories = c.feature !== undefined && column === null ? (frame.categorical[c.feature] ?? null) : null;
  if (c.feature !== undefined && column === null && categories === null) throw new Error(`Feature frame has no column "${c.feature}" (tag rule "${ruleId}")`);
  const test = specialise(column, categories, c.score ?? null, c.op, number, strings);
  return { field, column, categories, score: c.score ?? null, op: c.op, number, strings, note, test };
}

/** Builds the condition's test once, so evaluating it per customer is a direct comparison. */
function specialise(
  column: ArrayLike<number> | null,
  categories: (string | null)[] | null,
  score: TagScoreField | null,
  op: TagCondition['op'],
  t: number,
  strings: readonly string[],
): (i: number, view: ScoreView) => boolean {
  const numeric = (cmp: (v: number) => boolean) => {
    if (column !== null) return (i: number) => cmp(column[i] ?? Number.NaN);
    return (_i: number, view: ScoreView) => {
      const v = view[score!];
      return typeof v === 'number' && cmp(v);
    };
  };
  // The common case, a feature column with an ordered comparison, as one direct closure
  // (NaN, the empty value, fails every ordered comparison).
  if (column instanceof Float64Array && !Number.isNaN(t)) {
    if (op === '>=') return (i: number) => column[i]! >= t;
    if (op === '>') return (i: number) => column[i]! > t;
    if (op === '<=') return (i: number) => column[i]! <= t;
    if (op === '<') return (i: number) => column[i]! < t;
  }
  const text = (cmp: (v: string) => boolean) => {
    if (categories !== null) return (i: number) => {
      const v = categories[i];
      return typeof v === 'string' && cmp(v);
    };
    return (_i: number, view: ScoreView) => {
      const v = view[score!];
      return typeof v === 'string' && cmp(v);
    };
  };
  if (op === 'in' || op === 'not_in' || ((op === '==' || op === '!=') && strings.length > 0)) {
    const set = new Set(strings);
    return op === 'in' || op === '==' ? text((v) => set.has(v)) : text((v) => !set.has(v));
  }
  if (Number.isNaN(t)) return () => false; // a {quantile} of a field with no data in the base never holds
  // NaN fails every ordered comparison; == and != check it explicitly.
  switch (op) {
    case '>=':
      return numeric((v) => v >= t);
    case '>':
      return numeric((v) => v > t);
    case '<=':
      return numeric((v) => v <= t);
    case '<':
      return numeric((v) => v < t);
    case '==':
      return numeric((v) => v === t);
    case '!=':
      return numeric((v) => !Number.isNaN(v) && v !== t);
  }
}

function compileTagRules(
  frame: FeatureFrame,
  grids: QuantileGrids,
  config: ScoringConfig,
  predictions: Predictions = NO_PREDICTIONS,
): CompiledTagRule[] {
  const none: ScoreView = {};
  return effectiveTagRules(config).map((rule: TagRule) => {
    const conditions = rule.when.map((c) => compileCondition(c, frame, grids, rule.id, predictions));
    const early = conditions.filter((c) => c.column !== null || c.categories !== null);
    let pre: Uint8Array | null = null;
    if (early.length > 0) {
      pre = new Uint8Array(frame.n).fill(1);
      for (const c of early) {
        const test = c.test;
        for (let i = 0; i < frame.n; i++) if (pre[i] === 1 && !test(i, none)) pre[i] = 0;
      }
    }
    return {
      id: rule.id,
      conditions,
      pre,
      late: conditions.filter((c) => !early.includes(c)),
      names: new Map<string, string>(),
      strengthColumn: rule.strength !== undefined ? (frame.numeric[rule.strength] ?? null) : null,
      strengthGrid: rule.strength !== undefined ? (grids[rule.strength] ?? null) : null,
      label: rule.label !== undefined ? (frame.categorical[rule.label] ?? null) : null,
    };
  });
}

/** The value a condition reads for customer i (NaN / null = empty), for the reason text. */
function read(c: CompiledCondition, i: number, view: ScoreView): number | string | null {
  if (c.column !== null) return c.column[i] ?? Number.NaN;
  if (c.categories !== null) return c.categories[i] ?? null;
  const v = view[c.score!];
  return v === undefined ? null : v;
}

function describe(c: CompiledCondition, v: number | string | null): string {
  if (typeof v === 'number') return `${c.field} ${fmt(v)} ${c.op} ${fmt(c.number)}${c.note}`;
  const target = c.op === 'in' || c.op === 'not_in' ? `[${c.strings.join(', ')}]` : (c.strings[0] ?? '');
  return `${c.field} ${v} ${c.op === '==' ? 'is' : c.op === '!=' ? 'is not' : c.op === 'in' ? 'in' : 'not in'} ${target}`;
}

const NO_PREDICTIONS: Predictions = Object.freeze({});
const compiledByFrame = new WeakMap<FeatureFrame, { grids: QuantileGrids; config: ScoringConfig; predictions: Predictions; rules: CompiledTagRule[] }>();

/**
 * compileTagRules, kept with the frame (frames are not changed once built). The service scores one
 * row of its scored base on every profile request, and compiling tests the column conditions over
 * all n rows: the rules compiled when the base was scored are reused while the frame, grids, config
 * and predictions are the same objects.
 */
export function tagRulesFor(
  frame: FeatureFrame,
  grids: QuantileGrids,
  config: ScoringConfig,
  predictions: Predictions = NO_PREDICTIONS,
): CompiledTagRule[] {
  const cached = compiledByFrame.get(frame);
  if (cached && cached.grids === grids && cached.config === config && cached.predictions === predictions) return cached.rules;
  const rules = compileTagRules(frame, grids, config, predictions);
  compiledByFrame.set(frame, { grids, config, predictions, rules });
  return rules;
}

/** Shared by every customer without tags (frozen: never mutate a score's tag list). */
export const NO_TAGS = Object.freeze([]) as unknown as TagHit[];

/** The tags of customer i (with reasons when `explain`). */
export function evaluateTags(rules: readonly CompiledTagRule[], i: number, view: ScoreView, explain = true): TagHit[] {
  let hits: TagHit[] | null = null;
  for (const rule of rules) {
    if (rule.pre !== null && rule.pre[i] === 0) continue;
    let ok = true;
    for (const c of rule.late) {
      if (!c.test(i, view)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    const label = rule.label !== null ? (rule.label[i] ?? null) : null;
    let strength: number | null = 1;
    if (rule.strengthColumn !== null) {
      const v = rule.strengthColumn[i]!;
      strength = rule.strengthGrid !== null && !Number.isNaN(v) ? percentileRank(rule.strengthGrid, v) : null;
    }
    let tag = rule.id;
    if (label !== null && label !== '') {
      let name = rule.names.get(label);
      if (name === undefined) rule.names.set(label, (name = `${rule.id}:${label}`));
      tag = name;
    }
    const reason = explain ? `${tag}: ${rule.conditions.map((c) => describe(c, read(c, i, view))).join(', ')}` : null;
    (hits ??= []).push({ tag, id: rule.id, strength, reason });
  }
  return hits ?? NO_TAGS;
}
