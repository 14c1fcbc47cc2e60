// WeCom mass sends as states (a campaign's tasks per staff member) and the per-customer quota
// shared by campaigns and journeys: read and change its settings, read a customer's usage.
import { loadQuotaSettings, quotaUsed, quotaWindow, type QuotaSettings } from '@courtyard/runtime';
import { journeyNodeMessages, type NodeMessageStats } from '@courtyard/runtime/journey';
import { processRateLimiter, processTokens, WeComClient } from '@courtyard/wecom';
import { z } from 'zod';
import { builder } from './builder.ts';
import { CustomerRef } from './customer.ts';
import { JourneyNodeStatsRef } from './journey-stats.ts';
import { InputError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { decodeId, parse } from './validation.ts';
import { rejectedBy, WeComRejectedError } from './wecom-errors.ts';
import { liveConnection } from './wecom-store.ts';

const MassSendStatusEnum = builder.enumType('WeComMassSendStatus', {
  description: 'Where a WeCom mass-send task stands: each staff member must confirm it in their WeCom app before anything is sent.',
  values: {
    creating: { value: 'creating', description: 'Being created; `reconciling` is true while WeCom\'s answer to the creation was lost and the task is looked for in WeCom\'s list before it is created again.' },
    waiting: { value: 'waiting', description: 'Waiting for the staff member to confirm it.' },
    sent: { value: 'sent', description: 'Every customer was sent to.' },
    partly_sent: { value: 'partly_sent', description: 'Some customers were sent to, others not (not confirmed in time, not a friend, over the receive limit).' },
    not_sent: { value: 'not_sent', description: 'Nobody was sent to: it expired unconfirmed, or WeCom could send to none.' },
  } as const,
});

builder.prismaNode('WeComMassSend', {
  id: { field: 'id' },
  description: 'One WeCom mass-send task (add_msg_template) of one staff member.',
  fields: (t) => ({
    msgid: t.exposeString('msgid', { nullable: true, description: 'WeCom\'s msgid; null while being created.' }),
    staffUserId: t.exposeString('staffUserId', { description: 'The sending staff member\'s WeCom userid.' }),
    campaign: t.prismaField({
      type: 'Campaign',
      nullable: true,
      description: 'The campaign that sent it; null for a journey\'s.',
      resolve: (query, m, _a, ctx) => (m.campaignId ? ctx.prisma.campaign.findUnique({ ...query, where: { id: m.campaignId, workspaceId: m.workspaceId } }) : null),
    }),
    journey: t.prismaField({
      type: 'Journey',
      nullable: true,
      description: 'The journey that sent it; null for a campaign\'s.',
      resolve: (query, m, _a, ctx) => (m.journeyId ? ctx.prisma.journey.findUnique({ ...query, where: { id: m.journeyId, workspaceId: m.workspaceId } }) : null),
    }),
    nodeId: t.exposeString('nodeId', { nullable: true, description: 'The journey node that sent it.' }),
    status: t.field({ type: MassSendStatusEnum, description: 'Where the task stands.', resolve: (m) => (m.status === 'uncertain' ? 'creating' : m.status) }),
    reconciling: t.boolean({
      description:
        'WeCom\'s answer to the creation was lost (a timeout or reset), so WeCom may or may not have created the task: it is looked for in WeCom\'s list (same sender, text and time) and adopted when found; it is created again only if it is not found by `reconcileUntil`. Its customers are sent nothing meanwhile.',
      resolve: (m) => m.status === 'uncertain',
    }),
    reconcileUntil: t.expose('reconcileUntil', { type: 'DateTime', nullable: true, description: 'While reconciling: when the task is created again if WeCom\'s list still does not show it (10 minutes after the lost answer by default).' }),
    recipients: t.exposeInt('recipients', { description: 'Customers in the task.' }),
    sent: t.exposeInt('sent', { description: 'Customers sent to.' }),
    notSent: t.exposeInt('notSent', { description: 'Customers not sent to because the task expired unconfirmed or was withdrawn.' }),
    failed: t.exposeInt('failed', { description: 'Customers WeCom could not send to (not a friend, over the receive limit, refused at creation).' }),
    waiting: t.int({ description: 'Customers still waiting for the staff member.', resolve: (m) => Math.max(0, m.recipients - m.sent - m.notSent - m.failed) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the task was created.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'After this, customers not yet sent to count as not sent (workspace setting, 24 h by default).' }),
    settledAt: t.expose('settledAt', { type: 'DateTime', nullable: true, description: 'When every customer\'s outcome was known.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The last problem reading the task back from WeCom.' }),
    withdrawnAt: t.expose('withdrawnAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was withdrawn (withdrawWeComMassSend, or its campaign cancelled): customers not sent by then count as not sent, and the task is cancelled in WeCom.',
    }),
  }),
});

