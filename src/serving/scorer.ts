import type { ScoringConfig } from '../config/scoring.js';
import { NotFoundError } from '../domain/errors.js';
import { CustomerFeatures } from '../features/customer-features.js';
import { latestEventDay, type AsOf } from '../features/as-of.js';
import { frameRow, type FeatureFrame } from '../features/frame.js';
import { scoreFrame, type BaseSummary, type CustomerScore, type Predictions } from '../scoring/index.js';
import type { Db } from '../store/database.js';
import { predictionRow, scoreBase, type PredictFn, type ScoredBase } from './base-scores.js';
import type { FrameExplanations, ModelVersions } from '../ml/serving/model-set.js';
import { consentBitsOf } from './consents.js';
import { personOfCustomer } from './customer-lookup.js';

export interface CustomerProfile {
  customer_id: string;
  person_id: number;
  as_of: AsOf;
  scores: CustomerScore;
  features: Record<string, number | string | null>;
  predictions: Record<string, number | null> | null;
  /** The model versions behind `predictions`. */
  model_versions: ModelVersions;
  /** Why: the top features pushing each probability up or down, and how the CLV comes about. */
  explanations: Record<string, unknown> | null;
}

const NO_MODELS: ModelVersions = Object.freeze({ purchase: null, churn: null, clv: null });

/** Explanations of one row's predictions (from the loaded models). */
export type ExplainFn = (frame: FeatureFrame, i: number) => object | undefined;
/** The same for every row of a frame, made at once (for the scored base). */
export type ExplainFrameFn = (frame: FeatureFrame) => Promise<FrameExplanations | undefined>;

interface Fresh {
  /** The rebuild's frame; this customer is row `index`. */
  frame: FeatureFrame;
  index: number;
  predictions: Predictions | undefined;
  asOf: AsOf;
  versions: ModelVersions;
  /** Scores without reasons and consent bits, made on first use. */
  score?: CustomerScore;
  consents?: number;
}

/**
 * One customer's current scores and predictions without reason text (cheap: read from the scored
 * base, or from the customer's fresh rebuild): what next-best-action and batch predictions need.
 */
export interface CustomerState {
  customer_id: string;
  person_id: number;
  as_of: AsOf;
  score: CustomerScore;
  predictions: Record<string, number | null> | null;
  /** Consent bits (consents.ts). */
  consents: number;
  /** The model versions behind `predictions`. */
  model_versions: ModelVersions;
  /** The features behind them: row `index` of `frame` (for model explanations). */
  frame: FeatureFrame;
  index: number;
}

/**
 * Scores for the service: the whole base is scored once (and on refresh) for summaries, lists and
 * base statistics; a customer whose events arrived since is rebuilt alone through the same feature
 * builder on the next request, so fresh events count without a batch rerun.
 */
export class CustomerScorer {
  private base: ScoredBase | undefined;
  /**
   * Customers whose events changed since the base's data was read, with the invalidation that marked
   * them last. Their base row is stale: they are served from their rebuild (`fresh`) once it lands.
   */
  private readonly changed = new Map<number, number>();
  private invalidations = 0;
  /** Bumped when a new base is in place: a rebuild begun before it must not land after it. */
  private baseEpoch = 0;
  private readonly fresh = new Map<number, Fresh>();
  /** The customer id of each rebuilt person, so a customer new since the base is found without the store. */
  private readonly freshByCustomer = new Map<string, number>();
  /** Rebuilds under way (started when the events arrived), awaited by a request that needs one. */
  private readonly pending = new Map<number, Promise<Fresh | undefined>>();
  private refreshes: Promise<unknown> = Promise.resolve();
  private readonly single: CustomerFeatures;
  private baseVersions: ModelVersions = NO_MODELS;
  /** The base's explanations, made with its predictions (a profile from the base only reads them). */
  private baseExplanations: FrameExplanations | undefined;

  constructor(
    private readonly db: Db,
    private readonly config: ScoringConfig,
    private readonly options: {
      asOf?: AsOf;
      predict?: PredictFn;
      explain?: ExplainFn;
      explainFrame?: ExplainFrameFn;
      /** The versions `predict` answers with, read just before it runs (so answers name the models that made them). */
      modelVersions?: () => ModelVersions;
    } = {},
  ) {
    this.single = new CustomerFeatures(db);
  }

