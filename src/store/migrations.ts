import type { Db, Store } from './database.js';
import { StoreError } from '../domain/errors.js';

/**
 * Ordered schema migrations. A store made by an older release is brought forward on open;
 * a store made by a newer release is refused rather than misread.
 * Tables carry no PRIMARY KEY/UNIQUE constraints on purpose: DuckDB's over-eager index checks
 * reject updates of rows inserted in the same transaction; uniqueness is kept by the ingest logic.
 */
export const MIGRATIONS: { version: number; description: string; statements: string[] }[] = [
  {
    version: 1,
    description: 'events, persons, identifiers, merges, customers, batches, rejects',
    statements: [
      `CREATE TABLE persons (
         person_id BIGINT NOT NULL,
         customer_id VARCHAR,            -- the person's business key: their oldest customer_id
         created_batch BIGINT NOT NULL,
         merged_into BIGINT              -- set when this person was merged into an older one
       )`,
      `CREATE TABLE identifiers (
         id_key VARCHAR NOT NULL,        -- '<kind>:<value>', kind one of customer_id, member_id, email, phone;
                                         -- e-mail and phone values are keyed hashes of the normalised value, never raw
         person_id BIGINT NOT NULL,
         batch_id BIGINT NOT NULL
       )`,
      `CREATE TABLE identity_merges (
         absorbed_person_id BIGINT NOT NULL,
         survivor_person_id BIGINT NOT NULL,
         batch_id BIGINT NOT NULL,
         merged_at TIMESTAMP NOT NULL
       )`,
      `CREATE TABLE events (
         event_id VARCHAR NOT NULL,
         person_id BIGINT NOT NULL,
         type VARCHAR NOT NULL,
         ts TIMESTAMP NOT NULL,
         amount DOUBLE,
         margin DOUBLE,
         quantity DOUBLE,
         product_id VARCHAR,
         category VARCHAR,
         channel VARCHAR,
         duration_s DOUBLE,
         rating TINYINT,
         related_customer_id VARCHAR,
         campaign_id VARCHAR,
         action_id VARCHAR,
         batch_id BIGINT NOT NULL
       )`,
      `CREATE TABLE event_items (
         event_id VARCHAR NOT NULL,      -- the purchase or refund an order line belongs to (--lines)
         product_id VARCHAR,
         category VARCHAR,
         quantity DOUBLE,
         amount DOUBLE
       )`,
      `CREATE TABLE customers (
         person_id BIGINT NOT NULL,
         signup_ts TIMESTAMP,
         consent_email BOOLEAN NOT NULL DEFAULT false,
         consent_sms BOOLEAN NOT NULL DEFAULT false,
         consent_line BOOLEAN NOT NULL DEFAULT false,
         consent_push BOOLEAN NOT NULL DEFAULT false,
         batch_id BIGINT NOT NULL
       )`,
      `CREATE TABLE ingest_batches (
         batch_id BIGINT NOT NULL,
         kind VARCHAR NOT NULL,          -- events | customers
         origin VARCHAR NOT NULL,        -- cli | http | demo
         source VARCHAR,
         format VARCHAR,
         started_at TIMESTAMP NOT NULL,
         finished_at TIMESTAMP,
         read BIGINT, ingested BIGINT, duplicates BIGINT, rejected BIGINT, merges BIGINT,
         rejects_file VARCHAR
       )`,
      `CREATE TABLE rejects (
         batch_id BIGINT NOT NULL,
         line BIGINT,
         field VARCHAR,
         reason VARCHAR NOT NULL
       )`,
    ],
  },
  {
    version: 2,
    description: 'next-best-action decisions and their outcomes',
    statements: [
      `CREATE TABLE nba_decisions (
         decision_id VARCHAR NOT NULL,
         person_id BIGINT NOT NULL,
         customer_id VARCHAR NOT NULL,
         channel VARCHAR NOT NULL,       -- the context asked about
         placement VARCHAR NOT NULL,
         control_group BOOLEAN NOT NULL,
         segment VARCHAR NOT NULL,       -- the learning segment at decision time
         offered VARCHAR NOT NULL,       -- JSON [{action_id, channel, p_model, priority}]: ranked, or withheld in the control group
         decided_at TIMESTAMP NOT NULL
       )`,
      `CREATE TABLE nba_outcomes (
         decision_id VARCHAR NOT NULL,
         person_id BIGINT NOT NULL,
         customer_id VARCHAR NOT NULL,
         action_id VARCHAR NOT NULL,
         channel VARCHAR NOT NULL,
         grp VARCHAR NOT NULL,           -- treatment | control
         segment VARCHAR NOT NULL,
         p_model DOUBLE,
         outcome VARCHAR NOT NULL,       -- shown | accepted | rejected | converted
         value DOUBLE,
         ts TIMESTAMP NOT NULL,
         recorded_at TIMESTAMP NOT NULL
       )`,
    ],
  },
  {
    version: 3,
    description: 'which ingest batches have had their purchases attributed to shown actions',
    statements: [
      // Replaces a watermark that skipped every API batch, so an API batch whose attribution
      // failed after it was written was never looked at again. Batches the watermark covered, and
      // API batches (attributed as they arrived), count as done.
      `ALTER TABLE ingest_batches ADD COLUMN attributed BOOLEAN DEFAULT false`,
      `UPDATE ingest_batches SET attributed = origin = 'http'
         OR batch_id <= coalesce((SELECT max(CAST(value AS BIGINT)) FROM meta WHERE key = 'attribution_checked_batch'), 0)`,
      `DELETE FROM meta WHERE key = 'attribution_checked_batch'`,
    ],
  },
  {
    version: 4,
    description: 'the control-group draw (salt and share) of each decision, so a person keeps the group first drawn under it',
    statements: [`ALTER TABLE nba_decisions ADD COLUMN control_draw VARCHAR`],
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

export async function migrate(store: Store): Promise<void> {
  await store.run('CREATE TABLE IF NOT EXISTS meta (key VARCHAR NOT NULL, value VARCHAR)');
  const row = await store.one<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'");
  const current = row ? Number(row.value) : 0;
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      `The store ${store.file} has schema version ${current}, newer than this release understands (${SCHEMA_VERSION}). Upgrade Propel.`,
    );
  }
  for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
    await store.transaction(async (tx) => {
      for (const statement of migration.statements) await tx.run(statement);
      await setMeta(tx, 'schema_version', String(migration.version));
    });
  }
}

export async function getMeta(store: Db, key: string): Promise<string | undefined> {
  return (await store.one<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
}

export async function setMeta(store: Db, key: string, value: string): Promise<void> {
  await store.run('DELETE FROM meta WHERE key = ?', [key]);
  await store.run('INSERT INTO meta VALUES (?, ?)', [key, value]);
}
