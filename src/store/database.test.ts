import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreBusyError, StoreError } from '../domain/errors.js';
import { tempDir } from '../../test/helpers.js';
import { Store } from './database.js';
import { setMeta, SCHEMA_VERSION } from './migrations.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('Store', () => {
  it('answers store_busy, naming the holder, when another process has the file open', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'busy.duckdb');
    const holder = spawn(
      process.execPath,
      ['-e', `require('@duckdb/node-api').DuckDBInstance.create(${JSON.stringify(file)}).then(() => { console.log('ready'); setTimeout(() => {}, 30000); })`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const error = await Store.open(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreBusyError);
      expect((error as StoreBusyError).message).toContain(`PID ${holder.pid}`);
      expect((error as StoreBusyError).code).toBe('store_busy');
    } finally {
      holder.kill();
    }
  });

  it('migrates a new store to the current schema version and reopens it', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'm.duckdb');
    const store = await Store.open(file);
    expect((await store.one<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'"))!.value).toBe(String(SCHEMA_VERSION));
    store.close();
    const again = await Store.open(file);
    expect(await again.all('SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
    await setMeta(again, 'schema_version', String(SCHEMA_VERSION + 1));
    again.close();
    await expect(Store.open(file)).rejects.toThrow(StoreError);
  });

  it('brings a store made by the first release (schema 1) forward, keeping its data', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'v1.duckdb');
    const store = await Store.open(file);
    await store.run("INSERT INTO persons VALUES (1, 'A', 1, NULL)");
    // What release 1 left behind: no next-best-action tables, schema version 1.
    await store.run('DROP TABLE nba_decisions');
    await store.run('DROP TABLE nba_outcomes');
    await store.run('ALTER TABLE ingest_batches DROP COLUMN attributed');
    await setMeta(store, 'schema_version', '1');
    store.close();
    const upgraded = await Store.open(file);
    expect((await upgraded.one<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'"))!.value).toBe(String(SCHEMA_VERSION));
    expect(await upgraded.all('SELECT count(*) AS n FROM nba_outcomes')).toEqual([{ n: 0 }]);
    expect(await upgraded.all('SELECT customer_id FROM persons')).toEqual([{ customer_id: 'A' }]);
    upgraded.close();
  });

  it('brings a schema 2 store forward: batches its attribution watermark covered, and API batches, count as attributed', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'v2.duckdb');
    const store = await Store.open(file);
    await store.run('ALTER TABLE ingest_batches DROP COLUMN attributed');
    await store.run('ALTER TABLE nba_decisions DROP COLUMN control_draw');
    for (const [id, origin] of [[1, 'cli'], [2, 'http'], [3, 'cli'], [4, 'http'], [5, 'demo']] as const) {
      await store.run("INSERT INTO ingest_batches (batch_id, kind, origin, started_at) VALUES (?, 'events', ?, TIMESTAMP '2025-01-01')", [id, origin]);
    }
    await setMeta(store, 'attribution_checked_batch', '2');
    await setMeta(store, 'schema_version', '2');
    store.close();
    const upgraded = await Store.open(file);
    expect(await upgraded.all('SELECT batch_id, attributed FROM ingest_batches ORDER BY batch_id')).toEqual([
      { batch_id: 1, attributed: true },
      { batch_id: 2, attributed: true },
      { batch_id: 3, attributed: false },
      { batch_id: 4, attributed: true },
      { batch_id: 5, attributed: false },
    ]);
    expect(await upgraded.all("SELECT * FROM meta WHERE key = 'attribution_checked_batch'")).toEqual([]);
    upgraded.close();
  });

  it('rolls a failed transaction back completely', async () => {
    const store = await Store.open(':memory:');
    await expect(
      store.transaction(async (tx) => {
        await tx.run("INSERT INTO persons VALUES (1, 'A', 1, NULL)");
        throw new Error('crash in the middle of a batch');
      }),
    ).rejects.toThrow('crash');
    expect(await store.all('SELECT count(*) AS n FROM persons')).toEqual([{ n: 0 }]);
    store.close();
  });
});
