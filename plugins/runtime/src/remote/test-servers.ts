// Real local HTTP servers and fixtures for the remote caller's tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigningSecret, type BatchItem, type JourneyCustomer } from '@courtyard/plugin-sdk';
import type { RemoteInstallation, RemoteNodeCall } from './caller.ts';

export interface SeenRequest {
  at: number;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  url: string;
  /** Every request, in order of arrival, with its raw body. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A server on 127.0.0.1 and a free port; `handle` sees the request with its body already read. */
export async function startServer(handle: (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void | Promise<void>): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { at: performance.now(), path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      void Promise.resolve(handle(req, res, entry)).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with JSON. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A correct answer to the batch in `body`: every customer on `port`. */
export function answerAll(body: string, port: string) {
  const batch = JSON.parse(body) as { idempotencyKey: string; items: { customer: { id: string } }[] };
  return { idempotencyKey: batch.idempotencyKey, results: batch.items.map((i) => ({ customerId: i.customer.id, port })) };
}

export function customer(id: string, overrides: Partial<JourneyCustomer> = {}): JourneyCustomer {
  return {
    id,
    name: '王芳',
    phone: '13800000001',
    email: 'wangfang@example.com',
    gender: 'female',
    birthday: '1990-05-01',
    city: '杭州',
    sourceChannel: 'wecom',
    lifecycleStage: 'customer',
    wecomExternalId: 'wm-1',
    unionId: 'union-1',
    attributes: { vip: true },
    marketingConsent: true,
    blacklisted: false,
    ownerStaffId: null,
    tagIds: ['tag-1'],
    orderCount: 3,
    totalSpentCents: 45_000,
    firstOrderAt: '2026-01-02T03:04:05.000Z',
    lastOrderAt: '2026-03-02T03:04:05.000Z',
    createdAt: '2025-12-01T00:00:00.000Z',
    ...overrides,
  };
}

export function items(count: number, prefix = 'c'): BatchItem[] {
  return Array.from({ length: count }, (_, i) => ({
    enrollmentId: `enr-${prefix}${i}`,
    idempotencyKey: `enr-${prefix}${i}:coupon:1`,
    visit: 1,
    attempt: 1,
    enteredAt: '2026-06-18T10:00:00.000Z',
    trigger: { kind: 'api' as const, data: {} },
    customer: customer(`${prefix}${i}`),
  }));
}

export const NODE_ID = 'acme-coupons.issue';

/** An installation of a plugin with one action (`issued` / `out_of_stock`) served at `baseUrl`. */
export function installation(baseUrl: string, overrides: Partial<RemoteInstallation> = {}): RemoteInstallation {
  return {
    id: `inst-${Math.random().toString(36).slice(2, 10)}`,
    workspace: { id: 'ws-1', timeZone: 'Asia/Shanghai' },
    plugin: { id: 'acme-coupons', version: '1.0.0' },
    endpoints: { baseUrl },
    signingSecret: createSigningSecret(),
    grantedScopes: ['customers:read', 'tags:write'],
    nodes: [
      {
        id: NODE_ID,
        version: '1.0.0',
        kind: 'action',
        ports: [
          { id: 'issued', title: { 'zh-CN': '已发券', en: 'Issued' } },
          { id: 'out_of_stock', title: { 'zh-CN': '库存不足', en: 'Out of stock' } },
        ],
      },
    ],
    ...overrides,
  };
}

export function batch(count: number, key = 'batch-1', overrides: Partial<RemoteNodeCall> = {}): RemoteNodeCall {
  return {
    nodeId: NODE_ID,
    journey: { id: 'j-1', versionId: 'jv-1', version: 1, nodeId: 'coupon' },
    config: { stock: 10 },
    idempotencyKey: key,
    items: items(count),
    ...overrides,
  };
}
