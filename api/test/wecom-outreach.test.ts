// Phone-number outreach (手机号拓客) against the WeCom stand-in as a real HTTP server. WeCom has no
// API that sends a friend request by phone: tasks go to staff, a staff member adds the customer in
// the stand-in (addByPhone: the add callback, add_way 2), and the runtime matches the add to the
// task by the remark mobile it reads back with externalcontact/get.
import { describe, expect, it } from 'vitest';
import { useWeComHarness } from './wecom-fixtures.ts';

const harness = useWeComHarness();

const DAY = 86_400_000;
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const phone = (i: number) => `1380013${String(i).padStart(4, '0')}`;
const ERR = `__typename ... on Error { code message } ... on ValidationError { fields { field code } } ... on NotFoundError { field }`;
const CREATE = `mutation ($input: CreateWeComOutreachTasksInput!) { createWeComOutreachTasks(input: $input) { ${ERR}
  ... on CreateWeComOutreachTasksPayload { created rejected items { index phone errorCode task { id phone day status source sourceCustomerId staff { name } } } } } }`;
const SETTINGS = `mutation ($input: WeComStaffTaskSettingsInput!) { updateWeComStaffTaskSettings(input: $input) { __typename ... on Error { code message } ... on WeComStaffTaskSettings { outreachPerStaffDay outreachExpiryDays momentsPerCustomerDay } } }`;
const SUMMARY = `{ wecomOutreachSummary { staffUserId pending added expired today unmatchedAdds staff { name } } }`;
const TASKS = `query ($staffId: ID, $status: WeComOutreachStatus) { wecomOutreachTasks(first: 100, staffId: $staffId, status: $status) { edges { node { phone status day matchedExternalUserId matchedCustomerId staff { name } } } } }`;

async function connected() {
  const { ws, s } = await harness.connected(['zhangsan', 'lisi']);
  const staff: Record<string, string> = {};
  for (const userid of ['zhangsan', 'lisi']) staff[userid] = (await harness.app.db.prisma.staff.create({ data: { workspaceId: ws.id, name: userid, wecomUserId: userid } })).id;
  return { ws, s, staff };
}

/** Customers as order import leaves them: a phone, orders, no WeCom external id. */
async function orderCustomers(workspaceId: string, count: number) {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    const c = await harness.app.db.prisma.customer.create({ data: { workspaceId, name: `买家${i}`, phone: phone(i), orderCount: 1, totalSpentCents: 9900n, lastOrderAt: new Date(Date.now() - i * 60_000) } });
    ids.push(c.id);
  }
  return ids;
}

