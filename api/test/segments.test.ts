import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshTimeDependentSegments } from '../src/segment-scheduler.ts';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const CREATE = `mutation ($input: SegmentInput!) { createSegment(input: $input) { __typename ... on Segment { id name type size timeDependent } ... on ValidationError { fields { field message } } ... on ConflictError { field } ... on NotFoundError { field } } }`;
const UPDATE = `mutation ($id: ID!, $input: SegmentPatch!) { updateSegment(id: $id, input: $input) { __typename ... on Segment { size } ... on ValidationError { fields { field message } } } }`;
const SIZE = `query ($id: ID!) { segment(id: $id) { size members(first: 50) { totalCount edges { node { phone } } } } }`;

async function setup(ws: TestWorkspace) {
  const customers = ['13900000001', '13900000002', '13900000003', '13900000004'].map((phone, i) => ({ phone, name: `客户${i + 1}`, city: i < 2 ? '杭州' : '上海' }));
  const r = await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { results { customer { id phone } } } } }`, { c: customers });
  const ids = Object.fromEntries(r.data.upsertCustomers.results.map((x: any) => [x.customer.phone, x.customer.id])) as Record<string, string>;
  const g = await ws.gql(`mutation { createTagGroup(input: { name: "风控", kind: risk }) { ... on TagGroup { id } } }`);
  const t = await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "投诉倾向" }) { ... on Tag { id } } }`, { g: g.data.createTagGroup.id });
  return { ids, complainer: t.data.createTag.id as string };
}

const phones = (r: any) => r.data.segment.members.edges.map((e: any) => e.node.phone).sort();

