import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';
import { edge, node } from './journey-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const SIMULATE = `query ($d: JSONObject!, $c: ID!, $e: [SimulatedEventInput!], $s: DateTime) {
  simulateJourney(definition: $d, customerId: $c, events: $e, start: $s) {
    __typename ... on Error { code message }
    ... on JourneySimulation { outcome endedAt steps { nodeId outcome port at leftAt } effects { kind nodeId at detail } issues { code nodeId } } } }`;

const cart = {
  nodes: [
    node('t', 'event', { eventType: 'cart.abandoned' }),
    node('paid', 'wait-for-event', { eventType: 'order.paid', matchTriggerProperty: 'cartId', timeout: { amount: 2, unit: 'hours' } }),
    node('nudge', 'send-message', { channel: 'log', body: '{{customer.name}}，您的购物车还有 {{trigger.event.properties.items}} 件宝贝' }),
  ],
  edges: [edge('t', 'next', 'paid'), edge('paid', 'timeout', 'nudge')],
};

describe('simulateJourney', () => {
  it('returns the path with sandbox timestamps and the message it would send, and sends nothing', async () => {
    const ws = await app.workspace();
    const r = await ws.gql(`mutation { upsertCustomer(input: { phone: "13900000011", name: "林小姐" }) { ... on UpsertCustomerPayload { customer { id } } } }`);
    const customerId = r.data.upsertCustomer.customer.id;
    const start = '2026-06-18T02:00:00.000Z';
    const out = await ws.gql(SIMULATE, { d: cart, c: customerId, s: start, e: [{ type: 'cart.abandoned', properties: { cartId: 'A', items: 3 }, at: start }] });
    const sim = out.data.simulateJourney;
    expect(sim.outcome).toBe('completed');
    expect(sim.steps.map((s: any) => [s.nodeId, s.outcome, s.at])).toEqual([
      ['t', 'next', start],
      ['paid', 'timeout', start],
      ['nudge', 'next', '2026-06-18T04:00:00.000Z'],
    ]);
    expect(sim.effects).toEqual([{ kind: 'message', nodeId: 'nudge', at: '2026-06-18T04:00:00.000Z', detail: { channel: 'log', body: '林小姐，您的购物车还有 3 件宝贝' } }]);
    const deliveries = await app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Delivery" WHERE "workspaceId" = $1`, [ws.id]);
    expect(deliveries[0]!.n).toBe(0);
  });

  it('an invalid definition comes back as invalid with its issues', async () => {
    const ws = await app.workspace();
    const r = await ws.gql(`mutation { upsertCustomer(input: { phone: "13900000012" }) { ... on UpsertCustomerPayload { customer { id } } } }`);
    const out = await ws.gql(SIMULATE, { d: { nodes: [node('x', 'exit')], edges: [] }, c: r.data.upsertCustomer.customer.id });
    expect(out.data.simulateJourney.outcome).toBe('invalid');
    expect(out.data.simulateJourney.issues.map((i: any) => i.code)).toContain('MISSING_TRIGGER');
  });

  it("another workspace's customer is not found", async () => {
    const a = await app.workspace();
    const b = await app.workspace();
    const r = await b.gql(`mutation { upsertCustomer(input: { phone: "13900000013" }) { ... on UpsertCustomerPayload { customer { id } } } }`);
    const out = await a.gql(SIMULATE, { d: cart, c: r.data.upsertCustomer.customer.id });
    expect(out.data.simulateJourney).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });
});
