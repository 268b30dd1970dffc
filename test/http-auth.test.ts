import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES, type Scope } from '../src/auth/api-keys.js';
import { loadClvPredictor } from '../src/ml/train/clv.js';
import { ModelRegistry } from '../src/ml/registry/registry.js';
import { ModelService } from '../src/ml/serving/model-service.js';
import { loadActionCatalog } from '../src/nba/catalog.js';
import { NbaService } from '../src/serving/next-best-action.js';
import type { OpenedStore } from '../src/store/open.js';
import { createApp } from '../src/http/app.js';
import { ingestRows, tempDir, testApp, testKeys, testStore } from './helpers.js';

/**
 * The auth matrix, read from the OpenAPI document so a new route is covered the day it is added:
 * every /v1 operation declares bearer security with the scope it needs; without a key it answers
 * 401, with a key of every other scope (but admin) 403, with its scope or admin neither.
 */

let opened: OpenedStore;
let dir: string;
let app: ReturnType<typeof createApp>;
const keySets = Object.fromEntries(SCOPES.map((s) => [s, [s]])) as Record<Scope, Scope[]>;
const { keys, tokens } = testKeys({ ...keySets, all_but_admin: SCOPES.filter((s) => s !== 'admin') });

interface Operation {
  method: string;
  path: string;
  scope: Scope | undefined;
  secured: boolean;
}
let operations: Operation[] = [];

beforeAll(async () => {
  dir = tempDir();
  opened = await testStore();
  await ingestRows(opened, [{ customer_id: 'C1', type: 'purchase', amount: '10', ts: '2024-01-01' }]);
  const { scorer } = await testApp(opened, keys);
  const models = new ModelService(new ModelRegistry(path.join(dir, 'models')), loadClvPredictor);
  const nba = await NbaService.open(opened.store, scorer, loadActionCatalog());
  app = createApp({ store: opened.store, identity: opened.identity, keys, scorer, models, nba });
  const doc = await (await app.request('/openapi.json')).json();
  for (const [p, item] of Object.entries<Record<string, { security?: Record<string, string[]>[] }>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const requirement = op.security?.[0]?.bearerAuth;
      operations.push({ method: method.toUpperCase(), path: p, scope: requirement?.[0] as Scope | undefined, secured: requirement !== undefined });
    }
  }
});
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A concrete URL for a documented path: customer C1, target purchase. */
const urlOf = (p: string) => p.replace('{customer_id}', 'C1').replace('{target}', 'purchase');
const call = (op: Operation, token?: string) =>
  app.request(urlOf(op.path), {
    method: op.method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    ...(op.method === 'GET' ? {} : { body: '{}' }),
  });

describe('auth matrix', () => {
  it('documents bearer security with exactly one known scope on every /v1 operation', () => {
    const v1 = operations.filter((o) => o.path.startsWith('/v1/'));
    expect(v1.length).toBeGreaterThanOrEqual(14);
    for (const op of v1) {
      expect(op.secured, `${op.method} ${op.path} is not secured`).toBe(true);
      expect(SCOPES, `${op.method} ${op.path}`).toContain(op.scope);
    }
  });

  it('answers 401 in the envelope without a key or with a wrong one, on every /v1 operation', async () => {
    for (const op of operations.filter((o) => o.secured)) {
      for (const token of [undefined, 'pk_nosuchkey_secret', `${tokens.admin}x`, 'not-a-key']) {
        const res = await call(op, token);
        expect(res.status, `${op.method} ${op.path} with ${token ?? 'no key'}`).toBe(401);
        expect((await res.json()).error.code).toBe('unauthorized');
      }
    }
  });

  it('answers 403 to a key without the scope, and lets the scope or admin through', async () => {
    for (const op of operations.filter((o) => o.secured)) {
      for (const scope of SCOPES) {
        const res = await call(op, tokens[scope]);
        if (scope === op.scope || scope === 'admin') expect([401, 403], `${op.method} ${op.path} with ${scope}`).not.toContain(res.status);
        else {
          expect(res.status, `${op.method} ${op.path} with ${scope}`).toBe(403);
          expect((await res.json()).error.message).toContain(op.scope);
        }
      }
      if (op.scope !== 'admin') expect([401, 403]).not.toContain((await call(op, tokens.all_but_admin)).status);
      else expect((await call(op, tokens.all_but_admin)).status).toBe(403);
    }
  });

  it('reads the scheme name of the Authorization header in any case, and nothing but Bearer', async () => {
    const models = (authorization: string) => app.request('/v1/models', { headers: { authorization } });
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) expect((await models(`${scheme} ${tokens.admin}`)).status, scheme).toBe(200);
    for (const header of [`Basic ${tokens.admin}`, `Bearer${tokens.admin}`, tokens.admin!]) expect((await models(header)).status, header).toBe(401);
  });

  it('serves health, readiness, metrics and the API description without a key', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      expect((await app.request(url)).status, url).toBe(200);
    }
  });
});
