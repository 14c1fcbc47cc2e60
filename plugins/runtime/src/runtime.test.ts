import { builtinNodes } from '@courtyard/builtin';
import { defineAction, step, z } from '@courtyard/plugin-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyNodeStats, publishJourney, setJourneyStatus } from './journey/index.ts';
import { NodeRegistry } from './registry.ts';
import { JourneyRuntime } from './runtime.ts';
import { createRuntimeFixture, edge, node } from './testing.ts';

let calls: string[][] = [];
const flaky = defineAction({
  id: 'test.flaky',
  version: '1.0.0',
  title: { 'zh-CN': '不稳定', en: 'Flaky' },
  description: { 'zh-CN': '测试用', en: 'For tests' },
  icon: 'bug',
  config: z.object({ failFor: z.array(z.string()).default([]), throwFor: z.array(z.string()).default([]) }),
  ports: [
    { id: 'next', title: { 'zh-CN': '下一步', en: 'Next' } },
    { id: 'failed', title: { 'zh-CN': '失败', en: 'Failed' } },
  ],
  retry: { attempts: 2, backoffMs: 1 },
  async run({ items, config }) {
    calls.push(items.map((i) => i.customer.id));
    if (items.some((i) => config.throwFor.includes(i.customer.name ?? ''))) throw new Error('boom');
    return items.map((i) => (config.failFor.includes(i.customer.name ?? '') ? step.retry('upstream 503') : step.next('next')));
  },
});

const slow = defineAction({
  id: 'test.slow',
  version: '1.0.0',
  title: { 'zh-CN': '很慢', en: 'Slow' },
  description: { 'zh-CN': '测试用', en: 'For tests' },
  icon: 'clock',
  config: z.object({ hangFor: z.string() }),
  timeoutMs: 100,
  retry: { attempts: 1, backoffMs: 1 },
  async run({ items, config }) {
    if (items.some((i) => i.customer.name === config.hangFor)) await new Promise(() => undefined);
    return items.map(() => step.next('next'));
  },
});

const sneaky = defineAction({
  id: 'test.sneaky',
  version: '1.0.0',
  title: { 'zh-CN': '越权', en: 'Sneaky' },
  description: { 'zh-CN': '测试用', en: 'For tests' },
  icon: 'bug',
  config: z.object({ tagId: z.string() }),
  retry: { attempts: 1, backoffMs: 1 },
  async run({ items, config, ctx }) {
    await ctx.customers.addTags(items.map((i) => ({ customerId: i.customer.id, tagIds: [config.tagId] })));
    return items.map(() => step.next('next'));
  },
});

const registry = new NodeRegistry([...builtinNodes, flaky, slow, sneaky]);
let fx: Awaited<ReturnType<typeof createRuntimeFixture>>;
beforeAll(async () => {
  fx = await createRuntimeFixture({ registry });
});
afterAll(async () => fx?.close());

