import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { NotFoundError } from '../../domain/errors.js';
import type { CustomerState } from '../../serving/scorer.js';
import { EXPLAINED_FEATURES } from '../../ml/serving/model-set.js';
import { secured } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { errorResponses } from '../envelope.js';
import { ModelVersionsSchema } from '../model-versions.js';

/** Most customer ids one prediction request may ask for. */
export const MAX_PREDICT_IDS = 1000;
/** Features listed per probability when explanations are asked for. */


const PredictionRequestSchema = z
  .object({
    customer_ids: z
      .array(z.string().min(1).max(200))
      .min(1)
      .max(MAX_PREDICT_IDS)
      .describe(
        `1 to ${MAX_PREDICT_IDS} customer ids. Each distinct id is answered once, in the order first asked; ` +
          'an id the store does not know is listed in not_found and the others are still answered.',
      )
      .openapi({ example: ['12347', '12348'] }),
    explain: z
      .boolean()
      .default(false)
      .describe(`also give, per probability, the top ${EXPLAINED_FEATURES} features pushing it up or down, and a sentence on the CLV`),
  })
  .strict()
  .openapi('PredictionRequest');

const ExplanationSchema = z
  .object({
    feature: z.string(),
    effect: z.number().describe("change in log-odds from this feature's value versus the training average"),
    direction: z.enum(['up', 'down']),
  })
  .openapi('FeatureEffect');

const probability = (what: string) => z.number().min(0).max(1).nullable().describe(`${what}; null when no model answers it`);

const PredictionSchema = z
  .object({
    customer_id: z.string().describe('the id as asked'),
    person_id: z.number().int().describe('the resolved person (two ids of one merged person share it)'),
    as_of: z.string().describe('the day the features are computed as of (events up to its end)'),
    purchase_probability: probability('probability of a purchase within the purchase horizon'),
    churn_probability: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe(
        'probability of no activity within the churn horizon, for customers active in the active window before the as-of day ' +
          "(the model's population); null without a model and for a customer already inactive (see potential.predictions.lapsed in the profile)",
      ),
    expected_purchases: z.number().nullable().describe('expected purchases over the CLV horizon (BG/NBD); null when it cannot be computed'),
    p_alive: probability('probability the customer is still active (BG/NBD)'),
    predicted_clv: z.number().nullable().describe('predicted value over the CLV horizon; null for a customer with no purchase or without a CLV model'),
    explanations: z
      .object({
        purchase_probability: z.array(ExplanationSchema).optional(),
        churn_probability: z.array(ExplanationSchema).optional(),
        predicted_clv: z.string().optional(),
      })
      .optional()
      .describe('only with explain: true; a target without a model, or without a prediction for this customer, is left out'),
  })
  .openapi('Prediction');

const PredictionResponseSchema = z
  .object({
    model_versions: ModelVersionsSchema,
    results: z.array(PredictionSchema).describe('one per distinct known id, in request order'),
    not_found: z
      .array(z.object({ index: z.number().int().describe('position of the id in customer_ids'), customer_id: z.string() }))
      .describe('ids the store does not know (each once, at its first position)'),
  })
  .openapi('PredictionResult');

const route = (deps: RouteDeps) =>
  createRoute({
    method: 'post',
    path: '/v1/predictions',
    operationId: 'predict',
    tags: ['predictions'],
    summary: 'Purchase and churn probabilities and CLV for one or many customers, with the model versions',
    description:
      `Up to ${MAX_PREDICT_IDS} customer ids per request. Values come from the scored base, or from a fresh rebuild ` +
      'for customers whose events arrived since it was scored. Unknown ids are reported in not_found; the rest are answered. ' +
      'Duplicate ids are answered once.',
    ...secured(deps.keys, 'predict'),
    request: { body: { required: true, content: { 'application/json': { schema: PredictionRequestSchema } } } },
    responses: {
      200: { description: 'Predictions', content: { 'application/json': { schema: PredictionResponseSchema } } },
      ...errorResponses,
    },
  });

type Prediction = z.infer<typeof PredictionSchema>;

export function registerPredictionRoutes(app: OpenAPIHono, deps: RouteDeps): void {
  app.openapi(
    route(deps),
    async (c) => {
      const { customer_ids, explain } = c.req.valid('json');
      const models = deps.models?.current;
      // The versions the scored base was predicted with (customers rebuilt since use the serving ones, the same after a refresh).
      const versions = deps.scorer.modelVersions;
      const results: Prediction[] = [];
      const notFound: { index: number; customer_id: string }[] = [];
      const seen = new Set<string>();
      // One at a time: a base customer is a map lookup; others cost a store query each.
      for (const [index, id] of customer_ids.entries()) {
        if (seen.has(id)) continue;
        seen.add(id);
        let state: CustomerState;
        try {
          state = await deps.scorer.state(id);
        } catch (error) {
          if (error instanceof NotFoundError) {
            notFound.push({ index, customer_id: id });
            continue;
          }
          throw error;
        }
        const p = state.predictions ?? {};
        const result: Prediction = {
          customer_id: id,
          person_id: state.person_id,
          as_of: state.as_of,
          purchase_probability: p.purchase_probability ?? null,
          churn_probability: p.churn_probability ?? null,
          expected_purchases: p.expected_purchases ?? null,
          p_alive: p.p_alive ?? null,
          predicted_clv: p.predicted_clv ?? null,
        };
        if (explain) result.explanations = models?.any ? (deps.scorer.explanations(state) ?? {}) : {};
        results.push(result);
      }
      deps.metrics.countPredictions(versions, results.length);
      return c.json({ model_versions: versions, results, not_found: notFound }, 200);
    },
  );
}
