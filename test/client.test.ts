import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, danglingRefs, generateClientTypes, SCHEMA_FILE } from '../scripts/generate-client.js';
import { createPropelClient, type ApiError, type PropelClient, type Schemas } from '../src/client/index.js';
import { createApp } from '../src/http/app.js';
import { loadActionCatalog } from '../src/nba/catalog.js';
import { createRng } from '../src/ml/random.js';
import { NbaService } from '../src/serving/next-best-action.js';
import type { CustomerScorer } from '../src/serving/scorer.js';
import type { OpenedStore } from '../src/store/open.js';
import { loadGeneratedBase, tempDir, testApp, testKeys, testStore } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '..');
const CLIENT_DIR = path.join(REPO, 'src/client');

describe('generated client types', () => {
  it('src/client/schema.ts is what the current /openapi.json generates', async () => {
    const doc = await buildOpenApiDocument();
    expect(danglingRefs(doc)).toEqual([]);
    const expected = await generateClientTypes(doc);
    const committed = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '';
    // A route changed without regenerating: run `npm run client:generate` and commit src/client/schema.ts.
    expect(committed, 'src/client/schema.ts is stale: run `npm run client:generate`').toBe(expected);
  });

  it('compiles, and the types reject wrong paths, bodies and enum values', () => {
    // A snippet using the client, compiled with the project's options over just src/client and itself.
    const snippetFile = path.join(CLIENT_DIR, '__compile_check__.ts');
    const snippet = `
import { createPropelClient, type ApiError, type Schemas } from './index.js';

export async function compileCheck(): Promise<void> {
  const propel = createPropelClient({ baseUrl: 'http://localhost:3000', apiKey: 'pk_x_y', fetch: async (r: Request) => fetch(r) });
  const profile = await propel.GET('/v1/customers/{customer_id}', { params: { path: { customer_id: '12347' } } });
  if (profile.data) {
    const id: string = profile.data.customer_id;
    const features: Record<string, number | string | null> = profile.data.features;
    void id, features;
  } else {
    const failure: ApiError = profile.error;
    const code: string = failure.error.code;
    void code;
  }
  const predictions = await propel.POST('/v1/predictions', { body: { customer_ids: ['a', 'b'] } });
  const p: number | null | undefined = predictions.data?.results[0]?.purchase_probability;
  const missing: number | undefined = predictions.data?.not_found[0]?.index;
  const nba = await propel.POST('/v1/next-best-action', { body: { customer_id: 'a', context: { channel: 'email', placement: 'outbound' } } });
  const decision: Schemas['NextBestAction'] | undefined = nba.data;
  const outcomes = await propel.POST('/v1/outcomes', {
    body: { outcomes: [{ decision_id: 'd', action_id: 'a', outcome: 'converted', value: 12.5 }] },
  });
  const recorded: number | undefined = outcomes.data?.recorded;
  const events = await propel.POST('/v1/events', { body: { events: [{ customer_id: 'a', type: 'purchase', ts: '2025-01-01T00:00:00Z', amount: 10 }] } });
  const ingested: number | undefined = events.data?.ingested;
  const page = await propel.GET('/v1/audiences', { params: { query: { limit: 10, tier: 'super_user' } } });
  const next: string | null | undefined = page.data?.next_cursor;
  const csv = await propel.GET('/v1/audiences', { params: { query: { format: 'csv' } }, parseAs: 'text' });
  const text: string | undefined = csv.data;
  void p, missing, decision, recorded, ingested, next, text;

  // @ts-expect-error not a path of the API
  await propel.GET('/v1/no-such-route');
  // @ts-expect-error customer_ids is required
  await propel.POST('/v1/predictions', { body: { explain: true } });
  // @ts-expect-error fax is not a channel
  await propel.POST('/v1/next-best-action', { body: { customer_id: 'a', context: { channel: 'fax', placement: 'outbound' } } });
  // @ts-expect-error clicked is not an outcome
  await propel.POST('/v1/outcomes', { body: { outcomes: [{ decision_id: 'd', action_id: 'a', outcome: 'clicked' }] } });
  // @ts-expect-error the path parameter is required
  await propel.GET('/v1/customers/{customer_id}', {});
  // @ts-expect-error an event has no field "price"
  await propel.POST('/v1/events', { body: { events: [{ customer_id: 'a', type: 'purchase', ts: 't', price: 1 }] } });
}
`;
    const config = ts.readConfigFile(path.join(REPO, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO);
    // No @types/node: the client needs only fetch, Request and Response (lib.dom) and must not rely on Node.
    const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, skipLibCheck: true, types: [], incremental: false };
    const host = ts.createCompilerHost(options, true);
    const { getSourceFile, fileExists, readFile } = host;
    // The snippet lives only in memory, next to the client (so it is an ES module of this package).
    host.fileExists = (file) => path.resolve(file) === snippetFile || fileExists.call(host, file);
    host.readFile = (file) => (path.resolve(file) === snippetFile ? snippet : readFile.call(host, file));
    host.getSourceFile = (file, language, ...rest) =>
      path.resolve(file) === snippetFile ? ts.createSourceFile(file, snippet, language, true) : getSourceFile.call(host, file, language, ...rest);
    const program = ts.createProgram({ rootNames: [path.join(CLIENT_DIR, 'index.ts'), SCHEMA_FILE, snippetFile], options, host });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const file = d.file ? path.relative(REPO, d.file.fileName) : '';
      return `${file}${where ? `:${where.line + 1}:${where.character + 1}` : ''} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(diagnostics).toEqual([]);
    // The program really read the generated types (and not, say, an empty stub).
    expect(program.getSourceFile(SCHEMA_FILE)?.text).toContain('"/v1/next-best-action"');
  });
});

describe('round trip through the typed client (in-process fetch, no network)', () => {
  let opened: OpenedStore;
  let dir: string;
  let scorer: CustomerScorer;
  let nba: NbaService;
  const { keys, tokens } = testKeys({
    writer: ['events:write'],
    reader: ['customers:read'],
    predictor: ['predict'],
    marketer: ['audiences:read'],
  });
  let clientFor: (token: string) => PropelClient;

  beforeAll(async () => {
    dir = tempDir();
    opened = await testStore();
    await loadGeneratedBase(opened, dir, { customers: 200, days: 240, seed: 41 });
    ({ scorer } = await testApp(opened, keys));
    nba = await NbaService.open(opened.store, scorer, loadActionCatalog(), { rng: createRng(5) });
    const app = createApp({ store: opened.store, identity: opened.identity, keys, scorer, nba });
    clientFor = (token) => createPropelClient({ baseUrl: 'http://propel.test', apiKey: token, fetch: async (request) => app.request(request) });
  });
  afterAll(async () => {
    await nba.flush();
    opened.store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ingests events, reads the profile, and predicts for it next to a base customer and an unknown id', async () => {
    const base = scorer.current!;
    const ts = `${base.asOf}T09:30:00Z`;
    const events = await clientFor(tokens.writer!).POST('/v1/events', {
      body: {
        events: [
          { customer_id: 'CLIENT-1', type: 'purchase', ts, amount: 80, event_id: 'client-rt-1' },
          { customer_id: 'CLIENT-1', type: 'visit', ts: 'not a time', event_id: 'client-rt-2' },
        ],
      },
    });
    expect(events.error).toBeUndefined();
    expect(events.response.status).toBe(200);
    expect(events.data).toMatchObject({ read: 2, ingested: 1, rejected: 1, persons_created: 1 });
    expect(events.data!.issues.map((i) => i.path)).toEqual([['events', 1, 'ts']]);

    const profile = await clientFor(tokens.reader!).GET('/v1/customers/{customer_id}', { params: { path: { customer_id: 'CLIENT-1' } } });
    expect(profile.error).toBeUndefined();
    expect(profile.data!.customer_id).toBe('CLIENT-1');
    expect(profile.data!.features.purchases_all).toBe(1);
    expect(profile.data!.scores.customer_id).toBe('CLIENT-1');
    expect(typeof profile.data!.person_id).toBe('number');

    const known = base.frame.customerIds.find((id) => !id.startsWith('anon-'))!;
    const predictions = await clientFor(tokens.predictor!).POST('/v1/predictions', {
      body: { customer_ids: [known, 'CLIENT-1', 'NOPE-CLIENT', known] },
    });
    expect(predictions.error).toBeUndefined();
    const result = predictions.data!;
    expect(result.model_versions).toEqual({ purchase: null, churn: null, clv: null });
    expect(result.results.map((r) => r.customer_id)).toEqual([known, 'CLIENT-1']);
    expect(result.results[1]!.person_id).toBe(profile.data!.person_id);
    expect(result.results[0]!.as_of).toBe(base.asOf);
    expect(result.not_found).toEqual([{ index: 2, customer_id: 'NOPE-CLIENT' }]);
  });

  it('asks for the next best action and records an outcome against the decision', async () => {
    const predictor = clientFor(tokens.predictor!);
    // The first customers of the base until one gets (or, in the control group, is withheld) an e-mail action.
    let decision: Schemas['NextBestAction'] | undefined;
    for (const customer_id of scorer.current!.frame.customerIds.filter((id) => !id.startsWith('anon-')).slice(0, 50)) {
      const answer = await predictor.POST('/v1/next-best-action', {
        body: { customer_id, context: { channel: 'email', placement: 'outbound' }, now: '2025-03-01T12:00:00Z' },
      });
      expect(answer.error).toBeUndefined();
      expect(answer.data!.customer_id).toBe(customer_id);
      if (answer.data!.actions.length > 0 || answer.data!.withheld.length > 0) {
        decision = answer.data;
        break;
      }
    }
    expect(decision, 'no customer among the first 50 got an e-mail action').toBeDefined();
    const d = decision!;
    expect(d.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.context).toEqual({ channel: 'email', placement: 'outbound' });
    const action_id = d.control_group ? d.withheld[0]!.action_id : d.actions[0]!.action_id;
    if (!d.control_group) {
      expect(d.actions[0]!.channel).toBe('email');
      expect(d.actions[0]!.reasons.length).toBeGreaterThan(0);
    }

    const outcomes = await clientFor(tokens.writer!).POST('/v1/outcomes', {
      body: {
        outcomes: [
          { decision_id: d.decision_id, action_id, outcome: 'shown', ts: '2025-03-01T12:00:00Z' },
          { decision_id: d.decision_id, action_id, outcome: 'converted', value: 42, ts: '2025-03-02T08:00:00Z' },
        ],
      },
    });
    expect(outcomes.error).toBeUndefined();
    expect(outcomes.data).toEqual({ received: 2, recorded: 2, duplicates: 0, rejected: 0, issues: [] });
  });

  it('pages through an audience with the cursor', async () => {
    const marketer = clientFor(tokens.marketer!);
    const first = await marketer.GET('/v1/audiences', { params: { query: { tier: 'super_user,high,medium', limit: 5 } } });
    expect(first.error).toBeUndefined();
    const page = first.data!;
    expect(page.as_of).toBe(scorer.current!.asOf);
    expect(page.items).toHaveLength(5);
    expect(page.total).toBeGreaterThan(5);
    for (const member of page.items) expect(['super_user', 'high', 'medium']).toContain(member.potential_tier);
    const indexes = page.items.map((m) => m.potential_index);
    expect(indexes).toEqual([...indexes].sort((a, b) => b - a));
    expect(page.next_cursor).toEqual(expect.any(String));

    const second = await marketer.GET('/v1/audiences', {
      params: { query: { tier: 'super_user,high,medium', limit: 5, cursor: page.next_cursor! } },
    });
    expect(second.data!.total).toBe(page.total);
    const seen = new Set(page.items.map((m) => m.customer_id));
    for (const member of second.data!.items) expect(seen.has(member.customer_id)).toBe(false);
  });

  it('gives the typed error envelope for an unknown customer, a bad body and a missing scope', async () => {
    const missing = await clientFor(tokens.reader!).GET('/v1/customers/{customer_id}', { params: { path: { customer_id: 'NOPE-CLIENT' } } });
    expect(missing.data).toBeUndefined();
    expect(missing.response.status).toBe(404);
    const notFound: ApiError = missing.error!;
    expect(notFound.error.code).toBe('not_found');
    expect(notFound.error.message).toMatch(/NOPE-CLIENT/);
    expect(notFound.error.issues).toEqual([]);

    const bad = await clientFor(tokens.predictor!).POST('/v1/predictions', { body: { customer_ids: [] } });
    expect(bad.response.status).toBe(400);
    expect(bad.error!.error.code).toBe('invalid_input');
    expect(bad.error!.error.issues.map((i) => i.path)).toEqual([['customer_ids']]);

    const forbidden = await clientFor(tokens.reader!).POST('/v1/next-best-action', {
      body: { customer_id: 'x', context: { channel: 'email', placement: 'outbound' } },
    });
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.error!.error.code).toEqual(expect.any(String));
  });
});
