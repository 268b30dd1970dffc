import type { IdentitySettings } from '../identity/normalize.js';
import type { EventIdFilter } from '../ingest/event-id-filter.js';
import { ingestEvents } from '../ingest/ingest.js';
import type { RejectedRow } from '../ingest/summary.js';
import type { Store } from '../store/database.js';
import type { NbaService } from './next-best-action.js';
import type { CustomerScorer } from './scorer.js';

/** One event as text values, as the ingest rules read it. */
export type EventRow = Record<string, string | null>;

/** What one submission (an API request's valid events) did, in a batch it may have shared. */
export interface IntakeResult {
  batch_id: number;
  /** Submissions committed together in this batch, this one included. */
  submissions_in_batch: number;
  ingested: number;
  duplicates: number;
  /** Rows of this submission that broke a rule. */
  rejected: number;
  /** One entry per broken rule; `line` is the row's index in this submission. */
  rejects: RejectedRow[];
  /** For the whole batch: a person is created or merged by the batch's rows taken together. */
  persons_created: number;
  merges: number;
  /** This submission's purchases recorded as the conversion of a shown action. */
  conversions_attributed: number;
}

export interface IntakeDeps {
  store: Store;
  identity: IdentitySettings;
  scorer: CustomerScorer;
  nba?: NbaService;
  knownEventIds?: EventIdFilter;
}

export interface IntakeOptions {
  /** Rows one batch takes at most; a submission larger than this is still taken whole, alone. */
  maxRowsPerBatch?: number;
  /** The ingest itself (tests wrap it). */
  ingest?: typeof ingestEvents;
}

/**
 * Rejects the summary lists per row at most: one per broken rule, and a row has fewer fields than this.
 * The summary then lists every reject of every row, which the answers are made from.
 */
const REJECTS_PER_ROW = 20;
/** 50k rows: five full requests, or thousands of small ones, per batch. */
const DEFAULT_MAX_ROWS_PER_BATCH = 50_000;

/** The ingest of a batch failed: nothing of it was written (one transaction). */
class BatchNotWritten {
  constructor(readonly cause: unknown) {}
}

const unwrap = (error: unknown) => (error instanceof BatchNotWritten ? error.cause : error);

