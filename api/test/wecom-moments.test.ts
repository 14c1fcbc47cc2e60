// Moments (朋友圈) and group-chat mass sends as states, against the WeCom stand-in as a real HTTP
// server: staff members publish (or not) and group owners confirm (or not) in the stand-in, and the
// runtime reads the outcome back. The brand's daily moments cap per customer (seed 000: 3) refuses
// a fourth moment before WeCom is called.
process.env.COURTYARD_SECRET_KEY ??= 'courtyard-test-secret-key';

import { startWeComStandIn, type WeComStandIn } from '@courtyard/wecom/standin';
import { TEST_CORP } from '@courtyard/wecom/standin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
const standIns: WeComStandIn[] = [];

beforeAll(async () => {
  // The runtime's WeCom follow-ups do not tell the API's query cache yet: read uncached.
  app = await createTestApp({ runtime: { wecom: { client: { rateLimitBlockMs: 300, busyBackoffMs: 10 }, pollMs: 60_000 } } });
});
afterAll(async () => {
  await Promise.all(standIns.splice(0).map((s) => s.close()));
  await app.close();
});

const HOUR = 3_600_000;
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const ERR = `__typename ... on Error { code message } ... on ValidationError { fields { field code } } ... on WeComLimitError { field rule limit over } ... on WeComRejectedError { field wecomCode }`;
const MOMENT = `id status jobid momentId text attachments tasks { staffUserId status }`;
const CREATE_MOMENT = `mutation ($input: WeComMomentInput!) { createWeComMoment(input: $input) { ${ERR} ... on WeComMoment { ${MOMENT} } } }`;
const MOMENTS = `{ wecomMoments(first: 20) { edges { node { ${MOMENT} } } } }`;
const GROUP_SENDS = `mutation ($input: WeComGroupSendInput!) { createWeComGroupSends(input: $input) { __typename ... on Error { code message } ... on ValidationError { fields { field code } } ... on CreateWeComGroupSendsPayload { sends { id msgid ownerUserId status error } } } }`;
const LIST_SENDS = `{ wecomGroupSends(first: 20) { edges { node { ownerUserId chatIds status sentChatIds error lastError msgid } } } }`;
const TEMPLATE = 'externalcontact/add_msg_template';

/** zhangsan and lisi share customer wm_shared; wangwu has wm_own; all three on WeCom and in Courtyard. */
async function connected() {
  const ws: TestWorkspace = await app.workspace();
  const s = await startWeComStandIn({ ...TEST_CORP });
  standIns.push(s);
  const r = await ws.gql(`mutation ($input: ConnectWeComInput!) { connectWeCom(input: $input) { __typename } }`, {
    input: { corpId: TEST_CORP.corpId, agentSecret: 'standin-secret', callbackToken: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, baseUrl: s.url },
  });
  expect(r.data.connectWeCom.__typename).toBe('WeComConnection');
  const staff: Record<string, string> = {};
  for (const userid of ['zhangsan', 'lisi', 'wangwu']) {
    s.addStaff({ userid });
    staff[userid] = gid('Staff', (await app.db.prisma.staff.create({ data: { workspaceId: ws.id, name: userid, wecomUserId: userid } })).id);
  }
  const customers: Record<string, string> = {};
  for (const [external, users] of [
    ['wm_shared', ['zhangsan', 'lisi']],
    ['wm_own', ['wangwu']],
  ] as const) {
    const c = await app.db.prisma.customer.create({ data: { workspaceId: ws.id, name: external, wecomExternalId: external } });
    customers[external] = c.id;
    for (const userId of users) await app.db.prisma.weComFollow.create({ data: { workspaceId: ws.id, userId, externalUserId: external, customerId: c.id, addedAt: new Date() } });
  }
  return { ws, s, staff, customers };
}

