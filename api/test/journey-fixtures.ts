// Shared by the journeys API tests: GraphQL documents, node and edge builders, a workspace with
// customers and tags, and a publish helper.
import { expect } from 'vitest';
import type { TestWorkspace } from '../src/testing.ts';
/** The database id inside a global ID: what node configs name tags and channels by. */
export const dbId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

export const ERR = `__typename ... on Error { code message } ... on ValidationError { fields { field message } }`;
export const CREATE = `mutation ($input: JourneyInput!) { createJourney(input: $input) { ${ERR} ... on Journey { id status draftChanged } } }`;
export const UPDATE = `mutation ($id: ID!, $input: JourneyPatch!) { updateJourney(id: $id, input: $input) { ${ERR} ... on Journey { id draftChanged } } }`;
export const PUBLISH = `mutation ($id: ID!, $migrate: Boolean) { publishJourney(id: $id, migrate: $migrate) {
  ${ERR} ... on JourneyValidationError { issues { code nodeId field message } } ... on JourneyStateError { status }
  ... on PublishJourneyPayload { version { number accepting } journey { status latestVersion draftChanged } migration { moved unmatched { nodeId customers } } } } }`;
export const ENROLL = `mutation ($j: ID!, $c: [ID!]!, $k: String, $d: JSONObject) { enrollCustomers(journeyId: $j, customerIds: $c, requestKey: $k, data: $d) {
  ${ERR} ... on JourneyStateError { status } ... on EnrollCustomersPayload { enrolled skipped } } }`;
export const STATUS = (op: string) => `mutation ($id: ID!) { ${op}(id: $id) { ${ERR} ... on JourneyStateError { status } ... on Journey { status } } }`;
export const STATS = `query ($id: ID!) { journey(id: $id) { stats { nodeId entered waiting completed failed exited byPort { port count } } } }`;

export const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type: `courtyard.${type}`, version: '1.0.0', config });
export const edge = (from: string, port: string, to: string) => ({ from, port, to });

export interface Setup {
  customers: Record<string, string>;
  tags: Record<string, string>;
}

/** Three consenting customers (one VIP) and the tags VIP and 已关怀. */
export async function setup(ws: TestWorkspace): Promise<Setup> {
  const r = await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { results { customer { id phone } } } } }`, {
    c: [
      { phone: '13900000001', name: '林小姐', marketingConsent: true },
      { phone: '13900000002', name: '王先生', marketingConsent: true },
      { phone: '13900000003', name: '陈女士', marketingConsent: true },
    ],
  });
  const customers = Object.fromEntries(r.data.upsertCustomers.results.map((x: any) => [x.customer.phone, x.customer.id])) as Record<string, string>;
  const g = await ws.gql(`mutation { createTagGroup(input: { name: "会员", kind: basic }) { ... on TagGroup { id } } }`);
  const tags: Record<string, string> = {};
  for (const name of ['VIP', '已关怀']) {
    const t = await ws.gql(`mutation ($g: ID!, $n: String!) { createTag(input: { groupId: $g, name: $n }) { ... on Tag { id } } }`, { g: g.data.createTagGroup.id, n: name });
    tags[name] = t.data.createTag.id;
  }
  await ws.gql(`mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename } }`, { input: { tagIds: [tags.VIP], customerIds: [customers['13900000001']] } });
  return { customers, tags };
}

export async function tagsOf(ws: TestWorkspace, customerId: string): Promise<string[]> {
  const r = await ws.gql(`query ($id: ID!) { node(id: $id) { ... on Customer { tags { name } } } }`, { id: customerId });
  return r.data.node.tags.map((t: any) => t.name).sort();
}

/** Creates and publishes a journey; returns its id. */
export async function published(ws: TestWorkspace, name: string, definition: unknown, settings?: unknown): Promise<string> {
  const created = await ws.gql(CREATE, { input: { name, definition, ...(settings ? { settings } : {}) } });
  expect(created.data.createJourney.__typename).toBe('Journey');
  const p = await ws.gql(PUBLISH, { id: created.data.createJourney.id });
  expect(p.data.publishJourney.__typename).toBe('PublishJourneyPayload');
  return created.data.createJourney.id;
}

export const waitThenTag = (tagId: string) => ({
  nodes: [node('start', 'api'), node('wait', 'wait', { duration: { amount: 1, unit: 'days' } }), node('tag', 'add-tags', { tagIds: [tagId] })],
  edges: [edge('start', 'next', 'wait'), edge('wait', 'next', 'tag')],
});
