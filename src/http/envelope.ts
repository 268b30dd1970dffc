import { z } from '@hono/zod-openapi';
import { issuesFromZod, type Issue } from '../domain/errors.js';

/** The contract's error shape (CONTRACT.md §3): every issue names its field path. */
export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_input' }),
      message: z.string(),
      issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })),
    }),
  })
  .openapi('Error');
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

export function envelope(code: string, message: string, issues: Issue[] = []): ErrorEnvelope {
  return { error: { code, message, issues } };
}

/** zod issues → contract issues (path arrays), with an optional prefix such as ['events', 3]. */
export const zodIssues = (error: z.ZodError, prefix: (string | number)[] = []): Issue[] => issuesFromZod(error, prefix);

export const errorResponses = {
  400: { description: 'Invalid input', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
  401: { description: 'No valid API key', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
  403: { description: 'The API key lacks the scope', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
  413: { description: 'Body too large', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
  415: { description: 'A body that is not sent as application/json', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
  503: { description: 'Store busy or not ready', content: { 'application/json': { schema: ErrorEnvelopeSchema } } },
} as const;

/**
 * The list of a batch request whose items are judged one by one (valid ones land, invalid ones are
 * reported by index): any JSON items here, described in the document by the named item schema.
 */
export function itemsJudgedEach(itemSchema: string, max: number, noun: string) {
  return z
    .array(z.unknown().openapi({ $ref: `#/components/schemas/${itemSchema}` } as never))
    .min(1)
    .max(max)
    .describe(`1 to ${max} ${noun}; each is judged on its own`);
}