builder.prismaObjectField('Campaign', 'wecomTasks', (t) =>
  t.prismaField({
    type: ['WeComMassSend'],
    description: 'The campaign\'s WeCom mass-send tasks, one per staff member and run, newest first, with each one\'s confirmation state.',
    authScopes: { 'campaigns:read': true },
    args: { runId: t.arg.id({ description: 'Only this run (a database id or a CampaignRun global id); default every run.' }) },
    resolve: (query, c, args, ctx) =>
      ctx.prisma.weComMassSend.findMany({
        ...query,
        where: { workspaceId: c.workspaceId, campaignId: c.id, ...(args.runId ? { campaignRunId: runUuid(String(args.runId)) } : {}) },
        orderBy: [{ createdAt: 'desc' }, { staffUserId: 'asc' }],
      }),
  }),
);

builder.queryFields((t) => ({
  wecomMassSends: t.prismaConnection({
    type: 'WeComMassSend',
    cursor: 'id',
    description: 'The workspace\'s WeCom mass-send tasks (campaigns and journeys), newest first, with each staff member\'s confirmation state.',
    authScopes: { 'wecom:read': true },
    args: {
      status: t.arg({ type: MassSendStatusEnum, description: 'Only tasks in this state.' }),
      staffUserId: t.arg.string({ description: 'Only this staff member\'s tasks (WeCom userid).' }),
    },
    totalCount: (_c, args, ctx) => ctx.prisma.weComMassSend.count({ where: massSendsWhere(ctx.workspaceId(), args) }),
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.weComMassSend.findMany({ ...query, where: massSendsWhere(ctx.workspaceId(), args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}));

function massSendsWhere(workspaceId: string, args: { status?: string | null; staffUserId?: string | null }) {
  // `creating` includes tasks being reconciled after a lost answer (stored as `uncertain`).
  const status = args.status === 'creating' ? { status: { in: ['creating' as const, 'uncertain' as const] } } : args.status ? { status: args.status as 'waiting' } : {};
  return { workspaceId, ...status, ...(args.staffUserId ? { staffUserId: args.staffUserId } : {}) };
}

function runUuid(id: string): string {
  if (/^[0-9a-f-]{36}$/i.test(id)) return id;
  const [type, raw] = Buffer.from(id, 'base64').toString('utf8').split(':');
  if (type !== 'CampaignRun' || !raw) throw new InputError([{ path: ['runId'], message: 'is not a campaign run id', code: 'invalid_id' }]);
  return raw;
}

const QuotaPeriodEnum = builder.enumType('WeComQuotaPeriod', {
  description: 'The period WeCom counts a customer\'s mass messages in (China time).',
  values: {
    day: { value: 'day', description: 'A natural day (WeCom\'s limit: 1).' },
    week: { value: 'week', description: 'A week from Monday (WeCom\'s limit: 7).' },
    month: { value: 'month', description: 'A calendar month (WeCom\'s default; limit: the days in the month).' },
  } as const,
});

const QuotaActionEnum = builder.enumType('WeComQuotaAction', {
  description: 'What a send over the quota does; either way it is reported on the message.',
  values: {
    skip: { value: 'skip', description: 'Skipped, with the reason "over WeCom quota".' },
    delay: { value: 'delay', description: 'Sent at the start of the next period.' },
  } as const,
});

const QuotaSettingsRef = builder.objectRef<QuotaSettings & { effectiveLimit: number }>('WeComQuotaSettings').implement({
  description: 'One per-customer quota of WeCom mass messages, shared by campaigns and journeys; set it as in WeCom (群发助手 → 设置群发规则).',
  fields: (t) => ({
    period: t.field({ type: QuotaPeriodEnum, description: 'The period counted in; month by default.', resolve: (s) => s.period }),
    limit: t.exposeInt('limit', { nullable: true, description: 'Messages a customer may receive per period; null: WeCom\'s own number (1 a day, 7 a week, the days in the month).' }),
    effectiveLimit: t.exposeInt('effectiveLimit', { description: 'The limit that applies in the current period.' }),
    action: t.field({ type: QuotaActionEnum, description: 'What a send over the quota does; skip by default.', resolve: (s) => s.action }),
    massSendHours: t.int({ description: 'Hours staff have to confirm a mass send before its unconfirmed customers count as not sent; 24 by default.', resolve: async (_s, _a, ctx) => (await ctx.prisma.workspace.findUniqueOrThrow({ where: { id: ctx.workspaceId() }, select: { wecomMassSendHours: true } })).wecomMassSendHours }),
  }),
});

const QuotaUsageRef = builder.objectRef<{ used: number; limit: number; periodStart: Date; periodEnd: Date; period: string }>('WeComQuotaUsage').implement({
  description: 'A customer\'s WeCom mass messages in the current period: waiting for their staff member or sent (not failed or unsent).',
  fields: (t) => ({
    period: t.field({ type: QuotaPeriodEnum, description: 'The period counted in.', resolve: (u) => u.period as QuotaSettings['period'] }),
    used: t.exposeInt('used', { description: 'Messages counted in the period.' }),
    limit: t.exposeInt('limit', { description: 'The limit in the period.' }),
    remaining: t.int({ description: 'limit − used, at least 0.', resolve: (u) => Math.max(0, u.limit - u.used) }),
    periodStart: t.expose('periodStart', { type: 'DateTime', description: 'When the period started.' }),
    periodEnd: t.expose('periodEnd', { type: 'DateTime', description: 'When the next period starts (a delayed send goes then).' }),
  }),
});

async function settingsOf(db: Parameters<typeof loadQuotaSettings>[0], workspaceId: string) {
  const settings = await loadQuotaSettings(db, workspaceId);
  return { ...settings, effectiveLimit: quotaWindow(settings, new Date()).limit };
}

builder.queryFields((t) => ({
  wecomQuotaSettings: t.field({
    type: QuotaSettingsRef,
    description: 'The workspace\'s per-customer quota of WeCom mass messages.',
    authScopes: { 'wecom:read': true },
    resolve: (_r, _a, ctx) => settingsOf(ctx.db, ctx.workspaceId()),
  }),
}));

builder.objectField(CustomerRef, 'wecomQuota', (t) =>
  t.field({
    type: QuotaUsageRef,
    description: 'The customer\'s WeCom mass messages in the current quota period (shared by campaigns and journeys).',
    authScopes: { 'wecom:read': true },
    resolve: async (c, _a, ctx) => {
      const settings = await loadQuotaSettings(ctx.db, ctx.workspaceId());
      const window = quotaWindow(settings, new Date());
      const used = (await quotaUsed(ctx.db, [c.id], window)).get(c.id) ?? 0;
      return { used, limit: window.limit, periodStart: window.start, periodEnd: window.end, period: settings.period };
    },
  }),
);

const QuotaInput = builder.inputType('WeComQuotaSettingsInput', {
  description: 'Changes to the WeCom quota; a field left out keeps its value.',
  fields: (t) => ({
    period: t.field({ type: QuotaPeriodEnum, description: 'day, week or month, as set in WeCom.' }),
    limit: t.int({ description: 'Messages per customer per period (1–31); null: WeCom\'s own number for the period.' }),
    action: t.field({ type: QuotaActionEnum, description: 'skip or delay.' }),
    massSendHours: t.int({ description: 'Hours staff have to confirm a mass send (1–168).' }),
  }),
});

const zQuota = z.object({
  period: z.enum(['day', 'week', 'month']).nullish(),
  limit: z.number().int().min(1, { message: 'must be at least 1' }).max(31, { message: 'WeCom allows at most the days in a month (31)' }).nullish(),
  action: z.enum(['skip', 'delay']).nullish(),
  massSendHours: z.number().int().min(1, { message: 'must be at least 1 hour' }).max(168, { message: 'must be at most 168 hours (7 days)' }).nullish(),
});

builder.mutationFields((t) => ({
  updateWeComQuotaSettings: t.field({
    type: QuotaSettingsRef,
    description: 'Changes the per-customer WeCom quota (and how long staff have to confirm a mass send). A limit over WeCom\'s for the period is refused on input.limit.',
    authScopes: { 'wecom:write': true },
    args: { input: t.arg({ type: QuotaInput, required: true, description: 'What to change.' }) },
    errors: { types: [InputError], union: resultUnion('updating the WeCom quota') },
    resolve: async (_r, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const input = parse(zQuota, args.input, ['input']);
      const current = await loadQuotaSettings(ctx.db, workspaceId);
      const period = input.period ?? current.period;
      const limit = args.input.limit === null ? null : (input.limit ?? (input.period && input.period !== current.period ? null : current.limit));
      const cap = { day: 1, week: 7, month: 31 }[period];
      if (limit != null && limit > cap) throw new InputError([{ path: ['input', 'limit'], message: `WeCom allows at most ${cap} a ${period}`, code: 'too_big' }]);
      await ctx.prisma.workspace.update({
        where: { id: workspaceId },
        data: { wecomQuotaPeriod: period, wecomQuotaLimit: limit, wecomQuotaAction: input.action ?? current.action, ...(input.massSendHours ? { wecomMassSendHours: input.massSendHours } : {}) },
      });
      return settingsOf(ctx.db, workspaceId);
    },
  }),
}));

const NodeMessagesRef = builder.objectRef<NodeMessageStats>('JourneyNodeMessages').implement({
  description: 'A journey node\'s messages by state, with WeCom confirmations and sends held back by the WeCom quota.',
  fields: (t) => ({
    queued: t.exposeInt('queued', { description: 'Waiting to be sent (a send delayed to the next quota period included).' }),
    sent: t.exposeInt('sent', { description: 'Sent (through WeCom: handed over and not known to have gone unsent).' }),
    failed: t.exposeInt('failed', { description: 'Failed, WeCom mass sends not sent or refused included.' }),
    skipped: t.exposeInt('skipped', { description: 'Skipped (e.g. over the WeCom quota).' }),
    overWeComQuota: t.exposeInt('overWeComQuota', { description: 'Skipped or delayed because the customer was over the WeCom quota.' }),
    confirmationWaiting: t.exposeInt('confirmationWaiting', { description: 'WeCom mass sends waiting for their staff member.' }),
    confirmationSent: t.exposeInt('confirmationSent', { description: 'WeCom mass sends confirmed and sent.' }),
    confirmationNotSent: t.exposeInt('confirmationNotSent', { description: 'WeCom mass sends not confirmed before they expired.' }),
    confirmationFailed: t.exposeInt('confirmationFailed', { description: 'WeCom mass sends WeCom could not send.' }),
  }),
});

builder.objectField(JourneyNodeStatsRef, 'messages', (t) =>
  t.field({
    type: NodeMessagesRef,
    description: 'The node\'s messages by state (all zero for a node that sends none).',
    resolve: (s, _a, ctx) => journeyNodeMessages(ctx.db, s.journeyId, s.nodeId),
  }),
);

const ConfirmationEnum = builder.enumType('WeComConfirmation', {
  description: 'Whether the staff member sent a WeCom mass message to this customer.',
  values: {
    waiting: { value: 'waiting', description: 'The staff member has not confirmed the task yet.' },
    sent: { value: 'sent', description: 'Sent.' },
    not_sent: { value: 'not_sent', description: 'The task expired before the staff member sent it.' },
    failed: { value: 'failed', description: 'WeCom could not send: not a friend of the staff member, or over the customer\'s receive limit (see error).' },
  } as const,
});

builder.prismaObjectFields('Delivery', (t) => ({
  wecomConfirmation: t.expose('confirmation', { type: ConfirmationEnum, nullable: true, description: 'For a WeCom mass send: whether its staff member sent it; null for other channels.' }),
}));

builder.mutationFields((t) => ({
  remindWeComMassSend: t.prismaField({
    type: 'WeComMassSend',
    description: 'Reminds the task\'s staff member in their WeCom app to confirm it (remind_groupmsg_send; WeCom allows 3 reminders a task in 24 h). Only a task still waiting can be reminded.',
    authScopes: { 'wecom:write': true },
    args: { id: t.arg.id({ required: true, description: 'The task (WeComMassSend) id.' }) },
    errors: { types: [InputError, NotFoundError, WeComRejectedError], union: resultUnion('reminding a WeCom mass send') },
    resolve: async (query, _r, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const id = decodeId(String(args.id), 'WeComMassSend', ['id']);
      const task = await ctx.prisma.weComMassSend.findFirst({ where: { id, workspaceId } });
      if (!task) throw new NotFoundError('WeCom mass send', 'id', String(args.id));
      if (task.status !== 'waiting' || !task.msgid) throw new InputError([{ path: ['id'], message: `the task is ${task.status}; only a task waiting for its staff member can be reminded`, code: 'invalid_state' }]);
      const conn = await liveConnection(ctx.db, workspaceId);
      if (!conn) throw new InputError([{ path: ['id'], message: 'WeCom is not connected in this workspace', code: 'not_connected' }]);
      // WeCom answers a fourth reminder with 45009 (the stand-in's reading): tell the caller at once
      // rather than wait out a rate-limit block inside the request.
      const { corpId, agentSecret, baseUrl } = conn.connection;
      const client = new WeComClient({ corpId, secret: agentSecret, ...(baseUrl ? { baseUrl } : {}), tokens: processTokens, rateLimiter: processRateLimiter, rateLimitWaits: 0 });
      try {
        await client.call('externalcontact/remind_groupmsg_send', { msgid: task.msgid });
      } catch (error) {
        rejectedBy(error, 'id');
      }
      return ctx.prisma.weComMassSend.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  withdrawWeComMassSend: t.prismaField({
    type: 'WeComMassSend',
    description:
      'Withdraws a task still waiting for its staff member: the poller reads it back at once (withdrawnAt is set; the status follows), customers already sent stay sent, the others count as not sent ' +
      '(their journeys take the "not sent" way), and the task is cancelled in WeCom (cancel_groupmsg_send) so the staff member can no longer send it. ' +
      'A task whose creation\'s answer was lost is withdrawn by cancelling its campaign.',
    authScopes: { 'wecom:write': true },
    args: { id: t.arg.id({ required: true, description: 'The task (WeComMassSend) id.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('withdrawing a WeCom mass send') },
    resolve: async (query, _r, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const id = decodeId(String(args.id), 'WeComMassSend', ['id']);
      const [task] = await ctx.db.query<{ id: string }>(
        `UPDATE "WeComMassSend" SET "withdrawnAt" = now(), "expiresAt" = LEAST("expiresAt", now()), "nextPollAt" = now()
          WHERE id = $1::uuid AND "workspaceId" = $2::uuid AND status = 'waiting' AND msgid IS NOT NULL RETURNING id`,
        [id, workspaceId],
      );
      if (!task) {
        const now = await ctx.prisma.weComMassSend.findFirst({ where: { id, workspaceId }, select: { status: true } });
        if (!now) throw new NotFoundError('WeCom mass send', 'id', String(args.id));
        const state = now.status === 'uncertain' ? 'being created (its answer was lost); cancel its campaign to withdraw it' : now.status;
        throw new InputError([{ path: ['id'], message: `the task is ${state}; only a task waiting for its staff member can be withdrawn`, code: 'invalid_state' }]);
      }
      // The poller reads it back now: `withdrawnAt` is set here, the outcome follows in a moment.
      ctx.runtime.wecomTaskChanged();
      return ctx.prisma.weComMassSend.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));
