// Shared by the campaigns API tests: GraphQL documents and a workspace with a channel, customers
// and a static segment of them.
import { expect } from 'vitest';
import type { TestWorkspace } from '../src/testing.ts';

export const ERR = `__typename ... on Error { code message } ... on ValidationError { fields { field message } }`;
export const CAMPAIGN = `id name status kind cron nextRunAt scheduledAt definition`;
export const CREATE = `mutation ($input: CampaignInput!) { createCampaign(input: $input) { ${ERR} ... on Campaign { ${CAMPAIGN} } } }`;
export const START = `mutation ($id: ID!) { startCampaign(id: $id) { ${ERR} ... on CampaignStateError { status }
  ... on EmptyAudienceError { field estimate { inSegments blacklisted audience } }
  ... on StartCampaignPayload { planned heldOut campaign { status } run { number status planned heldOut } } } }`;
export const STATE = (op: string) => `mutation ($id: ID!) { ${op}(id: $id) { ${ERR} ... on CampaignStateError { status } ... on Campaign { status } } }`;
export const DELIVERIES = `query ($c: ID!, $s: DeliveryStatus, $v: String) { deliveries(campaignId: $c, status: $s, variant: $v, first: 100) {
  totalCount edges { node { id status variant body senderStaffId sentAt customer { id name } run { number } campaign { name } } } } }`;

/** How many of the campaign's deliveries are in `status`, as the API reports it. */
export async function countOf(ws: TestWorkspace, campaignId: string, status?: string): Promise<number> {
  const r = await ws.gql(DELIVERIES, { c: campaignId, s: status });
  expect(r.errors).toBeUndefined();
  return r.data.deliveries.totalCount;
}

/** The phone of the i-th customer of `world`, from 0. */
export const phoneOf = (i: number) => `139${String(10_000_000 + i).slice(-8)}`;

export interface World {
  channelId: string;
  segmentId: string;
  customers: string[];
}

/**
 * A log channel, `n` consenting customers (the first `blacklisted` of them blacklisted, the next
 * `noConsent` without marketing consent) and a static segment of all of them.
 */
export async function world(ws: TestWorkspace, n: number, options: { blacklisted?: number; noConsent?: number; name?: string } = {}): Promise<World> {
  const channel = await ws.gql(`mutation { createChannel(input: { type: log, name: "记录" }) { ${ERR} ... on Channel { id } } }`);
  expect(channel.data.createChannel.__typename).toBe('Channel');
  const b = options.blacklisted ?? 0;
  const c = options.noConsent ?? 0;
  const input = Array.from({ length: n }, (_, i) => ({
    phone: phoneOf(i),
    name: `客户${i + 1}`,
    marketingConsent: !(i >= b && i < b + c),
    blacklisted: i < b,
  }));
  const r = await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { results { customer { id phone } } } } }`, { c: input });
  const byPhone = new Map<string, string>(r.data.upsertCustomers.results.map((x: any) => [x.customer.phone, x.customer.id]));
  const customers = input.map((i) => byPhone.get(i.phone)!);
  const segment = await ws.gql(`mutation ($i: SegmentInput!) { createSegment(input: $i) { ${ERR} ... on Segment { id size } } }`, {
    i: { name: options.name ?? '会员', type: 'static', customerIds: customers },
  });
  expect(segment.data.createSegment).toMatchObject({ __typename: 'Segment', size: n });
  return { channelId: channel.data.createChannel.id, segmentId: segment.data.createSegment.id, customers };
}

/** A one-variant definition to the segment through the channel; `extra` overrides parts. */
export const simple = (w: World, extra: Record<string, unknown> = {}) => ({
  audience: { segmentIds: [w.segmentId] },
  content: { channelId: w.channelId, variants: [{ key: 'A', weight: 100, body: '{{customer.name}}，您好' }] },
  ...extra,
});

/** Creates a campaign; returns its id. */
export async function created(ws: TestWorkspace, name: string, definition: unknown, more: Record<string, unknown> = {}): Promise<string> {
  const r = await ws.gql(CREATE, { input: { name, definition, ...more } });
  expect(r.data.createCampaign).toMatchObject({ __typename: 'Campaign', status: 'draft' });
  return r.data.createCampaign.id;
}
