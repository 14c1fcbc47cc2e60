// The WeCom slice end to end: the API listening on a real port, the WeCom stand-in as a real HTTP
// server pushing signed, encrypted callbacks to it.
process.env.COURTYARD_SECRET_KEY ??= 'courtyard-test-secret-key';

import { buildWeComXml, createCallbackCrypto, type SignedQuery, type XmlInput } from '@courtyard/wecom';
import { startWeComStandIn, type WeComStandIn } from '@courtyard/wecom/standin';
import { TEST_CORP } from '@courtyard/wecom/standin/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.ts';
import { createTestApp, subscribeSse, type TestApp, type TestWorkspace } from '../src/testing.ts';
import { dbId, edge, node, published } from './journey-fixtures.ts';

let app: TestApp;
let server: RunningServer;
const standIns: WeComStandIn[] = [];

beforeAll(async () => {
  app = await createTestApp();
  server = await startServer(app, { port: 0, host: '127.0.0.1' });
});
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await server.close();
  await app.close();
});

const ERR_BASE = `__typename ... on Error { code message } ... on ValidationError { fields { field message } } ... on WeComRejectedError { field wecomCode }`;
const ERR = `${ERR_BASE} ... on UnknownVariableError { field variable known }`;
const CONNECT = `mutation ($input: ConnectWeComInput!) { connectWeCom(input: $input) { ${ERR_BASE} ... on WeComConnection { corpId agentSecretHint status callbackPath baseUrl } } }`;
const CREATE_CODE = `mutation ($input: WeComLiveCodeInput!) { createWeComLiveCode(input: $input) { ${ERR} ... on WeComLiveCode { id liveCodeId configId state qrCodeUrl currentUserIds } } }`;
const callbackUrl = (ws: TestWorkspace) => `http://127.0.0.1:${server.port}/wecom/callback/${ws.id}`;

async function standIn(): Promise<WeComStandIn> {
  const s = await startWeComStandIn({ ...TEST_CORP });
  for (const userid of ['zhangsan', 'lisi']) s.addStaff({ userid, name: userid === 'zhangsan' ? '张三' : '李四' });
  standIns.push(s);
  return s;
}

