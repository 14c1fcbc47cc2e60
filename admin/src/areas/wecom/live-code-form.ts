// The live-code dialog's state, made from a stored code and turned into WeComLiveCodeInput: the
// one place that decides what the API receives.
import type { WeComAssignment, WeComLiveCodeChannel, WeComLiveCodeFieldsFragment, WeComLiveCodeInput } from '@/gql/graphql';

export const CHANNELS: WeComLiveCodeChannel[] = ['parcel_card', 'store', 'live_stream', 'ad', 'other'];
export const ASSIGNMENTS: WeComAssignment[] = ['round_robin', 'random', 'least_loaded'];
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export interface ScheduleWindow { weekdays: number[]; start: string; end: string }
export interface StaffEntry { userId: string; schedule: ScheduleWindow[] }
export type Attachment = 'none' | 'link' | 'miniprogram';

export interface LiveCodeForm {
  name: string;
  channel: WeComLiveCodeChannel;
  staff: StaffEntry[];
  backupUserIds: string[];
  assignment: WeComAssignment;
  dailyAddLimit: number | null;
  skipVerify: boolean;
  tagIds: string[];
  welcomeOn: boolean;
  text: string;
  coupon: string;
  attachment: Attachment;
  link: { title: string; url: string; desc: string; picUrl: string };
  miniprogram: { title: string; appId: string; page: string; picMediaId: string };
}

export function emptyForm(): LiveCodeForm {
  return {
    name: '',
    channel: 'parcel_card',
    staff: [],
    backupUserIds: [],
    assignment: 'round_robin',
    dailyAddLimit: null,
    skipVerify: true,
    tagIds: [],
    welcomeOn: true,
    text: '',
    coupon: '',
    attachment: 'none',
    link: { title: '', url: '', desc: '', picUrl: '' },
    miniprogram: { title: '', appId: '', page: '', picMediaId: '' },
  };
}

export function formFromCode(code: WeComLiveCodeFieldsFragment): LiveCodeForm {
  const w = code.welcome;
  return {
    name: code.name,
    channel: code.channel,
    staff: code.staff.map((s) => ({ userId: s.userId, schedule: s.schedule.map((x) => ({ weekdays: [...x.weekdays], start: x.start, end: x.end })) })),
    backupUserIds: [...code.backupUserIds],
    assignment: code.assignment,
    dailyAddLimit: code.dailyAddLimit ?? null,
    skipVerify: code.skipVerify,
    tagIds: [...code.tagIds],
    welcomeOn: !!w,
    text: w?.text ?? '',
    coupon: w?.coupon ?? '',
    attachment: w?.link ? 'link' : w?.miniprogram ? 'miniprogram' : 'none',
    link: { title: w?.link?.title ?? '', url: w?.link?.url ?? '', desc: w?.link?.desc ?? '', picUrl: w?.link?.picUrl ?? '' },
    miniprogram: { title: w?.miniprogram?.title ?? '', appId: w?.miniprogram?.appId ?? '', page: w?.miniprogram?.page ?? '', picMediaId: w?.miniprogram?.picMediaId ?? '' },
  };
}

const orNull = (s: string) => (s.trim() ? s.trim() : null);

/** The whole input (an update replaces every field): empty optional texts become null. */
export function toInput(form: LiveCodeForm): WeComLiveCodeInput {
  const welcome: WeComLiveCodeInput['welcome'] = form.welcomeOn
    ? {
        text: form.text,
        coupon: orNull(form.coupon),
        link: form.attachment === 'link' ? { title: form.link.title, url: form.link.url.trim(), desc: orNull(form.link.desc), picUrl: orNull(form.link.picUrl) } : null,
        miniprogram: form.attachment === 'miniprogram' ? { title: form.miniprogram.title, appId: form.miniprogram.appId.trim(), page: form.miniprogram.page.trim(), picMediaId: form.miniprogram.picMediaId.trim() } : null,
      }
    : null;
  return {
    name: form.name.trim(),
    channel: form.channel,
    staff: form.staff.map((s) => ({ userId: s.userId, schedule: s.schedule.map((w) => ({ weekdays: [...w.weekdays].sort((a, b) => a - b), start: w.start, end: w.end })) })),
    backupUserIds: form.backupUserIds,
    assignment: form.assignment,
    dailyAddLimit: form.dailyAddLimit,
    skipVerify: form.skipVerify,
    tagIds: form.tagIds,
    welcome,
  };
}

/** Keeps the schedules of staff still picked; new picks take customers always. */
export function withStaff(current: StaffEntry[], userIds: string[]): StaffEntry[] {
  const byId = new Map(current.map((s) => [s.userId, s]));
  return userIds.map((userId) => byId.get(userId) ?? { userId, schedule: [] });
}
