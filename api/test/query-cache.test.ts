import { createPubSub, type CourtyardPubSub } from '@courtyard/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';
import { dbId, edge, ENROLL, node, published, setup, tagsOf } from './journey-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const NAMES = `{ customers(first: 10, orderBy: { field: CREATED_AT, direction: ASC }) { totalCount edges { node { name tags { name } } } } }`;
const names = async (ws: TestWorkspace, token?: string) => (await ws.gql(NAMES, {}, token)).data.customers;
/** A request to one app (API node) as the workspace's key, with extra headers. */
async function ask(node: { yoga: App['yoga'] }, key: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<any> {
  const response = await node.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}
const nameOn = async (node: { yoga: App['yoga'] }, key: string) => (await ask(node, key, NAMES)).data.customers.edges[0].node.name;
const upsert = (ws: TestWorkspace, phone: string, name: string) =>
  ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { __typename } }`, { c: [{ phone, name }] });

describe('query result cache', () => {
  it('answers a repeated read from memory and executes again after a mutation in the workspace', async () => {
    const ws = await app.workspace();
    await upsert(ws, '13900000011', '林小姐');
    const first = await names(ws);
    const before = app.queryCache.stats();
    expect(await names(ws)).toEqual(first);
    const after = app.queryCache.stats();
    expect(after.hits).toBe(before.hits + 1);
    expect(after.misses).toBe(before.misses);

    await upsert(ws, '13900000012', '王先生');
    const fresh = await names(ws);
    expect(fresh.totalCount).toBe(2);
    expect(fresh.edges.map((e: any) => e.node.name)).toEqual(['林小姐', '王先生']);
  });

  it('a change in one workspace does not drop the other workspace’s results', async () => {
    const a = await app.workspace('A');
    const b = await app.workspace('B');
    await upsert(a, '13900000021', 'A 的客户');
    await upsert(b, '13900000022', 'B 的客户');
    await names(a);
    await names(b);
    await upsert(a, '13900000023', 'A 的新客户');
    const hits = app.queryCache.stats().hits;
    expect((await names(b)).edges.map((e: any) => e.node.name)).toEqual(['B 的客户']);
    expect(app.queryCache.stats().hits).toBe(hits + 1);
    expect((await names(a)).totalCount).toBe(2);
  });

  it('callers with other scopes never share a result, and errors are not kept', async () => {
    const ws = await app.workspace();
    await upsert(ws, '13900000031', '林小姐');
    const reader = await ws.keyWith(['customers:read']);
    const tagless = await ws.keyWith(['events:write']);
    expect((await names(ws, reader)).totalCount).toBe(1);
    const refused = await ws.gql(NAMES, {}, tagless);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const misses = app.queryCache.stats().misses;
    const again = await ws.gql(NAMES, {}, tagless);
    expect(again.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(app.queryCache.stats().misses).toBe(misses + 1);
  });

  it('Cache-Control: no-cache executes the read', async () => {
    const ws = await app.workspace();
    await upsert(ws, '13900000041', '林小姐');
    await names(ws);
    // A write the API did not make (another tool writing to the database) is not seen from the cache…
    await app.db.prisma.customer.updateMany({ where: { workspaceId: ws.id }, data: { name: '林女士' } });
    expect((await names(ws)).edges[0].node.name).toBe('林小姐');
    // …but is by a request that asks for a fresh answer.
    expect((await ask(app, ws.key, NAMES, {}, { 'cache-control': 'no-cache' })).data.customers.edges[0].node.name).toBe('林女士');
  });

  it('a result is served no longer than the TTL', async () => {
    const short = createApp({ db: app.db, queryCache: { ttlMs: 150 }, logErrors: false });
    const ws = await app.workspace();
    await upsert(ws, '13900000051', '林小姐');
    expect(await nameOn(short, ws.key)).toBe('林小姐');
    await app.db.prisma.customer.updateMany({ where: { workspaceId: ws.id }, data: { name: '林女士' } });
    expect(await nameOn(short, ws.key)).toBe('林小姐');
    await new Promise((r) => setTimeout(r, 200));
    expect(await nameOn(short, ws.key)).toBe('林女士');
    short.close();
  });

  it('COURTYARD_QUERY_CACHE_MS=0 turns it off', async () => {
    const off = createApp({ db: app.db, queryCache: { ttlMs: 0 }, logErrors: false });
    const ws = await app.workspace();
    await upsert(ws, '13900000061', '林小姐');
    expect(await nameOn(off, ws.key)).toBe('林小姐');
    await app.db.prisma.customer.updateMany({ where: { workspaceId: ws.id }, data: { name: '林女士' } });
    expect(await nameOn(off, ws.key)).toBe('林女士');
    expect(off.queryCache.stats()).toMatchObject({ hits: 0, entries: 0 });
    off.close();
  });

  it('identical reads arriving together execute once', async () => {
    const ws = await app.workspace();
    await upsert(ws, '13900000071', '林小姐');
    const before = app.queryCache.stats();
    const results = await Promise.all(Array.from({ length: 8 }, () => names(ws)));
    for (const r of results) expect(r.totalCount).toBe(1);
    const after = app.queryCache.stats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.joined + after.hits - before.joined - before.hits).toBe(7);
  });

  it('tags a journey adds are seen by the next read', async () => {
    const ws = await app.workspace();
    const { customers, tags } = await setup(ws);
    const id = await published(ws, '打标签', {
      nodes: [node('start', 'api'), node('care', 'add-tags', { tagIds: [dbId(tags['已关怀']!)] })],
      edges: [edge('start', 'next', 'care')],
    });
    expect(await tagsOf(ws, customers['13900000002']!)).toEqual([]);
    expect(await tagsOf(ws, customers['13900000002']!)).toEqual([]); // from the cache
    await ws.gql(ENROLL, { j: id, c: [customers['13900000002']] });
    // The workers have not stepped yet (this app's runtime runs only when drained): the read from
    // after the enrollment is cached without the tag…
    expect(await tagsOf(ws, customers['13900000002']!)).toEqual([]);
    await app.runtime.drain();
    // …and the step that added it moves the workspace on.
    expect(await tagsOf(ws, customers['13900000002']!)).toEqual(['已关怀']);
  });

  it('a change made on another API node reaches this node’s cache through the pub/sub', async () => {
    const pubsub = createPubSub() as CourtyardPubSub;
    const nodeA = createApp({ db: app.db, pubsub, logErrors: false });
    const nodeB = createApp({ db: app.db, pubsub, logErrors: false });
    const ws = await app.workspace();
    expect((await ask(nodeA, ws.key, NAMES)).data.customers.totalCount).toBe(0);
    await ask(nodeB, ws.key, `mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { __typename } }`, { c: [{ phone: '13900000081', name: '林小姐' }] });
    await new Promise((r) => setTimeout(r, 20));
    expect((await ask(nodeA, ws.key, NAMES)).data.customers.totalCount).toBe(1);
    nodeA.close();
    nodeB.close();
  });
});