describe('moments', () => {
  it('a moment confirmed by one staff member and not the other: published for one, not published for the other once the deadline passes', async () => {
    const { ws, s, staff } = await connected();
    // The link's cover, uploaded earlier (as uploadWeComMedia does, below).
    s.state.media.set('media_cover', { media_id: 'media_cover', type: 'image', name: 'cover.png', size: 1024, created_at: s.state.nowSeconds() });
    const r = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.zhangsan, staff.lisi], text: '双11 预热，点击领取优惠券', link: { title: '领券', url: 'https://shop.example.com/coupon', mediaId: 'media_cover' } } });
    const created = r.data.createWeComMoment;
    expect(created).toMatchObject({ __typename: 'WeComMoment', status: 'created', momentId: null, attachments: [{ msgtype: 'link', link: { title: '领券', url: 'https://shop.example.com/coupon', media_id: 'media_cover' } }] });
    expect(created.tasks).toEqual([
      { staffUserId: 'lisi', status: 'waiting' },
      { staffUserId: 'zhangsan', status: 'waiting' },
    ]);
    expect([...s.state.moments.values()].map((j) => j.senders)).toEqual([['zhangsan', 'lisi']]);

    await app.runtime.wecomFollowUps(new Date());
    const momentId = (await ws.gql(MOMENTS)).data.wecomMoments.edges[0].node.momentId as string;
    expect(momentId).toBeTruthy();
    s.publishMoment({ moment_id: momentId, userid: 'zhangsan' });
    await app.runtime.wecomFollowUps(new Date(Date.now() + 61_000));
    expect((await ws.gql(MOMENTS)).data.wecomMoments.edges[0].node).toMatchObject({
      status: 'publishing',
      tasks: [
        { staffUserId: 'lisi', status: 'waiting' },
        { staffUserId: 'zhangsan', status: 'published' },
      ],
    });

    await app.runtime.wecomFollowUps(new Date(Date.now() + 25 * HOUR));
    expect((await ws.gql(MOMENTS)).data.wecomMoments.edges[0].node).toMatchObject({
      status: 'settled',
      tasks: [
        { staffUserId: 'lisi', status: 'not_published' },
        { staffUserId: 'zhangsan', status: 'published' },
      ],
    });
  });

  it('an image uploaded through the API (GraphQL multipart) comes back as a WeCom media_id a moment takes; a GIF or an oversized file is refused on file before WeCom is called', async () => {
    const { ws, s, staff } = await connected();
    const UPLOAD = `mutation ($file: File!, $type: WeComMediaType!) { uploadWeComMedia(file: $file, type: $type) { __typename ... on Error { message } ... on ValidationError { fields { field code } } ... on WeComMedia { mediaId type name size expiresAt } } }`;
    const upload = async (bytes: Uint8Array<ArrayBuffer>, name: string, type: string, kind = 'image') => {
      const form = new FormData();
      form.set('operations', JSON.stringify({ query: UPLOAD, variables: { file: null, type: kind } }));
      form.set('map', JSON.stringify({ 0: ['variables.file'] }));
      form.set('0', new File([bytes], name, { type }));
      const res = await app.yoga.fetch('http://yoga/graphql', { method: 'POST', body: form, headers: { authorization: `Bearer ${ws.key}` } });
      return ((await res.json()) as { data: any }).data.uploadWeComMedia;
    };
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(500).fill(7)]);
    const uploaded = await upload(png, '海报.png', 'image/png');
    expect(uploaded).toMatchObject({ __typename: 'WeComMedia', type: 'image', name: '海报.png', size: png.length, mediaId: expect.any(String) });
    expect(new Date(uploaded.expiresAt).getTime() - Date.now()).toBeGreaterThan(71 * HOUR);
    expect(s.state.media.get(uploaded.mediaId)).toMatchObject({ name: '海报.png', type: 'image' });

    const r = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.wangwu], text: '新品上市', imageMediaIds: [uploaded.mediaId] } });
    expect(r.data.createWeComMoment).toMatchObject({ __typename: 'WeComMoment', attachments: [{ msgtype: 'image', image: { media_id: uploaded.mediaId } }] });

    const calls = () => s.state.counters.calls.get('media/upload_attachment') ?? 0;
    const before = calls();
    expect(await upload(png, 'a.gif', 'image/gif')).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'file', code: 'invalid_type' }] });
    expect(await upload(new Uint8Array(11 * 1024 * 1024), 'big.png', 'image/png')).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'file', code: 'too_large' }] });
    expect(calls()).toBe(before);
  });

  it('a fourth moment today for staff whose customer already gets three is refused on staffIds before WeCom is called; other staff may still post', async () => {
    const { ws, s, staff, customers } = await connected();
    for (let i = 1; i <= 3; i++) {
      const r = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.zhangsan], text: `第 ${i} 条` } });
      expect(r.data.createWeComMoment.__typename).toBe('WeComMoment');
    }
    // lisi shares wm_shared with zhangsan: it would be that customer's fourth brand moment today.
    const fourth = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.lisi], text: '第 4 条' } });
    expect(fourth.data.createWeComMoment).toMatchObject({ __typename: 'WeComLimitError', code: 'WECOM_LIMIT', field: 'input.staffIds', rule: 'moments_per_customer_day', limit: 3, over: [gid('Customer', customers.wm_shared!)] });
    expect(s.state.moments.size).toBe(3);

    const other = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.wangwu], text: '第 4 条' } });
    expect(other.data.createWeComMoment.__typename).toBe('WeComMoment');
    expect(s.state.moments.size).toBe(4);

    // The limit is the workspace's: raised to 4, lisi may post.
    await ws.gql(`mutation { updateWeComStaffTaskSettings(input: { momentsPerCustomerDay: 4 }) { __typename } }`);
    expect((await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.lisi], text: '第 4 条' } })).data.createWeComMoment.__typename).toBe('WeComMoment');
  });

  it('a media_id WeCom does not know (never uploaded, or past its 3 days) is a WeComRejectedError on the field that named it, and nothing is kept', async () => {
    const { ws, s, staff } = await connected();
    const r = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.zhangsan], text: '新品', imageMediaIds: ['media_gone'] } });
    expect(r.data.createWeComMoment).toMatchObject({ __typename: 'WeComRejectedError', field: 'input.imageMediaIds', wecomCode: 40007, message: expect.stringContaining('upload the file again') });
    const link = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.zhangsan], link: { url: 'https://shop.example.com', mediaId: 'media_gone' } } });
    expect(link.data.createWeComMoment).toMatchObject({ __typename: 'WeComRejectedError', field: 'input.link.mediaId', wecomCode: 40007 });
    expect((await ws.gql(MOMENTS)).data.wecomMoments.edges).toEqual([]);
    expect(s.state.moments.size).toBe(0);
  });

  it('WeCom\'s attachment rule is checked on input: images and a link together are refused, as is an empty post', async () => {
    const { ws, staff } = await connected();
    const mixed = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.zhangsan], imageMediaIds: ['m1'], link: { url: 'https://shop.example.com', mediaId: 'm2' } } });
    expect(mixed.data.createWeComMoment).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.imageMediaIds' }] });
    const tooMany = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.zhangsan], imageMediaIds: Array.from({ length: 10 }, (_, i) => `m${i}`) } });
    expect(tooMany.data.createWeComMoment.__typename).toBe('ValidationError');
    const empty = await ws.gql(CREATE_MOMENT, { input: { staffIds: [staff.zhangsan] } });
    expect(empty.data.createWeComMoment).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.text' }] });
  });
});

