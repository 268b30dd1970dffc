import net, { type AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedStore } from '../src/store/open.js';
import { testApp, testKeys, testStore } from './helpers.js';

// Bodies are read off the Node request stream when served by @hono/node-server (src/http/body.ts);
// app.request() takes the portable path, so these cases go through a real socket.
const MAX_BYTES = 16 * 1024;
const { keys, tokens } = testKeys({ writer: ['events:write'] });
let opened: OpenedStore;
let server: ServerType;
let base: string;

beforeAll(async () => {
  opened = await testStore();
  const { app } = await testApp(opened, keys, { maxBodyBytes: MAX_BYTES });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  opened.store.close();
});

const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens.writer}` };
const visits = (n: number, tag: string) => ({
  events: Array.from({ length: n }, (_, i) => ({ event_id: `${tag}-${i}`, customer_id: `C${i}`, type: 'visit', ts: '2024-01-01' })),
});

/** A body sent in pieces with chunked transfer encoding (no Content-Length). */
function chunked(text: string, pieces: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const size = Math.ceil(bytes.length / pieces);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

describe('request bodies on the Node server', () => {
  it('parses a JSON body sent in several chunks without Content-Length', async () => {
    const res = await fetch(`${base}/v1/events`, { method: 'POST', headers, body: chunked(JSON.stringify(visits(40, 'chunked')), 7), duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ read: 40, ingested: 40, rejected: 0 });
  });

  it('answers 413 by the declared Content-Length, storing nothing, and keeps serving the connection', async () => {
    const body = JSON.stringify(visits(400, 'declared'));
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BYTES);
    const res = await fetch(`${base}/v1/events`, { method: 'POST', headers, body });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('body_too_large');
    const next = await fetch(`${base}/v1/events`, { method: 'POST', headers, body: JSON.stringify(visits(2, 'after')) });
    expect(await next.json()).toMatchObject({ ingested: 2 });
    expect((await opened.store.one<{ n: number }>("SELECT count(*) AS n FROM events WHERE event_id LIKE 'declared-%'"))!.n).toBe(0);
  });

  it('answers 413 when a chunked body grows past the limit while it is read', async () => {
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers,
      body: chunked(JSON.stringify(visits(400, 'growing')), 20),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('body_too_large');
    expect((await opened.store.one<{ n: number }>("SELECT count(*) AS n FROM events WHERE event_id LIKE 'growing-%'"))!.n).toBe(0);
  });

  it('answers 400 in the envelope for a body that is not JSON', async () => {
    const res = await fetch(`${base}/v1/events`, { method: 'POST', headers, body: '{"events": [' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toMatch(/invalid/);
  });

  it('answers a request whose client hangs up mid-body instead of waiting for the rest forever', async () => {
    const counted = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      // Every POST answered 400, whatever route pattern it was counted under.
      return [...text.matchAll(/propel_http_requests_total\{method="POST",route="[^"]*",status="400"\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const before = await counted();
    const { port } = server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.writer}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"events": [`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await expect.poll(counted, { timeout: 2000 }).toBe(before + 1);
  });

  it('serves a GET without reading a body', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
  });
});
