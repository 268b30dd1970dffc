import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { createKey, ensureAdminKey, hasScope, KeyRing, keysFromEnv, readKeyFile } from './api-keys.js';

describe('API keys', () => {
  it('authenticates its own token and nothing that differs by one character', () => {
    const { token, record } = createKey('crm', ['predict']);
    const ring = new KeyRing([record]);
    expect(ring.authenticate(token)).toMatchObject({ name: 'crm', scopes: ['predict'] });
    const tampered = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    expect(ring.authenticate(tampered)).toBeUndefined();
    expect(ring.authenticate(undefined)).toBeUndefined();
    expect(ring.authenticate('Bearer nonsense')).toBeUndefined();
  });

  it('gives admin every scope and other keys only their own', () => {
    expect(hasScope({ keyId: 'a', name: 'a', scopes: ['admin'] }, 'audiences:read')).toBe(true);
    expect(hasScope({ keyId: 'b', name: 'b', scopes: ['predict'] }, 'audiences:read')).toBe(false);
  });

  it('creates one admin key on first start, storing only its hash, and not again', () => {
    const dir = tempDir();
    const file = path.join(dir, 'api-keys.json');
    const first = ensureAdminKey(file);
    expect(first.created).toBe(true);
    const token = fs.readFileSync(first.tokenFile!, 'utf8').trim();
    // The secret is base64url and may itself contain '_', so take everything after the id.
    const secret = /^pk_[a-z0-9]+_(.+)$/.exec(token)![1]!;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(fs.readFileSync(file, 'utf8')).not.toContain(secret);
    expect(new KeyRing(readKeyFile(file)).authenticate(token)?.scopes).toEqual(['admin']);
    expect(ensureAdminKey(file).created).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads keys from the environment, scopes with colons included, and names a malformed entry', () => {
    const { token } = createKey('ci', ['admin']);
    const { token: other } = createKey('reader', ['admin']);
    const records = keysFromEnv(`ci:${token}:events:write|predict, reader:${other}:customers:read`);
    const ring = new KeyRing(records);
    expect(ring.authenticate(token)?.scopes).toEqual(['events:write', 'predict']);
    expect(ring.authenticate(other)?.scopes).toEqual(['customers:read']);
    expect(() => keysFromEnv('broken-entry')).toThrow(/PROPEL_API_KEYS entry 0/);
  });
});
