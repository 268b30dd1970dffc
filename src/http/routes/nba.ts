import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  DecisionContextSchema,
  DecisionSchema,
  ExperimentReportSchema,
  OutcomeInputSchema,
  TimestampSchema,
  toMillis,
} from '../../nba/index.js';
import type { NbaService } from '../../serving/next-best-action.js';
import { secured } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { errorResponses, ErrorEnvelopeSchema, itemsJudgedEach } from '../envelope.js';
import { ModelVersionsSchema } from '../model-versions.js';

export const MAX_OUTCOMES_PER_REQUEST = 10_000;

const NbaRequestSchema = z
  .object({
    customer_id: z.string().min(1).max(200).openapi({ example: '12347' }),
    context: DecisionContextSchema.strict().openapi({ example: { channel: 'email', placement: 'outbound' } }),
    now: TimestampSchema.optional().describe(
      "decide as of this moment (replays, tests); default now; at most 24 h ahead of the server time; a replay sees the contacts of the history window back from the server's clock",
    ),
  })
  .strict()
  .openapi('NextBestActionRequest');

const NbaAnswerSchema = DecisionSchema.extend({
  decision_id: z.string().describe('record outcomes against this id'),
  decided_at: z.string(),
  as_of: z.string().describe('the day the scores behind the decision are computed as of'),
  model_versions: ModelVersionsSchema,
}).openapi('NextBestAction');

const OutcomesRequestSchema = z
  .object({
    outcomes: itemsJudgedEach('OutcomeInput', MAX_OUTCOMES_PER_REQUEST, 'outcomes'),
  })
  .strict()
  .openapi('OutcomesRequest');

const OutcomesResultSchema = z
  .object({
    received: z.number().int(),
    recorded: z.number().int(),
    duplicates: z.number().int().describe('outcomes recorded before (same decision, action and outcome): nothing changed'),
    rejected: z.number().int(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })),
  })
  .openapi('OutcomesResult');

const notFound = { 404: { description: 'Unknown customer', content: { 'application/json': { schema: ErrorEnvelopeSchema } } } };

export function registerNbaRoutes(app: OpenAPIHono, deps: RouteDeps): void {
  const nba = deps.nba;
  if (!nba) return;
  // Items are validated one by one (valid ones land), so the body lists them as a reference only.
  app.openAPIRegistry.registerComponent('schemas', 'OutcomeInput', z.toJSONSchema(OutcomeInputSchema, { io: 'input' }) as never);
  registerDecision(app, deps, nba);
  registerOutcomes(app, deps, nba);
  registerReports(app, deps, nba);
}

function registerDecision(app: OpenAPIHono, deps: RouteDeps, nba: NbaService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/next-best-action',
      operationId: 'decideNextBestAction',
      tags: ['next best action'],
      summary: 'The ranked actions for a customer in a context (channel, placement), with the reasons, or why nothing qualified',
      description:
        'priority = P(response) × value × context weight × lever − cost, after eligibility, consent, frequency caps and cooldowns. ' +
        'A deterministic control group (hash of the customer id) gets no action; `withheld` lists what it would have got. ' +
        'Record what happens with POST /v1/outcomes and the decision_id.',
      ...secured(deps.keys, 'predict'),
      request: { body: { required: true, content: { 'application/json': { schema: NbaRequestSchema } } } },
      responses: {
        200: { description: 'Decision', content: { 'application/json': { schema: NbaAnswerSchema } } },
        ...notFound,
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const answer = await nba.decide(body);
      deps.metrics.countPredictions(answer.model_versions, 1);
      return c.json(answer, 200);
    },
  );
}

function registerOutcomes(app: OpenAPIHono, deps: RouteDeps, nba: NbaService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/outcomes',
      operationId: 'recordOutcomes',
      tags: ['next best action'],
      summary: 'Record shown / accepted / rejected / converted (with value) for actions of earlier decisions',
      description:
        'Each outcome names the decision_id and an action it offered (in the control group: an action it withheld — record the ' +
        'moment the action would have been shown as `shown`, and a conversion that happens anyway as `converted`). ' +
        'Valid outcomes land even when others in the same request are rejected; repeats are counted as duplicates. ' +
        'Treatment outcomes feed the contact policy (caps, cooldowns) and the learning of response rates.',
      ...secured(deps.keys, 'events:write'),
      request: { body: { required: true, content: { 'application/json': { schema: OutcomesRequestSchema } } } },
      responses: {
        200: {
          description: 'What was recorded; rejected outcomes are named in `issues` by index and field (as for POST /v1/events)',
          content: { 'application/json': { schema: OutcomesResultSchema } },
        },
        ...errorResponses,
      },
    }),
    async (c) => c.json(await nba.recordOutcomes(c.req.valid('json').outcomes), 200),
  );
}

function registerReports(app: OpenAPIHono, deps: RouteDeps, nba: NbaService): void {
  const read = secured(deps.keys, 'predict');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/experiments',
      operationId: 'getExperimentReport',
      tags: ['next best action'],
      summary: 'Uplift per action: conversion in treatment vs the control group with 95% intervals',
      ...read,
      request: { query: z.object({ since: TimestampSchema.optional().describe('only actions of decisions first shown at or after this time, with all their outcomes') }).strict() },
      responses: {
        200: { description: 'Experiment report', content: { 'application/json': { schema: ExperimentReportSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { since } = c.req.valid('query');
      return c.json(await nba.experiment(since !== undefined ? new Date(toMillis(since)) : undefined), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/actions',
      operationId: 'listActions',
      tags: ['next best action'],
      summary: 'The action catalog and contact policy the decisions use',
      ...read,
      responses: {
        200: {
          description: 'Catalog',
          content: { 'application/json': { schema: z.object({ actions: z.array(z.unknown().openapi({ type: 'object' })), policy: z.unknown().openapi({ type: 'object' }) }) } },
        },
        ...errorResponses,
      },
    }),
    (c) => c.json({ actions: nba.catalog.actions, policy: nba.catalog.policy }, 200),
  );
}
