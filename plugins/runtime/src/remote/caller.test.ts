import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPluginServer, createSigningSecret, defineAction, step, verifySignature, z, type BatchItem, type InstallCallback } from '@courtyard/plugin-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RemoteNodeCaller, type RemoteCallerOptions, type RemoteCallRecord } from './caller.ts';
import { RemoteCallError } from './errors.ts';
import { answerAll, batch, installation, json, NODE_ID, startServer, type TestServer } from './test-servers.ts';

const servers: TestServer[] = [];
const callers: RemoteNodeCaller[] = [];
afterEach(async () => {
  callers.splice(0).forEach((c) => c.close());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(...args: Parameters<typeof startServer>) {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

/** A caller for loopback test servers, fast retries, and its call log. */
function caller(options: RemoteCallerOptions = {}) {
  const log: RemoteCallRecord[] = [];
  const c = new RemoteNodeCaller({ allowPrivateEndpoints: true, retry: { baseDelayMs: 20, maxDelayMs: 200 }, onCall: (r) => log.push(r), ...options });
  callers.push(c);
  return { caller: c, log };
}

async function failure(promise: Promise<unknown>): Promise<RemoteCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RemoteCallError);
  return error as RemoteCallError;
}

describe('calling a plugin served by the SDK', () => {
  const received: BatchItem[][] = [];
  let http: Server;
  let baseUrl: string;
  const inst = installation('set below', { grantedScopes: ['tags:read'] });
  const callbackSecret = createSigningSecret();
  const installed: InstallCallback[] = [];
  let hookFailures = 0;

  beforeAll(async () => {
    const issue = defineAction({
      id: NODE_ID,
      version: '1.0.0',
      title: { 'zh-CN': '发券', en: 'Issue a coupon' },
      description: { 'zh-CN': '发券', en: 'Issues a coupon' },
      icon: 'ticket',
      config: z.object({ stock: z.number().int().min(0) }),
      ports: [
        { id: 'issued', title: { 'zh-CN': '已发券', en: 'Issued' } },
        { id: 'out_of_stock', title: { 'zh-CN': '库存不足', en: 'Out of stock' } },
      ],
      async run({ items, config }) {
        received.push(items);
        return items.map((item, i) => (i < config.stock ? step.next('issued', { code: `C-${item.customer.id}` }) : 'out_of_stock'));
      },
    });
    const handler = createPluginServer(
      { nodes: [issue] },
      {
        secrets: (id) => (id === inst.id ? inst.signingSecret : undefined),
        callbackSecret,
        log: () => undefined,
        hooks: {
          installed: (event) => {
            if (hookFailures-- > 0) throw new Error('database busy');
            installed.push(event);
          },
        },
      },
    );
    http = createServer(handler);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    inst.endpoints = { baseUrl };
  });
  afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

  it('runs a signed batch and returns each customer on its port, with the call in the log', async () => {
    const { caller: c, log } = caller();
    const answer = await c.callNode(inst, batch(3, 'batch-sdk', { config: { stock: 2 } }));
    expect(answer.results).toEqual([
      { customerId: 'c0', port: 'issued', outputs: { code: 'C-c0' } },
      { customerId: 'c1', port: 'issued', outputs: { code: 'C-c1' } },
      { customerId: 'c2', port: 'out_of_stock' },
    ]);
    expect(answer.attempts).toBe(1);
    expect(log).toEqual([
      expect.objectContaining({
        kind: 'batch', installationId: inst.id, workspaceId: 'ws-1', pluginId: 'acme-coupons', nodeId: NODE_ID, idempotencyKey: 'batch-sdk',
        url: `${baseUrl}/nodes/${NODE_ID}`, batchSize: 3, outcome: 'ok', httpStatus: 200, attempts: 1, error: null, startedAt: expect.any(Date),
      }),
    ]);
    expect(log[0]!.latencyMs).toBeGreaterThan(0);
  });

  it('sends only the customer fields the granted scopes allow', async () => {
    const { caller: c } = caller();
    received.length = 0;
    await c.callNode(inst, batch(1, 'batch-scopes'));
    // tags:read only: the partner's node sees the id and the tags; the rest is empty (never sent).
    expect(received[0]![0]!.customer).toMatchObject({ id: 'c0', tagIds: ['tag-1'], name: null, phone: null, email: null, attributes: {}, totalSpentCents: 0 });

    await c.callNode({ ...inst, grantedScopes: ['customers:read'] }, batch(1, 'batch-scopes-2'));
    expect(received[1]![0]!.customer).toMatchObject({ id: 'c0', name: '王芳', phone: '13800000001', tagIds: [], totalSpentCents: 0 });
  });

  it('a batch signed with another secret is refused by the partner (bad-signature) and not retried', async () => {
    const { caller: c, log } = caller();
    const error = await failure(c.callNode({ ...inst, signingSecret: createSigningSecret() }, batch(1, 'batch-bad-secret')));
    expect(error).toMatchObject({ code: 'partner-refused', status: 401, retryable: false, attempts: 1, partnerError: { code: 'bad-signature' } });
    expect(log[0]).toMatchObject({ outcome: 'failed', httpStatus: 401, attempts: 1, error: { code: 'partner-refused' } });
  });

  it('a config the node refuses comes back with the paths the partner named', async () => {
    const { caller: c } = caller();
    const error = await failure(c.callNode(inst, batch(1, 'batch-bad-config', { config: { stock: -1 } })));
    expect(error).toMatchObject({ code: 'partner-refused', status: 400, issues: [{ path: 'config.stock', message: expect.any(String) }] });
  });

  it('installation callbacks are signed with the plugin secret and retried when the partner\'s hook fails', async () => {
    const { caller: c, log } = caller();
    hookFailures = 1;
    const event: InstallCallback = {
      type: 'installation.created',
      installationId: inst.id,
      workspace: { id: 'ws-1', name: '小林咖啡' },
      plugin: { id: 'acme-coupons', version: '1.0.0' },
      scopes: ['tags:read'],
      occurredAt: new Date().toISOString(),
      credentials: { signingSecret: inst.signingSecret, token: 'cyi_token', graphqlUrl: 'https://api.courtyard.example/graphql' },
    };
    const sent = await c.sendInstallCallback({ endpoints: { baseUrl }, callbackSecret }, event);
    expect(sent).toMatchObject({ status: 200, attempts: 2 });
    expect(installed).toEqual([event]);
    expect(log).toEqual([expect.objectContaining({ kind: 'install-callback', eventType: 'installation.created', nodeId: null, outcome: 'ok', attempts: 2, url: `${baseUrl}/installations` })]);

    const wrong = await failure(c.sendInstallCallback({ endpoints: { baseUrl }, callbackSecret: createSigningSecret() }, event));
    expect(wrong).toMatchObject({ code: 'partner-refused', status: 401, attempts: 1 });
  });
});

describe('a partner that misbehaves', () => {
  it('every attempt carries the Standard Webhooks headers: webhook-id is the idempotency key, each freshly signed', async () => {
    const inst = installation('');
    let calls = 0;
    const s = await server((_req, res, seen) => (++calls === 1 ? json(res, 503, {}) : json(res, 200, answerAll(seen.body, 'issued'))));
    inst.endpoints = { baseUrl: s.url };
    await caller().caller.callNode(inst, batch(2, 'key-42'));
    expect(s.seen).toHaveLength(2);
    for (const seen of s.seen) {
      expect(seen.headers['webhook-id']).toBe('key-42');
      expect(verifySignature(inst.signingSecret, seen.headers, seen.body)).toEqual({ ok: true, id: 'key-42' });
    }
    expect(s.seen[0]!.body).toBe(s.seen[1]!.body);
  });

  it('puts on the wire only the customer fields the granted scopes allow', async () => {
    const s = await server((_req, res, seen) => json(res, 200, answerAll(seen.body, 'issued')));
    const c = caller().caller;
    await c.callNode(installation(s.url, { grantedScopes: ['tags:read', 'tags:write'] }), batch(1));
    await c.callNode(installation(s.url, { grantedScopes: ['orders:read'] }), batch(1));
    await c.callNode(installation(s.url, { grantedScopes: ['tags:write'] }), batch(1));
    const customers = s.seen.map((seen) => JSON.parse(seen.body).items[0].customer);
    expect(customers).toEqual([
      { id: 'c0', tagIds: ['tag-1'] },
      { id: 'c0', orderCount: 3, totalSpentCents: 45_000, firstOrderAt: '2026-01-02T03:04:05.000Z', lastOrderAt: '2026-03-02T03:04:05.000Z' },
      { id: 'c0' },
    ]);
    expect(JSON.parse(s.seen[0]!.body).scopes).toEqual(['tags:read', 'tags:write']);
  });

  it('an attempt that takes longer than the timeout fails as a timeout, and is retried', async () => {
    const s = await server(() => undefined); // never answers
    const { caller: c, log } = caller({ timeoutMs: 150, retry: { attempts: 2, baseDelayMs: 10 } });
    const started = performance.now();
    const error = await failure(c.callNode(installation(s.url), batch(1)));
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: 'timeout', retryable: true, attempts: 2 });
    expect(error.message).toMatch(/did not answer within 150 ms; gave up after 2 attempts/);
    expect(s.seen).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2_000);
    expect(log[0]).toMatchObject({ outcome: 'failed', httpStatus: null, attempts: 2, error: { code: 'timeout' } });
  });

  it('503 is retried with growing backoff, then the answer is used', async () => {
    let calls = 0;
    const s = await server((_req, res, seen) => (++calls <= 2 ? json(res, 503, { error: { code: 'node-failed', message: 'db down' } }) : json(res, 200, answerAll(seen.body, 'issued'))));
    // The jitter at its top: waits of 100 ms, then 200 ms.
    const { caller: c, log } = caller({ retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 }, random: () => 0.999 });
    const answer = await c.callNode(installation(s.url), batch(2));
    expect(answer.results.map((r) => 'port' in r && r.port)).toEqual(['issued', 'issued']);
    expect(answer.attempts).toBe(3);
    const gaps = [s.seen[1]!.at - s.seen[0]!.at, s.seen[2]!.at - s.seen[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(log[0]).toMatchObject({ outcome: 'ok', httpStatus: 200, attempts: 3 });
  });

  it('gives up after the last attempt with the partner\'s own error', async () => {
    const s = await server((_req, res) => json(res, 500, { error: { code: 'node-failed', message: 'node failed: db down' } }));
    const error = await failure(caller({ retry: { attempts: 3, baseDelayMs: 5 } }).caller.callNode(installation(s.url), batch(1)));
    expect(error).toMatchObject({ code: 'partner-unavailable', status: 500, retryable: true, attempts: 3, partnerError: { code: 'node-failed' } });
    expect(s.seen).toHaveLength(3);
  });

  it('a 400 is never retried', async () => {
    const s = await server((_req, res) => json(res, 400, { error: { code: 'invalid-request', message: 'no', issues: [{ path: 'items.0.customer.id', message: 'Required' }] } }));
    const error = await failure(caller().caller.callNode(installation(s.url), batch(1)));
    expect(error).toMatchObject({ code: 'partner-refused', status: 400, retryable: false, attempts: 1, issues: [{ path: 'items.0.customer.id', message: 'Required' }] });
    expect(s.seen).toHaveLength(1);
  });

  it('a redirect is not followed', async () => {
    const s = await server((_req, res) => void res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data' }).end());
    const error = await failure(caller().caller.callNode(installation(s.url), batch(1)));
    expect(error).toMatchObject({ code: 'partner-refused', status: 307 });
    expect(error.message).toMatch(/redirects are not followed/);
  });

  it('429 waits for its Retry-After before the next attempt', async () => {
    let calls = 0;
    const s = await server((_req, res, seen) => (++calls === 1 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, answerAll(seen.body, 'issued'))));
    const { caller: c } = caller({ retry: { baseDelayMs: 1, maxDelayMs: 1 } });
    const answer = await c.callNode(installation(s.url), batch(1));
    expect(answer.attempts).toBe(2);
    expect(s.seen[1]!.at - s.seen[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('a Retry-After longer than a call waits fails the call with the time to come back', async () => {
    const s = await server((_req, res) => json(res, 503, {}, { 'retry-after': '120' }));
    const error = await failure(caller().caller.callNode(installation(s.url), batch(1)));
    expect(error).toMatchObject({ code: 'partner-unavailable', retryable: true, attempts: 1 });
    expect(error.retryAt!.getTime() - Date.now()).toBeGreaterThan(115_000);
    expect(s.seen).toHaveLength(1);
  });

  it('an answer on an undeclared port fails the batch at once with the path, not retried', async () => {
    const s = await server((_req, res, seen) => json(res, 200, answerAll(seen.body, 'maybe')));
    const error = await failure(caller().caller.callNode(installation(s.url), batch(2)));
    expect(error).toMatchObject({ code: 'invalid-answer', retryable: false, status: 200, attempts: 1 });
    expect(error.issues).toEqual([
      { path: 'results.0.port', message: '"maybe" is not a port of the node (issued, out_of_stock)' },
      { path: 'results.1.port', message: '"maybe" is not a port of the node (issued, out_of_stock)' },
    ]);
    expect(error.message).toMatch(/the partner's bug; not retried/);
    expect(s.seen).toHaveLength(1);
  });

  it('an answer missing a customer, about another customer, or not JSON is refused', async () => {
    let mode = 'missing';
    const s = await server((_req, res, seen) => {
      const answer = answerAll(seen.body, 'issued');
      if (mode === 'missing') return json(res, 200, { ...answer, results: answer.results.slice(1) });
      if (mode === 'other') return json(res, 200, { ...answer, results: [{ customerId: 'someone-else', port: 'issued' }, answer.results[1]] });
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>ok</html>');
    });
    const c = caller().caller;
    const missing = await failure(c.callNode(installation(s.url), batch(2)));
    expect(missing.issues).toEqual(expect.arrayContaining([{ path: 'results', message: '1 results for 2 customers' }]));
    mode = 'other';
    const other = await failure(c.callNode(installation(s.url), batch(2)));
    expect(other.issues).toEqual([{ path: 'results.0.customerId', message: '"someone-else" where customer "c0" was sent' }]);
    mode = 'html';
    const html = await failure(c.callNode(installation(s.url), batch(2)));
    expect(html).toMatchObject({ code: 'invalid-answer', issues: [{ path: '(body)', message: 'not JSON' }] });
  });

  it('per-customer errors the partner reports come back as results, for the journey to retry or fail', async () => {
    const s = await server((_req, res, seen) => {
      const answer = answerAll(seen.body, 'issued');
      json(res, 200, { ...answer, results: [answer.results[0], { customerId: 'c1', error: 'coupon service busy', retryable: true }] });
    });
    const answer = await caller().caller.callNode(installation(s.url), batch(2));
    expect(answer.results[1]).toEqual({ customerId: 'c1', error: 'coupon service busy', retryable: true });
  });

  it('refuses before sending a batch that does not fit the wire format, or a node the version does not declare', async () => {
    const s = await server((_req, res, seen) => json(res, 200, answerAll(seen.body, 'issued')));
    const c = caller().caller;
    const tooMany = await failure(c.callNode(installation(s.url), batch(501)));
    expect(tooMany).toMatchObject({ code: 'invalid-request', attempts: 0, issues: [{ path: 'items', message: 'send at most 500 customers in one batch' }] });
    const unknown = await failure(c.callNode(installation(s.url), batch(1, 'k', { nodeId: 'acme-coupons.nothing' })));
    expect(unknown).toMatchObject({ code: 'unknown-node', retryable: false });
    expect(s.seen).toHaveLength(0);
  });
});

describe('one installation\'s trouble stays its own', () => {
  it('the breaker opens after consecutive failures, fails fast, lets one probe through after the cool-down, and closes', async () => {
    let healthy = false;
    const s = await server(async (_req, res, seen) => {
      if (!healthy) return json(res, 502, {});
      await new Promise((r) => setTimeout(r, 150));
      json(res, 200, answerAll(seen.body, 'issued'));
    });
    const { caller: c, log } = caller({ retry: { attempts: 1 }, breaker: { failureThreshold: 3, coolDownMs: 400 } });
    const inst = installation(s.url);
    for (let i = 0; i < 3; i++) expect((await failure(c.callNode(inst, batch(1, `b${i}`)))).code).toBe('partner-unavailable');
    expect(c.breakerState(inst.id)).toBe('open');

    const started = performance.now();
    const fast = await failure(c.callNode(inst, batch(1, 'b3')));
    expect(performance.now() - started).toBeLessThan(50);
    expect(fast).toMatchObject({ code: 'circuit-open', retryable: true, attempts: 0 });
    expect(fast.retryAt!.getTime()).toBeGreaterThan(Date.now());
    expect(s.seen).toHaveLength(3); // the partner was not called
    expect(log.at(-1)).toMatchObject({ outcome: 'failed', attempts: 0, error: { code: 'circuit-open' } });

    // Another installation of the same partner is not affected.
    healthy = true;
    await c.callNode(installation(s.url), batch(1, 'other'));

    await new Promise((r) => setTimeout(r, 420));
    expect(c.breakerState(inst.id)).toBe('half-open');
    const probe = c.callNode(inst, batch(1, 'probe'));
    const during = await failure(c.callNode(inst, batch(1, 'during-probe'))); // only one probe at a time
    expect(during.code).toBe('circuit-open');
    await probe;
    expect(c.breakerState(inst.id)).toBe('closed');
    await c.callNode(inst, batch(1, 'after'));
  });

  it('a failed probe opens the breaker again', async () => {
    const s = await server((_req, res) => json(res, 503, {}));
    const { caller: c } = caller({ retry: { attempts: 1 }, breaker: { failureThreshold: 2, coolDownMs: 200 } });
    const inst = installation(s.url);
    await failure(c.callNode(inst, batch(1, 'a')));
    await failure(c.callNode(inst, batch(1, 'b')));
    await new Promise((r) => setTimeout(r, 220));
    expect((await failure(c.callNode(inst, batch(1, 'probe')))).code).toBe('partner-unavailable');
    expect(c.breakerState(inst.id)).toBe('open');
    expect((await failure(c.callNode(inst, batch(1, 'c')))).code).toBe('circuit-open');
    expect(s.seen).toHaveLength(3);
  });

  it('a slow installation does not delay another installation\'s calls', async () => {
    const slow = await server(() => undefined); // never answers
    const fast = await server((_req, res, seen) => json(res, 200, answerAll(seen.body, 'issued')));
    const c = caller({ timeoutMs: 1_500, retry: { attempts: 1 } }).caller;
    const stuck = Array.from({ length: 20 }, (_, i) => c.callNode(installation(slow.url), batch(100, `slow-${i}`)).catch((e: unknown) => e));
    const fastInst = installation(fast.url);
    const started = performance.now();
    for (let i = 0; i < 5; i++) await c.callNode(fastInst, batch(100, `fast-${i}`));
    expect(performance.now() - started).toBeLessThan(700);
    const outcomes = await Promise.all(stuck);
    expect(outcomes.every((e) => e instanceof RemoteCallError && e.code === 'timeout')).toBe(true);
  });

  it('calls beyond the installation\'s rate limit wait their turn; other installations keep theirs', async () => {
    const s = await server((_req, res, seen) => json(res, 200, answerAll(seen.body, 'issued')));
    const c = caller({ rateLimit: { perSecond: 10, burst: 2 } }).caller;
    const busy = installation(s.url);
    const started = performance.now();
    await Promise.all(Array.from({ length: 6 }, (_, i) => c.callNode(busy, batch(1, `r${i}`))));
    // 2 at once, then one every 100 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);

    const other = installation(s.url);
    const otherStarted = performance.now();
    await Promise.all([c.callNode(other, batch(1, 'o1')), c.callNode(other, batch(1, 'o2'))]);
    expect(performance.now() - otherStarted).toBeLessThan(150);
  });

  it('a call that would wait longer than the limit allows fails as rate-limited', async () => {
    const s = await server((_req, res, seen) => json(res, 200, answerAll(seen.body, 'issued')));
    const c = caller().caller;
    const inst = installation(s.url, { rateLimit: { perSecond: 1, burst: 1, maxWaitMs: 100 } });
    await c.callNode(inst, batch(1, 'first'));
    const error = await failure(c.callNode(inst, batch(1, 'second')));
    expect(error).toMatchObject({ code: 'rate-limited', retryable: true, attempts: 0 });
    expect(error.retryAt!.getTime()).toBeGreaterThan(Date.now() + 500);
    expect(s.seen).toHaveLength(1);
  });
});
