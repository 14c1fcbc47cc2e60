// Moments (客户朋友圈) and group-chat mass sends, as states. Both are tasks staff members act on in
// their WeCom app: add_moment_task makes a job whose moment each chosen staff member publishes (or
// not), add_msg_template with chat_type group makes a send the group owner confirms (or not). The
// runtime reads both back (get_moment_task_result / get_moment_task, get_groupmsg_task /
// get_groupmsg_send_result). The brand's cap on moments a customer sees a day (seed 000: 3) is
// checked before WeCom is called.
import type { Prisma, QueryFn, WeComGroupSend } from '@courtyard/db';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { InputError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { decodeId, parse } from './validation.ts';
import { rejectedBy, WeComRejectedError } from './wecom-errors.ts';
import { staffTaskSettings, WeComLimitError } from './wecom-limits.ts';
import { dayIn, liveConnection } from './wecom-store.ts';

const MomentStatusEnum = builder.enumType('WeComMomentStatus', {
  description: 'Where a moments task stands.',
  values: {
    creating: { value: 'creating', description: 'Being created in WeCom.' },
    created: { value: 'created', description: 'WeCom accepted the job; its moment is being made.' },
    publishing: { value: 'publishing', description: 'Staff members publish it (or not) in their WeCom app.' },
    settled: { value: 'settled', description: 'Every staff member\'s outcome is known.' },
    failed: { value: 'failed', description: 'WeCom refused it; `error` says why.' },
  } as const,
});

const PublishEnum = builder.enumType('WeComMomentPublish', {
  description: 'One staff member\'s part of a moments task.',
  values: {
    waiting: { value: 'waiting', description: 'Not published yet.' },
    published: { value: 'published', description: 'Published (get_moment_task publish_status 1).' },
    not_published: { value: 'not_published', description: 'Not published before the deadline (the workspace\'s confirm hours).' },
    invalid: { value: 'invalid', description: 'WeCom would not give it to this member (invalid_sender_list).' },
  } as const,
});

builder.prismaObject('WeComMomentTask', {
  description: 'A staff member\'s part of a moments task.',
  fields: (t) => ({
    staffUserId: t.exposeString('staffUserId', { description: 'The staff member\'s WeCom userid.' }),
    status: t.field({ type: PublishEnum, description: 'Published or not.', resolve: (r) => r.status }),
    settledAt: t.expose('settledAt', { type: 'DateTime', nullable: true, description: 'When the outcome became known.' }),
  }),
});

builder.prismaObject('WeComMoment', {
  description: 'A moments (朋友圈) task: WeCom asks each chosen staff member to publish the post in their app.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The task\'s id.' }),
    jobid: t.exposeString('jobid', { nullable: true, description: 'WeCom\'s job id (valid 24 h).' }),
    momentId: t.exposeString('momentId', { nullable: true, description: 'WeCom\'s moment id, once the job is done.' }),
    status: t.field({ type: MomentStatusEnum, description: 'Where it stands.', resolve: (r) => r.status }),
    text: t.exposeString('text', { description: 'The text.' }),
    attachments: t.expose('attachments', { type: 'JSON', description: 'The attachments as sent to WeCom.' }),
    tasks: t.relation('tasks', { description: 'Each staff member\'s part.', query: { orderBy: { staffUserId: 'asc' } } }),
    day: t.string({ description: 'The day (YYYY-MM-DD, workspace time zone) it counts against the per-customer daily limit.', resolve: (r) => r.day.toISOString().slice(0, 10) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'Staff members who have not published by then count as not published.' }),
    settledAt: t.expose('settledAt', { type: 'DateTime', nullable: true, description: 'When every outcome was known.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why WeCom refused it.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The last problem reading it back from WeCom.' }),
  }),
});

