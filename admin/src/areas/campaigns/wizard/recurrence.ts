// A recurring campaign's schedule: the friendly builder (every day / chosen weekdays / day N of
// the month, at HH:mm) and the five-field cron expression the API stores, both ways; the check of
// a hand-written expression, its next occurrences in the workspace time zone, and its words.
import { Cron } from 'croner';

export type RecurrenceMode = 'daily' | 'weekly' | 'monthly' | 'cron';

export interface RecurrenceState {
  mode: RecurrenceMode;
  /** HH:mm in the workspace time zone. */
  time: string;
  /** ISO weekdays (1 Monday … 7 Sunday), for `weekly`. */
  weekdays: number[];
  /** 1–31, for `monthly`. */
  dayOfMonth: number;
  /** The expression as written, for `cron`. */
  cron: string;
}

export function defaultRecurrence(): RecurrenceState {
  return { mode: 'daily', time: '10:00', weekdays: [1], dayOfMonth: 1, cron: '0 10 * * *' };
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The cron expression the builder stands for (the written one in `cron` mode). */
export function cronFromRecurrence(r: RecurrenceState): string {
  if (r.mode === 'cron') return r.cron.trim().replace(/\s+/g, ' ');
  const [, hh = '0', mm = '0'] = HHMM.exec(r.time) ?? [];
  const at = `${Number(mm)} ${Number(hh)}`;
  if (r.mode === 'weekly') return `${at} * * ${r.weekdays.map((d) => d % 7).sort((a, b) => a - b).join(',')}`;
  if (r.mode === 'monthly') return `${at} ${r.dayOfMonth} * *`;
  return `${at} * * *`;
}

const NUMBER = /^\d{1,2}$/;
const pad = (n: number) => String(n).padStart(2, '0');

/** The builder for a stored expression: its friendly form when it has one, else `cron` mode. */
export function recurrenceFromCron(cron: string): RecurrenceState {
  const r = friendlyForm(cron);
  return r.mode === 'cron' ? r : { ...r, cron: cronFromRecurrence(r) };
}

function friendlyForm(cron: string): RecurrenceState {
  const r = { ...defaultRecurrence(), cron: cron.trim() };
  const parts = r.cron.split(/\s+/);
  if (parts.length !== 5) return { ...r, mode: 'cron' };
  const [min, hour, dom, month, dow] = parts as [string, string, string, string, string];
  if (!NUMBER.test(min) || !NUMBER.test(hour) || Number(min) > 59 || Number(hour) > 23 || month !== '*') return { ...r, mode: 'cron' };
  const time = `${pad(Number(hour))}:${pad(Number(min))}`;
  if (dom === '*' && dow === '*') return { ...r, mode: 'daily', time };
  if (dom === '*' && /^[0-7](,[0-7])*$/.test(dow)) {
    const weekdays = [...new Set(dow.split(',').map((d) => Number(d) || 7))].sort((a, b) => a - b);
    return { ...r, mode: 'weekly', time, weekdays };
  }
  if (dow === '*' && NUMBER.test(dom) && Number(dom) >= 1 && Number(dom) <= 31) return { ...r, mode: 'monthly', time, dayOfMonth: Number(dom) };
  return { ...r, mode: 'cron' };
}

/** What is wrong with the builder or the expression, as a key of `campaigns.wizard.errors`; null when fine. */
export function recurrenceProblem(r: RecurrenceState): string | null {
  if (r.mode !== 'cron') {
    if (!HHMM.test(r.time)) return 'recurrenceTime';
    if (r.mode === 'weekly' && !r.weekdays.length) return 'recurrenceWeekdays';
    if (r.mode === 'monthly' && !(Number.isInteger(r.dayOfMonth) && r.dayOfMonth >= 1 && r.dayOfMonth <= 31)) return 'recurrenceDay';
    return null;
  }
  const cron = cronFromRecurrence(r);
  if (!cron) return 'cronRequired';
  if (cron.split(' ').length !== 5) return 'cronFields';
  try {
    if (!new Cron(cron, { mode: '5-part', paused: true }).nextRun()) return 'cronNever';
  } catch {
    return 'cronInvalid';
  }
  return null;
}

/** The next `n` occurrences of `cron` after `from`, in `timeZone`; empty when it is not valid. */
export function nextOccurrences(cron: string, timeZone: string, n = 3, from = new Date()): Date[] {
  try {
    return new Cron(cron, { mode: '5-part', timezone: timeZone, paused: true }).nextRuns(n, from);
  } catch {
    return [];
  }
}

/** An instant as a date and time in the workspace time zone, e.g. "2025年6月18日周三 10:00". */
export function formatInZone(date: Date | string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-US' : 'zh-CN', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(typeof date === 'string' ? new Date(date) : date);
}

type Translate = (key: string, params?: Record<string, unknown>) => string;

/** The schedule in words ("每天 10:00"); an expression without a friendly form is shown as written. */
export function describeCron(cron: string, t: Translate): string {
  const r = recurrenceFromCron(cron);
  if (r.mode === 'daily') return t('campaigns.recurrence.words.daily', { time: r.time });
  if (r.mode === 'weekly') {
    const days = r.weekdays.length === 7 ? t('campaigns.wizard.schedule.everyDay') : r.weekdays.map((d) => t(`campaigns.wizard.weekdays.${d}`)).join(t('campaigns.recurrence.words.separator'));
    return t('campaigns.recurrence.words.weekly', { days, time: r.time });
  }
  if (r.mode === 'monthly') return t('campaigns.recurrence.words.monthly', { day: r.dayOfMonth, time: r.time });
  return t('campaigns.recurrence.words.cron', { cron: cron.trim() });
}