describe('dynamic segments', () => {
  it('computes membership on create and keeps it up to date as events, tags, orders and profiles change', async () => {
    const ws = await app.workspace();
    const { ids, complainer } = await setup(ws);
    const definition = {
      root: {
        op: 'and',
        conditions: [
          { kind: 'attribute', field: 'city', operator: 'equals', value: '杭州' },
          { kind: 'event', type: 'friend_added', window: { lastDays: 30 } },
          { kind: 'tags', match: 'none', tagIds: [complainer] },
          { kind: 'orders', metric: 'count', operator: 'equals', value: 0 },
        ],
      },
    };
    const created = await ws.gql(CREATE, { input: { name: '已加好友未下单', type: 'dynamic', definition } });
    expect(created.data.createSegment).toMatchObject({ __typename: 'Segment', size: 0, timeDependent: true });
    const id = created.data.createSegment.id;

    await ws.gql(`mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { __typename } }`, {
      e: ['13900000001', '13900000002', '13900000003'].map((phone) => ({ customer: { phone }, type: 'friend_added', idempotencyKey: `fa-${phone}` })),
    });
    expect(phones(await ws.gql(SIZE, { id }))).toEqual(['13900000001', '13900000002']);

    await ws.gql(`mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename } }`, { input: { tagIds: [complainer], customerIds: [ids['13900000002']] } });
    expect(phones(await ws.gql(SIZE, { id }))).toEqual(['13900000001']);

    await ws.gql(`mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { __typename } }`, {
      o: [{ customer: { phone: '13900000001' }, platform: 'tmall', externalId: 'X1', status: 'paid', total: 100, paid: 100, placedAt: '2026-11-01T00:00:00Z', paidAt: '2026-11-01T00:00:00Z' }],
    });
    expect(phones(await ws.gql(SIZE, { id }))).toEqual([]);

    await ws.gql(`mutation ($id: ID!) { updateCustomer(id: $id, input: { city: "杭州" }) { __typename } }`, { id: ids['13900000003'] });
    expect(phones(await ws.gql(SIZE, { id }))).toEqual(['13900000003']);

    // Days are counted in the workspace's time zone (Asia/Shanghai by default).
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const stats = await ws.gql(`query ($id: ID!, $d: Date!) { segment(id: $id) { stats(from: $d, to: $d) { date entered exited size } } }`, { id, d: today });
    expect(stats.data.segment.stats).toEqual([{ date: today, entered: 3, exited: 2, size: 1 }]);

    // Deleting a member is an exit too.
    await ws.gql(`mutation ($id: ID!) { deleteCustomer(id: $id) { __typename } }`, { id: ids['13900000003'] });
    const after = await ws.gql(`query ($id: ID!, $d: Date!) { segment(id: $id) { size stats(from: $d, to: $d) { entered exited size } } }`, { id, d: today });
    expect(after.data.segment).toEqual({ size: 0, stats: [{ entered: 3, exited: 3, size: 0 }] });
  });

  it('previews a definition without saving and explains the SQL of a saved one', async () => {
    const ws = await app.workspace();
    await setup(ws);
    const definition = { root: { kind: 'attribute', field: 'city', operator: 'equals', value: '上海' } };
    const preview = await ws.gql(`query ($d: JSON!) { previewSegment(definition: $d, first: 1) { __typename ... on SegmentPreview { count customers { city } } } }`, { d: definition });
    expect(preview.data.previewSegment).toEqual({ __typename: 'SegmentPreview', count: 2, customers: [{ city: '上海' }] });
    expect((await ws.gql(`{ segments { totalCount } }`)).data.segments.totalCount).toBe(0);
    const created = await ws.gql(CREATE, { input: { name: '上海', type: 'dynamic', definition } });
    const explain = await ws.gql(`query ($id: ID!) { segment(id: $id) { explain { sql params } } }`, { id: created.data.createSegment.id });
    expect(explain.data.segment.explain.sql).toMatch(/^SELECT c\.id FROM "Customer" c WHERE c\."workspaceId" = \$1/);
    expect(explain.data.segment.explain.params).toContain('上海');
  });

  it('publishes the JSON Schema of the definition language for rule builders', async () => {
    const ws = await app.workspace();
    const r = await ws.gql(`{ segmentDefinitionSchema }`);
    const text = JSON.stringify(r.data.segmentDefinitionSchema);
    for (const kind of ['attribute', 'tags', 'event', 'notPerformedSince', 'orders', 'purchased', 'firstOrderAfterEvent', 'segment', 'channel', 'consent', 'blacklisted', 'randomBucket']) {
      expect(text).toContain(`"${kind}"`);
    }
  });

  it('points at the failing condition of a bad definition and saves nothing', async () => {
    const ws = await app.workspace();
    const bad = await ws.gql(CREATE, {
      input: {
        name: 'bad',
        type: 'dynamic',
        definition: { root: { op: 'and', conditions: [{ kind: 'attribute', field: 'city', operator: 'gt', value: 5 }, { kind: 'event', type: 'x', window: { lastDays: 0 } }, { kind: 'nope' }] } },
      },
    });
    expect(bad.data.createSegment.__typename).toBe('ValidationError');
    expect(bad.data.createSegment.fields.map((f: any) => f.field)).toEqual([
      'input.definition.root.conditions.0.operator',
      'input.definition.root.conditions.1.window.lastDays',
      'input.definition.root.conditions.2.kind',
    ]);
    const unknownTag = await ws.gql(CREATE, { input: { name: 'bad2', type: 'dynamic', definition: { root: { kind: 'tags', match: 'any', tagIds: ['00000000-0000-0000-0000-000000000000'] } } } });
    expect(unknownTag.data.createSegment.fields[0].field).toBe('input.definition.root.tagIds.0');
    expect((await ws.gql(`{ segments { totalCount } }`)).data.segments.totalCount).toBe(0);
  });

  it('refuses a definition that makes a cycle through segment references', async () => {
    const ws = await app.workspace();
    await setup(ws);
    const a = await ws.gql(CREATE, { input: { name: 'A', type: 'dynamic', definition: { root: { kind: 'consent', value: true } } } });
    const aId = a.data.createSegment.id;
    const b = await ws.gql(CREATE, { input: { name: 'B', type: 'dynamic', definition: { root: { kind: 'segment', segmentId: aId } } } });
    expect(b.data.createSegment.size).toBe(4);
    const cycle = await ws.gql(UPDATE, { id: aId, input: { definition: { root: { kind: 'segment', segmentId: b.data.createSegment.id } } } });
    expect(cycle.data.updateSegment.fields).toEqual([{ field: 'input.definition.root.segmentId', message: 'this reference makes a cycle: that segment depends on this one' }]);
    const del = await ws.gql(`mutation ($id: ID!) { deleteSegment(id: $id) { __typename } }`, { id: aId });
    expect(del.data.deleteSegment.__typename).toBe('ConflictError');
  });
});

