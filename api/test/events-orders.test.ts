import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const INGEST = `mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { __typename ... on IngestEventsPayload { storedCount duplicateCount failedCount errors { index code fields { field message } } } ... on ValidationError { message fields { field } } } }`;
const IMPORT = `mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { __typename ... on ImportOrdersPayload { createdCount updatedCount failedCount errors { index fields { field message } } } ... on ValidationError { message } } }`;

async function customer(ws: TestWorkspace, phone: string) {
  const r = await ws.gql(`mutation ($i: CustomerInput!) { upsertCustomer(input: $i) { ... on UpsertCustomerPayload { customer { id } } } }`, { i: { phone } });
  return r.data.upsertCustomer.customer.id as string;
}

describe('ingesting events', () => {
  it('stores a batch once: re-sending it stores nothing twice', async () => {
    const ws = await app.workspace();
    const id = await customer(ws, '13811112222');
    const events = [
      { customer: { id }, type: 'friend_added', idempotencyKey: 'k1', properties: { staff: 'A' } },
      { customer: { phone: '+86 138 1111 2222' }, type: 'message_replied', idempotencyKey: 'k2' },
      { customer: { phone: '13811112222' }, type: 'message_replied', idempotencyKey: 'k2' },
    ];
    expect((await ws.gql(INGEST, { e: events })).data.ingestEvents).toMatchObject({ storedCount: 2, duplicateCount: 1, failedCount: 0 });
    expect((await ws.gql(INGEST, { e: events })).data.ingestEvents).toMatchObject({ storedCount: 0, duplicateCount: 3, failedCount: 0 });
    const r = await ws.gql(`query ($id: ID!) { customer(id: $id) { events { totalCount } } }`, { id });
    expect(r.data.customer.events.totalCount).toBe(2);
  });

  it('stores keys, types, properties and times exactly as sent', async () => {
    const ws = await app.workspace();
    const id = await customer(ws, '13811115555');
    const phone = '13811115555';
    const events = [
      { customer: { phone }, type: 'null', idempotencyKey: 'NULL', occurredAt: '1969-12-31T23:59:59.999Z', properties: { q: 'say "hi"', b: 'a\\b', n: null, u: '键 ✓' } },
      { customer: { phone }, type: 'a.b:c-d_e', idempotencyKey: 'with "quotes" and \\ backslash', occurredAt: '2026-11-11T20:00:00.123+08:00' },
      { customer: { phone }, type: 'x', idempotencyKey: ' {braces}, commas ', properties: { nested: { list: [1, 'two', { three: 3 }] } } },
      { customer: { phone }, type: 'x', idempotencyKey: '键' },
    ];
    expect((await ws.gql(INGEST, { e: events })).data.ingestEvents).toMatchObject({ storedCount: 4, duplicateCount: 0, failedCount: 0 });
    expect((await ws.gql(INGEST, { e: events })).data.ingestEvents).toMatchObject({ storedCount: 0, duplicateCount: 4, failedCount: 0 });
    const r = await ws.gql(`query ($id: ID!) { customer(id: $id) { events(first: 10) { edges { node { type idempotencyKey occurredAt properties } } } } }`, { id });
    const stored = r.data.customer.events.edges.map((e: any) => e.node).sort((a: any, b: any) => a.idempotencyKey.localeCompare(b.idempotencyKey));
    const expected = events
      .map((e) => ({ type: e.type, idempotencyKey: e.idempotencyKey, properties: e.properties ?? {}, ...(e.occurredAt ? { occurredAt: new Date(e.occurredAt).toISOString() } : {}) }))
      .sort((a, b) => a.idempotencyKey.localeCompare(b.idempotencyKey));
    expect(stored).toMatchObject(expected);
  });

  it('rejects bad items by index and field and stores the good ones', async () => {
    const ws = await app.workspace();
    await customer(ws, '13811113333');
    const r = await ws.gql(INGEST, {
      e: [
        { customer: { phone: '13811113333' }, type: 'ok', idempotencyKey: 'a' },
        { customer: { phone: '13899999999' }, type: 'ok', idempotencyKey: 'b' },
        { customer: { phone: '13811113333' }, type: 'Bad Type', idempotencyKey: 'c' },
        { customer: { phone: '13811113333' }, type: 'ok', idempotencyKey: 'd', occurredAt: '2026-13-01' },
        { customer: { phone: '13811113333' }, type: 'ok', idempotencyKey: 'e', properties: 'text' },
        { customer: { phone: '13811113333', email: 'x@example.com' }, type: 'ok', idempotencyKey: 'f' },
        { customer: { id: 'nonsense' }, type: 'ok', idempotencyKey: 'g' },
      ],
    });
    expect(r.data.ingestEvents.storedCount).toBe(1);
    expect(r.data.ingestEvents.errors.map((e: any) => [e.index, e.fields[0].field])).toEqual([
      [1, 'events.1.customer.phone'],
      [2, 'events.2.type'],
      [3, 'events.3.occurredAt'],
      [4, 'events.4.properties'],
      [5, 'events.5.customer'],
      [6, 'events.6.customer.id'],
    ]);
  });

  it('names the field and the rule for each bad item, whichever check would catch it first', async () => {
    const ws = await app.workspace();
    await customer(ws, '13811114444');
    const phone = '13811114444';
    const ahead = new Date(Date.now() + 10 * 60_000).toISOString();
    const r = await ws.gql(INGEST, {
      e: [
        { customer: { phone }, type: 'a'.repeat(64), idempotencyKey: 'k'.repeat(200), properties: { s: 'x'.repeat(8_184) }, occurredAt: new Date().toISOString() },
        { customer: { phone }, type: 'a'.repeat(65), idempotencyKey: 'b' },
        { customer: { phone }, type: '1abc', idempotencyKey: 'c' },
        { customer: { phone }, type: 'ok', idempotencyKey: '' },
        { customer: { phone }, type: 'ok', idempotencyKey: 'k'.repeat(201) },
        { customer: { phone }, type: 'ok', idempotencyKey: 'f', properties: { s: 'x'.repeat(8_185) } },
        { customer: { phone }, type: 'ok', idempotencyKey: 'g', properties: [1, 2] },
        { customer: { phone }, type: 'ok', idempotencyKey: 'h', occurredAt: ahead },
        { customer: { phone: 'not a phone' }, type: 'Bad', idempotencyKey: 'i' },
        { customer: { wecomExternalId: '' }, type: 'ok', idempotencyKey: 'j' },
        { customer: { phone, wecomExternalId: 'wm1' }, type: 'ok', idempotencyKey: 'k' },
        { customer: {}, type: 'ok', idempotencyKey: 'l' },
        { customer: { wecomExternalId: 'wm-nobody' }, type: 'ok', idempotencyKey: 'm' },
      ],
    });
    expect(r.data.ingestEvents).toMatchObject({ storedCount: 1, failedCount: 12 });
    expect(r.data.ingestEvents.errors.map((e: any) => [e.index, e.fields.map((f: any) => `${f.field}: ${f.message}`)])).toEqual([
      [1, ['events.1.type: must start with a letter and use lower-case letters, digits, _ . : - (at most 64), e.g. order_paid']],
      [2, ['events.2.type: must start with a letter and use lower-case letters, digits, _ . : - (at most 64), e.g. order_paid']],
      [3, ['events.3.idempotencyKey: must not be empty']],
      [4, ['events.4.idempotencyKey: must be at most 200 characters']],
      [5, ['events.5.properties: must be at most 8 KiB of JSON']],
      [6, ['events.6.properties: must be a JSON object, e.g. {"skinType": "dry"}']],
      [7, ['events.7.occurredAt: must not be more than 5 minutes in the future']],
      [
        8,
        [
          'events.8.customer.phone: "not a phone" is not a valid phone number; use 11 digits for a mainland mobile (13800138000) or +country code',
          'events.8.type: must start with a letter and use lower-case letters, digits, _ . : - (at most 64), e.g. order_paid',
        ],
      ],
      [9, ['events.9.customer.wecomExternalId: Too small: expected string to have >=1 characters']],
      [10, ['events.10.customer: give exactly one of id, phone, wecomExternalId or email']],
      [11, ['events.11.customer: give exactly one of id, phone, wecomExternalId or email']],
      [12, ['events.12.customer.wecomExternalId: no customer matches; upsert the customer first']],
    ]);
  });

  it('refuses more than 5,000 events in one call', async () => {
    const ws = await app.workspace();
    const e = Array.from({ length: 5001 }, (_, i) => ({ customer: { phone: '13800000000' }, type: 'x', idempotencyKey: String(i) }));
    const r = await ws.gql(INGEST, { e });
    expect(r.data.ingestEvents).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'events' }] });
  });
});

