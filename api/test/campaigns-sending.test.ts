import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, subscribeSse, type TestApp } from '../src/testing.ts';
import { countOf, created, ERR, simple, START, world } from './campaign-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

/** A time tomorrow in Shanghai (after every row's due time, so only windows and limits decide). */
function tomorrowInShanghai(hhmm: string): Date {
  const day = new Date(Date.now() + 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  return new Date(`${day}T${hhmm}:00+08:00`);
}

describe('when and how fast messages go', () => {
  it('sends nothing outside the send window and everything inside it', async () => {
    const ws = await app.workspace();
    await ws.gql(`mutation { updateWorkspace(input: { timeZone: "Asia/Shanghai" }) { __typename } }`);
    const w = await world(ws, 4);
    const id = await created(ws, '午间', simple(w, { windows: [{ start: '12:00', end: '14:00' }] }));
    expect((await ws.gql(START, { id })).data.startCampaign.planned).toBe(4);
    await app.runtime.drain(tomorrowInShanghai('09:00'));
    expect(await countOf(ws, id, 'sent')).toBe(0);
    expect(await countOf(ws, id, 'queued')).toBe(4);
    await app.runtime.drain(tomorrowInShanghai('12:30'));
    expect(await countOf(ws, id, 'sent')).toBe(4);
  });

  it('a sender with a limit of 2 a minute sends 2 in a minute, the next 2 in the next minute', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 5);
    const staff = await app.db.prisma.staff.create({ data: { workspaceId: ws.id, name: '李娜', perMinuteLimit: 2, perDayLimit: 100 } });
    const id = await created(ws, '限速', simple(w, { senderStaffIds: [staff.id] }));
    await ws.gql(START, { id });
    const first = tomorrowInShanghai('10:00');
    await app.runtime.drain(first);
    expect(await countOf(ws, id, 'sent')).toBe(2);
    await app.runtime.drain(new Date(first.getTime() + 61_000));
    expect(await countOf(ws, id, 'sent')).toBe(4);
    const bySender = await ws.gql(`query ($id: ID!) { campaign(id: $id) { results(groupBy: SENDER) { key sent planned } } }`, { id });
    expect(bySender.data.campaign.results).toEqual([{ key: staff.id, sent: 4, planned: 5 }]);
  });

  it('campaign-excluded (risk) tags of the workspace keep their customers out of the audience', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 3);
    const g = await ws.gql(`mutation { createTagGroup(input: { name: "风控", kind: risk }) { ... on TagGroup { id } } }`);
    const tag = (await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "投诉" }) { ... on Tag { id } } }`, { g: g.data.createTagGroup.id })).data.createTag.id;
    await ws.gql(`mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename } }`, { input: { tagIds: [tag], customerIds: [w.customers[0]] } });
    const SET = `mutation ($t: [ID!]) { updateWorkspace(input: { campaignExcludedTagIds: $t }) { ${ERR} ... on Workspace { campaignExcludedTags { name } } } }`;
    expect((await ws.gql(SET, { t: ['VGFnOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA=='] })).data.updateWorkspace.fields.map((f: any) => f.field)).toEqual(['input.campaignExcludedTagIds.0']);
    expect((await ws.gql(SET, { t: [tag] })).data.updateWorkspace).toEqual({ __typename: 'Workspace', campaignExcludedTags: [{ name: '投诉' }] });
    const estimate = await ws.gql(`query ($d: JSONObject!) { estimateAudience(definition: $d) { ... on AudienceEstimate { riskTagged audience } } }`, { d: simple(w) });
    expect(estimate.data.estimateAudience).toEqual({ riskTagged: 1, audience: 2 });
  });
});

describe('campaignProgress', () => {
  it('sends the counts on subscribing, then coalesced updates with the send rate as messages go out', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 6);
    const id = await created(ws, '进度', simple(w));
    const sub = await subscribeSse(app, ws.key, `subscription ($id: ID!) { campaignProgress(id: $id) { campaignId queued sent failed delivered rate counts { total } } }`, { id });
    try {
      expect(await sub.waitFor(1, 3000)).toBe(1);
      expect(sub.received[0].data.campaignProgress).toEqual({ campaignId: id, queued: 0, sent: 0, failed: 0, delivered: 0, rate: 0, counts: null });
      await ws.gql(START, { id });
      await app.runtime.drain();
      expect(await sub.waitFor(2, 3000)).toBe(2);
      // The start and the send passes within a second make one message, not one each.
      await new Promise((r) => setTimeout(r, 1200));
      expect(sub.received.length).toBeLessThanOrEqual(3);
      const last = sub.received.at(-1).data.campaignProgress;
      expect(last).toMatchObject({ queued: 0, sent: 6, failed: 0, counts: { total: 6 } });
      expect(last.rate).toBeGreaterThan(0);
    } finally {
      sub.close();
    }
  });
});

describe('workspace isolation', () => {
  it('another workspace can neither read, start nor subscribe to a campaign, nor name its segments', async () => {
    const A = await app.workspace('A');
    const B = await app.workspace('B');
    const w = await world(A, 2);
    const id = await created(A, '甲', simple(w));
    expect((await B.gql(`query ($id: ID!) { campaign(id: $id) { id } node(id: $id) { id } }`, { id })).data).toEqual({ campaign: null, node: null });
    expect((await B.gql(START, { id })).data.startCampaign).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect((await B.gql(`{ campaigns { totalCount } }`)).data.campaigns.totalCount).toBe(0);
    await A.gql(START, { id });
    expect(await countOf(B, id)).toBe(0);
    expect(await countOf(A, id)).toBe(2);
    const bChannel = (await B.gql(`mutation { createChannel(input: { type: log, name: "记录" }) { ... on Channel { id } } }`)).data.createChannel.id;
    const foreign = await B.gql(`mutation ($input: CampaignInput!) { createCampaign(input: $input) { ${ERR} } }`, {
      input: { name: '乙', definition: simple({ ...w, channelId: bChannel }) },
    });
    expect(foreign.data.createCampaign.fields.map((f: any) => f.field)).toEqual(['input.definition.audience.segmentIds.0']);
    const sub = await subscribeSse(app, B.key, `subscription ($id: ID!) { campaignProgress(id: $id) { sent } }`, { id });
    try {
      expect(await sub.waitFor(1, 3000)).toBe(1);
      expect(sub.received[0].errors[0].extensions.code).toBe('NOT_FOUND');
    } finally {
      sub.close();
    }
  });
});

describe('createRepurchaseSegment', () => {
  it('selects who bought the SKU between toDays and fromDays days ago and not since', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 3);
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    const order = (i: number, externalId: string, days: number) => ({
      customer: { id: w.customers[i] }, platform: 'tmall', externalId, status: 'paid', total: 9900, paid: 9900, placedAt: daysAgo(days), paidAt: daysAgo(days),
      items: [{ sku: 'SERUM-30', productName: '精华 30ml', category: '精华', quantity: 1, unitPrice: 9900 }],
    });
    const imported = await ws.gql(`mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { ... on ImportOrdersPayload { createdCount } } }`, {
      o: [order(0, 'T-1', 45), order(1, 'T-2', 45), order(1, 'T-3', 5), order(2, 'T-4', 100)],
    });
    expect(imported.data.importOrders.createdCount).toBe(4);
    const CREATE_SEGMENT = `mutation ($i: RepurchaseSegmentInput!) { createRepurchaseSegment(input: $i) { ${ERR} ... on Segment { name type timeDependent members { edges { node { id } } } } } }`;
    const bad = await ws.gql(CREATE_SEGMENT, { i: { name: '复购', by: 'sku', values: ['SERUM-30'], fromDays: 30, toDays: 20 } });
    expect(bad.data.createRepurchaseSegment.fields).toEqual([{ field: 'input.toDays', message: 'must be greater than fromDays' }]);
    const made = await ws.gql(CREATE_SEGMENT, { i: { name: '复购', by: 'sku', values: ['SERUM-30'], fromDays: 30, toDays: 60 } });
    expect(made.data.createRepurchaseSegment).toMatchObject({ __typename: 'Segment', type: 'dynamic', timeDependent: true });
    expect(made.data.createRepurchaseSegment.members.edges.map((e: any) => e.node.id)).toEqual([w.customers[0]]);
  });
});

describe('reading messages', () => {
  it('a page of messages with their customer, run and campaign takes as many statements for 3 as for 30', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 30);
    const id = await created(ws, '读取', simple(w));
    expect((await ws.gql(START, { id })).data.startCampaign.planned).toBe(30);
    const PAGE = `query ($c: ID!, $first: Int) { deliveries(campaignId: $c, first: $first) { edges { node { status customer { name } run { number } campaign { name } } } } }`;
    const count = async (first: number) => {
      app.sql.length = 0;
      const r = await ws.gql(PAGE, { c: id, first });
      expect(r.errors).toBeUndefined();
      expect(r.data.deliveries.edges).toHaveLength(first);
      expect(r.data.deliveries.edges[0].node).toMatchObject({ status: 'queued', run: { number: 1 }, campaign: { name: '读取' } });
      return app.sql.filter((q) => !/^(BEGIN|COMMIT)/i.test(q)).length;
    };
    expect(await count(30)).toBe(await count(3));
  });
});