  /**
   * Rescores the whole base (at start-up, after model changes, periodically). Calls run one after
   * another, so a base scored with older models or data never replaces a newer one.
   */
  refresh(): Promise<ScoredBase | undefined> {
    const run = this.refreshes.then(() => this.refreshNow());
    this.refreshes = run.catch(() => undefined);
    return run;
  }

  private async refreshNow(): Promise<ScoredBase | undefined> {
    const invalidationsBefore = this.invalidations;
    const asOf = this.options.asOf ?? (await latestEventDay(this.db));
    const versions = this.versionsNow();
    const base = asOf ? await scoreBase(this.db, asOf, this.config, this.options.predict) : undefined;
    const explanations = base && this.options.explainFrame ? await this.options.explainFrame(base.frame) : undefined;
    this.baseVersions = versions;
    this.baseExplanations = explanations;
    this.base = base;
    this.baseEpoch++;
    this.fresh.clear();
    this.freshByCustomer.clear();
    this.pending.clear();
    // Events that arrived while the base was being scored may be missing from it: those customers
    // stay changed, and are rebuilt against the new base.
    for (const [id, mark] of this.changed) if (mark <= invalidationsBefore) this.changed.delete(id);
    if (base && this.changed.size > 0) this.rebuild([...this.changed.keys()]);
    return base;
  }

  get current(): ScoredBase | undefined {
    return this.base;
  }

  /** The model versions the scored base was predicted with. */
  get modelVersions(): ModelVersions {
    return this.baseVersions;
  }

  private versionsNow(): ModelVersions {
    return this.options.modelVersions?.() ?? NO_MODELS;
  }

  /**
   * Marks customers whose events changed and starts rebuilding them at once, all in one read, so
   * the next request usually finds them ready; a request that comes first waits for the rebuild.
   */
  invalidate(personIds: Iterable<number>): void {
    const mark = ++this.invalidations;
    const ids = [...new Set(personIds)];
    for (const id of ids) {
      this.changed.set(id, mark);
      this.fresh.delete(id);
    }
    if (this.base && ids.length > 0) this.rebuild(ids);
  }

  /** Resolves when every rebuild under way has finished (landed or not). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending.values()]);
  }

  summary(): BaseSummary | undefined {
    return this.base?.summary;
  }

  /**
   * The person behind a customer id: from the scored base when it lists the id, else from the store.
   * Surrounding spaces are dropped, as ingest drops them from the ids it stores.
   */
  async personOf(asked: string): Promise<number> {
    const customerId = asked.trim();
    const index = this.base?.indexByCustomer.get(customerId);
    if (index !== undefined) {
      const personId = this.base!.frame.personIds[index]!;
      // A person changed and not yet rebuilt may since have been merged into another: ask the store.
      if (!this.changed.has(personId) || this.fresh.has(personId)) return personId;
    }
    const rebuilt = this.freshByCustomer.get(customerId);
    const fresh = rebuilt === undefined ? undefined : this.fresh.get(rebuilt);
    if (fresh && fresh.frame.customerIds[fresh.index] === customerId) return rebuilt!;
    return personOfCustomer(this.db, customerId);
  }

  async state(customerId: string): Promise<CustomerState> {
    const personId = await this.personOf(customerId);
    const row = await this.customerRow(personId);
    const { frame, index, fresh } = row;
    let score: CustomerScore;
    let consents: number;
    if (fresh) {
      score = fresh.score ??= scoreFrame(frame, this.base!.context, this.config, fresh.predictions, { explain: false, rows: [index] })[0]!;
      consents = fresh.consents ??= await consentBitsOf(this.db, personId);
    } else {
      score = this.base!.scores[index]!;
      consents = this.base!.consents[index]!;
    }
    return {
      customer_id: frame.customerIds[index]!,
      person_id: personId,
      as_of: row.asOf,
      score,
      predictions: predictionRow(row.predictions, index),
      consents,
      model_versions: row.versions,
      frame,
      index,
    };
  }

