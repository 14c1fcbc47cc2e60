// Quiet hours are a daily window "HH:mm"–"HH:mm" in the workspace time zone; an end before the
// start means the window crosses midnight (22:00–08:00).
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight, or null when the text is not a 24-hour HH:mm time. */
export function parseHHMM(value: string | null | undefined): number | null {
  const m = value ? HHMM.exec(value.trim()) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function formatHHMM(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export interface QuietWindow {
  start: number;
  end: number;
  /** The window runs past midnight into the next day. */
  crossesMidnight: boolean;
  /** Its length in minutes (1–1439). */
  minutes: number;
}

/** The window described by two HH:mm texts, or null when either is not a time or they are equal. */
export function quietWindow(start: string | null | undefined, end: string | null | undefined): QuietWindow | null {
  const s = parseHHMM(start);
  const e = parseHHMM(end);
  if (s === null || e === null || s === e) return null;
  return { start: s, end: e, crossesMidnight: e < s, minutes: (e - s + 1440) % 1440 };
}

/** Whether a time of day (minutes after midnight) falls in the window, start included, end excluded. */
export function isQuietAt(window: QuietWindow, minuteOfDay: number): boolean {
  return window.crossesMidnight ? minuteOfDay >= window.start || minuteOfDay < window.end : minuteOfDay >= window.start && minuteOfDay < window.end;
}
