// Send windows: "12:00–14:00 and 19:00–22:00" in the workspace time zone, optionally on some
// weekdays. A send outside every window waits for the next one.
import { TZDate } from '@date-fns/tz';
import { addDays, getISODay, startOfDay } from 'date-fns';
import type { SendWindow } from './definition.ts';

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function at(day: Date, minutes: number, timeZone: string): Date {
  const local = new TZDate(day.getTime(), timeZone);
  local.setHours(Math.floor(minutes / 60), minutes % 60, 0, 0);
  return new Date(local.getTime());
}

export type WindowState = { open: true; closesAt: Date | null } | { open: false; opensAt: Date | null };

/**
 * Whether `now` lies in one of the windows (and when that window closes), or when the next one
 * opens. No windows: always open. Windows that never open (no weekday left): `opensAt` null.
 */
export function windowState(now: Date, timeZone: string, windows: readonly SendWindow[]): WindowState {
  if (!windows.length) return { open: true, closesAt: null };
  const today = startOfDay(new TZDate(now.getTime(), timeZone));
  let next: Date | null = null;
  // Yesterday's windows may run past midnight into today; a week ahead covers every weekday.
  for (let offset = -1; offset <= 8; offset++) {
    const day = addDays(today, offset);
    const weekday = getISODay(day);
    for (const w of windows) {
      if (w.weekdays && !w.weekdays.includes(weekday)) continue;
      const start = minutesOf(w.start);
      const end = minutesOf(w.end);
      if (start === end) continue;
      const opens = at(day, start, timeZone);
      const closes = end > start ? at(day, end, timeZone) : at(addDays(day, 1), end, timeZone);
      if (opens <= now && now < closes) return { open: true, closesAt: closes };
      if (opens > now && (!next || opens < next)) next = opens;
    }
  }
  return { open: false, opensAt: next };
}
