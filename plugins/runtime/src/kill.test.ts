// Exactly-once under a crash: a real worker process is killed (SIGKILL) right after the receiving
// end accepted a message, then another worker finishes the journey.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Db } from '@courtyard/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishJourney } from './journey/lifecycle.ts';
import { builtinRegistry } from './registry.ts';
import { edge, killTestDatabase, node } from './testing.ts';

const CUSTOMERS = 1500;
const KILL_AT = 60;


let db: Db;
let url: string;
let receiver: Server;
const received = new Map<string, number>();
let onReceive: (() => void) | null = null;
const workers: ChildProcess[] = [];

function startWorker(workspaceId: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./worker.ts', import.meta.url))], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, DATABASE_URL: url, COURTYARD_WORKSPACES: workspaceId, COURTYARD_LEASE_MS: '1500', COURTYARD_CLAIM_LIMIT: '50' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  ({ db, url } = await killTestDatabase());
  receiver = createServer((req, res) => {
    const id = String(req.headers['webhook-id']);
    req.resume();
    req.on('end', () => {
      // A receiver that drops repeats by the idempotency key, as the webhook channel documents.
      received.set(id, (received.get(id) ?? 0) + 1);
      setTimeout(() => {
        res.writeHead(200).end('ok');
        onReceive?.();
      }, 3);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  receiver?.close();
  await db?.close();
});

describe('a worker killed mid-journey', () => {
  it('a restarted worker finishes every customer and nothing is sent twice', async () => {
    const ws = await db.prisma.workspace.create({ data: { name: `kill ${Date.now()}` } });
    const group = await db.prisma.tagGroup.create({ data: { workspaceId: ws.id, name: 'g', kind: 'behaviour' } });
    const started = await db.prisma.tag.create({ data: { workspaceId: ws.id, groupId: group.id, name: 'started' } });
    const done = await db.prisma.tag.create({ data: { workspaceId: ws.id, groupId: group.id, name: 'done' } });
    const channel = await db.prisma.channel.create({
      data: { workspaceId: ws.id, type: 'webhook', name: 'receiver', config: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret: 'a-test-secret-of-enough-length' } },
    });
    const customers = await db.query<{ id: string }>(
      `INSERT INTO "Customer" ("workspaceId", name) SELECT $1, '客户' || i FROM generate_series(1, $2) i RETURNING id`,
      [ws.id, CUSTOMERS],
    );
    const journey = await db.prisma.journey.create({
      data: {
        workspaceId: ws.id,
        name: 'kill',
        draft: {
          nodes: [
            node('t', 'api'),
            node('a', 'add-tags', { tagIds: [started.id] }),
            node('s', 'send-message', { channel: channel.id, body: '{{customer.name}}，您的优惠券到了', marketing: false }),
            node('b', 'add-tags', { tagIds: [done.id] }),
          ],
          edges: [edge('t', 'a'), edge('a', 's'), edge('s', 'b')],
        } as never,
      },
    });
    const published = await publishJourney(db, builtinRegistry, ws.id, journey.id);
    expect(published).toHaveProperty('versionId');
    await db.query(
      `INSERT INTO "Enrollment" ("workspaceId", "journeyId", "versionId", "customerId", "entryKey", "nodeId", visit)
       SELECT $1, $2, $3, id, 'api:kill:' || id, 'a', 1 FROM "Customer" WHERE "workspaceId" = $1`,
      [ws.id, journey.id, (published as { versionId: string }).versionId],
    );

    // First worker: killed the moment the receiver has accepted KILL_AT messages.
    const first = startWorker(ws.id);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => first.on('exit', (_code, signal) => resolve(signal)));
    onReceive = () => {
      const total = [...received.values()].reduce((a, b) => a + b, 0);
      if (total >= KILL_AT && first.exitCode === null && !first.killed) {
        first.kill('SIGKILL');
      }
    };
    expect(await exited).toBe('SIGKILL');
    onReceive = null;
    // What the dead worker had already written reaches the receiver a moment after the signal
    // (requests in flight on loopback): let it arrive, then note everything the first worker sent.
    await new Promise((r) => setTimeout(r, 200));
    const acceptedBeforeKill = new Set(received.keys());
    const [atKill] = await db.query<{ sent: number; inside: number }>(
      `SELECT (SELECT count(*)::int FROM "Delivery" WHERE "workspaceId" = $1 AND status = 'sent') AS sent,
              (SELECT count(*)::int FROM "Enrollment" WHERE "workspaceId" = $1 AND status <> 'completed') AS inside`,
      [ws.id],
    );
    // The crash left work undone: some accepted messages are not marked sent, customers are mid-journey.
    expect(atKill!.sent).toBeLessThan(received.size);
    expect(atKill!.inside).toBeGreaterThan(0);

    // Second worker: takes over once the dead worker's leases run out.
    startWorker(ws.id);
    await expect
      .poll(
        async () =>
          (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Enrollment" WHERE "workspaceId" = $1 AND status = 'completed'`, [ws.id]))[0]!.n,
        { timeout: 60_000, interval: 250 },
      )
      .toBe(CUSTOMERS);
    await expect
      .poll(async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Delivery" WHERE "workspaceId" = $1 AND status = 'sent'`, [ws.id]))[0]!.n, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(CUSTOMERS);

    // Every customer got exactly one message: one delivery row each, and the receiver saw one key per customer.
    const deliveries = await db.query<{ customerId: string; n: number }>(`SELECT "customerId", count(*)::int AS n FROM "Delivery" WHERE "workspaceId" = $1 GROUP BY 1`, [ws.id]);
    expect(deliveries).toHaveLength(CUSTOMERS);
    expect(deliveries.every((d) => d.n === 1)).toBe(true);
    const keys = await db.query<{ key: string }>(`SELECT key FROM "Delivery" WHERE "workspaceId" = $1`, [ws.id]);
    expect(new Set(received.keys())).toEqual(new Set(keys.map((k) => k.key)));
    // The repeats the receiver dropped are messages the killed worker had sent.
    const repeats = [...received.values()].filter((n) => n > 1).length;
    expect(repeats).toBeGreaterThan(0);
    const repeated = [...received].filter(([, n]) => n > 1).map(([key]) => key);
    expect(repeated.every((key) => acceptedBeforeKill.has(key))).toBe(true);
    // Each step ran to completion once per customer.
    const tagged = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "CustomerTag" WHERE "tagId" = ANY($1::uuid[])`, [[started.id, done.id]]);
    expect(tagged[0]!.n).toBe(CUSTOMERS * 2);
    const steps = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "StepRun" WHERE "journeyId" = $1 AND status = 'completed'`, [journey.id]);
    expect(steps[0]!.n).toBe(CUSTOMERS * 3);
    expect(customers).toHaveLength(CUSTOMERS);
  }, 120_000);
});
