import { afterEach, describe, expect, it } from 'vitest';
import { WeComBudgetError, WeComError } from './errors.ts';
import { startTestStandIn } from './standin/testing.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(...args: Parameters<typeof startTestStandIn>) {
  const harness = await startTestStandIn(...args);
  close = harness.standIn.close;
  return harness;
}

type Harness = Awaited<ReturnType<typeof setup>>;

async function addCustomers({ standIn, client }: Harness, userid: string, count: number): Promise<string[]> {
  const { config_id } = await client().call('externalcontact/add_contact_way', { type: 1, scene: 2, user: [userid], state: 'seed' });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await standIn.simulateScan({ config_id })).external_userid);
  return ids;
}

describe('access token', () => {
  it('fetches one token for many calls and for a burst of concurrent calls', async () => {
    const { standIn, client } = await setup();
    const api = client();
    await Promise.all(Array.from({ length: 5 }, () => api.call('externalcontact/list', { userid: 'zhangsan' })));
    for (let i = 0; i < 5; i++) await api.call('externalcontact/list', { userid: 'lisi' });
    expect(standIn.state.counters.gettoken).toBe(1);
  });

  it('refreshes the token before it expires, not after', async () => {
    const { standIn, client, clock, answers } = await setup();
    const api = client();
    await api.call('externalcontact/list', { userid: 'zhangsan' });
    clock.advance((7200 - 299) * 1000);
    await api.call('externalcontact/list', { userid: 'zhangsan' });
    expect(standIn.state.counters.gettoken).toBe(2);
    expect(answers).not.toContain(42001);
  });

  it.each([42001, 40014] as const)('a token expiring mid-batch (%i) costs one refresh and the batch completes', async (answer) => {
    const harness = await setup();
    const { standIn, client, answers } = harness;
    const [customer] = await addCustomers(harness, 'zhangsan', 1);
    const api = client();
    const { tag_group } = await api.call('externalcontact/add_corp_tag', { group_name: '渠道', tag: Array.from({ length: 10 }, (_, i) => ({ name: `t${i}` })) });
    const tokensBefore = standIn.state.counters.gettoken;
    for (const [i, tag] of tag_group.tag.entries()) {
      if (i === 5) standIn.expireTokens({ answer });
      await api.call('externalcontact/mark_tag', { userid: 'zhangsan', external_userid: customer!, add_tag: [tag.id] });
    }
    expect(standIn.state.counters.gettoken - tokensBefore).toBe(1);
    expect(answers.filter((code) => code === answer)).toHaveLength(1);
    expect(standIn.state.follow('zhangsan', customer!)!.tags.size).toBe(10);
  });

  it('gives up after one refresh if the new token is refused too', async () => {
    const { standIn, client } = await setup();
    const api = client();
    await api.call('externalcontact/list', { userid: 'zhangsan' });
    standIn.failNext({ api: 'externalcontact/list', errcode: 42001, times: 2 });
    await expect(api.call('externalcontact/list', { userid: 'zhangsan' })).rejects.toMatchObject({ code: 42001 });
  });

  it('answers 41001 without a token and 40014 for a garbage one', async () => {
    const { standIn } = await setup();
    const missing = await (await fetch(`${standIn.url}/cgi-bin/externalcontact/list?userid=zhangsan`)).json();
    const garbage = (await (await fetch(`${standIn.url}/cgi-bin/externalcontact/list?userid=zhangsan&access_token=garbage`)).json()) as { errmsg: string };
    expect(missing).toMatchObject({ errcode: 41001 });
    expect(garbage).toMatchObject({ errcode: 40014 });
    expect(garbage.errmsg).toMatch(/, hint: \[.+\], from ip: .+, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=40014$/);
  });

  it('maps a wrong corp id and secret to typed errors', async () => {
    const { client } = await setup();
    await expect(client({ corpId: 'wwother' }).getAccessToken()).rejects.toMatchObject({ code: 40013, api: 'gettoken', retryable: false });
    await expect(client({ secret: 'wrong' }).getAccessToken()).rejects.toMatchObject({ code: 40001 });
  });
});

