import { defineAction, step, z, type JsonObject } from '@courtyard/plugin-sdk';
import { addDuration, doc, Duration, PropertyFilter } from '../fields.ts';

export const WaitForEventConfig = z.object({
  eventType: z.string().min(1, 'give the event type').meta(doc('等待的事件类型，如 order.paid', 'Event type to wait for, e.g. order.paid')),
  properties: PropertyFilter,
  matchTriggerProperty: z
    .string()
    .min(1)
    .optional()
    .meta(
      doc(
        '与触发事件的同名属性相等才算，如 cartId：等待的是同一个购物车的下单',
        'The awaited event must carry the same value of this property as the triggering event, e.g. cartId for an order of the same cart',
      ),
    ),
  timeout: Duration.refine((d) => d.amount > 0, { path: ['amount'], message: 'wait at least 1 minute' }).meta(
    doc('最长等待时间，超时走“未发生”分支', 'How long to wait before taking the timeout port'),
  ),
});
export type WaitForEventConfig = z.infer<typeof WaitForEventConfig>;

export const waitForEventAction = defineAction({
  id: 'courtyard.wait-for-event',
  version: '1.0.0',
  title: { 'zh-CN': '等待事件', en: 'Wait for an event' },
  description: {
    'zh-CN': '等待客户发生某行为（如加购后下单），在时限内发生走“已发生”，否则走“未发生”',
    en: 'Waits for the customer to perform an event (e.g. order after adding to cart); takes "happened" if it comes in time, "timed out" if not',
  },
  icon: 'hourglass',
  config: WaitForEventConfig,
  ports: [
    { id: 'event', title: { 'zh-CN': '已发生', en: 'Happened' } },
    { id: 'timeout', title: { 'zh-CN': '未发生（超时）', en: 'Timed out' } },
  ],
  scopes: ['events:read'],
  waits: true,
  async run({ items, config, ctx }) {
    const timeoutAt = addDuration(ctx.now(), config.timeout, ctx.workspace.timeZone);
    return items.map((item) => {
      const properties: JsonObject = { ...config.properties };
      const key = config.matchTriggerProperty;
      if (key) {
        const value = item.trigger.event?.properties[key];
        // Waiting for "any" order instead of this cart's would let one purchase close every cart.
        if (value === undefined || value === null) return step.fail(`the triggering event has no ${key} to match the awaited ${config.eventType} with`);
        properties[key] = value;
      }
      return step.waitForEvent({
        eventType: config.eventType,
        ...(Object.keys(properties).length ? { properties } : {}),
        timeoutAt,
        port: 'event',
        timeoutPort: 'timeout',
      });
    });
  },
});

export const waitForEventNodes = [waitForEventAction];