/** A workspace connected to a fresh stand-in that pushes its callbacks to this workspace, with staff zhangsan and lisi. */
async function connected() {
  const ws = await app.workspace();
  const s = await standIn();
  const r = await ws.gql(CONNECT, { input: { corpId: TEST_CORP.corpId, agentSecret: 'standin-secret', callbackToken: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, baseUrl: s.url } });
  expect(r.data.connectWeCom.__typename).toBe('WeComConnection');
  s.setCallbackUrl(callbackUrl(ws));
  await app.db.prisma.staff.createMany({ data: [{ workspaceId: ws.id, name: '张三', wecomUserId: 'zhangsan' }, { workspaceId: ws.id, name: '李四', wecomUserId: 'lisi' }] });
  const group = await ws.gql(`mutation { createTagGroup(input: { name: "渠道", kind: basic }) { ... on TagGroup { id } } }`);
  const tag = await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "包裹卡" }) { ... on Tag { id } } }`, { g: group.data.createTagGroup.id });
  return { ws, s, channelTag: tag.data.createTag.id as string };
}

const codeInput = (tagId: string, extra: Record<string, unknown> = {}) => ({
  name: '包裹卡 · 6 月',
  channel: 'parcel_card',
  staff: [{ userId: 'zhangsan' }, { userId: 'lisi' }],
  assignment: 'round_robin',
  tagIds: [tagId],
  welcome: { text: '{{customer_name}}您好，我是{{staff_name}}。新人券：{{coupon}}', coupon: 'NEW20', link: { title: '{{live_code}}专享', url: 'https://shop.example.com/new' } },
  ...extra,
});

const count = (ws: TestWorkspace, type: string) => app.db.prisma.event.count({ where: { workspaceId: ws.id, type } });
const receipts = (ws: TestWorkspace) => app.db.prisma.weComCallback.count({ where: { workspaceId: ws.id } });
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

describe('connecting WeCom', () => {
  it('a wrong secret is a WeComRejectedError on input.agentSecret, a wrong corp id on input.corpId, and nothing is stored', async () => {
    const ws = await app.workspace();
    const s = await standIn();
    const base = { corpId: TEST_CORP.corpId, agentSecret: 'wrong-secret', callbackToken: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, baseUrl: s.url };
    const bad = await ws.gql(CONNECT, { input: base });
    expect(bad.data.connectWeCom).toMatchObject({ __typename: 'WeComRejectedError', code: 'WECOM_REJECTED', field: 'input.agentSecret', wecomCode: 40001 });
    const corp = await ws.gql(CONNECT, { input: { ...base, corpId: 'wwnotthiscorp', agentSecret: 'standin-secret' } });
    expect(corp.data.connectWeCom).toMatchObject({ __typename: 'WeComRejectedError', field: 'input.corpId', wecomCode: 40013 });
    const key = await ws.gql(CONNECT, { input: { ...base, encodingAesKey: 'short' } });
    expect(key.data.connectWeCom.fields[0].field).toBe('input.encodingAesKey');
    expect(await app.db.prisma.weComConnection.count({ where: { workspaceId: ws.id } })).toBe(0);
  });

  it('the connection reads back with a masked secret hint, and the database holds no plaintext credential', async () => {
    const { ws } = await connected();
    const r = await ws.gql(`{ wecomConnection { corpId agentSecretHint status callbackPath } }`);
    expect(r.data.wecomConnection).toEqual({ corpId: TEST_CORP.corpId, agentSecretHint: '••••••cret', status: 'connected', callbackPath: `/wecom/callback/${ws.id}` });
    const row = await app.db.prisma.weComConnection.findUniqueOrThrow({ where: { workspaceId: ws.id } });
    const stored = JSON.stringify(row);
    for (const plain of ['standin-secret', TEST_CORP.token, TEST_CORP.encodingAesKey]) expect(stored).not.toContain(plain);
    // Changing only the base URL keeps the stored secrets.
    const again = await ws.gql(CONNECT, { input: { corpId: TEST_CORP.corpId, baseUrl: (await app.db.prisma.weComConnection.findUniqueOrThrow({ where: { workspaceId: ws.id } })).baseUrl } });
    expect(again.data.connectWeCom.__typename).toBe('WeComConnection');
  });
});

describe('live codes', () => {
  it('a welcome message with an unknown variable, an unknown staff userid or too many staff is refused before WeCom is called', async () => {
    const { ws, s, channelTag } = await connected();
    const unknownVar = await ws.gql(CREATE_CODE, { input: codeInput(channelTag, { welcome: { text: '您好 {{nickname}}' } }) });
    expect(unknownVar.data.createWeComLiveCode).toMatchObject({ __typename: 'UnknownVariableError', field: 'input.welcome.text', variable: 'nickname' });
    expect(unknownVar.data.createWeComLiveCode.known).toContain('coupon');
    const staff = await ws.gql(CREATE_CODE, { input: codeInput(channelTag, { staff: [{ userId: 'zhangsan' }, { userId: 'nobody' }] }) });
    expect(staff.data.createWeComLiveCode.fields.map((f: any) => f.field)).toEqual(['input.staff.1.userId']);
    const many = await ws.gql(CREATE_CODE, { input: codeInput(channelTag, { staff: Array.from({ length: 101 }, (_, i) => ({ userId: `u${i}` })) }) });
    expect(many.data.createWeComLiveCode.fields[0]).toMatchObject({ field: 'input.staff' });
    const coupon = await ws.gql(CREATE_CODE, { input: codeInput(channelTag, { welcome: { text: '券 {{coupon}}' } }) });
    expect(coupon.data.createWeComLiveCode.fields[0].field).toBe('input.welcome.coupon');
    expect(s.state.contactWays.size).toBe(0);
  });

  it('scan → callback → customer with the channel tag, rendered welcome message, 1 add today, journey enrolment; the code turns to the next staff member', async () => {
    const { ws, s, channelTag } = await connected();
    const group = await ws.gql(`mutation { createTagGroup(input: { name: "旅程", kind: behaviour }) { ... on TagGroup { id } } }`);
    const greeted = (await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "已欢迎" }) { ... on Tag { id } } }`, { g: group.data.createTagGroup.id })).data.createTag.id;
    const journeyId = await published(ws, '加好友旅程', {
      nodes: [node('start', 'event', { eventType: 'wecom.contact_added' }), node('tag', 'add-tags', { tagIds: [dbId(greeted)] })],
      edges: [edge('start', 'next', 'tag')],
    });

    const created = await ws.gql(CREATE_CODE, { input: codeInput(channelTag) });
    const code = created.data.createWeComLiveCode;
    expect(code.__typename).toBe('WeComLiveCode');
    expect(code.state.length).toBeLessThanOrEqual(30);
    expect(code.currentUserIds).toEqual(['zhangsan']);
    const way = s.state.contactWays.get(code.configId)!;
    expect(way).toMatchObject({ type: 2, scene: 2, state: code.state, user: ['zhangsan'], skip_verify: true, remark: '包裹卡 · 6 月' });
    expect(code.qrCodeUrl).toBe(way.qr_code);
    expect(await s.verifyCallbackUrl()).toBe(true);

    const scan = await s.simulateScan({ config_id: code.configId, name: '林小姐' });
    expect(scan.callback.attempts).toEqual([200]);
    await server.wecom.drain();

    const customer = await app.db.prisma.customer.findUniqueOrThrow({
      where: { workspaceId_wecomExternalId: { workspaceId: ws.id, wecomExternalId: scan.external_userid } },
      include: { tags: { include: { tag: true } }, ownerStaff: true },
    });
    // The profile (externalcontact/get, read as the callback was acknowledged) is written with the
    // customer; the welcome text names the customer and used that same read.
    expect(customer.name).toBe('林小姐');
    expect(s.state.counters.calls.get('externalcontact/get')).toBe(1);
    expect(customer.ownerStaff?.wecomUserId).toBe('zhangsan');
    expect(customer.sourceChannel).toBe('wecom:parcel_card');
    expect(customer.tags.map((t) => t.tag.name)).toEqual(['包裹卡']);
    expect(s.state.welcomeMessages).toHaveLength(1);
    expect(s.state.welcomeMessages[0]).toMatchObject({
      userid: 'zhangsan',
      external_userid: scan.external_userid,
      text: '林小姐您好，我是张三。新人券：NEW20',
      attachments: [{ msgtype: 'link', link: { title: '包裹卡 · 6 月专享', url: 'https://shop.example.com/new' } }],
    });
    const event = await app.db.prisma.event.findFirstOrThrow({ where: { workspaceId: ws.id, type: 'wecom.contact_added' } });
    expect(event.properties).toMatchObject({ channel: 'parcel_card', liveCodeId: code.liveCodeId, staffUserId: 'zhangsan', welcome: 'sent' });

    const stats = await ws.gql(`query ($id: ID!) { node(id: $id) { ... on WeComLiveCode { stats { day adds deletes netAdds } qrImage svg: qrImage(format: SVG) currentUserIds } } }`, { id: code.id });
    expect(stats.data.node.stats.at(-1)).toEqual({ day: today(), adds: 1, deletes: 0, netAdds: 1 });
    expect(stats.data.node.stats).toHaveLength(30);
    expect(stats.data.node.qrImage).toMatch(/^data:image\/png;base64,/);
    expect(Buffer.from(stats.data.node.svg.split(',')[1], 'base64').toString()).toContain('<svg');
    // Round robin: the contact way now hands the next customer to lisi.
    expect(stats.data.node.currentUserIds).toEqual(['lisi']);
    expect(s.state.contactWays.get(code.configId)!.user).toEqual(['lisi']);

    await app.runtime.drain();
    const journey = await ws.gql(`query ($id: ID!) { journey(id: $id) { enrollments { totalCount } } }`, { id: journeyId });
    expect(journey.data.journey.enrollments.totalCount).toBe(1);
    const tags = await app.db.prisma.customerTag.findMany({ where: { customerId: customer.id }, include: { tag: true } });
    expect(tags.map((t) => t.tag.name).sort()).toEqual(['包裹卡', '已欢迎']);

    // The customer deletes the staff member: a deletion in today's stats and an event.
    await s.customerDeletesStaff({ userid: 'zhangsan', external_userid: scan.external_userid });
    await server.wecom.drain();
    const after = await ws.gql(`query { wecomLiveCodes(first: 5) { edges { node { name stats(from: "${today()}") { adds deletes netAdds } } } } }`);
    expect(after.data.wecomLiveCodes.edges[0].node.stats).toEqual([{ adds: 1, deletes: 1, netAdds: 0 }]);
    expect(await count(ws, 'wecom.contact_deleted')).toBe(1);
  });

  it('a channel tag deleted after the code was made leaves the code, and one merged into another is replaced by it; later scans still make customers', async () => {
    const { ws, s, channelTag } = await connected();
    const group = await ws.gql(`mutation { createTagGroup(input: { name: "活动", kind: basic }) { ... on TagGroup { id } } }`);
    const tag = async (name: string) => (await ws.gql(`mutation ($g: ID!, $n: String!) { createTag(input: { groupId: $g, name: $n }) { ... on Tag { id } } }`, { g: group.data.createTagGroup.id, n: name })).data.createTag.id as string;
    const [merged, kept] = [await tag('双十一'), await tag('双11')];
    const code = (await ws.gql(CREATE_CODE, { input: { ...codeInput(channelTag), tagIds: [channelTag, merged] } })).data.createWeComLiveCode;
    const tagIdsOf = async () => (await ws.gql(`query ($id: ID!) { node(id: $id) { ... on WeComLiveCode { tagIds } } }`, { id: code.id })).data.node.tagIds;
    expect((await ws.gql(`mutation ($id: ID!) { deleteTag(id: $id) { __typename } }`, { id: channelTag })).data.deleteTag.__typename).toBe('Deleted');
    expect(await tagIdsOf()).toEqual([merged]);
    const merge = await ws.gql(`mutation ($input: MergeTagsInput!) { mergeTags(input: $input) { __typename } }`, { input: { sourceTagIds: [merged], targetTagId: kept } });
    expect(merge.data.mergeTags.__typename).toBe('MergeTagsPayload');
    expect(await tagIdsOf()).toEqual([kept]);

    const scan = await s.simulateScan({ config_id: code.configId, name: '赵先生' });
    await server.wecom.drain();
    const callbacks = await app.db.prisma.weComCallback.findMany({ where: { workspaceId: ws.id }, select: { status: true, lastError: true } });
    expect(callbacks).toEqual([{ status: 'processed', lastError: null }]);
    const customer = await app.db.prisma.customer.findUniqueOrThrow({ where: { workspaceId_wecomExternalId: { workspaceId: ws.id, wecomExternalId: scan.external_userid } }, include: { tags: { include: { tag: true } } } });
    expect(customer.tags.map((t) => t.tag.name)).toEqual(['双11']);
    expect(await count(ws, 'wecom.contact_added')).toBe(1);
  });

  it('a new contact reaches customerUpdated subscribers of the workspace, and only those', async () => {
    const { ws, s, channelTag } = await connected();
    const code = (await ws.gql(CREATE_CODE, { input: codeInput(channelTag, { welcome: null }) })).data.createWeComLiveCode;
    const SUB = `subscription { customerUpdated { change customer { wecomExternalId } } }`;
    const mine = await subscribeSse(app, ws.key, SUB);
    const other = await app.workspace();
    const theirs = await subscribeSse(app, other.key, SUB);
    try {
      const scan = await s.simulateScan({ config_id: code.configId });
      await server.wecom.drain();
      expect(await mine.waitFor(1, 5000)).toBeGreaterThanOrEqual(1);
      expect(mine.received[0].data.customerUpdated).toEqual({ change: 'updated', customer: { wecomExternalId: scan.external_userid } });
      expect(await theirs.waitFor(1, 300)).toBe(0);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  it('the same callback pushed twice records one event and one add', async () => {
    const { ws, s, channelTag } = await connected();
    const code = (await ws.gql(CREATE_CODE, { input: codeInput(channelTag, { welcome: null }) })).data.createWeComLiveCode;
    s.setCallbackUrl(undefined);
    const scan = await s.simulateScan({ config_id: code.configId });
    const crypto = createCallbackCrypto({ token: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, receiveId: TEST_CORP.corpId });
    const xml = buildWeComXml(scan.callback.fields);
    for (let i = 0; i < 2; i++) {
      const { body, query } = crypto.encryptCallback(xml);
      const response = await fetch(`${callbackUrl(ws)}?${new URLSearchParams({ ...query })}`, { method: 'POST', body });
      expect([response.status, await response.text()]).toEqual([200, 'success']);
    }
    await server.wecom.drain();
    expect(await receipts(ws)).toBe(1);
    expect(await count(ws, 'wecom.contact_added')).toBe(1);
    expect((await app.db.prisma.weComLiveCodeStat.findFirstOrThrow({ where: { liveCodeId: code.liveCodeId } })).adds).toBe(1);
  });

  it('a customer joining and leaving a customer group is an event on that customer; other members and corp tag changes record none', async () => {
    const { ws, s, channelTag } = await connected();
    const code = (await ws.gql(CREATE_CODE, { input: codeInput(channelTag, { welcome: null }) })).data.createWeComLiveCode;
    const scan = await s.simulateScan({ config_id: code.configId });
    await server.wecom.drain();
    const chat = await s.groupChatEvent({ change: 'create', owner: 'zhangsan', name: '老客福利群' });
    const chatId = String(chat.fields.ChatId);
    await s.groupChatEvent({ change: 'update', chat_id: chatId, add_member: [scan.external_userid, 'wm-not-our-customer'] });
    await s.groupChatEvent({ change: 'update', chat_id: chatId, del_member: [scan.external_userid] });
    await s.consoleAddTag({ group_name: '兴趣', name: '咖啡' });
    await server.wecom.drain();
    const events = await app.db.prisma.event.findMany({ where: { workspaceId: ws.id, type: { startsWith: 'wecom.group_' } }, orderBy: { occurredAt: 'asc' }, select: { type: true, properties: true } });
    // Both in the same second: compared as a set.
    expect(events.map((e) => [e.type, (e.properties as { chatId: string }).chatId]).sort()).toEqual([
      ['wecom.group_joined', chatId],
      ['wecom.group_left', chatId],
    ]);
    expect(await app.db.prisma.weComCallback.count({ where: { workspaceId: ws.id, status: { not: 'processed' } } })).toBe(0);
  });

  it('forged, stale, other-corp and malformed callbacks are refused and record nothing', async () => {
    const { ws } = await connected();
    const event: XmlInput = { ToUserName: TEST_CORP.corpId, FromUserName: 'sys', CreateTime: Math.floor(Date.now() / 1000), MsgType: 'event', Event: 'change_external_contact', ChangeType: 'add_external_contact', UserID: 'zhangsan', ExternalUserID: 'wmForged0001' };
    const xml = buildWeComXml(event);
    const post = async (signed: { body: string; query: SignedQuery }) => {
      const r = await fetch(`${callbackUrl(ws)}?${new URLSearchParams({ ...signed.query })}`, { method: 'POST', body: signed.body });
      return r.status;
    };
    const honest = createCallbackCrypto({ token: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, receiveId: TEST_CORP.corpId });
    const forger = createCallbackCrypto({ token: 'notTheToken', encodingAesKey: TEST_CORP.encodingAesKey, receiveId: TEST_CORP.corpId });
    const otherCorp = createCallbackCrypto({ token: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, receiveId: 'wwsomeothercorp' });
    const stale = honest.encryptCallback(xml, { timestamp: String(Math.floor(Date.now() / 1000) - 3600) });
    expect(await post({ ...forger.encryptCallback(xml) })).toBe(401);
    expect(await post({ ...stale })).toBe(401);
    expect(await post({ ...otherCorp.encryptCallback(xml) })).toBe(401);
    expect(await post({ body: '<xml><Encrypt>', query: { ...honest.encryptCallback(xml).query } })).toBe(400);
    const unknownWs = await fetch(`http://127.0.0.1:${server.port}/wecom/callback/00000000-0000-4000-8000-000000000000?${new URLSearchParams({ ...honest.encryptCallback(xml).query })}`, { method: 'POST', body: honest.encryptCallback(xml).body });
    expect(unknownWs.status).toBe(404);
    const badEcho = await fetch(`${callbackUrl(ws)}?msg_signature=00&timestamp=${Math.floor(Date.now() / 1000)}&nonce=1&echostr=abc`);
    expect(badEcho.status).toBe(401);
    await server.wecom.drain();
    expect(await receipts(ws)).toBe(0);
    expect(await app.db.prisma.customer.count({ where: { workspaceId: ws.id } })).toBe(0);
  });

  it('an access token that expires mid-way (40014) does not lose the welcome message', async () => {
    const { ws, s, channelTag } = await connected();
    const code = (await ws.gql(CREATE_CODE, { input: codeInput(channelTag) })).data.createWeComLiveCode;
    s.expireTokens({ answer: 40014 });
    const scan = await s.simulateScan({ config_id: code.configId, name: '王先生' });
    await server.wecom.drain();
    expect(s.state.welcomeMessages.map((m) => [m.external_userid, m.text])).toEqual([[scan.external_userid, '王先生您好，我是张三。新人券：NEW20']]);
    expect(s.state.counters.gettoken).toBeGreaterThanOrEqual(2);
    expect(await count(ws, 'wecom.contact_added')).toBe(1);
  });

  it('update and delete change the WeCom contact way; a deleted code is gone at WeCom too', async () => {
    const { ws, s, channelTag } = await connected();
    const code = (await ws.gql(CREATE_CODE, { input: codeInput(channelTag) })).data.createWeComLiveCode;
    const updated = await ws.gql(`mutation ($id: ID!, $input: WeComLiveCodeInput!) { updateWeComLiveCode(id: $id, input: $input) { ${ERR} ... on WeComLiveCode { name skipVerify currentUserIds } } }`, {
      id: code.id,
      input: codeInput(channelTag, { name: '门店', channel: 'store', staff: [{ userId: 'lisi', schedule: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' }] }], skipVerify: false }),
    });
    expect(updated.data.updateWeComLiveCode).toEqual({ __typename: 'WeComLiveCode', name: '门店', skipVerify: false, currentUserIds: ['lisi'] });
    expect(s.state.contactWays.get(code.configId)).toMatchObject({ user: ['lisi'], skip_verify: false, remark: '门店' });
    const deleted = await ws.gql(`mutation ($id: ID!) { deleteWeComLiveCode(id: $id) { ${ERR_BASE} ... on Deleted { deletedId } } }`, { id: code.id });
    expect(deleted.data.deleteWeComLiveCode.deletedId).toBe(code.id);
    expect(s.state.contactWays.has(code.configId)).toBe(false);
  });
});
