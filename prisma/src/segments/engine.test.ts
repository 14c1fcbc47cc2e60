import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../client.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { createTestDb } from '../testing.ts';
import type { Condition, SegmentDefinition, SegmentNode } from './definition.ts';
import { BULK_CHANGE, countSegment, dependenciesOf, recheckCustomers, recheckSegment, refreshSegment, type MembershipDelta, type StoredSegment } from './engine.ts';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

const globalId = (type: 'Tag' | 'Segment', id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const inCity = (city: string): Condition => ({ kind: 'attribute', field: 'city', operator: 'equals', value: city });

/** A fresh workspace with customers (name → city); `id(name)` and `name(id)` map between them. */
async function workspace(customers: Record<string, string | null>) {
  const { id: ws } = await db.prisma.workspace.create({ data: { name: 'Harbour Tea' } });
  const ids = new Map<string, string>();
  const add = async (name: string, city: string | null) => ids.set(name, (await db.prisma.customer.create({ data: { workspaceId: ws, name, city } })).id);
  for (const [name, city] of Object.entries(customers)) await add(name, city);
  const group = await db.prisma.tagGroup.create({ data: { workspaceId: ws, name: 'Value', kind: 'basic' } });
  const vip = await db.prisma.tag.create({ data: { workspaceId: ws, groupId: group.id, name: 'VIP' } });
  const byId = () => new Map([...ids].map(([n, id]) => [id, n]));
  return {
    ws,
    vip: vip.id,
    add,
    id: (name: string) => ids.get(name)!,
    names: (list: string[]) => list.map((id) => byId().get(id) ?? id).sort(),
    setCity: (name: string, city: string | null) => db.prisma.customer.update({ where: { id: ids.get(name)! }, data: { city } }),
    tag: (name: string) => db.prisma.customerTag.create({ data: { workspaceId: ws, customerId: ids.get(name)!, tagId: vip.id } }),
    event: (name: string, type: string) =>
      db.prisma.event.create({ data: { workspaceId: ws, customerId: ids.get(name)!, type, occurredAt: new Date(), idempotencyKey: randomUUID() } }),
  };
}
type Workspace = Awaited<ReturnType<typeof workspace>>;

/** Stores a dynamic segment the way the API does: definition and the dependencies it derives. */
async function createSegment(ws: string, name: string, root: SegmentNode, extra: { id?: string; createdAt?: Date } = {}): Promise<StoredSegment> {
  const definition: SegmentDefinition = { version: 1, root };
  const dependsOn = dependenciesOf(definition);
  const row = await db.prisma.segment.create({
    data: { workspaceId: ws, name, type: 'dynamic', definition: definition as unknown as Prisma.InputJsonValue, dependsOn, ...extra },
  });
  return { id: row.id, workspaceId: ws, definition, dependsOn };
}

async function membersOf(w: Workspace, segment: StoredSegment) {
  const rows = await db.query<{ customerId: string }>(`SELECT "customerId" FROM "SegmentMember" WHERE "segmentId" = $1`, [segment.id]);
  return w.names(rows.map((r) => r.customerId));
}

/** The change log of a segment, oldest first, as "entered Ada". */
async function changesOf(w: Workspace, segment: StoredSegment) {
  const rows = await db.query<{ customerId: string; kind: string; workspaceId: string }>(
    `SELECT "customerId", kind::text, "workspaceId" FROM "SegmentChange" WHERE "segmentId" = $1 ORDER BY id`,
    [segment.id],
  );
  expect(rows.every((r) => r.workspaceId === w.ws)).toBe(true);
  return rows.map((r) => `${r.kind} ${w.names([r.customerId])[0]}`);
}

const named = (w: Workspace, d: MembershipDelta) => ({ segmentId: d.segmentId, entered: w.names(d.entered), exited: w.names(d.exited) });

describe('refreshSegment', () => {
  it('adds the matching customers, logs each entry once, and stamps lastRefreshedAt', async () => {
    const w = await workspace({ Ada: 'Shanghai', Bo: 'Shanghai', Cy: 'Beijing' });
    const s = await createSegment(w.ws, 'Shanghai', inCity('Shanghai'));
    expect(named(w, await refreshSegment(db, s))).toEqual({ segmentId: s.id, entered: ['Ada', 'Bo'], exited: [] });
    expect(await membersOf(w, s)).toEqual(['Ada', 'Bo']);
    expect((await changesOf(w, s)).sort()).toEqual(['entered Ada', 'entered Bo']);
    expect((await db.prisma.segment.findUniqueOrThrow({ where: { id: s.id } })).lastRefreshedAt).toBeInstanceOf(Date);
  });

  it('a refresh that moves thousands renews the membership statistics at once', async () => {
    const w = await workspace({});
    await db.query(`INSERT INTO "Customer" ("workspaceId", name, city) SELECT $1::uuid, 'c' || i, 'Suzhou' FROM generate_series(1, $2::int) i`, [w.ws, BULK_CHANGE]);
    const analyzed = async () =>
      Number((await db.query<{ n: string }>(`SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = 'SegmentMember'`))[0]?.n ?? 0);
    const before = await analyzed();
    const s = await createSegment(w.ws, 'Suzhou', inCity('Suzhou'));
    expect((await refreshSegment(db, s)).entered).toHaveLength(BULK_CHANGE);
    await expect.poll(analyzed, { timeout: 10_000 }).toBeGreaterThan(before);
  });

  it('a second refresh with nothing changed moves no one and logs nothing', async () => {
    const w = await workspace({ Ada: 'Shanghai', Bo: 'Beijing' });
    const s = await createSegment(w.ws, 'Shanghai', inCity('Shanghai'));
    await refreshSegment(db, s);
    expect(await refreshSegment(db, s)).toEqual({ segmentId: s.id, entered: [], exited: [] });
    expect(await changesOf(w, s)).toEqual(['entered Ada']);
  });

  it('after data changes, logs exactly who left and who entered', async () => {
    const w = await workspace({ Ada: 'Shanghai', Bo: 'Shanghai', Cy: 'Beijing', Di: null });
    const s = await createSegment(w.ws, 'Shanghai', inCity('Shanghai'));
    await refreshSegment(db, s);
    await w.setCity('Bo', 'Beijing');
    await w.setCity('Cy', 'Shanghai');
    expect(named(w, await refreshSegment(db, s))).toEqual({ segmentId: s.id, entered: ['Cy'], exited: ['Bo'] });
    expect(await membersOf(w, s)).toEqual(['Ada', 'Cy']);
    expect((await changesOf(w, s)).slice(2).sort()).toEqual(['entered Cy', 'exited Bo']);
    await w.setCity('Bo', 'Shanghai');
    expect(named(w, await refreshSegment(db, s))).toEqual({ segmentId: s.id, entered: ['Bo'], exited: [] });
    expect(await changesOf(w, s)).toHaveLength(5);
  });

  it('two refreshes at once still log each entry once', async () => {
    const w = await workspace({ Ada: 'Shanghai', Bo: 'Shanghai', Cy: 'Shanghai' });
    const s = await createSegment(w.ws, 'Shanghai', inCity('Shanghai'));
    const deltas = await Promise.all([refreshSegment(db, s), refreshSegment(db, s), refreshSegment(db, s)]);
    expect(deltas.flatMap((d) => w.names(d.entered)).sort()).toEqual(['Ada', 'Bo', 'Cy']);
    expect((await changesOf(w, s)).sort()).toEqual(['entered Ada', 'entered Bo', 'entered Cy']);
  });
});

describe('recheckSegment', () => {
  it('only touches the given customers: others join or leave at the next refresh', async () => {
    const w = await workspace({ Ada: 'Shanghai', Bo: 'Beijing', Cy: 'Beijing', Di: 'Shanghai' });
    const s = await createSegment(w.ws, 'Shanghai', inCity('Shanghai'));
    await refreshSegment(db, s);
    await w.setCity('Ada', 'Beijing');
    await w.setCity('Bo', 'Shanghai');
    await w.setCity('Cy', 'Shanghai');
    await w.setCity('Di', null);
    expect(named(w, await recheckSegment(db, s, [w.id('Ada'), w.id('Bo')]))).toEqual({ segmentId: s.id, entered: ['Bo'], exited: ['Ada'] });
    expect(await membersOf(w, s)).toEqual(['Bo', 'Di']);
    expect(await recheckSegment(db, s, [])).toEqual({ segmentId: s.id, entered: [], exited: [] });
    expect(named(w, await refreshSegment(db, s))).toEqual({ segmentId: s.id, entered: ['Cy'], exited: ['Di'] });
    expect(await changesOf(w, s)).toHaveLength(6);
  });

  it('ignores ids of customers in another workspace', async () => {
    const w = await workspace({ Ada: 'Shanghai' });
    const other = await workspace({ Eve: 'Shanghai' });
    const s = await createSegment(w.ws, 'Shanghai', inCity('Shanghai'));
    expect(named(w, await recheckSegment(db, s, [w.id('Ada'), other.id('Eve')]))).toEqual({ segmentId: s.id, entered: ['Ada'], exited: [] });
    expect(await membersOf(w, s)).toEqual(['Ada']);
  });
});

describe('re-checks at once', () => {
  it('many re-checks of one customer at once log the entry once; of different customers, each once, beside a refresh', async () => {
    const w = await workspace({ Ada: 'Shanghai', Bo: 'Shanghai', Cy: 'Shanghai', Di: 'Shanghai' });
    const s = await createSegment(w.ws, 'Shanghai', inCity('Shanghai'));
    await Promise.all(Array.from({ length: 8 }, () => recheckCustomers(db, w.ws, [w.id('Ada')], ['attributes'])));
    expect(await changesOf(w, s)).toEqual(['entered Ada']);
    await Promise.all([
      ...['Bo', 'Cy', 'Di', 'Bo', 'Cy'].map((name) => recheckSegment(db, s, [w.id(name)])),
      refreshSegment(db, s),
      recheckCustomers(db, w.ws, [w.id('Di'), w.id('Bo')], ['attributes']),
    ]);
    expect((await changesOf(w, s)).sort()).toEqual(['entered Ada', 'entered Bo', 'entered Cy', 'entered Di']);
    expect(await membersOf(w, s)).toEqual(['Ada', 'Bo', 'Cy', 'Di']);
  });
});

describe('recheckCustomers', () => {
  it("re-checks only the segments whose dependencies meet the cause (a tag change leaves an event-only segment alone)", async () => {
    const w = await workspace({ Ada: 'Beijing', Bo: 'Beijing' });
    await db.prisma.segment.create({ data: { workspaceId: w.ws, name: 'Hand-picked', type: 'static', dependsOn: [] } });
    const tagged = await createSegment(w.ws, 'VIP', { kind: 'tags', match: 'any', tagIds: [globalId('Tag', w.vip)] });
    const viewers = await createSegment(w.ws, 'Viewers', { kind: 'event', type: 'view' });
    const shanghai = await createSegment(w.ws, 'Shanghai', inCity('Shanghai'));
    await w.tag('Ada');
    await w.event('Ada', 'view');
    await w.setCity('Ada', 'Shanghai');
    expect((await recheckCustomers(db, w.ws, [w.id('Ada')], ['tags'])).map((d) => named(w, d))).toEqual([{ segmentId: tagged.id, entered: ['Ada'], exited: [] }]);
    expect(await membersOf(w, viewers)).toEqual([]);
    expect(await membersOf(w, shanghai)).toEqual([]);
    expect(await recheckCustomers(db, w.ws, [w.id('Ada')], ['event:purchase', 'orders'])).toEqual([]);
    expect((await recheckCustomers(db, w.ws, [w.id('Ada')], ['event:view'])).map((d) => d.segmentId)).toEqual([viewers.id]);
    expect((await recheckCustomers(db, w.ws, [w.id('Ada')], ['attributes'])).map((d) => d.segmentId)).toEqual([shanghai.id]);
    expect(await recheckCustomers(db, w.ws, [], ['created'])).toEqual([]);
    expect(await membersOf(w, tagged)).toEqual(['Ada']);
  });

  it('cascades to segments that depend on a moved segment, in dependency order, even when they were created first', async () => {
    const w = await workspace({ Ada: 'Beijing', Bo: 'Beijing' });
    const vipId = randomUUID();
    const t0 = Date.now() - 60_000;
    // Created before the segment they name, so creation order alone would re-check them too early.
    const vipInShanghai = await createSegment(w.ws, 'VIP in Shanghai', { op: 'and', conditions: [{ kind: 'segment', segmentId: globalId('Segment', vipId) }, inCity('Shanghai')] }, { createdAt: new Date(t0) });
    const notVip = await createSegment(w.ws, 'Not VIP', { kind: 'segment', segmentId: vipId, member: false }, { createdAt: new Date(t0 + 1000) });
    const vip = await createSegment(w.ws, 'VIP', { kind: 'tags', match: 'any', tagIds: [w.vip] }, { id: vipId, createdAt: new Date(t0 + 2000) });
    expect(vipInShanghai.dependsOn).toEqual(['attributes', `segment:${vipId}`]);
    for (const s of [vip, vipInShanghai, notVip]) await refreshSegment(db, s);
    expect(await membersOf(w, notVip)).toEqual(['Ada', 'Bo']);

    await w.setCity('Ada', 'Shanghai');
    await w.tag('Ada');
    const deltas = await recheckCustomers(db, w.ws, [w.id('Ada'), w.id('Bo')], ['tags']);
    expect(deltas.map((d) => named(w, d))).toEqual([
      { segmentId: vip.id, entered: ['Ada'], exited: [] },
      { segmentId: vipInShanghai.id, entered: ['Ada'], exited: [] },
      { segmentId: notVip.id, entered: [], exited: ['Ada'] },
    ]);
    expect(await membersOf(w, vipInShanghai)).toEqual(['Ada']);
    expect(await membersOf(w, notVip)).toEqual(['Bo']);
    // VIP did not move for Ada: nothing cascades, so her city change waits for its own cause.
    await w.setCity('Ada', 'Beijing');
    expect(await recheckCustomers(db, w.ws, [w.id('Ada')], ['tags'])).toEqual([]);
    expect(await membersOf(w, vipInShanghai)).toEqual(['Ada']);
    expect((await recheckCustomers(db, w.ws, [w.id('Ada')], ['attributes'])).map((d) => named(w, d))).toEqual([{ segmentId: vipInShanghai.id, entered: [], exited: ['Ada'] }]);
  });

  it('several segments that depend on one event move together: each entry and exit logged once, for a few customers and for more', async () => {
    const w = await workspace({ Ada: 'Beijing', Bo: 'Beijing', Cy: null, Di: null, Eli: null });
    const viewers = await createSegment(w.ws, 'Viewers', { kind: 'event', type: 'view', window: { lastDays: 7 } });
    const silent = await createSegment(w.ws, 'Silent', { kind: 'notPerformedSince', type: 'view', since: { lastDays: 7 } });
    const keen = await createSegment(w.ws, 'Keen', { kind: 'event', type: 'view', count: { op: 'atLeast', value: 2 } });
    const shanghai = await createSegment(w.ws, 'Shanghai', inCity('Shanghai'));
    await w.event('Ada', 'view');
    for (const s of [viewers, silent, keen, shanghai]) await refreshSegment(db, s);
    expect(await membersOf(w, silent)).toEqual(['Bo', 'Cy', 'Di', 'Eli']);

    // Two customers: the segments and their locks in one statement, the three event segments in another.
    await w.event('Ada', 'view');
    await w.event('Bo', 'view');
    // In no particular order: segments created in the same millisecond come in the order of their ids.
    const bySegment = (a: { segmentId: string }, b: { segmentId: string }) => a.segmentId.localeCompare(b.segmentId);
    const few = await recheckCustomers(db, w.ws, [w.id('Ada'), w.id('Bo')], ['event:view']);
    expect(few.map((d) => named(w, d)).sort(bySegment)).toEqual(
      [
        { segmentId: viewers.id, entered: ['Bo'], exited: [] },
        { segmentId: silent.id, entered: [], exited: ['Bo'] },
        { segmentId: keen.id, entered: ['Ada'], exited: [] },
      ].sort(bySegment),
    );
    // Five customers: the segments loaded first, then locked.
    await w.event('Cy', 'view');
    await w.event('Bo', 'view');
    const more = await recheckCustomers(db, w.ws, ['Ada', 'Bo', 'Cy', 'Di', 'Eli'].map(w.id), ['event:view']);
    expect(more.map((d) => named(w, d)).sort(bySegment)).toEqual(
      [
        { segmentId: viewers.id, entered: ['Cy'], exited: [] },
        { segmentId: silent.id, entered: [], exited: ['Cy'] },
        { segmentId: keen.id, entered: ['Bo'], exited: [] },
      ].sort(bySegment),
    );
    expect(await changesOf(w, viewers)).toEqual(['entered Ada', 'entered Bo', 'entered Cy']);
    const silentLog = await changesOf(w, silent);
    expect(silentLog.slice(0, 4).sort()).toEqual(['entered Bo', 'entered Cy', 'entered Di', 'entered Eli']);
    expect(silentLog.slice(4)).toEqual(['exited Bo', 'exited Cy']);
    expect(await changesOf(w, keen)).toEqual(['entered Ada', 'entered Bo']);
    expect(await changesOf(w, shanghai)).toEqual([]);
    // Nothing new: nothing moves, nothing is logged.
    expect(await recheckCustomers(db, w.ws, [w.id('Ada'), w.id('Bo')], ['event:view'])).toEqual([]);
  });

  it("'created' re-checks every dynamic segment", async () => {
    const w = await workspace({ Ada: 'Beijing' });
    const segments = [
      await createSegment(w.ws, 'VIP', { kind: 'tags', match: 'any', tagIds: [w.vip] }),
      await createSegment(w.ws, 'Viewers', { kind: 'event', type: 'view', window: { lastDays: 7 } }),
      await createSegment(w.ws, 'Shanghai', inCity('Shanghai')),
      await createSegment(w.ws, 'Everyone', { kind: 'randomBucket', from: 0, to: 100 }),
    ];
    await w.add('Eve', 'Shanghai');
    await w.tag('Eve');
    await w.event('Eve', 'view');
    const deltas = await recheckCustomers(db, w.ws, [w.id('Eve')], ['created']);
    expect(deltas.map((d) => d.segmentId).sort()).toEqual(segments.map((s) => s.id).sort());
    expect(deltas.every((d) => w.names(d.entered).join() === 'Eve' && d.exited.length === 0)).toBe(true);
  });
});

describe('dependenciesOf and countSegment', () => {
  it("lists what a definition depends on, and 'time' only for windows relative to now", () => {
    const deps = (...conditions: Condition[]) => dependenciesOf({ version: 1, root: { op: 'and', conditions } });
    const segmentId = '33333333-3333-3333-3333-333333333333';
    expect(deps({ kind: 'event', type: 'view', window: { lastDays: 7 } })).toEqual(['event:view', 'time']);
    expect(deps({ kind: 'event', type: 'view', window: { from: '2026-01-01T00:00:00Z' } })).toEqual(['event:view']);
    expect(deps({ kind: 'notPerformedSince', type: 'view', since: { lastDays: 30 } })).toEqual(['event:view', 'time']);
    expect(deps({ kind: 'notPerformedSince', type: 'view', since: { date: '2026-01-01T00:00:00Z' } })).toEqual(['event:view']);
    expect(deps({ kind: 'orders', metric: 'count', operator: 'gt', value: 1, window: { lastDays: 30 } })).toEqual(['orders', 'time']);
    expect(deps({ kind: 'orders', metric: 'count', operator: 'gt', value: 1 })).toEqual(['orders']);
    expect(deps({ kind: 'orders', metric: 'lastOrderAt', operator: 'withinLastDays', value: 30 })).toEqual(['orders', 'time']);
    expect(deps({ kind: 'purchased', by: 'sku', values: ['A'], window: { lastDays: 90 } })).toEqual(['orders', 'time']);
    expect(deps({ kind: 'attribute', field: 'createdAt', operator: 'withinLastDays', value: 7 })).toEqual(['attributes', 'time']);
    expect(deps({ kind: 'attribute', field: 'attributes.joined', operator: 'notWithinLastDays', value: 7 })).toEqual(['attributes', 'time']);
    expect(deps({ kind: 'attribute', field: 'totalSpent', operator: 'gt', value: 1 })).toEqual(['attributes', 'orders']);
    expect(deps(inCity('Shanghai'), { kind: 'consent', value: true }, { kind: 'channel', channels: ['wecom'] })).toEqual(['attributes']);
    expect(deps({ kind: 'firstOrderAfterEvent', eventType: 'friend_added', withinDays: 7 })).toEqual(['event:friend_added', 'orders']);
    expect(deps({ kind: 'tags', match: 'none', tagIds: ['x'] }, { kind: 'segment', segmentId: globalId('Segment', segmentId), member: false })).toEqual(['segment:' + segmentId, 'tags']);
    expect(deps({ kind: 'randomBucket', from: 0, to: 10 })).toEqual([]);
  });

  it('countSegment equals the number of members a refresh leaves', async () => {
    const w = await workspace({ Ada: 'Shanghai', Bo: 'Shanghai', Cy: 'Beijing', Di: null, Eve: 'Shanghai' });
    await w.tag('Bo');
    await w.event('Eve', 'view');
    const root: SegmentNode = {
      op: 'or',
      conditions: [
        { op: 'and', conditions: [inCity('Shanghai'), { kind: 'tags', match: 'none', tagIds: [w.vip] }, { kind: 'event', type: 'view', count: { op: 'atMost', value: 0 } }] },
        { op: 'not', condition: { kind: 'attribute', field: 'city', operator: 'isSet' } },
      ],
    };
    const s = await createSegment(w.ws, 'Mixed', root);
    const count = await countSegment(db, w.ws, s.definition);
    const delta = await refreshSegment(db, s);
    expect(w.names(delta.entered)).toEqual(['Ada', 'Di']);
    expect(count).toBe(2);
    expect(await countSegment(db, w.ws, s.definition)).toBe((await membersOf(w, s)).length);
  });
});
