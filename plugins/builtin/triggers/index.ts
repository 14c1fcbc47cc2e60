import { defineTrigger, z } from '@courtyard/plugin-sdk';
import { Cron } from 'croner';
import { doc, PropertyFilter, RecordId, TimeOfDay, TimeZone } from '../fields.ts';

export const EventTriggerConfig = z.object({
  eventType: z.string().min(1, 'give the event type').meta(doc('事件类型，如 order.paid、cart.abandoned', 'Event type, e.g. order.paid or cart.abandoned')),
  properties: PropertyFilter,
});
export type EventTriggerConfig = z.infer<typeof EventTriggerConfig>;

export const eventTrigger = defineTrigger({
  id: 'courtyard.event',
  version: '1.0.0',
  title: { 'zh-CN': '发生事件时', en: 'When an event happens' },
  description: { 'zh-CN': '客户发生指定行为（如下单、加购、扫码）时进入旅程', en: 'Enrolls a customer when they perform an event (an order, an added cart, a scan)' },
  icon: 'zap',
  config: EventTriggerConfig,
  scopes: ['events:read'],
  source: (config) => ({ kind: 'event', eventType: config.eventType, ...(Object.keys(config.properties).length ? { properties: config.properties } : {}) }),
});

export const SegmentTriggerConfig = z.object({
  segmentId: RecordId.meta(doc('分群', 'Segment')),
  change: z.enum(['entered', 'exited']).default('entered').meta(doc('进入分群或离开分群时触发', 'Enroll on entering or on leaving the segment')),
});
export type SegmentTriggerConfig = z.infer<typeof SegmentTriggerConfig>;

export const segmentTrigger = defineTrigger({
  id: 'courtyard.segment-change',
  version: '1.0.0',
  title: { 'zh-CN': '进入或离开分群时', en: 'When a customer enters or leaves a segment' },
  description: { 'zh-CN': '客户进入（或离开）某个分群时进入旅程', en: 'Enrolls a customer when they enter (or leave) a segment' },
  icon: 'users',
  config: SegmentTriggerConfig,
  scopes: ['segments:read'],
  source: (config) => ({ kind: 'segment', segmentId: config.segmentId, change: config.change }),
});

function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, { paused: true });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const Audience = RecordId.nullable()
  .default(null)
  .meta(doc('参与的分群；不选则为全部客户', 'Segment whose members are enrolled; everyone when empty'));

export const ScheduleTriggerConfig = z.discriminatedUnion('repeat', [
  z.object({
    repeat: z.literal('once').meta(doc('只执行一次', 'Run once')),
    at: z.iso.datetime({ offset: true, message: 'use an ISO date-time with an offset, e.g. 2024-06-18T20:00:00+08:00' }).meta(doc('执行时间', 'When to run')),
    segmentId: Audience,
  }),
  z.object({
    repeat: z.literal('cron').meta(doc('按 cron 表达式重复执行', 'Repeat on a cron schedule')),
    cron: z
      .string()
      .superRefine((value, ctx) => {
        const problem = cronProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: `not a valid cron expression: ${problem}` });
      })
      .meta(doc('cron 表达式，如每周一 9 点为 0 9 * * 1', 'Cron expression, e.g. 0 9 * * 1 for Mondays at 9:00')),
    timeZone: TimeZone.optional(),
    segmentId: Audience,
  }),
]);
export type ScheduleTriggerConfig = z.infer<typeof ScheduleTriggerConfig>;

export const scheduleTrigger = defineTrigger({
  id: 'courtyard.schedule',
  version: '1.0.0',
  title: { 'zh-CN': '定时触发', en: 'On a schedule' },
  description: { 'zh-CN': '在指定时间（或按周期）让分群内的客户进入旅程', en: "Enrolls a segment's members (or everyone) at a set time or on a repeating schedule" },
  icon: 'calendar-clock',
  config: ScheduleTriggerConfig,
  scopes: ['segments:read'],
  source: (config) =>
    config.repeat === 'once'
      ? { kind: 'schedule', segmentId: config.segmentId, at: new Date(config.at).toISOString() }
      : { kind: 'schedule', segmentId: config.segmentId, cron: config.cron, ...(config.timeZone ? { timeZone: config.timeZone } : {}) },
});

export const DateTriggerConfig = z.object({
  field: z
    .enum(['birthday', 'firstOrderAt', 'createdAt', 'lastOrderAt'])
    .meta(doc('日期字段：生日（每年）、首次下单、成为客户、最近下单', 'Date field: birthday (yearly), first order, became a customer, last order')),
  offsetDays: z
    .number()
    .int()
    .min(-365)
    .max(365)
    .default(0)
    .meta(doc('相对该日期的天数，负数为之前（如生日前 3 天填 -3）', 'Days from the date, negative for before (3 days before a birthday is -3)')),
  time: TimeOfDay.default('10:00').meta(doc('当天几点触发（HH:mm，工作区时区）', 'Time of day to enroll (HH:mm, workspace time zone)')),
  segmentId: RecordId.nullable().default(null).meta(doc('只针对该分群的客户；不选则为全部客户', 'Only customers in this segment; everyone when empty')),
});
export type DateTriggerConfig = z.infer<typeof DateTriggerConfig>;

export const dateTrigger = defineTrigger({
  id: 'courtyard.date-attribute',
  version: '1.0.0',
  title: { 'zh-CN': '日期触发（生日、首单纪念日等）', en: 'On a date (birthday, order anniversary…)' },
  description: {
    'zh-CN': '在客户的生日、首次下单后第 N 天等日期，于指定时间进入旅程',
    en: "Enrolls customers on a date of theirs — a birthday, N days after the first order — at a set time",
  },
  icon: 'cake',
  config: DateTriggerConfig,
  scopes: ['customers:read', 'segments:read'],
  source: (config) => ({ kind: 'date', field: config.field, offsetDays: config.offsetDays, time: config.time, segmentId: config.segmentId }),
});

export const ApiTriggerConfig = z.object({});
export type ApiTriggerConfig = z.infer<typeof ApiTriggerConfig>;

export const apiTrigger = defineTrigger({
  id: 'courtyard.api',
  version: '1.0.0',
  title: { 'zh-CN': '通过 API 进入', en: 'Through the API' },
  description: { 'zh-CN': '由外部系统调用 enrollCustomers 接口让客户进入旅程', en: 'Customers are enrolled by an outside system calling enrollCustomers' },
  icon: 'plug',
  config: ApiTriggerConfig,
  source: () => ({ kind: 'api' }),
});

export const triggerNodes = [eventTrigger, segmentTrigger, scheduleTrigger, dateTrigger, apiTrigger];
