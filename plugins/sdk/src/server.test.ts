import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction, defineCondition, FAILED, NEXT, type JourneyNode } from './node.ts';
import { step } from './outcome.ts';
import { type InstallCallback, type RemoteBatchRequest } from './remote.ts';
import { remoteCallOf } from './remote-context.ts';
import { createPluginServer, type PluginServerOptions } from './server.ts';
import { createSigningSecret, signedHeaders } from './signing.ts';

const secret = createSigningSecret();
const clock = { now: new Date('2025-06-18T02:00:00.000Z') };

const bigSpender = defineCondition({
  id: 'acme.big-spender',
  version: '1.2.0',
  title: { 'zh-CN': '高消费客户', en: 'Big spender' },
  description: { 'zh-CN': '累计消费达到金额走“是”', en: 'Yes when the customer spent at least the amount' },
  icon: 'wallet',
  config: z.object({ minTotalCents: z.number().int().min(0).describe('Threshold in cents') }),
  scopes: ['orders:read'],
  async run({ items, config }) {
    return items.map((item) => (item.customer.totalSpentCents >= config.minTotalCents ? 'yes' : 'no'));
  },
});

/** Records what reached it, and answers whatever the test asks for. */
const seen: { keys: string[]; itemKeys: string[][]; phones: (string | null)[][]; now: string[] } = { keys: [], itemKeys: [], phones: [], now: [] };
let answer: 'ok' | 'undeclared-port' | 'throw' | 'too-few' | 'wait' | 'tag' = 'ok';
const echo = defineAction({
  id: 'acme.echo',
  version: '1.0.0',
  title: { 'zh-CN': '回声', en: 'Echo' },
  description: { 'zh-CN': '测试用', en: 'For tests' },
  icon: 'bolt',
  config: z.object({}),
  ports: [...NEXT, FAILED],
  async run({ items, ctx }) {
    seen.keys.push(remoteCallOf(ctx)!.idempotencyKey);
    seen.itemKeys.push(items.map((i) => i.idempotencyKey));
    seen.phones.push(items.map((i) => i.customer.phone));
    seen.now.push(ctx.now().toISOString());
    if (answer === 'throw') throw new Error('the coupon system is down');
    if (answer === 'undeclared-port') return items.map(() => 'issued' as 'next');
    if (answer === 'too-few') return items.slice(1).map(() => 'next');
    if (answer === 'wait') return items.map(() => step.wait(ctx.now(), 'next'));
    if (answer === 'tag') await ctx.customers.addTags(items.map((i) => ({ customerId: i.customer.id, tagIds: ['t1'] })));
    return items.map((item, i) => (i % 2 ? step.fail(`customer ${item.customer.id} has no account`) : step.next('next', { n: i })));
  },
});

const installs: InstallCallback[] = [];

