// Tenant isolation of journeys and channels: a key of workspace A sees and changes nothing of B's
// journeys, versions, enrollments and channels, cannot enroll B's customers, and cannot subscribe to
// the progress of B's journeys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, subscribeSse, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
let B: TestWorkspace;
let b: Awaited<ReturnType<typeof seed>>;
let bBefore: unknown;

const dbId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;
const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type: `courtyard.${type}`, version: '1.0.0', config });
const ERR = `__typename ... on Error { code message } ... on ValidationError { fields { field message } }`;

/** An API-triggered journey with customers waiting inside, an event-triggered one, and a channel with a secret. */
async function seed(ws: TestWorkspace) {
  const ok = async (query: string, variables?: Record<string, unknown>) => {
    const r = await ws.gql(query, variables);
    expect(r.errors).toBeUndefined();
    return r.data;
  };
  const up = await ok(`mutation { upsertCustomers(customers: [{ phone: "13900009001", name: "乙一" }, { phone: "13900009002" }]) { ... on UpsertCustomersPayload { results { customer { id } } } } }`);
  const customers: string[] = up.upsertCustomers.results.map((r: any) => r.customer.id);
  const g = await ok(`mutation { createTagGroup(input: { name: "组", kind: basic }) { ... on TagGroup { id } } }`);
  const tag = (await ok(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "已付款" }) { ... on Tag { id } } }`, { g: g.createTagGroup.id })).createTag.id;
  const journey = async (name: string, trigger: ReturnType<typeof node>) => {
    const definition = {
      nodes: [trigger, node('wait', 'wait', { duration: { amount: 2, unit: 'days' } }), node('tag', 'add-tags', { tagIds: [dbId(tag)] })],
      edges: [{ from: 'start', port: 'next', to: 'wait' }, { from: 'wait', port: 'next', to: 'tag' }],
    };
    const id = (await ok(`mutation ($i: JourneyInput!) { createJourney(input: $i) { ... on Journey { id } } }`, { i: { name, definition } })).createJourney.id;
    const p = await ok(`mutation ($id: ID!) { publishJourney(id: $id) { __typename ... on PublishJourneyPayload { version { id } } } }`, { id });
    expect(p.publishJourney.__typename).toBe('PublishJourneyPayload');
    return { id, version: p.publishJourney.version.id as string };
  };
  const api = await journey('乙的旅程', node('start', 'api'));
  const byEvent = await journey('乙的付款旅程', node('start', 'event', { eventType: 'order_paid' }));
  const enrolled = await ok(`mutation ($j: ID!, $c: [ID!]!) { enrollCustomers(journeyId: $j, customerIds: $c) { ... on EnrollCustomersPayload { enrolled enrollments { id } } } }`, { j: api.id, c: customers });
  expect(enrolled.enrollCustomers.enrolled).toBe(2);
  await app.runtime.drain();
  const channel = (await ok(`mutation { createChannel(input: { type: webhook, name: "乙的系统", config: { url: "https://b.example.cn/hook", secret: "b-secret" } }) { ... on Channel { id } } }`)).createChannel.id;
  return { customers, api, byEvent, enrollment: enrolled.enrollCustomers.enrollments[0].id as string, channel };
}

/** Everything of B's that A might reach, read from the database. */
async function snapshot(ws: TestWorkspace) {
  const where = { workspaceId: ws.id };
  const prisma = app.db.prisma;
  return {
    journeys: await prisma.journey.findMany({ where, orderBy: { id: 'asc' } }),
    versions: await prisma.journeyVersion.findMany({ where, orderBy: { id: 'asc' } }),
    enrollments: await prisma.enrollment.findMany({ where, orderBy: { id: 'asc' }, select: { id: true, status: true, nodeId: true, versionId: true, visit: true } }),
    channels: await prisma.channel.findMany({ where, orderBy: { id: 'asc' } }),
    workspace: await prisma.workspace.findUniqueOrThrow({ where: { id: ws.id } }),
  };
}

beforeAll(async () => {
  app = await createTestApp();
  B = await app.workspace('B brand');
  b = await seed(B);
  bBefore = await snapshot(B);
});
afterAll(async () => {
  await app?.close();
});

describe('reads with a key of workspace A', () => {
  it('see none of B\'s journeys, versions, enrollments or channels', async () => {
    const A = await app.workspace('A brand');
    const r = await A.gql(`query ($j: ID!, $v: ID!, $e: ID!, $c: ID!) {
      journeys { totalCount edges { node { id } } } journey(id: $j) { id } channels { id }
      nodes(ids: [$j, $v, $e, $c]) { id } }`, { j: b.api.id, v: b.api.version, e: b.enrollment, c: b.channel });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ journeys: { totalCount: 0, edges: [] }, journey: null, channels: [], nodes: [null, null, null, null] });
  });

  it('cannot subscribe to the progress of B\'s journey', async () => {
    const A = await app.workspace('A brand');
    const sub = await subscribeSse(app, A.key, `subscription ($id: ID!) { journeyProgress(journeyId: $id) { nodes { nodeId entered } } }`, { id: b.api.id });
    try {
      expect(await sub.waitFor(1, 3000)).toBe(1);
      expect(sub.received[0].data ?? null).toBeNull();
      expect(sub.received[0].errors[0].extensions.code).toBe('NOT_FOUND');
      await B.gql(`mutation ($j: ID!, $c: [ID!]!) { enrollCustomers(journeyId: $j, customerIds: $c, requestKey: "again") { __typename } }`, { j: b.api.id, c: b.customers });
      expect(await sub.waitFor(2, 1500)).toBe(1);
    } finally {
      sub.close();
    }
  });
});

interface Case {
  name: string;
  query: string;
  variables: (a: TestWorkspace) => Promise<Record<string, unknown>> | Record<string, unknown>;
  expect: (data: any) => void;
}

const notFound = (field: string) => (data: any) => expect(Object.values(data)[0]).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', field });
const invalid = (...fields: string[]) => (data: any) => {
  const result = Object.values(data)[0] as any;
  expect(result.__typename).toBe('ValidationError');
  expect(result.fields.map((f: any) => f.field)).toEqual(fields);
};

/** A's own published API journey. */
async function ownJourney(a: TestWorkspace) {
  const definition = { nodes: [node('start', 'api'), node('wait', 'wait', { duration: { amount: 1, unit: 'days' } })], edges: [{ from: 'start', port: 'next', to: 'wait' }] };
  const created = await a.gql(`mutation ($i: JourneyInput!) { createJourney(input: $i) { ... on Journey { id } } }`, { i: { name: 'A 的旅程', definition } });
  const id = created.data.createJourney.id;
  await a.gql(`mutation ($id: ID!) { publishJourney(id: $id) { __typename } }`, { id });
  return id as string;
}

const JOURNEY_OPS = ['deleteJourney', 'pauseJourney', 'resumeJourney', 'archiveJourney'] as const;

const cases: Case[] = [
  { name: 'updateJourney of B\'s journey is NotFound', query: `mutation ($id: ID!) { updateJourney(id: $id, input: { name: "hijacked", definition: { nodes: [], edges: [] } }) { ${ERR} ... on NotFoundError { field } } }`, variables: () => ({ id: b.api.id }), expect: notFound('id') },
  { name: 'publishJourney of B\'s journey is NotFound', query: `mutation ($id: ID!) { publishJourney(id: $id, migrate: true) { ${ERR} ... on NotFoundError { field } } }`, variables: () => ({ id: b.api.id }), expect: notFound('id') },
  ...JOURNEY_OPS.map((op): Case => ({
    name: `${op} of B's journey is NotFound`,
    query: `mutation ($id: ID!) { ${op}(id: $id) { ${ERR} ... on NotFoundError { field } } }`,
    variables: () => ({ id: b.api.id }),
    expect: notFound('id'),
  })),
  {
    name: 'enrollCustomers into B\'s journey is NotFound',
    query: `mutation ($j: ID!, $c: [ID!]!) { enrollCustomers(journeyId: $j, customerIds: $c) { ${ERR} ... on NotFoundError { field } } }`,
    variables: async (a) => {
      const own = await a.gql(`mutation { upsertCustomer(input: { phone: "13900001001" }) { ... on UpsertCustomerPayload { customer { id } } } }`);
      return { j: b.api.id, c: [own.data.upsertCustomer.customer.id] };
    },
    expect: notFound('journeyId'),
  },
  {
    name: 'enrollCustomers of B\'s customers into A\'s journey is a validation error naming each',
    query: `mutation ($j: ID!, $c: [ID!]!) { enrollCustomers(journeyId: $j, customerIds: $c) { ${ERR} } }`,
    variables: async (a) => ({ j: await ownJourney(a), c: b.customers }),
    expect: invalid('customerIds.0', 'customerIds.1'),
  },
  {
    name: 'previewMessage for B\'s customer is NotFound',
    query: `query ($c: ID!) { previewMessage(template: "{{customer.name}}", customerId: $c) { ${ERR} ... on NotFoundError { field } } }`,
    variables: () => ({ c: b.customers[0] }),
    expect: notFound('customerId'),
  },
  { name: 'updateChannel of B\'s channel is NotFound', query: `mutation ($id: ID!) { updateChannel(id: $id, input: { config: { url: "https://evil.example.com" } }) { ${ERR} ... on NotFoundError { field } } }`, variables: () => ({ id: b.channel }), expect: notFound('id') },
  { name: 'deleteChannel of B\'s channel is NotFound', query: `mutation ($id: ID!) { deleteChannel(id: $id) { ${ERR} ... on NotFoundError { field } } }`, variables: () => ({ id: b.channel }), expect: notFound('id') },
  {
    name: 'ingesting A\'s own order_paid events starts none of B\'s event-triggered journeys',
    query: `mutation { ingestEvents(events: [{ customer: { phone: "13900001002" }, type: "order_paid", idempotencyKey: "k1" }]) { ${ERR} ... on IngestEventsPayload { storedCount } } }`,
    variables: async (a) => {
      await a.gql(`mutation { upsertCustomer(input: { phone: "13900001002" }) { __typename } }`);
      return {};
    },
    expect: (data) => expect(data.ingestEvents).toEqual({ __typename: 'IngestEventsPayload', storedCount: 1 }),
  },
  {
    name: 'updateWorkspace changes A\'s settings only',
    query: `mutation { updateWorkspace(input: { name: "A 改名", frequencyCapPerDay: 1, quietHours: { start: "22:00", end: "08:00" } }) { ${ERR} ... on Workspace { name frequencyCapPerDay } } }`,
    variables: () => ({}),
    expect: (data) => expect(data.updateWorkspace).toEqual({ __typename: 'Workspace', name: 'A 改名', frequencyCapPerDay: 1 }),
  },
];

describe('writes with a key of workspace A aimed at workspace B', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s, and B is unchanged', async (_name, c) => {
    const A = await app.workspace('A brand');
    const result = await A.gql(c.query, await c.variables(A));
    expect(result.errors).toBeUndefined();
    c.expect(result.data);
    await app.runtime.drain();
    expect(await snapshot(B)).toEqual(bBefore);
  });
});
