import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';
import { dbId } from './journey-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const DASHBOARD = `{ dashboard { timeZone customers newCustomersToday newCustomersYesterday buyers30d repeatBuyers30d repurchaseRate30d
  activeJourneys runningCampaigns scheduledCampaigns largestSegment { name size } } }`;
const IMPORT = `mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { __typename ... on ImportOrdersPayload { createdCount failedCount errors { index fields { field message } } } } }`;
const DAY = 86_400_000;

async function customers(ws: TestWorkspace, n: number, prefix: string): Promise<string[]> {
  const r = await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { results { customer { id } } } } }`, {
    c: Array.from({ length: n }, (_, i) => ({ phone: `13${prefix}${String(i).padStart(8, '0')}`.slice(0, 11), name: `${prefix}-${i}` })),
  });
  return r.data.upsertCustomers.results.map((x: any) => x.customer.id);
}

const order = (phone: string, externalId: string, placedAt: Date, status = 'paid') => ({
  customer: { phone },
  platform: 'tmall',
  externalId,
  status,
  total: 10000,
  paid: 10000,
  placedAt: placedAt.toISOString(),
  paidAt: placedAt.toISOString(),
});

describe('dashboard', () => {
  it('counts customers, today\'s new ones in the workspace time zone, 30-day repurchase, live journeys and campaigns, and the largest segment', async () => {
    const ws = await app.workspace();
    const other = await app.workspace();
    await customers(other, 4, '9');

    await app.db.prisma.workspace.update({ where: { id: ws.id }, data: { timeZone: 'Asia/Shanghai' } });
    const ids = await customers(ws, 6, '1');
    // Two customers were created before today (Shanghai): one yesterday, one 40 days ago.
    const startOfToday = new Date(`${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())}T00:00:00+08:00`);
    await app.db.prisma.customer.update({ where: { id: dbId(ids[0]!) }, data: { createdAt: new Date(startOfToday.getTime() - 60_000) } });
    await app.db.prisma.customer.update({ where: { id: dbId(ids[1]!) }, data: { createdAt: new Date(startOfToday.getTime() - 40 * DAY) } });

    const now = Date.now();
    const phone = (i: number) => `131${String(i).padStart(8, '0')}`;
    const imported = await ws.gql(IMPORT, {
      o: [
        // Customer 0: two paid orders in the window: a repeat buyer.
        order(phone(0), 'a1', new Date(now - 2 * DAY)),
        order(phone(0), 'a2', new Date(now - 20 * DAY)),
        // Customer 1: one paid order in the window, one 40 days ago: bought once in the window.
        order(phone(1), 'b1', new Date(now - 3 * DAY)),
        order(phone(1), 'b2', new Date(now - 40 * DAY)),
        // Customer 2: one paid, one refunded: bought once.
        order(phone(2), 'c1', new Date(now - DAY)),
        order(phone(2), 'c2', new Date(now - DAY), 'refunded'),
        // Customer 3: two shipped orders: a repeat buyer.
        order(phone(3), 'd1', new Date(now - 5 * DAY), 'shipped'),
        order(phone(3), 'd2', new Date(now - 6 * DAY), 'completed'),
      ],
    });
    expect(imported.data.importOrders).toMatchObject({ createdCount: 8, failedCount: 0 });

    const small = await ws.gql(`mutation ($i: SegmentInput!) { createSegment(input: $i) { ... on Segment { id } } }`, { i: { name: '小池', type: 'static', customerIds: ids.slice(0, 2) } });
    expect(small.data.createSegment.id).toBeTruthy();
    await ws.gql(`mutation ($i: SegmentInput!) { createSegment(input: $i) { ... on Segment { id } } }`, { i: { name: '大池', type: 'static', customerIds: ids.slice(0, 5) } });

    await app.db.prisma.journey.createMany({
      data: [
        { workspaceId: ws.id, name: '欢迎', status: 'active', draft: {} },
        { workspaceId: ws.id, name: '复购', status: 'active', draft: {} },
        { workspaceId: ws.id, name: '草稿', status: 'draft', draft: {} },
      ],
    });
    await app.db.prisma.campaign.createMany({
      data: [
        { workspaceId: ws.id, name: '618 预热', status: 'running', definition: {} },
        { workspaceId: ws.id, name: '双11', status: 'scheduled', definition: {} },
        { workspaceId: ws.id, name: '已完成', status: 'completed', definition: {} },
      ],
    });

    const r = await ws.gql(DASHBOARD);
    expect(r.errors).toBeUndefined();
    expect(r.data.dashboard).toEqual({
      timeZone: 'Asia/Shanghai',
      customers: 6,
      newCustomersToday: 4,
      newCustomersYesterday: 1,
      buyers30d: 4,
      repeatBuyers30d: 2,
      repurchaseRate30d: 0.5,
      activeJourneys: 2,
      runningCampaigns: 1,
      scheduledCampaigns: 1,
      largestSegment: { name: '大池', size: 5 },
    });
  });

  it('an empty workspace reads zeros and no segment', async () => {
    const ws = await app.workspace();
    const r = await ws.gql(DASHBOARD);
    expect(r.data.dashboard).toMatchObject({ customers: 0, newCustomersToday: 0, buyers30d: 0, repurchaseRate30d: 0, activeJourneys: 0, runningCampaigns: 0, largestSegment: null });
  });

  it('needs the customers:read scope', async () => {
    const ws = await app.workspace();
    const key = await ws.keyWith(['campaigns:read']);
    const denied = await ws.gql(`{ dashboard { customers } }`, undefined, key);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
