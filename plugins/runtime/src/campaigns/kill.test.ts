// Exactly-once for a campaign under a crash: a real worker process is SIGKILLed while the receiver
// holds one of its batches (received, not yet answered), then another worker takes the run over
// once the dead worker's leases expire. The receiver sees every customer, and any repeat carries the
// key of its original, so a receiver that drops repeats by key shows each customer exactly once.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Db } from '@courtyard/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignDefinition } from './definition.ts';
import { startRun } from './lifecycle.ts';
import { killTestDatabase } from '../testing.ts';

const CUSTOMERS = 2000;
/** Deliveries a worker's campaign pass claims (COURTYARD_CAMPAIGN_BATCH). */
const BATCH = 50;
/** The first worker dies when the receiver gets this batch, before it answers. */
const KILL_AT_BATCH = 8;
/** How long the receiver takes to answer a request. */
const ANSWER_MS = 30;


interface Received {
  key: string;
  customerId: string;
}

let db: Db;
let url: string;
let receiver: Server;
/** Every message the receiver got, repeats included, in order. */
const received: Received[] = [];
let batches = 0;
let onBatch: ((n: number) => void) | null = null;
const workers: ChildProcess[] = [];
/** What the workers wrote to stderr, shown when the run does not finish. */
let workerLog = '';

function startWorker(workspaceId: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../worker.ts', import.meta.url))], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: {
      ...process.env,
      DATABASE_URL: url,
      COURTYARD_WORKSPACES: workspaceId,
      COURTYARD_LEASE_MS: '2000',
      COURTYARD_CAMPAIGN_BATCH: String(BATCH),
      COURTYARD_POLL_MS: '50',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => void (workerLog += chunk.toString()));
  workers.push(child);
  return child;
}

beforeAll(async () => {
  ({ db, url } = await killTestDatabase());
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Single messages carry their key in webhook-id; a batch (the channel's batch mode) inside its body.
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        type: string;
        idempotencyKey?: string;
        customer?: { id: string };
        messages?: Array<{ idempotencyKey: string; customer: { id: string } }>;
      };
      if (body.type === 'messages') {
        for (const m of body.messages ?? []) received.push({ key: m.idempotencyKey, customerId: m.customer.id });
      } else {
        received.push({ key: String(req.headers['webhook-id']), customerId: body.customer!.id });
      }
      batches++;
      onBatch?.(batches);
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(200).end('ok');
      }, ANSWER_MS);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  receiver?.close();
  await db?.close();
});

describe('a campaign worker killed mid-dispatch', () => {
  it('another worker finishes the run; every customer reached once by key', async () => {
    const ws = await db.prisma.workspace.create({ data: { name: `campaign kill ${Date.now()}` } });
    const customers = await db.query<{ id: string }>(
      `INSERT INTO "Customer" ("workspaceId", name, phone, "marketingConsent") SELECT $1, '客户' || i, '1390000' || lpad(i::text, 4, '0'), true FROM generate_series(1, $2) i RETURNING id`,
      [ws.id, CUSTOMERS],
    );
    const segment = await db.prisma.segment.create({ data: { workspaceId: ws.id, name: 'everyone', type: 'static', dependsOn: [] } });
    await db.query(`INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId") SELECT $1, id, "workspaceId" FROM "Customer" WHERE "workspaceId" = $2`, [segment.id, ws.id]);
    const channel = await db.prisma.channel.create({
      data: {
        workspaceId: ws.id,
        type: 'webhook',
        name: 'receiver',
        config: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret: 'a-test-secret-of-enough-length', batch: true },
      },
    });
    const definition = CampaignDefinition.parse({
      audience: { segmentIds: [segment.id] },
      content: { channelId: channel.id, variants: [{ key: 'A', weight: 100, body: '{{customer.name}}，会员日券已到账' }], marketing: false },
    });
    const campaign = await db.prisma.campaign.create({ data: { workspaceId: ws.id, name: 'member day', definition: definition as never } });
    const run = await startRun(db, campaign.id, new Date());
    expect(run).toMatchObject({ planned: CUSTOMERS, heldOut: 0 });
    const audience = await db.query<{ key: string; customerId: string }>(`SELECT key, "customerId" FROM "Delivery" WHERE "campaignRunId" = $1`, [run!.id]);
    expect(audience).toHaveLength(CUSTOMERS);

    // First worker: killed while the receiver holds its KILL_AT_BATCH-th batch, unanswered.
    let receivedBeforeKill = new Set<string>();
    const first = startWorker(ws.id);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => first.on('exit', (_code, signal) => resolve(signal)));
    onBatch = (n) => {
      if (n >= KILL_AT_BATCH && first.exitCode === null && !first.killed) {
        first.kill('SIGKILL');
        receivedBeforeKill = new Set(received.map((r) => r.key));
      }
    };
    expect(await exited).toBe('SIGKILL');
    onBatch = null;
    const [atKill] = await db.query<{ sent: number; open: number; status: string }>(
      `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status IN ('planned', 'sending'))::int AS open,
              (SELECT status::text FROM "CampaignRun" WHERE id = $1) AS status
         FROM "Delivery" WHERE "campaignRunId" = $1`,
      [run!.id],
    );
    // The crash landed mid-dispatch: some messages reached the receiver, not all; the last batch reached it but is not marked sent.
    expect(receivedBeforeKill.size).toBeGreaterThan(0);
    expect(receivedBeforeKill.size).toBeLessThan(CUSTOMERS);
    expect(atKill!.sent).toBeLessThan(receivedBeforeKill.size);
    expect(atKill!.open).toBeGreaterThan(0);
    expect(atKill!.status).toBe('running');

    // Second worker: takes the dead worker's rows once their 2 s leases expire, and the rest.
    startWorker(ws.id);
    await expect
      .poll(
        async () =>
          (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Delivery" WHERE "campaignRunId" = $1 AND status = 'sent'`, [run!.id]))[0]!.n,
        { timeout: 40_000, interval: 250 },
      )
      .toBe(CUSTOMERS)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nthe workers said: ${workerLog || 'nothing'}`, { cause: error });
      });
    await expect
      .poll(async () => (await db.query<{ status: string }>(`SELECT status::text AS status FROM "CampaignRun" WHERE id = $1`, [run!.id]))[0]!.status, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe('completed');
    const [campaignRow] = await db.query<{ status: string }>(`SELECT status::text AS status FROM "Campaign" WHERE id = $1`, [campaign.id]);
    expect(campaignRow!.status).toBe('completed');

    // Every customer reached: the distinct keys the receiver saw are exactly the run's deliveries.
    const keys = new Set(received.map((r) => r.key));
    expect(keys).toEqual(new Set(audience.map((a) => a.key)));
    expect(new Set(received.map((r) => r.customerId))).toEqual(new Set(customers.map((c) => c.id)));
    // Each customer always under one key, the one of its delivery: a repeat carries its original's key.
    const keyOf = new Map(audience.map((a) => [a.customerId, a.key]));
    expect(received.every((r) => keyOf.get(r.customerId) === r.key)).toBe(true);
    // The repeats are the messages the receiver got before the kill whose answer the dead worker never recorded.
    const counts = new Map<string, number>();
    for (const r of received) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
    expect(repeated.length).toBeGreaterThan(0);
    expect(repeated.every((key) => receivedBeforeKill.has(key))).toBe(true);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    // A receiver that drops repeats by key stores each customer exactly once.
    expect(counts.size).toBe(CUSTOMERS);
  }, 60_000);
});
