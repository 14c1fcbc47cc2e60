// Tenant isolation: a key of workspace A sees and changes nothing of workspace B, through every query,
// every mutation that names an object or a customer, and the customerUpdated subscription.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, subscribeSse, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
let B: TestWorkspace;
let b: Seeded;
let bBefore: unknown;
beforeAll(async () => {
  app = await createTestApp();
  B = await app.workspace('B brand');
  b = await seed(B, 2);
  bBefore = await snapshot(B);
});
afterAll(async () => {
  await app?.close();
});

const ERR = `__typename ... on Error { code message } ... on ValidationError { fields { field message } }`;
const PAID = { status: 'paid', total: 12990, paid: 12990, placedAt: '2026-11-11T20:00:00+08:00', paidAt: '2026-11-11T20:01:00+08:00' };

type Seeded = Awaited<ReturnType<typeof seed>>;

/** A workspace with two customers, a tag group with two tags, tag assignments, events, orders, a second key and a member. */
async function seed(ws: TestWorkspace, n: number) {
  const phones = [`1390000${n}001`, `1390000${n}002`];
  const emails = [`c1@w${n}.example.com`, `c2@w${n}.example.com`];
  const wecom = `wm_w${n}_1`;
  const ok = async (query: string, variables?: Record<string, unknown>) => {
    const r = await ws.gql(query, variables);
    expect(r.errors).toBeUndefined();
    return r.data;
  };
  const up = await ok(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { createdCount results { customer { id } } } } }`, {
    c: [{ phone: phones[0], email: emails[0], wecomExternalId: wecom, name: `客户${n}甲`, city: '杭州' }, { phone: phones[1], email: emails[1], name: `客户${n}乙` }],
  });
  expect(up.upsertCustomers.createdCount).toBe(2);
  const customers: string[] = up.upsertCustomers.results.map((r: any) => r.customer.id);
  // The same group name, tag names, idempotency keys and order numbers in every workspace: uniqueness is per workspace.
  const group = (await ok(`mutation { createTagGroup(input: { name: "意向品类", kind: intent }) { __typename ... on TagGroup { id } } }`)).createTagGroup;
  expect(group.__typename).toBe('TagGroup');
  const tags: string[] = [];
  for (const n of ['护发', '护肤']) tags.push((await ok(`mutation ($g: ID!, $n: String!) { createTag(input: { groupId: $g, name: $n }) { ... on Tag { id } } }`, { g: group.id, n })).createTag.id);
  for (const [t, c] of [[tags, [customers[0]]], [[tags[0]], [customers[1]]]]) {
    expect((await ok(`mutation ($t: [ID!]!, $c: [ID!]!) { tagCustomers(input: { tagIds: $t, customerIds: $c }) { __typename } }`, { t, c })).tagCustomers.__typename).toBe('TaggingResult');
  }
  const ev = await ok(`mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { ... on IngestEventsPayload { storedCount failedCount } } }`, {
    e: [
      { customer: { id: customers[0] }, type: 'friend_added', idempotencyKey: 'evt-1' },
      { customer: { phone: phones[0] }, type: 'message_replied', idempotencyKey: 'evt-2' },
      { customer: { email: emails[1] }, type: 'coupon_used', idempotencyKey: 'evt-3' },
    ],
  });
  expect(ev.ingestEvents).toEqual({ storedCount: 3, failedCount: 0 });
  const or = await ok(`mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { ... on ImportOrdersPayload { createdCount failedCount } } }`, {
    o: [{ customer: { id: customers[0] }, platform: 'tmall', externalId: 'T-1001', ...PAID }, { customer: { phone: phones[1] }, platform: 'tmall', externalId: 'T-1002', ...PAID }],
  });
  expect(or.importOrders).toEqual({ createdCount: 2, failedCount: 0 });
  const key = (await ok(`mutation { createApiKey(input: { name: "order sync", scopes: [CUSTOMERS_READ] }) { ... on CreatedApiKey { secret apiKey { id } } } }`)).createApiKey;
  // A member through the API: sign up (their own workspace), then be added to this one and log in to it.
  const staff = { email: `staff@w${n}.example.com`, password: 'correct horse battery' };
  await app.request(`mutation ($i: SignUpInput!) { signUp(input: $i) { __typename } }`, { i: { ...staff, name: '店员', workspaceName: `店员 ${n}` } });
  const invite = await ok(`mutation ($e: String!) { inviteMember(input: { email: $e, role: marketer }) { ... on InvitationPayload { addedDirectly } } }`, { e: staff.email });
  expect(invite.inviteMember.addedDirectly).toBe(true);
  const ids = await ok(`query ($c: ID!) { workspace { id members { edges { node { id } } } } customer(id: $c) { events { edges { node { id } } } orders { edges { node { id } } } } }`, { c: customers[0] });
  const session = await app.request(`mutation ($i: LoginInput!) { login(input: $i) { ... on SessionPayload { token } } }`, { i: { ...staff, workspaceId: ids.workspace.id } });
  return {
    phones, emails, wecom, customers, group: group.id as string, tags,
    events: ids.customer.events.edges.map((e: any) => e.node.id) as string[],
    orders: ids.customer.orders.edges.map((e: any) => e.node.id) as string[],
    workspace: ids.workspace.id as string,
    memberships: ids.workspace.members.edges.map((e: any) => e.node.id) as string[],
    apiKey: { id: key.apiKey.id as string, secret: key.secret as string },
    session: session.data.login.token as string,
  };
}

/** Everything of a workspace that a foreign write could change, read with its own key. */
async function snapshot(ws: TestWorkspace) {
  const r = await ws.gql(`{
    workspace { name members { totalCount } apiKeys(first: 100) { totalCount edges { node { id name revokedAt scopes } } } }
    customers(first: 100) { totalCount edges { node { id name phone email wecomExternalId city orderCount totalSpent lifecycleStage attributes
      tags { id name } events { totalCount } orders { totalCount edges { node { id externalId status paid } } } } } }
    tagGroups { id name kind description tags { id name color customerCount } }
    tags(first: 100) { totalCount }
  }`);
  expect(r.errors).toBeUndefined();
  return r.data;
}

const ids = (conn: { edges: { node: { id: string } }[] }) => conn.edges.map((e) => e.node.id);

describe('reads with a key of workspace A', () => {
  let A: TestWorkspace;
  let a: Seeded;
  beforeAll(async () => {
    A = await app.workspace('A brand');
    a = await seed(A, 1);
  });

  it('viewer and workspace are A\'s; its keys and members exclude B\'s', async () => {
    const r = await A.gql(`{
      viewer { workspace { id } workspaces { id } apiKey { id } }
      workspace { id apiKeys { totalCount edges { node { id } } } members { totalCount edges { node { id } } } }
    }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.viewer).toMatchObject({ workspace: { id: a.workspace }, workspaces: [{ id: a.workspace }] });
    expect(r.data.workspace.id).toBe(a.workspace);
    expect(r.data.workspace.apiKeys.totalCount).toBe(2);
    expect(ids(r.data.workspace.apiKeys)).toContain(a.apiKey.id);
    expect(ids(r.data.workspace.apiKeys)).not.toContain(b.apiKey.id);
    expect(ids(r.data.workspace.members)).toEqual(a.memberships);
    expect(ids(r.data.workspace.members)).not.toContain(b.memberships[0]);
  });

  it('a member session of A sees only workspace A', async () => {
    const r = await A.gql(`{ viewer { workspace { id } workspaces { id } } customers { totalCount } }`, {}, a.session);
    expect(r.data).toMatchObject({ viewer: { workspace: { id: a.workspace } }, customers: { totalCount: 2 } });
    expect(r.data.viewer.workspaces.map((w: any) => w.id)).toContain(a.workspace);
    expect(r.data.viewer.workspaces.map((w: any) => w.id)).not.toContain(b.workspace);
  });

  it.each([
    ['no filter', undefined, 2],
    ['a filter matching every customer', { lifecycleStages: ['customer', 'lead'], createdAt: { from: '2020-01-01T00:00:00Z' } }, 2],
    ['a text filter with a name both workspaces share', { text: '客户' }, 2],
    ['a text filter with B\'s phone', { text: '13900002001' }, 0],
    ['a text filter with B\'s email domain', { text: 'w2.example.com' }, 0],
    ['a spend filter', { totalSpent: { min: 1 } }, 2],
  ])('customers with %s lists A\'s customers only', async (_name, filter, count) => {
    const r = await A.gql(`query ($f: CustomerFilter) { customers(filter: $f, first: 100) { totalCount edges { node { id } } } }`, { f: filter });
    expect(r.errors).toBeUndefined();
    expect(r.data.customers.totalCount).toBe(count);
    expect(ids(r.data.customers).every((id) => a.customers.includes(id))).toBe(true);
    expect(ids(r.data.customers)).toHaveLength(count);
  });

  it('customers filtered by A\'s own tag counts A\'s carriers only, though B has a tag of the same name', async () => {
    const r = await A.gql(`query ($t: [ID!]) { customers(filter: { tags: { all: $t } }) { totalCount edges { node { id } } } tags { edges { node { id customerCount } } } }`, { t: [a.tags[1]] });
    expect(r.data.customers.totalCount).toBe(1);
    expect(ids(r.data.customers)).toEqual([a.customers[0]]);
    expect(Object.fromEntries(r.data.tags.edges.map((e: any) => [e.node.id, e.node.customerCount]))).toEqual({ [a.tags[0]!]: 2, [a.tags[1]!]: 1 });
  });

  it.each(['any', 'all', 'none'])('customers filtered by B\'s tag in `%s` is a validation error, not B\'s data', async (key) => {
    const r = await A.gql(`query ($f: CustomerFilter) { customers(filter: $f) { totalCount edges { node { id } } } }`, { f: { tags: { [key]: [a.tags[0], b.tags[0]] } } });
    expect(r.data).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'INVALID_INPUT', fields: [{ field: `filter.tags.${key}.1`, message: 'no such tag in this workspace' }] });
  });

  it('customer(id) of B\'s customer is null', async () => {
    const r = await A.gql(`query ($id: ID!) { customer(id: $id) { id name } }`, { id: b.customers[0] });
    expect(r).toMatchObject({ data: { customer: null } });
    expect(r.errors).toBeUndefined();
  });

  it.each([
    ['Customer', () => [b.customers[0], a.customers[0]]],
    ['Tag', () => [b.tags[0], a.tags[0]]],
    ['TagGroup', () => [b.group, a.group]],
    ['Event', () => [b.events[0], a.events[0]]],
    ['Order', () => [b.orders[0], a.orders[0]]],
    ['Workspace', () => [b.workspace, a.workspace]],
  ])('node and nodes return null for B\'s %s and A\'s own one beside it', async (_type, pair) => {
    const [theirs, ours] = pair() as [string, string];
    const r = await A.gql(`query ($id: ID!, $ids: [ID!]!) { node(id: $id) { id } nodes(ids: $ids) { id } }`, { id: theirs, ids: [theirs, ours, theirs] });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ node: null, nodes: [null, { id: ours }, null] });
  });

  it('nodes of every B object at once are all null, like the ID of a customer that never existed', async () => {
    const all = [...b.customers, ...b.tags, b.group, ...b.events, ...b.orders, b.workspace, btoa('Customer:00000000-0000-4000-8000-000000000000')];
    const r = await A.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: all });
    expect(r).toMatchObject({ data: { nodes: all.map(() => null) } });
    expect(r.errors).toBeUndefined();
  });

  it('tagGroups and tags list A\'s only; tags of B\'s group are none', async () => {
    const r = await A.gql(`query ($g: ID) {
      tagGroups { id tags { id } } intent: tagGroups(kind: intent) { id }
      tags(first: 100) { totalCount edges { node { id group { id } } } }
      search: tags(search: "护") { totalCount } ofB: tags(groupId: $g) { totalCount edges { node { id } } }
    }`, { g: b.group });
    expect(r.errors).toBeUndefined();
    expect(r.data.tagGroups).toHaveLength(1);
    expect(r.data.tagGroups[0].id).toBe(a.group);
    expect(r.data.tagGroups[0].tags.map((t: any) => t.id).sort()).toEqual([...a.tags].sort());
    expect(r.data.intent).toEqual([{ id: a.group }]);
    expect(r.data.tags.totalCount).toBe(2);
    expect(ids(r.data.tags).sort()).toEqual([...a.tags].sort());
    expect(r.data.search.totalCount).toBe(2);
    expect(r.data.ofB).toEqual({ totalCount: 0, edges: [] });
  });

  it('A\'s customers carry only A\'s tags, events and orders', async () => {
    const r = await A.gql(`query ($id: ID!) { customer(id: $id) { tags { id } tagAssignments { tag { id } } events { totalCount edges { node { id } } } orders { totalCount edges { node { id customer { id } } } } } }`, { id: a.customers[0] });
    const c = r.data.customer;
    expect(c.tags.map((t: any) => t.id).sort()).toEqual([...a.tags].sort());
    expect(c.tagAssignments.map((t: any) => t.tag.id).sort()).toEqual([...a.tags].sort());
    expect(ids(c.events).sort()).toEqual([...a.events].sort());
    expect(c.orders.edges).toEqual([{ node: { id: a.orders[0], customer: { id: a.customers[0] } } }]);
  });

  it('a cursor from B\'s customers or tags pages nothing, rather than placing A\'s page by B\'s row', async () => {
    // A2's customers are newer than B's, and its tag names sort before B's (ASCII before 护).
    const A2 = await app.workspace('A2 brand');
    await A2.gql(`mutation { upsertCustomers(customers: [{ phone: "13900003001" }, { phone: "13900003002" }, { phone: "13900003003" }]) { __typename } }`);
    const g = await A2.gql(`mutation { createTagGroup(input: { name: "g", kind: basic }) { ... on TagGroup { id } } }`);
    for (const n of ['x1', 'x2', 'x3']) await A2.gql(`mutation ($g: ID!, $n: String!) { createTag(input: { groupId: $g, name: $n }) { __typename } }`, { g: g.data.createTagGroup.id, n });
    const theirs = await B.gql(`{ customers(first: 1, orderBy: { field: CREATED_AT, direction: ASC }) { edges { cursor } } tags(first: 1) { edges { cursor } } }`);
    const r = await A2.gql(`query ($c: String, $t: String) {
      customers(after: $c, orderBy: { field: CREATED_AT, direction: ASC }) { edges { node { id } } } tags(last: 10, before: $t) { edges { node { id } } }
    }`, { c: theirs.data.customers.edges[0].cursor, t: theirs.data.tags.edges[0].cursor });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ customers: { edges: [] }, tags: { edges: [] } });
  });
});