async function listen(nodes: JourneyNode[], options: PluginServerOptions): Promise<{ url: string; server: Server }> {
  const server = createServer(createPluginServer({ nodes }, { now: () => clock.now, log: () => {}, ...options }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function batch(nodeId: string, config: unknown, customers: { id: string; totalSpentCents?: number; phone?: string | null }[], key = 'batch-1'): RemoteBatchRequest {
  return {
    idempotencyKey: key,
    installationId: 'inst-1',
    workspace: { id: 'ws-1', timeZone: 'Asia/Shanghai' },
    journey: { id: 'j-1', versionId: 'jv-1', version: 1, nodeId: 'n-coupon' },
    node: { id: nodeId, version: '1.0.0' },
    config: config as RemoteBatchRequest['config'],
    scopes: ['orders:read'],
    now: clock.now.toISOString(),
    items: customers.map((c, i) => ({
      enrollmentId: `enr-${c.id}`,
      idempotencyKey: `${key}:${c.id}`,
      visit: 1,
      attempt: 1,
      enteredAt: '2025-06-18T01:00:00.000Z',
      trigger: { kind: 'api', data: { i } },
      customer: c,
    })),
  };
}

async function post(url: string, body: unknown, { signWith = secret, at = clock.now, headers = {} as Record<string, string> } = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(signWith, 'msg-1', text, at), ...headers }, body: text });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

let base: string;
let servers: Server[] = [];
beforeAll(async () => {
  const main = await listen([bigSpender, echo], { secret, basePath: '/courtyard', hooks: { installed: (e) => void installs.push(e), uninstalled: (e) => void installs.push(e) } });
  base = `${main.url}/courtyard`;
  servers.push(main.server);
});
afterAll(() => {
  for (const s of servers) s.close();
  servers = [];
});

describe('createPluginServer: signatures', () => {
  it('a signed batch runs the node and answers each customer with its port', async () => {
    const res = await post(`${base}/nodes/acme.big-spender`, { ...batch('acme.big-spender', { minTotalCents: 10_000 }, [{ id: 'c1', totalSpentCents: 25_000 }, { id: 'c2', totalSpentCents: 900 }]), node: { id: 'acme.big-spender', version: '1.0.0' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ idempotencyKey: 'batch-1', results: [{ customerId: 'c1', port: 'yes' }, { customerId: 'c2', port: 'no' }] });
  });

  it('a wrong secret, a changed body or missing headers answer 401 naming the reason', async () => {
    const body = batch('acme.echo', {}, [{ id: 'c1' }]);
    const wrong = await post(`${base}/nodes/acme.echo`, body, { signWith: createSigningSecret() });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('bad-signature');

    const text = JSON.stringify(body);
    const tampered = await fetch(`${base}/nodes/acme.echo`, { method: 'POST', headers: signedHeaders(secret, 'msg-1', text, clock.now), body: text.replace('c1', 'c9') });
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as any).error.code).toBe('bad-signature');

    const unsigned = await fetch(`${base}/nodes/acme.echo`, { method: 'POST', body: text });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as any).error).toMatchObject({ code: 'missing-headers', message: expect.stringContaining('webhook-signature') });
  });

  it('replays are accepted within 5 minutes of the timestamp and refused after; future timestamps are refused', async () => {
    const body = batch('acme.echo', {}, [{ id: 'c1' }]);
    const signedAt = new Date(clock.now.getTime() - 299_000);
    expect((await post(`${base}/nodes/acme.echo`, body, { at: signedAt })).status).toBe(200);

    const stale = await post(`${base}/nodes/acme.echo`, body, { at: new Date(clock.now.getTime() - 301_000) });
    expect(stale.status).toBe(401);
    expect(stale.body.error).toMatchObject({ code: 'timestamp-too-old', message: expect.stringContaining('5 minutes old') });

    const future = await post(`${base}/nodes/acme.echo`, body, { at: new Date(clock.now.getTime() + 301_000) });
    expect(future.status).toBe(401);
    expect(future.body.error.code).toBe('timestamp-in-future');
  });

  it('per-installation secrets: an unknown installation is refused, and both secrets work while one rotates', async () => {
    const old = createSigningSecret();
    const rotated = createSigningSecret();
    const { url, server } = await listen([echo], { secrets: (id) => (id === 'inst-1' ? [rotated, old] : undefined) });
    servers.push(server);
    const body = batch('acme.echo', {}, [{ id: 'c1' }]);
    expect((await post(`${url}/nodes/acme.echo`, body, { signWith: old })).status).toBe(200);
    expect((await post(`${url}/nodes/acme.echo`, body, { signWith: rotated })).status).toBe(200);
    const other = await post(`${url}/nodes/acme.echo`, { ...body, installationId: 'inst-2' }, { signWith: old });
    expect(other.status).toBe(401);
    expect(other.body.error.code).toBe('unknown-installation');
    // Another installation's secret does not open this one.
    expect((await post(`${url}/nodes/acme.echo`, body, { signWith: createSigningSecret() })).body.error.code).toBe('bad-signature');
  });
});