interface Waiting {
  rows: EventRow[];
  resolve(result: IntakeResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for events sent through the API. One ingest costs about the same for one row as for
 * hundreds (≈50 statements of a few ms each on a store of millions of events), and ingests write
 * one at a time. So a submission that arrives while a batch is being written waits for it, and
 * every submission waiting then goes into the next batch together: a lone request is written at
 * once, and under load each batch carries all that came in meanwhile, instead of each queueing for
 * its own ~100 ms turn.
 *
 * After each batch: the customers it touched are rebuilt (scorer), people it merged share their
 * contact history, and its purchases are attributed to shown actions. Each submission is answered
 * with its own rows' outcomes. A batch that could not be written is retried one submission at a
 * time, so one request cannot fail the others.
 */
export class EventIntake {
  private readonly waiting: Waiting[] = [];
  private draining = false;
  private readonly maxRows: number;
  private readonly ingest: typeof ingestEvents;

  constructor(
    private readonly deps: IntakeDeps,
    options: IntakeOptions = {},
  ) {
    this.maxRows = options.maxRowsPerBatch ?? DEFAULT_MAX_ROWS_PER_BATCH;
    this.ingest = options.ingest ?? ingestEvents;
  }

  submit(rows: EventRow[]): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length > 0) await this.commitGroup(this.takeGroup());
    } finally {
      this.draining = false;
    }
  }

  /** The waiting submissions, oldest first, up to the row limit (always at least one). */
  private takeGroup(): Waiting[] {
    let rows = this.waiting[0]!.rows.length;
    let n = 1;
    while (n < this.waiting.length && rows + this.waiting[n]!.rows.length <= this.maxRows) rows += this.waiting[n++]!.rows.length;
    return this.waiting.splice(0, n);
  }

  private async commitGroup(group: Waiting[]): Promise<void> {
    try {
      const results = await this.commit(group.map((w) => w.rows));
      group.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      // A batch that was not written is retried one submission at a time. One that was written (a
      // later step failed) is not: its events are stored, and a retry would only find them again.
      if (!(error instanceof BatchNotWritten) || group.length === 1) {
        for (const w of group) w.reject(unwrap(error));
        return;
      }
      for (const w of group) {
        try {
          w.resolve((await this.commit([w.rows]))[0]!);
        } catch (own) {
          w.reject(unwrap(own));
        }
      }
    }
  }

  /** Writes the submissions as one batch and answers each with its own rows' outcomes. */
  private async commit(submissions: EventRow[][]): Promise<IntakeResult[]> {
    const { store, identity, knownEventIds, scorer, nba } = this.deps;
    const rows = submissions.flat();
    // owner[line] = the submission a row of the batch came from; starts[k] = its first line.
    const owner = new Uint32Array(rows.length);
    const starts: number[] = [];
    let line = 0;
    submissions.forEach((s, k) => {
      starts.push(line);
      owner.fill(k, line, line + s.length);
      line += s.length;
    });
    const summary = await this.ingest(store, {
      source: { kind: 'rows', rows },
      identity,
      origin: 'http',
      rejectsLimit: Math.max(1, rows.length) * REJECTS_PER_ROW,
      reportLanded: true,
      ...(knownEventIds ? { knownEventIds } : {}),
    }).catch((error: unknown) => {
      throw new BatchNotWritten(error);
    });
    const batch = summary.batch_id;

    // The customers these events belong to are rebuilt, and both sides of the batch's merges (a row
    // that only links two known identifiers changes who they are without adding an event).
    if (summary.ingested > 0 || summary.merges > 0) {
      const touched = await store.all<{ person_id: number }>(
        `SELECT DISTINCT person_id FROM events WHERE batch_id = $batch
         UNION SELECT absorbed_person_id FROM identity_merges WHERE batch_id = $batch
         UNION SELECT survivor_person_id FROM identity_merges WHERE batch_id = $batch`,
        { batch },
      );
      scorer.invalidate(touched.map((t) => Number(t.person_id)));
    }
    if (nba && summary.merges > 0) {
      const merges = await store.all<{ absorbed: number; survivor: number }>(
        'SELECT absorbed_person_id AS absorbed, survivor_person_id AS survivor FROM identity_merges WHERE batch_id = ?',
        [batch],
      );
      nba.merged(merges.map((m) => ({ absorbed: Number(m.absorbed), survivor: Number(m.survivor) })));
    }
    // Purchases that follow a shown action convert it (the catalog's attribution window).
    const lineOfEvent = new Map((summary.landed ?? []).map((l) => [l.event_id, l.line]));
    const conversions = new Array<number>(submissions.length).fill(0);
    if (nba && summary.ingested > 0) {
      const purchases = await store.all<{ event_id: string; person_id: number; ts: number; amount: number | null }>(
        `SELECT event_id, person_id, epoch_ms(ts) AS ts, amount FROM events WHERE batch_id = $batch AND type = 'purchase' AND isfinite(ts)`,
        { batch },
      );
      const converted = await nba.attributePurchases(
        purchases.map((p) => ({ person_id: Number(p.person_id), ts: Number(p.ts), amount: p.amount })),
        [batch],
      );
      for (const i of converted) {
        const at = lineOfEvent.get(purchases[i]!.event_id);
        if (at !== undefined) conversions[owner[at]!]!++;
      }
    }

    const ingestedBy = new Array<number>(submissions.length).fill(0);
    for (const l of summary.landed ?? []) ingestedBy[owner[l.line]!]!++;
    const rejectsBy = submissions.map((): RejectedRow[] => []);
    for (const r of summary.rejects) rejectsBy[owner[r.line]!]!.push({ ...r, line: r.line - starts[owner[r.line]!]! });
    return submissions.map((s, k) => {
      const rejects = rejectsBy[k]!;
      const rejected = new Set(rejects.map((r) => r.line)).size;
      const ingested = ingestedBy[k]!;
      return {
        batch_id: batch,
        submissions_in_batch: submissions.length,
        ingested,
        duplicates: s.length - rejected - ingested,
        rejected,
        rejects,
        persons_created: summary.persons_created,
        merges: summary.merges,
        conversions_attributed: conversions[k]!,
      };
    });
  }
}