const GroupSendStatusEnum = builder.enumType('WeComGroupSendStatus', {
  description: 'Where a group-chat mass send stands (the owner must confirm it in their WeCom app).',
  values: {
    creating: { value: 'creating', description: 'Being created in WeCom; or WeCom\'s answer was lost and the task is looked for in WeCom\'s list (lastError says so): adopted when found, not_sent when WeCom does not list it within the reconciliation window (10 minutes).' },
    waiting: { value: 'waiting', description: 'Waiting for the owner to confirm it.' },
    sent: { value: 'sent', description: 'Sent to every chat asked for (or to the owner\'s groups when none were named).' },
    partly_sent: { value: 'partly_sent', description: 'Sent to some of the chats asked for.' },
    not_sent: { value: 'not_sent', description: 'Not sent: unconfirmed by the deadline (then cancelled in WeCom), or refused by WeCom.' },
  } as const,
});

const GroupSendRef = builder.prismaObject('WeComGroupSend', {
  description: 'A group-chat mass send (add_msg_template, chat_type group) for one group owner, who must confirm it in their WeCom app.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The send\'s id.' }),
    msgid: t.exposeString('msgid', { nullable: true, description: 'WeCom\'s msgid.' }),
    ownerUserId: t.exposeString('ownerUserId', { description: 'The group owner\'s WeCom userid.' }),
    chatIds: t.exposeStringList('chatIds', { description: 'The chats asked for; empty: all of the owner\'s groups.' }),
    content: t.exposeString('content', { description: 'The text.' }),
    // `uncertain` (WeCom's answer lost, the task looked for in its list) reads as `creating`, with lastError saying why.
    status: t.field({ type: GroupSendStatusEnum, description: 'Where it stands.', resolve: (r) => (r.status === 'uncertain' ? 'creating' : r.status) }),
    sentChatIds: t.exposeStringList('sentChatIds', { description: 'Chats sent to (WeCom lists only those).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'Unconfirmed by then: not sent (and cancelled in WeCom).' }),
    settledAt: t.expose('settledAt', { type: 'DateTime', nullable: true, description: 'When the outcome was known.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why WeCom refused it (e.g. 41048: the owner has no such groups).' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The last problem reading it back from WeCom.' }),
  }),
});

const LinkInput = builder.inputType('WeComMomentLinkInput', {
  description: 'A link card: title, URL and a cover image uploaded to WeCom.',
  fields: (t) => ({
    title: t.string({ description: 'Title, at most 64 bytes.' }),
    url: t.string({ required: true, description: 'The URL.' }),
    mediaId: t.string({ required: true, description: 'The cover\'s WeCom media id.' }),
  }),
});

const MomentInput = builder.inputType('WeComMomentInput', {
  description: 'A moments post: text and at most 9 images, or 1 video, or 1 link (WeCom\'s rule).',
  fields: (t) => ({
    staffIds: t.idList({ required: true, description: 'The staff members asked to publish it.' }),
    text: t.string({ description: 'The text, at most 2000 characters (4000 bytes).' }),
    imageMediaIds: t.stringList({ description: 'Up to 9 images (WeCom media ids).' }),
    videoMediaId: t.string({ description: 'One video (WeCom media id).' }),
    link: t.field({ type: LinkInput, description: 'One link card.' }),
  }),
});

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const zMoment = z
  .object({
    staffIds: z.array(z.string()).min(1).max(1000),
    text: z.string().trim().max(2000).refine((s) => bytes(s) <= 4000, 'must be at most 4000 bytes').nullish(),
    imageMediaIds: z.array(z.string().min(1)).min(1).max(9).nullish(),
    videoMediaId: z.string().min(1).nullish(),
    link: z.object({ title: z.string().refine((s) => bytes(s) <= 64, 'must be at most 64 bytes').nullish(), url: z.url(), mediaId: z.string().min(1) }).nullish(),
  })
  .superRefine((v, ctx) => {
    const kinds = [v.imageMediaIds, v.videoMediaId, v.link].filter((x) => x != null).length;
    if (kinds > 1) ctx.addIssue({ code: 'custom', path: ['imageMediaIds'], message: 'give images, or a video, or a link: WeCom does not mix them' });
    if (!v.text && kinds === 0) ctx.addIssue({ code: 'custom', path: ['text'], message: 'give text or an attachment' });
  });