/** One attempt of A on B: `name` says what must happen; `variables` may first create A's own objects in the fresh A. */
interface Case {
  name: string;
  query: string;
  variables: (a: TestWorkspace) => Promise<Record<string, unknown>> | Record<string, unknown>;
  expect: (data: any, a: TestWorkspace) => void | Promise<void>;
}

const notFound = (data: any) => expect(Object.values(data)[0]).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
const invalid = (...fields: string[]) => (data: any) => {
  const result = Object.values(data)[0] as any;
  expect(result).toMatchObject({ __typename: 'ValidationError', code: 'INVALID_INPUT' });
  expect(result.fields.map((f: any) => f.field)).toEqual(fields);
};
const REF_KEYS = ['id', 'phone', 'email', 'wecomExternalId'];
const refs = () => [{ id: b.customers[0] }, { phone: b.phones[0] }, { email: b.emails[1] }, { wecomExternalId: b.wecom }];
/** Every item of a batch naming B's customers is rejected on its own, and nothing is stored. */
const perItemNotFound = (argument: string, nothingStored: Record<string, number>) => (data: any) => {
  const result = Object.values(data)[0] as any;
  expect(result).toMatchObject({ ...nothingStored, failedCount: REF_KEYS.length });
  expect(result.errors.map((e: any) => e.fields[0].field)).toEqual(REF_KEYS.map((k, i) => `${argument}.${i}.customer.${k}`));
  expect(result.errors.every((e: any) => e.fields[0].message === 'no customer matches; upsert the customer first')).toBe(true);
};

