import { afterEach, describe, expect, it } from 'vitest';
import { WeComTransportError } from '../errors.ts';
import { startTestStandIn } from './testing.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(...args: Parameters<typeof startTestStandIn>) {
  const harness = await startTestStandIn(...args);
  close = harness.standIn.close;
  const api = harness.client();
  /** `count` customers added to `userid` through a scan each. */
  const customersOf = async (userid: string, count: number) => {
    const { config_id } = await api.call('externalcontact/add_contact_way', { type: 1, scene: 2, user: [userid] });
    const scans = [];
    for (let i = 0; i < count; i++) scans.push(await harness.standIn.simulateScan({ config_id }));
    return scans;
  };
  return { ...harness, api, customersOf };
}

describe('contact ways', () => {
  it('creates, reads, lists, updates and deletes a live QR code', async () => {
    const { api } = await setup();
    const created = await api.call('externalcontact/add_contact_way', { type: 2, scene: 2, user: ['zhangsan', 'lisi'], state: 'store-01', remark: '门店' });
    expect(created.qr_code).toMatch(/^http:\/\/.+\.png$/);
    await api.call('externalcontact/update_contact_way', { config_id: created.config_id, user: ['wangwu'] });
    const { contact_way } = await api.call('externalcontact/get_contact_way', { config_id: created.config_id });
    expect(contact_way).toMatchObject({ type: 2, scene: 2, user: ['wangwu'], state: 'store-01', skip_verify: true });
    expect((await api.call('externalcontact/list_contact_way', {})).contact_way).toEqual([{ config_id: created.config_id }]);
    await api.call('externalcontact/del_contact_way', { config_id: created.config_id });
    await expect(api.call('externalcontact/get_contact_way', { config_id: created.config_id })).rejects.toMatchObject({ code: 40058 });
  });

  it('refuses what WeCom refuses: an unknown member, two members on a single code, a state over 30 chars', async () => {
    const { api } = await setup();
    await expect(api.call('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['ghost'] })).rejects.toMatchObject({ code: 60111 });
    await expect(api.call('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['zhangsan', 'lisi'] })).rejects.toMatchObject({ code: 40058 });
    await expect(api.call('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['zhangsan'], state: 'x'.repeat(31) })).rejects.toMatchObject({ code: 40058 });
  });
});

describe('welcome messages', () => {
  it('records the message the customer received, once per welcome code', async () => {
    const { standIn, api, customersOf } = await setup();
    const [scan] = await customersOf('zhangsan', 1);
    await api.call('externalcontact/send_welcome_msg', {
      welcome_code: scan!.welcome_code!,
      text: { content: '欢迎！' },
      attachments: [{ msgtype: 'link', link: { title: '新人券', url: 'https://shop.example/coupon' } }],
    });
    expect(standIn.state.welcomeMessages).toMatchObject([{ userid: 'zhangsan', external_userid: scan!.external_userid, text: '欢迎！' }]);
    await expect(api.call('externalcontact/send_welcome_msg', { welcome_code: scan!.welcome_code!, text: { content: 'again' } })).rejects.toMatchObject({ code: 41051 });
    expect(standIn.state.welcomeMessages).toHaveLength(1);
  });

  it('answers 41050 once the 20 s validity has passed, and for an unknown code', async () => {
    const { standIn, api, clock, customersOf } = await setup();
    const [scan] = await customersOf('zhangsan', 1);
    clock.advance(20_001);
    await expect(api.call('externalcontact/send_welcome_msg', { welcome_code: scan!.welcome_code!, text: { content: 'late' } })).rejects.toMatchObject({ code: 41050 });
    await expect(api.call('externalcontact/send_welcome_msg', { welcome_code: 'nope', text: { content: 'x' } })).rejects.toMatchObject({ code: 41050 });
    expect(standIn.state.welcomeMessages).toHaveLength(0);
  });
});

describe('tags', () => {
  it('adds corp tags, marks a customer and shows them on the customer', async () => {
    const { api, customersOf } = await setup();
    const [scan] = await customersOf('lisi', 1);
    const { tag_group } = await api.call('externalcontact/add_corp_tag', { group_name: '渠道', tag: [{ name: '包裹卡' }, { name: '直播' }, { name: '包裹卡' }] });
    expect(tag_group.tag).toHaveLength(2);
    await api.call('externalcontact/mark_tag', { userid: 'lisi', external_userid: scan!.external_userid, add_tag: [tag_group.tag[0]!.id] });
    const detail = await api.call('externalcontact/get', { external_userid: scan!.external_userid });
    expect(detail.follow_user[0]!.tags).toEqual([{ group_name: '渠道', tag_name: '包裹卡', tag_id: tag_group.tag[0]!.id, type: 1 }]);
    await expect(api.call('externalcontact/mark_tag', { userid: 'zhangsan', external_userid: scan!.external_userid, add_tag: [tag_group.tag[0]!.id] })).rejects.toMatchObject({ code: 84061 });
    await api.call('externalcontact/del_corp_tag', { group_id: [tag_group.group_id] });
    expect(await api.call('externalcontact/get_corp_tag_list', {})).toEqual({ tag_group: [] });
  });
});

describe('mass sends', () => {
  it('a send confirmed by some members and not others shows per-member tasks and per-customer results', async () => {
    const { standIn, api, customersOf } = await setup();
    const zhang = await customersOf('zhangsan', 2);
    const li = await customersOf('lisi', 2);
    const everyone = [...zhang, ...li].map((s) => s.external_userid);
    const { msgid, fail_list } = await api.call('externalcontact/add_msg_template', { external_userid: [...everyone, 'wmUnknown'], text: { content: '双11' } });
    expect(fail_list).toEqual(['wmUnknown']);
    standIn.confirmMassSend({ msgid, userid: 'zhangsan' });
    standIn.expireMassSend({ msgid });
    expect(() => standIn.confirmMassSend({ msgid, userid: 'lisi' })).toThrow();
    const { task_list } = await api.call('externalcontact/get_groupmsg_task', { msgid });
    expect(task_list.map(({ userid, status }) => [userid, status])).toEqual([
      ['zhangsan', 2],
      ['lisi', 0],
    ]);
    const sent = await api.call('externalcontact/get_groupmsg_send_result', { msgid, userid: 'zhangsan' });
    const unsent = await api.call('externalcontact/get_groupmsg_send_result', { msgid, userid: 'lisi' });
    expect(sent.send_list.map((r) => r.status)).toEqual([1, 1]);
    expect(sent.send_list.every((r) => typeof r.send_time === 'number')).toBe(true);
    expect(unsent.send_list.map((r) => [r.external_userid, r.status])).toEqual(li.map((s) => [s.external_userid, 0]));
  });

  it('marks a customer over the receive limit as 3 and one no longer a friend as 2', async () => {
    const { standIn, api, customersOf } = await setup({ receiveLimit: 'day' });
    const [a, b, c] = (await customersOf('zhangsan', 3)).map((s) => s.external_userid);
    const first = await api.call('externalcontact/add_msg_template', { external_userid: [a!], text: { content: 'one' } });
    standIn.confirmMassSend({ msgid: first.msgid, userid: 'zhangsan' });
    const second = await api.call('externalcontact/add_msg_template', { sender: 'zhangsan', text: { content: 'two' } });
    await standIn.customerDeletesStaff({ userid: 'zhangsan', external_userid: b! });
    standIn.confirmMassSend({ msgid: second.msgid, userid: 'zhangsan' });
    const { send_list } = await api.call('externalcontact/get_groupmsg_send_result', { msgid: second.msgid, userid: 'zhangsan' });
    expect(Object.fromEntries(send_list.map((r) => [r.external_userid, r.status]))).toEqual({ [a!]: 3, [b!]: 2, [c!]: 1 });
  });

  it('answers 41048 when nobody can receive the send, and lists sends by time', async () => {
    const { api, clock } = await setup();
    await expect(api.call('externalcontact/add_msg_template', { external_userid: ['wmNobody'], text: { content: 'x' } })).rejects.toMatchObject({ code: 41048 });
    const now = Math.floor(clock.now() / 1000);
    expect(await api.call('externalcontact/get_groupmsg_list_v2', { chat_type: 'single', start_time: now - 60, end_time: now })).toEqual({ group_msg_list: [], next_cursor: '' });
  });
});

describe('answers lost on the way', () => {
  const TEMPLATE = 'externalcontact/add_msg_template';

  it('a lost answer: WeCom created the task, the caller sees the connection close, and the client does not send it again on a reused connection', async () => {
    const { standIn, client, customersOf } = await setup();
    // Node's HTTP client with kept-alive connections (the one Courtyard uses), not fetch.
    const api = client({ fetch: undefined as never });
    const [a] = (await customersOf('zhangsan', 1)).map((s) => s.external_userid);
    standIn.loseNextAnswer({ api: TEMPLATE });
    await expect(api.call(TEMPLATE, { external_userid: [a!], sender: 'zhangsan', text: { content: '丢了回答' } })).rejects.toBeInstanceOf(WeComTransportError);
    expect(standIn.state.massSends.size).toBe(1);
    expect(standIn.state.counters.calls.get(TEMPLATE)).toBe(1);
    // The next call is answered as usual.
    expect((await api.call(TEMPLATE, { external_userid: [a!], sender: 'zhangsan', text: { content: '第二条' } })).msgid).toMatch(/^msg/);
  });

  it('a lost request: the connection closes the same way, but nothing was created', async () => {
    const { standIn, client, customersOf } = await setup();
    const api = client({ fetch: undefined as never });
    const [a] = (await customersOf('zhangsan', 1)).map((s) => s.external_userid);
    standIn.loseNextRequest({ api: TEMPLATE });
    await expect(api.call(TEMPLATE, { external_userid: [a!], text: { content: '没到' } })).rejects.toBeInstanceOf(WeComTransportError);
    expect(standIn.state.massSends.size).toBe(0);
  });

  it('with a listing delay, get_groupmsg_list_v2 shows a new task only once the delay has passed (its msgid works at once)', async () => {
    const { standIn, api, clock, customersOf } = await setup();
    const [a] = (await customersOf('zhangsan', 1)).map((s) => s.external_userid);
    standIn.delayMassSendListing({ seconds: 30 });
    const { msgid } = await api.call(TEMPLATE, { external_userid: [a!], text: { content: '慢一点' } });
    const list = async () => {
      const now = Math.floor(clock.now() / 1000);
      return (await api.call('externalcontact/get_groupmsg_list_v2', { chat_type: 'single', start_time: now - 600, end_time: now })).group_msg_list.map((m) => m.msgid);
    };
    expect(await list()).toEqual([]);
    expect((await api.call('externalcontact/get_groupmsg_task', { msgid })).task_list.map((t) => t.userid)).toEqual(['zhangsan']);
    clock.advance(29_000);
    expect(await list()).toEqual([]);
    clock.advance(1_000);
    expect(await list()).toEqual([msgid]);
  });
});

describe('moments and transfers', () => {
  it('a moment task reports its members and who published', async () => {
    const { standIn, api } = await setup();
    const { jobid } = await api.call('externalcontact/add_moment_task', { text: { content: '上新' }, visible_range: { sender_list: { user_list: ['zhangsan', 'ghost'] } } });
    const { result } = await api.call('externalcontact/get_moment_task_result', { jobid });
    expect(result).toMatchObject({ errcode: 0, invalid_sender_list: { user_list: ['ghost'] } });
    standIn.publishMoment({ moment_id: result!.moment_id!, userid: 'zhangsan' });
    expect((await api.call('externalcontact/get_moment_task', { moment_id: result!.moment_id! })).task_list).toEqual([{ userid: 'zhangsan', publish_status: 1 }]);
  });

  it('a transfer waits 24 h, then the customer belongs to the takeover member', async () => {
    const { api, clock, customersOf } = await setup();
    const [scan] = await customersOf('zhangsan', 1);
    const started = await api.call('externalcontact/transfer_customer', { handover_userid: 'zhangsan', takeover_userid: 'lisi', external_userid: [scan!.external_userid, 'wmGhost'] });
    expect(started.customer.map((c) => c.errcode)).toEqual([0, 40096]);
    const request = { handover_userid: 'zhangsan', takeover_userid: 'lisi' };
    expect((await api.call('externalcontact/transfer_result', request)).customer[0]!.status).toBe(2);
    clock.advance(24 * 3_600_000);
    expect((await api.call('externalcontact/transfer_result', request)).customer[0]!.status).toBe(1);
    expect((await api.call('externalcontact/list', { userid: 'lisi' })).external_userid).toEqual([scan!.external_userid]);
  });
});

describe('the follow list', () => {
  it('finds a customer’s follows after rows are pushed and spliced directly, as tests do', async () => {
    const { standIn } = await setup();
    const { follows } = standIn.state;
    const row = (userid: string, external_userid: string) => ({ userid, external_userid, createtime: 1, add_way: 1, tags: new Set<string>() });
    follows.push(row('zhangsan', 'wm_a'), row('lisi', 'wm_a'), row('zhangsan', 'wm_b'));
    expect(standIn.state.followsOf('wm_a').map((f) => f.userid)).toEqual(['zhangsan', 'lisi']);
    follows.splice(follows.findIndex((f) => f.external_userid === 'wm_a' && f.userid === 'zhangsan'), 1);
    expect(standIn.state.follow('zhangsan', 'wm_a')).toBeUndefined();
    expect(standIn.state.follow('lisi', 'wm_a')?.userid).toBe('lisi');
    standIn.state.removeFollow(standIn.state.follow('zhangsan', 'wm_b')!);
    expect(standIn.state.followsOf('wm_b')).toEqual([]);
    expect(follows.filter((f) => f.external_userid === 'wm_a')).toHaveLength(1);
    expect(Array.isArray(follows.filter(() => true)) && follows.filter(() => true).constructor).toBe(Array);
  });
});

describe('moments attachments', () => {
  // The 8-byte PNG signature and a little more: the stand-in checks the declared type and the size, as WeCom's answers say.
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256, 1)]);

  it('uploads an image as a multipart form and answers a media_id that add_moment_task takes', async () => {
    const { api, standIn } = await setup();
    const uploaded = await api.uploadAttachment({ name: '新品 海报.png', contentType: 'image/png', data: png }, 'image');
    expect(uploaded).toMatchObject({ type: 'image', media_id: expect.stringMatching(/^media/) });
    expect(standIn.state.media.get(uploaded.media_id)).toMatchObject({ name: '新品 海报.png', size: png.length, type: 'image' });
    const { jobid } = await api.call('externalcontact/add_moment_task', { text: { content: '上新' }, attachments: [{ msgtype: 'image', image: { media_id: uploaded.media_id } }] });
    expect(jobid).toBeTruthy();
  });

  it('add_moment_task takes only media_ids uploaded within 3 days, as the kind they are used as (40007 otherwise)', async () => {
    const { api, standIn, clock } = await setup();
    const image = await api.uploadAttachment({ name: 'cover.png', contentType: 'image/png', data: png }, 'image');
    const moment = (attachments: object[]) => api.call('externalcontact/add_moment_task', { text: { content: '上新' }, attachments } as never);
    await expect(moment([{ msgtype: 'image', image: { media_id: 'never-uploaded' } }])).rejects.toMatchObject({ code: 40007 });
    await expect(moment([{ msgtype: 'video', video: { media_id: image.media_id } }])).rejects.toMatchObject({ code: 40007 });
    await expect(moment([{ msgtype: 'link', link: { title: '领券', url: 'https://shop.example.com', media_id: image.media_id } }])).resolves.toMatchObject({ jobid: expect.any(String) });
    clock.advance(3 * 86_400_000 + 1000);
    await expect(moment([{ msgtype: 'image', image: { media_id: image.media_id } }])).rejects.toMatchObject({ code: 40007 });
    expect(standIn.state.moments.size).toBe(1);
  });

  it('refuses a file of the wrong type or an empty one with WeCom\'s codes', async () => {
    const { api } = await setup();
    await expect(api.uploadAttachment({ name: 'a.gif', contentType: 'image/gif', data: png }, 'image')).rejects.toMatchObject({ code: 40005 });
    await expect(api.uploadAttachment({ name: 'a.png', contentType: 'video/mp4', data: Buffer.alloc(0) }, 'video')).rejects.toMatchObject({ code: 40006 });
  });
});
