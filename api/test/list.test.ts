import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const LIST = /* GraphQL */ `
  query ($filter: CustomerFilter, $orderBy: CustomerOrderBy, $first: Int, $after: String) {
    customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name phone lifecycleStage sourceChannel totalSpent tags { name } } }
    }
  }
`;

async function tag(ws: TestWorkspace, name: string, groupId?: string): Promise<{ tagId: string; groupId: string }> {
  let gid = groupId;
  if (!gid) {
    const g = await ws.gql(`mutation ($input: TagGroupInput!) { createTagGroup(input: $input) { ... on TagGroup { id } } }`, { input: { name: `组${name}`, kind: 'intent' } });
    gid = g.data.createTagGroup.id as string;
  }
  const t = await ws.gql(`mutation ($input: TagInput!) { createTag(input: $input) { __typename ... on Tag { id } } }`, { input: { groupId: gid, name } });
  return { tagId: t.data.createTag.id, groupId: gid };
}

async function seed(ws: TestWorkspace) {
  const customers = [
    { phone: '13800000001', name: '张伟', sourceChannel: 'tmall', lifecycleStage: 'lead' },
    { phone: '13800000002', name: '王芳', sourceChannel: 'jd', lifecycleStage: 'lead' },
    { phone: '13800000003', name: '李娜', sourceChannel: 'tmall', lifecycleStage: 'lead', email: 'lina@example.com' },
    { phone: '13800000004', name: '刘洋', sourceChannel: 'wecom_qr', lifecycleStage: 'vip' },
    { phone: '13800000005', name: '陈静', sourceChannel: 'wecom_qr', lifecycleStage: 'lead' },
  ];
  const r = await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { results { customer { id phone } } } } }`, { c: customers });
  const ids = Object.fromEntries(r.data.upsertCustomers.results.map((x: any) => [x.customer.phone, x.customer.id])) as Record<string, string>;
  const hair = await tag(ws, '护发');
  const growth = await tag(ws, '生发', hair.groupId);
  const tagIds = async (tagIds: string[], customerIds: string[]) =>
    ws.gql(`mutation ($input: TaggingInput!) { tagCustomers(input: $input) { ... on TaggingResult { changedAssignments } } }`, { input: { tagIds, customerIds } });
  await tagIds([hair.tagId], [ids['13800000001']!, ids['13800000002']!, ids['13800000003']!]);
  await tagIds([growth.tagId], [ids['13800000002']!, ids['13800000004']!]);
  await ws.gql(`mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { __typename } }`, {
    o: [
      { customer: { phone: '13800000001' }, platform: 'tmall', externalId: 'T1', status: 'paid', total: 19900, paid: 19900, placedAt: '2026-10-01T10:00:00+08:00', paidAt: '2026-10-01T10:05:00+08:00' },
      { customer: { phone: '13800000001' }, platform: 'tmall', externalId: 'T2', status: 'completed', total: 9900, paid: 8900, placedAt: '2026-11-01T10:00:00+08:00', paidAt: '2026-11-01T10:05:00+08:00' },
      { customer: { phone: '13800000003' }, platform: 'jd', externalId: 'J1', status: 'paid', total: 50000, paid: 50000, placedAt: '2026-11-10T10:00:00+08:00', paidAt: '2026-11-10T10:05:00+08:00' },
    ],
  });
  return { ids, hair, growth };
}

const names = (r: any) => r.data.customers.edges.map((e: any) => e.node.name);

describe('listing customers', () => {
  it('filters by tags any / all / none, text, stage, channel and spend, with totalCount', async () => {
    const ws = await app.workspace();
    const { hair, growth } = await seed(ws);
    const list = (filter: unknown) => ws.gql(LIST, { filter, orderBy: { field: 'NAME', direction: 'ASC' } });

    expect(names(await list({ tags: { any: [hair.tagId, growth.tagId] } })).sort()).toEqual(['刘洋', '张伟', '李娜', '王芳'].sort());
    expect(names(await list({ tags: { all: [hair.tagId, growth.tagId] } }))).toEqual(['王芳']);
    expect(names(await list({ tags: { none: [hair.tagId] } })).sort()).toEqual(['刘洋', '陈静'].sort());
    expect(names(await list({ text: '李' }))).toEqual(['李娜']);
    expect(names(await list({ text: 'LINA@' }))).toEqual(['李娜']);
    expect(names(await list({ text: '0000005' }))).toEqual(['陈静']);
    expect(names(await list({ sourceChannels: ['wecom_qr'], lifecycleStages: ['vip'] }))).toEqual(['刘洋']);
    const spenders = await list({ totalSpent: { min: 20000 } });
    expect(spenders.data.customers.totalCount).toBe(2);
    expect(names(await list({ lastOrderAt: { from: '2026-11-05T00:00:00Z' } }))).toEqual(['李娜']);
  });

  it('keeps order totals and lifecycle stage up to date from imported orders', async () => {
    const ws = await app.workspace();
    await seed(ws);
    const r = await ws.gql(LIST, { orderBy: { field: 'TOTAL_SPENT', direction: 'DESC' }, first: 2 });
    expect(r.data.customers.edges.map((e: any) => [e.node.name, e.node.totalSpent, e.node.lifecycleStage])).toEqual([
      ['李娜', 50000, 'customer'],
      ['张伟', 28800, 'repeat'],
    ]);
  });

  it('pages with cursors without gaps or repeats', async () => {
    const ws = await app.workspace();
    await seed(ws);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r: any = await ws.gql(LIST, { first: 2, after, orderBy: { field: 'CREATED_AT', direction: 'DESC' } });
      seen.push(...r.data.customers.edges.map((e: any) => e.node.id));
      if (!r.data.customers.pageInfo.hasNextPage) break;
      after = r.data.customers.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('an invalid cursor is a typed error naming `after`', async () => {
    const ws = await app.workspace();
    const r = await ws.gql(LIST, { first: 2, after: 'not-a-cursor' });
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    expect(r.errors?.[0]?.message).toContain('after');
  });

  it('an unknown or malformed tag id in a filter is a typed error naming its path', async () => {
    const ws = await app.workspace();
    const other = await app.workspace();
    const { hair } = await seed(other);
    const r = await ws.gql(LIST, { filter: { tags: { any: [hair.tagId], none: ['garbage'] } } });
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    expect(r.errors?.[0]?.extensions?.fields.map((f: any) => f.field).sort()).toEqual(['filter.tags.any.0', 'filter.tags.none.0']);
  });

  it('a customer shows tags, orders and events', async () => {
    const ws = await app.workspace();
    const { ids } = await seed(ws);
    await ws.gql(`mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { __typename } }`, {
      e: [{ customer: { phone: '13800000001' }, type: 'friend_added', idempotencyKey: 'e1', occurredAt: '2026-09-01T08:00:00Z', properties: { staff: '小美' } }],
    });
    const r = await ws.gql(
      `query ($id: ID!) { customer(id: $id) { name tags { name group { name } } orders(first: 5) { totalCount edges { node { externalId paid } } } events(first: 5) { totalCount edges { node { type properties } } } } }`,
      { id: ids['13800000001'] },
    );
    expect(r.data.customer).toEqual({
      name: '张伟',
      tags: [{ name: '护发', group: { name: '组护发' } }],
      orders: { totalCount: 2, edges: [{ node: { externalId: 'T2', paid: 8900 } }, { node: { externalId: 'T1', paid: 19900 } }] },
      events: { totalCount: 1, edges: [{ node: { type: 'friend_added', properties: { staff: '小美' } } }] },
    });
  });
});

describe('SQL per request', () => {
  it('a page of customers with tags, 3 orders and 5 events runs the same number of statements for 5 and for 50 customers', async () => {
    const ws = await app.workspace();
    const customers = Array.from({ length: 50 }, (_, i) => ({ phone: `1390000${String(i).padStart(4, '0')}`, name: `客户${i}` }));
    await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { __typename } }`, { c: customers });
    const { tagId } = await tag(ws, '稳定复购');
    await ws.gql(`mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename } }`, { input: { tagIds: [tagId], filter: {} } });
    await ws.gql(`mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { __typename } }`, {
      o: customers.flatMap((c, i) =>
        [0, 1, 2, 3].map((k) => ({ customer: { phone: c.phone }, platform: 'pdd', externalId: `P${i}-${k}`, status: 'paid', total: 1000, paid: 1000, placedAt: '2026-11-01T00:00:00Z', paidAt: '2026-11-01T00:00:00Z' })),
      ),
    });
    await ws.gql(`mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { __typename } }`, {
      e: customers.flatMap((c, i) => Array.from({ length: 6 }, (_, k) => ({ customer: { phone: c.phone }, type: 'page_viewed', idempotencyKey: `v${i}-${k}` }))),
    });
    const PAGE = `query ($first: Int) { customers(first: $first) { edges { node { id tags { name } orders(first: 3) { edges { node { id paid } } } events(first: 5) { edges { node { type } } } } } } }`;
    const count = async (first: number) => {
      app.sql.length = 0;
      const r = await ws.gql(PAGE, { first });
      expect(r.errors).toBeUndefined();
      expect(r.data.customers.edges).toHaveLength(first);
      expect(r.data.customers.edges[0].node.orders.edges).toHaveLength(3);
      expect(r.data.customers.edges[0].node.events.edges).toHaveLength(5);
      return app.sql.filter((q) => !/^(BEGIN|COMMIT)/i.test(q)).length;
    };
    const small = await count(5);
    const large = await count(50);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(4);
  });
});
