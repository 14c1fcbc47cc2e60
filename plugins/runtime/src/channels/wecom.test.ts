import { afterEach, describe, expect, it, vi } from 'vitest';
import { openChannel } from './index.ts';
import { outboundMessage, outboundMessages } from './test-messages.ts';
import type { ChannelSendResult } from './types.ts';
import { startWecomStandIn, type WecomStandIn, type WecomStandInOptions } from './wecom-stand-in.ts';

const standIns: WecomStandIn[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(standIns.splice(0).map((s) => s.close()));
});

async function setup(options: WecomStandInOptions = {}) {
  const wecom = await startWecomStandIn(options);
  standIns.push(wecom);
  const channel = openChannel('wecom', { corpId: wecom.corpId, secret: wecom.secret, baseUrl: wecom.baseUrl });
  return { wecom, channel };
}

const staff = (id: string, wecomUserId: string | null) => ({ id, name: `Staff ${id}`, wecomUserId });

function failure(result: ChannelSendResult | undefined) {
  return result?.status === 'failed' ? { error: result.error, retryable: result.retryable } : result;
}

describe('WeCom channel', () => {
  it('creates one mass-send task per sender for the same text and reports each message sent with the task msgid', async () => {
    const { wecom, channel } = await setup();
    const messages = [
      outboundMessage(1, { body: 'New tea', customer: { ownerStaff: staff('s1', 'lina') } }),
      outboundMessage(2, { body: 'New tea', customer: { ownerStaff: staff('s2', 'wangwei') } }),
      outboundMessage(3, { body: 'New tea', customer: { ownerStaff: staff('s1', 'lina') } }),
    ];

    const results = await channel.send(messages);

    expect(wecom.tasks.map((t) => t.body).sort((a, b) => a.sender.localeCompare(b.sender))).toEqual([
      { chat_type: 'single', external_userid: ['wmExternal1', 'wmExternal3'], sender: 'lina', text: { content: 'New tea' } },
      { chat_type: 'single', external_userid: ['wmExternal2'], sender: 'wangwei', text: { content: 'New tea' } },
    ]);
    const msgidOf = (sender: string) => wecom.tasks.find((t) => t.body.sender === sender)!.msgid;
    expect(results).toEqual([
      { status: 'sent', providerMessageId: msgidOf('lina') },
      { status: 'sent', providerMessageId: msgidOf('wangwei') },
      { status: 'sent', providerMessageId: msgidOf('lina') },
    ]);
  });

  it('messages with different text from one sender go out as separate tasks', async () => {
    const { wecom, channel } = await setup();
    const results = await channel.send(outboundMessages(3));
    const taskFor = (externalId: string) => wecom.tasks.find((t) => t.body.external_userid.includes(externalId))!;
    expect(wecom.tasks).toHaveLength(3);
    expect([1, 2, 3].map((n) => [taskFor(`wmExternal${n}`).body.external_userid, taskFor(`wmExternal${n}`).body.text?.content])).toEqual([
      [['wmExternal1'], 'Hello Customer 1, the new harvest has arrived.'],
      [['wmExternal2'], 'Hello Customer 2, the new harvest has arrived.'],
      [['wmExternal3'], 'Hello Customer 3, the new harvest has arrived.'],
    ]);
    expect(results).toEqual([1, 2, 3].map((n) => ({ status: 'sent', providerMessageId: taskFor(`wmExternal${n}`).msgid })));
  });

  it('passes WeCom attachments through with the text', async () => {
    const { wecom, channel } = await setup();
    const link = { msgtype: 'link', link: { title: '春茶上新', url: 'https://tea.example/spring' } };
    await channel.send([outboundMessage(1, { body: '春茶到了', attachments: [link] })]);
    expect(wecom.tasks[0]!.body).toMatchObject({ text: { content: '春茶到了' }, attachments: [link] });
  });

  it('splits one sender\'s customers into tasks of at most 10,000', async () => {
    const { wecom, channel } = await setup();
    const results = await channel.send(outboundMessages(10_001, { body: 'Same text for all' }));
    expect(wecom.tasks.map((t) => t.body.external_userid.length)).toEqual([10_000, 1]);
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(10_001);
  });

  it('two deliveries to the same customer go out as two tasks, so neither is lost', async () => {
    const { wecom, channel } = await setup();
    const results = await channel.send([outboundMessage(1, { body: 'Hi' }), outboundMessage(1, { body: 'Hi', deliveryId: 'delivery-1b' })]);
    expect(wecom.tasks.map((t) => t.body.external_userid)).toEqual([['wmExternal1'], ['wmExternal1']]);
    const ids = results.map((r) => r.status === 'sent' && r.providerMessageId);
    expect(ids.slice().sort()).toEqual(['msg-1', 'msg-2']);
  });

  it('fetches the access token once and reuses it across sends', async () => {
    const { wecom, channel } = await setup();
    await Promise.all([channel.send([outboundMessage(1)]), channel.send([outboundMessage(2)])]);
    await channel.send([outboundMessage(3)]);
    expect(wecom.tokensIssued()).toBe(1);
    expect(wecom.tasks.map((t) => t.accessToken)).toEqual(['token-1', 'token-1', 'token-1']);
  });

  it('fetches a new token when the cached one nears its expires_in', async () => {
    const { wecom, channel } = await setup({ expiresIn: 7200 });
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    await channel.send([outboundMessage(1)]);
    vi.setSystemTime(start + 6800_000);
    await channel.send([outboundMessage(2)]);
    expect(wecom.tokensIssued()).toBe(1);
    vi.setSystemTime(start + 7000_000);
    await channel.send([outboundMessage(3)]);
    expect(wecom.tokensIssued()).toBe(2);
    expect(wecom.tasks.map((t) => t.accessToken)).toEqual(['token-1', 'token-1', 'token-2']);
  });

  it('an expired token (42001) is fetched again once and the task then succeeds', async () => {
    const { wecom, channel } = await setup();
    await channel.send([outboundMessage(1)]);
    wecom.expireTokens();
    const [result] = await channel.send([outboundMessage(2)]);
    expect(result).toEqual({ status: 'sent', providerMessageId: 'msg-2' });
    expect(wecom.tokensIssued()).toBe(2);
    expect(wecom.tasks.map((t) => t.accessToken)).toEqual(['token-1', 'token-2']);
  });

  it('a token WeCom no longer knows (40014) is fetched again once and the task then succeeds', async () => {
    const { wecom, channel } = await setup();
    await channel.send([outboundMessage(1)]);
    wecom.forgetTokens();
    const [result] = await channel.send([outboundMessage(2)]);
    expect(result).toEqual({ status: 'sent', providerMessageId: 'msg-2' });
    expect(wecom.tokensIssued()).toBe(2);
  });

  it('a rate limit (45009) fails retryably and a busy WeCom (-1) too', async () => {
    const { wecom, channel } = await setup();
    wecom.failNext(45009, -1);
    const results = await channel.send([outboundMessage(1), outboundMessage(2)]);
    // The two tasks race, so either may meet either answer.
    expect(results.map(failure).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { error: 'WeCom errcode -1 (system busy): WeCom is busy', retryable: true },
      { error: 'WeCom errcode 45009 (api freq out of limit): WeCom rate limit reached', retryable: true },
    ]);
    expect(wecom.tasks).toHaveLength(0);
  });

  it('no permission for customer-contact APIs (48002) fails for good with what to fix', async () => {
    const { wecom, channel } = await setup();
    wecom.failNext(48002);
    const [result] = await channel.send([outboundMessage(1)]);
    expect(failure(result)).toEqual({ retryable: false, error: expect.stringMatching(/^WeCom errcode 48002 \(api forbidden\): .*客户联系/) });
  });

  it('a customer WeCom lists in fail_list fails for good while the others in the task are sent', async () => {
    const { channel } = await setup({ notContacts: ['wmExternal2'] });
    const results = await channel.send(outboundMessages(3, { body: 'Same' }));
    expect(results.map((r) => r.status)).toEqual(['sent', 'failed', 'sent']);
    expect(failure(results[1])).toEqual({ retryable: false, error: expect.stringContaining('cannot send to this customer from lina') });
  });

  it('customers without a WeCom id or a sending staff member fail for good without calling WeCom', async () => {
    const { wecom, channel } = await setup();
    const results = await channel.send([
      outboundMessage(1, { customer: { wecomExternalId: null } }),
      outboundMessage(2, { customer: { ownerStaff: null } }),
      outboundMessage(3, { customer: { ownerStaff: staff('s9', null) } }),
    ]);
    expect(results.map(failure)).toEqual([
      { retryable: false, error: 'customer has no WeCom external contact id (not added on WeCom)' },
      { retryable: false, error: 'customer has no owner staff to send from on WeCom' },
      { retryable: false, error: 'owner staff Staff s9 has no WeCom user id' },
    ]);
    expect(wecom.tokensIssued()).toBe(0);
  });

  it('text over 4000 bytes or an attachment WeCom does not know fails for good', async () => {
    const { wecom, channel } = await setup();
    const results = await channel.send([
      outboundMessage(1, { body: '茶'.repeat(1400) }),
      outboundMessage(2, { attachments: [{ url: 'https://tea.example' }] }),
    ]);
    expect(results.map(failure)).toEqual([
      { retryable: false, error: "the text is longer than WeCom's 4000 bytes" },
      { retryable: false, error: expect.stringContaining('attachment 1 is not a WeCom attachment') },
    ]);
    expect(wecom.tasks).toHaveLength(0);
  });

  it('a wrong secret fails for good, naming the secret', async () => {
    const wecom = await startWecomStandIn();
    standIns.push(wecom);
    const channel = openChannel('wecom', { corpId: wecom.corpId, secret: 'not-the-secret', baseUrl: wecom.baseUrl });
    const [result] = await channel.send([outboundMessage(1)]);
    expect(failure(result)).toEqual({ retryable: false, error: expect.stringMatching(/^WeCom errcode 40001 .*secret is not valid/) });
  });

  it('an unreachable WeCom fails retryably', async () => {
    const wecom = await startWecomStandIn();
    await wecom.close();
    const channel = openChannel('wecom', { corpId: wecom.corpId, secret: wecom.secret, baseUrl: wecom.baseUrl });
    const [result] = await channel.send([outboundMessage(1)]);
    expect(failure(result)).toEqual({ retryable: true, error: expect.stringContaining('ECONNREFUSED') });
  });
});
