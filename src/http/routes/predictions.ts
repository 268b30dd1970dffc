import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';

export function registerPredictionRoutes(_app: OpenAPIHono, _deps: AppDeps): void {}
