// WeCom mass sends as states and the shared per-customer quota, end to end: the runtime sends
// through the workspace's WeCom connection to the WeCom stand-in (a real HTTP server), staff
// members confirm (or not) in the stand-in, and the poller reads the outcome back.
import { TEST_CORP } from '@courtyard/wecom/standin/testing';
import { describe, expect, it } from 'vitest';
import { ERR } from './campaign-fixtures.ts';
import { dbId, edge, ENROLL, node, published } from './journey-fixtures.ts';
import { app, campaign, connected, deliveriesOf, HOUR, later, msgidOf, tasksOf, useMassSendApp } from './wecom-mass-send-fixtures.ts';

useMassSendApp();

describe('mass sends as states', () => {
  it('a campaign to customers of two staff: one confirms, the other lets the task expire; tasks, customers, results and events say so', async () => {
    const c = await connected(2);
    const id = await campaign(c, '春茶', Object.values(c.customers));

    // One task per staff member, waiting; every delivery handed to WeCom and waiting for its staff member.
    expect(c.s.state.massSends.size).toBe(2);
    let tasks = await tasksOf(c.ws);
    expect(tasks.map((t) => [t.staffUserId, t.status, t.recipients])).toEqual([['lisi', 'waiting', 2], ['zhangsan', 'waiting', 2]]);
    expect(tasks.every((t) => t.expiresAt.getTime() - t.createdAt.getTime() === 24 * HOUR)).toBe(true);
    expect((await deliveriesOf(c.ws)).map((d) => [d.status, d.confirmation])).toEqual(Array(4).fill(['sent', 'waiting']));

    // lisi is reminded three times; WeCom refuses a fourth within 24 h.
    const REMIND = `mutation ($id: ID!) { remindWeComMassSend(id: $id) { ${ERR} ... on WeComRejectedError { wecomCode } ... on WeComMassSend { status } } }`;
    const lisiTask = Buffer.from(`WeComMassSend:${tasks[0]!.id}`).toString('base64');
    for (let i = 0; i < 3; i++) expect((await c.ws.gql(REMIND, { id: lisiTask })).data.remindWeComMassSend).toEqual({ __typename: 'WeComMassSend', status: 'waiting' });
    expect((await c.ws.gql(REMIND, { id: lisiTask })).data.remindWeComMassSend).toMatchObject({ __typename: 'WeComRejectedError', wecomCode: 45009 });
    expect(c.s.state.massSends.get(tasks[0]!.msgid!)!.reminders).toHaveLength(3);
    c.s.confirmMassSend({ msgid: await msgidOf(c.ws, 'zhangsan'), userid: 'zhangsan' });
    expect(await app.runtime.wecomMassSends(later(2 * 60_000))).toBe(2);
    tasks = await tasksOf(c.ws);
    expect(tasks.map((t) => [t.staffUserId, t.status, t.sent, t.notSent])).toEqual([['lisi', 'waiting', 0, 0], ['zhangsan', 'sent', 2, 0]]);

    // A day later lisi still has not confirmed: the task expires, its customers are not sent, and WeCom's task is cancelled.
    expect(await app.runtime.wecomMassSends(later(25 * HOUR))).toBe(1);
    tasks = await tasksOf(c.ws);
    expect(tasks.map((t) => [t.staffUserId, t.status, t.sent, t.notSent])).toEqual([['lisi', 'not_sent', 0, 2], ['zhangsan', 'sent', 2, 0]]);
    expect(c.s.state.massSends.get(await msgidOf(c.ws, 'lisi'))!.closed).toBe(true);
    const deliveries = await deliveriesOf(c.ws);
    const by = (prefix: string) => deliveries.filter((d) => d.customer.wecomExternalId!.startsWith(prefix)).map((d) => [d.status, d.confirmation, d.sentAt === null]);
    expect(by('wm_zhangsan')).toEqual([['sent', 'sent', false], ['sent', 'sent', false]]);
    expect(by('wm_lisi')).toEqual([['failed', 'not_sent', true], ['failed', 'not_sent', true]]);
    expect(deliveries.find((d) => d.confirmation === 'not_sent')!.error).toMatch(/lisi did not confirm/);
    const listed = await c.ws.gql(`query ($c: ID!) { deliveries(campaignId: $c, first: 10) { edges { node { status wecomConfirmation } } } }`, { c: id });
    expect(listed.data.deliveries.edges.map((e: any) => `${e.node.status}/${e.node.wecomConfirmation}`).sort()).toEqual(['failed/not_sent', 'failed/not_sent', 'sent/sent', 'sent/sent']);
    // Nothing more is due.
    expect(await app.runtime.wecomMassSends(later(26 * HOUR))).toBe(0);

    const r = await c.ws.gql(`query ($id: ID!) { node(id: $id) { ... on Campaign {
      results(groupBy: SENDER) { key sent failed confirmationWaiting confirmationSent confirmationNotSent confirmationFailed confirmationRate }
      wecomTasks { staffUserId status recipients sent notSent failed waiting } } } }`, { id });
    expect(r.errors).toBeUndefined();
    const rows = Object.fromEntries(r.data.node.results.map((row: any) => [row.key, row]));
    expect(rows[c.staff.zhangsan]).toMatchObject({ sent: 2, failed: 0, confirmationWaiting: 0, confirmationSent: 2, confirmationNotSent: 0, confirmationRate: 1 });
    expect(rows[c.staff.lisi]).toMatchObject({ sent: 0, failed: 2, confirmationSent: 0, confirmationNotSent: 2, confirmationRate: 0 });
    expect([...r.data.node.wecomTasks].sort((a: any, b: any) => a.staffUserId.localeCompare(b.staffUserId))).toEqual([
      { staffUserId: 'lisi', status: 'not_sent', recipients: 2, sent: 0, notSent: 2, failed: 0, waiting: 0 },
      { staffUserId: 'zhangsan', status: 'sent', recipients: 2, sent: 2, notSent: 0, failed: 0, waiting: 0 },
    ]);

    const events = await app.db.prisma.event.findMany({ where: { workspaceId: c.ws.id }, orderBy: { type: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['wecom.message_not_sent', 'wecom.message_not_sent', 'wecom.message_sent', 'wecom.message_sent']);
    expect(events[2]!.properties).toMatchObject({ campaignId: dbId(id), staffUserId: 'zhangsan' });
    expect(deliveries.map((d) => d.id)).toContain((events[2]!.properties as any).deliveryId);
  });

  it('partly sent: WeCom refuses a customer who is no longer a friend when the staff member confirms', async () => {
    const c = await connected(2);
    await campaign(c, '部分', [c.customers.wm_zhangsan_1!, c.customers.wm_zhangsan_2!]);
    c.s.customerDeletesStaff({ userid: 'zhangsan', external_userid: 'wm_zhangsan_2' });
    c.s.confirmMassSend({ msgid: await msgidOf(c.ws, 'zhangsan'), userid: 'zhangsan' });
    await app.runtime.wecomMassSends(later(2 * 60_000));
    const [task] = await tasksOf(c.ws);
    expect([task!.status, task!.sent, task!.failed]).toEqual(['partly_sent', 1, 1]);
    const failed = (await deliveriesOf(c.ws)).find((d) => d.confirmation === 'failed')!;
    expect([failed.customer.wecomExternalId, failed.status, failed.error]).toEqual(['wm_zhangsan_2', 'failed', 'not sent: the customer is not a friend of zhangsan on WeCom']);
    // A settled task cannot be reminded.
    const REMIND = `mutation ($id: ID!) { remindWeComMassSend(id: $id) { ${ERR} ... on WeComRejectedError { wecomCode } ... on WeComMassSend { status } } }`;
    const settledId = Buffer.from(`WeComMassSend:${task!.id}`).toString('base64');
    expect((await c.ws.gql(REMIND, { id: settledId })).data.remindWeComMassSend).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'id' }] });
    const listed = await c.ws.gql(`{ wecomMassSends(first: 10, status: partly_sent) { totalCount edges { node { staffUserId status sent failed campaign { name } journey { id } } } } }`);
    expect(listed.errors).toBeUndefined();
    expect(listed.data.wecomMassSends).toEqual({ totalCount: 1, edges: [{ node: { staffUserId: 'zhangsan', status: 'partly_sent', sent: 1, failed: 1, campaign: { name: '部分' }, journey: null } }] });
  });

  it('a journey waiting for wecom.message_sent takes "event" for a confirmed customer and its timeout port for one whose staff never confirmed', async () => {
    const c = await connected(1);
    const group = await c.ws.gql(`mutation { createTagGroup(input: { name: "触达", kind: behaviour }) { ... on TagGroup { id } } }`);
    const tag = async (name: string) => (await c.ws.gql(`mutation ($g: ID!, $n: String!) { createTag(input: { groupId: $g, name: $n }) { ... on Tag { id } } }`, { g: group.data.createTagGroup.id, n: name })).data.createTag.id as string;
    const [reached, unconfirmed] = [await tag('已送达'), await tag('未确认')];
    const journeyId = await published(c.ws, '企微触达', {
      nodes: [
        node('start', 'api'),
        node('send', 'send-message', { channel: 'wecom', body: '您好，新品到了' }),
        node('wait', 'wait-for-event', { eventType: 'wecom.message_sent', timeout: { amount: 24, unit: 'hours' } }),
        node('yes', 'add-tags', { tagIds: [dbId(reached)] }),
        node('no', 'add-tags', { tagIds: [dbId(unconfirmed)] }),
      ],
      edges: [edge('start', 'next', 'send'), edge('send', 'next', 'wait'), edge('wait', 'event', 'yes'), edge('wait', 'timeout', 'no')],
    });
    const ids = [c.customers.wm_zhangsan_1!, c.customers.wm_lisi_1!];
    const enrolled = await c.ws.gql(ENROLL, { j: journeyId, c: ids.map((id) => Buffer.from(`Customer:${id}`).toString('base64')) });
    expect(enrolled.data.enrollCustomers.enrolled).toBe(2);
    await app.runtime.drain();
    expect((await tasksOf(c.ws)).map((t) => [t.staffUserId, t.status, t.journeyId, t.nodeId])).toEqual([['lisi', 'waiting', dbId(journeyId), 'send'], ['zhangsan', 'waiting', dbId(journeyId), 'send']]);

    c.s.confirmMassSend({ msgid: await msgidOf(c.ws, 'zhangsan'), userid: 'zhangsan' });
    await app.runtime.wecomMassSends(later(2 * 60_000));
    await app.runtime.drain();
    const sent = await app.db.prisma.event.findFirstOrThrow({ where: { workspaceId: c.ws.id, type: 'wecom.message_sent' } });
    expect(sent.properties).toMatchObject({ journeyId: dbId(journeyId), nodeId: 'send', staffUserId: 'zhangsan' });

    // 24 hours pass: lisi's customer's wait times out (and the task expires unconfirmed).
    await app.db.query(`UPDATE "Enrollment" SET "readyAt" = now() - interval '1 minute' WHERE "workspaceId" = $1 AND status = 'waiting'`, [c.ws.id]);
    await app.runtime.wakeDue();
    await app.runtime.wecomMassSends(later(25 * HOUR));
    await app.runtime.drain();
    const tagsOf = async (customerId: string) => (await app.db.prisma.customerTag.findMany({ where: { customerId }, include: { tag: true } })).map((t) => t.tag.name);
    expect(await tagsOf(c.customers.wm_zhangsan_1!)).toEqual(['已送达']);
    expect(await tagsOf(c.customers.wm_lisi_1!)).toEqual(['未确认']);
  });
});

