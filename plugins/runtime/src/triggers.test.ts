import { recheckCustomers } from '@courtyard/db/segments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeFixture, edge, node } from './testing.ts';

let fx: Awaited<ReturnType<typeof createRuntimeFixture>>;
beforeAll(async () => {
  fx = await createRuntimeFixture();
});
afterAll(async () => fx?.close());

const exit = node('x', 'exit', { reason: 'done' });

describe('journey triggers', () => {
  it('entering a segment enrolls the customer in a journey triggered by segment entry; leaving it, in one triggered by exit', async () => {
    const ws = await fx.workspace();
    const vip = await ws.tag('VIP');
    const [c] = await ws.customers(1);
    const segment = await fx.db.prisma.segment.create({
      data: { workspaceId: ws.id, name: 'VIPs', type: 'dynamic', definition: { version: 1, root: { kind: 'tags', match: 'any', tagIds: [vip] } }, dependsOn: ['tags'] },
    });
    const entered = await ws.journey({ nodes: [node('t', 'segment-change', { segmentId: segment.id, change: 'entered' }), exit], edges: [edge('t', 'x')] });
    const left = await ws.journey({ nodes: [node('t', 'segment-change', { segmentId: segment.id, change: 'exited' }), exit], edges: [edge('t', 'x')] });

    await fx.db.query(`INSERT INTO "CustomerTag" ("customerId", "tagId", "workspaceId") VALUES ($1, $2, $3)`, [c, vip, ws.id]);
    await recheckCustomers(fx.db, ws.id, [c!], ['tags']);
    await expect.poll(async () => (await ws.enrollments(entered.journeyId)).length).toBe(1);
    expect(await ws.enrollments(left.journeyId)).toHaveLength(0);

    await fx.db.query(`DELETE FROM "CustomerTag" WHERE "customerId" = $1`, [c]);
    await recheckCustomers(fx.db, ws.id, [c!], ['tags']);
    await expect.poll(async () => (await ws.enrollments(left.journeyId)).length).toBe(1);
  });

  it('a tag added by a journey moves segment membership, which starts the next journey', async () => {
    const ws = await fx.workspace();
    const vip = await ws.tag('VIP');
    const customers = await ws.customers(3);
    const segment = await fx.db.prisma.segment.create({
      data: { workspaceId: ws.id, name: 'VIPs', type: 'dynamic', definition: { version: 1, root: { kind: 'tags', match: 'any', tagIds: [vip] } }, dependsOn: ['tags'] },
    });
    const tagging = await ws.journey({ nodes: [node('t', 'api'), node('tag', 'add-tags', { tagIds: [vip] })], edges: [edge('t', 'tag')] });
    const welcome = await ws.journey({ nodes: [node('t', 'segment-change', { segmentId: segment.id, change: 'entered' }), exit], edges: [edge('t', 'x')] });
    await fx.runtime.enrollByApi(ws.id, tagging.journeyId, customers, 'r');
    await fx.runtime.drain();
    await expect.poll(async () => (await ws.enrollments(welcome.journeyId)).length).toBe(3);
  });

  it('entries committed where no runtime listened (another process, a crash) start the journey at the next sweep, once; earlier ones never', async () => {
    const ws = await fx.workspace();
    const [before, a, b] = await ws.customers(3);
    const segment = await fx.db.prisma.segment.create({ data: { workspaceId: ws.id, name: 'Imported', type: 'static', definition: { version: 1, root: { kind: 'randomBucket', from: 0, to: 100 } }, dependsOn: [] } });
    // What another process commits: members and their change log, with nobody here told.
    const commitElsewhere = (customerIds: string[]) =>
      fx.db.query(
        `WITH m AS (INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId") SELECT $1::uuid, c, $2::uuid FROM unnest($3::uuid[]) c RETURNING "customerId")
         INSERT INTO "SegmentChange" ("workspaceId", "segmentId", "customerId", kind) SELECT $2::uuid, $1::uuid, "customerId", 'entered' FROM m`,
        [segment.id, ws.id, customerIds],
      );
    await commitElsewhere([before!]);
    await new Promise((r) => setTimeout(r, 20));
    const welcome = await ws.journey({ nodes: [node('t', 'segment-change', { segmentId: segment.id, change: 'entered' }), exit], edges: [edge('t', 'x')] });
    await commitElsewhere([a!, b!]);
    expect(await ws.enrollments(welcome.journeyId)).toHaveLength(0);

    expect(await fx.runtime.sweepAllSegmentTriggers()).toBe(2);
    expect((await ws.enrollments(welcome.journeyId)).map((e: { customerId: string }) => e.customerId).sort()).toEqual([a, b].sort());
    expect(await fx.runtime.sweepAllSegmentTriggers()).toBe(0);
    // Even with its cursor lost, a sweep enrolls nobody twice: the entry keys name the changes.
    await fx.db.query(`DELETE FROM "RuntimeCounter" WHERE "workspaceId" = $1 AND key LIKE 'segment-trigger:%'`, [ws.id]);
    expect(await fx.runtime.sweepAllSegmentTriggers()).toBe(0);
    expect(await ws.enrollments(welcome.journeyId)).toHaveLength(2);
  });

  it('a one-off schedule enrolls everyone once when its time has come, and a second run enrolls nobody', async () => {
    const ws = await fx.workspace();
    await ws.customers(4);
    const at = new Date(Date.now() - 60_000).toISOString();
    const { journeyId } = await ws.journey({ nodes: [node('t', 'schedule', { repeat: 'once', at, segmentId: null }), exit], edges: [edge('t', 'x')] });
    expect(await fx.runtime.runScheduledTriggers()).toBe(4);
    expect(await fx.runtime.runScheduledTriggers()).toBe(0);
    expect(await ws.enrollments(journeyId)).toHaveLength(4);
  });

  it('a schedule in the future enrolls nobody yet', async () => {
    const ws = await fx.workspace();
    await ws.customers(2);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const { journeyId } = await ws.journey({ nodes: [node('t', 'schedule', { repeat: 'once', at, segmentId: null }), exit], edges: [edge('t', 'x')] });
    await fx.runtime.runScheduledTriggers();
    expect(await ws.enrollments(journeyId)).toHaveLength(0);
  });

  it('a cron schedule runs at its next tick after publishing, once per tick', async () => {
    const ws = await fx.workspace();
    await ws.customers(2);
    const { journeyId } = await ws.journey(
      { nodes: [node('t', 'schedule', { repeat: 'cron', cron: '*/5 * * * *', segmentId: null }), exit], edges: [edge('t', 'x')] },
      { reentry: { mode: 'always' } },
    );
    const later = new Date(Date.now() + 6 * 60_000);
    expect(await fx.runtime.runScheduledTriggers(later)).toBe(2);
    expect(await fx.runtime.runScheduledTriggers(later)).toBe(0);
    await fx.runtime.drain();
    // The next tick enrolls them again (re-entry "always", after they left).
    expect(await fx.runtime.runScheduledTriggers(new Date(later.getTime() + 5 * 60_000))).toBe(2);
    expect(await ws.enrollments(journeyId)).toHaveLength(4);
  });

  it('a birthday trigger three days ahead enrolls exactly the customers whose birthday is in three days', async () => {
    const ws = await fx.workspace();
    const [soon, other] = await ws.customers(2);
    // A date trigger first runs at its time of day after publishing: tomorrow, for 00:00.
    const now = new Date(Date.now() + 86_400_000);
    const inThree = new Date(now.getTime() + 3 * 86_400_000);
    const md = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit' }).format(inThree);
    await fx.db.query(`UPDATE "Customer" SET birthday = $2::date WHERE id = $1`, [soon, `1990-${md}`]);
    await fx.db.query(`UPDATE "Customer" SET birthday = '1990-01-01' WHERE id = $1`, [other]);
    const { journeyId } = await ws.journey({ nodes: [node('t', 'date-attribute', { field: 'birthday', offsetDays: -3, time: '00:00', segmentId: null }), exit], edges: [edge('t', 'x')] });
    await fx.runtime.runScheduledTriggers(now);
    const enrolled = (await ws.enrollments(journeyId)).map((e) => e.customerId);
    expect(enrolled).toContain(soon);
    expect(md === '01-01' ? true : !enrolled.includes(other!)).toBe(true);
  });

  it('an event matching the trigger property filter enrolls; one that does not match is ignored', async () => {
    const ws = await fx.workspace();
    const [a, b] = await ws.customers(2);
    const { journeyId } = await ws.journey({ nodes: [node('t', 'event', { eventType: 'coupon.used', properties: { coupon: '618' } }), exit], edges: [edge('t', 'x')] });
    const ev = (id: string, customerId: string, coupon: string) => ({ id, customerId, type: 'coupon.used', properties: { coupon }, occurredAt: new Date() });
    const result = await fx.runtime.onEvents(ws.id, [ev('00000000-0000-4000-8000-0000000000a1', a!, '618'), ev('00000000-0000-4000-8000-0000000000a2', b!, '11.11')]);
    expect(result.enrolled).toBe(1);
    expect((await ws.enrollments(journeyId)).map((e) => e.customerId)).toEqual([a]);
  });

  it('the enter-journey action starts another journey for the customer', async () => {
    const ws = await fx.workspace();
    const [c] = await ws.customers(1);
    const second = await ws.journey({ nodes: [node('t', 'api'), exit], edges: [edge('t', 'x')] });
    const first = await ws.journey({ nodes: [node('t', 'api'), node('go', 'enter-journey', { journeyId: second.journeyId })], edges: [edge('t', 'go')] });
    await fx.runtime.enrollByApi(ws.id, first.journeyId, [c!], 'r');
    await fx.runtime.drain();
    expect((await ws.enrollments(second.journeyId)).map((e) => [e.customerId, e.status])).toEqual([[c, 'exited']]);
  });
});