describe('createPluginServer: requests it refuses', () => {
  it('an oversized body answers 413, whether announced by content-length or streamed', async () => {
    const { url, server } = await listen([echo], { secret, maxBodyBytes: 2_000 });
    servers.push(server);
    const big = batch('acme.echo', {}, Array.from({ length: 40 }, (_, i) => ({ id: `customer-${i}` })));
    const announced = await post(`${url}/nodes/acme.echo`, big);
    expect(announced.status).toBe(413);
    expect(announced.body.error.code).toBe('body-too-large');

    // Chunked, with no content-length: counted while it arrives.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url}/nodes/acme.echo`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => resolve(res.statusCode!));
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write('x'.repeat(1_000));
      req.end();
    });
    expect(streamed).toBe(413);
  });

  it('unknown paths answer 404 and wrong methods 405 with the allowed one', async () => {
    const missing = await fetch(`${base}/webhooks`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.message).toContain('/courtyard/nodes/<node id>');
    const get = await fetch(`${base}/nodes/acme.echo`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('a node the server does not serve answers 404 naming the nodes it does', async () => {
    const res = await post(`${base}/nodes/acme.missing`, batch('acme.missing', {}, [{ id: 'c1' }]));
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'unknown-node', message: expect.stringContaining('acme.big-spender, acme.echo') });

    const misrouted = await post(`${base}/nodes/acme.echo`, batch('acme.big-spender', {}, [{ id: 'c1' }]));
    expect(misrouted.status).toBe(400);
    expect(misrouted.body.error.issues).toEqual([{ path: 'node.id', message: 'expected acme.echo' }]);

    const major = await post(`${base}/nodes/acme.echo`, { ...batch('acme.echo', {}, [{ id: 'c1' }]), node: { id: 'acme.echo', version: '2.0.0' } });
    expect(major.status).toBe(404);
    expect(major.body.error.code).toBe('unknown-node-version');
  });

  it('a config that does not fit the node answers 400 with the config path', async () => {
    const res = await post(`${base}/nodes/acme.big-spender`, batch('acme.big-spender', { minTotalCents: -5 }, [{ id: 'c1' }]));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid-config');
    expect(res.body.error.issues).toEqual([{ path: 'config.minTotalCents', message: expect.stringContaining('>=0') }]);
  });

  it('a body that is not a batch answers 400 with each wrong path', async () => {
    const body = batch('acme.echo', {}, [{ id: 'c1' }]) as any;
    body.items[0].customer = { id: '' };
    body.items[0].attempt = 0;
    delete body.workspace;
    const res = await post(`${base}/nodes/acme.echo`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['items.0.attempt', 'items.0.customer.id', 'workspace']);
    expect((await post(`${base}/nodes/acme.echo`, '{"not json')).body.error.code).toBe('invalid-json');
  });
});