const settle = async () => {
  // Retries wait out their (1 ms) backoff; a few drains see them through.
  for (let i = 0; i < 6; i++) {
    await fx.runtime.drain();
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('journey runtime', () => {
  it('runs trigger → condition → add tag → wait 0 → send for a batch, and counts every node', async () => {
    const ws = await fx.workspace();
    const vip = await ws.tag('VIP');
    const welcomed = await ws.tag('welcomed');
    const customers = await ws.customers(6);
    await fx.db.query(`INSERT INTO "CustomerTag" ("customerId", "tagId", "workspaceId") SELECT unnest($1::uuid[]), $2, $3`, [customers.slice(0, 4), vip, ws.id]);
    const { journeyId } = await ws.journey({
      nodes: [
        node('t', 'api'),
        node('vip', 'has-tags', { tagIds: [vip] }),
        node('tag', 'add-tags', { tagIds: [welcomed] }),
        node('pause', 'wait', { duration: { amount: 0, unit: 'minutes' } }),
        node('send', 'send-message', { channel: 'log', body: '{{customer.name}}，欢迎回来' }),
      ],
      edges: [edge('t', 'vip'), edge('vip', 'tag', 'yes'), edge('tag', 'pause'), edge('pause', 'send')],
    });
    const result = await fx.runtime.enrollByApi(ws.id, journeyId, customers, 'req-1');
    expect(result.enrolled).toHaveLength(6);
    await fx.runtime.drain();

    const enrollments = await ws.enrollments(journeyId);
    expect(enrollments.every((e) => e.status === 'completed')).toBe(true);
    expect(await ws.tagsOf(customers[0]!)).toContain(welcomed);
    expect(await ws.tagsOf(customers[5]!)).not.toContain(welcomed);
    const deliveries = await ws.deliveries();
    expect(deliveries).toHaveLength(4);
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
    expect(deliveries.map((d) => d.body)).toContain('客户0，欢迎回来');

    const stats = Object.fromEntries((await journeyNodeStats(fx.db, journeyId)).map((s) => [s.nodeId, s]));
    expect(stats.t).toMatchObject({ entered: 6, completed: 6 });
    expect(stats.vip!.byPort.sort((a, b) => a.port.localeCompare(b.port))).toEqual([
      { port: 'no', count: 2 },
      { port: 'yes', count: 4 },
    ]);
    expect(stats.send).toMatchObject({ entered: 4, completed: 4, waiting: 0 });
  });

  it('customers this process just enrolled are stepped first, by id, ahead of whatever else is due', async () => {
    const ws = await fx.workspace();
    const welcomed = await ws.tag('welcomed');
    const [a, b, c, ...others] = await ws.customers(8);
    const { journeyId } = await ws.journey({
      nodes: [node('t', 'api'), node('tag', 'add-tags', { tagIds: [welcomed] })],
      edges: [edge('t', 'tag')],
    });
    // This node polls the due range once a minute; another node enrolled five customers it has not seen.
    const here = new JourneyRuntime({ db: fx.db, workspaces: new Set([ws.id]), pollMs: 60_000, log: () => undefined });
    const there = new JourneyRuntime({ db: fx.db, workspaces: new Set([ws.id]), log: () => undefined });
    expect(await here.step()).toBe(0);
    expect((await there.enrollByApi(ws.id, journeyId, others, 'there')).enrolled).toHaveLength(5);
    expect((await here.enrollByApi(ws.id, journeyId, [a!, b!, c!], 'here')).enrolled).toHaveLength(3);
    expect(await here.step()).toBe(3);
    expect(await ws.tagsOf(a!)).toContain(welcomed);
    expect(await ws.tagsOf(others[0]!)).not.toContain(welcomed);
    // Nothing fresh is left: the next pass takes the due range.
    expect(await here.step()).toBe(5);
    expect(await ws.tagsOf(others[4]!)).toContain(welcomed);
    await Promise.all([here.stop(), there.stop()]);
  });

  it('enrolling twice with the same request key enrolls once, and re-entry "never" refuses a second entry', async () => {
    const ws = await fx.workspace();
    const [c] = await ws.customers(1);
    const { journeyId } = await ws.journey({ nodes: [node('t', 'api'), node('x', 'exit', { reason: 'done' })], edges: [edge('t', 'x')] });
    expect((await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'same')).enrolled).toHaveLength(1);
    expect((await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'same')).enrolled).toHaveLength(0);
    await fx.runtime.drain();
    expect((await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'other')).skipped).toBe(1);
  });

  it('a customer of another workspace is never enrolled', async () => {
    const a = await fx.workspace();
    const b = await fx.workspace();
    const [foreign] = await b.customers(1);
    const { journeyId } = await a.journey({ nodes: [node('t', 'api'), node('x', 'exit', { reason: 'done' })], edges: [edge('t', 'x')] });
    expect(await fx.runtime.enrollByApi(a.id, journeyId, [foreign!], 'r')).toEqual({ enrolled: [], skipped: 1 });
  });

  it('a failing action is retried with backoff and then takes its failed port; a throwing batch fails only the customer that broke it', async () => {
    const ws = await fx.workspace();
    await ws.customers(3);
    const ids = await fx.db.query<{ id: string; name: string }>(`SELECT id, name FROM "Customer" WHERE "workspaceId" = $1 ORDER BY name`, [ws.id]);
    const failedTag = await ws.tag('failed');
    const { journeyId } = await ws.journey({
      nodes: [node('t', 'api'), node('f', 'test.flaky', { failFor: ['客户1'], throwFor: ['客户2'] }), node('mark', 'add-tags', { tagIds: [failedTag] })],
      edges: [edge('t', 'f'), edge('f', 'mark', 'failed')],
    });
    calls = [];
    await fx.runtime.enrollByApi(ws.id, journeyId, ids.map((r) => r.id), 'r');
    await settle();
    const byName = new Map(ids.map((r) => [r.id, r.name]));
    const enrollments = await ws.enrollments(journeyId);
    const status = Object.fromEntries(enrollments.map((e) => [byName.get(e.customerId), e.status]));
    expect(status).toEqual({ 客户0: 'completed', 客户1: 'completed', 客户2: 'completed' });
    // 客户1 and 客户2 left through "failed" after their retries; 客户0 went on at once.
    expect(await ws.tagsOf(ids[0]!.id)).not.toContain(failedTag);
    expect(await ws.tagsOf(ids[1]!.id)).toContain(failedTag);
    expect(await ws.tagsOf(ids[2]!.id)).toContain(failedTag);
    const stats = (await journeyNodeStats(fx.db, journeyId)).find((s) => s.nodeId === 'f')!;
    expect(stats).toMatchObject({ entered: 3, completed: 1, failed: 2 });
    // The first call had all three together.
    expect(calls[0]).toHaveLength(3);
  });

  it('without a failed port a failing customer is dead-lettered with its error, visible on the enrollment', async () => {
    const ws = await fx.workspace();
    await ws.customers(1);
    const { journeyId } = await ws.journey({ nodes: [node('t', 'api'), node('f', 'test.flaky', { failFor: ['客户0'] })], edges: [edge('t', 'f')] });
    const [c] = await fx.db.query<{ id: string }>(`SELECT id FROM "Customer" WHERE "workspaceId" = $1`, [ws.id]);
    await fx.runtime.enrollByApi(ws.id, journeyId, [c!.id], 'r');
    await settle();
    const [e] = await ws.enrollments(journeyId);
    expect(e).toMatchObject({ status: 'failed', lastError: 'upstream 503' });
  });

  it('wait-for-event resumes through "event" when the keyed event comes, and through "timeout" when it does not', async () => {
    const ws = await fx.workspace();
    const [came, never] = await ws.customers(2);
    const paid = await ws.tag('paid');
    const { journeyId } = await ws.journey({
      nodes: [
        node('t', 'event', { eventType: 'cart.abandoned' }),
        node('w', 'wait-for-event', { eventType: 'order.paid', matchTriggerProperty: 'cartId', timeout: { amount: 1, unit: 'minutes' } }),
        node('tag', 'add-tags', { tagIds: [paid] }),
      ],
      edges: [edge('t', 'w'), edge('w', 'tag', 'event')],
    });
    const ev = (id: string, customerId: string, type: string, cartId: string) => ({ id, customerId, type, properties: { cartId }, occurredAt: new Date() });
    await fx.runtime.onEvents(ws.id, [ev('00000000-0000-4000-8000-000000000001', came!, 'cart.abandoned', 'A'), ev('00000000-0000-4000-8000-000000000002', never!, 'cart.abandoned', 'B')]);
    await fx.runtime.drain();
    expect((await ws.enrollments(journeyId)).map((e) => e.status)).toEqual(expect.arrayContaining(['waiting', 'waiting']));
    // An order of another cart does not count; the same cart's does.
    await fx.runtime.onEvents(ws.id, [ev('00000000-0000-4000-8000-000000000003', came!, 'order.paid', 'Z')]);
    await fx.runtime.drain();
    expect(await ws.tagsOf(came!)).not.toContain(paid);
    await fx.runtime.onEvents(ws.id, [ev('00000000-0000-4000-8000-000000000004', came!, 'order.paid', 'A')]);
    await fx.runtime.drain();
    expect(await ws.tagsOf(came!)).toContain(paid);
    // Time out the other one by moving its deadline into the past.
    await fx.db.query(`UPDATE "Enrollment" SET "readyAt" = now() - interval '1 second' WHERE "journeyId" = $1 AND status = 'waiting'`, [journeyId]);
    await fx.runtime.drain();
    const stats = (await journeyNodeStats(fx.db, journeyId)).find((s) => s.nodeId === 'w')!;
    expect(stats.byPort.sort((a, b) => a.port.localeCompare(b.port))).toEqual([
      { port: 'event', count: 1 },
      { port: 'timeout', count: 1 },
    ]);
    expect(await ws.tagsOf(never!)).not.toContain(paid);
  });

  it('a goal reached while waiting makes the customer leave before the next step', async () => {
    const ws = await fx.workspace();
    const [c] = await ws.customers(1);
    const { journeyId } = await ws.journey(
      { nodes: [node('t', 'api'), node('w', 'wait', { duration: { amount: 1, unit: 'minutes' } }), node('send', 'send-message', { channel: 'log', body: 'hi' })], edges: [edge('t', 'w'), edge('w', 'send')] },
      { goal: { kind: 'event', eventType: 'order.paid' } },
    );
    await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'r');
    await fx.runtime.drain();
    await fx.db.query(`INSERT INTO "Event" ("workspaceId", "customerId", type, properties, "occurredAt", "idempotencyKey") VALUES ($1, $2, 'order.paid', '{}', now(), 'goal-1')`, [ws.id, c]);
    await fx.db.query(`UPDATE "Enrollment" SET "readyAt" = now() - interval '1 second' WHERE "journeyId" = $1`, [journeyId]);
    await fx.runtime.drain();
    const [e] = await ws.enrollments(journeyId);
    expect(e).toMatchObject({ status: 'exited', exitReason: 'goal' });
    expect(await ws.deliveries()).toHaveLength(0);
  });

  it('the frequency cap defers a second marketing message to the next day, and consent is respected', async () => {
    const ws = await fx.workspace({ frequencyCapPerDay: 1, frequencyCapMode: 'delay' });
    const [ok, noConsent] = await ws.customers(2, (i) => ({ marketingConsent: i === 0 }));
    const { journeyId } = await ws.journey({
      nodes: [node('t', 'api'), node('a', 'send-message', { channel: 'log', body: 'one' }), node('b', 'send-message', { channel: 'log', body: 'two' })],
      edges: [edge('t', 'a'), edge('a', 'b')],
    });
    await fx.runtime.enrollByApi(ws.id, journeyId, [ok!, noConsent!], 'r');
    await fx.runtime.drain();
    const deliveries = await ws.deliveries();
    expect(deliveries.map((d) => [d.customerId, d.body])).toEqual([[ok, 'one']]);
    const enrollments = await ws.enrollments(journeyId);
    const waiting = enrollments.find((e) => e.customerId === ok)!;
    expect(waiting).toMatchObject({ status: 'active', nodeId: 'b' });
    const [row] = await fx.db.query<{ readyAt: Date }>(`SELECT "readyAt" FROM "Enrollment" WHERE id = $1`, [waiting.id]);
    expect(new Date(row!.readyAt).getTime()).toBeGreaterThan(Date.now() + 60_000);
  });

  it('a paused journey runs no steps until resumed', async () => {
    const ws = await fx.workspace();
    const [c] = await ws.customers(1);
    const { journeyId } = await ws.journey({ nodes: [node('t', 'api'), node('send', 'send-message', { channel: 'log', body: 'hi' })], edges: [edge('t', 'send')] });
    await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'r');
    expect(await setJourneyStatus(fx.db, ws.id, journeyId, 'pause')).toEqual({ status: 'paused' });
    await fx.runtime.drain();
    expect(await ws.deliveries()).toHaveLength(0);
    await setJourneyStatus(fx.db, ws.id, journeyId, 'resume');
    await fx.runtime.drain();
    expect(await ws.deliveries()).toHaveLength(1);
  });

  it('a wait is woken by its pg-boss job once the runtime is started', async () => {
    const ws = await fx.workspace();
    const [c] = await ws.customers(1);
    const done = await ws.tag('done');
    const { journeyId } = await ws.journey({ nodes: [node('t', 'api'), node('w', 'wait', { duration: { amount: 1, unit: 'minutes' } }), node('tag', 'add-tags', { tagIds: [done] })], edges: [edge('t', 'w'), edge('w', 'tag')] });
    await fx.runtime.start();
    try {
      await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'r');
      await expect.poll(async () => (await ws.enrollments(journeyId))[0]?.status, { timeout: 10_000 }).toBe('waiting');
      // The wake-up job is queued right after the step that started the wait committed.
      const jobs = async () =>
        (await fx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'journey-wake' AND data->'items'->0->>0 = (SELECT id::text FROM "Enrollment" WHERE "journeyId" = $1)`, [journeyId]))[0]!.n;
      await expect.poll(jobs, { timeout: 5_000 }).toBe(1);
      // Bring the job and the wait forward instead of waiting a minute.
      await fx.db.query(`UPDATE pgboss.job SET start_after = now() WHERE name = 'journey-wake'`);
      await fx.db.query(`UPDATE "Enrollment" SET "readyAt" = now() WHERE "journeyId" = $1`, [journeyId]);
      await expect.poll(async () => ws.tagsOf(c!), { timeout: 15_000 }).toContain(done);
    } finally {
      await fx.runtime.stop();
    }
  });

  it('a node that hangs for one customer times out for that customer only; the others go on', async () => {
    const ws = await fx.workspace();
    const customers = await ws.customers(3);
    const { journeyId } = await ws.journey({ nodes: [node('t', 'api'), node('s', 'test.slow', { hangFor: '客户1' })], edges: [edge('t', 's')] });
    await fx.runtime.enrollByApi(ws.id, journeyId, customers, 'r');
    await settle();
    const enrollments = await ws.enrollments(journeyId);
    const failed = enrollments.filter((e) => e.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.lastError).toContain('took longer than 100 ms');
    expect(enrollments.filter((e) => e.status === 'completed')).toHaveLength(2);
  });

  it('the concurrency cap admits only as many customers as there is room for', async () => {
    const ws = await fx.workspace();
    const customers = await ws.customers(5);
    const { journeyId } = await ws.journey(
      { nodes: [node('t', 'api'), node('w', 'wait', { duration: { amount: 1, unit: 'days' } })], edges: [edge('t', 'w')] },
      { maxConcurrentEnrollments: 3 },
    );
    expect(await fx.runtime.enrollByApi(ws.id, journeyId, customers, 'r')).toMatchObject({ skipped: 2 });
    expect(await ws.enrollments(journeyId)).toHaveLength(3);
  });

  it('re-entry after a cooldown refuses a customer who entered within it', async () => {
    const ws = await fx.workspace();
    const [c] = await ws.customers(1);
    const { journeyId } = await ws.journey(
      { nodes: [node('t', 'api'), node('x', 'exit', { reason: 'done' })], edges: [edge('t', 'x')] },
      { reentry: { mode: 'afterCooldown', cooldown: { amount: 7, unit: 'days' } } },
    );
    await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'first');
    await fx.runtime.drain();
    expect((await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'second')).enrolled).toHaveLength(0);
    await fx.db.query(`UPDATE "Enrollment" SET "enteredAt" = now() - interval '8 days' WHERE "journeyId" = $1`, [journeyId]);
    expect((await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'third')).enrolled).toHaveLength(1);
  });

  it('publishing v2 keeps customers on v1 unless migrated; migration moves those whose node still exists and reports the rest', async () => {
    const ws = await fx.workspace();
    const customers = await ws.customers(4);
    const wait = (id: string) => node(id, 'wait', { duration: { amount: 1, unit: 'days' } });
    const { journeyId, versionId: v1 } = await ws.journey({ nodes: [node('t', 'api'), node('c', 'random-split', { branches: [{ id: 'a', title: 'A', weight: 1 }, { id: 'b', title: 'B', weight: 1 }] }), wait('wa'), wait('wb')], edges: [edge('t', 'c'), edge('c', 'wa', 'a'), edge('c', 'wb', 'b')] });
    await fx.runtime.enrollByApi(ws.id, journeyId, customers, 'r');
    await fx.runtime.drain();
    const at = await ws.enrollments(journeyId);
    const inB = at.filter((e) => e.nodeId === 'wb').length;
    // v2 drops wb.
    await fx.db.prisma.journey.update({ where: { id: journeyId }, data: { draft: { nodes: [node('t', 'api'), wait('wa')], edges: [edge('t', 'wa')] } as never } });
    const published = await publishJourney(fx.db, registry, ws.id, journeyId, { migrate: true });
    expect(published).toMatchObject({ version: 2, migration: { moved: 4 - inB, unmatched: inB ? [{ nodeId: 'wb', customers: inB }] : [] } });
    const after = await ws.enrollments(journeyId);
    expect(after.filter((e) => e.versionId === v1).map((e) => e.nodeId)).toEqual(Array(inB).fill('wb'));
  });

  it('node configs may name tags and segments by their API (global) ids', async () => {
    const ws = await fx.workspace();
    const vip = await ws.tag('VIP');
    const done = await ws.tag('done');
    const [c] = await ws.customers(1);
    await fx.db.query(`INSERT INTO "CustomerTag" ("customerId", "tagId", "workspaceId") VALUES ($1, $2, $3)`, [c, vip, ws.id]);
    const globalId = (id: string) => Buffer.from(`Tag:${id}`).toString('base64');
    const { journeyId } = await ws.journey({
      nodes: [node('t', 'api'), node('c', 'has-tags', { tagIds: [globalId(vip)] }), node('tag', 'add-tags', { tagIds: [globalId(done)] })],
      edges: [edge('t', 'c'), edge('c', 'tag', 'yes')],
    });
    await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'r');
    await fx.runtime.drain();
    expect(await ws.tagsOf(c!)).toContain(done);
  });

  it('a tag one node adds is seen by the next node in the same pass', async () => {
    const ws = await fx.workspace();
    const first = await ws.tag('first');
    const second = await ws.tag('second');
    const [c] = await ws.customers(1);
    const { journeyId } = await ws.journey({
      nodes: [node('t', 'api'), node('a', 'add-tags', { tagIds: [first] }), node('c', 'has-tags', { tagIds: [first] }), node('b', 'add-tags', { tagIds: [second] })],
      edges: [edge('t', 'a'), edge('a', 'c'), edge('c', 'b', 'yes')],
    });
    await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'r');
    expect(await fx.runtime.step()).toBe(1);
    expect((await ws.tagsOf(c!)).sort()).toEqual([first, second].sort());
  });

  it('a marketing message in quiet hours waits in its node until they end, and nothing is sent', async () => {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', hour12: false }).format(new Date())) % 24;
    const hh = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
    const ws = await fx.workspace({ quietHoursStart: hh(hour), quietHoursEnd: hh(hour + 2) });
    const [c] = await ws.customers(1);
    const { journeyId } = await ws.journey({ nodes: [node('t', 'api'), node('s', 'send-message', { channel: 'log', body: 'hi' })], edges: [edge('t', 's')] });
    await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'r');
    await fx.runtime.drain();
    expect(await ws.deliveries()).toHaveLength(0);
    const [row] = await fx.db.query<{ status: string; nodeId: string; readyAt: Date; lastError: string }>(
      `SELECT status::text AS status, "nodeId", "readyAt", "lastError" FROM "Enrollment" WHERE "journeyId" = $1`,
      [journeyId],
    );
    expect(row).toMatchObject({ status: 'active', nodeId: 's', lastError: 'deferred: quiet hours' });
    expect(new Date(row!.readyAt).getTime()).toBeGreaterThan(Date.now() + 60 * 60_000);
  });

  it('with the frequency cap set to skip, the message over the cap is skipped and the customer goes on', async () => {
    const ws = await fx.workspace({ frequencyCapPerDay: 1, frequencyCapMode: 'skip' });
    const [c] = await ws.customers(1);
    const { journeyId } = await ws.journey({
      nodes: [node('t', 'api'), node('a', 'send-message', { channel: 'log', body: 'one' }), node('b', 'send-message', { channel: 'log', body: 'two' })],
      edges: [edge('t', 'a'), edge('a', 'b')],
    });
    await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'r');
    await fx.runtime.drain();
    expect((await ws.deliveries()).map((d) => d.body)).toEqual(['one']);
    expect((await ws.enrollments(journeyId))[0]!.status).toBe('completed');
  });

  it('a node that writes without declaring the scope is refused and changes nothing', async () => {
    const ws = await fx.workspace();
    const vip = await ws.tag('VIP');
    const [c] = await ws.customers(1);
    const { journeyId } = await ws.journey({ nodes: [node('t', 'api'), node('x', 'test.sneaky', { tagId: vip })], edges: [edge('t', 'x')] });
    await fx.runtime.enrollByApi(ws.id, journeyId, [c!], 'r');
    await settle();
    const [e] = await ws.enrollments(journeyId);
    expect(e).toMatchObject({ status: 'failed' });
    expect(e!.lastError).toContain('used tags:write without declaring it');
    expect(await ws.tagsOf(c!)).toEqual([]);
  });
});
