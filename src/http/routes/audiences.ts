import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import {
  AUDIENCE_CONTENT_TYPES,
  AUDIENCE_CSV_COLUMNS,
  AudienceMemberSchema,
  AudienceQuerySchema,
  baseTag,
  DEFAULT_AUDIENCE_TIERS,
  encodeCursor,
  exportChunks,
  exportFilename,
  MAX_PAGE_SIZE,
  memberReader,
  resolveAudienceRequest,
  selectAudience,
  textStream,
} from '../../serving/audience/index.js';
import { secured } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { errorResponses, ErrorEnvelopeSchema } from '../envelope.js';

// Re-made with this module's z, so the component is named however the serving module was loaded.
const MemberSchema = z.object(AudienceMemberSchema.shape).openapi('AudienceMember');

const AudiencePageSchema = z
  .object({
    as_of: z.string().describe('the day the scores are computed as of; the list reads the scored base of that day'),
    total: z.number().int().describe('customers matching the filters in the whole base (not only this page)'),
    items: z.array(MemberSchema).describe('in order: potential index descending, then customer_id ascending'),
    next_cursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
  })
  .openapi('AudiencePage');

const exportHeaders = {
  'content-disposition': { description: 'attachment; filename="audience-<as_of>.csv" (or .ndjson)', schema: { type: 'string' as const } },
  'x-total-count': { description: 'customers matching the filters in the whole base', schema: { type: 'integer' as const } },
  'x-export-rows': { description: 'rows this export holds (after the cursor, up to the limit)', schema: { type: 'integer' as const } },
  'x-next-cursor': { description: 'only when a limit cut the export short: cursor to export the rest', schema: { type: 'string' as const } },
  'x-as-of': { description: 'the day the scores are computed as of', schema: { type: 'string' as const } },
};

const route = (deps: AppDeps) =>
  createRoute({
    method: 'get',
    path: '/v1/audiences',
    operationId: 'listAudience',
    tags: ['audiences'],
    summary: 'High-potential customers by potential tier with filters: a paged list, or a streamed CSV / NDJSON export',
    description: [
      `Customers of the scored base whose potential tier is one of \`tier\` (default ${DEFAULT_AUDIENCE_TIERS.join(',')}) and who meet every other filter given, `,
      'ordered by potential index descending, then customer_id ascending. Rows carry customer ids and scores only, never contact data.\n\n',
      `JSON answers one page (\`limit\`, default 100, at most ${MAX_PAGE_SIZE}) with \`next_cursor\`; `,
      '`text/csv` and `application/x-ndjson` (by `format` or the Accept header) stream every matching row from the cursor on ',
      '(or the first `limit`), with a fixed CSV header; empty values are empty cells, tags and consented channels are joined with `|`. ',
      'Numbers are rounded as in the score file (probabilities 6 decimals, expected purchases 4, CLV and scores 2).\n\n',
      'The list reads the scored base (as of `as_of`): customers changed through the API since the last rescoring show their new scores ',
      'only after the next refresh. Cursors keep working across a refresh (they hold the last sort key, not a position). ',
      'A filter on a prediction excludes customers without that value (no model, or an empty prediction). ',
      'Unknown query parameters are rejected, so a misspelt filter never widens the audience.',
    ].join(''),
    ...secured(deps.keys, 'audiences:read'),
    request: { query: AudienceQuerySchema },
    responses: {
      200: {
        description: 'The audience: a JSON page, or the whole export as CSV or NDJSON',
        headers: exportHeaders,
        content: {
          'application/json': { schema: AudiencePageSchema },
          'text/csv': {
            schema: z.string().openapi({
              description: `RFC 4180 with a header row: ${AUDIENCE_CSV_COLUMNS.join(',')}`,
              example: `${AUDIENCE_CSV_COLUMNS.join(',')}\r\nC000123,super_user,91.2,88.5,core,diamond,555,champions,0.81,0.04,1520.5,6.2,0.97,vip|category_fan:Books,email|push\r\n`,
            }),
          },
          'application/x-ndjson': { schema: MemberSchema.describe('one AudienceMember JSON object per line') },
        },
      },
      404: { description: 'Nothing has been scored yet (the store has no events)', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
      409: {
        description: "The cursor comes from an audience order a rescoring has changed since (someone's potential moved): start again without a cursor",
        content: { 'application/json': { schema: ErrorEnvelopeSchema } },
      },
      ...errorResponses,
    },
  });

/**
 * GET /v1/audiences (scope audiences:read). With no scored base (an empty store) it answers 404, like
 * the summaries. An export holds on to the base it started with, so a refresh mid-export does not
 * mix two bases in one file.
 */
export function registerAudienceRoutes(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(
    route(deps),
    (c) => {
      const base = deps.scorer.current;
      if (!base) throw new NotFoundError('Nothing has been scored yet: the store has no events');
      const request = resolveAudienceRequest(c.req.valid('query'), c.req.header('accept'));
      const tag = baseTag(base);
      if (request.cursorBase !== undefined && request.cursorBase !== tag) {
        throw new ConflictError(
          `The scores were refreshed (now as of ${base.asOf}) after this cursor was given out, and some customers' potential moved: ` +
            'paging on could repeat or skip them. Start again without a cursor; an export (format=csv or ndjson) streams a whole audience from one scoring.',
          [{ path: ['query', 'cursor'], message: 'from an earlier scoring of the base' }],
        );
      }
      const common = { vary: 'accept', 'cache-control': 'private, no-store' };
      if (request.format === 'json') {
        const selection = selectAudience(base, request.filter, { after: request.after, limit: request.limit, collect: true });
        const member = memberReader(base);
        const page = {
          as_of: base.asOf,
          total: selection.total,
          items: selection.rows.map(member),
          next_cursor: selection.next ? encodeCursor(selection.next, tag) : null,
        };
        return c.json(page, 200, common);
      }
      const selection = selectAudience(base, request.filter, { after: request.after, limit: request.limit });
      const headers: Record<string, string> = {
        ...common,
        'content-type': AUDIENCE_CONTENT_TYPES[request.format],
        'content-disposition': `attachment; filename="${exportFilename(base.asOf, request.format)}"`,
        'x-total-count': String(selection.total),
        'x-export-rows': String(selection.count),
        'x-as-of': base.asOf,
      };
      if (selection.next) headers['x-next-cursor'] = encodeCursor(selection.next, tag);
      return c.body(textStream(exportChunks(base, request.filter, selection, request.format)), 200, headers);
    },
  );
}
