import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { EVENT_COLUMNS, EVENT_TYPES } from '../../domain/event.js';
import type { Issue } from '../../domain/errors.js';
import { ingestEvents } from '../../ingest/ingest.js';
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
    batch_id: z.number().int(),
    read: z.number().int(),
    ingested: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    persons_created: z.number().int(),
    merges: z.number().int(),
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
    const summary = await ingestEvents(deps.store, {
      source: { kind: 'rows', rows: accepted.map((a) => a.row) },
      identity: deps.identity,
      origin: 'http',
      rejectsLimit: MAX_EVENTS_PER_REQUEST * 20,
      ...(deps.knownEventIds ? { knownEventIds: deps.knownEventIds } : {}),
    });
    // The customers these events belong to are rebuilt; so are people merged by a batch whose events
    // were all stored already (a row that only links two known identifiers).
    if (summary.ingested > 0 || summary.merges > 0) {
      // Their events, and both sides of this batch's merges (the survivor now has the absorbed one's events).
      const touched = await deps.store.all<{ person_id: number }>(
        `SELECT DISTINCT person_id FROM events WHERE batch_id = $batch
         UNION SELECT absorbed_person_id FROM identity_merges WHERE batch_id = $batch
         UNION SELECT survivor_person_id FROM identity_merges WHERE batch_id = $batch`,
        { batch: summary.batch_id },
      );
      deps.scorer.invalidate(touched.map((t) => Number(t.person_id)));
    }
    if (deps.nba && summary.merges > 0) {
      const merges = await deps.store.all<{ absorbed: number; survivor: number }>(
        'SELECT absorbed_person_id AS absorbed, survivor_person_id AS survivor FROM identity_merges WHERE batch_id = ?',
        [summary.batch_id],
      );
      deps.nba.merged(merges.map((m) => ({ absorbed: Number(m.absorbed), survivor: Number(m.survivor) })));
    }
    // Purchases that follow a shown action convert it (the catalog's attribution window).
    let attributed = 0;
    if (deps.nba && summary.ingested > 0) {
      const purchases = await deps.store.all<{ person_id: number; ts: number; amount: number | null }>(
        `SELECT person_id, epoch_ms(ts) AS ts, amount FROM events WHERE batch_id = $batch AND type = 'purchase' AND isfinite(ts)`,
        { batch: summary.batch_id },
      );
      attributed = await deps.nba.attributePurchases(purchases.map((p) => ({ person_id: Number(p.person_id), ts: Number(p.ts), amount: p.amount })));
    }
    for (const reject of summary.rejects) {
      issues.push({ path: ['events', accepted[reject.line]!.index, reject.field], message: reject.reason });
    }
    const rejectedIndexes = new Set(issues.map((i) => i.path[1]));
    return c.json(
      {
        batch_id: summary.batch_id,
        read: events.length,
        ingested: summary.ingested,
        duplicates: summary.duplicates,
        rejected: rejectedIndexes.size,
        persons_created: summary.persons_created,
        merges: summary.merges,
        conversions_attributed: attributed,
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
