import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError } from '../domain/errors.js';
import { envelope } from './envelope.js';

/** The one place errors become responses: domain errors keep their status and code; the rest is a 500. */
export function onError(error: Error, c: Context) {
  if (error instanceof DomainError) {
    return c.json(envelope(error.code, error.message, error.issues), error.status as ContentfulStatusCode);
  }
  if (error instanceof HTTPException && error.status === 415) {
    return c.json(
      envelope('unsupported_media_type', 'The body must be JSON: send Content-Type: application/json', [
        { path: ['header', 'content-type'], message: `expected application/json, got '${c.req.header('content-type') ?? '(none)'}'` },
      ]),
      415,
    );
  }
  if (error instanceof HTTPException) {
    const code =
      error.status === 413
        ? 'body_too_large'
        : error.status === 400 && /json/i.test(error.message)
          ? 'invalid_json'
          : error.status === 400
            ? 'invalid_input'
            : 'http_error';
    return c.json(envelope(code, error.message || 'Request failed'), error.status);
  }
  if (error instanceof SyntaxError) {
    return c.json(envelope('invalid_json', `The body is not valid JSON: ${error.message}`), 400);
  }
  console.error(error);
  return c.json(envelope('internal', 'Internal error'), 500);
}
