// Staff binding and transfer against the WeCom stand-in as a real HTTP server: the API listens on a
// real port for the stand-in's callbacks, WeCom's limits refuse a request before WeCom is called,
// and the runtime settles transfers from transfer_result or the transfer_fail callback.
import { ManualClock } from '@courtyard/wecom';
import type { WeComStandIn } from '@courtyard/wecom/standin';
import { describe, expect, it } from 'vitest';
import type { TestWorkspace } from '../src/testing.ts';
import { useWeComHarness } from './wecom-fixtures.ts';

const harness = useWeComHarness();

const HOUR = 3_600_000;
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const ERR = `__typename ... on Error { code message } ... on ValidationError { fields { field code } } ... on WeComLimitError { field rule limit over } ... on WeComRejectedError { field wecomCode } ... on NotFoundError { field }`;
const TRANSFER = `mutation ($input: TransferCustomersInput!) { transferCustomers(input: $input) { ${ERR} ... on TransferCustomersPayload { waiting failed transfers { id status mode failReason message customer { id } fromStaff { name } toStaff { name } } } } }`;
const LIST = `query ($status: WeComTransferStatus) { wecomTransfers(first: 50, status: $status) { edges { node { status failReason mode customer { id } fromStaff { name } toStaff { name } } } } }`;

interface Setup {
  ws: TestWorkspace;
  s: WeComStandIn;
  clock: ManualClock;
  staff: Record<'zhangsan' | 'lisi' | 'wangwu', string>;
  /** Customer ids by external userid; wm_1 … belong to zhangsan. */
  customers: Record<string, string>;
}

/** A connected workspace whose stand-in pushes callbacks here; zhangsan owns `count` customers (friends in WeCom too). */
async function connected(count = 2): Promise<Setup> {
  // The stand-in's clock starts now, so its callbacks are fresh; moving it on lets WeCom's 24 h pass.
  const clock = new ManualClock(Date.now());
  const { ws, s } = await harness.connected(['zhangsan', 'lisi', 'wangwu'], { clock });
  const staff = {} as Setup['staff'];
  for (const userid of ['zhangsan', 'lisi', 'wangwu'] as const) {
    staff[userid] = (await harness.app.db.prisma.staff.create({ data: { workspaceId: ws.id, name: userid, wecomUserId: userid } })).id;
  }
  const customers: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    const external = `wm_${i}`;
    s.state.customers.set(external, { external_userid: external, name: external, type: 1, gender: 0 });
    s.state.follows.push({ userid: 'zhangsan', external_userid: external, createtime: Math.floor(clock.now() / 1000) - 86_400, add_way: 1, tags: new Set() });
    customers[external] = (await harness.app.db.prisma.customer.create({ data: { workspaceId: ws.id, name: external, wecomExternalId: external, ownerStaffId: staff.zhangsan } })).id;
    await harness.app.db.prisma.weComFollow.create({ data: { workspaceId: ws.id, userId: 'zhangsan', externalUserId: external, customerId: customers[external], addedAt: new Date(Date.now() - 86_400_000) } });
  }
  return { ws, s, clock, staff, customers };
}

const ownerOf = async (customerId: string) => (await harness.app.db.prisma.customer.findUniqueOrThrow({ where: { id: customerId } })).ownerStaffId;

