import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const SUGGESTIONS = `{ segmentSuggestions { eventTypes channels skus categories platforms attributeKeys } }`;

describe('segment suggestions', () => {
  it('lists the distinct event types, channels, SKUs, categories, platforms and attribute keys of the workspace only', async () => {
    const ws = await app.workspace();
    const other = await app.workspace();
    expect((await ws.gql(SUGGESTIONS)).data.segmentSuggestions).toEqual({ eventTypes: [], channels: [], skus: [], categories: [], platforms: [], attributeKeys: [] });

    await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { __typename } }`, {
      c: [
        { phone: '13800000001', sourceChannel: 'tmall', attributes: { vipLevel: 2 } },
        { phone: '13800000002', sourceChannel: 'parcel_card', attributes: { skinType: 'dry', vipLevel: 1 } },
        { phone: '13800000003', sourceChannel: 'tmall' },
      ],
    });
    await ws.gql(`mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { __typename } }`, {
      e: [
        { customer: { phone: '13800000001' }, type: 'order_paid', idempotencyKey: 'a' },
        { customer: { phone: '13800000002' }, type: 'friend_added', idempotencyKey: 'b' },
        { customer: { phone: '13800000003' }, type: 'order_paid', idempotencyKey: 'c' },
      ],
    });
    const imported = await ws.gql(`mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { __typename ... on ImportOrdersPayload { createdCount errors { index fields { field message } } } } }`, {
      o: [
        {
          customer: { phone: '13800000001' }, platform: 'youzan', externalId: 'o1', status: 'paid', total: 19900, placedAt: '2026-01-02T10:00:00+08:00', paidAt: '2026-01-02T10:01:00+08:00', paid: 19900,
          items: [{ sku: 'SHAMPOO-500', productName: '洗发水', category: '洗护', quantity: 1, unitPrice: 9900 }, { sku: 'MASK-01', productName: '发膜', quantity: 1, unitPrice: 10000 }],
        },
        { customer: { phone: '13800000002' }, platform: 'tmall', externalId: 'o2', status: 'paid', total: 9900, placedAt: '2026-01-03T10:00:00+08:00', paidAt: '2026-01-03T10:01:00+08:00', paid: 9900, items: [{ sku: 'SHAMPOO-500', productName: '洗发水', category: '洗护', quantity: 1, unitPrice: 9900 }] },
      ],
    });
    expect(imported.data.importOrders).toMatchObject({ createdCount: 2, errors: [] });
    await other.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { __typename } }`, { c: [{ phone: '13800000009', sourceChannel: 'douyin', attributes: { secret: 1 } }] });

    expect((await ws.gql(SUGGESTIONS)).data.segmentSuggestions).toEqual({
      eventTypes: ['friend_added', 'order_paid'],
      channels: ['parcel_card', 'tmall'],
      skus: ['MASK-01', 'SHAMPOO-500'],
      categories: ['洗护'],
      platforms: ['tmall', 'youzan'],
      attributeKeys: ['skinType', 'vipLevel'],
    });
  });
});
