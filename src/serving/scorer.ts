import type { ScoringConfig } from '../config/scoring.js';
import { NotFoundError } from '../domain/errors.js';
import { SingleCustomerFeatures } from '../features/build.js';
import { latestEventDay, type AsOf } from '../features/as-of.js';
import { frameRow, sliceFrame, type FeatureFrame } from '../features/frame.js';
import { scoreFrame, type BaseSummary, type CustomerScore, type Predictions } from '../scoring/index.js';
import type { Db } from '../store/database.js';
import { scoreBase, slicePredictions, type PredictFn, type ScoredBase } from './base-scores.js';
import { personOfCustomer } from './customer-lookup.js';

export interface CustomerProfile {
  customer_id: string;
  person_id: number;
  as_of: AsOf;
  scores: CustomerScore;
  features: Record<string, number | string | null>;
  predictions: Record<string, number | null> | null;
  /** Why: the top features pushing each probability up or down, and how the CLV comes about. */
  explanations: Record<string, unknown> | null;
}

/** Explanations of one row's predictions (from the loaded models). */
export type ExplainFn = (frame: FeatureFrame, i: number) => object | undefined;

interface Fresh {
  frame: FeatureFrame;
  predictions: Predictions | undefined;
  asOf: AsOf;
}

/**
 * Scores for the service: the whole base is scored once (and on refresh) for summaries, lists and
 * base statistics; a customer whose events arrived since is rebuilt alone through the same feature
 * builder on the next request, so fresh events count without a batch rerun.
 */
export class CustomerScorer {
  private base: ScoredBase | undefined;
  private readonly dirty = new Set<number>();
  private readonly fresh = new Map<number, Fresh>();
  private readonly single: SingleCustomerFeatures;

  constructor(
    private readonly db: Db,
    private readonly config: ScoringConfig,
    private readonly options: { asOf?: AsOf; predict?: PredictFn; explain?: ExplainFn } = {},
  ) {
    this.single = new SingleCustomerFeatures(db);
  }

  /** Rescores the whole base (at start-up, after model changes, periodically). */
  async refresh(): Promise<ScoredBase | undefined> {
    const asOf = this.options.asOf ?? (await latestEventDay(this.db));
    const base = asOf ? await scoreBase(this.db, asOf, this.config, this.options.predict) : undefined;
    this.base = base;
    this.fresh.clear();
    this.dirty.clear();
    return base;
  }

  get current(): ScoredBase | undefined {
    return this.base;
  }

  /** Marks customers whose events changed; their scores are rebuilt on the next request. */
  invalidate(personIds: Iterable<number>): void {
    for (const id of personIds) {
      this.dirty.add(id);
      this.fresh.delete(id);
    }
  }

  summary(): BaseSummary | undefined {
    return this.base?.summary;
  }

  async profile(customerId: string): Promise<CustomerProfile> {
    const personId = await personOfCustomer(this.db, customerId);
    const { frame, predictions, asOf } = await this.customerFrame(personId);
    const base = this.base!;
    const [scores] = scoreFrame(frame, base.context, this.config, predictions, { explain: true });
    return {
      customer_id: frame.customerIds[0]!,
      person_id: personId,
      as_of: asOf,
      scores: scores!,
      features: frameRow(frame, 0),
      predictions: predictions ? predictionRow(predictions) : null,
      explanations: (this.options.explain?.(frame, 0) as Record<string, unknown> | undefined) ?? null,
    };
  }

  private async customerFrame(personId: number): Promise<Fresh> {
    if (!this.base) throw new NotFoundError('No customer has been scored yet: the store has no events');
    const cached = this.fresh.get(personId);
    if (cached) return cached;
    const index = this.base.indexByPerson.get(personId);
    if (index !== undefined && !this.dirty.has(personId)) {
      return { frame: sliceFrame(this.base.frame, index), predictions: slicePredictions(this.base.predictions, index), asOf: this.base.asOf };
    }
    // New or changed since the base was scored: rebuild this one customer as of the latest day.
    const latest = (await latestEventDay(this.db)) ?? this.base.asOf;
    const asOf = this.options.asOf ?? (latest > this.base.asOf ? latest : this.base.asOf);
    const frame = await this.single.build(personId, asOf);
    if (frame.n === 0) throw new NotFoundError(`Customer ${personId} has no events or profile as of ${asOf}`);
    const predictions = this.options.predict ? await this.options.predict(frame) : undefined;
    const fresh = { frame, predictions, asOf };
    this.fresh.set(personId, fresh);
    this.dirty.delete(personId);
    return fresh;
  }
}

function predictionRow(predictions: Predictions): Record<string, number | null> {
  const row: Record<string, number | null> = {};
  for (const [key, values] of Object.entries(predictions)) {
    const v = (values as ArrayLike<number> | undefined)?.[0];
    row[key] = v === undefined || Number.isNaN(v) ? null : v;
  }
  return row;
}