/** A customer, a group and a tag of A's own, in a fresh A. */
async function ownTagAndCustomer(a: TestWorkspace) {
  const c = await a.gql(`mutation { upsertCustomer(input: { phone: "13900001009" }) { ... on UpsertCustomerPayload { customer { id } } } }`);
  const g = await a.gql(`mutation { createTagGroup(input: { name: "A 组", kind: basic }) { ... on TagGroup { id } } }`);
  const t = await a.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "A 标签" }) { ... on Tag { id } } }`, { g: g.data.createTagGroup.id });
  return { customer: c.data.upsertCustomer.customer.id as string, tag: t.data.createTag.id as string };
}

const TAG = `mutation ($input: TaggingInput!) { tagCustomers(input: $input) { ${ERR} ... on TaggingResult { matchedCustomers changedAssignments } } }`;
const UNTAG = TAG.replace('tagCustomers', 'untagCustomers');
const UPSERT = `mutation ($input: CustomerInput!) { upsertCustomer(input: $input) { ${ERR} ... on UpsertCustomerPayload { created customer { id name phone email wecomExternalId } } } }`;

const cases: Case[] = [
  { name: 'updateCustomer of B\'s customer is NotFound', query: `mutation ($id: ID!) { updateCustomer(id: $id, input: { name: "hijacked", blacklisted: true }) { ${ERR} } }`, variables: () => ({ id: b.customers[0] }), expect: notFound },
  { name: 'deleteCustomer of B\'s customer is NotFound', query: `mutation ($id: ID!) { deleteCustomer(id: $id) { ${ERR} } }`, variables: () => ({ id: b.customers[0] }), expect: notFound },
  { name: 'updateTagGroup of B\'s group is NotFound', query: `mutation ($id: ID!) { updateTagGroup(id: $id, input: { name: "hijacked", kind: risk }) { ${ERR} } }`, variables: () => ({ id: b.group }), expect: notFound },
  { name: 'deleteTagGroup of B\'s group is NotFound', query: `mutation ($id: ID!) { deleteTagGroup(id: $id) { ${ERR} } }`, variables: () => ({ id: b.group }), expect: notFound },
  { name: 'createTag in B\'s group is NotFound', query: `mutation ($g: ID!) { createTag(input: { groupId: $g, name: "hijacked" }) { ${ERR} } }`, variables: () => ({ g: b.group }), expect: notFound },
  { name: 'updateTag of B\'s tag is NotFound', query: `mutation ($id: ID!) { updateTag(id: $id, input: { name: "hijacked", color: "#000000" }) { ${ERR} } }`, variables: () => ({ id: b.tags[0] }), expect: notFound },
  {
    name: 'updateTag moving A\'s tag into B\'s group is NotFound',
    query: `mutation ($id: ID!, $g: ID!) { updateTag(id: $id, input: { groupId: $g }) { ${ERR} } }`,
    variables: async (a) => ({ id: (await ownTagAndCustomer(a)).tag, g: b.group }),
    expect: notFound,
  },
  { name: 'deleteTag of B\'s tag is NotFound', query: `mutation ($id: ID!) { deleteTag(id: $id) { ${ERR} } }`, variables: () => ({ id: b.tags[0] }), expect: notFound },
  { name: 'tagCustomers with B\'s tags on B\'s customers is a validation error naming the tags', query: TAG, variables: () => ({ input: { tagIds: b.tags, customerIds: b.customers } }), expect: invalid('input.tagIds.0', 'input.tagIds.1') },
  { name: 'untagCustomers with B\'s tags on B\'s customers is a validation error naming the tags', query: UNTAG, variables: () => ({ input: { tagIds: b.tags, customerIds: b.customers } }), expect: invalid('input.tagIds.0', 'input.tagIds.1') },
  { name: 'tagCustomers with B\'s tag in the filter is a validation error', query: TAG, variables: async (a) => ({ input: { tagIds: [(await ownTagAndCustomer(a)).tag], filter: { tags: { any: [b.tags[0]] } } } }), expect: invalid('input.filter.tags.any.0') },
  ...(['tagCustomers', 'untagCustomers'] as const).map((op): Case => ({
    name: `${op} with A's tag and B's customer ids is a validation error naming each of B's customers`,
    query: op === 'tagCustomers' ? TAG : UNTAG,
    variables: async (a) => ({ input: { tagIds: [(await ownTagAndCustomer(a)).tag], customerIds: b.customers } }),
    expect: invalid('input.customerIds.0', 'input.customerIds.1'),
  })),
  {
    name: 'tagCustomers by a filter matching everyone tags A\'s customers only',
    query: TAG,
    variables: async (a) => ({ input: { tagIds: [(await ownTagAndCustomer(a)).tag], filter: {} } }),
    expect: (data) => expect(data.tagCustomers).toEqual({ __typename: 'TaggingResult', matchedCustomers: 1, changedAssignments: 1 }),
  },
  {
    name: 'ingestEvents naming B\'s customers by id, phone, email and WeCom id rejects each item and stores nothing',
    query: `mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { ${ERR} ... on IngestEventsPayload { storedCount duplicateCount failedCount errors { index code fields { field message } } } } }`,
    variables: () => ({ e: refs().map((customer, i) => ({ customer, type: 'hijack', idempotencyKey: `evt-${i + 1}` })) }),
    expect: perItemNotFound('events', { storedCount: 0, duplicateCount: 0 }),
  },
  {
    name: 'importOrders naming B\'s customers by id, phone, email and WeCom id rejects each item and stores nothing',
    query: `mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { ${ERR} ... on ImportOrdersPayload { createdCount updatedCount failedCount errors { index code fields { field message } } } } }`,
    variables: () => ({ o: refs().map((customer, i) => ({ customer, platform: 'tmall', externalId: `T-100${i + 1}`, ...PAID, paid: 1 })) }),
    expect: perItemNotFound('orders', { createdCount: 0, updatedCount: 0 }),
  },
  ...(['phone', 'email', 'wecomExternalId'] as const).map((key): Case => ({
    name: `upsertCustomer with B's customer's ${key} creates A's own customer`,
    query: UPSERT,
    variables: () => ({ input: { [key]: { phone: b.phones[0], email: b.emails[0], wecomExternalId: b.wecom }[key], name: 'A 的客户' } }),
    expect: async (data, a) => {
      expect(data.upsertCustomer).toMatchObject({ __typename: 'UpsertCustomerPayload', created: true, customer: { name: 'A 的客户' } });
      expect(b.customers).not.toContain(data.upsertCustomer.customer.id);
      const list = await a.gql(`{ customers { totalCount edges { node { id } } } }`);
      expect(ids(list.data.customers)).toEqual([data.upsertCustomer.customer.id]);
    },
  })),
  {
    name: 'upsertCustomers with all of B\'s identities creates A\'s own customers',
    query: `mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ${ERR} ... on UpsertCustomersPayload { createdCount updatedCount failedCount results { customer { id } } } } }`,
    variables: () => ({ c: [{ phone: b.phones[0], email: b.emails[0], wecomExternalId: b.wecom }, { phone: b.phones[1], email: b.emails[1] }] }),
    expect: (data) => {
      expect(data.upsertCustomers).toMatchObject({ createdCount: 2, updatedCount: 0, failedCount: 0 });
      for (const r of data.upsertCustomers.results) expect(b.customers).not.toContain(r.customer.id);
    },
  },
  {
    name: 'updateCustomer giving A\'s customer B\'s phone and email is no conflict',
    query: `mutation ($id: ID!, $input: CustomerPatch!) { updateCustomer(id: $id, input: $input) { ${ERR} ... on Customer { id phone email } } }`,
    variables: async (a) => ({ id: (await ownTagAndCustomer(a)).customer, input: { phone: b.phones[1], email: b.emails[1] } }),
    expect: (data) => expect(data.updateCustomer).toMatchObject({ __typename: 'Customer', phone: b.phones[1], email: b.emails[1] }),
  },
  { name: 'revokeApiKey of B\'s key is NotFound', query: `mutation ($id: ID!) { revokeApiKey(id: $id) { ${ERR} } }`, variables: () => ({ id: b.apiKey.id }), expect: notFound },
  {
    name: 'login naming workspace B by a member who is not in it is a validation error',
    query: `mutation ($input: LoginInput!) { login(input: $input) { ${ERR} } }`,
    variables: async () => {
      const input = { email: 'login@a.example.com', password: 'correct horse battery' };
      await app.request(`mutation ($i: SignUpInput!) { signUp(input: $i) { __typename } }`, { i: { ...input, name: 'A', workspaceName: 'A 的店' } });
      return { input: { ...input, workspaceId: b.workspace } };
    },
    expect: invalid('input.workspaceId'),
  },
];

