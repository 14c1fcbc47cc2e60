// GraphQL over HTTP conformance, limits and subscriptions, against the real server on a free port.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../src/server.ts';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
let server: RunningServer;
let ws: TestWorkspace;
beforeAll(async () => {
  app = await createTestApp();
  server = await startServer(app, { port: 0, host: '127.0.0.1', maxBodyBytes: 64 * 1024 });
  ws = await app.workspace();
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${ws.key}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('GraphQL over HTTP', () => {
  it('answers with application/graphql-response+json', async () => {
    const res = await post({ query: '{ __typename }' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/graphql-response+json');
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('runs queries over GET and refuses mutations over GET with 405', async () => {
    const q = await fetch(`${server.url}?query=${encodeURIComponent('{ viewer { workspace { id } } }')}`, {
      headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${ws.key}` },
    });
    expect(q.status).toBe(200);
    const m = await fetch(`${server.url}?query=${encodeURIComponent('mutation { logout }')}`, {
      headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${ws.key}` },
    });
    expect(m.status).toBe(405);
  });

  it('serves GraphiQL to a browser with its assets inline, so it works offline', async () => {
    const res = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Courtyard GraphQL API');
    expect(html).not.toMatch(/unpkg\.com|jsdelivr/);
  });

  it('answers 400 for a syntax error and for an invalid document', async () => {
    expect((await post({ query: '{ customers { ' })).status).toBe(400);
    const invalid = await post({ query: '{ noSuchField }' });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).errors[0].message).toContain('noSuchField');
  });

  it('answers 401 for an unknown key', async () => {
    const res = await post({ query: '{ __typename }' }, { authorization: 'Bearer cy_unknown' });
    expect(res.status).toBe(401);
  });

  it('answers 413 for a body over the limit, with the limit in the error', async () => {
    const res = await post({ query: '{ __typename }', variables: { pad: 'x'.repeat(70 * 1024) } });
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0].extensions).toMatchObject({ code: 'REQUEST_TOO_LARGE', maxBodyBytes: 64 * 1024 });
  });

  it('refuses documents that are too deep, alias too much or have too many tokens, saying which limit', async () => {
    const deep = `{ customers { edges { node { ${'tags { group { '.repeat(8)}name${' } }'.repeat(8)} } } } }`;
    const d = await post({ query: deep });
    expect(d.status).toBe(400);
    expect((await d.json()).errors[0].message).toMatch(/depth/i);
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: workspace { name }`).join(' ')} }`;
    const a = await post({ query: aliases });
    expect(a.status).toBe(400);
    expect((await a.json()).errors[0].message).toMatch(/alias/i);
    const tokens = `{ ${Array.from({ length: 6000 }, () => "a").join(" ")} }`;
    const t = await post({ query: tokens });
    expect(t.status).toBe(400);
    expect((await t.json()).errors[0].message).toMatch(/token/i);
  });
});

describe('customerUpdated subscription', () => {
  async function upsert(key: string, phone: string, name: string) {
    const r = await post({ query: 'mutation ($i: CustomerInput!) { upsertCustomer(input: $i) { __typename } }', variables: { i: { phone, name } } }, { authorization: `Bearer ${key}` });
    expect(res200(r)).toBe(true);
  }
  const res200 = (r: Response) => r.status === 200;

  it('streams changes of its own workspace over graphql-ws and nothing of another', async () => {
    const other = await app.workspace();
    const client = createClient({ url: server.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${ws.key}` } });
    const received: any[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: 'subscription { customerUpdated { change customer { name phone } } }' },
        {
          next: (msg) => {
            received.push(msg);
            if (received.length === 1) resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    await new Promise((r) => setTimeout(r, 200));
    await upsert(other.key, '13700000009', '别家');
    await upsert(ws.key, '13700000008', '自家');
    await done;
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toEqual([{ data: { customerUpdated: { change: 'created', customer: { name: '自家', phone: '13700000008' } } } }]);
    await client.dispose();
  });

  it('streams over Server-Sent Events for clients without WebSocket', async () => {
    const controller = new AbortController();
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ws.key}` },
      body: JSON.stringify({ query: 'subscription { customerUpdated { change customer { name } } }' }),
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    setTimeout(() => void upsert(ws.key, '13700000007', 'SSE 客户'), 200);
    let text = '';
    while (!text.includes('SSE 客户')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('"change":"created"');
  });

  it('refuses a subscription without the customers:read scope', async () => {
    const key = await ws.keyWith(['tags:read']);
    const client = createClient({ url: server.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` } });
    const error = await new Promise<any>((resolve) => {
      client.subscribe({ query: 'subscription { customerUpdated { change } }' }, { next: (m) => resolve(m.errors), error: resolve, complete: () => undefined });
    });
    expect(JSON.stringify(error)).toContain('customers:read');
    await client.dispose();
  });
});

describe('large requests', () => {
  // One large request at a time, a second waits at most 1.5 s: memory follows the limit, not the senders.
  let gated: RunningServer;
  beforeAll(async () => {
    gated = await startServer(app, { port: 0, host: '127.0.0.1', largeBodyBytes: 1024, largeRequestConcurrency: 1, largeRequestQueueMs: 1500 });
  });
  afterAll(async () => {
    await gated?.close();
  });

  const body = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(4096) } });
  const send = () =>
    fetch(gated.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.key}` }, body });
  /** A large request whose body is sent only when `finish` is called: it holds the one slot until then. */
  const holdSlot = () => {
    const req = request(gated.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${ws.key}` } });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 100));
    return {
      answered,
      finish: () => req.end(body.slice(100)),
    };
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

  it('serves a waiting large request once the slot frees, and small requests meanwhile', async () => {
    const held = holdSlot();
    await settle();
    const queued = send();
    let queuedDone = false;
    void queued.then(() => (queuedDone = true));
    const small = await fetch(gated.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.key}` }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(small.status).toBe(200);
    await settle();
    expect(queuedDone).toBe(false);
    held.finish();
    expect(await held.answered).toBe(200);
    const res = await queued;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers 503 SERVER_BUSY with Retry-After when a large request waits too long', async () => {
    const held = holdSlot();
    await settle();
    const res = await send();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await res.json()).errors[0].extensions).toMatchObject({ code: 'SERVER_BUSY' });
    held.finish();
    expect(await held.answered).toBe(200);
    expect((await send()).status).toBe(200);
  });
});
