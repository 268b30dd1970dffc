import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createKey, KeyRing, type Scope } from '../src/auth/api-keys.js';
import { DEFAULT_SCORING_CONFIG } from '../src/config/scoring.js';
import { createApp } from '../src/http/app.js';
import type { AppDeps } from '../src/http/deps.js';
import { generate } from '../src/generate/generate.js';
import { ingestCustomers, ingestEvents, type IngestOptions } from '../src/ingest/ingest.js';
import { CustomerScorer } from '../src/serving/scorer.js';
import { openStore, type OpenedStore } from '../src/store/open.js';

export const TEST_ENV = { PROPEL_ID_HASH_KEY: 'test-key-0123456789abcdef', PROPEL_PHONE_COUNTRY_CODE: '886' };

export function tempDir(prefix = 'propel-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** An in-memory store, or a file store when `file` is given. */
export async function testStore(file = ':memory:'): Promise<OpenedStore> {
  return openStore(file, TEST_ENV);
}

/**
 * A new in-memory store and temp folder for each test of the calling file, closed and removed after
 * it; `use` receives them before each test.
 */
export function freshStoreEachTest(use: (opened: OpenedStore, dir: string) => void): void {
  let current: { opened: OpenedStore; dir: string } | undefined;
  beforeEach(async () => {
    current = { opened: await testStore(), dir: tempDir() };
    use(current.opened, current.dir);
  });
  afterEach(() => {
    current?.opened.store.close();
    if (current) fs.rmSync(current.dir, { recursive: true, force: true });
  });
}

export function writeFile(dir: string, name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

export function csv(rows: Record<string, string | number | undefined>[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const escape = (v: string | number | undefined) => {
    const s = v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => escape(r[c])).join(','))].join('\n') + '\n';
}

/** Ingests in-memory event rows (the HTTP path) into an opened store. */
export async function ingestRows(opened: OpenedStore, rows: Record<string, string | null>[], extra: Partial<IngestOptions> = {}) {
  return ingestEvents(opened.store, { source: { kind: 'rows', rows }, identity: opened.identity, origin: 'http', ...extra });
}

/** A key ring with one key per scope set; `tokens[name]` is the bearer token. */
export function testKeys(sets: Record<string, Scope[]>): { keys: KeyRing; tokens: Record<string, string> } {
  const tokens: Record<string, string> = {};
  const records = Object.entries(sets).map(([name, scopes]) => {
    const { token, record } = createKey(name, scopes);
    tokens[name] = token;
    return record;
  });
  return { keys: new KeyRing(records), tokens };
}

/** The app on an opened store, with a scorer over the store's current data (refreshed). */
export async function testApp(opened: OpenedStore, keys: KeyRing, extra: Partial<AppDeps> = {}) {
  const scorer = extra.scorer ?? new CustomerScorer(opened.store, DEFAULT_SCORING_CONFIG);
  if (!extra.scorer) await scorer.refresh();
  return { app: createApp({ store: opened.store, identity: opened.identity, keys, scorer, ...extra }), scorer };
}

/** Generates a demo base with the generator and loads profiles and events into the store. */
export async function loadGeneratedBase(opened: OpenedStore, dir: string, options: { customers: number; days: number; seed: number }) {
  const out = path.join(dir, 'events.csv');
  const customersOut = path.join(dir, 'customers.csv');
  const generated = await generate({ ...options, out, customersOut });
  const shared = { identity: opened.identity, origin: 'cli' as const };
  await ingestCustomers(opened.store, { ...shared, source: { kind: 'file', file: customersOut, format: 'csv' } });
  await ingestEvents(opened.store, { ...shared, source: { kind: 'file', file: out, format: 'csv' } });
  return generated;
}

/** RFC 4180 reader (quoted cells with commas, doubled quotes and line breaks; CRLF rows) for checking exports. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k]!;
    if (quoted) {
      if (ch === '"' && text[k + 1] === '"') (cell += '"'), k++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[k + 1] === '\n') {
      row.push(cell), rows.push(row), (row = []), (cell = ''), k++;
    } else cell += ch;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}
