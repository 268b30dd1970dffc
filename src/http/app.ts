import { OpenAPIHono } from '@hono/zod-openapi';
import { boundedBody } from './body.js';
import { DEFAULT_MAX_BODY_BYTES, type AppDeps, type RouteDeps } from './deps.js';
import { envelope } from './envelope.js';
import { allowedMethodsOf } from './method-not-allowed.js';
import { observe, ServiceMetrics } from './observability.js';
import { onError } from './on-error.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerModelRoutes } from './routes/models.js';
import { registerEventRoutes } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerAudienceRoutes } from './routes/audiences.js';
import { registerNbaRoutes } from './routes/nba.js';
import { registerPredictionRoutes } from './routes/predictions.js';
import { validationHook } from './validation-hook.js';

export const API_VERSION = '1.0.0';

/** The HTTP API; everything it touches comes in through `deps`, so tests build it on a test store. */
export function createApp(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono({ defaultHook: validationHook as never });
  const metrics = deps.metrics ?? new ServiceMetrics();
  app.use('*', observe(metrics, deps.logger));
  // Operational figures only, no customer data: scraped without a key, like most Prometheus targets.
  app.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tags: ['operations'],
    summary: 'Prometheus metrics: requests by route and status, latency histograms, predictions by model version (no customer data, no key)',
    responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
  });
  const maxBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  app.use(
    '/v1/*',
    boundedBody(maxBytes, (c) => c.json(envelope('body_too_large', `The body is larger than ${maxBytes} bytes`), 413)),
  );
  // Routes see the app's metrics as deps.metrics (e.g. to count predictions by model version).
  const routeDeps: RouteDeps = { ...deps, metrics };
  registerHealthRoutes(app, routeDeps);
  registerEventRoutes(app, routeDeps);
  registerCustomerRoutes(app, routeDeps);
  registerPredictionRoutes(app, routeDeps);
  registerNbaRoutes(app, routeDeps);
  registerAudienceRoutes(app, routeDeps);
  if (deps.models) registerModelRoutes(app, routeDeps, deps.models);
  registerDocsRoutes(app);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key (pk_<id>_<secret>) with scopes: events:write, customers:read, predict, audiences:read, admin',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Propel API',
      version: API_VERSION,
      description: 'Customer scores, predictions, next best action and audiences. Errors: {"error": {"code", "message", "issues"}}.',
    },
  });
  const allowedMethods = allowedMethodsOf(app);
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length === 0) return c.json(envelope('not_found', `No route ${c.req.method} ${c.req.path}`), 404);
    return c.json(envelope('method_not_allowed', `${c.req.method} is not served on ${c.req.path}; use ${allowed.join(' or ')}`), 405, {
      allow: allowed.join(', '),
    });
  });
  app.onError(onError);
  return app;
}
