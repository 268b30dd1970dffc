import { listValue } from '@duckdb/node-api';
import { PosteriorTable, type OutcomeRecord, type OutcomeStats } from '../nba/index.js';
import type { ShownUnit } from '../nba/attribution.js';
import { toMillis, type ContactRecord } from '../nba/policy.js';
import { DAY_MS } from '../nba/vocab.js';
import type { OUTCOME_KINDS } from '../nba/schemas.js';
import type { Db, Store } from '../store/database.js';
import type { LoggedDecision } from './decision-log.js';

export type Outcome = (typeof OUTCOME_KINDS)[number];

/** One outcome to record, already tied to its decision. */
export interface OutcomeEntry {
  decision: LoggedDecision;
  action_id: string;
  outcome: Outcome;
  value: number | null;
  ts: Date;
}

/**
 * Outcomes of next-best-action decisions: the store's `nba_outcomes` table, and what the engine
 * needs from it kept in memory — each customer's contact history (for caps and cooldowns) and the
 * outcome counts per action × segment (for learning). The service is the only writer of the store
 * (the CLI cannot open it while it runs), so the memory copy stays equal to the table.
 *
 * The unit is one action of one decision. Any outcome of a unit means it was shown (an `accepted`
 * recorded without `shown` implies it); the unit converted when any of its outcomes is `converted`.
 * - Contact history: treatment units, at the time of their first outcome. The control group is never
 *   contacted, so its outcomes ("would have been shown", "converted anyway") count only for the uplift.
 * - Learning: treatment units per action × the decision's segment: shown, converted, Σ p_model.
 * - Experiment report: units per action and group, converted or not, with the converted value.
 * Recording the same outcome of a unit twice changes nothing (counted as a duplicate).
 */
