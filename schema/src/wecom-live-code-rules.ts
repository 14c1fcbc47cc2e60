// What a live code is allowed to be (WeCom's limits, notes §4–§5, checked before WeCom is called),
// who it hands the next customer to, and how its welcome message is filled in.
import type { Attachment, SendWelcomeMsgRequest } from '@courtyard/wecom';
import { z } from 'zod';
import { weekTimeIn } from './wecom-store.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const maxBytes = (n: number) => (s: string) => bytes(s) <= n;

export const zWeComUserId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.@-]+$/, { message: 'use the WeCom userid: letters, digits, _ . @ -' });
const zClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'use HH:MM, e.g. 09:00' });

export const ScheduleWindow = z
  .object({
    weekdays: z.array(z.number().int().min(1, { message: 'weekdays are 1 (Monday) to 7 (Sunday)' }).max(7, { message: 'weekdays are 1 (Monday) to 7 (Sunday)' })).min(1, { message: 'name at least one weekday' }),
    start: zClock,
    end: zClock,
  })
  .refine((w) => w.start !== w.end, { message: 'start and end must differ (a window past midnight, e.g. 22:00–02:00, is allowed)', path: ['end'] });
export type ScheduleWindow = z.infer<typeof ScheduleWindow>;

export const LiveCodeStaff = z.object({
  userId: zWeComUserId,
  /** When this member takes customers; none: always. */
  schedule: z.array(ScheduleWindow).max(21).nullish().transform((s) => s ?? []),
});
export type LiveCodeStaff = z.infer<typeof LiveCodeStaff>;

export const WelcomeMessage = z.object({
  text: z.string().trim().min(1, { message: 'must not be empty' }).refine(maxBytes(4000), { message: 'must be at most 4000 bytes (WeCom\'s limit)' }),
  /** A `{{coupon}}` value: the coupon code or link this code's customers get. */
  coupon: z.string().trim().min(1).max(200).nullish(),
  link: z
    .object({
      title: z.string().trim().min(1).refine(maxBytes(128), { message: 'must be at most 128 bytes' }),
      url: z.url({ message: 'must be an http(s) URL' }),
      desc: z.string().refine(maxBytes(512), { message: 'must be at most 512 bytes' }).nullish(),
      picUrl: z.url().nullish(),
    })
    .nullish(),
  miniprogram: z
    .object({
      title: z.string().trim().min(1).refine(maxBytes(64), { message: 'must be at most 64 bytes' }),
      appId: z.string().trim().min(1),
      page: z.string().trim().min(1),
      picMediaId: z.string().trim().min(1),
    })
    .nullish(),
});
export type WelcomeMessage = z.infer<typeof WelcomeMessage>;

export const LiveCodeInput = z
  .object({
    name: z.string().trim().min(1, { message: 'must not be empty' }).max(100, { message: 'must be at most 100 characters' }),
    channel: z.enum(['parcel_card', 'store', 'live_stream', 'ad', 'other']),
    // WeCom: at most 100 members per contact way (notes §4); backups count too, as they may be on it.
    staff: z.array(LiveCodeStaff).min(1, { message: 'name at least one staff member' }).max(100, { message: 'at most 100 (WeCom\'s limit per contact way)' }),
    backupUserIds: z.array(zWeComUserId).max(100).nullish().transform((b) => b ?? []),
    assignment: z.enum(['random', 'round_robin', 'least_loaded']).nullish().transform((a) => a ?? 'round_robin'),
    dailyAddLimit: z.number().int().min(1, { message: 'must be at least 1' }).max(10_000, { message: 'must be at most 10,000' }).nullish().transform((l) => l ?? null),
    skipVerify: z.boolean().nullish().transform((s) => s ?? true),
    welcome: WelcomeMessage.nullish().transform((w) => w ?? null),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.staff.forEach((s, i) => {
      if (seen.has(s.userId)) ctx.addIssue({ code: 'custom', path: ['staff', i, 'userId'], message: `${s.userId} is listed twice` });
      seen.add(s.userId);
    });
    input.backupUserIds.forEach((b, i) => {
      if (seen.has(b)) ctx.addIssue({ code: 'custom', path: ['backupUserIds', i], message: `${b} is already on the code (as staff or backup)` });
      seen.add(b);
    });
    if (seen.size > 100) ctx.addIssue({ code: 'custom', path: ['backupUserIds'], message: 'staff and backups together: at most 100 (WeCom\'s limit per contact way)' });
    if (input.welcome?.link && input.welcome.miniprogram) ctx.addIssue({ code: 'custom', path: ['welcome', 'miniprogram'], message: 'a welcome message has a link card or a mini-program card, not both' });
  });
