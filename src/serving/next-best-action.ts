import { listValue } from '@duckdb/node-api';
import crypto from 'node:crypto';
import { issuesFromZod, ValidationError, type Issue } from '../domain/errors.js';
import {
  createRng,
  decide,
  experimentReport,
  OutcomeInputSchema,
  toMillis,
  type ActionCatalog,
  type Decision,
  type DecisionContext,
  type ExperimentReport,
  type UniformRng,
} from '../nba/index.js';
import { attributePurchases, type AttributablePurchase } from '../nba/attribution.js';
import { DAY_MS } from '../nba/vocab.js';
import { DEFAULT_FUTURE_TOLERANCE_HOURS, latestAcceptedTime } from '../ingest/rules.js';
import type { ModelVersions } from '../ml/serving/model-set.js';
import type { Db, Store } from '../store/database.js';
import { consentsFromBits } from './consents.js';
import { ControlAssignments, controlDraw } from './control-assignments.js';
import { DecisionLog, type DecisionLogOptions, type LoggedDecision } from './decision-log.js';
import { OutcomeLedger, type OutcomeEntry } from './outcome-ledger.js';
import type { CustomerScorer } from './scorer.js';

export interface NbaRequest {
  customer_id: string;
  context: DecisionContext;
  /** Decide as of this moment (replays, tests); default now. */
  now?: string;
}

export type NbaAnswer = Decision & { decision_id: string; decided_at: string; as_of: string; model_versions: ModelVersions };

export interface OutcomeSummary {
  received: number;
  recorded: number;
  duplicates: number;
  rejected: number;
  issues: Issue[];
}

export interface NbaServiceOptions {
  /** Uniform random numbers for Thompson sampling (seed it in tests); default seeded from the clock. */
  rng?: UniformRng;
  decisionLog?: DecisionLogOptions;
  /** The wall clock (tests). */
  clock?: () => Date;
}

/**
 * How long before its decision an outcome may be dated. The decision is stamped by this service's
 * clock, the outcome by the caller's (a mailer, a shop): NTP keeps two clocks within seconds, and
 * 5 minutes also covers a sender that rounds its times down to the minute.
 */
export const OUTCOME_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Why an outcome cannot be dated `ts`, or null when it can. Later than now + the events route's
 * future tolerance (a contact dated ahead would escape caps and cooldowns until then), or before its
 * decision minus the clock skew (it cannot have happened before the action was chosen; a contact
 * dated years back never starts a cooldown).
 */
export function outcomeTsProblem(ts: Date, decidedAt: Date, now: Date): string | null {
  if (ts > latestAcceptedTime(now)) {
    return `ts ${ts.toISOString()} is in the future (after the server time ${now.toISOString()} + ${DEFAULT_FUTURE_TOLERANCE_HOURS} h)`;
  }
  if (ts.getTime() < decidedAt.getTime() - OUTCOME_CLOCK_SKEW_MS) {
    return (
      `ts ${ts.toISOString()} is before its decision (decided at ${decidedAt.toISOString()}, ` +
      `${OUTCOME_CLOCK_SKEW_MS / 60_000} min of clock skew allowed; a date-time without zone is read as UTC)`
    );
  }
  return null;
}

/**
 * Next best action served from memory: the customer's scores and predictions from the scorer,
 * contact history and learning counts from the outcome ledger, the decision from the pure engine in
 * src/nba/. Decisions are logged (batched) so outcomes can be recorded against them.
 */
export class NbaService {
  private constructor(
    private readonly store: Store,
    readonly catalog: ActionCatalog,
    private readonly scorer: CustomerScorer,
    private readonly log: DecisionLog,
    private readonly ledger: OutcomeLedger,
    private readonly groups: ControlAssignments,
    private readonly rng: UniformRng,
    private readonly clock: () => Date,
  ) {}

  static async open(store: Store, scorer: CustomerScorer, catalog: ActionCatalog, options: NbaServiceOptions = {}): Promise<NbaService> {
    // Contacts older than the longest cap window or cooldown cannot exclude anything.
    const historyDays = Math.max(1, ...catalog.policy.frequency_caps.map((c) => c.per_days), ...catalog.actions.map((a) => a.cooldown_days));
    const clock = options.clock ?? (() => new Date());
    const ledger = await OutcomeLedger.load(store, historyDays, clock);
    const rng = options.rng ?? createRng(Date.now() >>> 0);
    const groups = await ControlAssignments.load(store, controlDraw(catalog.policy.control_group));
    return new NbaService(store, catalog, scorer, new DecisionLog(store, options.decisionLog), ledger, groups, rng, clock);
  }

