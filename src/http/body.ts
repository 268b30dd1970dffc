import { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';

/** Methods whose requests carry no body the API reads. */
const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Bodies the API reads as text (JSON, NDJSON, CSV); anything else is cached as bytes. */
const TEXTUAL = /^(application\/([\w.-]+\+)?(json|x-ndjson)|text\/)/i;

type TooLarge = (c: Context) => Response | Promise<Response>;

/**
 * Reads a request body once, refusing more than `maxBytes` (by Content-Length up front, or while
 * reading a chunked body).
 *
 * Under @hono/node-server (which hands the IncomingMessage over as `c.env.incoming`) the body is read
 * straight off the socket stream and put in Hono's body cache, so `c.req.json()` and the validators
 * parse it without building a WHATWG Request and ReadableStream around it — that bridge cost more
 * than the next-best-action decision itself (≈100 µs a request). Bodiless methods skip the check
 * entirely (reading `c.req.raw.body` alone builds that Request). Elsewhere — `app.request()` in
 * tests, other runtimes — Hono's own bodyLimit does the same job.
 */
export function boundedBody(maxBytes: number, onTooLarge: TooLarge): MiddlewareHandler {
  const portable = bodyLimit({ maxSize: maxBytes, onError: onTooLarge });
  return async (c, next) => {
    if (BODILESS.has(c.req.method)) return next();
    const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
    if (!(incoming instanceof IncomingMessage)) return portable(c, next);
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > maxBytes) return onTooLarge(c);
    const body = await readAtMost(incoming, maxBytes);
    if (body === undefined) return onTooLarge(c);
    const type = c.req.header('content-type') ?? '';
    // The cache holds promises at run time (its type says values). Hono converts between cached forms
    // on demand (text ↔ bytes), so one form is enough.
    const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
    if (TEXTUAL.test(type)) cache.text = Promise.resolve(body.toString('utf8'));
    else cache.arrayBuffer = Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
    return next();
  };
}

/** The whole body, or undefined as soon as it exceeds `maxBytes` (the rest is left unread). */
function readAtMost(incoming: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    const done = (value: Buffer | undefined) => {
      stop();
      if (value === undefined) incoming.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) done(undefined);
      else chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const failed = (why: string) => {
      stop();
      reject(new HTTPException(400, { message: `The request body ended early: ${why}` }));
    };
    const onError = (error: Error) => failed(error.message);
    // A client that hangs up mid-body: without this the request would wait forever.
    const onClose = () => failed('the client closed the connection');
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
