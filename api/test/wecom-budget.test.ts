// Adds past the corp's WeCom budget (WeCom allows 10,000 calls a minute per API and corp; Courtyard
// counts its calls the same way and never goes over): the customers are written at once, a welcome
// message that cannot go before its code expires is recorded as over budget instead of held in
// memory, and the profiles not read are queued and read once there is room. Profile reads WeCom
// fails are queued too, and nothing is lost.
import { processRateLimiter } from '@courtyard/wecom';
import { TEST_CORP } from '@courtyard/wecom/standin/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { useWeComHarness } from './wecom-fixtures.ts';

const harness = useWeComHarness();

// The client's budgets for an API (WeComClientOptions' defaults): the limiter knows a key by them.
const BUDGETS = [
  { limit: 10_000, windowMs: 60_000 },
  { limit: 150_000, windowMs: 3_600_000 },
];
const key = (api: string) => `${TEST_CORP.corpId}|${api}`;

/** Calls of `api` made elsewhere this minute, leaving room for `left` more. */
async function spend(api: string, left: number) {
  for (let i = 0; i < 10_000 - left; i++) await processRateLimiter.acquire(key(api), BUDGETS, { maxWaitMs: 0 });
}

afterEach(() => {
  for (const api of ['externalcontact/get', 'externalcontact/send_welcome_msg', 'externalcontact/update_contact_way']) processRateLimiter.forget(key(api));
});