describe('customer transfer', () => {
  it('an in-service transfer waits 24 h in WeCom, then succeeds: the owner and the WeCom follow move to the new staff member', async () => {
    const { ws, s, clock, staff, customers } = await connected(2);
    const r = await ws.gql(TRANSFER, { input: { customerIds: [gid('Customer', customers.wm_1!), gid('Customer', customers.wm_2!)], toStaffId: gid('Staff', staff.lisi), mode: 'in_service', message: '您好，之后由李四为您服务' } });
    expect(r.data.transferCustomers).toMatchObject({ __typename: 'TransferCustomersPayload', waiting: 2, failed: 0 });
    expect(r.data.transferCustomers.transfers.map((t: { status: string; fromStaff: { name: string }; toStaff: { name: string }; message: string }) => [t.status, t.fromStaff.name, t.toStaff.name, t.message])).toEqual([
      ['waiting', 'zhangsan', 'lisi', '您好，之后由李四为您服务'],
      ['waiting', 'zhangsan', 'lisi', '您好，之后由李四为您服务'],
    ]);
    expect(s.state.transfers.map((t) => [t.resigned, t.handover_userid, t.takeover_userid, t.status])).toEqual([
      [false, 'zhangsan', 'lisi', 2],
      [false, 'zhangsan', 'lisi', 2],
    ]);

    // Before the 24 h nothing is read: the owner is unchanged.
    await harness.app.runtime.wecomFollowUps(new Date());
    expect(await ownerOf(customers.wm_1!)).toBe(staff.zhangsan);

    clock.advance(24 * HOUR + 1000);
    await harness.app.runtime.wecomFollowUps(new Date(Date.now() + 25 * HOUR));
    const list = await ws.gql(LIST, {});
    expect(list.data.wecomTransfers.edges.map((e: { node: { status: string } }) => e.node.status)).toEqual(['succeeded', 'succeeded']);
    expect(await ownerOf(customers.wm_1!)).toBe(staff.lisi);
    expect(await ownerOf(customers.wm_2!)).toBe(staff.lisi);
    const follows = await harness.app.db.prisma.weComFollow.findMany({ where: { workspaceId: ws.id, externalUserId: 'wm_1' }, orderBy: { userId: 'asc' } });
    expect(follows.map((f) => [f.userId, f.deletedAt === null])).toEqual([
      ['lisi', true],
      ['zhangsan', false],
    ]);
    const events = await harness.app.db.prisma.event.findMany({ where: { workspaceId: ws.id, type: 'wecom.transfer_succeeded' } });
    expect(events).toHaveLength(2);
    // A second pass changes nothing.
    expect(await harness.app.runtime.wecomFollowUps(new Date(Date.now() + 26 * HOUR))).toBe(0);
  });

  it('a customer who refuses (stand-in refuseTransfer) fails the transfer with the reason from the transfer_fail callback, linked to its event; the owner stays', async () => {
    const { ws, s, staff, customers } = await connected(2);
    const r = await ws.gql(TRANSFER, { input: { customerIds: [gid('Customer', customers.wm_1!), gid('Customer', customers.wm_2!)], toStaffId: gid('Staff', staff.lisi), mode: 'in_service' } });
    expect(r.data.transferCustomers.waiting).toBe(2);
    const delivery = await s.refuseTransfer({ external_userid: 'wm_1' });
    expect(delivery.delivered).toBe(true);
    await harness.server.wecom.drain();
    await harness.app.runtime.wecomFollowUps(new Date());

    const rows = await harness.app.db.prisma.weComTransfer.findMany({ where: { workspaceId: ws.id }, orderBy: { externalUserId: 'asc' } });
    expect(rows.map((t) => [t.externalUserId, t.status, t.failReason])).toEqual([
      ['wm_1', 'failed', 'customer_refused'],
      ['wm_2', 'waiting', null],
    ]);
    const event = await harness.app.db.prisma.event.findFirstOrThrow({ where: { workspaceId: ws.id, type: 'wecom.transfer_failed' } });
    expect(rows[0]!.failEventId).toBe(event.id);
    expect(await ownerOf(customers.wm_1!)).toBe(staff.zhangsan);
    const failed = await ws.gql(LIST, { status: 'failed' });
    expect(failed.data.wecomTransfers.edges).toEqual([{ node: { status: 'failed', failReason: 'customer_refused', mode: 'in_service', customer: { id: gid('Customer', customers.wm_1!) }, fromStaff: { name: 'zhangsan' }, toStaff: { name: 'lisi' } } }]);
  });

  it('without the callback, transfer_result tells the refusal: takeover member full (status 4) fails with customer_limit_exceed', async () => {
    const { ws, s, clock, staff, customers } = await connected(1);
    await ws.gql(TRANSFER, { input: { customerIds: [gid('Customer', customers.wm_1!)], toStaffId: gid('Staff', staff.lisi), mode: 'in_service' } });
    s.setCallbackUrl(undefined);
    await s.refuseTransfer({ external_userid: 'wm_1', reason: 'customer_limit_exceed' });
    clock.advance(24 * HOUR + 1000);
    await harness.app.runtime.wecomFollowUps(new Date(Date.now() + 25 * HOUR));
    const row = await harness.app.db.prisma.weComTransfer.findFirstOrThrow({ where: { workspaceId: ws.id } });
    expect([row.status, row.failReason, row.failEventId]).toEqual(['failed', 'customer_limit_exceed', null]);
    expect(await ownerOf(customers.wm_1!)).toBe(staff.zhangsan);
  });

  it('over WeCom\'s limits the request is refused on its field before WeCom is called: 101 customers, a third in-service transfer in 90 days', async () => {
    const { ws, s, staff, customers } = await connected(1);
    const many = Array.from({ length: 101 }, () => gid('Customer', customers.wm_1!));
    const batch = await ws.gql(TRANSFER, { input: { customerIds: many, toStaffId: gid('Staff', staff.lisi), mode: 'in_service' } });
    expect(batch.data.transferCustomers).toMatchObject({ __typename: 'WeComLimitError', code: 'WECOM_LIMIT', field: 'input.customerIds', rule: 'transfer_batch', limit: 100 });

    for (const days of [80, 10]) {
      await harness.app.db.prisma.weComTransfer.create({
        data: { workspaceId: ws.id, customerId: customers.wm_1!, externalUserId: 'wm_1', mode: 'in_service', fromStaffId: staff.wangwu, toStaffId: staff.zhangsan, handoverUserId: 'wangwu', takeoverUserId: 'zhangsan', status: 'succeeded', createdAt: new Date(Date.now() - days * 86_400_000) },
      });
    }
    const third = await ws.gql(TRANSFER, { input: { customerIds: [gid('Customer', customers.wm_1!)], toStaffId: gid('Staff', staff.lisi), mode: 'in_service' } });
    expect(third.data.transferCustomers).toMatchObject({ __typename: 'WeComLimitError', field: 'input.customerIds', rule: 'transfer_twice_in_90_days', limit: 2, over: [gid('Customer', customers.wm_1!)] });
    expect(s.state.transfers).toHaveLength(0);
    expect(await harness.app.db.prisma.weComTransfer.count({ where: { workspaceId: ws.id, status: 'waiting' } })).toBe(0);

    // One of the two older than 90 days: the transfer may go.
    await harness.app.db.prisma.weComTransfer.updateMany({ where: { workspaceId: ws.id }, data: { createdAt: new Date(Date.now() - 100 * 86_400_000) } });
    const ok = await ws.gql(TRANSFER, { input: { customerIds: [gid('Customer', customers.wm_1!)], toStaffId: gid('Staff', staff.lisi), mode: 'in_service' } });
    expect(ok.data.transferCustomers.waiting).toBe(1);
  });

  it('a resigned transfer takes every customer of a deactivated staff member through resigned/transfer_customer; an active one is refused on fromStaffId', async () => {
    const { ws, s, clock, staff, customers } = await connected(3);
    const input = { fromStaffId: gid('Staff', staff.zhangsan), toStaffId: gid('Staff', staff.wangwu), mode: 'resigned' };
    const active = await ws.gql(TRANSFER, { input });
    expect(active.data.transferCustomers).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.fromStaffId', code: 'still_active' }] });
    const withMessage = await ws.gql(TRANSFER, { input: { ...input, message: '你好' } });
    expect(withMessage.data.transferCustomers.fields).toEqual([{ field: 'input.message', code: 'not_allowed' }]);

    await harness.app.db.prisma.staff.update({ where: { id: staff.zhangsan }, data: { active: false } });
    const r = await ws.gql(TRANSFER, { input });
    expect(r.data.transferCustomers).toMatchObject({ waiting: 3, failed: 0 });
    expect(s.state.transfers.every((t) => t.resigned && t.takeover_userid === 'wangwu')).toBe(true);
    clock.advance(24 * HOUR + 1000);
    await harness.app.runtime.wecomFollowUps(new Date(Date.now() + 25 * HOUR));
    for (const id of Object.values(customers)) expect(await ownerOf(id)).toBe(staff.wangwu);
  });

  it('a customer WeCom refuses at once (not that member\'s customer: 84061) is failed with the errcode; the others wait', async () => {
    const { ws, s, staff, customers } = await connected(2);
    s.state.follows.splice(s.state.follows.findIndex((f) => f.external_userid === 'wm_2'), 1);
    const r = await ws.gql(TRANSFER, { input: { customerIds: [gid('Customer', customers.wm_1!), gid('Customer', customers.wm_2!)], toStaffId: gid('Staff', staff.lisi), mode: 'in_service' } });
    expect(r.data.transferCustomers).toMatchObject({ waiting: 1, failed: 1 });
    expect(r.data.transferCustomers.transfers.map((t: { status: string; failReason: string | null }) => [t.status, t.failReason]).sort()).toEqual([
      ['failed', 'errcode_84061'],
      ['waiting', null],
    ]);
    const again = await ws.gql(TRANSFER, { input: { customerIds: [gid('Customer', customers.wm_1!)], toStaffId: gid('Staff', staff.wangwu), mode: 'in_service' } });
    expect(again.data.transferCustomers).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.customerIds.0', code: 'transfer_waiting' }] });
  });
});