describe('createPluginServer: running nodes', () => {
  it('a node answering a port it does not declare answers 500, never a malformed 200', async () => {
    answer = 'undeclared-port';
    try {
      const res = await post(`${base}/nodes/acme.echo`, batch('acme.echo', {}, [{ id: 'c1' }]));
      expect(res.status).toBe(500);
      expect(res.body.error).toMatchObject({ code: 'invalid-node-answer', message: expect.stringContaining('port "issued", which the node does not declare (next, failed)') });
      answer = 'too-few';
      const few = await post(`${base}/nodes/acme.echo`, batch('acme.echo', {}, [{ id: 'c1' }, { id: 'c2' }]));
      expect(few.body.error.message).toContain('1 results for 2 customers');
      answer = 'wait';
      expect((await post(`${base}/nodes/acme.echo`, batch('acme.echo', {}, [{ id: 'c1' }]))).body.error.message).toContain('put waits in the journey after it');
      answer = 'throw';
      const thrown = await post(`${base}/nodes/acme.echo`, batch('acme.echo', {}, [{ id: 'c1' }]));
      expect(thrown.status).toBe(500);
      expect(thrown.body.error).toEqual({ code: 'node-failed', message: 'node acme.echo failed: the coupon system is down' });
    } finally {
      answer = 'ok';
    }
  });

  it('a batch of 100 is answered per customer, in order, failures included', async () => {
    const customers = Array.from({ length: 100 }, (_, i) => ({ id: `c${i}` }));
    const res = await post(`${base}/nodes/acme.echo`, batch('acme.echo', {}, customers, 'batch-100'));
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(100);
    expect(res.body.results[0]).toEqual({ customerId: 'c0', port: 'next', outputs: { n: 0 } });
    expect(res.body.results[1]).toEqual({ customerId: 'c1', error: 'customer c1 has no account', retryable: false });
    expect(res.body.results.map((r: { customerId: string }) => r.customerId)).toEqual(customers.map((c) => c.id));
  });

  it('the batch idempotency key, the item keys and the runtime clock reach the node', async () => {
    seen.keys.length = 0;
    await post(`${base}/nodes/acme.echo`, batch('acme.echo', {}, [{ id: 'c1' }, { id: 'c2', phone: '13800000000' }], 'enr-batch-42'));
    expect(seen.keys).toEqual(['enr-batch-42']);
    expect(seen.itemKeys.at(-1)).toEqual(['enr-batch-42:c1', 'enr-batch-42:c2']);
    // Fields the brand did not grant reach the node empty.
    expect(seen.phones.at(-1)).toEqual([null, '13800000000']);
    expect(seen.now.at(-1)).toBe(clock.now.toISOString());
  });

  it('tagging without a callback in the request fails the batch with a clear reason', async () => {
    answer = 'tag';
    try {
      const res = await post(`${base}/nodes/acme.echo`, batch('acme.echo', {}, [{ id: 'c1' }]));
      expect(res.status).toBe(500);
      expect(res.body.error.message).toContain('the request carried no callback');
    } finally {
      answer = 'ok';
    }
  });
});

describe('createPluginServer: installation callbacks', () => {
  const created: InstallCallback = {
    type: 'installation.created',
    installationId: 'inst-7',
    workspace: { id: 'ws-7', name: '小林咖啡' },
    plugin: { id: 'acme', version: '1.2.0' },
    scopes: ['orders:read', 'tags:write'],
    occurredAt: '2025-06-18T01:59:00.000Z',
    credentials: { signingSecret: createSigningSecret(), token: 'cyi_token', graphqlUrl: 'https://api.courtyard.example/graphql' },
  };

  it('install and uninstall reach their hooks; an unsigned or malformed callback does not', async () => {
    installs.length = 0;
    const res = await post(`${base}/installations`, created);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, type: 'installation.created' });
    const { credentials: _, ...rest } = created;
    expect((await post(`${base}/installations`, { ...rest, type: 'installation.deleted' })).status).toBe(200);
    expect(installs.map((e) => e.type)).toEqual(['installation.created', 'installation.deleted']);
    expect(installs[0]).toEqual(created);

    expect((await post(`${base}/installations`, created, { signWith: createSigningSecret() })).status).toBe(401);
    const malformed = await post(`${base}/installations`, { ...created, credentials: undefined });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.issues[0].path).toBe('credentials');
    expect(installs).toHaveLength(2);
  });

  it('a hook that throws answers 500 so Courtyard retries', async () => {
    const { url, server } = await listen([echo], { secret, hooks: { installed: () => Promise.reject(new Error('database is down')) } });
    servers.push(server);
    const res = await post(`${url}/installations`, created);
    expect(res.status).toBe(500);
    expect(res.body.error).toEqual({ code: 'hook-failed', message: 'the installation.created hook failed: database is down' });
  });
});