const QUOTA = `mutation ($i: WeComQuotaSettingsInput!) { updateWeComQuotaSettings(input: $i) { ${ERR} ... on WeComQuotaSettings { period limit effectiveLimit action massSendHours } } }`;

describe('one WeCom quota for campaigns and journeys', () => {
  it('settings default to WeCom\'s monthly limit, take a week or a day, and refuse a limit over WeCom\'s', async () => {
    const c = await connected(1);
    const read = await c.ws.gql(`{ wecomQuotaSettings { period limit effectiveLimit action massSendHours } }`);
    const now = new Date(Date.now() + 8 * HOUR);
    const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
    expect(read.data.wecomQuotaSettings).toEqual({ period: 'month', limit: null, effectiveLimit: daysInMonth, action: 'skip', massSendHours: 24 });
    const bad = await c.ws.gql(QUOTA, { i: { period: 'week', limit: 8 } });
    expect(bad.data.updateWeComQuotaSettings).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.limit' }] });
    const week = await c.ws.gql(QUOTA, { i: { period: 'week', action: 'delay', massSendHours: 48 } });
    expect(week.data.updateWeComQuotaSettings).toEqual({ __typename: 'WeComQuotaSettings', period: 'week', limit: null, effectiveLimit: 7, action: 'delay', massSendHours: 48 });
  });

  it('over quota: a journey\'s message uses the day\'s one, so the campaign skips that customer (reported) and sends to the other; in delay mode it waits for the next day', async () => {
    const c = await connected(1);
    expect((await c.ws.gql(QUOTA, { i: { period: 'day' } })).data.updateWeComQuotaSettings.effectiveLimit).toBe(1);
    const journeyId = await published(c.ws, '一条企微', { nodes: [node('start', 'api'), node('send', 'send-message', { channel: 'wecom', body: '旅程消息' })], edges: [edge('start', 'next', 'send')] });
    const z1 = c.customers.wm_zhangsan_1!;
    const l1 = c.customers.wm_lisi_1!;
    await c.ws.gql(ENROLL, { j: journeyId, c: [Buffer.from(`Customer:${z1}`).toString('base64')] });
    await app.runtime.drain();
    const usage = await c.ws.gql(`query ($id: ID!) { node(id: $id) { ... on Customer { wecomQuota { period used limit remaining } } } }`, { id: Buffer.from(`Customer:${z1}`).toString('base64') });
    expect(usage.data.node.wecomQuota).toEqual({ period: 'day', used: 1, limit: 1, remaining: 0 });

    const id = await campaign(c, '配额', [z1, l1]);
    const rows = await app.db.prisma.delivery.findMany({ where: { workspaceId: c.ws.id, campaignId: dbId(id) } });
    const skipped = rows.find((d) => d.customerId === z1)!;
    expect([skipped.status, skipped.error]).toEqual(['skipped', 'over WeCom quota: 1 mass message a day per customer']);
    expect(rows.find((d) => d.customerId === l1)!.status).toBe('sent');
    const listed = await c.ws.gql(`query ($c: ID!) { deliveries(campaignId: $c, status: skipped, first: 10) { edges { node { error } } } }`, { c: id });
    expect(listed.data.deliveries.edges.map((e: any) => e.node.error)).toEqual(['over WeCom quota: 1 mass message a day per customer']);

    // Delay mode: the same customer waits for the next day (China time) instead.
    await c.ws.gql(QUOTA, { i: { action: 'delay' } });
    const again = await campaign(c, '配额-延后', [z1], '第二条');
    const delayed = (await app.db.prisma.delivery.findMany({ where: { workspaceId: c.ws.id, campaignId: dbId(again) } }))[0]!;
    const chinaNow = new Date(Date.now() + 8 * HOUR);
    const nextDay = Date.UTC(chinaNow.getUTCFullYear(), chinaNow.getUTCMonth(), chinaNow.getUTCDate() + 1) - 8 * HOUR;
    expect([delayed.status, delayed.error, delayed.nextAttemptAt.getTime()]).toEqual(['planned', 'over WeCom quota: 1 mass message a day per customer', nextDay]);
    expect(c.s.state.massSends.size).toBe(2);
  });

  it('shared the other way too: a campaign uses the day\'s message, so the journey\'s is skipped and the node\'s stats say why', async () => {
    const c = await connected(1);
    await c.ws.gql(QUOTA, { i: { period: 'day' } });
    const z1 = c.customers.wm_zhangsan_1!;
    await campaign(c, '先活动', [z1]);
    const journeyId = await published(c.ws, '后旅程', { nodes: [node('start', 'api'), node('send', 'send-message', { channel: 'wecom', body: '旅程消息' })], edges: [edge('start', 'next', 'send')] });
    await c.ws.gql(ENROLL, { j: journeyId, c: [Buffer.from(`Customer:${z1}`).toString('base64')] });
    await app.runtime.drain();
    const d = await app.db.prisma.delivery.findFirstOrThrow({ where: { workspaceId: c.ws.id, journeyId: dbId(journeyId) } });
    expect([d.status, d.error, d.wecomTaskId]).toEqual(['skipped', 'over WeCom quota: 1 mass message a day per customer', null]);
    const stats = await c.ws.gql(`query ($id: ID!) { journey(id: $id) { stats { nodeId messages { sent skipped overWeComQuota confirmationWaiting } } } }`, { id: journeyId });
    expect(stats.errors).toBeUndefined();
    expect(stats.data.journey.stats.find((s: any) => s.nodeId === 'send').messages).toEqual({ sent: 0, skipped: 1, overWeComQuota: 1, confirmationWaiting: 0 });
    expect(c.s.state.massSends.size).toBe(1);
  });

  it('a message that failed in WeCom (over its receive limit) does not count against the quota', async () => {
    const c = await connected(1, { receiveLimit: 'day' });
    await c.ws.gql(QUOTA, { i: { period: 'day' } });
    // WeCom already delivered another mass message today (sent outside Courtyard).
    c.s.state.receipts.set('wm_zhangsan_1', [Date.now()]);
    await campaign(c, '已满', [c.customers.wm_zhangsan_1!]);
    c.s.confirmMassSend({ msgid: await msgidOf(c.ws, 'zhangsan'), userid: 'zhangsan' });
    await app.runtime.wecomMassSends(later(2 * 60_000));
    const [d] = await deliveriesOf(c.ws);
    expect([d!.status, d!.confirmation, d!.error]).toEqual(['failed', 'failed', "not sent: the customer is over WeCom's receive limit for mass messages"]);
    const usage = await c.ws.gql(`query ($id: ID!) { node(id: $id) { ... on Customer { wecomQuota { used } } } }`, { id: Buffer.from(`Customer:${c.customers.wm_zhangsan_1}`).toString('base64') });
    expect(usage.data.node.wecomQuota.used).toBe(0);
  });
});

describe('a wecom channel with its own credentials (from before connections)', () => {
  it('sends and is polled with the channel\'s credentials when the workspace has no WeCom connection', async () => {
    const c = await connected(1);
    await app.db.prisma.weComConnection.delete({ where: { workspaceId: c.ws.id } });
    await app.db.prisma.channel.update({ where: { id: c.channelId }, data: { config: { corpId: TEST_CORP.corpId, secret: 'standin-secret', baseUrl: c.s.url } } });
    await campaign(c, '旧渠道', [c.customers.wm_zhangsan_1!]);
    c.s.confirmMassSend({ msgid: await msgidOf(c.ws, 'zhangsan'), userid: 'zhangsan' });
    await app.runtime.wecomMassSends(later(2 * 60_000));
    expect((await tasksOf(c.ws)).map((t) => t.status)).toEqual(['sent']);
    expect((await deliveriesOf(c.ws)).map((d) => d.confirmation)).toEqual(['sent']);
  });
});
