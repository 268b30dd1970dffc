import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { NotFoundError } from '../../domain/errors.js';
import { BaseSummarySchema, CustomerScoreSchema } from '../../scoring/index.js';
import { secured } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { errorResponses, ErrorEnvelopeSchema } from '../envelope.js';
import { ModelVersionsSchema } from '../model-versions.js';

const ProfileSchema = z
  .object({
    customer_id: z
      .string()
      .describe('the id the person is listed under (audiences, score file); after a merge of two customers it can differ from the id asked for'),
    person_id: z.number().int(),
    as_of: z.string().describe('the day the scores are computed as of (events up to its end)'),
    scores: CustomerScoreSchema.describe('rule scores, tags and the reason behind each'),
    features: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).describe('the behaviour features behind the scores'),
    predictions: z.record(z.string(), z.number().nullable()).nullable().describe('model predictions; null until models are trained'),
    model_versions: ModelVersionsSchema,
    explanations: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('per prediction: the top features pushing the probability up or down (effect in log-odds), and a sentence on the CLV'),
  })
  .openapi('CustomerProfile');

const notFound = { 404: { description: 'Unknown customer', content: { 'application/json': { schema: ErrorEnvelopeSchema } } } };

export function registerCustomerRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const read = secured(deps.keys, 'customers:read');
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/customers/{customer_id}',
      operationId: 'getCustomerProfile',
      tags: ['customers'],
      summary: "A customer's profile: every score, tag and feature, with the reasons",
      ...read,
      request: { params: z.object({ customer_id: z.string().min(1).max(200).openapi({ example: '12347' }) }) },
      responses: {
        200: { description: 'Profile', content: { 'application/json': { schema: ProfileSchema } } },
        ...notFound,
        ...errorResponses,
      },
    }),
    async (c) => {
      const profile = await deps.scorer.profile(c.req.valid('param').customer_id);
      if (profile.predictions) deps.metrics?.countPredictions(profile.model_versions, 1);
      return c.json(profile, 200);
    },
  );

  const summary = () => {
    const s = deps.scorer.summary();
    if (!s) throw new NotFoundError('Nothing has been scored yet: the store has no events');
    return s;
  };
  const SegmentsSchema = BaseSummarySchema.pick({
    as_of: true,
    customers: true,
    purchasers: true,
    rfm_segments: true,
    lifecycle_segments: true,
    value_tiers: true,
    potential_tiers: true,
    super_user_score: true,
    pareto: true,
    typical_gap: true,
    tags: true,
  }).openapi('SegmentSummary');
  const FunnelSchema = BaseSummarySchema.pick({ as_of: true, funnel: true, hourglass: true }).openapi('FunnelSummary');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/summary/segments',
      operationId: 'getSegmentSummary',
      tags: ['summaries'],
      summary: 'Segment shares, value and potential tiers, the Pareto figure and tag counts for the whole base',
      ...read,
      responses: { 200: { description: 'Segments', content: { 'application/json': { schema: SegmentsSchema } } }, ...notFound, ...errorResponses },
    }),
    (c) => c.json(SegmentsSchema.parse(summary()), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/summary/funnel',
      operationId: 'getFunnelSummary',
      tags: ['summaries'],
      summary: 'Funnel aware → trial → joined → loyal with step conversion, and the referral hourglass',
      ...read,
      responses: { 200: { description: 'Funnel', content: { 'application/json': { schema: FunnelSchema } } }, ...notFound, ...errorResponses },
    }),
    (c) => c.json(FunnelSchema.parse(summary()), 200),
  );
}
