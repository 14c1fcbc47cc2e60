// Live QR codes (活码): WeCom contact ways Courtyard owns, with staff, schedules, limits, channel
// tags and a welcome message: their inputs, checks, queries and mutations (the types the API shows
// are in wecom-live-code-types.ts).
import { Prisma } from '@courtyard/db';
import { randomBytes } from 'node:crypto';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { InputError, NotFoundError } from './errors.ts';
import { DeletedRef, resultUnion } from './error-types.ts';
import { decodeId, parse } from './validation.ts';
import { rejectedBy, UnknownVariableError, WeComRejectedError } from './wecom-errors.ts';
import { LiveCodeInput, pickUser, unknownVariable, usesVariable, WELCOME_VARIABLES } from './wecom-live-code-rules.ts';
import { AssignmentEnum, ChannelEnum, utcDay } from './wecom-live-code-types.ts';
import { dayIn, liveConnection } from './wecom-store.ts';

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
