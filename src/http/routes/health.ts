import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { MODEL_TARGETS } from '../../ml/registry/metadata.js';
import { notServing } from '../../ml/serving/model-service.js';
import type { ModelVersions } from '../../ml/serving/model-set.js';
import type { RouteDeps } from '../deps.js';

const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');
const VersionsSchema = z.object({ purchase: z.string().nullable(), churn: z.string().nullable(), clv: z.string().nullable() });
const NotServingSchema = z.object({
  target: z.enum(MODEL_TARGETS),
  version: z.string().describe("the registry's current version"),
  serving: z.string().nullable().describe('the version serving instead; null for none (that target’s predictions are empty)'),
  code: z
    .string()
    .describe('why: the error code of the refused load (corrupt_artifact, schema_mismatch, ...), or not_loaded for a version promoted on disk and not reloaded since'),
  reason: z.string().describe('the same in a sentence'),
});
const ReadySchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z
      .object({
        store: z.boolean().describe('the store answers a query'),
        models: z
          .boolean()
          .describe("every target with a current version in the registry serves exactly that version (false after a promote on disk not yet reloaded, or a failed load); true without model operations"),
      })
      .describe('ready when every check is true'),
    scored: z
      .object({ as_of: z.string().nullable(), customers: z.number().int() })
      .describe('informational, not a readiness check: the scored base (as_of null on an empty store, which still takes events)'),
    models: z
      .object({
        serving: VersionsSchema.describe('loaded and answering'),
        registry: VersionsSchema.describe("the registry's current versions"),
        not_serving: z.array(NotServingSchema).describe("each target whose registry version is not the one serving, and why (empty when ready)"),
        problem: z.string().optional().describe('why the registry could not be read'),
      })
      .optional()
      .describe('present when the service has model operations'),
  })
  .openapi('Readiness');

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealth',
  tags: ['operations'],
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: HealthSchema } } } },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getReadiness',
  tags: ['operations'],
  summary: 'Readiness: the store answers a query and the serving models are the registry’s current versions',
  description:
    'Answers 503 when the store does not answer, or when a target has a current version in the registry that is not the one ' +
    'serving (trained and promoted on disk but not yet loaded — POST /v1/models/reload — or its load failed).',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: ReadySchema } } },
    503: { description: 'Not ready', content: { 'application/json': { schema: ReadySchema } } },
  },
});

export function registerHealthRoutes(app: OpenAPIHono, deps: RouteDeps): void {
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyz, async (c) => {
    const store = await deps.store.one('SELECT 1 AS ok').then(
      () => true,
      () => false,
    );
    const models = await modelReadiness(deps);
    const base = deps.scorer.current;
    const checks = { store, models: models?.ready ?? true };
    const ready = checks.store && checks.models;
    return c.json(
      {
        status: ready ? ('ready' as const) : ('not_ready' as const),
        checks,
        scored: { as_of: base?.asOf ?? null, customers: base?.frame.n ?? 0 },
        ...(models ? { models: models.detail } : {}),
      },
      ready ? 200 : 503,
    );
  });
}

/** Serving versus the registry's current versions; undefined without model operations. */
async function modelReadiness(deps: RouteDeps) {
  if (!deps.models) return undefined;
  const serving = deps.models.current.versions;
  const registry: ModelVersions = { purchase: null, churn: null, clv: null };
  let problem: string | undefined;
  try {
    for (const target of MODEL_TARGETS) registry[target] = (await deps.models.registry.current(target)) ?? null;
  } catch (error) {
    problem = (error as Error).message;
  }
  // Only when the registry was read: otherwise every target would look unserved for the registry's fault.
  const unserved = problem === undefined ? notServing(registry, serving, deps.models.refused) : [];
  const ready = problem === undefined && unserved.length === 0;
  return { ready, detail: { serving, registry, not_serving: unserved, ...(problem ? { problem } : {}) } };
}