  async profile(customerId: string): Promise<CustomerProfile> {
    const personId = await this.personOf(customerId);
    const { frame, index, predictions, asOf, versions } = await this.customerRow(personId);
    const base = this.base!;
    const [scores] = scoreFrame(frame, base.context, this.config, predictions, { explain: true, rows: [index] });
    return {
      customer_id: frame.customerIds[index]!,
      person_id: personId,
      as_of: asOf,
      scores: scores!,
      features: frameRow(frame, index),
      predictions: predictionRow(predictions, index),
      model_versions: versions,
      explanations: (this.explanations({ frame, index }) as Record<string, unknown> | undefined) ?? null,
    };
  }

  /**
   * Why the models predict what they do for a customer: for a row of the scored base, the
   * explanations made in batch with its predictions (read, not computed); for a customer rebuilt
   * since, the serving models' explanation of their fresh row.
   */
  explanations(row: Pick<CustomerState, 'frame' | 'index'>): object | undefined {
    if (this.baseExplanations && row.frame === this.base?.frame) return this.baseExplanations.row(row.index);
    return this.options.explain?.(row.frame, row.index);
  }

  /**
   * Where a customer's current features and predictions are: their row of the scored base (read in
   * place: nothing copied, and the tag rules compiled for the base are reused), or — new or changed
   * since the base was scored — their fresh rebuild (`fresh`, row 0).
   */
  private async customerRow(personId: number): Promise<Omit<Fresh, 'score' | 'consents'> & { index: number; fresh?: Fresh }> {
    const base = this.base;
    const index = base?.indexByPerson.get(personId);
    if (base && index !== undefined && !this.changed.has(personId) && !this.fresh.has(personId)) {
      return { frame: base.frame, index, predictions: base.predictions, asOf: base.asOf, versions: this.baseVersions };
    }
    const fresh = await this.customerFrame(personId);
    return { ...fresh, fresh };
  }

  private async customerFrame(personId: number): Promise<Fresh> {
    if (!this.base) throw new NotFoundError('No customer has been scored yet: the store has no events');
    const cached = this.fresh.get(personId);
    if (cached) return cached;
    const fresh = (await this.pending.get(personId)?.catch(() => undefined)) ?? this.fresh.get(personId) ?? (await this.rebuild([personId]).get(personId));
    if (!fresh) throw new NotFoundError(`Customer ${personId} has no events or profile as of ${this.base.asOf}`);
    return fresh;
  }

  /**
   * Rebuilds customers new or changed since the base was scored, as of the latest day, through
   * the per-customer feature path (one read for all of them). A result lands only if nothing
   * newer came in the meantime: no later events for the customer, no new base.
   */
  private rebuild(personIds: number[]): Map<number, Promise<Fresh | undefined>> {
    const marks = new Map(personIds.map((id) => [id, this.changed.get(id)]));
    const epoch = this.baseEpoch;
    const built = (async () => {
      const base = this.base!;
      const latest = (await latestEventDay(this.db)) ?? base.asOf;
      const asOf = this.options.asOf ?? (latest > base.asOf ? latest : base.asOf);
      const frame = await this.single.build(personIds, asOf);
      const versions = this.versionsNow();
      const predictions = this.options.predict && frame.n > 0 ? await this.options.predict(frame) : undefined;
      const out = new Map<number, Fresh>();
      frame.personIds.forEach((id, index) => out.set(id, { frame, index, predictions, asOf, versions }));
      return out;
    })();
    const promises = new Map<number, Promise<Fresh | undefined>>();
    for (const id of personIds) {
      const promise = built.then((out) => {
        const fresh = out.get(id);
        if (fresh && this.baseEpoch === epoch && this.changed.get(id) === marks.get(id)) {
          this.fresh.set(id, fresh);
          this.freshByCustomer.set(fresh.frame.customerIds[fresh.index]!, id);
        }
        if (this.pending.get(id) === promise) this.pending.delete(id);
        return fresh;
      });
      // Handled here, so a failed background rebuild is no unhandled rejection; the request that
      // needs the customer then rebuilds them itself.
      promise.catch(() => {
        if (this.pending.get(id) === promise) this.pending.delete(id);
      });
      this.pending.set(id, promise);
      promises.set(id, promise);
    }
    return promises;
  }
}
