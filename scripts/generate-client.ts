/**
 * npm run client:generate [-- --check]
 *
 * Regenerates src/client/schema.ts, the types of the typed API client (src/client/index.ts), from
 * the app's own /openapi.json. The document is built in-process on an empty in-memory store with
 * every optional route group registered (models, next best action), so no server, data or models
 * are needed. The output is deterministic: run it after any route change and commit the result
 * (test/client.test.ts fails while the committed file is stale).
 *
 * --check   write nothing; exit 1 when src/client/schema.ts differs from what would be generated.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { KeyRing } from '../src/auth/api-keys.js';
import { DEFAULT_SCORING_CONFIG } from '../src/config/scoring.js';
import { createApp } from '../src/http/app.js';
import { ModelRegistry } from '../src/ml/registry/registry.js';
import { ModelService } from '../src/ml/serving/model-service.js';
import { loadClvPredictor } from '../src/ml/train/clv.js';
import { loadActionCatalog } from '../src/nba/catalog.js';
import { NbaService } from '../src/serving/next-best-action.js';
import { CustomerScorer } from '../src/serving/scorer.js';
import { openStore } from '../src/store/open.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../src/client/schema.ts', import.meta.url));

const HEADER = `/**
 * GENERATED FILE, do not edit: the Propel API's /openapi.json as TypeScript types (openapi-typescript).
 * Regenerate after changing a route with:  npm run client:generate
 * (scripts/generate-client.ts; test/client.test.ts fails while this file is stale).
 */

`;

/** The OpenAPI document the app serves at /openapi.json, with every optional route group registered. */
export async function buildOpenApiDocument(): Promise<OpenAPI3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'propel-client-'));
  // Any key will do: an in-memory store holds no hashes made with it.
  const { store, identity } = await openStore(':memory:', { PROPEL_ID_HASH_KEY: 'client-generate-0123456789abcdef', PROPEL_PHONE_COUNTRY_CODE: '1' });
  try {
    const scorer = new CustomerScorer(store, DEFAULT_SCORING_CONFIG);
    const models = new ModelService(new ModelRegistry(dir), loadClvPredictor);
    const nba = await NbaService.open(store, scorer, loadActionCatalog());
    const app = createApp({ store, identity, keys: new KeyRing([]), scorer, models, nba });
    const fetchDocument = async () => {
      const res = await app.request('/openapi.json');
      if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as OpenAPI3;
    };
    const doc = await fetchDocument();
    const dangling = danglingRefs(doc);
    if (dangling.length > 0) {
      throw new Error(
        `/openapi.json refers to undefined components: ${dangling.join(', ')} ` +
          "(register each with app.openAPIRegistry.register(name, schema) in its route module)",
      );
    }
    return doc;
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Local $refs (#/...) of a document that point at nothing, each once, in document order. */
export function danglingRefs(doc: object): string[] {
  const missing = new Set<string>();
  const resolves = (ref: string) => {
    let node: unknown = doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return false;
      node = (node as Record<string, unknown>)[key];
    }
    return true;
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/') && !resolves(value)) missing.add(value);
        else walk(value);
      }
    }
  };
  walk(doc);
  return [...missing];
}

/** The text of src/client/schema.ts for a document. */
export async function generateClientTypes(doc: OpenAPI3): Promise<string> {
  // openapi-typescript may change the document it is given, so it gets a copy. Alphabetized, the
  // output does not depend on the order route modules register their schemas in. A field with a
  // default stays optional when the document does not list it as required (PredictionRequest.explain).
  const ast = await openapiTS(structuredClone(doc), { silent: true, alphabetize: true, defaultNonNullable: false });
  return HEADER + astToString(ast);
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: npm run client:generate [-- --check]`);
    return 2;
  }
  const text = await generateClientTypes(await buildOpenApiDocument());
  const current = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : null;
  const relative = path.relative(process.cwd(), SCHEMA_FILE);
  if (check) {
    if (current === text) {
      console.log(`${relative} is up to date`);
      return 0;
    }
    console.error(`${relative} is stale: run npm run client:generate`);
    return 1;
  }
  if (current === text) console.log(`${relative} unchanged`);
  else {
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, text);
    console.log(`wrote ${relative} (${text.length} characters)`);
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
