// Live QR codes (活码): WeCom contact ways Courtyard owns, with staff, schedules, limits, channel
// tags and a welcome message; their daily adds and deletes; the QR as an image.
import { Prisma } from '@courtyard/db';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { InputError, NotFoundError } from './errors.ts';
import { DeletedRef, resultUnion } from './error-types.ts';
import { zDate } from './scalars.ts';
import { decodeId, parse } from './validation.ts';
import { rejectedBy, UnknownVariableError, WeComRejectedError } from './wecom-errors.ts';
import { LiveCodeInput, LiveCodeStaff, pickUser, unknownVariable, usesVariable, WELCOME_VARIABLES, WelcomeMessage, type ScheduleWindow } from './wecom-live-code-rules.ts';
import { dayIn, liveConnection } from './wecom-store.ts';

const ChannelEnum = builder.enumType('WeComLiveCodeChannel', {
  description: 'Where a live code is shown.',
  values: {
    parcel_card: { value: 'parcel_card', description: 'A card in the parcel (包裹卡).' },
    store: { value: 'store', description: 'A physical store.' },
    live_stream: { value: 'live_stream', description: 'A live stream.' },
    ad: { value: 'ad', description: 'An advertisement.' },
    other: { value: 'other', description: 'Anywhere else.' },
  } as const,
});

const AssignmentEnum = builder.enumType('WeComAssignment', {
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
const utcDay = (day: string) => new Date(`${day}T00:00:00Z`);

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

const ScheduleInput = builder.inputType('WeComScheduleWindowInput', {
  description: 'A weekly window (workspace time zone).',
  fields: (t) => ({
    weekdays: t.intList({ required: true, description: '1 Monday … 7 Sunday.' }),
    start: t.string({ required: true, description: 'HH:MM.' }),
    end: t.string({ required: true, description: 'HH:MM; before start means past midnight.' }),
  }),
});
const StaffInput = builder.inputType('WeComLiveCodeStaffInput', {
  description: 'A staff member of a live code: a staff account\'s WeCom userid.',
  fields: (t) => ({
    userId: t.string({ required: true, description: 'The WeCom userid of an active staff account of the workspace.' }),
    schedule: t.field({ type: [ScheduleInput], description: 'When the member takes customers; default always.' }),
  }),
});
const LinkInput = builder.inputType('WeComLinkCardInput', {
  description: 'A link card.',
  fields: (t) => ({
    title: t.string({ required: true, description: 'Title, ≤ 128 bytes; may use variables.' }),
    url: t.string({ required: true, description: 'http(s) URL.' }),
    desc: t.string({ description: 'Description, ≤ 512 bytes; may use variables.' }),
    picUrl: t.string({ description: 'Cover image URL.' }),
  }),
});
const MiniprogramInput = builder.inputType('WeComMiniprogramCardInput', {
  description: 'A mini-program card.',
  fields: (t) => ({
    title: t.string({ required: true, description: 'Title, ≤ 64 bytes.' }),
    appId: t.string({ required: true, description: 'The mini program\'s appid.' }),
    page: t.string({ required: true, description: 'The page it opens.' }),
    picMediaId: t.string({ required: true, description: 'The cover\'s WeCom media id.' }),
  }),
});
const WelcomeInput = builder.inputType('WeComWelcomeMessageInput', {
  description: `A welcome message: text (≤ 4000 bytes) plus a link card or a mini-program card. Variables: ${WELCOME_VARIABLES.map((v) => `{{${v}}}`).join(', ')}.`,
  fields: (t) => ({
    text: t.string({ required: true, description: 'The text.' }),
    coupon: t.string({ description: 'What {{coupon}} becomes (required when the text uses it).' }),
    link: t.field({ type: LinkInput, description: 'A link card.' }),
    miniprogram: t.field({ type: MiniprogramInput, description: 'A mini-program card.' }),
  }),
});
const LiveCodeInputRef = builder.inputType('WeComLiveCodeInput', {
  description: 'A live code, whole (an update replaces every field).',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Name, unique in the workspace (at most 100 characters).' }),
    channel: t.field({ type: ChannelEnum, required: true, description: 'Where the code is shown.' }),
    staff: t.field({ type: [StaffInput], required: true, description: '1–100 staff members.' }),
    backupUserIds: t.stringList({ description: 'Backup staff userids; staff and backups together at most 100.' }),
    assignment: t.field({ type: AssignmentEnum, description: 'Default round_robin.' }),
    dailyAddLimit: t.int({ description: 'Adds per staff member per day (1–10,000); default no limit.' }),
    skipVerify: t.boolean({ description: 'Add without confirmation; default true.' }),
    tagIds: t.idList({ description: 'Global IDs of tags to put on every customer added through the code.' }),
    welcome: t.field({ type: WelcomeInput, description: 'The welcome message; default none.' }),
  }),
});

