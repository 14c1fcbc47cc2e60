import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigningSecret, verifySignature } from '@courtyard/plugin-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { openChannel } from './index.ts';
import { outboundMessage, outboundMessages } from './test-messages.ts';

interface Received {
  id: string;
  verified: boolean;
  body: any;
}

type Reply = (req: IncomingMessage, res: ServerResponse, received: Received) => unknown;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => {
    s.closeAllConnections();
    s.close(resolve);
  })));
});

/** A receiver that verifies each request's signature before answering it with `reply`. */
async function startReceiver(secret: string, reply: Reply = (_req, res) => res.writeHead(204).end()) {
  const received: Received[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer(async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const check = verifySignature(secret, req.headers, raw);
    const entry = { id: String(req.headers['webhook-id']), verified: check.ok, body: JSON.parse(raw) };
    received.push(entry);
    await reply(req, res, entry);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/courtyard`;
  return { url, received, maxInFlight: () => maxInFlight };
}

describe('webhook channel', () => {
  it('posts each message as its own signed request whose webhook-id is the idempotency key', async () => {
    const secret = createSigningSecret();
    const receiver = await startReceiver(secret);
    const messages = outboundMessages(3, { attachments: [{ msgtype: 'link', link: { title: 'Menu', url: 'https://brand.example/menu' } }] });

    const results = await openChannel('webhook', { url: receiver.url, secret }).send(messages);

    expect(results).toEqual([{ status: 'sent' }, { status: 'sent' }, { status: 'sent' }]);
    expect(receiver.received.map((r) => r.verified)).toEqual([true, true, true]);
    expect(receiver.received.map((r) => r.id).sort()).toEqual(messages.map((m) => m.idempotencyKey).sort());
    const first = receiver.received.find((r) => r.id === messages[0]!.idempotencyKey)!;
    expect(first.body).toEqual({
      type: 'message',
      idempotencyKey: messages[0]!.idempotencyKey,
      deliveryId: 'delivery-1',
      workspaceId: 'workspace-1',
      customer: messages[0]!.customer,
      subject: 'Spring tea is here',
      body: 'Hello Customer 1, the new harvest has arrived.',
      attachments: [{ msgtype: 'link', link: { title: 'Menu', url: 'https://brand.example/menu' } }],
    });
  });

  it('signs with a plain-text secret as well as a whsec_ one', async () => {
    const receiver = await startReceiver('a plain shared secret');
    const results = await openChannel('webhook', { url: receiver.url, secret: 'a plain shared secret' }).send([outboundMessage(1)]);
    expect(results).toEqual([{ status: 'sent' }]);
    expect(receiver.received[0]!.verified).toBe(true);
  });

  it('retrying the same message sends the same webhook-id so the receiver can drop the repeat', async () => {
    const secret = createSigningSecret();
    const receiver = await startReceiver(secret);
    const channel = openChannel('webhook', { url: receiver.url, secret });
    await channel.send([outboundMessage(7)]);
    await channel.send([outboundMessage(7)]);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    expect(receiver.received).toHaveLength(2);
  });

  it('in batch mode posts one signed request holding every message, identified by a hash of their keys', async () => {
    const secret = createSigningSecret();
    const receiver = await startReceiver(secret);
    const channel = openChannel('webhook', { url: receiver.url, secret, batch: true });
    const messages = outboundMessages(5);

    const results = await channel.send(messages);
    await channel.send(messages);
    await channel.send(messages.slice(0, 4));

    expect(results).toEqual(messages.map(() => ({ status: 'sent' })));
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const [first, repeat, other] = receiver.received;
    expect(first!.body.type).toBe('messages');
    expect(first!.body.messages.map((m: any) => m.idempotencyKey)).toEqual(messages.map((m) => m.idempotencyKey));
    expect(first!.body.messages[0].type).toBe('message');
    expect(repeat!.id).toBe(first!.id);
    expect(other!.id).not.toBe(first!.id);
  });

  it('keeps at most 8 requests in flight when sending many messages one by one', async () => {
    const secret = createSigningSecret();
    const receiver = await startReceiver(secret, async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      res.writeHead(200).end('ok');
    });
    const results = await openChannel('webhook', { url: receiver.url, secret }).send(outboundMessages(40));
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(40);
    expect(receiver.maxInFlight()).toBeLessThanOrEqual(8);
    expect(receiver.maxInFlight()).toBeGreaterThan(1);
  });

  it('a 500 answer fails retryably and quotes the status and the start of the response', async () => {
    const secret = createSigningSecret();
    const receiver = await startReceiver(secret, (_req, res) => res.writeHead(500).end('database is down\n  please retry'));
    const [result] = await openChannel('webhook', { url: receiver.url, secret }).send([outboundMessage(1)]);
    expect(result).toEqual({ status: 'failed', retryable: true, error: 'HTTP 500 from the receiver: database is down please retry' });
  });

  it('a 429 or 408 answer fails retryably, a 400 or 404 answer fails for good', async () => {
    const secret = createSigningSecret();
    const statuses = [429, 408, 400, 404];
    const receiver = await startReceiver(secret, (_req, res, r) => {
      const status = statuses[Number(r.body.deliveryId.split('-')[1]) - 1]!;
      res.writeHead(status).end(JSON.stringify({ error: `status ${status}` }));
    });
    const results = await openChannel('webhook', { url: receiver.url, secret }).send(outboundMessages(4));
    expect(results.map((r) => r.status === 'failed' && [r.retryable, r.error])).toEqual([
      [true, 'HTTP 429 from the receiver: {"error":"status 429"}'],
      [true, 'HTTP 408 from the receiver: {"error":"status 408"}'],
      [false, 'HTTP 400 from the receiver: {"error":"status 400"}'],
      [false, 'HTTP 404 from the receiver: {"error":"status 404"}'],
    ]);
  });

  it('a long error page is cut to a short snippet', async () => {
    const secret = createSigningSecret();
    const receiver = await startReceiver(secret, (_req, res) => res.writeHead(502).end('x'.repeat(5000)));
    const [result] = await openChannel('webhook', { url: receiver.url, secret }).send([outboundMessage(1)]);
    expect(result!.status === 'failed' && result!.error.length).toBeLessThan(260);
  });

  it('a receiver that does not answer in time fails retryably with the timeout named', async () => {
    const secret = createSigningSecret();
    const receiver = await startReceiver(secret, () => undefined);
    const [result] = await openChannel('webhook', { url: receiver.url, secret, timeoutMs: 200 }).send([outboundMessage(1)]);
    expect(result).toEqual({ status: 'failed', retryable: true, error: 'no response within 200 ms' });
  });

  it('an unreachable receiver fails retryably with the network error', async () => {
    const secret = createSigningSecret();
    const receiver = await startReceiver(secret);
    const url = receiver.url;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const [result] = await openChannel('webhook', { url, secret }).send([outboundMessage(1)]);
    expect(result).toMatchObject({ status: 'failed', retryable: true });
    expect(result!.status === 'failed' && result!.error).toContain('ECONNREFUSED');
  });

  it('a redirect is not followed and fails for good, naming the new location', async () => {
    const secret = createSigningSecret();
    const receiver = await startReceiver(secret, (_req, res) => res.writeHead(301, { location: 'https://new.example/hook' }).end());
    const [result] = await openChannel('webhook', { url: receiver.url, secret }).send([outboundMessage(1)]);
    expect(result).toMatchObject({ status: 'failed', retryable: false });
    expect(result!.status === 'failed' && result!.error).toContain('https://new.example/hook');
  });
});