export class OutcomeLedger {
  private readonly contacts = new Map<number, ContactRecord[]>();
  /** Decided-for people merged into another (absorbed → survivor): from the store at load, then as ingests merge them. */
  private readonly survivorOf = new Map<number, number>();
  readonly posteriors = new PosteriorTable();
  /** record() calls run one after another, so two requests cannot both count the same unit as new. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: Store,
    /** Contacts older than this (before now) cannot exclude anything and are dropped. */
    private readonly historyDays: number,
    /** The service's clock: the history kept is measured back from it. */
    private readonly clock: () => Date,
  ) {}

  /** Loads contact history (contacts within `historyDays` before `clock()`) and learning counts from the store. */
  static async load(store: Store, historyDays: number, clock: () => Date = () => new Date()): Promise<OutcomeLedger> {
    const ledger = new OutcomeLedger(store, historyDays, clock);
    // Decided-for people merged into another since: their contacts, loaded now or recorded later, are the survivor's.
    const merged = await store.all<{ absorbed: number; survivor: number }>(
      `SELECT person_id AS absorbed, merged_into AS survivor FROM persons
       WHERE merged_into IS NOT NULL AND person_id IN (SELECT person_id FROM nba_decisions UNION SELECT person_id FROM nba_outcomes)`,
    );
    for (const m of merged) ledger.survivorOf.set(Number(m.absorbed), Number(m.survivor));
    const contacts = await store.all<{ person_id: number; action_id: string; channel: string; ts: Date }>(
      `SELECT person_id, action_id, channel, min(ts) AS ts FROM nba_outcomes
       WHERE grp = 'treatment' GROUP BY decision_id, person_id, action_id, channel
       -- Measured back from the clock, not from the newest contact: one contact dated far ahead would otherwise drop everyone's history.
       HAVING min(ts) >= ?::TIMESTAMP`,
      [ledger.horizon().toISOString()],
    );
    for (const c of contacts) ledger.addContact(Number(c.person_id), { action_id: c.action_id, channel: c.channel as ContactRecord['channel'], ts: c.ts });
    const stats = await store.all<{ action_id: string; segment: string; shown: number; converted: number; p_model_sum: number | null; with_p: number }>(
      `WITH units AS (
         SELECT action_id, segment, decision_id, any_value(p_model) AS p_model, bool_or(outcome = 'converted') AS converted
         FROM nba_outcomes WHERE grp = 'treatment' GROUP BY action_id, segment, decision_id)
       SELECT action_id, segment, count(*) AS shown, count(*) FILTER (WHERE converted) AS converted,
              sum(p_model) AS p_model_sum, count(p_model) AS with_p
       FROM units GROUP BY action_id, segment`,
    );
    for (const s of stats) {
      const row: OutcomeStats = { action_id: s.action_id, segment: s.segment, shown: Number(s.shown), converted: Number(s.converted) };
      if (Number(s.with_p) === Number(s.shown) && s.p_model_sum !== null) row.p_model_sum = Number(s.p_model_sum);
      ledger.posteriors.add(row);
    }
    return ledger;
  }

  historyOf(personId: number): readonly ContactRecord[] {
    return this.contacts.get(personId) ?? [];
  }

  /**
   * People merged by an ingest (One ID): the absorbed person's contacts become the survivor's, so
   * caps and cooldowns count every contact of the one customer they now are.
   */
  merge(merges: readonly { absorbed: number; survivor: number }[]): void {
    for (const { absorbed, survivor } of merges) {
      if (absorbed === survivor) continue;
      // Outcomes recorded later for a decision made for the absorbed person count for the survivor too.
      this.survivorOf.set(absorbed, survivor);
      const moved = this.contacts.get(absorbed);
      if (!moved) continue;
      this.contacts.delete(absorbed);
      for (const contact of moved) this.addContact(survivor, contact);
    }
  }

  /** The person someone is now: themselves, or whom they were merged into. */
  private current(personId: number): number {
    let id = personId;
    for (let next = this.survivorOf.get(id); next !== undefined && next !== id; next = this.survivorOf.get(id)) id = next;
    return id;
  }

  /**
   * Records outcomes in one transaction; returns how many were new and which were duplicates (by
   * index). `alongside` writes in the same transaction (e.g. how far attribution has looked).
   */
  record(entries: readonly OutcomeEntry[], alongside?: (tx: Db) => Promise<void>): Promise<{ recorded: number; duplicates: number[] }> {
    const next = this.queue.then(() => this.recordNow(entries, alongside));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async recordNow(entries: readonly OutcomeEntry[], alongside?: (tx: Db) => Promise<void>): Promise<{ recorded: number; duplicates: number[] }> {
    if (!entries.length) {
      if (alongside) await this.store.transaction(alongside);
      return { recorded: 0, duplicates: [] };
    }
    const decisionIds = [...new Set(entries.map((e) => e.decision.decision_id))];
    const known = await this.store.all<{ decision_id: string; action_id: string; outcome: string }>(
      'SELECT DISTINCT decision_id, action_id, outcome FROM nba_outcomes WHERE decision_id IN (SELECT unnest(?::VARCHAR[]))',
      [listValue(decisionIds)],
    );
    const seen = new Set(known.map((k) => key(k.decision_id, k.action_id, k.outcome)));
    const unitSeen = new Set(known.map((k) => key(k.decision_id, k.action_id)));
    const unitConverted = new Set(known.filter((k) => k.outcome === 'converted').map((k) => key(k.decision_id, k.action_id)));

    const fresh: OutcomeEntry[] = [];
    const duplicates: number[] = [];
    entries.forEach((e, i) => {
      const k = key(e.decision.decision_id, e.action_id, e.outcome);
      if (seen.has(k)) duplicates.push(i);
      else {
        seen.add(k);
        fresh.push(e);
      }
    });
    if (fresh.length || alongside) await this.insert(fresh, alongside);

    // Memory follows the committed rows.
    for (const e of fresh) {
      const d = e.decision;
      const unit = key(d.decision_id, e.action_id);
      if (d.control_group) continue;
      const offered = d.offered.find((o) => o.action_id === e.action_id)!;
      if (!unitSeen.has(unit)) {
        unitSeen.add(unit);
        this.addContact(d.person_id, { action_id: e.action_id, channel: offered.channel, ts: e.ts });
        this.posteriors.add({
          action_id: e.action_id,
          segment: d.segment,
          shown: 1,
          converted: 0,
          ...(offered.p_model !== null ? { p_model_sum: offered.p_model } : {}),
        });
      }
      if (e.outcome === 'converted' && !unitConverted.has(unit)) {
        unitConverted.add(unit);
        this.posteriors.add({ action_id: e.action_id, segment: d.segment, shown: 0, converted: 1, p_model_sum: 0 });
      }
    }
    return { recorded: fresh.length, duplicates };
  }

  /**
   * The units (an action of a decision with an outcome) of these customers first shown at or after
   * `since`, each with when it was first shown and whether it has converted. A unit recorded for a
   * person since merged into one of them is theirs: it is listed under the survivor, whose id their
   * purchases now carry.
   */
  async unitsOf(personIds: readonly number[], since: Date): Promise<ShownUnit[]> {
    if (personIds.length === 0) return [];
    const rows = await this.store.all<{ decision_id: string; action_id: string; person_id: number; shown_at: Date; converted: boolean }>(
      `WITH wanted AS (SELECT unnest(?::BIGINT[]) AS person_id),
            who AS (SELECT person_id, person_id AS survivor FROM wanted
                    UNION ALL SELECT p.person_id, p.merged_into FROM persons p WHERE p.merged_into IN (SELECT person_id FROM wanted))
       SELECT o.decision_id, o.action_id, any_value(w.survivor) AS person_id, min(o.ts) AS shown_at,
              bool_or(o.outcome = 'converted') AS converted
       FROM nba_outcomes o JOIN who w ON w.person_id = o.person_id
       GROUP BY o.decision_id, o.action_id HAVING min(o.ts) >= ?::TIMESTAMP`,
      [listValue(personIds.map((id) => BigInt(id))), since.toISOString()],
    );
    return rows.map((r) => ({ ...r, person_id: Number(r.person_id), shown_at: r.shown_at.getTime() }));
  }

  /**
   * One record per customer, action and group: the control group is drawn per customer, so the
   * customer is the unit the experiment compares (several showings of an action to one customer
   * are not independent trials). Converted when any of them converted; the value is their sum. A
   * person merged into another counts as the survivor.
   *
   * `since` selects units (an action of a decision) by when they were first shown (their earliest
   * outcome, as in unitsOf), each with all its outcomes: selecting outcome rows instead would keep a
   * unit shown before `since` that converted after it while dropping its peers that did not convert.
   */
  async experimentRecords(since?: Date): Promise<OutcomeRecord[]> {
    const rows = await this.store.all<{ customer: number; action_id: string; grp: 'treatment' | 'control'; converted: boolean; value: number | null }>(
      `WITH units AS (
         SELECT decision_id, action_id, any_value(person_id) AS person_id, any_value(grp) AS grp,
                bool_or(outcome = 'converted') AS converted, sum(value) FILTER (WHERE outcome = 'converted') AS value
         FROM nba_outcomes GROUP BY decision_id, action_id
         ${since ? 'HAVING min(ts) >= ?::TIMESTAMP' : ''})
       SELECT coalesce(p.merged_into, u.person_id) AS customer, u.action_id, u.grp,
              bool_or(u.converted) AS converted, sum(u.value) AS value
       FROM units u LEFT JOIN persons p ON p.person_id = u.person_id
       GROUP BY coalesce(p.merged_into, u.person_id), u.action_id, u.grp`,
      since ? [since.toISOString()] : [],
    );
    return rows.map((r) => ({
      customer: String(r.customer),
      action_id: r.action_id,
      group: r.grp,
      converted: Boolean(r.converted),
      value: r.value === null ? 0 : Number(r.value),
    }));
  }

  /** The oldest contact time that can still exclude an action now. */
  private horizon(): Date {
    return new Date(this.clock().getTime() - this.historyDays * DAY_MS);
  }

  private addContact(personId: number, contact: ContactRecord): void {
    const person = this.current(personId);
    // Keep memory bounded for a long-running service: only the window caps and cooldowns look at.
    const kept = keptContacts([...(this.contacts.get(person) ?? []), contact], this.horizon().getTime());
    if (kept.length) this.contacts.set(person, kept);
    else this.contacts.delete(person);
  }

  private async insert(entries: readonly OutcomeEntry[], alongside?: (tx: Db) => Promise<void>): Promise<void> {
    const perStatement = 400;
    const recordedAt = new Date().toISOString();
    await this.store.transaction(async (tx) => {
      await alongside?.(tx);
      for (let i = 0; i < entries.length; i += perStatement) {
        const slice = entries.slice(i, i + perStatement);
        const params = slice.flatMap((e) => {
          const d = e.decision;
          const offered = d.offered.find((o) => o.action_id === e.action_id)!;
          return [
            d.decision_id,
            d.person_id,
            d.customer_id,
            e.action_id,
            offered.channel,
            d.control_group ? 'control' : 'treatment',
            d.segment,
            offered.p_model,
            e.outcome,
            e.value,
            e.ts.toISOString(),
            recordedAt,
          ];
        });
        await tx.run(`INSERT INTO nba_outcomes VALUES ${slice.map(() => `(${Array(12).fill('?').join(', ')})`).join(', ')}`, params);
      }
    });
  }
}

const key = (...parts: string[]) => parts.join('\u0000');

/** The contacts at or after `horizon` (ms), measured from the clock so a contact dated ahead cannot push the others out. */
function keptContacts(contacts: readonly ContactRecord[], horizon: number): ContactRecord[] {
  return contacts.filter((c) => toMillis(c.ts) >= horizon);
}
