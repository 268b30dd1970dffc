import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { StoreBusyError, StoreError } from '../domain/errors.js';
import { migrate } from './migrations.js';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;

/** What queries need: run statements and read rows. A Store and a transaction both are one. */
export interface Db {
  readonly connection: DuckDBConnection;
  all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  one<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T | undefined>;
  run(sql: string, params?: SqlParams): Promise<void>;
}

/** Queries over one DuckDB connection. */
class ConnectionDb implements Db {
  constructor(readonly connection: DuckDBConnection) {}

  /** Runs a statement and returns its rows as plain objects (BIGINT as number when safe). */
  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const start = TRACE ? performance.now() : 0;
    const reader = await this.connection.runAndReadAll(sql, params);
    if (TRACE) process.stderr.write(`[sql ${(performance.now() - start).toFixed(0)} ms] ${sql.replace(/\s+/g, ' ').slice(0, 110)}\n`);
    return reader.getRowObjectsJS().map((row) => normalizeRow(row) as T);
  }

  async one<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params?: SqlParams): Promise<void> {
    if (!TRACE) {
      await this.connection.run(sql, params);
      return;
    }
    const start = performance.now();
    await this.connection.run(sql, params);
    process.stderr.write(`[sql ${(performance.now() - start).toFixed(0)} ms] ${sql.replace(/\s+/g, ' ').slice(0, 110)}\n`);
  }
}

/** PROPEL_TRACE_SQL=1 prints each statement's time to stderr (for profiling ingest). */
const TRACE = process.env.PROPEL_TRACE_SQL === '1';

/**
 * The embedded store: one DuckDB file, one instance per process.
 * DuckDB allows a single process to hold a file open for writing, so the CLI and a running
 * service cannot both open it; the second gets StoreBusyError with a hint, never a crash.
 */
export class Store extends ConnectionDb {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly instance: DuckDBInstance,
    connection: DuckDBConnection,
  ) {
    super(connection);
  }

  static async open(file: string): Promise<Store> {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file, {
        // Nothing may be downloaded at run time; json, parquet and icu are built in.
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
      });
    } catch (error) {
      throw translateOpenError(file, error);
    }
    const connection = await instance.connect();
    // Timestamps without a zone are UTC (CONTRACT.md §1), whatever the machine's zone.
    await connection.run("SET GLOBAL TimeZone = 'UTC'");
    const store = new Store(file, instance, connection);
    await migrate(store);
    return store;
  }

  /**
   * Runs `work` in one transaction on a connection of its own, serialised with the other writers
   * of this process: a batch lands wholly or not at all, and readers meanwhile see the last commit.
   */
  async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      const tx = new ConnectionDb(await this.instance.connect());
      await tx.run('BEGIN TRANSACTION');
      try {
        const result = await work(tx);
        await tx.run('COMMIT');
        return result;
      } catch (error) {
        await tx.run('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        tx.connection.closeSync();
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
      row[key] = Number(value);
    }
  }
  return row;
}

function translateOpenError(file: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/Could not set lock on file|Conflicting lock/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new StoreBusyError(file, pid ? `PID ${pid}` : undefined);
  }
  return new StoreError(`Cannot open the store ${file}: ${message}`);
}

/** Quotes a string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes an identifier (column or table name). */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
