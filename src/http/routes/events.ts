import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { EVENT_COLUMNS, EVENT_TYPES } from '../../domain/event.js';
import type { Issue } from '../../domain/errors.js';
import { EventIntake } from '../../serving/event-intake.js';
import type { AppDeps } from '../deps.js';
import { secured } from '../auth.js';
import { errorResponses, itemsJudgedEach, zodIssues } from '../envelope.js';

export const MAX_EVENTS_PER_REQUEST = 10_000;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** One event as JSON (CONTRACT.md §1). Fields are checked here for shape; the ingest rules judge content. */
export const EventInputSchema = z
  .object({
    customer_id: scalar.optional(),
    member_id: scalar.optional(),
    email: scalar.optional(),
    phone: scalar.optional(),
    type: z.string().openapi({ enum: [...EVENT_TYPES] as string[], example: 'purchase' }),
    ts: z.string().openapi({ example: '2024-05-01T10:15:00Z' }),
    event_id: scalar.optional(),
    amount: scalar.optional(),
    margin: scalar.optional(),
    quantity: scalar.optional(),
    product_id: scalar.optional(),
    category: scalar.optional(),
    channel: scalar.optional(),
    duration_s: scalar.optional(),
    rating: scalar.optional(),
    related_customer_id: scalar.optional(),
    campaign_id: scalar.optional(),
    action_id: scalar.optional(),
  })
  .strict()
  .openapi('EventInput');

const IngestRequestSchema = z
  .object({
    events: itemsJudgedEach('EventInput', MAX_EVENTS_PER_REQUEST, 'events'),
  })
  .strict()
  .openapi('IngestRequest');

const IngestResponseSchema = z
  .object({
    batch_id: z.number().int().describe('the ingest batch that holds these events (shared with requests_in_batch − 1 others)'),
    requests_in_batch: z
      .number()
      .int()
      .describe('requests written together in this batch: requests arriving while a batch is written go into the next one together (group commit)'),
    read: z.number().int(),
    ingested: z.number().int().describe("this request's events written"),
    duplicates: z.number().int().describe("this request's events skipped: their event_id was stored already, earlier in this request, or by a request before it in the batch"),
    rejected: z.number().int(),
    persons_created: z.number().int().describe('people created by the whole batch'),
    merges: z.number().int().describe('people merged by the whole batch'),
    conversions_attributed: z
      .number()
      .int()
      .describe('purchases in this request recorded as the conversion of an action shown to the customer shortly before (next-best-action attribution window)'),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })),
  })
  .openapi('IngestResult');

const route = (deps: AppDeps) => createRoute({
  method: 'post',
  ...secured(deps.keys, 'events:write'),
  path: '/v1/events',
  operationId: 'ingestEvents',
  tags: ['events'],
  summary: 'Ingest behaviour events',
  description:
    'Valid events land; each invalid one is reported by its index and field path (events.3.ts) and the rest still land. ' +
    'Re-sending an event_id adds nothing.',
  request: { body: { required: true, content: { 'application/json': { schema: IngestRequestSchema } } } },
  responses: {
    200: { description: 'Ingest summary', content: { 'application/json': { schema: IngestResponseSchema } } },
    ...errorResponses,
  },
});

export function registerEventRoutes(app: OpenAPIHono, deps: AppDeps): void {
  const intake = new EventIntake(deps);
  // Items are validated one by one (valid ones land), so the body refers to the schema by name.
  app.openAPIRegistry.register('EventInput', EventInputSchema);
  app.openapi(route(deps), async (c) => {
    const { events } = c.req.valid('json');
    const issues: Issue[] = [];
    const accepted: { index: number; row: Record<string, string | null> }[] = [];
    events.forEach((event, index) => {
      const parsed = EventInputSchema.safeParse(event);
      if (!parsed.success) issues.push(...zodIssues(parsed.error, ['events', index]));
      else accepted.push({ index, row: toRow(parsed.data) });
    });
    const result = await intake.submit(accepted.map((a) => a.row));
    for (const reject of result.rejects) {
      issues.push({ path: ['events', accepted[reject.line]!.index, reject.field], message: reject.reason });
    }
    const rejectedIndexes = new Set(issues.map((i) => i.path[1]));
    return c.json(
      {
        batch_id: result.batch_id,
        requests_in_batch: result.submissions_in_batch,
        read: events.length,
        ingested: result.ingested,
        duplicates: result.duplicates,
        rejected: rejectedIndexes.size,
        persons_created: result.persons_created,
        merges: result.merges,
        conversions_attributed: result.conversions_attributed,
        issues: issues.sort((a, b) => Number(a.path[1]) - Number(b.path[1])),
      },
      200,
    );
  });
}

function toRow(event: z.infer<typeof EventInputSchema>): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  for (const column of EVENT_COLUMNS) {
    const value = event[column];
    row[column] = value === undefined || value === null ? null : String(value);
  }
  return row;
}
