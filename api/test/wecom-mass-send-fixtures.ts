// The world of the WeCom mass-send tests: a test app whose runtime sends through each workspace's
// WeCom connection to a stand-in of its own (a real HTTP server), with short rate-limit blocks and
// a short reconciliation window; workspaces with staff and customers, and campaigns to them.
process.env.COURTYARD_SECRET_KEY ??= 'courtyard-test-secret-key';

import { startWeComStandIn, type WeComStandIn, type WeComStandInOptions } from '@courtyard/wecom/standin';
import { TEST_CORP } from '@courtyard/wecom/standin/testing';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';
import { CREATE as CREATE_CAMPAIGN, ERR, START } from './campaign-fixtures.ts';

export let app: TestApp;
const standIns: WeComStandIn[] = [];
/** A short reconciliation window after a lost add_msg_template answer, searched every 300 ms (10 minutes and 2.5 minutes by default). */
export const RECONCILE_WINDOW_MS = 4000;

/** Registers the app's set-up and tear-down in the calling test file; `app` is set from then on. */
export function useMassSendApp() {
  beforeAll(async () => {
    // Short 45009 blocks and busy back-offs so the test does not wait WeCom's real minute.
    app = await createTestApp({ runtime: { wecom: { client: { rateLimitBlockMs: 300, busyBackoffMs: 10 }, pollMs: 60_000, reconcileWindowMs: RECONCILE_WINDOW_MS, reconcileEveryMs: 300 } } });
  });
  afterEach(async () => {
    await Promise.all(standIns.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await app.close();
  });
}

const CONNECT = `mutation ($input: ConnectWeComInput!) { connectWeCom(input: $input) { __typename } }`;
export const later = (ms: number) => new Date(Date.now() + ms);
export const HOUR = 3_600_000;

export interface Connected {
  ws: TestWorkspace;
  s: WeComStandIn;
  staff: Record<'zhangsan' | 'lisi', string>;
  /** Customer ids by external userid: wm_zhangsan_1 … belong to zhangsan, wm_lisi_1 … to lisi. */
  customers: Record<string, string>;
  channelId: string;
  segment(ids: string[]): Promise<string>;
}

/** A workspace connected to a fresh stand-in, staff zhangsan and lisi with `perStaff` customers each (friends in WeCom too). */
export async function connected(perStaff = 2, options: Partial<WeComStandInOptions> = {}): Promise<Connected> {
  const ws = await app.workspace();
  const s = await startWeComStandIn({ ...TEST_CORP, ...options });
  standIns.push(s);
  const r = await ws.gql(CONNECT, { input: { corpId: TEST_CORP.corpId, agentSecret: 'standin-secret', callbackToken: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, baseUrl: s.url } });
  expect(r.data.connectWeCom.__typename).toBe('WeComConnection');
  const staff = {} as Connected['staff'];
  const customers: Record<string, string> = {};
  for (const userid of ['zhangsan', 'lisi'] as const) {
    s.addStaff({ userid });
    staff[userid] = (await app.db.prisma.staff.create({ data: { workspaceId: ws.id, name: userid, wecomUserId: userid } })).id;
    for (let i = 1; i <= perStaff; i++) {
      const external = `wm_${userid}_${i}`;
      s.state.customers.set(external, { external_userid: external, name: external, type: 1, gender: 0 });
      s.state.follows.push({ userid, external_userid: external, createtime: Math.floor(Date.now() / 1000) - 86_400, add_way: 1, tags: new Set() });
      customers[external] = (await app.db.prisma.customer.create({ data: { workspaceId: ws.id, name: external, wecomExternalId: external, ownerStaffId: staff[userid] } })).id;
    }
  }
  const channelId = (await app.db.prisma.channel.create({ data: { workspaceId: ws.id, type: 'wecom', name: '企业微信', config: {} } })).id;
  const segment = async (ids: string[]) => {
    const seg = await ws.gql(`mutation ($i: SegmentInput!) { createSegment(input: $i) { ${ERR} ... on Segment { id } } }`, {
      i: { name: `客户 ${Math.random()}`, type: 'static', customerIds: ids.map((id) => Buffer.from(`Customer:${id}`).toString('base64')) },
    });
    return seg.data.createSegment.id as string;
  };
  return { ws, s, staff, customers, channelId, segment };
}

export async function campaign(c: Connected, name: string, customerIds: string[], body = '春茶上新，点击查看'): Promise<string> {
  const definition = { audience: { segmentIds: [await c.segment(customerIds)] }, content: { channelId: c.channelId, variants: [{ key: 'A', weight: 100, body }] }, senderStaffIds: [c.staff.zhangsan, c.staff.lisi] };
  const created = await c.ws.gql(CREATE_CAMPAIGN, { input: { name, definition } });
  expect(created.data.createCampaign.__typename).toBe('Campaign');
  const started = await c.ws.gql(START, { id: created.data.createCampaign.id });
  expect(started.data.startCampaign.__typename).toBe('StartCampaignPayload');
  await app.runtime.drain();
  return created.data.createCampaign.id;
}

export const tasksOf = (ws: TestWorkspace) => app.db.prisma.weComMassSend.findMany({ where: { workspaceId: ws.id }, orderBy: { staffUserId: 'asc' } });
export const deliveriesOf = async (ws: TestWorkspace) => {
  const rows = await app.db.prisma.delivery.findMany({ where: { workspaceId: ws.id }, orderBy: { createdAt: 'asc' } });
  const customers = new Map((await app.db.prisma.customer.findMany({ where: { id: { in: rows.map((d) => d.customerId) } } })).map((c) => [c.id, c]));
  return rows.map((d) => ({ ...d, customer: customers.get(d.customerId)! }));
};
export const msgidOf = async (ws: TestWorkspace, staff: string) => (await tasksOf(ws)).find((t) => t.staffUserId === staff)!.msgid!;
