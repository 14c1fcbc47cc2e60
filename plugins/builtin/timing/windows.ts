import { TZDate } from '@date-fns/tz';
import { z } from '@courtyard/plugin-sdk';
import { doc, TimeOfDay, TimeZone } from '../fields.ts';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

export const TimeWindow = z
  .object({
    start: TimeOfDay.meta(doc('开始时间（HH:mm）', 'Start time (HH:mm)')),
    end: TimeOfDay.meta(doc('结束时间（HH:mm），早于开始时间表示跨过午夜', 'End time (HH:mm); earlier than the start means the window runs past midnight')),
  })
  .refine((w) => w.start !== w.end, { path: ['end'], message: 'the end must differ from the start' });
export type TimeWindow = z.infer<typeof TimeWindow>;

/** The config fields of every node that works with time windows. */
export const WindowsConfig = z.object({
  windows: z.array(TimeWindow).min(1, 'add at least one time window').max(24).meta(doc('时间段，如 12:00–14:00、19:00–22:00', 'Time windows, e.g. 12:00–14:00 and 19:00–22:00')),
  weekdays: z
    .array(Weekday)
    .min(1, 'pick at least one weekday')
    .default([...WEEKDAYS])
    .meta(doc('生效的星期（按时间段开始的那天算）；默认每天', 'Weekdays on which the windows apply (the day a window starts); every day by default')),
  timeZone: TimeZone.optional(),
});
export type WindowsConfig = z.infer<typeof WindowsConfig>;

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * Where `now` stands against the windows in `timeZone`: inside one, or when the next one opens.
 * A window belongs to the weekday it starts on, so a Friday 22:00–02:00 window is still open at
 * 01:00 on Saturday. Wall-clock times are resolved in the zone, so daylight saving shifts are
 * honoured and zones without it (Asia/Shanghai) need no special case.
 */
export function locateInWindows(now: Date, config: WindowsConfig, timeZone: string): { inside: true; endsAt: Date } | { inside: false; nextStart: Date } {
  const local = new TZDate(now.getTime(), timeZone);
  let nextStart: Date | null = null;
  // From yesterday (its window may run past midnight) to a week ahead (the next listed weekday).
  for (let offset = -1; offset <= 7; offset++) {
    const day = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + offset, 0, 0, timeZone);
    if (!config.weekdays.includes(WEEKDAYS[day.getDay()]!)) continue;
    for (const window of config.windows) {
      const startMin = minutesOf(window.start);
      let endMin = minutesOf(window.end);
      if (endMin <= startMin) endMin += 24 * 60;
      const start = new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), 0, startMin, timeZone);
      const end = new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), 0, endMin, timeZone);
      if (start.getTime() <= now.getTime() && now.getTime() < end.getTime()) return { inside: true, endsAt: new Date(end.getTime()) };
      if (start.getTime() > now.getTime() && (!nextStart || start.getTime() < nextStart.getTime())) nextStart = new Date(start.getTime());
    }
  }
  // Unreachable with at least one weekday and one window: each weekday occurs within the week.
  if (!nextStart) throw new Error('no time window within the next week');
  return { inside: false, nextStart };
}