async function activeStaff(ctx: Context, workspaceId: string, staffIds: string[], field: string) {
  const ids = staffIds.map((id, i) => decodeId(id, 'Staff', ['input', field, String(i)]));
  const rows = new Map((await ctx.prisma.staff.findMany({ where: { workspaceId, id: { in: ids } } })).map((s) => [s.id, s]));
  const missing = ids.findIndex((id) => !rows.has(id));
  if (missing >= 0) throw new NotFoundError('staff', `input.${field}.${missing}`, staffIds[missing]!);
  const issues = ids.flatMap((id, i) => {
    const s = rows.get(id)!;
    return s.active && s.wecomUserId ? [] : [{ path: ['input', field, String(i)], message: `${s.name} ${s.active ? 'has no WeCom userid' : 'is deactivated'}`, code: 'cannot_send' }];
  });
  if (issues.length) throw new InputError(issues);
  return [...new Set(ids.map((id) => rows.get(id)!.wecomUserId!))];
}

async function requireConnection(ctx: Context, workspaceId: string) {
  const conn = await liveConnection(ctx.db, workspaceId);
  if (!conn) throw new WeComRejectedError('WeCom is not connected: call connectWeCom first.', 'input', null);
  return conn;
}

/**
 * Customers who would see more than the daily number of brand moments: a moment reaches every
 * customer of the staff members who publish it, so each customer following a chosen member counts
 * today's moments (not failed) given to any member they follow.
 */
async function overDailyMoments(query: QueryFn, workspaceId: string, userIds: string[], day: string, limit: number) {
  return query<{ customerId: string }>(
    `WITH reach AS (
       SELECT DISTINCT "externalUserId", "customerId" FROM "WeComFollow" WHERE "workspaceId" = $1 AND "userId" = ANY($2::text[]) AND "deletedAt" IS NULL)
     SELECT r."customerId" FROM reach r
       JOIN "WeComFollow" f ON f."workspaceId" = $1 AND f."externalUserId" = r."externalUserId" AND f."deletedAt" IS NULL
       JOIN "WeComMoment" m ON m."workspaceId" = $1 AND m.day = $3::date AND m.status <> 'failed' AND f."userId" = ANY(m."staffUserIds")
      GROUP BY r."customerId" HAVING count(DISTINCT m.id) >= $4
      ORDER BY r."customerId" LIMIT 100`,
    [workspaceId, userIds, day, limit],
  );
}

function momentRequest(input: z.output<typeof zMoment>, userIds: string[]) {
  const attachments = input.imageMediaIds
    ? input.imageMediaIds.map((media_id) => ({ msgtype: 'image' as const, image: { media_id } }))
    : input.videoMediaId
      ? [{ msgtype: 'video' as const, video: { media_id: input.videoMediaId } }]
      : input.link
        ? [{ msgtype: 'link' as const, link: { ...(input.link.title ? { title: input.link.title } : {}), url: input.link.url, media_id: input.link.mediaId } }]
        : [];
  return { ...(input.text ? { text: { content: input.text } } : {}), ...(attachments.length ? { attachments } : {}), visible_range: { sender_list: { user_list: userIds } } };
}

const GroupSendsPayload = builder.objectRef<{ sends: WeComGroupSend[] }>('CreateWeComGroupSendsPayload').implement({
  description: 'One send per group owner, with its state.',
  fields: (t) => ({ sends: t.field({ type: [GroupSendRef], description: 'By owner userid.', resolve: (p) => p.sends }) }),
});

