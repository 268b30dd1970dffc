import type { MiddlewareHandler } from 'hono';
import { hasScope, type KeyRing, type Principal, type Scope } from '../auth/api-keys.js';
import { envelope } from './envelope.js';

export type AuthVariables = { principal: Principal };

/**
 * Bearer API key with a scope: 401 without a valid key, 403 without the scope. Customer data is
 * never served to a request that did not pass here.
 */
export function requireScope(keys: KeyRing, scope: Scope): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    const token = header && /^bearer /i.test(header) ? header.slice('bearer '.length).trim() : undefined;
    const principal = keys.authenticate(token);
    if (!principal) {
      return c.json(envelope('unauthorized', 'A valid API key is required: Authorization: Bearer <key>'), 401, {
        'www-authenticate': 'Bearer',
      });
    }
    if (!hasScope(principal, scope)) {
      return c.json(envelope('forbidden', `This API key lacks the scope '${scope}'`), 403);
    }
    c.set('principal', principal);
    await next();
  };
}

/**
 * A route's access in one place: the bearer requirement with its scope in the OpenAPI document
 * (OpenAPI 3.1 lets a non-OAuth scheme list the roles it needs) and the middleware enforcing it.
 */
export function secured(keys: KeyRing, scope: Scope) {
  return { security: [{ bearerAuth: [scope] }], middleware: requireScope(keys, scope) };
}