describe('importing orders', () => {
  it('is idempotent by platform + external id: a re-import updates the order, items and customer totals', async () => {
    const ws = await app.workspace();
    const id = await customer(ws, '13822223333');
    const order = {
      customer: { id },
      platform: 'tmall',
      externalId: 'TB-1001',
      status: 'paid',
      total: 25900,
      discount: 2000,
      paid: 23900,
      placedAt: '2026-11-11T00:05:00+08:00',
      paidAt: '2026-11-11T00:06:00+08:00',
      items: [{ sku: 'SH-01', productName: '生姜洗发水', category: '洗发水', quantity: 2, unitPrice: 12950 }],
    };
    expect((await ws.gql(IMPORT, { o: [order] })).data.importOrders).toMatchObject({ createdCount: 1, updatedCount: 0, failedCount: 0 });
    expect((await ws.gql(IMPORT, { o: [{ ...order, status: 'refunded', items: [] }] })).data.importOrders).toMatchObject({ createdCount: 0, updatedCount: 1 });
    const r = await ws.gql(`query ($id: ID!) { customer(id: $id) { orderCount totalSpent lastOrderAt orders { totalCount edges { node { status paid items { sku } } } } } }`, { id });
    expect(r.data.customer).toEqual({
      orderCount: 0,
      totalSpent: 0,
      lastOrderAt: null,
      orders: { totalCount: 1, edges: [{ node: { status: 'refunded', paid: 23900, items: [] } }] },
    });
  });

  it('rejects bad orders by index and field and imports the good ones', async () => {
    const ws = await app.workspace();
    await customer(ws, '13822224444');
    const base = { customer: { phone: '13822224444' }, platform: 'jd', status: 'pending', total: 100, placedAt: '2026-11-01T00:00:00Z' };
    const r = await ws.gql(IMPORT, {
      o: [
        { ...base, externalId: 'ok' },
        { ...base, externalId: 'neg', total: -5 },
        { ...base, externalId: 'float', total: 9.99 },
        { ...base, externalId: 'paid-no-date', status: 'paid' },
        { ...base, externalId: 'ok' },
        { ...base, externalId: 'nobody', customer: { email: 'nobody@example.com' } },
        { ...base, externalId: 'over', paid: 200 },
      ],
    });
    expect(r.data.importOrders.createdCount).toBe(1);
    expect(r.data.importOrders.errors.map((e: any) => [e.index, e.fields[0].field])).toEqual([
      [1, 'orders.1.total'],
      [2, 'orders.2.total'],
      [3, 'orders.3.paidAt'],
      [4, 'orders.4.externalId'],
      [5, 'orders.5.customer.email'],
      [6, 'orders.6.paid'],
    ]);
  });
});