  async decide(request: NbaRequest): Promise<NbaAnswer> {
    const state = await this.scorer.state(request.customer_id);
    const now = request.now !== undefined ? new Date(toMillis(request.now)) : this.clock();
    // A decision dated ahead would count its contacts from then on, as an outcome dated ahead would.
    if (now > latestAcceptedTime(this.clock())) {
      throw new ValidationError(`now ${now.toISOString()} is in the future (after the server time + ${DEFAULT_FUTURE_TOLERANCE_HOURS} h)`, [
        { path: ['now'], message: `more than ${DEFAULT_FUTURE_TOLERANCE_HOURS} h after the server time` },
      ]);
    }
    const s = state.score;
    const p = state.predictions;
    const decision = decide(
      {
        customer_id: state.customer_id,
        scores: {
          lifecycle_segment: s.lifecycle_segment,
          value_tier: s.value_tier,
          potential_tier: s.potential_tier,
          rfm_segment: s.rfm_segment,
          super_user_score: s.super_user_score,
          social_score: s.super_user?.dimensions.social ?? null,
        },
        predictions: {
          purchase_probability: p?.purchase_probability ?? null,
          churn_probability: p?.churn_probability ?? null,
          predicted_clv: p?.predicted_clv ?? null,
        },
        tags: s.tags.map((t) => t.tag),
        consents: consentsFromBits(state.consents),
        history: [...this.ledger.historyOf(state.person_id)],
        control_group: this.groups.of(state.person_id),
        context: request.context,
        now,
      },
      this.catalog,
      this.catalog.policy,
      this.ledger.posteriors,
      this.rng,
    );
    this.groups.remember(state.person_id, decision.control_group, now);
    const decision_id = crypto.randomUUID();
    const channelOf = (id: string) => this.catalog.actions.find((a) => a.id === id)!.channel;
    this.log.add({
      decision_id,
      person_id: state.person_id,
      customer_id: state.customer_id,
      channel: request.context.channel,
      placement: request.context.placement,
      control_group: decision.control_group,
      control_draw: controlDraw(this.catalog.policy.control_group),
      segment: decision.segment,
      offered: decision.control_group
        ? decision.withheld.map((w) => ({ action_id: w.action_id, channel: channelOf(w.action_id), p_model: null, priority: w.priority }))
        : decision.actions.map((a) => ({ action_id: a.action_id, channel: a.channel, p_model: a.p_model, priority: a.priority })),
      decided_at: now,
    });
    return { decision_id, decided_at: now.toISOString(), as_of: state.as_of, model_versions: state.model_versions, ...decision };
  }

  /** Records each valid outcome; invalid ones are reported by index and field, the others still land. */
  async recordOutcomes(items: readonly unknown[]): Promise<OutcomeSummary> {
    const issues: Issue[] = [];
    const parsed: { index: number; input: ReturnType<typeof OutcomeInputSchema.parse> }[] = [];
    items.forEach((item, index) => {
      const result = OutcomeInputSchema.safeParse(item);
      if (result.success) parsed.push({ index, input: result.data });
      else issues.push(...issuesFromZod(result.error, ['outcomes', index]));
    });
    const decisions = await this.log.get([...new Set(parsed.map((p) => p.input.decision_id))]);
    const entries: OutcomeEntry[] = [];
    const now = this.clock();
    for (const { index, input } of parsed) {
      const decision = decisions.get(input.decision_id);
      if (!decision) {
        issues.push({ path: ['outcomes', index, 'decision_id'], message: `no decision ${input.decision_id}` });
        continue;
      }
      if (!decision.offered.some((o) => o.action_id === input.action_id)) {
        const offered = decision.offered.map((o) => o.action_id).join(', ') || 'nothing';
        issues.push({
          path: ['outcomes', index, 'action_id'],
          message: `${input.action_id} was not ${decision.control_group ? 'withheld' : 'offered'} in decision ${input.decision_id} (${decision.control_group ? 'withheld' : 'offered'}: ${offered})`,
        });
        continue;
      }
      // Without a ts: now, or the decision's own time when it was decided as of a moment ahead.
      const ts = input.ts !== undefined ? new Date(toMillis(input.ts)) : new Date(Math.max(now.getTime(), decision.decided_at.getTime()));
      const tsProblem = outcomeTsProblem(ts, decision.decided_at, now);
      if (tsProblem) {
        issues.push({ path: ['outcomes', index, 'ts'], message: `${tsProblem}${input.ts === undefined ? ' (no ts given: the server time)' : ''}` });
        continue;
      }
      entries.push({ decision, action_id: input.action_id, outcome: input.outcome, value: input.value ?? null, ts });
    }
    const { recorded, duplicates } = await this.ledger.record(entries);
    const rejectedIndexes = new Set(issues.map((i) => i.path[1]));
    issues.sort((a, b) => Number(a.path[1]) - Number(b.path[1]));
    return { received: items.length, recorded, duplicates: duplicates.length, rejected: rejectedIndexes.size, issues };
  }

