import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../domain/errors.js';

/** Scopes an API key can carry; `admin` implies every other. */
export const SCOPES = ['events:write', 'customers:read', 'predict', 'audiences:read', 'admin'] as const;
export const ScopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof ScopeSchema>;

/** A stored key: only the SHA-256 of its secret is kept, never the secret. */
export const StoredKeySchema = z.object({
  id: z.string().regex(/^[a-z0-9]{8,32}$/),
  name: z.string().min(1),
  secret_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  scopes: z.array(ScopeSchema).min(1),
  created_at: z.string(),
});
export type StoredKey = z.infer<typeof StoredKeySchema>;
export const KeyFileSchema = z.object({ keys: z.array(StoredKeySchema) });

export interface Principal {
  keyId: string;
  name: string;
  scopes: Scope[];
}

const PREFIX = 'pk';

/** Makes a new key; the token (`pk_<id>_<secret>`) is shown once, the record stores its hash. */
export function createKey(name: string, scopes: Scope[]): { token: string; record: StoredKey } {
  const id = crypto.randomBytes(6).toString('hex');
  const secret = crypto.randomBytes(24).toString('base64url');
  return {
    token: `${PREFIX}_${id}_${secret}`,
    record: { id, name, secret_sha256: sha256(secret), scopes, created_at: new Date().toISOString() },
  };
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Looks keys up by id and compares the secret's hash in constant time. */
export class KeyRing {
  /** Per key id: the expected hash as bytes and the principal, made once (authentication runs on every request). */
  private readonly byId: Map<string, { expected: Buffer; principal: Principal }>;

  constructor(keys: StoredKey[]) {
    this.byId = new Map(
      keys.map((k) => [k.id, { expected: Buffer.from(k.secret_sha256, 'hex'), principal: Object.freeze({ keyId: k.id, name: k.name, scopes: k.scopes }) }]),
    );
  }

  get size(): number {
    return this.byId.size;
  }

  authenticate(token: string | undefined): Principal | undefined {
    const match = token ? /^pk_([a-z0-9]+)_([A-Za-z0-9_-]+)$/.exec(token) : null;
    if (!match) return undefined;
    const key = this.byId.get(match[1]!);
    if (!key) return undefined;
    const given = crypto.hash('sha256', match[2]!, 'buffer');
    return crypto.timingSafeEqual(given, key.expected) ? key.principal : undefined;
  }
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

export function readKeyFile(file: string): StoredKey[] {
  if (!fs.existsSync(file)) return [];
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ValidationError(`The API key file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = KeyFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      `The API key file ${file} is not valid`,
      parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    );
  }
  return parsed.data.keys;
}

export function writeKeyFile(file: string, keys: StoredKey[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ keys }, null, 2) + '\n', { mode: 0o600 });
}

/**
 * Keys given in the environment as `name:token:scope|scope,...` (for CI and containers); the
 * token is hashed on load like any other.
 */
export function keysFromEnv(spec: string | undefined): StoredKey[] {
  if (!spec) return [];
  return spec
    .split(',')
    .filter(Boolean)
    .map((entry, index) => {
      // Scopes contain ':' themselves (customers:read): only the first two colons separate fields.
      const [, name, token, scopes] = /^([^:]*):([^:]*):(.*)$/.exec(entry.trim()) ?? [];
      const match = token ? /^pk_([a-z0-9]{8,32})_([A-Za-z0-9_-]+)$/.exec(token) : null;
      if (!name || !match || !scopes) {
        throw new ValidationError(`PROPEL_API_KEYS entry ${index} must look like name:pk_<id>_<secret>:scope|scope`, [
          { path: ['PROPEL_API_KEYS', index], message: 'malformed entry' },
        ]);
      }
      return StoredKeySchema.parse({
        id: match[1],
        name,
        secret_sha256: sha256(match[2]!),
        scopes: scopes.split('|'),
        created_at: new Date(0).toISOString(),
      });
    });
}

/**
 * On a fresh clone: when no key exists anywhere, create an admin key, keep its hash in the key
 * file and write the token to a git-ignored file beside it, once.
 */
export function ensureAdminKey(keyFile: string): { created: boolean; tokenFile?: string } {
  if (readKeyFile(keyFile).length > 0) return { created: false };
  const { token, record } = createKey('admin (created on first start)', ['admin']);
  writeKeyFile(keyFile, [record]);
  const tokenFile = path.join(path.dirname(path.resolve(keyFile)), 'admin-api-key.txt');
  fs.writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
  return { created: true, tokenFile };
}
