import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { MODEL_TARGETS } from '../../ml/registry/metadata.js';
import type { ModelService } from '../../ml/serving/model-service.js';
import { secured } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { ErrorEnvelopeSchema, errorResponses } from '../envelope.js';

const TargetParam = z.object({ target: z.enum(MODEL_TARGETS).openapi({ example: 'purchase' }) });
const ServingSchema = z
  .object({ purchase: z.string().nullable(), churn: z.string().nullable(), clv: z.string().nullable() })
  .openapi('ServingModels');
const SwitchSchema = z
  .object({
    target: z.enum(MODEL_TARGETS),
    version: z.string(),
    previous: z.string().nullable(),
    changed: z.boolean(),
    forced: z.boolean(),
    serving: ServingSchema,
  })
  .openapi('ModelSwitch');
const refused = {
  404: { description: 'Unknown version', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
  409: { description: 'Refused: worse than baseline, schema mismatch, nothing to roll back to', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
  422: { description: 'Corrupt artifact: refused (the current models keep serving)', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
};

/** Model versions at run time: list, promote, roll back, reload — without dropping a request. */
export function registerModelRoutes(app: OpenAPIHono, deps: AppDeps, service: ModelService): void {

  const common = { tags: ['models'], ...secured(deps.keys, 'admin') };
  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/v1/models',
      operationId: 'listModels',
      summary: 'Registered versions per target, which is current, and which is serving',
      responses: {
        200: {
          description: 'Versions',
          content: { 'application/json': { schema: z.object({ serving: ServingSchema, versions: z.array(z.record(z.string(), z.unknown())), problems: z.array(z.record(z.string(), z.unknown())) }) } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const listed = await service.list();
      return c.json({ serving: service.current.versions, versions: listed.versions as never[], problems: listed.problems as never[] }, 200);
    },
  );
  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/models/{target}/promote',
      operationId: 'promoteModel',
      summary: 'Make a version current and serve it (refused when it does not beat its baseline, unless force)',
      request: {
        params: TargetParam,
        body: { required: true, content: { 'application/json': { schema: z.object({ version: z.string().min(1), force: z.boolean().default(false) }).strict() } } },
      },
      responses: { 200: { description: 'Switched', content: { 'application/json': { schema: SwitchSchema } } }, ...refused, ...errorResponses },
    }),
    async (c) => {
      const { target } = c.req.valid('param');
      const { version, force } = c.req.valid('json');
      const result = await service.promote(target, version, force);
      return c.json({ ...result, serving: service.current.versions }, 200);
    },
  );
  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/models/{target}/rollback',
      operationId: 'rollbackModel',
      summary: 'Go back to the previously promoted version and serve it',
      request: { params: TargetParam },
      responses: { 200: { description: 'Switched', content: { 'application/json': { schema: SwitchSchema } } }, ...refused, ...errorResponses },
    }),
    async (c) => {
      const result = await service.rollback(c.req.valid('param').target);
      return c.json({ ...result, serving: service.current.versions }, 200);
    },
  );
  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/v1/models/reload',
      operationId: 'reloadModels',
      summary: "Load the registry's current versions (e.g. after npm run train); a broken artifact is refused and the serving models stay",
      responses: { 200: { description: 'Serving', content: { 'application/json': { schema: z.object({ serving: ServingSchema }) } } }, ...refused, ...errorResponses },
    }),
    async (c) => {
      await service.reload();
      return c.json({ serving: service.current.versions }, 200);
    },
  );
}
