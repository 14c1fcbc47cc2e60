// What the admin's customer screens read: the list narrowed by segment and identity (and bulk
// tagging of that same set), and one customer's journeys and messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';
import { edge, ENROLL, node, published, setup } from './journey-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const LIST = `query ($f: CustomerFilter) { customers(filter: $f, first: 50, orderBy: { field: NAME, direction: ASC }) { totalCount edges { node { name } } } }`;
const names = async (ws: TestWorkspace, f: unknown) => {
  const r = await ws.gql(LIST, { f });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return { total: r.data.customers.totalCount, names: r.data.customers.edges.map((e: any) => e.node.name) };
};

async function people(ws: TestWorkspace) {
  const r = await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { results { customer { id name } } } } }`, {
    c: [
      { name: 'A 有手机', phone: '13800000001' },
      { name: 'B 有企微', phone: '13800000002', wecomExternalId: 'wm_b' },
      { name: 'C 只有企微', wecomExternalId: 'wm_c' },
      { name: 'D 邮箱', email: 'd@example.com' },
    ],
  });
  return Object.fromEntries(r.data.upsertCustomers.results.map((x: any) => [x.customer.name[0], x.customer.id])) as Record<string, string>;
}

describe('customer list filters for the admin', () => {
  it('identities keeps customers with every named identity', async () => {
    const ws = await app.workspace();
    await people(ws);
    expect(await names(ws, { identities: ['wecom'] })).toEqual({ total: 2, names: ['B 有企微', 'C 只有企微'] });
    expect(await names(ws, { identities: ['wecom', 'phone'] })).toEqual({ total: 1, names: ['B 有企微'] });
    expect((await names(ws, { identities: ['email'] })).names).toEqual(['D 邮箱']);
  });

  it('segmentIds keeps members of any of the segments; another workspace\'s segment is an error naming it', async () => {
    const ws = await app.workspace();
    const ids = await people(ws);
    const seg = await ws.gql(`mutation ($i: SegmentInput!) { createSegment(input: $i) { ... on Segment { id size } } }`, {
      i: { name: '名单', type: 'static', customerIds: [ids.A, ids.D] },
    });
    const segmentId = seg.data.createSegment.id;
    expect(await names(ws, { segmentIds: [segmentId] })).toEqual({ total: 2, names: ['A 有手机', 'D 邮箱'] });
    expect(await names(ws, { segmentIds: [segmentId], identities: ['phone'] })).toEqual({ total: 1, names: ['A 有手机'] });

    const other = await app.workspace();
    const r = await other.gql(LIST, { f: { segmentIds: [segmentId] } });
    expect(r.errors?.[0]?.message).toContain('filter.segmentIds.0');
  });

  it('tagging "every customer matching the filter" tags exactly the filtered set, segment and identity included', async () => {
    const ws = await app.workspace();
    const ids = await people(ws);
    const seg = await ws.gql(`mutation ($i: SegmentInput!) { createSegment(input: $i) { ... on Segment { id } } }`, {
      i: { name: '企微名单', type: 'static', customerIds: [ids.A, ids.B, ids.C] },
    });
    const g = await ws.gql(`mutation { createTagGroup(input: { name: "运营", kind: behaviour }) { ... on TagGroup { id } } }`);
    const t = await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "企微可达" }) { ... on Tag { id } } }`, { g: g.data.createTagGroup.id });
    const tagId = t.data.createTag.id;
    const filter = { segmentIds: [seg.data.createSegment.id], identities: ['wecom'] };
    const tagged = await ws.gql(`mutation ($i: TaggingInput!) { tagCustomers(input: $i) { __typename ... on TaggingResult { matchedCustomers changedAssignments } } }`, {
      i: { tagIds: [tagId], filter },
    });
    expect(tagged.data.tagCustomers).toEqual({ __typename: 'TaggingResult', matchedCustomers: 2, changedAssignments: 2 });
    expect(await names(ws, { tags: { any: [tagId] } })).toEqual({ total: 2, names: ['B 有企微', 'C 只有企微'] });
  });
});

describe('one customer\'s journeys and messages', () => {
  it('lists the journeys a customer entered and the messages sent to them, with the journey that sent each', async () => {
    const ws = await app.workspace();
    const { customers } = await setup(ws);
    const customerId = customers['13900000001']!;
    const journeyId = await published(ws, '新客欢迎', {
      nodes: [node('start', 'api'), node('hello', 'send-message', { channel: 'log', body: '欢迎加入' })],
      edges: [edge('start', 'next', 'hello')],
    });
    await ws.gql(ENROLL, { j: journeyId, c: [customerId] });
    await app.runtime.drain();

    const r = await ws.gql(
      `query ($id: ID!) { customer(id: $id) {
        enrollments(first: 10) { totalCount edges { node { status journey { id name } } } }
        deliveries(first: 10) { totalCount edges { node { body status channel campaign { id } journey { id name } } } }
      } }`,
      { id: customerId },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.customer.enrollments).toEqual({ totalCount: 1, edges: [{ node: { status: 'completed', journey: { id: journeyId, name: '新客欢迎' } } }] });
    expect(r.data.customer.deliveries.totalCount).toBe(1);
    expect(r.data.customer.deliveries.edges[0].node).toMatchObject({ body: '欢迎加入', channel: 'log', campaign: null, journey: { id: journeyId, name: '新客欢迎' } });

    const quiet = await ws.gql(`query ($id: ID!) { customer(id: $id) { enrollments { totalCount } deliveries { totalCount } } }`, { id: customers['13900000002'] });
    expect(quiet.data.customer).toEqual({ enrollments: { totalCount: 0 }, deliveries: { totalCount: 0 } });
  });
});