export type LiveCodeInput = z.output<typeof LiveCodeInput>;

/** Variables a welcome message may use, filled when the message is sent. */
export const WELCOME_VARIABLES = ['customer_name', 'staff_name', 'live_code', 'coupon'] as const;
export type WelcomeVariable = (typeof WELCOME_VARIABLES)[number];
const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The first variable in `text` that is not known, or undefined. */
export function unknownVariable(text: string): string | undefined {
  for (const match of text.matchAll(VARIABLE)) if (!(WELCOME_VARIABLES as readonly string[]).includes(match[1]!)) return match[1]!;
  return undefined;
}

export function usesVariable(text: string, name: WelcomeVariable): boolean {
  return [...text.matchAll(VARIABLE)].some((m) => m[1] === name);
}

export function renderTemplate(text: string, values: Record<WelcomeVariable, string>): string {
  return text.replace(VARIABLE, (_all, name: string) => values[name as WelcomeVariable] ?? '');
}

/** The send_welcome_msg body for a welcome message with its variables filled. */
export function welcomeRequest(welcomeCode: string, welcome: WelcomeMessage, values: Record<WelcomeVariable, string>): SendWelcomeMsgRequest {
  const attachments: Attachment[] = [];
  if (welcome.link) {
    attachments.push({
      msgtype: 'link',
      link: {
        title: renderTemplate(welcome.link.title, values),
        url: welcome.link.url,
        ...(welcome.link.desc ? { desc: renderTemplate(welcome.link.desc, values) } : {}),
        ...(welcome.link.picUrl ? { picurl: welcome.link.picUrl } : {}),
      },
    });
  }
  if (welcome.miniprogram) {
    const m = welcome.miniprogram;
    attachments.push({ msgtype: 'miniprogram', miniprogram: { title: m.title, appid: m.appId, page: m.page, pic_media_id: m.picMediaId } });
  }
  return { welcome_code: welcomeCode, text: { content: renderTemplate(welcome.text, values) }, ...(attachments.length ? { attachments } : {}) };
}

function inWindow(window: ScheduleWindow, weekday: number, minutes: number): boolean {
  const [sh, sm] = window.start.split(':').map(Number) as [number, number];
  const [eh, em] = window.end.split(':').map(Number) as [number, number];
  const start = sh * 60 + sm;
  const end = eh * 60 + em;
  if (start < end) return window.weekdays.includes(weekday) && minutes >= start && minutes < end;
  // Past midnight: the part after midnight belongs to the window that began the day before.
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return (window.weekdays.includes(weekday) && minutes >= start) || (window.weekdays.includes(yesterday) && minutes < end);
}

export function onDuty(staff: LiveCodeStaff, timeZone: string, at: Date): boolean {
  if (!staff.schedule.length) return true;
  const { weekday, minutes } = weekTimeIn(timeZone, at);
  return staff.schedule.some((w) => inWindow(w, weekday, minutes));
}

export interface PickState {
  staff: LiveCodeStaff[];
  backupUserIds: string[];
  assignment: 'random' | 'round_robin' | 'least_loaded';
  dailyAddLimit: number | null;
  rotation: number;
  /** Adds today per userid. */
  addsToday: ReadonlyMap<string, number>;
}

/**
 * The member WeCom should hand the next customer to: among the staff on duty and under the
 * daily limit, by the code's assignment; when none is, among the backups under the limit; when
 * none is either, the backups (or the staff) regardless, since a contact way needs a member.
 */
export function pickUser(state: PickState, timeZone: string, at: Date, random = Math.random): string {
  const underLimit = (userId: string) => state.dailyAddLimit === null || (state.addsToday.get(userId) ?? 0) < state.dailyAddLimit;
  const primary = state.staff.filter((s) => onDuty(s, timeZone, at) && underLimit(s.userId)).map((s) => s.userId);
  const backups = state.backupUserIds.filter(underLimit);
  const pool = primary.length ? primary : backups.length ? backups : state.backupUserIds.length ? state.backupUserIds : state.staff.map((s) => s.userId);
  switch (state.assignment) {
    case 'random':
      return pool[Math.floor(random() * pool.length)]!;
    case 'least_loaded':
      return pool.reduce((best, u) => ((state.addsToday.get(u) ?? 0) < (state.addsToday.get(best) ?? 0) ? u : best), pool[0]!);
    case 'round_robin':
      return pool[state.rotation % pool.length]!;
  }
}