describe('errors and retries', () => {
  it('48002 for an app without customer-contact permission is a typed, non-retryable error, asked once', async () => {
    const { standIn, client } = await setup({ apps: [{ secret: 'standin-secret', customerContact: true }, { secret: 'hr-app', customerContact: false }] });
    const error = await client({ secret: 'hr-app' }).call('externalcontact/list', { userid: 'zhangsan' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComError);
    expect(error).toMatchObject({ code: 48002, retryable: false, api: 'externalcontact/list' });
    expect(standIn.state.counters.calls.get('externalcontact/list') ?? 0).toBe(0);
  });

  it('retries -1 (system busy) with growing back-off and succeeds', async () => {
    const { standIn, client, clock } = await setup();
    const api = client();
    await api.getAccessToken();
    standIn.failNext({ api: 'externalcontact/list', errcode: -1, times: 2 });
    await expect(api.call('externalcontact/list', { userid: 'zhangsan' })).resolves.toEqual({ external_userid: [] });
    expect(clock.sleeps).toEqual([500, 1000]);
  });

  it('stops after three retries of -1 and throws a retryable error', async () => {
    const { standIn, client } = await setup();
    standIn.failNext({ api: 'externalcontact/list', errcode: -1, times: 4 });
    await expect(client().call('externalcontact/list', { userid: 'zhangsan' })).rejects.toMatchObject({ code: -1, retryable: true });
    expect(standIn.state.counters.calls.get('externalcontact/list')).toBe(4);
  });

  it('does not retry an unknown member (60111)', async () => {
    const { standIn, client } = await setup();
    await expect(client().call('externalcontact/list', { userid: 'nobody' })).rejects.toMatchObject({ code: 60111, retryable: false });
    expect(standIn.state.counters.calls.get('externalcontact/list')).toBe(1);
  });
});

describe('rate limits', () => {
  it('45009 slows the client down: it waits out the window and every call completes', async () => {
    const { standIn, client, clock, answers } = await setup({ perMinute: 5 });
    const api = client();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => api.call('externalcontact/list', { userid: ['zhangsan', 'lisi', 'wangwu'][i % 3]! })));
    expect(results).toHaveLength(12);
    expect(standIn.state.counters.calls.get('externalcontact/list')).toBe(12);
    expect(answers).toContain(45009);
    expect(clock.sleeps.some((ms) => ms >= 50_000)).toBe(true);
  });

  it('with budgets set to WeCom’s limits the client waits instead of ever meeting 45009', async () => {
    const { standIn, client, clock, answers } = await setup({ perMinute: 5 });
    const api = client({ perMinute: 5 });
    const start = clock.now();
    for (let i = 0; i < 12; i++) await api.call('externalcontact/list', { userid: 'zhangsan' });
    expect(answers).not.toContain(45009);
    expect(standIn.state.counters.calls.get('externalcontact/list')).toBe(12);
    // 12 calls at 5 a minute need at least two full windows.
    expect(clock.now() - start).toBeGreaterThanOrEqual(120_000);
  });

  it('a call that may wait only so long is refused, unsent, when the budget has no room in that time', async () => {
    const { standIn, client, clock } = await setup({ perMinute: 5 });
    const api = client({ perMinute: 2 });
    for (let i = 0; i < 2; i++) await api.call('externalcontact/list', { userid: 'zhangsan' }, { maxWaitMs: 0 });
    const refused = await api.call('externalcontact/list', { userid: 'zhangsan' }, { maxWaitMs: 20_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WeComBudgetError);
    expect((refused as WeComBudgetError).api).toBe('externalcontact/list');
    expect((refused as WeComBudgetError).retryAfterMs).toBeGreaterThan(20_000);
    expect(standIn.state.counters.calls.get('externalcontact/list')).toBe(2);
    // Allowed to wait long enough, the same call goes once the window has room.
    await api.call('externalcontact/list', { userid: 'zhangsan' }, { maxWaitMs: 120_000 });
    expect(standIn.state.counters.calls.get('externalcontact/list')).toBe(3);
    expect(clock.sleeps.at(-1)).toBeGreaterThan(20_000);
  });

  it('holds add_moment_task to its own 10 a minute', async () => {
    const { client, clock, answers } = await setup();
    const api = client();
    const start = clock.now();
    for (let i = 0; i < 11; i++) await api.call('externalcontact/add_moment_task', { text: { content: `post ${i}` } });
    expect(answers).not.toContain(45009);
    expect(clock.now() - start).toBeGreaterThanOrEqual(60_000);
  });
});