describe('static segments', () => {
  it('are made from ids or as a frozen snapshot, and do not follow later changes', async () => {
    const ws = await app.workspace();
    const { ids } = await setup(ws);
    const fromIds = await ws.gql(CREATE, { input: { name: '名单', type: 'static', customerIds: [ids['13900000001'], ids['13900000004']] } });
    expect(fromIds.data.createSegment).toMatchObject({ type: 'static', size: 2 });
    const dynamic = await ws.gql(CREATE, { input: { name: '杭州', type: 'dynamic', definition: { root: { kind: 'attribute', field: 'city', operator: 'equals', value: '杭州' } } } });
    const snapshot = await ws.gql(CREATE, { input: { name: '杭州快照', type: 'static', snapshotOf: dynamic.data.createSegment.id } });
    expect(snapshot.data.createSegment.size).toBe(2);
    await ws.gql(`mutation ($id: ID!) { updateCustomer(id: $id, input: { city: "杭州" }) { __typename } }`, { id: ids['13900000004'] });
    expect((await ws.gql(SIZE, { id: dynamic.data.createSegment.id })).data.segment.size).toBe(3);
    expect((await ws.gql(SIZE, { id: snapshot.data.createSegment.id })).data.segment.size).toBe(2);
  });
});

describe('time and live updates', () => {
  it('the scheduled refresh moves customers out of a "last 30 days" segment as time passes, and leaves other segments alone', async () => {
    const ws = await app.workspace();
    const { ids } = await setup(ws);
    await ws.gql(`mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { __typename } }`, {
      e: [{ customer: { phone: '13900000001' }, type: 'message_replied', idempotencyKey: 'r1' }],
    });
    const recent = await ws.gql(CREATE, { input: { name: '近30天回复', type: 'dynamic', definition: { root: { kind: 'event', type: 'message_replied', window: { lastDays: 30 } } } } });
    const plain = await ws.gql(CREATE, { input: { name: '杭州', type: 'dynamic', definition: { root: { kind: 'attribute', field: 'city', operator: 'equals', value: '杭州' } } } });
    expect(recent.data.createSegment).toMatchObject({ size: 1, timeDependent: true });
    expect(plain.data.createSegment.timeDependent).toBe(false);
    const before = await app.db.prisma.segment.findMany({ where: { workspaceId: ws.id }, select: { name: true, lastRefreshedAt: true } });

    // Forty days pass for that reply.
    const uuid = Buffer.from(ids['13900000001']!, 'base64').toString().split(':')[1];
    await app.db.query(`UPDATE "Event" SET "occurredAt" = now() - interval '40 days' WHERE "customerId" = $1::uuid`, [uuid]);
    expect(await refreshTimeDependentSegments(app.db)).toBeGreaterThanOrEqual(1);

    expect((await ws.gql(SIZE, { id: recent.data.createSegment.id })).data.segment.size).toBe(0);
    const after = await app.db.prisma.segment.findMany({ where: { workspaceId: ws.id }, select: { name: true, lastRefreshedAt: true } });
    const refreshed = (list: typeof after, name: string) => list.find((s) => s.name === name)!.lastRefreshedAt?.getTime();
    expect(refreshed(after, '杭州')).toBe(refreshed(before, '杭州'));
    expect(refreshed(after, '近30天回复')).toBeGreaterThan(refreshed(before, '近30天回复')!);
  });

  it('segmentChanged streams entries and exits, at most one message a second', async () => {
    const ws = await app.workspace();
    const { ids } = await setup(ws);
    const seg = await ws.gql(CREATE, { input: { name: 'VIP', type: 'dynamic', definition: { root: { kind: 'attribute', field: 'lifecycleStage', operator: 'equals', value: 'vip' } } } });
    const controller = new AbortController();
    const res = await app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ws.key}` },
      body: JSON.stringify({ query: 'subscription ($id: ID!) { segmentChanged(id: $id) { enteredCount exitedCount entered { phone } segment { size } } }', variables: { id: seg.data.createSegment.id } }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    const messages: any[] = [];
    const reading = (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += new TextDecoder().decode(value);
        for (const match of buffer.matchAll(/^data: (.+)$/gm)) messages.push(JSON.parse(match[1]!).data?.segmentChanged);
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
      }
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    for (const phone of ['13900000001', '13900000002', '13900000003']) {
      await ws.gql(`mutation ($id: ID!) { updateCustomer(id: $id, input: { lifecycleStage: vip }) { __typename } }`, { id: ids[phone] });
    }
    await ws.gql(`mutation ($id: ID!) { updateCustomer(id: $id, input: { lifecycleStage: lead }) { __typename } }`, { id: ids['13900000003'] });
    while (messages.reduce((n, m) => n + m.enteredCount, 0) < 3 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1200));
    controller.abort();
    await reader.cancel().catch(() => undefined);
    void reading;
    expect(messages.reduce((n, m) => n + m.enteredCount, 0)).toBe(3);
    expect(messages.reduce((n, m) => n + m.exitedCount, 0)).toBe(1);
    expect(messages.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    expect(messages.at(-1).segment.size).toBe(2);
  });
});
