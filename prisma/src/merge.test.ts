import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './client.ts';
import { mergeCustomerInto } from './merge.ts';
import { createTestDb } from './testing.ts';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

async function world() {
  const ws = (await db.prisma.workspace.create({ data: { name: 'Harbour Tea' } })).id;
  const staff = (await db.prisma.staff.create({ data: { workspaceId: ws, name: '张三', wecomUserId: 'zhangsan' } })).id;
  const group = await db.prisma.tagGroup.create({ data: { workspaceId: ws, name: '渠道', kind: 'basic' } });
  const tag = async (name: string) => (await db.prisma.tag.create({ data: { workspaceId: ws, groupId: group.id, name } })).id;
  const [vip, parcel] = [await tag('VIP'), await tag('包裹卡')];
  // The buyer: imported orders, a phone, a VIP tag, a city; a member of a segment.
  const buyer = await db.prisma.customer.create({
    data: { workspaceId: ws, name: '王女士', phone: '13800138000', city: '杭州', orderCount: 2, totalSpentCents: 25800n, lastOrderAt: new Date('2026-10-01T00:00:00Z'), attributes: { level: 'gold' } },
  });
  // The contact: made by a WeCom add, owned by zhangsan, tagged VIP and 包裹卡, with its add event and follow.
  const contact = await db.prisma.customer.create({
    data: { workspaceId: ws, name: '微信昵称', wecomExternalId: 'wm_wang', unionId: 'union-wang', gender: 'female', ownerStaffId: staff, sourceChannel: 'wecom:parcel_card', attributes: { level: 'new', wechat: true } },
  });
  await db.prisma.customerTag.createMany({ data: [buyer.id, contact.id].map((customerId) => ({ workspaceId: ws, customerId, tagId: vip })) });
  await db.prisma.customerTag.create({ data: { workspaceId: ws, customerId: contact.id, tagId: parcel, source: 'plugin' } });
  await db.prisma.event.create({ data: { workspaceId: ws, customerId: contact.id, type: 'wecom.contact_added', occurredAt: new Date(), idempotencyKey: randomUUID() } });
  await db.prisma.weComFollow.create({ data: { workspaceId: ws, userId: 'zhangsan', externalUserId: 'wm_wang', customerId: contact.id, addedAt: new Date() } });
  const segment = await db.prisma.segment.create({ data: { workspaceId: ws, name: '加了微信', type: 'static', dependsOn: [] } });
  await db.prisma.segmentMember.create({ data: { workspaceId: ws, segmentId: segment.id, customerId: contact.id } });
  return { ws, staff, vip, parcel, buyer: buyer.id, contact: contact.id, segment: segment.id };
}

describe('mergeCustomerInto', () => {
  it('moves the contact onto the buyer: identities it lacked, the owner, tags (once), events, follows; figures added up; the contact deleted with its segment exit recorded', async () => {
    const w = await world();
    const result = await db.transaction((query) => mergeCustomerInto(query, w.ws, w.contact, w.buyer));
    expect(result).toEqual({ merged: true, exitedSegments: [w.segment] });

    const customers = await db.prisma.customer.findMany({ where: { workspaceId: w.ws } });
    expect(customers).toHaveLength(1);
    expect(customers[0]).toMatchObject({
      id: w.buyer,
      name: '王女士',
      phone: '13800138000',
      city: '杭州',
      wecomExternalId: 'wm_wang',
      unionId: 'union-wang',
      gender: 'female',
      ownerStaffId: w.staff,
      orderCount: 2,
      totalSpentCents: 25800n,
      attributes: { level: 'gold', wechat: true },
    });
    const tags = await db.prisma.customerTag.findMany({ where: { customerId: w.buyer }, orderBy: { tagId: 'asc' } });
    expect(tags.map((t) => [t.tagId, t.source]).sort()).toEqual(
      [
        [w.vip, 'manual'],
        [w.parcel, 'plugin'],
      ].sort(),
    );
    expect((await db.prisma.event.findMany({ where: { workspaceId: w.ws } })).map((e) => e.customerId)).toEqual([w.buyer]);
    expect((await db.prisma.weComFollow.findMany({ where: { workspaceId: w.ws } })).map((f) => f.customerId)).toEqual([w.buyer]);
    const changes = await db.prisma.segmentChange.findMany({ where: { segmentId: w.segment } });
    expect(changes.map((c) => [c.customerId, c.kind])).toEqual([[w.contact, 'exited']]);
  });

  it('refuses two different WeCom contacts and writes nothing; a record gone or the same one is not merged', async () => {
    const w = await world();
    await db.prisma.customer.update({ where: { id: w.buyer }, data: { wecomExternalId: 'wm_other' } });
    expect(await db.transaction((query) => mergeCustomerInto(query, w.ws, w.contact, w.buyer))).toEqual({ merged: false, exitedSegments: [] });
    expect(await db.prisma.customer.count({ where: { workspaceId: w.ws } })).toBe(2);
    expect(await db.prisma.segmentChange.count({ where: { segmentId: w.segment } })).toBe(0);
    expect(await db.transaction((query) => mergeCustomerInto(query, w.ws, w.contact, w.contact))).toEqual({ merged: false, exitedSegments: [] });
    expect(await db.transaction((query) => mergeCustomerInto(query, w.ws, w.contact, randomUUID()))).toEqual({ merged: false, exitedSegments: [] });
    // Another workspace's customer is never reached.
    const other = await world();
    expect(await db.transaction((query) => mergeCustomerInto(query, w.ws, w.contact, other.buyer))).toEqual({ merged: false, exitedSegments: [] });
  });
});
