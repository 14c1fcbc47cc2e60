import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';
import { z } from '@courtyard/plugin-sdk';

// Config fields several built-in nodes share, so a duration or a time of day looks and validates
// the same on every node's form.

/**
 * Field help for the admin's form: `description` in Chinese (the admin's default language) and
 * `x-description-en` for the English admin; both end up in the config's JSON Schema.
 */
export function doc(zh: string, en: string) {
  return { description: zh, 'x-description-en': en };
}

export const DurationUnit = z.enum(['minutes', 'hours', 'days']).meta(doc('单位：分钟、小时或天', 'Unit: minutes, hours or days'));
export type DurationUnit = z.infer<typeof DurationUnit>;

export const Duration = z.object({
  amount: z.number().int().min(0).max(10_000).meta(doc('时长数值', 'How many units')),
  unit: DurationUnit,
});
export type Duration = z.infer<typeof Duration>;

/**
 * `from` plus the duration. Days are calendar days in `timeZone` (a 1-day wait started at 20:00
 * ends at 20:00 even across a daylight-saving change); minutes and hours are exact.
 */
export function addDuration(from: Date, duration: Duration, timeZone: string): Date {
  if (duration.unit === 'days') return new Date(addDays(new TZDate(from.getTime(), timeZone), duration.amount).getTime());
  const ms = duration.amount * (duration.unit === 'hours' ? 3_600_000 : 60_000);
  return new Date(from.getTime() + ms);
}

export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:mm in 24-hour time, e.g. 09:30');
export type TimeOfDay = z.infer<typeof TimeOfDay>;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z
  .string()
  .refine(isTimeZone, 'use an IANA time zone such as Asia/Shanghai')
  .meta(doc('时区（IANA 名称，如 Asia/Shanghai）；不填则使用工作区时区', 'IANA time zone such as Asia/Shanghai; the workspace time zone when empty'));

/** Property values an event filter compares with equality. */
export const PropertyFilter = z
  .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .default({})
  .meta(doc('事件属性需等于的值，如 {"sku": "A100"}；不填则不限', 'Event properties that must equal the given values, e.g. {"sku": "A100"}; none when empty'));
export type PropertyFilter = z.infer<typeof PropertyFilter>;

/** A reference to a workspace record by id; the admin renders a picker from the field name. */
export const RecordId = z.string().min(1, 'pick one');

/** How far back an activity condition looks. */
export const ActivityWindow = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('lastDays').meta(doc('最近 N 天内', 'Within the last N days')),
      days: z.number().int().min(1).max(3650).meta(doc('天数', 'Number of days')),
    }),
    z.object({ kind: z.literal('sinceEnrollment').meta(doc('自进入旅程以来', 'Since the customer entered the journey')) }),
  ])
  .meta(doc('统计的时间范围', 'Which period to count'));
export type ActivityWindow = z.infer<typeof ActivityWindow>;

export const CountComparison = z.enum(['atLeast', 'atMost', 'exactly']).meta(doc('至少、至多或恰好', 'At least, at most or exactly'));
export type CountComparison = z.infer<typeof CountComparison>;

export function compareCount(actual: number, comparison: CountComparison, expected: number): boolean {
  if (comparison === 'atLeast') return actual >= expected;
  if (comparison === 'atMost') return actual <= expected;
  return actual === expected;
}
