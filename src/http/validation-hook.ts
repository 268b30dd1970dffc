import type { Hook } from '@hono/zod-openapi';
import { envelope, zodIssues } from './envelope.js';

/** Request validation failures answer 400 in the error envelope, naming each field path. */
export const validationHook: Hook<unknown, never, string, unknown> = (result, c) => {
  if (!result.success) {
    const target = (result as { target?: string }).target;
    const prefix = target === 'query' ? ['query'] : target === 'param' ? ['path'] : [];
    return c.json(envelope('invalid_input', 'The request is not valid', zodIssues(result.error, prefix)), 400);
  }
  return undefined;
};
