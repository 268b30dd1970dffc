import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRng } from '../ml/random.js';
import { loadActionCatalog } from './catalog.js';
import { decide } from './decide.js';
import { experimentReport, ExperimentReportSchema } from './experiment.js';
import { DecideInputSchema, DecisionSchema } from './schemas.js';

describe('HTTP schemas', () => {
  it('describe the decision request and response and the experiment report in an OpenAPI 3.1 document', async () => {
    const app = new OpenAPIHono();
    const catalog = loadActionCatalog();
    const route = createRoute({
      method: 'post',
      path: '/nba',
      request: { body: { content: { 'application/json': { schema: DecideInputSchema } } } },
      responses: { 200: { description: 'decision', content: { 'application/json': { schema: DecisionSchema } } } },
    });
    app.openapi(route, (c) => c.json(decide(c.req.valid('json'), catalog, catalog.policy, [], createRng(1)), 200));
    const reportRoute = createRoute({
      method: 'get',
      path: '/experiments',
      responses: { 200: { description: 'report', content: { 'application/json': { schema: ExperimentReportSchema } } } },
    });
    app.openapi(reportRoute, (c) => c.json(experimentReport([]), 200));
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.paths ?? {})).toEqual(['/nba', '/experiments']);

    // a minimal request is valid: scores, predictions, tags, consents and history default to empty
    const res = await app.request('/nba', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer_id: 'c9', context: { channel: 'web', placement: 'home_banner' }, now: '2025-01-01T00:00:00' }),
    });
    expect(res.status).toBe(200);
    expect(DecisionSchema.safeParse(await res.json()).success).toBe(true);
    const bad = await app.request('/nba', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer_id: 'c9', context: { channel: 'fax', placement: 'x' }, now: 'soon' }),
    });
    expect(bad.status).toBe(400);
  });

  it('convert to JSON Schema', () => {
    expect(() => z.toJSONSchema(DecideInputSchema, { io: 'input' })).not.toThrow();
    expect(() => z.toJSONSchema(DecisionSchema)).not.toThrow();
    expect(() => z.toJSONSchema(ExperimentReportSchema)).not.toThrow();
  });
});
