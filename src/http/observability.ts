import crypto from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelVersions } from '../ml/serving/model-set.js';

/**
 * The event-loop monitor's sampling interval (prom-client's default). Its `nodejs_eventloop_lag_*`
 * figures are the intervals between samples, so they include this: the loop's own delay is the
 * figure minus it.
 */
export const EVENT_LOOP_RESOLUTION_MS = 10;

/** Prometheus metrics of the service, in a registry of its own (one per app, so tests stay apart). */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'propel_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'propel_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    // Sub-millisecond to a second: the service aims at p99 ≤ 10 ms.
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly predictions = new Counter({
    name: 'propel_predictions_total',
    help: 'Customers answered with model predictions, by model target and the version that answered',
    labelNames: ['target', 'version'] as const,
    registers: [this.registry],
  });
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) {
      collectDefaultMetrics({ register: this.registry, prefix: 'propel_', eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
    }
  }

  /**
   * Counts `customers` answered with the serving models (batch predictions, profiles, next best
   * action): one increment per target that has a version; a target with no model counts nothing.
   */
  countPredictions(versions: ModelVersions, customers: number): void {
    if (customers <= 0) return;
    for (const target of ['purchase', 'churn', 'clv'] as const) {
      const version = versions[target];
      if (version) this.predictions.inc({ target, version }, customers);
    }
  }
}

export type RequestVariables = { requestId: string };

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Gives every request an id (the caller's x-request-id when well formed), echoes it, logs one line
 * per request and records its count and latency under the matched route pattern (not the raw path,
 * so customer ids do not become metric labels).
 */
export function observe(metrics: ServiceMetrics, logger?: Logger): MiddlewareHandler<{ Variables: RequestVariables }> {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', requestId);
    const start = performance.now();
    await next();
    const seconds = (performance.now() - start) / 1000;
    const route = endpointPattern(c);
    c.res.headers.set('x-request-id', requestId);
    metrics.requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    metrics.latency.observe({ method: c.req.method, route }, seconds);
    logger?.info({ requestId, method: c.req.method, route, path: c.req.path, status: c.res.status, ms: Math.round(seconds * 1e4) / 10 }, 'request');
  };
}

/**
 * The pattern of the endpoint a request was for: the last matched route registered for a method,
 * not a middleware. So a request refused before its handler ran (a body over the limit) is still
 * counted under its route rather than the middleware's `/v1/*`; a request no route takes is
 * `unmatched`.
 */
function endpointPattern(c: Context): string {
  const routes = c.req.matchedRoutes;
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== 'ALL') return routes[i]!.path;
  return 'unmatched';
}
