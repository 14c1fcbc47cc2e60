import { defineCondition, z, type BatchItem } from '@courtyard/plugin-sdk';
import { ActivityWindow, compareCount, CountComparison, doc, PropertyFilter } from '../fields.ts';

/**
 * The time bounds of an activity query for a batch. Since-enrollment bounds differ per customer;
 * `since` still carries the earliest so a query can use an index on time.
 */
function bounds(window: ActivityWindow, items: BatchItem[], now: Date): { since: Date; until: Date; sinceByCustomer?: Record<string, Date> } {
  if (window.kind === 'lastDays') return { since: new Date(now.getTime() - window.days * 86_400_000), until: now };
  const sinceByCustomer: Record<string, Date> = {};
  for (const item of items) sinceByCustomer[item.customer.id] = new Date(item.enteredAt);
  const earliest = Math.min(...items.map((item) => Date.parse(item.enteredAt)));
  return { since: new Date(earliest), until: now, sinceByCustomer };
}

export const PerformedEventConfig = z.object({
  eventType: z.string().min(1, 'give the event type').meta(doc('事件类型，如 page.viewed', 'Event type, e.g. page.viewed')),
  properties: PropertyFilter,
  comparison: CountComparison.default('atLeast'),
  count: z.number().int().min(0).max(100_000).default(1).meta(doc('次数', 'Number of times')),
  window: ActivityWindow.default({ kind: 'sinceEnrollment' }),
});
export type PerformedEventConfig = z.infer<typeof PerformedEventConfig>;

export const performedEventCondition = defineCondition({
  id: 'courtyard.performed-event',
  version: '1.0.0',
  title: { 'zh-CN': '行为判断', en: 'Performed an event' },
  description: {
    'zh-CN': '按客户在一段时间内发生某行为的次数分流，如最近 7 天浏览商品至少 3 次',
    en: 'Branches on how often the customer performed an event in a period, e.g. viewed products at least 3 times in 7 days',
  },
  icon: 'activity',
  config: PerformedEventConfig,
  scopes: ['events:read'],
  async run({ items, config, ctx }) {
    const counts = await ctx.query.eventCounts(
      items.map((item) => item.customer.id),
      { type: config.eventType, ...(Object.keys(config.properties).length ? { properties: config.properties } : {}), ...bounds(config.window, items, ctx.now()) },
    );
    return items.map((item) => (compareCount(counts.get(item.customer.id) ?? 0, config.comparison, config.count) ? 'yes' : 'no'));
  },
});

export const PlacedOrderConfig = z.object({
  measure: z.enum(['orderCount', 'totalAmount']).default('orderCount').meta(doc('按订单数或订单总金额判断', 'Compare the number of orders or their total amount')),
  comparison: CountComparison.default('atLeast'),
  value: z
    .number()
    .int()
    .min(0)
    .default(1)
    .meta(doc('订单数；按金额判断时为金额（分）', 'Number of orders; the amount in cents (fen) when measuring the total amount')),
  platforms: z
    .array(z.string().min(1))
    .default([])
    .meta(doc('只统计这些平台的订单（如 tmall、jd、youzan）；不选则不限', 'Only orders from these platforms (e.g. tmall, jd, youzan); all when empty')),
  minOrderAmountCents: z.number().int().min(0).default(0).meta(doc('只统计金额不低于此值（分）的订单', 'Only orders of at least this amount, in cents (fen)')),
  window: ActivityWindow.default({ kind: 'sinceEnrollment' }),
});
export type PlacedOrderConfig = z.infer<typeof PlacedOrderConfig>;

export const placedOrderCondition = defineCondition({
  id: 'courtyard.placed-order',
  version: '1.0.0',
  title: { 'zh-CN': '下单判断', en: 'Placed an order' },
  description: {
    'zh-CN': '按客户在一段时间内的订单数或消费金额分流，如进入旅程后是否下单',
    en: 'Branches on the number or total of orders in a period, e.g. whether the customer ordered since entering',
  },
  icon: 'shopping-bag',
  config: PlacedOrderConfig,
  scopes: ['orders:read'],
  async run({ items, config, ctx }) {
    const stats = await ctx.query.orderStats(
      items.map((item) => item.customer.id),
      {
        ...(config.platforms.length ? { platforms: config.platforms } : {}),
        ...(config.minOrderAmountCents > 0 ? { minAmountCents: config.minOrderAmountCents } : {}),
        ...bounds(config.window, items, ctx.now()),
      },
    );
    return items.map((item) => {
      const found = stats.get(item.customer.id) ?? { count: 0, totalCents: 0 };
      const actual = config.measure === 'orderCount' ? found.count : found.totalCents;
      return compareCount(actual, config.comparison, config.value) ? 'yes' : 'no';
    });
  },
});

export const activityNodes = [performedEventCondition, placedOrderCondition];