describe('writes with a key of workspace A aimed at workspace B', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s, and B is unchanged', async (_name, c) => {
    const A = await app.workspace('A brand');
    const result = await A.gql(c.query, await c.variables(A));
    expect(result.errors).toBeUndefined();
    await c.expect(result.data, A);
    expect(await snapshot(B)).toEqual(bBefore);
  });

  it('B\'s keys and member session still work after every attempt', async () => {
    for (const token of [B.key, b.apiKey.secret, b.session]) {
      const r = await B.gql(`{ viewer { workspace { id } } customers { totalCount } }`, {}, token);
      expect(r.data).toEqual({ viewer: { workspace: { id: b.workspace } }, customers: { totalCount: 2 } });
    }
  });
});

/** Subscribes over Server-Sent Events; `received` fills with the `next` payloads as they arrive. */
describe('customerUpdated over Server-Sent Events', () => {
  it('A\'s subscriber receives A\'s changes and nothing of B\'s, even when it names B\'s customer', async () => {
    const A = await app.workspace('A brand');
    const SUB = `subscription ($id: ID) { customerUpdated(id: $id) { change customerId customer { id } } }`;
    const all = await subscribeSse(app, A.key, SUB);
    const onlyB = await subscribeSse(app, A.key, SUB, { id: b.customers[0] });
    try {
      const change = (ws: TestWorkspace, phone: string, name: string) => ws.gql(UPSERT, { input: { phone, name } });
      // A first change in A shows the stream is live (repeated while the subscription attaches).
      for (let i = 0; i < 20 && !(await all.waitFor(1, 100)); i++) await change(A, '13900004001', `甲${i}`);
      expect(all.received.length).toBeGreaterThan(0);
      const seen = all.received.length;
      await change(B, b.phones[0]!, '客户2甲');
      await B.gql(`mutation ($id: ID!) { updateCustomer(id: $id, input: { city: null }) { __typename } }`, { id: b.customers[1] });
      await change(A, '13900004002', '乙');
      expect(await all.waitFor(seen + 1, 2000)).toBe(seen + 1);
      expect(await all.waitFor(seen + 2, 500)).toBe(seen + 1);
      const ownIds = (await A.gql(`{ customers { edges { node { id } } } }`)).data.customers;
      for (const message of all.received) expect(ids(ownIds)).toContain(message.data.customerUpdated.customerId);
      expect(all.received.at(-1).data.customerUpdated).toMatchObject({ change: 'created', customer: { id: expect.any(String) } });
      expect(await onlyB.waitFor(1, 500)).toBe(0);
    } finally {
      all.close();
      onlyB.close();
    }
    expect(await snapshot(B)).toEqual(bBefore);
  });
});
