import { listValue } from '@duckdb/node-api';
import type { Channel } from '../nba/vocab.js';
import type { Store } from '../store/database.js';

/** What an outcome needs to know about the decision it belongs to. */
export interface LoggedDecision {
  decision_id: string;
  person_id: number;
  customer_id: string;
  channel: string;
  placement: string;
  control_group: boolean;
  /** The draw the group came from: the control group's salt and share (controlDraw). */
  control_draw: string;
  segment: string;
  /** Ranked actions, or in the control group the withheld ones (p_model null there: control outcomes do not feed learning). */
  offered: { action_id: string; channel: Channel; p_model: number | null; priority: number }[];
  decided_at: Date;
}

export interface DecisionLogOptions {
  /** Written to the store at least this often (ms); default 1,000. */
  flushEveryMs?: number;
  /** …or as soon as this many are waiting; default 2,000. */
  flushAtCount?: number;
  /** Recent decisions kept in memory for outcome lookups without a query; default 200,000. */
  recentLimit?: number;
}

/**
 * Every decision the service makes, so outcomes can be tied to what was offered, in which group and
 * segment, with which model probability (and so a decision can be audited later).
 *
 * Writing one row per request would cost a store transaction on the hot path, so decisions are kept
 * in memory and written in batches (every second, or every 2,000). A crash loses at most the last
 * second of decisions: an outcome for one of those is then refused as an unknown decision, never
 * recorded wrongly. Lookups read recent decisions from memory, older ones from the store.
 */
export class DecisionLog {
  private pending: LoggedDecision[] = [];
  private readonly recent = new Map<string, LoggedDecision>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushEveryMs: number;
  private readonly flushAtCount: number;
  private readonly recentLimit: number;

  constructor(
    private readonly store: Store,
    options: DecisionLogOptions = {},
  ) {
    this.flushEveryMs = options.flushEveryMs ?? 1000;
    this.flushAtCount = options.flushAtCount ?? 2000;
    this.recentLimit = options.recentLimit ?? 200_000;
  }

  add(decision: LoggedDecision): void {
    this.pending.push(decision);
    this.recent.set(decision.decision_id, decision);
    if (this.recent.size > this.recentLimit) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    // A failed background write keeps its batch for the next flush; nothing to report here.
    if (this.pending.length >= this.flushAtCount) this.flush().catch(() => undefined);
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush().catch(() => undefined), this.flushEveryMs);
      this.timer.unref();
    }
  }

  /** Writes the waiting decisions in one transaction (serialised with earlier flushes). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending;
    this.pending = [];
    const next = this.flushing.then(() => (batch.length ? this.write(batch) : undefined));
    // A failed write puts the batch back so the next flush retries it.
    this.flushing = next.catch(() => {
      this.pending = batch.concat(this.pending);
    });
    return next;
  }

  async get(decisionIds: readonly string[]): Promise<Map<string, LoggedDecision>> {
    const found = new Map<string, LoggedDecision>();
    const missing: string[] = [];
    for (const id of decisionIds) {
      const d = this.recent.get(id);
      if (d) found.set(id, d);
      else missing.push(id);
    }
    if (missing.length) {
      // A decision that left memory may still be waiting to be written.
      await this.flush();
      const rows = await this.store.all<Record<string, unknown>>(
        `SELECT * FROM nba_decisions WHERE decision_id IN (SELECT unnest(?::VARCHAR[]))`,
        [listValue(missing)],
      );
      for (const r of rows) found.set(String(r.decision_id), fromRow(r));
    }
    return found;
  }

  private async write(batch: LoggedDecision[]): Promise<void> {
    // The whole batch as one JSON text, parsed by DuckDB on its own threads: one statement (all rows
    // or none) and nothing per row on the event loop but JSON.stringify. Appending row by row (or
    // binding nine parameters a row) held the event loop ≈25 ms per 2,400 decisions, which showed as
    // a latency spike every second under load.
    const rows = batch.map((d) => ({
      ...d,
      // Free text from the request: a lone surrogate would make the whole batch malformed JSON for DuckDB.
      placement: wellFormed(d.placement),
      channel: wellFormed(d.channel),
      offered: JSON.stringify(d.offered),
      decided_at: d.decided_at.getTime() * 1000,
    }));
    await this.store.run(INSERT_BATCH, [JSON.stringify(rows)]);
  }
}

/** The string with each lone UTF-16 surrogate replaced by U+FFFD, as Node does when it encodes a string as UTF-8. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

const INSERT_BATCH = `
INSERT INTO nba_decisions (decision_id, person_id, customer_id, channel, placement, control_group, control_draw, segment, offered, decided_at)
SELECT d.decision_id, d.person_id, d.customer_id, d.channel, d.placement, d.control_group, d.control_draw, d.segment, d.offered, make_timestamp(d.decided_at)
FROM (SELECT unnest(from_json(?::JSON, '[{"decision_id": "VARCHAR", "person_id": "BIGINT", "customer_id": "VARCHAR", "channel": "VARCHAR",
  "placement": "VARCHAR", "control_group": "BOOLEAN", "control_draw": "VARCHAR", "segment": "VARCHAR", "offered": "VARCHAR", "decided_at": "BIGINT"}]')) AS d)`;

function fromRow(r: Record<string, unknown>): LoggedDecision {
  return {
    decision_id: String(r.decision_id),
    person_id: Number(r.person_id),
    customer_id: String(r.customer_id),
    channel: String(r.channel),
    placement: String(r.placement),
    control_group: Boolean(r.control_group),
    control_draw: r.control_draw === null || r.control_draw === undefined ? '' : String(r.control_draw),
    segment: String(r.segment),
    offered: JSON.parse(String(r.offered)) as LoggedDecision['offered'],
    decided_at: r.decided_at instanceof Date ? r.decided_at : new Date(`${String(r.decided_at).replace(' ', 'T')}Z`),
  };
}
