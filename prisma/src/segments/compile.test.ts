// Every condition kind and operator family against small fixture workspaces, in both compile
// modes: 'set' (the whole workspace, as refreshes and counts run it) and 'point' (the same
// customers re-checked by id, as recheckSegment runs it). Both must name exactly the same customers.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../client.ts';
import type { OrderStatus, Prisma } from '../generated/prisma/client.ts';
import { createTestDb } from '../testing.ts';
import { compileSegment } from './compile.ts';
import type { Condition, SegmentDefinition, SegmentNode } from './definition.ts';
import { segmentQuery } from './engine.ts';
import { decodeRef } from '../ids.ts';
import { validateSegmentDefinition } from './validate.ts';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

const NOW = new Date('2026-06-15T12:00:00.000Z');
const ago = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
const globalId = (type: 'Tag' | 'Segment', id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const PAID: OrderStatus[] = ['paid', 'shipped', 'completed'];

interface OrderSpec { daysAgo: number; cents: number; status?: OrderStatus; platform?: string; items?: { sku: string; category?: string }[] }
interface EventSpec { type: string; daysAgo: number; properties?: Prisma.InputJsonObject }
type CustomerSpec = Omit<Prisma.CustomerUncheckedCreateInput, 'workspaceId' | 'name' | 'tags' | 'events' | 'orders' | 'segments'>
  & { name: string; tags?: string[]; events?: EventSpec[]; orders?: OrderSpec[]; segments?: string[] };
/** `pointIds`: the customers the point-mode query is restricted to, the fixture's own unless a test widens it. */
interface Fixture { ws: string; ids: Map<string, string>; pointIds: string[]; tag(name: string): string; segment(name: string): string }

/** A fresh workspace with these customers; orderCount, totalSpentCents and lastOrderAt follow their paid orders. */
async function seed(customers: CustomerSpec[], workspaceName = 'Harbour Tea'): Promise<Fixture> {
  const { id: ws } = await db.prisma.workspace.create({ data: { name: workspaceName } });
  const group = await db.prisma.tagGroup.create({ data: { workspaceId: ws, name: 'Interest', kind: 'intent' } });
  const tags = new Map<string, string>();
  const segments = new Map<string, string>();
  const ids = new Map<string, string>();
  for (const { name, tags: tagNames = [], events = [], orders = [], segments: segmentNames = [], ...fields } of customers) {
    const paid = orders.filter((o) => PAID.includes(o.status ?? 'paid'));
    const derived = { orderCount: paid.length, totalSpentCents: paid.reduce((sum, o) => sum + o.cents, 0), lastOrderAt: paid.length ? ago(Math.min(...paid.map((o) => o.daysAgo))) : null };
    const customer = await db.prisma.customer.create({ data: { workspaceId: ws, name, ...derived, ...fields } });
    ids.set(name, customer.id);
    for (const tag of tagNames) {
      if (!tags.has(tag)) tags.set(tag, (await db.prisma.tag.create({ data: { workspaceId: ws, groupId: group.id, name: tag } })).id);
      await db.prisma.customerTag.create({ data: { workspaceId: ws, customerId: customer.id, tagId: tags.get(tag)! } });
    }
    for (const e of events) await db.prisma.event.create({ data: { workspaceId: ws, customerId: customer.id, type: e.type, properties: e.properties ?? {}, occurredAt: ago(e.daysAgo), idempotencyKey: randomUUID() } });
    for (const o of orders) {
      const status = o.status ?? 'paid';
      const items = (o.items ?? []).map((i) => ({ workspaceId: ws, sku: i.sku, productName: i.sku, category: i.category ?? null, quantity: 1, unitCents: o.cents }));
      await db.prisma.order.create({
        data: { workspaceId: ws, customerId: customer.id, platform: o.platform ?? 'tmall', externalId: randomUUID(), status, totalCents: o.cents, paidCents: PAID.includes(status) ? o.cents : 0, placedAt: ago(o.daysAgo), items: { create: items } },
      });
    }
    for (const segment of segmentNames) {
      if (!segments.has(segment)) segments.set(segment, (await db.prisma.segment.create({ data: { workspaceId: ws, name: segment, type: 'static', dependsOn: [] } })).id);
      await db.prisma.segmentMember.create({ data: { workspaceId: ws, segmentId: segments.get(segment)!, customerId: customer.id } });
    }
  }
  return { ws, ids, pointIds: [...ids.values()], tag: (n) => tags.get(n)!, segment: (n) => segments.get(n)! };
}

const resolveId = (kind: 'Tag' | 'Segment', id: string) => decodeRef(kind, id) ?? (() => { throw new Error(`${id} is not a ${kind} id`); })();

/** The names of the customers `root` selects, in set mode and in point mode. */
async function evaluate(f: Fixture, root: SegmentNode) {
  const checked = validateSegmentDefinition(JSON.parse(JSON.stringify({ version: 1, root })));
  if (!checked.ok) throw new Error(`invalid definition: ${JSON.stringify(checked.issues)}`);
  const byId = new Map([...f.ids].map(([name, id]) => [id, name]));
  const names = (rows: { id: string }[]) => rows.map((r) => byId.get(r.id) ?? `foreign:${r.id}`).sort();
  const set = segmentQuery(f.ws, checked.definition, 'set', NOW);
  const point = compileSegment(checked.definition, { workspaceId: f.ws, mode: 'point', now: NOW, resolveId }, [f.ws, f.pointIds]);
  return {
    root: JSON.stringify(root),
    set: names(await db.query<{ id: string }>(set.sql, set.params)),
    point: names(await db.query<{ id: string }>(`SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1::uuid AND c.id = ANY($2::uuid[]) AND ${point.where}`, point.params)),
  };
}

/** Asserts every case at once, so one failure shows all the others too. */
async function expectCases(f: Fixture, cases: [SegmentNode, string[]][]) {
  const actual = [];
  for (const [root] of cases) actual.push(await evaluate(f, root));
  expect(actual).toEqual(cases.map(([root, names]) => ({ root: JSON.stringify(root), set: [...names].sort(), point: [...names].sort() })));
}

const attr = (field: string, operator: string, value?: unknown) => ({ kind: 'attribute', field, operator, value }) as Condition;

describe('compileSegment: customer fields, tags and segments', () => {
  it('string fields: equals/in are exact, notEquals/notIn keep customers without a value, contains ignores case, isSet treats empty as unset', async () => {
    const f = await seed([{ name: 'Ada', city: 'Shanghai' }, { name: 'Bo', city: 'shanghai-pudong' }, { name: 'Cy', city: null }, { name: 'Di', city: '' }]);
    await expectCases(f, [
      [attr('city', 'equals', 'Shanghai'), ['Ada']],
      [attr('city', 'notEquals', 'Shanghai'), ['Bo', 'Cy', 'Di']],
      [attr('city', 'in', ['Shanghai', 'Beijing']), ['Ada']],
      [attr('city', 'notIn', ['Shanghai', 'Beijing']), ['Bo', 'Cy', 'Di']],
      [attr('city', 'contains', 'SHANGHAI'), ['Ada', 'Bo']],
      [attr('city', 'startsWith', 'shang'), ['Bo']],
      [attr('city', 'isSet'), ['Ada', 'Bo']], [attr('city', 'isNotSet'), ['Cy', 'Di']],
    ]);
  });

  it('enum, boolean and number fields (orderCount, totalSpent in fen), channel, consent and blacklisted', async () => {
    const f = await seed([
      { name: 'Ada', gender: 'female', lifecycleStage: 'vip', orderCount: 5, totalSpentCents: 50_000, sourceChannel: 'wecom' },
      { name: 'Bo', gender: 'male', lifecycleStage: 'repeat', marketingConsent: false, orderCount: 1, totalSpentCents: 8_000, sourceChannel: 'douyin' },
      { name: 'Cy', blacklisted: true },
    ]);
    await expectCases(f, [
      [attr('gender', 'equals', 'female'), ['Ada']],
      [attr('gender', 'notIn', ['male']), ['Ada', 'Cy']],
      [attr('lifecycleStage', 'in', ['vip', 'repeat']), ['Ada', 'Bo']],
      [attr('lifecycleStage', 'notEquals', 'lead'), ['Ada', 'Bo']],
      [attr('marketingConsent', 'equals', false), ['Bo']],
      [attr('blacklisted', 'equals', true), ['Cy']],
      [attr('orderCount', 'gt', 1), ['Ada']], [attr('orderCount', 'gte', 1), ['Ada', 'Bo']],
      [attr('orderCount', 'lt', 1), ['Cy']], [attr('orderCount', 'lte', 1), ['Bo', 'Cy']],
      [attr('orderCount', 'equals', 1), ['Bo']], [attr('orderCount', 'notEquals', 1), ['Ada', 'Cy']],
      [attr('totalSpent', 'between', [5_000, 10_000]), ['Bo']],
      [attr('totalSpent', 'equals', 0), ['Cy']],
      [{ kind: 'channel', channels: ['wecom', 'tmall'] }, ['Ada']],
      [{ kind: 'consent', value: true }, ['Ada', 'Cy']], [{ kind: 'consent', value: false }, ['Bo']],
      [{ kind: 'blacklisted', value: true }, ['Cy']], [{ kind: 'blacklisted', value: false }, ['Ada', 'Bo']],
    ]);
  });

  it('date fields: before/after/between, withinLastDays, notWithinLastDays (which includes no date), isSet', async () => {
    const f = await seed([
      { name: 'Ada', birthday: new Date('1990-05-01'), createdAt: ago(3), lastOrderAt: ago(2) },
      { name: 'Bo', birthday: new Date('2001-09-09'), createdAt: ago(40), lastOrderAt: ago(20) },
      { name: 'Cy', createdAt: ago(400) },
    ]);
    await expectCases(f, [
      [attr('birthday', 'before', '1995-01-01'), ['Ada']], [attr('birthday', 'after', '1995-01-01'), ['Bo']],
      [attr('birthday', 'between', ['1989-01-01', '2000-01-01']), ['Ada']],
      [attr('birthday', 'isNotSet'), ['Cy']],
      [attr('createdAt', 'withinLastDays', 30), ['Ada']], [attr('createdAt', 'notWithinLastDays', 30), ['Bo', 'Cy']],
      [attr('createdAt', 'after', ago(50).toISOString()), ['Ada', 'Bo']],
      [attr('lastOrderAt', 'withinLastDays', 7), ['Ada']], [attr('lastOrderAt', 'notWithinLastDays', 7), ['Bo', 'Cy']],
      [attr('lastOrderAt', 'isSet'), ['Ada', 'Bo']],
    ]);
  });

  it('custom JSON attributes: typed equals, numbers only compare with numbers, null counts as unset, dates compare as times', async () => {
    const f = await seed([
      { name: 'Ada', attributes: { tier: 'gold', points: 120, vip: true, joined: ago(5).toISOString() } },
      { name: 'Bo', attributes: { tier: 'silver', points: 80, vip: false, joined: '2025-01-01T00:00:00.000Z' } },
      { name: 'Cy', attributes: { tier: null, points: '150' } },
      { name: 'Di', attributes: {} },
      // Looks like a date, is not one: it matches no date condition and breaks none.
      { name: 'Ed', attributes: { joined: '2026-02-31' } },
    ]);
    await expectCases(f, [
      [attr('attributes.tier', 'equals', 'gold'), ['Ada']],
      [attr('attributes.tier', 'notEquals', 'gold'), ['Bo', 'Cy', 'Di', 'Ed']],
      [attr('attributes.tier', 'in', ['gold', 'silver']), ['Ada', 'Bo']],
      [attr('attributes.tier', 'notIn', ['gold']), ['Bo', 'Cy', 'Di', 'Ed']],
      [attr('attributes.tier', 'contains', 'OL'), ['Ada']],
      [attr('attributes.tier', 'startsWith', 'sil'), ['Bo']],
      [attr('attributes.tier', 'isSet'), ['Ada', 'Bo']], [attr('attributes.tier', 'isNotSet'), ['Cy', 'Di', 'Ed']],
      [attr('attributes.points', 'gt', 100), ['Ada']],
      [attr('attributes.points', 'lte', 80), ['Bo']],
      [attr('attributes.points', 'equals', 120), ['Ada']],
      [attr('attributes.points', 'in', [80, 120]), ['Ada', 'Bo']],
      [attr('attributes.points', 'between', [50, 130]), ['Ada', 'Bo']],
      [attr('attributes.vip', 'equals', true), ['Ada']], [attr('attributes.vip', 'equals', false), ['Bo']],
      [attr('attributes.joined', 'after', '2026-01-01'), ['Ada']],
      [attr('attributes.joined', 'gte', ago(5).toISOString()), ['Ada']],
      [attr('attributes.joined', 'lte', '2025-01-01T00:00:00.000Z'), ['Bo']],
      [attr('attributes.joined', 'withinLastDays', 30), ['Ada']], [attr('attributes.joined', 'notWithinLastDays', 30), ['Bo', 'Cy', 'Di', 'Ed']],
    ]);
  });

  it('tags any/all/none and segment membership true/false take Relay global IDs and bare (any-case) uuids alike', async () => {
    const f = await seed([{ name: 'Ada', tags: ['oolong', 'green'], segments: ['vip', 'lapsed'] }, { name: 'Bo', tags: ['oolong'], segments: ['vip'] }, { name: 'Cy' }, { name: 'Di', tags: ['green'] }]);
    const [oolong, green, vip] = [f.tag('oolong'), f.tag('green'), f.segment('vip')];
    await expectCases(f, [
      [{ kind: 'tags', match: 'any', tagIds: [globalId('Tag', oolong)] }, ['Ada', 'Bo']],
      [{ kind: 'tags', match: 'any', tagIds: [oolong.toUpperCase()] }, ['Ada', 'Bo']],
      [{ kind: 'tags', match: 'any', tagIds: [globalId('Tag', oolong), green] }, ['Ada', 'Bo', 'Di']],
      [{ kind: 'tags', match: 'all', tagIds: [globalId('Tag', oolong), green] }, ['Ada']],
      [{ kind: 'tags', match: 'all', tagIds: [oolong, globalId('Tag', oolong)] }, ['Ada', 'Bo']],
      [{ kind: 'tags', match: 'none', tagIds: [oolong] }, ['Cy', 'Di']],
      [{ kind: 'tags', match: 'none', tagIds: [globalId('Tag', oolong), green] }, ['Cy']],
      [{ kind: 'segment', segmentId: globalId('Segment', vip) }, ['Ada', 'Bo']],
      [{ kind: 'segment', segmentId: vip, member: true }, ['Ada', 'Bo']],
      [{ kind: 'segment', segmentId: globalId('Segment', vip), member: false }, ['Cy', 'Di']],
      [{ kind: 'segment', segmentId: f.segment('lapsed'), member: false }, ['Bo', 'Cy', 'Di']],
    ]);
  });

  it('rejects a global ID of another type', async () => {
    const f = await seed([{ name: 'Ada', tags: ['oolong'] }]);
    const wrongType: SegmentDefinition = { version: 1, root: { kind: 'tags', match: 'any', tagIds: [globalId('Segment', f.tag('oolong'))] } };
    expect(() => segmentQuery(f.ws, wrongType)).toThrow(/is not a Tag id/);
  });
});

describe('compileSegment: events and orders', () => {
  it('counts atLeast/atMost/exactly (0 included) in relative and absolute windows; notPerformedSince days or a date', async () => {
    const f = await seed([
      { name: 'Ada', events: [{ type: 'view', daysAgo: 1 }, { type: 'view', daysAgo: 2 }, { type: 'view', daysAgo: 3 }] },
      { name: 'Bo', events: [{ type: 'view', daysAgo: 2 }, { type: 'view', daysAgo: 40 }] },
      { name: 'Cy', events: [{ type: 'purchase', daysAgo: 1 }] },
      { name: 'Di', events: [{ type: 'view', daysAgo: 10 }] },
    ]);
    const view = (count?: { op: 'atLeast' | 'atMost' | 'exactly'; value: number }, window?: object) => ({ kind: 'event', type: 'view', count, window }) as Condition;
    await expectCases(f, [
      [view(), ['Ada', 'Bo', 'Di']],
      [view({ op: 'atLeast', value: 0 }), ['Ada', 'Bo', 'Cy', 'Di']],
      [view({ op: 'atLeast', value: 2 }, { lastDays: 7 }), ['Ada']],
      [view({ op: 'atLeast', value: 3 }), ['Ada']],
      [view({ op: 'atMost', value: 1 }, { lastDays: 7 }), ['Bo', 'Cy', 'Di']],
      [view({ op: 'atMost', value: 0 }), ['Cy']],
      [view({ op: 'exactly', value: 0 }, { lastDays: 7 }), ['Cy', 'Di']],
      [view({ op: 'exactly', value: 1 }, { lastDays: 7 }), ['Bo']],
      [view({ op: 'exactly', value: 2 }), ['Bo']],
      [view(undefined, { from: ago(45).toISOString(), to: ago(5).toISOString() }), ['Bo', 'Di']],
      [view({ op: 'atMost', value: 2 }, { from: ago(5).toISOString() }), ['Bo', 'Cy', 'Di']],
      [{ kind: 'notPerformedSince', type: 'view', since: { lastDays: 7 } }, ['Cy', 'Di']],
      [{ kind: 'notPerformedSince', type: 'view', since: { lastDays: 30 } }, ['Cy']],
      [{ kind: 'notPerformedSince', type: 'view', since: { date: ago(5).toISOString() } }, ['Cy', 'Di']],
    ]);
  });

  it('filters on properties: equals, in, numeric comparisons, exists, nested paths, notEquals, contains', async () => {
    const f = await seed([
      { name: 'Ada', events: [{ type: 'view', daysAgo: 1, properties: { sku: 'A1', price: 120, coupon: { code: 'SPRING' } } }, { type: 'view', daysAgo: 2, properties: { sku: 'A1', price: 99 } }] },
      { name: 'Bo', events: [{ type: 'view', daysAgo: 1, properties: { sku: 'B2', price: 50 } }, { type: 'view', daysAgo: 2, properties: { sku: 'B2', price: '300' } }] },
      { name: 'Cy', events: [{ type: 'view', daysAgo: 1 }] },
      { name: 'Di', events: [{ type: 'purchase', daysAgo: 1, properties: { sku: 'A1' } }] },
    ]);
    const view = (where: object[], count?: object) => ({ kind: 'event', type: 'view', where, count }) as Condition;
    await expectCases(f, [
      [view([{ path: 'sku', operator: 'equals', value: 'A1' }]), ['Ada']],
      [view([{ path: 'sku', operator: 'in', value: ['A1', 'B2'] }]), ['Ada', 'Bo']],
      [view([{ path: 'price', operator: 'gt', value: 100 }]), ['Ada']],
      [view([{ path: 'price', operator: 'lte', value: 50 }]), ['Bo']],
      [view([{ path: 'coupon.code', operator: 'exists' }]), ['Ada']],
      [view([{ path: 'coupon.code', operator: 'equals', value: 'SPRING' }]), ['Ada']],
      [view([{ path: 'sku', operator: 'notEquals', value: 'A1' }]), ['Bo', 'Cy']],
      [view([{ path: 'sku', operator: 'contains', value: 'b' }]), ['Bo']],
      [view([{ path: 'sku', operator: 'equals', value: 'A1' }, { path: 'price', operator: 'gte', value: 99 }], { op: 'exactly', value: 2 }), ['Ada']],
      [view([{ path: 'sku', operator: 'equals', value: 'A1' }], { op: 'atMost', value: 1 }), ['Bo', 'Cy', 'Di']],
    ]);
  });

  const customers: CustomerSpec[] = [
    { name: 'Ada', orders: [{ daysAgo: 5, cents: 10_000 }, { daysAgo: 20, cents: 20_000, status: 'shipped' }, { daysAgo: 100, cents: 30_000, status: 'completed' }] },
    { name: 'Bo', orders: [{ daysAgo: 10, cents: 5_000 }, { daysAgo: 3, cents: 99_999, status: 'refunded' }] },
    { name: 'Cy' },
    { name: 'Di', orders: [{ daysAgo: 60, cents: 40_000, status: 'completed' }, { daysAgo: 1, cents: 1_000, status: 'pending' }] },
  ];
  const orders = (metric: string, operator: string, value?: unknown, window?: object) => ({ kind: 'orders', metric, operator, value, window }) as Condition;

  it('count, totalSpent and averageOrderValue with and without windows; zero-satisfying comparisons include customers without orders, AOV never does', async () => {
    const f = await seed(customers);
    await expectCases(f, [
      [orders('count', 'gte', 2), ['Ada']],
      [orders('count', 'equals', 0), ['Cy']],
      [orders('count', 'lte', 1, { lastDays: 30 }), ['Bo', 'Cy', 'Di']],
      [orders('count', 'equals', 0, { lastDays: 30 }), ['Cy', 'Di']],
      [orders('count', 'gt', 0, { lastDays: 30 }), ['Ada', 'Bo']],
      [orders('count', 'between', [1, 2], { from: ago(90).toISOString(), to: ago(7).toISOString() }), ['Ada', 'Bo', 'Di']],
      [orders('totalSpent', 'gt', 30_000), ['Ada', 'Di']],
      [orders('totalSpent', 'lt', 10_000, { lastDays: 30 }), ['Bo', 'Cy', 'Di']],
      [orders('totalSpent', 'between', [0, 6_000], { lastDays: 30 }), ['Bo', 'Cy', 'Di']],
      [orders('totalSpent', 'gte', 30_000, { lastDays: 30 }), ['Ada']],
      [orders('averageOrderValue', 'gte', 20_000), ['Ada', 'Di']],
      [orders('averageOrderValue', 'lt', 100_000), ['Ada', 'Bo', 'Di']],
      [orders('averageOrderValue', 'lt', 100_000, { lastDays: 30 }), ['Ada', 'Bo']],
      [orders('averageOrderValue', 'equals', 15_000, { lastDays: 30 }), ['Ada']],
    ]);
  });

  it('lastOrderAt and firstOrderAt (first paid order; refunded and pending ones do not count)', async () => {
    const f = await seed(customers);
    await expectCases(f, [
      [orders('lastOrderAt', 'withinLastDays', 7), ['Ada']],
      [orders('lastOrderAt', 'notWithinLastDays', 7), ['Bo', 'Cy', 'Di']],
      [orders('lastOrderAt', 'before', ago(30).toISOString()), ['Di']],
      [orders('lastOrderAt', 'isNotSet'), ['Cy']],
      [orders('firstOrderAt', 'after', ago(50).toISOString()), ['Bo']],
      [orders('firstOrderAt', 'before', ago(50).toISOString()), ['Ada', 'Di']],
      [orders('firstOrderAt', 'withinLastDays', 30), ['Bo']],
      [orders('firstOrderAt', 'notWithinLastDays', 30), ['Ada', 'Cy', 'Di']],
      [orders('firstOrderAt', 'isSet'), ['Ada', 'Bo', 'Di']],
    ]);
  });

  it('purchased by sku, category or platform, in a window, counting paid/shipped/completed orders only', async () => {
    const f = await seed([
      { name: 'Ada', orders: [{ daysAgo: 5, cents: 100, platform: 'tmall', items: [{ sku: 'TEA-1', category: 'tea' }] }] },
      { name: 'Bo', orders: [{ daysAgo: 5, cents: 100, platform: 'jd', status: 'refunded', items: [{ sku: 'TEA-1', category: 'tea' }] }, { daysAgo: 40, cents: 100, platform: 'jd', status: 'shipped', items: [{ sku: 'CUP-2', category: 'teaware' }] }] },
      { name: 'Cy', orders: [{ daysAgo: 1, cents: 100, platform: 'douyin', status: 'pending', items: [{ sku: 'TEA-1', category: 'tea' }] }] },
      { name: 'Di', orders: [{ daysAgo: 2, cents: 100, platform: 'douyin', status: 'completed', items: [{ sku: 'TEA-9', category: 'tea' }] }] },
    ]);
    const purchased = (by: string, values: string[], window?: object) => ({ kind: 'purchased', by, values, window }) as Condition;
    await expectCases(f, [
      [purchased('sku', ['TEA-1']), ['Ada']],
      [purchased('sku', ['TEA-1', 'CUP-2']), ['Ada', 'Bo']],
      [purchased('category', ['tea'], { lastDays: 30 }), ['Ada', 'Di']],
      [purchased('category', ['teaware'], { lastDays: 30 }), []],
      [purchased('category', ['teaware']), ['Bo']],
      [purchased('platform', ['jd']), ['Bo']],
      [purchased('platform', ['jd'], { lastDays: 30 }), []],
      [purchased('platform', ['douyin', 'tmall'], { from: ago(3).toISOString() }), ['Di']],
    ]);
  });

  it('firstOrderAfterEvent: a paid order after the first such event, optionally within N days of it', async () => {
    const f = await seed([
      { name: 'Ada', events: [{ type: 'friend_added', daysAgo: 20 }], orders: [{ daysAgo: 15, cents: 100 }] },
      { name: 'Bo', events: [{ type: 'friend_added', daysAgo: 20 }, { type: 'friend_added', daysAgo: 8 }], orders: [{ daysAgo: 5, cents: 100 }] },
      { name: 'Cy', events: [{ type: 'friend_added', daysAgo: 20 }], orders: [{ daysAgo: 30, cents: 100 }] },
      { name: 'Di', events: [{ type: 'friend_added', daysAgo: 20 }], orders: [{ daysAgo: 10, cents: 100, status: 'refunded' }] },
      { name: 'Eve', orders: [{ daysAgo: 10, cents: 100 }] },
    ]);
    await expectCases(f, [
      [{ kind: 'firstOrderAfterEvent', eventType: 'friend_added' }, ['Ada', 'Bo']],
      [{ kind: 'firstOrderAfterEvent', eventType: 'friend_added', withinDays: 7 }, ['Ada']],
      [{ kind: 'firstOrderAfterEvent', eventType: 'friend_added', withinDays: 30 }, ['Ada', 'Bo']],
    ]);
  });
});

describe('compileSegment: groups, random buckets, workspaces', () => {
  it('and/or/not nest, and not is the exact complement even where a condition has no value (null city, no orders)', async () => {
    const f = await seed([
      { name: 'Ada', city: 'Shanghai', tags: ['vip'], orders: [{ daysAgo: 5, cents: 30_000 }] },
      { name: 'Bo', city: 'Beijing', orders: [{ daysAgo: 5, cents: 1_000 }] },
      { name: 'Cy', city: null, tags: ['vip'] },
      { name: 'Di', city: 'Shanghai', blacklisted: true },
    ]);
    const vip: Condition = { kind: 'tags', match: 'any', tagIds: [f.tag('vip')] };
    const bigSpender: Condition = { kind: 'orders', metric: 'averageOrderValue', operator: 'gte', value: 20_000, window: { lastDays: 30 } };
    await expectCases(f, [
      [{ op: 'and', conditions: [attr('city', 'equals', 'Shanghai'), { kind: 'blacklisted', value: false }] }, ['Ada']],
      [{ op: 'or', conditions: [attr('city', 'equals', 'Beijing'), vip] }, ['Ada', 'Bo', 'Cy']],
      [{ op: 'not', condition: attr('city', 'equals', 'Shanghai') }, ['Bo', 'Cy']],
      [{ op: 'not', condition: attr('city', 'contains', 'jing') }, ['Ada', 'Cy', 'Di']],
      [{ op: 'not', condition: bigSpender }, ['Bo', 'Cy', 'Di']],
      [{ op: 'not', condition: { op: 'not', condition: bigSpender } }, ['Ada']],
      [{ op: 'and', conditions: [vip, { op: 'not', condition: { op: 'or', conditions: [attr('city', 'equals', 'Shanghai'), bigSpender] } }] }, ['Cy']],
      [{ op: 'or', conditions: [{ op: 'and', conditions: [vip, bigSpender] }, { op: 'not', condition: vip }] }, ['Ada', 'Bo', 'Di']],
    ]);
  });

  it('several event counts and order windows in one and (nested into one subquery in set mode) select the same customers as each alone, inside not and or too', async () => {
    const f = await seed([
      { name: 'Ada', events: [{ type: 'view', daysAgo: 1 }, { type: 'view', daysAgo: 2 }, { type: 'view', daysAgo: 3 }], orders: [{ daysAgo: 5, cents: 30_000 }] },
      { name: 'Bo', events: [{ type: 'view', daysAgo: 2 }, { type: 'view', daysAgo: 40 }], orders: [{ daysAgo: 5, cents: 1_000 }, { daysAgo: 10, cents: 2_000, status: 'completed' }, { daysAgo: 3, cents: 50_000, status: 'refunded' }] },
      { name: 'Cy', events: [{ type: 'view', daysAgo: 1 }] },
      { name: 'Di', events: [{ type: 'view', daysAgo: 1 }, { type: 'view', daysAgo: 2 }], orders: [{ daysAgo: 60, cents: 5_000 }] },
    ]);
    const view = (op: 'atLeast' | 'exactly', value: number, window?: object) => ({ kind: 'event', type: 'view', count: { op, value }, window }) as Condition;
    const orders = (metric: string, operator: string, value: unknown, lastDays: number) => ({ kind: 'orders', metric, operator, value, window: { lastDays } }) as Condition;
    const recentBuyerWithViews: SegmentNode = { op: 'and', conditions: [view('atLeast', 2, { lastDays: 7 }), orders('count', 'gte', 1, 30)] };
    await expectCases(f, [
      [recentBuyerWithViews, ['Ada']],
      [{ op: 'and', conditions: [view('exactly', 1, { lastDays: 7 }), orders('totalSpent', 'between', [1_000, 5_000], 30), view('atLeast', 2)] }, ['Bo']],
      // count ≤ 1 holds without orders: it stays a NOT IN beside the nested ones
      [{ op: 'and', conditions: [view('atLeast', 2, { lastDays: 7 }), orders('count', 'lte', 1, 30)] }, ['Ada', 'Di']],
      [{ op: 'and', conditions: [orders('count', 'gte', 1, 30), orders('totalSpent', 'gte', 3_000, 90), attr('name', 'notEquals', 'Ada')] }, ['Bo']],
      [{ op: 'not', condition: recentBuyerWithViews }, ['Bo', 'Cy', 'Di']],
      [{ op: 'or', conditions: [recentBuyerWithViews, { op: 'and', conditions: [view('atLeast', 2), orders('totalSpent', 'gte', 5_000, 90)] }] }, ['Ada', 'Di']],
    ]);
  });

  it('randomBucket is stable for a salt, complementary ranges split everyone disjointly, and buckets are about even', async () => {
    const f = await seed([]);
    const rows = await db.query<{ id: string }>(`INSERT INTO "Customer" ("workspaceId", name) SELECT $1::uuid, 'c' || i FROM generate_series(1, 1000) i RETURNING id`, [f.ws]);
    rows.forEach((r, i) => f.ids.set(`c${i + 1}`, r.id));
    f.pointIds = rows.map((r) => r.id);
    const bucket = (from: number, to: number, salt?: string) => evaluate(f, { kind: 'randomBucket', from, to, salt });
    const [holdout, rest, again, otherSalt] = [await bucket(0, 30, 'spring'), await bucket(30, 100, 'spring'), await bucket(0, 30, 'spring'), await bucket(0, 30, 'summer')];
    for (const r of [holdout, rest, otherSalt]) expect(r.point).toEqual(r.set);
    expect(again.set).toEqual(holdout.set);
    expect(otherSalt.set).not.toEqual(holdout.set);
    expect(holdout.set.filter((n) => rest.set.includes(n))).toEqual([]);
    expect([...holdout.set, ...rest.set].sort()).toEqual([...f.ids.keys()].sort());
    const sizes = [holdout.set.length / 3];
    for (let from = 0; from < 100; from += 10) sizes.push((await bucket(from, from + 10)).set.length);
    // 1,000 customers: about 100 per 10 buckets (σ ≈ 9.5), so ±50 is over 5σ.
    expect(sizes.filter((n) => n < 50 || n > 150), `30 buckets / 3, then each 10: ${sizes.join(', ')}`).toEqual([]);
  });

  it("never matches another workspace's customers, even with identical data, tags and segments", async () => {
    const spec: CustomerSpec[] = [
      { name: 'Ada', city: 'Shanghai', tags: ['vip'], segments: ['loyal'], events: [{ type: 'view', daysAgo: 1 }], orders: [{ daysAgo: 5, cents: 10_000, items: [{ sku: 'TEA-1' }] }] },
      { name: 'Bo', city: 'Beijing' },
    ];
    const a = await seed(spec);
    const b = await seed(spec, 'Harbour Tea twin');
    a.pointIds = [...a.pointIds, ...b.pointIds];
    await expectCases(a, [
      [attr('city', 'isSet'), ['Ada', 'Bo']],
      [{ kind: 'tags', match: 'any', tagIds: [a.tag('vip')] }, ['Ada']],
      [{ kind: 'tags', match: 'any', tagIds: [b.tag('vip')] }, []],
      [{ kind: 'segment', segmentId: a.segment('loyal') }, ['Ada']],
      [{ kind: 'segment', segmentId: b.segment('loyal') }, []],
      [{ kind: 'event', type: 'view', count: { op: 'atMost', value: 1 } }, ['Ada', 'Bo']],
      [{ kind: 'orders', metric: 'count', operator: 'lte', value: 1, window: { lastDays: 30 } }, ['Ada', 'Bo']],
      [{ kind: 'orders', metric: 'totalSpent', operator: 'equals', value: 10_000, window: { lastDays: 30 } }, ['Ada']],
      [{ kind: 'purchased', by: 'sku', values: ['TEA-1'] }, ['Ada']],
    ]);
  });
});
