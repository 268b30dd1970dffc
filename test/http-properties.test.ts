import fs from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.js';
import { EVENT_TYPES } from '../src/domain/event.js';
import { loadActionCatalog } from '../src/nba/catalog.js';
import { CHANNELS } from '../src/nba/vocab.js';
import { NbaService } from '../src/serving/next-best-action.js';
import type { OpenedStore } from '../src/store/open.js';
import { loadGeneratedBase, tempDir, testApp, testKeys, testStore } from './helpers.js';

/** No input, however strange, makes the ingest, next-best-action or outcome routes answer 5xx. */

let opened: OpenedStore;
let dir: string;
let app: ReturnType<typeof createApp>;
let customerIds: string[] = [];
const decisionIds: string[] = [];
const { keys, tokens } = testKeys({ all: ['events:write', 'predict'] });

beforeAll(async () => {
  dir = tempDir();
  opened = await testStore();
  await loadGeneratedBase(opened, dir, { customers: 60, days: 120, seed: 5 });
  const { scorer } = await testApp(opened, keys);
  const nba = await NbaService.open(opened.store, scorer, loadActionCatalog());
  app = createApp({ store: opened.store, identity: opened.identity, keys, scorer, nba, maxBodyBytes: 64 * 1024 });
  customerIds = scorer.current!.frame.customerIds.slice(0, 20);
});
afterAll(() => {
  opened.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: string) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.all}` }, body });

/** Plausible-looking values of every kind: right and wrong types, edge numbers, odd strings, dates. */
const value = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', '2024-02-30', '2024-01-01T25:00:00Z', '2024-05-01', '2024-05-01T10:00:00+09:00', '-1', '1e309', 'NaN', '\u0000', "O'Brien", '🙂'),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

const event = fc.record(
  {
    customer_id: fc.oneof(value, fc.constantFrom('C000001', 'C000002')),
    email: value,
    phone: value,
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES), value),
    ts: fc.oneof(fc.constantFrom('2024-03-01T10:00:00Z', '2024-03-01'), value),
    amount: value,
    rating: value,
    event_id: value,
    unknown_field: value,
  },
  { requiredKeys: [] },
);

const isKnownStatus = (s: number) => s < 500;

describe('property: no 5xx', () => {
  it('POST /v1/events answers every body without a server error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ events: fc.array(event, { maxLength: 6 }) }).map((b) => JSON.stringify(b)),
          fc.anything().map((x) => JSON.stringify(x) ?? 'null'),
          fc.string(),
        ),
        async (body) => {
          const res = await post('/v1/events', body);
          expect(isKnownStatus(res.status), `${res.status} for ${body.slice(0, 200)}`).toBe(true);
          const json = await res.json();
          if (res.status !== 200) expect(json.error.code).toEqual(expect.any(String));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('POST /v1/next-best-action answers every body without a server error', async () => {
    const context = fc.record(
      { channel: fc.oneof(fc.constantFrom(...CHANNELS), value), placement: fc.oneof(fc.constantFrom('outbound', 'app_home', 'home_banner'), value) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            { customer_id: fc.oneof(fc.constantFrom(...customerIds), value), context: fc.oneof(context, value), now: value },
            { requiredKeys: ['customer_id', 'context'] },
          ).map((b) => JSON.stringify(b)),
          fc.anything().map((x) => JSON.stringify(x) ?? 'null'),
          fc.string(),
        ),
        async (body) => {
          const res = await post('/v1/next-best-action', body);
          expect(isKnownStatus(res.status), `${res.status} for ${body.slice(0, 200)}`).toBe(true);
          const json = await res.json();
          if (res.status === 200) decisionIds.push(json.decision_id);
          else expect(json.error.code).toEqual(expect.any(String));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('POST /v1/outcomes answers every body without a server error', async () => {
    const outcome = fc.record(
      {
        decision_id: fc.oneof(fc.constantFrom(...(decisionIds.length ? decisionIds : ['none'])), value),
        action_id: fc.oneof(fc.constantFrom('winback_offer', 'onboarding_series', 'referral_invite'), value),
        outcome: fc.oneof(fc.constantFrom('shown', 'accepted', 'rejected', 'converted'), value),
        value: value,
        ts: value,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ outcomes: fc.array(outcome, { maxLength: 5 }) }).map((b) => JSON.stringify(b)),
          fc.anything().map((x) => JSON.stringify(x) ?? 'null'),
        ),
        async (body) => {
          const res = await post('/v1/outcomes', body);
          expect(isKnownStatus(res.status), `${res.status} for ${body.slice(0, 200)}`).toBe(true);
        },
      ),
      { numRuns: 120 },
    );
  });
});
