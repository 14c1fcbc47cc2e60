// Live QR codes as the API shows them: channels and assignment modes, staff with schedules, the
// welcome message, daily stats and the QR image (wecom-live-code.ts has the inputs and mutations).
import type { Prisma } from '@courtyard/db';
import { encodeGlobalID } from '@pothos/plugin-relay';
import QRCode from 'qrcode';
import { z } from 'zod';
import { builder } from './builder.ts';
import { InputError } from './errors.ts';
import { zDate } from './scalars.ts';
import { parse } from './validation.ts';
import { LiveCodeStaff, WELCOME_VARIABLES, WelcomeMessage, type ScheduleWindow } from './wecom-live-code-rules.ts';
import { dayIn } from './wecom-store.ts';

export const ChannelEnum = builder.enumType('WeComLiveCodeChannel', {
  description: 'Where a live code is shown.',
  values: {
    parcel_card: { value: 'parcel_card', description: 'A card in the parcel (包裹卡).' },
    store: { value: 'store', description: 'A physical store.' },
    live_stream: { value: 'live_stream', description: 'A live stream.' },
    ad: { value: 'ad', description: 'An advertisement.' },
    other: { value: 'other', description: 'Anywhere else.' },
  } as const,
});

export const AssignmentEnum = builder.enumType('WeComAssignment', {
  description: 'How a live code picks the staff member the next customer is added to (among those on duty and under the daily limit).',
  values: {
    round_robin: { value: 'round_robin', description: 'In turn.' },
    random: { value: 'random', description: 'At random.' },
    least_loaded: { value: 'least_loaded', description: 'The one with the fewest adds through this code today.' },
  } as const,
});

const QrFormatEnum = builder.enumType('QrImageFormat', {
  description: 'Image format of a rendered QR code.',
  values: { PNG: { value: 'png', description: 'PNG, 512 px.' }, SVG: { value: 'svg', description: 'SVG.' } } as const,
});

const ScheduleRef = builder.objectRef<ScheduleWindow>('WeComScheduleWindow').implement({
  description: 'When a staff member takes customers from a live code (workspace time zone).',
  fields: (t) => ({
    weekdays: t.exposeIntList('weekdays', { description: '1 Monday … 7 Sunday.' }),
    start: t.exposeString('start', { description: 'HH:MM.' }),
    end: t.exposeString('end', { description: 'HH:MM; before start means past midnight.' }),
  }),
});

const StaffRef = builder.objectRef<LiveCodeStaff>('WeComLiveCodeStaff').implement({
  description: 'A staff member of a live code.',
  fields: (t) => ({
    userId: t.exposeString('userId', { description: 'The WeCom userid.' }),
    schedule: t.field({ type: [ScheduleRef], description: 'When the member takes customers; empty: always.', resolve: (s) => s.schedule }),
  }),
});

type Welcome = z.output<typeof WelcomeMessage>;
const LinkRef = builder.objectRef<NonNullable<Welcome['link']>>('WeComLinkCard').implement({
  description: 'A link card.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'Title (≤ 128 bytes).' }),
    url: t.exposeString('url', { description: 'Where it leads.' }),
    desc: t.string({ nullable: true, description: 'Description (≤ 512 bytes).', resolve: (l) => l.desc ?? null }),
    picUrl: t.string({ nullable: true, description: 'Cover image URL.', resolve: (l) => l.picUrl ?? null }),
  }),
});
const MiniprogramRef = builder.objectRef<NonNullable<Welcome['miniprogram']>>('WeComMiniprogramCard').implement({
  description: 'A mini-program card.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'Title (≤ 64 bytes).' }),
    appId: t.exposeString('appId', { description: 'The mini program\'s appid.' }),
    page: t.exposeString('page', { description: 'The page it opens.' }),
    picMediaId: t.exposeString('picMediaId', { description: 'The cover\'s WeCom media id.' }),
  }),
});
const WelcomeRef = builder.objectRef<Welcome>('WeComWelcomeMessage').implement({
  description: `The message sent to a customer added through a live code. Variables: ${WELCOME_VARIABLES.map((v) => `{{${v}}}`).join(', ')}.`,
  fields: (t) => ({
    text: t.exposeString('text', { description: 'The text with its {{variables}}.' }),
    coupon: t.string({ nullable: true, description: 'What {{coupon}} becomes.', resolve: (w) => w.coupon ?? null }),
    link: t.field({ type: LinkRef, nullable: true, description: 'A link card.', resolve: (w) => w.link ?? null }),
    miniprogram: t.field({ type: MiniprogramRef, nullable: true, description: 'A mini-program card.', resolve: (w) => w.miniprogram ?? null }),
  }),
});

interface DayStat {
  day: string;
  adds: number;
  deletes: number;
}
const DayRef = builder.objectRef<DayStat>('WeComLiveCodeDay').implement({
  description: 'A live code\'s customers on one day (workspace time zone). WeCom reports adds, not scans.',
  fields: (t) => ({
    day: t.exposeString('day', { description: 'YYYY-MM-DD.' }),
    adds: t.exposeInt('adds', { description: 'Customers added through the code.' }),
    deletes: t.exposeInt('deletes', { description: 'Of the code\'s customers: relations ended (either side deleted the other).' }),
    netAdds: t.int({ description: 'adds − deletes.', resolve: (d) => d.adds - d.deletes }),
  }),
});