const GroupSendInput = builder.inputType('WeComGroupSendInput', {
  description: 'A group-chat mass send: one WeCom task per group owner, each of whom must confirm it.',
  fields: (t) => ({
    ownerStaffIds: t.idList({ required: true, description: 'The group owners (staff members).' }),
    chatIds: t.stringList({ description: 'Only these groups (WeCom chat ids, at most 2000); default all of each owner\'s groups.' }),
    text: t.string({ required: true, description: 'The text, at most 4000 bytes.' }),
  }),
});

const zGroupSend = z.object({
  ownerStaffIds: z.array(z.string()).min(1).max(100),
  chatIds: z.array(z.string().min(1)).min(1).max(2000).nullish(),
  text: z.string().trim().min(1).refine((s) => bytes(s) <= 4000, 'must be at most 4000 bytes'),
});

builder.queryFields((t) => ({
  wecomMoments: t.prismaConnection({
    type: 'WeComMoment',
    cursor: 'id',
    description: 'Moments tasks, newest first, with each staff member\'s publish state.',
    authScopes: { 'wecom:read': true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.weComMoment.findMany({ ...query, where: { workspaceId: ctx.workspaceId() }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
  wecomGroupSends: t.prismaConnection({
    type: 'WeComGroupSend',
    cursor: 'id',
    description: 'Group-chat mass sends, newest first, with their states.',
    authScopes: { 'wecom:read': true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.weComGroupSend.findMany({ ...query, where: { workspaceId: ctx.workspaceId() }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}));

builder.mutationFields((t) => ({
  createWeComMoment: t.prismaField({
    type: 'WeComMoment',
    description:
      'Asks staff members to publish a moments post (add_moment_task). Refused before WeCom is called when a customer of those staff would see more brand moments today than the workspace allows (3 by default, seed 000), or when the attachments break WeCom\'s rule.',
    authScopes: { 'wecom:write': true },
    args: { input: t.arg({ type: MomentInput, required: true, description: 'The post and its staff.' }) },
    errors: { types: [InputError, NotFoundError, WeComLimitError, WeComRejectedError], union: resultUnion('creating a moments task') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const input = parse(zMoment, args.input, ['input']);
      const userIds = await activeStaff(ctx, workspaceId, input.staffIds, 'staffIds');
      const settings = await staffTaskSettings(ctx.db, workspaceId);
      const day = dayIn(settings.timeZone, new Date());
      const conn = await requireConnection(ctx, workspaceId);
      const request = momentRequest(input, userIds);
      // Checked and recorded under one lock, so two requests cannot both take a customer's last moment of the day.
      const moment = await ctx.db.transaction(async (q) => {
        await q(`SELECT pg_advisory_xact_lock(hashtext('wecom-moments:' || $1))`, [workspaceId]);
        const over = await overDailyMoments(q, workspaceId, userIds, day, settings.momentsPerCustomerDay);
        if (over.length) {
          throw new WeComLimitError(
            `${over.length === 100 ? 'At least 100' : over.length} customers of these staff members already get ${settings.momentsPerCustomerDay} brand moments today, the most a customer should see a day; choose other staff or post tomorrow.`,
            'input.staffIds',
            'moments_per_customer_day',
            settings.momentsPerCustomerDay,
            over.map((o) => encodeGlobalID('Customer', o.customerId)),
          );
        }
        const [row] = await q<{ id: string }>(
          `INSERT INTO "WeComMoment" ("workspaceId", text, attachments, "staffUserIds", day, "expiresAt") VALUES ($1, $2, $3::jsonb, $4, $5::date, $6) RETURNING id`,
          [workspaceId, input.text ?? '', JSON.stringify(request.attachments ?? []), userIds, day, new Date(Date.now() + settings.confirmHours * 3_600_000)],
        );
        await q(`INSERT INTO "WeComMomentTask" ("momentId", "staffUserId") SELECT $1, u FROM unnest($2::text[]) AS u`, [row!.id, userIds]);
        return row!;
      });
      try {
        const { jobid } = await conn.client.call('externalcontact/add_moment_task', request);
        return await ctx.prisma.weComMoment.update({ ...query, where: { id: moment.id }, data: { jobid, status: 'created', nextPollAt: new Date() } });
      } catch (error) {
        // WeCom made nothing: neither is anything kept here (and it no longer counts against today).
        await ctx.prisma.weComMoment.delete({ where: { id: moment.id } });
        const mediaField = input.imageMediaIds ? 'input.imageMediaIds' : input.videoMediaId ? 'input.videoMediaId' : 'input.link.mediaId';
        rejectedBy(error, 'input', { 60111: 'input.staffIds', 40007: mediaField });
      }
    },
  }),
  createWeComGroupSends: t.field({
    type: GroupSendsPayload,
    description:
      'Sends a message to customer groups (add_msg_template, chat_type group): one task per group owner, which the owner must confirm in their WeCom app; read back until sent, partly sent or not sent (unconfirmed by the workspace\'s confirm hours). An owner WeCom refuses gets a not_sent send with the error.',
    authScopes: { 'wecom:write': true },
    args: { input: t.arg({ type: GroupSendInput, required: true, description: 'Owners, groups and text.' }) },
    errors: { types: [InputError, NotFoundError, WeComRejectedError], union: resultUnion('creating group-chat sends') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const input = parse(zGroupSend, args.input, ['input']);
      const owners = await activeStaff(ctx, workspaceId, input.ownerStaffIds, 'ownerStaffIds');
      const settings = await staffTaskSettings(ctx.db, workspaceId);
      const conn = await requireConnection(ctx, workspaceId);
      const ids: string[] = [];
      for (const owner of owners) {
        // Recorded before WeCom is asked (as customer mass sends are), then completed with WeCom's
        // answer. Should this process stop before the answer, the follow-ups look for the task in
        // WeCom's list after a minute.
        const row = await ctx.prisma.weComGroupSend.create({
          data: { workspaceId, ownerUserId: owner, chatIds: input.chatIds ?? [], content: input.text, expiresAt: new Date(Date.now() + settings.confirmHours * 3_600_000), nextPollAt: new Date(Date.now() + 60_000) },
        });
        ids.push(row.id);
        try {
          const { msgid } = await conn.client.call('externalcontact/add_msg_template', {
            chat_type: 'group',
            sender: owner,
            ...(input.chatIds ? { chat_id_list: input.chatIds } : {}),
            text: { content: input.text },
          });
          await ctx.prisma.weComGroupSend.update({ where: { id: row.id }, data: { msgid, status: 'waiting', nextPollAt: new Date(Date.now() + 60_000) } });
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (typeof code !== 'number') {
            // No answer: WeCom may have made it. The follow-ups look for it in WeCom's task list
            // (adopted when found; not_sent when WeCom still does not list it after the window).
            await ctx.prisma.weComGroupSend.update({
              where: { id: row.id },
              data: { status: 'uncertain', lastError: `WeCom's answer to add_msg_template was lost (${(error as Error).message}); looking for the task in WeCom's list`, nextPollAt: new Date(Date.now() + 1000) },
            });
            continue;
          }
          if (owners.length === 1 && code !== 41048) {
            await ctx.prisma.weComGroupSend.delete({ where: { id: row.id } });
            rejectedBy(error, 'input.ownerStaffIds', { 40058: 'input.chatIds' });
          }
          const data: Prisma.WeComGroupSendUpdateInput = { status: 'not_sent', error: `WeCom answered ${code}${code === 41048 ? ': the owner has no such groups to send to' : ''}`, settledAt: new Date() };
          await ctx.prisma.weComGroupSend.update({ where: { id: row.id }, data });
        }
      }
      return { sends: await ctx.prisma.weComGroupSend.findMany({ where: { id: { in: ids } }, orderBy: { ownerUserId: 'asc' } }) };
    },
  }),
}));
