/**
 * A typed client for the Propel HTTP API, built on openapi-fetch over the types generated from the
 * app's /openapi.json (./schema.ts; regenerate with `npm run client:generate`).
 *
 *   const propel = createPropelClient({ baseUrl: 'http://localhost:3000', apiKey: process.env.PROPEL_API_KEY });
 *   const { data, error } = await propel.POST('/v1/next-best-action', {
 *     body: { customer_id: '12347', context: { channel: 'email', placement: 'outbound' } },
 *   });
 *   if (error) throw new Error(`${error.error.code}: ${error.error.message}`);
 *   console.log(data.decision_id, data.actions[0]?.action_id);
 *
 * Every call answers `{ data, error, response }`: `data` is the typed 200 body, `error` the typed
 * error envelope (`{ error: { code, message, issues } }`) of a 4xx/5xx answer; exactly one is set.
 * Bodies are parsed as JSON; for the audience export as CSV or NDJSON pass
 * `{ params: { query: { format: 'csv' } }, parseAs: 'text' }` (or 'stream').
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** The named schemas of the API (CustomerProfile, PredictionResult, NextBestAction, AudiencePage, Error, ...). */
export type Schemas = components['schemas'];
/** The error envelope every 4xx/5xx answer carries. */
export type ApiError = Schemas['Error'];

/** The client: GET/POST/... on the API's paths, with typed parameters, bodies and answers (JSON). */
export type PropelClient = Client<paths, 'application/json'>;

export interface PropelClientOptions {
  /** Where the service listens, e.g. http://localhost:3000 (no /v1: paths carry it). */
  baseUrl: string;
  /** API key (pk_<id>_<secret>), sent as `Authorization: Bearer <key>`; only /healthz, /readyz and /metrics work without one. */
  apiKey?: string;
  /** The fetch to send requests with (default globalThis.fetch); tests pass one that calls the app in-process. */
  fetch?: (request: Request) => Promise<Response>;
  /** More headers sent with every request (e.g. x-request-id). */
  headers?: Record<string, string>;
}

export function createPropelClient(options: PropelClientOptions): PropelClient {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
  return createClient<paths, 'application/json'>({
    baseUrl: options.baseUrl,
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