describe('group-chat sends', () => {
  it('one task per owner: confirmed → sent to its groups; an owner without groups → not sent (41048); unconfirmed by the deadline → not sent and cancelled in WeCom', async () => {
    const { ws, s, staff } = await connected();
    await s.groupChatEvent({ chat_id: 'wrA', change: 'create', owner: 'zhangsan', name: '会员群 A' });
    await s.groupChatEvent({ chat_id: 'wrB', change: 'create', owner: 'zhangsan', name: '会员群 B' });
    const r = await ws.gql(GROUP_SENDS, { input: { ownerStaffIds: [staff.zhangsan, staff.lisi], text: '今晚 8 点直播' } });
    expect(r.data.createWeComGroupSends.sends.map((i: { ownerUserId: string; status: string; error: string | null }) => [i.ownerUserId, i.status, i.error])).toEqual([
      ['lisi', 'not_sent', 'WeCom answered 41048: the owner has no such groups to send to'],
      ['zhangsan', 'waiting', null],
    ]);
    const msgid = r.data.createWeComGroupSends.sends[1].msgid as string;
    expect(s.state.massSends.get(msgid)?.chat_type).toBe('group');

    await app.runtime.wecomFollowUps(new Date(Date.now() + 61_000));
    expect((await ws.gql(LIST_SENDS)).data.wecomGroupSends.edges.find((e: { node: { ownerUserId: string } }) => e.node.ownerUserId === 'zhangsan').node.status).toBe('waiting');
    s.confirmMassSend({ msgid, userid: 'zhangsan' });
    await app.runtime.wecomFollowUps(new Date(Date.now() + 122_000));
    expect((await ws.gql(LIST_SENDS)).data.wecomGroupSends.edges.find((e: { node: { ownerUserId: string } }) => e.node.ownerUserId === 'zhangsan').node).toMatchObject({ status: 'sent', sentChatIds: ['wrA', 'wrB'] });

    const second = await ws.gql(GROUP_SENDS, { input: { ownerStaffIds: [staff.zhangsan], chatIds: ['wrA'], text: '明天上新' } });
    const secondId = second.data.createWeComGroupSends.sends[0].msgid as string;
    await app.runtime.wecomFollowUps(new Date(Date.now() + 25 * HOUR));
    const latest = (await ws.gql(LIST_SENDS)).data.wecomGroupSends.edges[0].node;
    expect(latest).toMatchObject({ chatIds: ['wrA'], status: 'not_sent', sentChatIds: [] });
    expect(s.state.massSends.get(secondId)?.closed).toBe(true);
  });

  it('a lost answer: the send is looked for in WeCom\'s list and adopts the task (one task in WeCom); a lost request ends not_sent once the window is over, never created twice', async () => {
    const { ws, s, staff } = await connected();
    await s.groupChatEvent({ chat_id: 'wrC', change: 'create', owner: 'zhangsan', name: '会员群 C' });
    const zhangsan = async () => (await ws.gql(LIST_SENDS)).data.wecomGroupSends.edges.map((e: { node: unknown }) => e.node);

    s.loseNextAnswer({ api: TEMPLATE });
    const r = await ws.gql(GROUP_SENDS, { input: { ownerStaffIds: [staff.zhangsan], text: '丢了回答的群发' } });
    expect(r.data.createWeComGroupSends.sends).toEqual([{ id: expect.any(String), msgid: null, ownerUserId: 'zhangsan', status: 'creating', error: null }]);
    expect(s.state.massSends.size).toBe(1);
    expect((await zhangsan())[0]).toMatchObject({ status: 'creating', lastError: expect.stringMatching(/answer to add_msg_template was lost/) });

    await app.runtime.wecomFollowUps(new Date(Date.now() + 2_000));
    const msgid = [...s.state.massSends.keys()][0]!;
    expect((await zhangsan())[0]).toMatchObject({ status: 'waiting', msgid, lastError: null });
    s.confirmMassSend({ msgid, userid: 'zhangsan' });
    await app.runtime.wecomFollowUps(new Date(Date.now() + 5 * 60_000));
    expect((await zhangsan())[0]).toMatchObject({ status: 'sent', sentChatIds: ['wrC'] });
    expect(s.state.counters.calls.get(TEMPLATE)).toBe(1);

    // WeCom never got the request: nothing to adopt, searched until the window ends, then not sent.
    s.loseNextRequest({ api: TEMPLATE });
    await ws.gql(GROUP_SENDS, { input: { ownerStaffIds: [staff.zhangsan], text: '没发出去的群发' } });
    await app.runtime.wecomFollowUps(new Date(Date.now() + 2_000));
    expect((await zhangsan())[0]).toMatchObject({ status: 'creating', msgid: null, lastError: expect.stringMatching(/looking for the task in WeCom's list until/) });
    await app.runtime.wecomFollowUps(new Date(Date.now() + 11 * 60_000));
    expect((await zhangsan())[0]).toMatchObject({ status: 'not_sent', msgid: null, error: expect.stringMatching(/does not list the task: it was not created/) });
    expect(s.state.massSends.size).toBe(1);
  });
});
