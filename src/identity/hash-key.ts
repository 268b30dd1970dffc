import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StoreError } from '../domain/errors.js';
import type { Db } from '../store/database.js';
import { getMeta, setMeta } from '../store/migrations.js';

/**
 * The secret behind the keyed hash of e-mail and phone (de-identification, seed 002).
 * From PROPEL_ID_HASH_KEY, else a random key kept in a file beside the store (never inside it,
 * so the store file alone cannot be used to test guesses of phone numbers).
 */
export function resolveHashKey(storeFile: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  if (storeFile === ':memory:') return 'in-memory-store-key-' + process.pid;
  const keyFile = `${path.resolve(storeFile)}.idkey`;
  if (fs.existsSync(keyFile)) return fs.readFileSync(keyFile, 'utf8').trim();
  const key = crypto.randomBytes(32).toString('hex');
  fs.writeFileSync(keyFile, key + '\n', { mode: 0o600 });
  return key;
}

export function keyFingerprint(key: string): string {
  return crypto.createHash('sha256').update(`propel-id-key-fingerprint|${key}`).digest('hex').slice(0, 16);
}

/** Refuses a key other than the one the store's hashes were made with: they would never match again. */
export async function checkHashKey(db: Db, key: string): Promise<void> {
  const fingerprint = keyFingerprint(key);
  const stored = await getMeta(db, 'id_key_fingerprint');
  if (stored === undefined) await setMeta(db, 'id_key_fingerprint', fingerprint);
  else if (stored !== fingerprint) {
    throw new StoreError(
      'The identifier hash key differs from the one this store was built with, so e-mails and phones would no longer match. ' +
        'Set PROPEL_ID_HASH_KEY to the original key or restore the .idkey file beside the store.',
    );
  }
}
