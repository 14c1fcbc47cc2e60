// WeCom answering badly, for mass sends: an expired token or a 45009 mid-batch, answers and requests
// lost on the way (add_msg_template takes no idempotency key, so a lost answer is reconciled against
// WeCom's task list), a task listed late, and withdrawing tasks — against the stand-in.
import { describe, expect, it } from 'vitest';
import { STATE } from './campaign-fixtures.ts';
import { dbId } from './journey-fixtures.ts';
import { app, campaign, connected, deliveriesOf, later, RECONCILE_WINDOW_MS, tasksOf, useMassSendApp } from './wecom-mass-send-fixtures.ts';

useMassSendApp();

describe('WeCom answering badly', () => {
  it('an expired token mid-batch and a 45009 slow the sender down; every customer gets exactly one task entry', async () => {
    const c = await connected(3);
    c.s.expireTokens({ answer: 42001 });
    c.s.failNext({ api: 'externalcontact/add_msg_template', errcode: 45009, times: 1 });
    const started = Date.now();
    await campaign(c, '限流', Object.values(c.customers));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(c.s.state.massSends.size).toBe(2);
    const recipients = [...c.s.state.massSends.values()].flatMap((m) => m.recipients.map((r) => r.external_userid)).sort();
    expect(recipients).toEqual(Object.keys(c.customers).sort());
    expect((await deliveriesOf(c.ws)).map((d) => [d.status, d.confirmation])).toEqual(Array(6).fill(['sent', 'waiting']));
  });

  const TEMPLATE = 'externalcontact/add_msg_template';
  const RECONCILING = `{ wecomMassSends(first: 10) { edges { node { staffUserId status reconciling reconcileUntil msgid lastError } } } }`;
  /** Drains the runtime every 200 ms until `done` holds (or `ms` pass). */
  const drainUntil = async (done: () => Promise<boolean>, ms = 10_000) => {
    for (const end = Date.now() + ms; Date.now() < end; ) {
      await app.runtime.drain();
      if (await done()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the runtime did not get there in time');
  };
  const sentAll = (campaignId: string) => async () => (await app.db.prisma.delivery.findMany({ where: { campaignId: dbId(campaignId) } })).every((d) => d.status === 'sent');

  it('a lost answer (WeCom created the task): the send is reconciling in the API, then adopts the task from get_groupmsg_list_v2; WeCom holds one task', async () => {
    const c = await connected(1);
    c.s.loseNextAnswer({ api: TEMPLATE });
    const started = Date.now();
    const id = await campaign(c, '丢包', [c.customers.wm_zhangsan_1!]);
    expect(c.s.state.massSends.size).toBe(1);
    let [task] = await tasksOf(c.ws);
    expect([task!.status, task!.msgid, task!.lastError]).toEqual(['uncertain', null, expect.stringMatching(/other side closed|socket hang up|ECONNRESET/)]);
    expect(task!.reconcileUntil!.getTime()).toBeGreaterThanOrEqual(started + RECONCILE_WINDOW_MS - 50);
    const [pending] = await app.db.prisma.delivery.findMany({ where: { campaignId: dbId(id) } });
    expect([pending!.status, pending!.wecomTaskId]).toEqual(['planned', task!.id]);
    const listed = await c.ws.gql(RECONCILING);
    expect(listed.errors).toBeUndefined();
    expect(listed.data.wecomMassSends.edges[0].node).toMatchObject({ staffUserId: 'zhangsan', status: 'creating', reconciling: true, msgid: null, reconcileUntil: task!.reconcileUntil!.toISOString() });
    expect((await c.ws.gql(`{ wecomMassSends(first: 10, status: creating) { totalCount } }`)).data.wecomMassSends.totalCount).toBe(1);

    await drainUntil(sentAll(id));
    expect(c.s.state.massSends.size).toBe(1);
    expect(c.s.state.counters.calls.get(TEMPLATE)).toBe(1);
    [task] = await tasksOf(c.ws);
    expect([task!.status, task!.msgid, task!.reconcileUntil]).toEqual(['waiting', [...c.s.state.massSends.keys()][0], null]);
    const [d] = await app.db.prisma.delivery.findMany({ where: { campaignId: dbId(id) } });
    expect([d!.status, d!.confirmation, d!.providerMessageId]).toEqual(['sent', 'waiting', task!.msgid]);
    expect((await c.ws.gql(RECONCILING)).data.wecomMassSends.edges[0].node).toMatchObject({ status: 'waiting', reconciling: false, reconcileUntil: null });
  });

  it('a task WeCom lists only after a delay is not created again while the window lasts, and is adopted once listed', async () => {
    const c = await connected(1);
    c.s.delayMassSendListing({ seconds: 2.5 });
    c.s.loseNextAnswer({ api: TEMPLATE });
    const id = await campaign(c, '慢列表', [c.customers.wm_zhangsan_1!]);
    // The retry after a second finds nothing listed yet: it waits, and creates nothing.
    await new Promise((r) => setTimeout(r, 1200));
    await app.runtime.drain();
    const [waiting] = await tasksOf(c.ws);
    expect([waiting!.status, c.s.state.massSends.size]).toEqual(['uncertain', 1]);
    const [deferred] = await app.db.prisma.delivery.findMany({ where: { campaignId: dbId(id) } });
    expect([deferred!.status, deferred!.error]).toEqual(['planned', expect.stringMatching(/answer to add_msg_template was lost; looking for the task in WeCom's list until/)]);

    await drainUntil(sentAll(id));
    expect(c.s.state.massSends.size).toBe(1);
    expect(c.s.state.counters.calls.get(TEMPLATE)).toBe(1);
    const [task] = await tasksOf(c.ws);
    expect([task!.status, task!.msgid]).toEqual(['waiting', [...c.s.state.massSends.keys()][0]]);
  });

  it('a lost request (WeCom created nothing) is created again exactly once, and only after the reconciliation window', async () => {
    const c = await connected(1);
    c.s.loseNextRequest({ api: TEMPLATE });
    const lostAt = Date.now();
    const id = await campaign(c, '没建成', [c.customers.wm_zhangsan_1!]);
    expect(c.s.state.massSends.size).toBe(0);
    await new Promise((r) => setTimeout(r, 1200));
    await app.runtime.drain();
    // Within the window: looked for, not found, not created again.
    expect(c.s.state.massSends.size).toBe(0);
    expect((await tasksOf(c.ws)).map((t) => t.status)).toEqual(['uncertain']);

    await drainUntil(sentAll(id));
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(RECONCILE_WINDOW_MS);
    expect(c.s.state.massSends.size).toBe(1);
    expect(c.s.state.counters.calls.get(TEMPLATE)).toBe(2);
    const tasks = await tasksOf(c.ws);
    expect(tasks.map((t) => [t.status, t.msgid])).toEqual([['waiting', [...c.s.state.massSends.keys()][0]]]);
    const [d] = await app.db.prisma.delivery.findMany({ where: { campaignId: dbId(id) } });
    expect([d!.status, d!.wecomTaskId, d!.providerMessageId]).toEqual(['sent', tasks[0]!.id, tasks[0]!.msgid]);
  });

  it('withdrawing: a waiting task is cancelled in WeCom and its customers are not sent; cancelling a campaign whose task\'s answer was lost finds and withdraws it; one WeCom never made ends not sent, never created', async () => {
    // A task waiting for zhangsan (the campaign itself is complete: its messages went to WeCom).
    const c = await connected(2);
    await campaign(c, '撤回', [c.customers.wm_zhangsan_1!, c.customers.wm_zhangsan_2!]);
    const [waiting] = await tasksOf(c.ws);
    const WITHDRAW = `mutation ($id: ID!) { withdrawWeComMassSend(id: $id) { __typename ... on Error { message } ... on WeComMassSend { status withdrawnAt } } }`;
    const taskGid = Buffer.from(`WeComMassSend:${waiting!.id}`).toString('base64');
    expect((await c.ws.gql(WITHDRAW, { id: taskGid })).data.withdrawWeComMassSend).toEqual({ __typename: 'WeComMassSend', status: 'waiting', withdrawnAt: expect.any(String) });
    await app.runtime.wecomMassSends();
    expect(c.s.state.massSends.get(waiting!.msgid!)!.closed).toBe(true);
    expect((await tasksOf(c.ws)).map((t) => [t.status, t.notSent])).toEqual([['not_sent', 2]]);
    expect((await deliveriesOf(c.ws)).map((d) => [d.confirmation, d.error])).toEqual([
      ['not_sent', expect.stringMatching(/withdrawn \(by an operator, or its campaign cancelled\) before zhangsan confirmed it/)],
      ['not_sent', expect.stringMatching(/withdrawn \(by an operator, or its campaign cancelled\) before zhangsan confirmed it/)],
    ]);
    // Settled: nothing left to withdraw.
    expect((await c.ws.gql(WITHDRAW, { id: taskGid })).data.withdrawWeComMassSend).toEqual({ __typename: 'ValidationError', message: expect.stringMatching(/the task is not_sent; only a task waiting for its staff member can be withdrawn/) });

    // The answer to add_msg_template lost, the campaign cancelled while it is looked for: WeCom made
    // it, so it is found, withdrawn in WeCom, and counted not sent.
    const lost = await connected(1);
    lost.s.loseNextAnswer({ api: TEMPLATE });
    const lostId = await campaign(lost, '丢了回答再撤回', [lost.customers.wm_zhangsan_1!]);
    expect((await tasksOf(lost.ws)).map((t) => t.status)).toEqual(['uncertain']);
    await lost.ws.gql(STATE('cancelCampaign'), { id: lostId });
    await app.runtime.wecomMassSends();
    const made = [...lost.s.state.massSends.keys()][0]!;
    expect(lost.s.state.massSends.get(made)!.closed).toBe(true);
    expect((await tasksOf(lost.ws)).map((t) => [t.status, t.msgid, t.notSent, t.nextPollAt])).toEqual([['not_sent', made, 1, null]]);
    expect((await deliveriesOf(lost.ws)).map((d) => d.status)).toEqual(['cancelled']);
    expect(lost.s.state.counters.calls.get(TEMPLATE)).toBe(1);

    // The request lost: nothing in WeCom's list; looked for until the window ends, then not sent. Never created.
    const never = await connected(1);
    never.s.loseNextRequest({ api: TEMPLATE });
    const neverId = await campaign(never, '没建成就撤回', [never.customers.wm_zhangsan_1!]);
    await never.ws.gql(STATE('cancelCampaign'), { id: neverId });
    await app.runtime.wecomMassSends();
    expect((await tasksOf(never.ws)).map((t) => [t.status, t.lastError])).toEqual([['uncertain', expect.stringMatching(/withdrawn; looking for the task in WeCom's list to cancel it there/)]]);
    await app.runtime.wecomMassSends(later(RECONCILE_WINDOW_MS + 1000));
    await app.runtime.drain();
    expect((await tasksOf(never.ws)).map((t) => [t.status, t.notSent, t.nextPollAt])).toEqual([['not_sent', 1, null]]);
    expect(never.s.state.massSends.size).toBe(0);
    expect(never.s.state.counters.calls.get(TEMPLATE)).toBe(1);
  });
});