const staffOf = (json: Prisma.JsonValue) => z.array(LiveCodeStaff).parse(json);
const welcomeOf = (json: Prisma.JsonValue | null) => (json === null ? null : WelcomeMessage.parse(json));
export const utcDay = (day: string) => new Date(`${day}T00:00:00Z`);

builder.prismaNode('WeComLiveCode', {
  id: { field: 'id' },
  nullable: true,
  description: 'A live QR code (活码): a WeCom contact way whose customers are tagged by channel and greeted with its welcome message.',
  authScopes: { 'wecom:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    liveCodeId: t.exposeString('id', { description: 'The database id (events carry it as properties.liveCodeId).' }),
    name: t.exposeString('name', { description: 'Name (also the contact way\'s remark, cut to 30 characters).' }),
    channel: t.field({ type: ChannelEnum, description: 'Where the code is shown.', resolve: (c) => c.channel }),
    staff: t.field({ type: [StaffRef], description: 'Staff members, with schedules.', select: { staff: true }, resolve: (c) => staffOf(c.staff) }),
    backupUserIds: t.exposeStringList('backupUserIds', { description: 'Taken when no staff member is on duty and under the limit.' }),
    assignment: t.field({ type: AssignmentEnum, description: 'How the next staff member is picked.', resolve: (c) => c.assignment }),
    dailyAddLimit: t.exposeInt('dailyAddLimit', { nullable: true, description: 'Adds per staff member per day; null: no limit.' }),
    skipVerify: t.exposeBoolean('skipVerify', { description: 'Customers are added without the staff member confirming.' }),
    tagIds: t.field({
      type: ['ID'],
      description: 'Global IDs of the tags put on every customer added through the code.',
      select: { tagIds: true },
      resolve: (c) => c.tagIds.map((id) => encodeGlobalID('Tag', id)),
    }),
    welcome: t.field({ type: WelcomeRef, nullable: true, description: 'The welcome message; null: none.', select: { welcome: true }, resolve: (c) => welcomeOf(c.welcome) }),
    configId: t.exposeString('configId', { description: 'WeCom\'s contact-way config_id.' }),
    qrCodeUrl: t.exposeString('qrCode', { nullable: true, description: 'WeCom\'s QR image URL: the code to print.' }),
    state: t.exposeString('state', { description: 'The state WeCom echoes in add events (≤ 30 chars).' }),
    currentUserIds: t.exposeStringList('currentUserIds', { description: 'Who WeCom hands the next customer to now.' }),
    qrImage: t.string({
      description:
        'A data URL of the code as an image (PNG or SVG), encoding WeCom\'s QR URL (qrCodeUrl). For print, WeCom\'s own image at qrCodeUrl is the authoritative one.',
      args: { format: t.arg({ type: QrFormatEnum, description: 'Default PNG.' }) },
      select: { qrCode: true, configId: true },
      resolve: async (c, args) => {
        const content = c.qrCode ?? c.configId;
        if (args.format === 'svg') return `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(content, { type: 'svg', margin: 2 })).toString('base64')}`;
        return QRCode.toDataURL(content, { width: 512, margin: 2 });
      },
    }),
    stats: t.field({
      type: [DayRef],
      description: 'Adds and deletes per day, every day of the range (at most 366 days), oldest first.',
      args: {
        from: t.arg({ type: 'Date', description: 'First day; default 29 days before `to`.' }),
        to: t.arg({ type: 'Date', description: 'Last day; default today (workspace time zone).' }),
      },
      select: { id: true, workspaceId: true },
      resolve: async (c, args, ctx) => {
        const ws = await ctx.prisma.workspace.findUniqueOrThrow({ where: { id: c.workspaceId }, select: { timeZone: true } });
        const to = args.to == null ? utcDay(dayIn(ws.timeZone, new Date())) : parse(zDate(), args.to, ['to']);
        const from = args.from == null ? new Date(to.getTime() - 29 * 86_400_000) : parse(zDate(), args.from, ['from']);
        const days = Math.round((to.getTime() - from.getTime()) / 86_400_000) + 1;
        if (days < 1 || days > 366) throw new InputError({ path: ['from'], message: 'the range must be 1–366 days with from ≤ to', code: 'invalid' });
        const rows = await ctx.prisma.weComLiveCodeStat.findMany({ where: { liveCodeId: c.id, day: { gte: from, lte: to } } });
        const byDay = new Map(rows.map((r) => [r.day.toISOString().slice(0, 10), r]));
        return Array.from({ length: days }, (_, i) => {
          const day = new Date(from.getTime() + i * 86_400_000).toISOString().slice(0, 10);
          const row = byDay.get(day);
          return { day, adds: row?.adds ?? 0, deletes: row?.deletes ?? 0 };
        });
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the code was created.' }),
  }),
});
