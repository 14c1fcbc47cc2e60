import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Start of the day containing `at`, in the time zone. */
export function dayStart(at: Date, timeZone: string): Date {
  return new Date(startOfDay(new TZDate(at.getTime(), timeZone)).getTime());
}

export function nextDayStart(at: Date, timeZone: string): Date {
  return new Date(addDays(startOfDay(new TZDate(at.getTime(), timeZone)), 1).getTime());
}

/**
 * When quiet hours (e.g. 22:00–08:00, may cross midnight) are on at `at`, the time they end;
 * otherwise null.
 */
export function quietUntil(at: Date, timeZone: string, quiet: { start: string; end: string }): Date | null {
  const local = new TZDate(at.getTime(), timeZone);
  const now = local.getHours() * 60 + local.getMinutes();
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return null;
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  let endDay = startOfDay(local);
  if (start > end && now >= start) endDay = addDays(endDay, 1);
  const until = new TZDate(endDay.getTime(), timeZone);
  until.setHours(Math.floor(end / 60), end % 60, 0, 0);
  return new Date(until.getTime());
}