  /**
   * Records a conversion for each purchase that follows a shown action within the attribution
   * window (policy.attribution, last touch; attribution.ts), in either group, so conversions and
   * the control group's "bought anyway" need not be reported by hand. The ingest batches the
   * purchases came from are marked attributed in the same transaction, so a batch is attributed
   * exactly once: if this fails, attributePendingBatches picks the batch up at the next start.
   * Returns the purchases (by index) whose conversion was recorded.
   */
  async attributePurchases(purchases: readonly AttributablePurchase[], batches: readonly number[]): Promise<number[]> {
    const windowDays = this.catalog.policy.attribution.window_days;
    const entries: OutcomeEntry[] = [];
    const entryPurchase: number[] = [];
    if (windowDays > 0 && purchases.length > 0) {
      // A loop, not Math.min(...): a CLI load can bring more purchases than a call's arguments may hold.
      let earliest = Infinity;
      for (const p of purchases) if (p.ts < earliest) earliest = p.ts;
      earliest -= windowDays * DAY_MS;
      const units = await this.ledger.unitsOf([...new Set(purchases.map((p) => p.person_id))], new Date(earliest));
      const attributions = attributePurchases(purchases, units, windowDays);
      const decisions = await this.log.get([...new Set(attributions.map((a) => a.decision_id))]);
      for (const a of attributions) {
        const decision = decisions.get(a.decision_id);
        const purchase = purchases[a.purchase]!;
        if (!decision) continue;
        entries.push({ decision, action_id: a.action_id, outcome: 'converted', value: purchase.amount, ts: new Date(purchase.ts) });
        entryPurchase.push(a.purchase);
      }
    }
    if (entries.length === 0 && batches.length === 0) return [];
    const markDone = async (tx: Db) => {
      if (batches.length) await tx.run('UPDATE ingest_batches SET attributed = true WHERE list_contains(?::BIGINT[], batch_id)', [listValue(batches.map(BigInt))]);
    };
    const { duplicates } = await this.ledger.record(entries, markDone);
    const repeated = new Set(duplicates);
    return entryPurchase.filter((_, k) => !repeated.has(k));
  }

  /**
   * Attributes the purchases of every ingest batch not attributed yet: those loaded outside the
   * service (`npm run ingest`, the demo; the CLI cannot write the store while the service holds it,
   * so they arrive while it is stopped), and API batches whose attribution failed after they were
   * written. Called when the service opens the store.
   */
  async attributePendingBatches(): Promise<{ batches: number; purchases: number; attributed: number }> {
    const pending = await this.store.all<{ batch_id: bigint; has_events: boolean }>(
      `SELECT batch_id, kind = 'events' AND coalesce(ingested, 0) > 0 AS has_events FROM ingest_batches WHERE NOT attributed`,
    );
    if (pending.length === 0) return { batches: 0, purchases: 0, attributed: 0 };
    const batches = pending.map((b) => Number(b.batch_id));
    // Only purchases that could follow an open unit (any action, any customer, within the window)
    // leave the store; the pure rule (attribution.ts) decides which unit each converts.
    const windowDays = this.catalog.policy.attribution.window_days;
    const rows =
      windowDays > 0
        ? await this.store.all<{ person_id: bigint; ts: bigint; amount: number | null }>(
            `WITH units AS (
               SELECT coalesce(any_value(p.merged_into), any_value(o.person_id)) AS person_id, min(o.ts) AS shown_at
               FROM nba_outcomes o LEFT JOIN persons p ON p.person_id = o.person_id
               GROUP BY o.decision_id, o.action_id HAVING NOT bool_or(o.outcome = 'converted'))
             SELECT e.person_id, epoch_ms(e.ts) AS ts, e.amount
             FROM events e
             WHERE e.type = 'purchase' AND isfinite(e.ts) AND list_contains(?::BIGINT[], e.batch_id)
               AND EXISTS (SELECT 1 FROM units u WHERE u.person_id = e.person_id
                             AND e.ts >= date_trunc('second', u.shown_at) AND e.ts <= u.shown_at + to_days(CAST(? AS INTEGER)))`,
            [listValue(batches.map(BigInt)), windowDays],
          )
        : [];
    const purchases = rows.map((r) => ({ person_id: Number(r.person_id), ts: Number(r.ts), amount: r.amount }));
    const attributed = await this.attributePurchases(purchases, batches);
    return { batches: pending.filter((b) => b.has_events).length, purchases: purchases.length, attributed: attributed.length };
  }

  /** People an ingest merged: their contact histories join (caps and cooldowns count both). */
  merged(merges: readonly { absorbed: number; survivor: number }[]): void {
    this.ledger.merge(merges);
    this.groups.merge(merges);
  }

  /** Uplift of each action against the control group, from the recorded outcomes. */
  async experiment(since?: Date): Promise<ExperimentReport> {
    await this.log.flush();
    return experimentReport(await this.ledger.experimentRecords(since));
  }

  /** The decision log of a decision (for audits and tests). */
  async decision(decisionId: string): Promise<LoggedDecision | undefined> {
    return (await this.log.get([decisionId])).get(decisionId);
  }

  flush(): Promise<void> {
    return this.log.flush();
  }
}