type RawInput = typeof LiveCodeInputRef.$inferInput;

/** Every check that needs no WeCom call, in the order a person would fix them. */
async function checkInput(ctx: Context, workspaceId: string, raw: RawInput, exceptId?: string) {
  const input = parse(LiveCodeInput, raw, ['input']);
  if (input.welcome) {
    for (const [field, text] of [
      ['input.welcome.text', input.welcome.text],
      ['input.welcome.link.title', input.welcome.link?.title ?? ''],
      ['input.welcome.link.desc', input.welcome.link?.desc ?? ''],
    ] as const) {
      const unknown = unknownVariable(text);
      if (unknown !== undefined) throw new UnknownVariableError(field, unknown, WELCOME_VARIABLES);
    }
    const all = `${input.welcome.text} ${input.welcome.link?.title ?? ''} ${input.welcome.link?.desc ?? ''}`;
    if (usesVariable(all, 'coupon') && !input.welcome.coupon) throw new InputError({ path: ['input', 'welcome', 'coupon'], message: 'the message uses {{coupon}}: give its value', code: 'required' });
  }
  const userIds = [...input.staff.map((s) => s.userId), ...input.backupUserIds];
  const known = await ctx.prisma.staff.findMany({ where: { workspaceId, wecomUserId: { in: userIds }, active: true }, select: { wecomUserId: true } });
  const knownIds = new Set(known.map((s) => s.wecomUserId));
  const issues = [
    ...input.staff.flatMap((s, i) => (knownIds.has(s.userId) ? [] : [{ path: ['input', 'staff', String(i), 'userId'], message: `no active staff account has WeCom userid "${s.userId}"; add it with createStaff`, code: 'unknown_staff' }])),
    ...input.backupUserIds.flatMap((u, i) => (knownIds.has(u) ? [] : [{ path: ['input', 'backupUserIds', String(i)], message: `no active staff account has WeCom userid "${u}"`, code: 'unknown_staff' }])),
  ];
  if (issues.length) throw new InputError(issues);
  const tagIds = (raw.tagIds ?? []).map((id, i) => decodeId(String(id), 'Tag', ['input', 'tagIds', String(i)]));
  const tags = await ctx.prisma.tag.findMany({ where: { workspaceId, id: { in: tagIds } }, select: { id: true } });
  const missing = tagIds.findIndex((id) => !tags.some((t) => t.id === id));
  if (missing >= 0) throw new NotFoundError('tag', `input.tagIds.${missing}`, String(raw.tagIds![missing]));
  const clash = await ctx.prisma.weComLiveCode.findFirst({ where: { workspaceId, name: input.name, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw new InputError({ path: ['input', 'name'], message: `a live code named "${input.name}" exists`, code: 'taken' });
  return { input, tagIds: [...new Set(tagIds)] };
}

async function requireConnection(ctx: Context, workspaceId: string) {
  const conn = await liveConnection(ctx.db, workspaceId);
  if (!conn) throw new WeComRejectedError('WeCom is not connected: call connectWeCom first.', 'input', null);
  return conn;
}

async function addsToday(ctx: Context, liveCodeId: string | null, day: string) {
  if (!liveCodeId) return new Map<string, number>();
  const rows = await ctx.prisma.weComStaffDay.findMany({ where: { liveCodeId, day: utcDay(day) }, select: { userId: true, adds: true } });
  return new Map(rows.map((r) => [r.userId, r.adds]));
}

// WeCom's contact-way errors concern the staff list (unknown or unlicensed userids).
const CONTACT_WAY_FIELDS = { 60111: 'input.staff', 40058: 'input.staff', 40098: 'input.staff' };

function contactWayFields(input: LiveCodeInput, userId: string) {
  return { remark: input.name.slice(0, 30), skip_verify: input.skipVerify, user: [userId] };
}

builder.queryFields((t) => ({
  wecomLiveCodes: t.prismaConnection({
    type: 'WeComLiveCode',
    cursor: 'id',
    description: 'The workspace\'s live codes, newest first.',
    authScopes: { 'wecom:read': true },
    args: { channel: t.arg({ type: ChannelEnum, description: 'Only codes of this channel.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.weComLiveCode.findMany({ ...query, where: { workspaceId: ctx.workspaceId(), ...(args.channel ? { channel: args.channel } : {}) }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}));

builder.mutationFields((t) => ({
  createWeComLiveCode: t.prismaField({
    type: 'WeComLiveCode',
    description: 'Creates a live code: checks WeCom\'s limits and the staff, then creates the WeCom contact way (add_contact_way). Nothing is stored when WeCom refuses.',
    authScopes: { 'wecom:write': true },
    args: { input: t.arg({ type: LiveCodeInputRef, required: true, description: 'The code.' }) },
    errors: { types: [InputError, NotFoundError, UnknownVariableError, WeComRejectedError], union: resultUnion('creating a live code') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const { input, tagIds } = await checkInput(ctx, workspaceId, args.input);
      const conn = await requireConnection(ctx, workspaceId);
      const ws = await ctx.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } });
      const userId = pickUser({ ...input, rotation: 0, addsToday: new Map() }, ws.timeZone, new Date());
      // ≤ 30 chars (notes §4); the callback route names the workspace, so unique in it suffices.
      const state = `cy${randomBytes(12).toString('base64url')}`;
      let way: { config_id: string; qr_code?: string | undefined };
      try {
        way = await conn.client.call('externalcontact/add_contact_way', { type: 2, scene: 2, state, ...contactWayFields(input, userId) });
      } catch (error) {
        rejectedBy(error, 'input.staff', CONTACT_WAY_FIELDS);
      }
      try {
        return await ctx.prisma.weComLiveCode.create({
          ...query,
          data: {
            workspaceId,
            name: input.name,
            channel: input.channel,
            staff: input.staff as unknown as Prisma.InputJsonValue,
            backupUserIds: input.backupUserIds,
            assignment: input.assignment,
            dailyAddLimit: input.dailyAddLimit,
            skipVerify: input.skipVerify,
            tagIds,
            welcome: (input.welcome ?? undefined) as Prisma.InputJsonValue | undefined,
            configId: way.config_id,
            qrCode: way.qr_code ?? null,
            state,
            currentUserIds: [userId],
          },
        });
      } catch (error) {
        // Not stored: remove the contact way again so WeCom keeps no orphan (its 500,000 cap counts them).
        await conn.client.call('externalcontact/del_contact_way', { config_id: way.config_id }).catch(() => undefined);
        throw error;
      }
    },
  }),
  updateWeComLiveCode: t.prismaField({
    type: 'WeComLiveCode',
    description: 'Replaces a live code\'s settings and updates its WeCom contact way (update_contact_way). Stats, state and QR stay.',
    authScopes: { 'wecom:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The code.' }),
      input: t.arg({ type: LiveCodeInputRef, required: true, description: 'The code as it should be.' }),
    },
    errors: { types: [InputError, NotFoundError, UnknownVariableError, WeComRejectedError], union: resultUnion('updating a live code') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const id = decodeId(String(args.id), 'WeComLiveCode', ['id']);
      const code = await ctx.prisma.weComLiveCode.findFirst({ where: { id, workspaceId } });
      if (!code) throw new NotFoundError('live code', 'id', String(args.id));
      const { input, tagIds } = await checkInput(ctx, workspaceId, args.input, id);
      const conn = await requireConnection(ctx, workspaceId);
      const ws = await ctx.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } });
      const now = new Date();
      const userId = pickUser({ ...input, rotation: code.rotation, addsToday: await addsToday(ctx, id, dayIn(ws.timeZone, now)) }, ws.timeZone, now);
      try {
        await conn.client.call('externalcontact/update_contact_way', { config_id: code.configId, ...contactWayFields(input, userId) });
      } catch (error) {
        rejectedBy(error, 'input.staff', CONTACT_WAY_FIELDS);
      }
      return ctx.prisma.weComLiveCode.update({
        ...query,
        where: { id },
        data: {
          name: input.name,
          channel: input.channel,
          staff: input.staff as unknown as Prisma.InputJsonValue,
          backupUserIds: input.backupUserIds,
          assignment: input.assignment,
          dailyAddLimit: input.dailyAddLimit,
          skipVerify: input.skipVerify,
          tagIds,
          welcome: input.welcome ? (input.welcome as Prisma.InputJsonValue) : Prisma.DbNull,
          currentUserIds: [userId],
        },
      });
    },
  }),
  deleteWeComLiveCode: t.field({
    type: DeletedRef,
    description: 'Deletes a live code and its WeCom contact way (del_contact_way); the QR stops adding customers. Its customers, tags and events stay.',
    authScopes: { 'wecom:write': true },
    args: { id: t.arg.id({ required: true, description: 'The code.' }) },
    errors: { types: [InputError, NotFoundError, WeComRejectedError], union: resultUnion('deleting a live code') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const id = decodeId(String(args.id), 'WeComLiveCode', ['id']);
      const code = await ctx.prisma.weComLiveCode.findFirst({ where: { id, workspaceId }, select: { configId: true } });
      if (!code) throw new NotFoundError('live code', 'id', String(args.id));
      const conn = await requireConnection(ctx, workspaceId);
      try {
        await conn.client.call('externalcontact/del_contact_way', { config_id: code.configId });
      } catch (error) {
        // Already gone at WeCom (deleted there, or its config_id lost): deleting here is what is asked.
        if (!(error instanceof Error && 'code' in error && (error as { code: number }).code === 40058)) rejectedBy(error, 'id');
      }
      await ctx.prisma.weComLiveCode.delete({ where: { id } });
      return { id: String(args.id) };
    },
  }),
}));