describe('phone-number outreach', () => {
  it('tasks from imported orders are spread across staff, at most the daily limit each per day; later ones go to the next day', async () => {
    const { ws, staff } = await connected();
    const set = await ws.gql(SETTINGS, { input: { outreachPerStaffDay: 2 } });
    expect(set.errors).toBeUndefined();
    expect(set.data.updateWeComStaffTaskSettings).toMatchObject({ outreachPerStaffDay: 2, outreachExpiryDays: 7, momentsPerCustomerDay: 3 });
    await orderCustomers(ws.id, 5);
    // A WeCom contact already, and a customer without orders: neither is picked.
    await harness.app.db.prisma.customer.create({ data: { workspaceId: ws.id, phone: phone(90), orderCount: 2, wecomExternalId: 'wm_known' } });
    await harness.app.db.prisma.customer.create({ data: { workspaceId: ws.id, phone: phone(91) } });

    const r = await ws.gql(CREATE, { input: { fromOrders: {}, staffIds: [gid('Staff', staff.zhangsan!), gid('Staff', staff.lisi!)] } });
    expect(r.data.createWeComOutreachTasks).toMatchObject({ __typename: 'CreateWeComOutreachTasksPayload', created: 5, rejected: 0 });
    const tasks = r.data.createWeComOutreachTasks.items.map((i: { task: { day: string; staff: { name: string }; source: string } }) => i.task);
    expect(tasks.every((t: { source: string }) => t.source === 'orders')).toBe(true);
    const perStaffDay = new Map<string, number>();
    for (const t of tasks) perStaffDay.set(`${t.staff.name}|${t.day}`, (perStaffDay.get(`${t.staff.name}|${t.day}`) ?? 0) + 1);
    expect([...perStaffDay.values()].every((n) => n <= 2)).toBe(true);
    const days = [...new Set(tasks.map((t: { day: string }) => t.day))].sort();
    expect(days).toHaveLength(2);
    expect(tasks.filter((t: { day: string }) => t.day === days[0])).toHaveLength(4);

    // A second run adds nothing for the same customers, and a new one goes after the full days.
    const again = await ws.gql(CREATE, { input: { fromOrders: {} } });
    expect(again.data.createWeComOutreachTasks.items.map((i: { errorCode: string }) => i.errorCode)).toEqual(['task_exists', 'task_exists', 'task_exists', 'task_exists', 'task_exists']);
    const summary = await ws.gql(SUMMARY);
    expect(summary.data.wecomOutreachSummary.map((s: { staffUserId: string; pending: number; today: number }) => [s.staffUserId, s.pending, s.today])).toEqual([
      ['lisi', 2, 2],
      ['zhangsan', 3, 2],
    ]);
  });

  it('an uploaded list gets a result per phone: bad numbers, duplicates and WeCom contacts are reported, the rest become tasks', async () => {
    const { ws } = await connected();
    await harness.app.db.prisma.customer.create({ data: { workspaceId: ws.id, phone: phone(50), wecomExternalId: 'wm_already' } });
    const r = await ws.gql(CREATE, { input: { phones: ['138 0013 0001', 'not a phone', '+86 13800130001', phone(50), '12345', phone(2)] } });
    const out = r.data.createWeComOutreachTasks;
    expect(out).toMatchObject({ created: 2, rejected: 4 });
    expect(out.items.map((i: { index: number; errorCode: string | null; task: { phone: string } | null }) => [i.index, i.errorCode, i.task?.phone ?? null])).toEqual([
      [0, null, '13800130001'],
      [1, 'invalid_phone', null],
      [2, 'duplicate', null],
      [3, 'already_on_wecom', null],
      [4, 'invalid_phone', null],
      [5, null, phone(2)],
    ]);
    const neither = await ws.gql(CREATE, { input: { phones: [phone(3)], fromOrders: {} } });
    expect(neither.data.createWeComOutreachTasks).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.phones', code: 'required' }] });
  });

  it('the add is matched to the task when the add callback arrives and the staff member kept the number as remark mobile; an add without it stays unmatched until the remark is filled in', async () => {
    const { ws, s, staff } = await connected();
    const [first, second] = await orderCustomers(ws.id, 2);
    const r = await ws.gql(CREATE, { input: { fromOrders: {}, staffIds: [gid('Staff', staff.zhangsan!)] } });
    expect(r.data.createWeComOutreachTasks.created).toBe(2);

    // zhangsan searches phone(1), the customer accepts; the number is kept as remark mobile.
    const matched = await s.addByPhone({ userid: 'zhangsan', mobile: phone(1), external_userid: 'wm_phone_1', remark_mobiles: [`+86 ${phone(1)}`] });
    expect(matched.callback.delivered).toBe(true);
    // phone(2) is added, but without the remark mobile: nothing says which task it was.
    await s.addByPhone({ userid: 'zhangsan', mobile: phone(2), external_userid: 'wm_phone_2' });
    await harness.server.wecom.drain();
    // One externalcontact/get an add: the profile read serves the outreach match too.
    expect(s.state.counters.calls.get('externalcontact/get')).toBe(2);
    await harness.app.runtime.wecomFollowUps(new Date());

    const added = await ws.gql(TASKS, { status: 'added' });
    const wecomCustomer = await harness.app.db.prisma.customer.findFirstOrThrow({ where: { workspaceId: ws.id, wecomExternalId: 'wm_phone_1' } });
    expect(added.data.wecomOutreachTasks.edges.map((e: { node: unknown }) => e.node)).toEqual([
      expect.objectContaining({ phone: phone(1), status: 'added', matchedExternalUserId: 'wm_phone_1', matchedCustomerId: wecomCustomer.id, staff: { name: 'zhangsan' } }),
    ]);
    const summary = await ws.gql(SUMMARY);
    expect(summary.data.wecomOutreachSummary).toEqual([expect.objectContaining({ staffUserId: 'zhangsan', pending: 1, added: 1, expired: 0, unmatchedAdds: 1 })]);

    // The staff member fills in the remark mobile later (WeCom sends no callback for that): a later pass matches it.
    await s.editContact({ userid: 'zhangsan', external_userid: 'wm_phone_2', remark_mobiles: [phone(2)] });
    await harness.app.runtime.wecomFollowUps(new Date(Date.now() + 61_000));
    const rows = await harness.app.db.prisma.weComOutreachTask.findMany({ where: { workspaceId: ws.id }, orderBy: { phone: 'asc' } });
    expect(rows.map((t) => [t.phone, t.status, t.customerId, t.matchedExternalUserId])).toEqual([
      [phone(1), 'added', first, 'wm_phone_1'],
      [phone(2), 'added', second, 'wm_phone_2'],
    ]);
    expect((await ws.gql(SUMMARY)).data.wecomOutreachSummary[0]).toMatchObject({ pending: 0, added: 2, unmatchedAdds: 0 });
    // phone(2)'s contact had become a customer of its own at the add; matched later, it is folded
    // into the buyer the task was made for: one record with the phone, the orders, the contact, its owner, follow and add event.
    const records = await harness.app.db.prisma.customer.findMany({ where: { workspaceId: ws.id, OR: [{ wecomExternalId: 'wm_phone_2' }, { phone: phone(2) }] } });
    expect(records.map((m) => [m.id, m.phone, m.wecomExternalId, m.ownerStaffId, m.orderCount, m.name])).toEqual([[second, phone(2), 'wm_phone_2', staff.zhangsan, 1, '买家2']]);
    const addEvents = await harness.app.db.prisma.event.findMany({ where: { workspaceId: ws.id, type: 'wecom.contact_added' }, orderBy: { occurredAt: 'asc' } });
    expect(addEvents.map((e) => [(e.properties as { externalUserId: string }).externalUserId, e.customerId]).sort()).toEqual([
      ['wm_phone_1', first],
      ['wm_phone_2', second],
    ]);
    expect((await harness.app.db.prisma.weComFollow.findFirstOrThrow({ where: { workspaceId: ws.id, externalUserId: 'wm_phone_2' } })).customerId).toBe(second);
    expect((await harness.app.db.prisma.weComOutreachTask.findFirstOrThrow({ where: { workspaceId: ws.id, phone: phone(2) } })).matchedCustomerId).toBe(second);
    expect(await harness.app.db.prisma.customer.count({ where: { workspaceId: ws.id } })).toBe(2);
  });

  it('an outreach add lands on the order customer the task was made for: one record with the contact, owner, follow and the add event, no second customer', async () => {
    const { ws, s, staff } = await connected();
    const [buyer] = await orderCustomers(ws.id, 1);
    expect((await ws.gql(CREATE, { input: { fromOrders: {}, staffIds: [gid('Staff', staff.zhangsan!)] } })).data.createWeComOutreachTasks.created).toBe(1);

    await s.addByPhone({ userid: 'zhangsan', mobile: phone(1), external_userid: 'wm_buyer_1', name: '微信昵称', remark_mobiles: [phone(1)] });
    await harness.server.wecom.drain();

    const customers = await harness.app.db.prisma.customer.findMany({ where: { workspaceId: ws.id } });
    expect(customers.map((c) => [c.id, c.phone, c.wecomExternalId, c.ownerStaffId, c.orderCount])).toEqual([[buyer, phone(1), 'wm_buyer_1', staff.zhangsan, 1]]);
    const follow = await harness.app.db.prisma.weComFollow.findFirstOrThrow({ where: { workspaceId: ws.id, externalUserId: 'wm_buyer_1' } });
    expect([follow.userId, follow.customerId]).toEqual(['zhangsan', buyer]);
    const events = await harness.app.db.prisma.event.findMany({ where: { workspaceId: ws.id, type: 'wecom.contact_added' } });
    expect(events.map((e) => e.customerId)).toEqual([buyer]);
    // Matched as the callback was processed, before any runtime pass.
    const [task] = (await ws.gql(TASKS, {})).data.wecomOutreachTasks.edges.map((e: { node: unknown }) => e.node);
    expect(task).toMatchObject({ status: 'added', matchedExternalUserId: 'wm_buyer_1', matchedCustomerId: buyer });
    // A runtime pass changes nothing, and a repeated callback writes nothing twice.
    await harness.app.runtime.wecomFollowUps(new Date(Date.now() + 61_000));
    expect(await harness.app.db.prisma.customer.count({ where: { workspaceId: ws.id } })).toBe(1);
    expect((await ws.gql(SUMMARY)).data.wecomOutreachSummary[0]).toMatchObject({ pending: 0, added: 1, unmatchedAdds: 0 });
    const buyerNode = await ws.gql(`query ($id: ID!) { node(id: $id) { ... on Customer { wecomExternalId ownerStaff { name } } } }`, { id: gid('Customer', buyer!) });
    expect(buyerNode.data.node).toEqual({ wecomExternalId: 'wm_buyer_1', ownerStaff: { name: 'zhangsan' } });
  });

  it('an uploaded number with no customer yet: the add becomes one customer that keeps the number, so a later order import finds it', async () => {
    const { ws, s } = await connected();
    await ws.gql(CREATE, { input: { phones: [phone(30)] } });
    const [task] = await harness.app.db.prisma.weComOutreachTask.findMany({ where: { workspaceId: ws.id } });
    await s.addByPhone({ userid: task!.staffUserId, mobile: phone(30), external_userid: 'wm_upload_30', remark_mobiles: [phone(30)] });
    await harness.server.wecom.drain();
    const customers = await harness.app.db.prisma.customer.findMany({ where: { workspaceId: ws.id } });
    expect(customers.map((c) => [c.phone, c.wecomExternalId])).toEqual([[phone(30), 'wm_upload_30']]);
    expect((await harness.app.db.prisma.weComOutreachTask.findUniqueOrThrow({ where: { id: task!.id } })).matchedCustomerId).toBe(customers[0]!.id);
  });

  it('two records that existed before are not merged: the order customer stays apart from the record that already held the contact', async () => {
    const { ws, s, staff } = await connected();
    const [buyer] = await orderCustomers(ws.id, 1);
    await ws.gql(CREATE, { input: { fromOrders: {}, staffIds: [gid('Staff', staff.zhangsan!)] } });
    // lisi had added the same WeChat user before, with no number: Courtyard already has a record for the contact.
    const earlier = await harness.app.db.prisma.customer.create({ data: { workspaceId: ws.id, name: '老客户', wecomExternalId: 'wm_known_1', ownerStaffId: staff.lisi } });
    await s.addByPhone({ userid: 'lisi', mobile: phone(1), external_userid: 'wm_known_1' });
    await s.addByPhone({ userid: 'zhangsan', mobile: phone(1), external_userid: 'wm_known_1', remark_mobiles: [phone(1)] });
    await harness.server.wecom.drain();

    const rows = await harness.app.db.prisma.customer.findMany({ where: { workspaceId: ws.id }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((c) => [c.id, c.phone, c.wecomExternalId])).toEqual([
      [buyer, phone(1), null],
      [earlier.id, null, 'wm_known_1'],
    ]);
    const task = await harness.app.db.prisma.weComOutreachTask.findFirstOrThrow({ where: { workspaceId: ws.id } });
    expect([task.status, task.customerId, task.matchedCustomerId]).toEqual(['added', buyer, earlier.id]);
  });

  it('a task nobody adds expires after the expiry days', async () => {
    const { ws } = await connected();
    await ws.gql(SETTINGS, { input: { outreachExpiryDays: 3 } });
    await ws.gql(CREATE, { input: { phones: [phone(7)] } });
    await harness.app.runtime.wecomFollowUps(new Date(Date.now() + 2 * DAY));
    expect((await ws.gql(TASKS, { status: 'pending' })).data.wecomOutreachTasks.edges).toHaveLength(1);
    await harness.app.runtime.wecomFollowUps(new Date(Date.now() + 3 * DAY + 60_000));
    expect((await ws.gql(TASKS, {})).data.wecomOutreachTasks.edges.map((e: { node: { status: string } }) => e.node.status)).toEqual(['expired']);
    // An expired number may be handed out again.
    expect((await ws.gql(CREATE, { input: { phones: [phone(7)] } })).data.createWeComOutreachTasks.created).toBe(1);
  });
});
