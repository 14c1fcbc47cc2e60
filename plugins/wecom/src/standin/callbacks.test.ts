import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallbackCrypto } from '../crypto.ts';
import type { XmlFields } from '../xml.ts';
import { startTestStandIn, TEST_CORP } from './testing.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A callback receiver as Courtyard's endpoint would be: verifies, decrypts, answers with `statuses` in turn. */
async function startReceiver(now: () => number, statuses: number[] = []) {
  const crypto = createCallbackCrypto({ token: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, receiveId: TEST_CORP.corpId, now });
  const events: XmlFields[] = [];
  const rejected: string[] = [];
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer(async (req, res) => {
    const query = Object.fromEntries(new URL(req.url!, 'http://x').searchParams) as { msg_signature: string; timestamp: string; nonce: string; echostr: string };
    try {
      if (req.method === 'GET') {
        res.end(crypto.verifyUrl(query));
        return;
      }
      const { fields } = crypto.decryptCallback(query, await read(req));
      events.push(fields);
      res.statusCode = statuses.shift() ?? 200;
      res.end('');
    } catch (error) {
      rejected.push((error as Error).message);
      res.statusCode = 400;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`, events, rejected };
}

async function setup(statuses?: number[]) {
  const harness = await startTestStandIn();
  cleanups.push(harness.standIn.close);
  const receiver = await startReceiver(() => harness.clock.now(), statuses);
  harness.standIn.setCallbackUrl(receiver.url);
  return { ...harness, receiver };
}

describe('callbacks pushed by the stand-in', () => {
  it('a scan adds the contact and pushes a signed, encrypted add_external_contact with the way’s state and a welcome code', async () => {
    const { standIn, client, receiver } = await setup();
    const { config_id } = await client().call('externalcontact/add_contact_way', { type: 2, scene: 2, user: ['zhangsan', 'lisi'], state: 'parcel-card' });
    const first = await standIn.simulateScan({ config_id, name: '王女士' });
    const second = await standIn.simulateScan({ config_id });
    expect([first.userid, second.userid]).toEqual(['zhangsan', 'lisi']);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.events[0]).toMatchObject({
      ToUserName: TEST_CORP.corpId,
      FromUserName: 'sys',
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType: 'add_external_contact',
      UserID: 'zhangsan',
      ExternalUserID: first.external_userid,
      State: 'parcel-card',
      WelcomeCode: first.welcome_code,
    });
    const detail = await client().call('externalcontact/get', { external_userid: first.external_userid });
    expect(detail.external_contact.name).toBe('王女士');
    expect(detail.follow_user).toMatchObject([{ userid: 'zhangsan', state: 'parcel-card', add_way: 1 }]);
  });

  it('issues no welcome code to a member with a console welcome message', async () => {
    const { standIn, client, receiver } = await setup();
    standIn.addStaff({ userid: 'console', consoleWelcome: true });
    const { config_id } = await client().call('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['console'] });
    const scan = await standIn.simulateScan({ config_id });
    expect(scan.welcome_code).toBeUndefined();
    expect(receiver.events[0]).not.toHaveProperty('WelcomeCode');
  });

  it('retries until the receiver answers 200, keeping FromUserName and CreateTime for de-duplication', async () => {
    const { standIn, client, receiver } = await setup([500, 503]);
    const { config_id } = await client().call('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['zhangsan'] });
    const { callback } = await standIn.simulateScan({ config_id });
    expect(callback).toMatchObject({ attempts: [500, 503, 200], delivered: true });
    expect(receiver.events).toHaveLength(3);
    expect(new Set(receiver.events.map((e) => `${String(e.FromUserName)}|${String(e.CreateTime)}`)).size).toBe(1);
  });

  it('gives up after three retries', async () => {
    const { standIn, client } = await setup([500, 500, 500, 500, 500]);
    const { config_id } = await client().call('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['zhangsan'] });
    const { callback } = await standIn.simulateScan({ config_id });
    expect(callback).toMatchObject({ attempts: [500, 500, 500, 500], delivered: false });
  });

  it('verifies the callback URL with an encrypted echostr as WeCom does', async () => {
    const { standIn } = await setup();
    await expect(standIn.verifyCallbackUrl()).resolves.toBe(true);
  });

  it('pushes deletes from either side, member edits, console tags and group chat changes', async () => {
    const { standIn, client, receiver } = await setup();
    const { config_id } = await client().call('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['zhangsan'] });
    const a = await standIn.simulateScan({ config_id });
    const b = await standIn.simulateScan({ config_id });
    const { tag_id } = await standIn.consoleAddTag({ group_name: '意向', name: '高' });
    await standIn.editContact({ userid: 'zhangsan', external_userid: a.external_userid, add_tag: [tag_id] });
    await standIn.staffDeletesCustomer({ userid: 'zhangsan', external_userid: a.external_userid });
    await standIn.customerDeletesStaff({ userid: 'zhangsan', external_userid: b.external_userid });
    await standIn.groupChatEvent({ chat_id: 'wrChat1', change: 'create', owner: 'zhangsan' });
    await standIn.groupChatEvent({ chat_id: 'wrChat1', change: 'update', add_member: [b.external_userid] });
    await standIn.groupChatEvent({ chat_id: 'wrChat1', change: 'dismiss' });
    expect(receiver.events.slice(2).map((e) => [e.Event, e.ChangeType, e.TagType ?? e.UpdateDetail ?? ''])).toEqual([
      ['change_external_tag', 'create', 'tag'],
      ['change_external_contact', 'edit_external_contact', ''],
      ['change_external_contact', 'del_external_contact', ''],
      ['change_external_contact', 'del_follow_user', ''],
      ['change_external_chat', 'create', ''],
      ['change_external_chat', 'update', 'add_member'],
      ['change_external_chat', 'dismiss', ''],
    ]);
    expect(await client().call('externalcontact/list', { userid: 'zhangsan' })).toEqual({ external_userid: [] });
  });

  it('pushes nothing for changes made through the API', async () => {
    const { standIn, client, receiver } = await setup();
    const api = client();
    const { config_id } = await api.call('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['zhangsan'] });
    const { external_userid } = await standIn.simulateScan({ config_id });
    const { tag_group } = await api.call('externalcontact/add_corp_tag', { group_name: '渠道', tag: [{ name: '包裹卡' }] });
    await api.call('externalcontact/mark_tag', { userid: 'zhangsan', external_userid, add_tag: [tag_group.tag[0]!.id] });
    expect(receiver.events).toHaveLength(1);
  });
});

describe('the control API over HTTP', () => {
  it('runs the same controls as the JS API under /__standin/', async () => {
    const { standIn, client } = await setup();
    const { config_id } = await client().call('externalcontact/add_contact_way', { type: 1, scene: 2, user: ['lisi'] });
    const response = await fetch(`${standIn.url}/__standin/simulateScan`, { method: 'POST', body: JSON.stringify({ config_id }) });
    expect(await response.json()).toMatchObject({ userid: 'lisi', callback: { delivered: true } });
    const unknown = await fetch(`${standIn.url}/__standin/nope`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
  });
});