async function liveCode(ws: Awaited<ReturnType<typeof harness.connected>>['ws'], staff = ['zhangsan']) {
  await harness.app.db.prisma.staff.createMany({ data: staff.map((u) => ({ workspaceId: ws.id, name: u, wecomUserId: u })) });
  const group = await ws.gql(`mutation { createTagGroup(input: { name: "渠道", kind: basic }) { ... on TagGroup { id } } }`);
  const tag = await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "直播间" }) { ... on Tag { id } } }`, { g: group.data.createTagGroup.id });
  const code = await ws.gql(`mutation ($input: WeComLiveCodeInput!) { createWeComLiveCode(input: $input) { __typename ... on ValidationError { fields { field message } } ... on WeComLiveCode { configId } } }`, {
    input: { name: '直播间', channel: 'live_stream', staff: staff.map((userId) => ({ userId })), assignment: 'round_robin', tagIds: [tag.data.createTag.id], welcome: { text: '您好，我是{{staff_name}}，欢迎来到直播间！' } },
  });
  expect(code.data.createWeComLiveCode, JSON.stringify(code.data.createWeComLiveCode)).toMatchObject({ __typename: 'WeComLiveCode' });
  return code.data.createWeComLiveCode.configId as string;
}

describe('WeCom budget', () => {
  it('adds past the budget: written at once with their channel tag, welcome messages over budget recorded, profiles read once there is room', async () => {
    const { ws, s } = await harness.connected(['zhangsan']);
    const { db } = harness.app;
    const configId = await liveCode(ws);
    await spend('externalcontact/send_welcome_msg', 2);
    await spend('externalcontact/get', 1);

    const names = ['周女士', '吴先生', '郑女士', '王先生'];
    const scans = [];
    for (const name of names) scans.push(await s.simulateScan({ config_id: configId, name }));
    const started = performance.now();
    await harness.server.wecom.drain();
    // Nothing waited for the budget's minute to pass.
    expect(performance.now() - started).toBeLessThan(10_000);

    const customers = await db.prisma.customer.findMany({ where: { workspaceId: ws.id, wecomExternalId: { in: scans.map((x) => x.external_userid) } }, include: { tags: { include: { tag: true } } } });
    expect(customers).toHaveLength(4);
    for (const c of customers) expect(c.tags.map((t) => t.tag.name)).toEqual(['直播间']);
    const events = await db.prisma.event.findMany({ where: { workspaceId: ws.id, type: 'wecom.contact_added' } });
    expect(events.map((e) => (e.properties as { welcome: string }).welcome).sort()).toEqual(['over_budget', 'over_budget', 'sent', 'sent']);
    expect(s.state.welcomeMessages).toHaveLength(2);
    // One profile fitted the budget; the three others are queued, put off until the budget has room.
    expect(s.state.counters.calls.get('externalcontact/get')).toBe(1);
    expect(customers.filter((c) => c.name).length).toBe(1);
    const queued = await db.prisma.weComProfileRead.findMany({ where: { workspaceId: ws.id } });
    expect(queued).toHaveLength(3);
    for (const r of queued) {
      expect(r.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
      expect(r.attempts).toBe(0);
      expect(r.lastError).toMatch(/budget/);
    }

    // A minute later: WeCom's count has room again, and the queued reads are due.
    processRateLimiter.forget(key('externalcontact/get'));
    await db.query(`UPDATE "WeComProfileRead" SET "nextAttemptAt" = now() WHERE "workspaceId" = $1::uuid`, [ws.id]);
    await harness.server.wecom.drain();
    const named = await db.prisma.customer.findMany({ where: { workspaceId: ws.id, wecomExternalId: { in: scans.map((x) => x.external_userid) } }, select: { name: true } });
    expect(named.map((c) => c.name).sort()).toEqual([...names].sort());
    expect(await db.prisma.weComProfileRead.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(s.state.counters.calls.get('externalcontact/get')).toBe(4);
  });

  it('a profile read WeCom fails is queued and read again; one of a contact WeCom no longer has is dropped', async () => {
    const { ws, s } = await harness.connected(['zhangsan']);
    const { db } = harness.app;
    const configId = await liveCode(ws);
    // The arrival's read fails (a token WeCom ended early, and again after the client fetched a new
    // one): before, the customer kept no name for good.
    s.failNext({ api: 'externalcontact/get', errcode: 42001, times: 2 });
    const kept = await s.simulateScan({ config_id: configId, name: '孙女士' });
    await harness.server.wecom.drain();
    const customer = await db.prisma.customer.findUniqueOrThrow({ where: { workspaceId_wecomExternalId: { workspaceId: ws.id, wecomExternalId: kept.external_userid } } });
    // The same drain read it again from the queue.
    expect(customer.name).toBe('孙女士');
    expect(await db.prisma.weComProfileRead.count({ where: { workspaceId: ws.id } })).toBe(0);

    // A queued read of a contact WeCom no longer has (it answers 40096): dropped, and said so.
    const gone = await db.prisma.customer.create({ data: { workspaceId: ws.id, wecomExternalId: 'wm_gone' } });
    await db.prisma.weComProfileRead.create({ data: { workspaceId: ws.id, customerId: gone.id, externalUserId: 'wm_gone' } });
    const logged: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => void logged.push(m);
    try {
      await harness.server.wecom.drain();
    } finally {
      console.warn = warn;
    }
    expect(await db.prisma.weComProfileRead.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(logged.some((m) => m.includes('wm_gone') && m.includes('cannot be read') && m.includes('40096'))).toBe(true);
  });

  it('a queued read in a workspace no longer connected backs off like a failure, and is kept', async () => {
    const ws = await harness.app.workspace();
    const { db } = harness.app;
    const customer = await db.prisma.customer.create({ data: { workspaceId: ws.id, wecomExternalId: 'wm_unconnected' } });
    await db.prisma.weComProfileRead.create({ data: { workspaceId: ws.id, customerId: customer.id, externalUserId: 'wm_unconnected' } });
    await harness.server.wecom.drain();
    const row = await db.prisma.weComProfileRead.findFirstOrThrow({ where: { workspaceId: ws.id } });
    expect(row).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/not connected/) });
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
  });

  it("a code's turn to its next member does not hold the pass when the budget for update_contact_way is spent", async () => {
    const { ws, s } = await harness.connected(['zhangsan', 'lisi']);
    const configId = await liveCode(ws, ['zhangsan', 'lisi']);
    await spend('externalcontact/update_contact_way', 0);
    const scan = await s.simulateScan({ config_id: configId, name: '冯女士' });
    const logged: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => void logged.push(m);
    const started = performance.now();
    try {
      await harness.server.wecom.drain();
    } finally {
      console.warn = warn;
    }
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await harness.app.db.prisma.customer.count({ where: { workspaceId: ws.id, wecomExternalId: scan.external_userid } })).toBe(1);
    // The code still hands customers to zhangsan: a later add turns it.
    expect(s.state.contactWays.get(configId)!.user).toEqual(['zhangsan']);
    expect(logged.some((m) => m.includes('could not hand the next customer to lisi') && m.includes('budget'))).toBe(true);
  });
});
