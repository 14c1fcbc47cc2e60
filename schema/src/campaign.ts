// Campaigns: the campaign with its runs, deliveries, results and holdout, and the queries that
// read them. Writes are in campaign-mutations.ts; estimates and previews in campaign-audience.ts;
// live progress in campaign-subscription.ts.
import type { Db, Prisma } from '@courtyard/db';
import { campaignResults, holdoutResults, type CampaignResultRow, type HoldoutResult, type ResultsGroupBy } from '@courtyard/runtime/campaigns';
import { builder } from './builder.ts';
import { decodeId } from './validation.ts';

export const CampaignKindEnum = builder.enumType('CampaignKind', {
  description: 'How often a campaign sends.',
  values: {
    one_off: { value: 'one_off', description: 'Sent once: now (startCampaign) or at a scheduled time (scheduleCampaign).' },
    recurring: { value: 'recurring', description: 'Sent at every occurrence of its cron expression (workspace time zone), each a run of its own.' },
  } as const,
});

export const CampaignStatusEnum = builder.enumType('CampaignStatus', {
  description: 'Where a campaign is in its life.',
  values: {
    draft: { value: 'draft', description: 'Being prepared: can be edited, scheduled or started.' },
    scheduled: { value: 'scheduled', description: 'Waiting for its scheduled time or its next cron occurrence.' },
    running: { value: 'running', description: 'A run is sending (within its send windows and sender limits).' },
    paused: { value: 'paused', description: 'Nothing is sent until resumed; planned messages wait.' },
    completed: { value: 'completed', description: 'Everything was sent (one-off campaigns).' },
    cancelled: { value: 'cancelled', description: 'Stopped for good; messages not yet sent were cancelled.' },
  } as const,
});

export const CampaignRunStatusEnum = builder.enumType('CampaignRunStatus', {
  description: 'Where a run of a campaign is.',
  values: {
    running: { value: 'running', description: 'Sending.' },
    paused: { value: 'paused', description: 'Paused with its campaign.' },
    completed: { value: 'completed', description: 'Nothing left to send.' },
    cancelled: { value: 'cancelled', description: 'Cancelled with its campaign.' },
  } as const,
});

type DbDeliveryStatus = Prisma.DeliveryWhereInput['status'] & string;

/** What a client sees: planned, queued and sending are one state, "queued". */
export const DELIVERY_STATUSES = {
  queued: ['planned', 'queued', 'sending'],
  sent: ['sent'],
  delivered: ['delivered'],
  failed: ['failed'],
  skipped: ['skipped'],
  replied: ['replied'],
  clicked: ['clicked'],
  held_out: ['held_out'],
  cancelled: ['cancelled'],
} as const satisfies Record<string, readonly DbDeliveryStatus[]>;
type DeliveryStatus = keyof typeof DELIVERY_STATUSES;

export const DeliveryStatusEnum = builder.enumType('DeliveryStatus', {
  description: 'Where one message is.',
  values: {
    queued: { value: 'queued', description: 'Waiting to go: for its send window, its sender\'s limits or a retry.' },
    sent: { value: 'sent', description: 'Handed to the channel.' },
    delivered: { value: 'delivered', description: 'The channel reported it delivered (message_delivered event).' },
    failed: { value: 'failed', description: 'Could not be sent after its retries; see `error`.' },
    skipped: { value: 'skipped', description: 'Not sent on purpose (blacklisted since, no consent, frequency cap); see `error`.' },
    replied: { value: 'replied', description: 'The customer replied (message_replied event).' },
    clicked: { value: 'clicked', description: 'The customer clicked a link (message_clicked event).' },
    held_out: { value: 'held_out', description: 'In the campaign\'s control group: recorded, never sent.' },
    cancelled: { value: 'cancelled', description: 'Its campaign was cancelled before it was sent.' },
  } satisfies Record<DeliveryStatus, { value: DeliveryStatus; description: string }>,
});

const toClientStatus = (status: string): DeliveryStatus =>
  (Object.keys(DELIVERY_STATUSES) as DeliveryStatus[]).find((k) => (DELIVERY_STATUSES[k] as readonly string[]).includes(status)) ?? 'queued';

export interface DeliveryCounts {
  runId: string | null;
  total: number;
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  skipped: number;
  replied: number;
  clicked: number;
  heldOut: number;
  cancelled: number;
}

/** Counts of a campaign's deliveries by state, for one run (or the latest run when runId is null). */
export async function deliveryCounts(db: Db, workspaceId: string, campaignId: string, runId: string | null): Promise<DeliveryCounts | null> {
  const [row] = await db.query<DeliveryCounts>(
    `WITH r AS (
       SELECT id FROM "CampaignRun" WHERE "campaignId" = $1 AND "workspaceId" = $2 AND ($3::uuid IS NULL OR id = $3::uuid)
        ORDER BY number DESC LIMIT 1)
     SELECT r.id AS "runId", count(d.id)::int AS total,
            count(d.id) FILTER (WHERE d.status IN ('planned', 'queued', 'sending'))::int AS queued,
            count(d."sentAt")::int AS sent,
            count(d."deliveredAt")::int AS delivered,
            count(d.id) FILTER (WHERE d.status = 'failed')::int AS failed,
            count(d.id) FILTER (WHERE d.status = 'skipped')::int AS skipped,
            count(d."repliedAt")::int AS replied,
            count(d."clickedAt")::int AS clicked,
            count(d.id) FILTER (WHERE d.status = 'held_out')::int AS "heldOut",
            count(d.id) FILTER (WHERE d.status = 'cancelled')::int AS cancelled
       FROM r LEFT JOIN "Delivery" d ON d."campaignRunId" = r.id
      GROUP BY r.id`,
    [campaignId, workspaceId, runId],
  );
  return row ?? null;
}

export const DeliveryCountsRef = builder.objectRef<DeliveryCounts>('DeliveryCounts').implement({
  description: 'A run\'s messages by state. A message that was sent counts as sent whatever happened after (delivered, replied, clicked count it again).',
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Every message of the run, control group included.' }),
    queued: t.exposeInt('queued', { description: 'Waiting to go.' }),
    sent: t.exposeInt('sent', { description: 'Sent so far.' }),
    delivered: t.exposeInt('delivered', { description: 'Reported delivered.' }),
    failed: t.exposeInt('failed', { description: 'Failed after their retries.' }),
    skipped: t.exposeInt('skipped', { description: 'Not sent on purpose (e.g. blacklisted since the start).' }),
    replied: t.exposeInt('replied', { description: 'Replied to.' }),
    clicked: t.exposeInt('clicked', { description: 'Clicked.' }),
    heldOut: t.exposeInt('heldOut', { description: 'In the control group (never sent).' }),
    cancelled: t.exposeInt('cancelled', { description: 'Cancelled before they were sent.' }),
  }),
});

export const CampaignResultsGroupByEnum = builder.enumType('CampaignResultsGroupBy', {
  description: 'How campaign results are broken down.',
  values: {
    TOTAL: { value: 'TOTAL', description: 'One row for the whole campaign.' },
    VARIANT: { value: 'VARIANT', description: 'A row per A/B variant (key: the variant key).' },
    SENDER: { value: 'SENDER', description: 'A row per sending staff account (key: its id; null for messages without a sender).' },
    DAY: { value: 'DAY', description: 'A row per day of sending, YYYY-MM-DD in the workspace time zone (null: not sent yet).' },
  } satisfies Record<ResultsGroupBy, { value: ResultsGroupBy; description: string }>,
});

const CampaignResultRowRef = builder.objectRef<CampaignResultRow>('CampaignResultRow').implement({
  description: 'What a campaign (or a part of it) earned. Orders count for a message when paid within the attribution window after it, and it was the customer\'s last message before the order (last touch across campaigns and journeys). The control group is not included.',
  fields: (t) => ({
    key: t.exposeString('key', { nullable: true, description: 'The variant key, sender staff id or day; null for TOTAL.' }),
    planned: t.exposeInt('planned', { description: 'Messages planned (the audience without the control group and cancelled ones).' }),
    sent: t.exposeInt('sent', { description: 'Messages sent. Through WeCom: handed to WeCom and not (yet) known to have gone unsent; see the confirmation counts.' }),
    delivered: t.exposeInt('delivered', { description: 'Reported delivered.' }),
    failed: t.exposeInt('failed', { description: 'Failed.' }),
    replied: t.exposeInt('replied', { description: 'Replied to.' }),
    clicked: t.exposeInt('clicked', { description: 'Clicked.' }),
    customersOrdered: t.exposeInt('customersOrdered', { description: 'Customers with at least one attributed paid order.' }),
    orders: t.exposeInt('orders', { description: 'Attributed paid orders.' }),
    orderRate: t.exposeFloat('orderRate', { description: 'customersOrdered / sent (0 when nothing was sent).' }),
    orderAmount: t.field({ type: 'Money', description: 'Total of the attributed orders.', resolve: (r) => Math.round(r.orderAmountCents) }),
    paidAmount: t.field({ type: 'Money', description: 'Amount paid for the attributed orders.', resolve: (r) => Math.round(r.paidAmountCents) }),
    confirmationWaiting: t.exposeInt('confirmationWaiting', { description: 'WeCom mass sends handed to WeCom and waiting for the staff member to confirm them.' }),
    confirmationSent: t.exposeInt('confirmationSent', { description: 'WeCom mass sends the staff member confirmed and WeCom sent.' }),
    confirmationNotSent: t.exposeInt('confirmationNotSent', { description: 'WeCom mass sends not confirmed before their task expired.' }),
    confirmationFailed: t.exposeInt('confirmationFailed', { description: 'WeCom mass sends WeCom could not send (not a friend of the staff member, over the customer\'s receive limit).' }),
    confirmationRate: t.exposeFloat('confirmationRate', { description: 'confirmationSent / every WeCom mass send of the row (0 when the row has none).' }),
  }),
});

type Group = HoldoutResult['treatment'];
const HoldoutGroupRef = builder.objectRef<Group>('HoldoutGroup').implement({
  description: 'One side of a holdout comparison.',
  fields: (t) => ({
    customers: t.exposeInt('customers', { description: 'Customers in the group.' }),
    ordered: t.exposeInt('ordered', { description: 'Of them, who placed a paid order within the attribution window of the run\'s start.' }),
    rate: t.exposeFloat('rate', { description: 'ordered / customers.' }),
  }),
});

const HoldoutRef = builder.objectRef<HoldoutResult>('CampaignHoldout').implement({
  description: 'The control group against the rest of the audience (intent to treat): did the campaign earn orders that would not have come anyway?',
  fields: (t) => ({
    treatment: t.field({ type: HoldoutGroupRef, description: 'Everyone planned to get the message.', resolve: (h) => h.treatment }),
    control: t.field({ type: HoldoutGroupRef, description: 'The control group (held out, never sent).', resolve: (h) => h.control }),
    uplift: t.exposeFloat('uplift', { description: 'treatment.rate − control.rate (0.012 = 1.2 points).' }),
    ci95Low: t.float({ nullable: true, description: 'Lower end of the uplift\'s 95% confidence interval; null when a group is empty.', resolve: (h) => h.ci95?.[0] ?? null }),
    ci95High: t.float({ nullable: true, description: 'Upper end of the uplift\'s 95% confidence interval; null when a group is empty.', resolve: (h) => h.ci95?.[1] ?? null }),
  }),
});

const runIdArg = (id: string | number | null | undefined, path: string[]) => (id == null ? null : decodeId(String(id), 'CampaignRun', path));

export const CampaignRef = builder.prismaNode('Campaign', {
  id: { field: 'id' },
  nullable: true,
  description: 'A mass outreach task (群发任务): one message or A/B variants to an audience, in send windows, through sender staff accounts, with its results.',
  authScopes: { 'campaigns:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name, unique in the workspace.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the campaign is for.' }),
    kind: t.expose('kind', { type: CampaignKindEnum, description: 'One-off or recurring.' }),
    status: t.expose('status', { type: CampaignStatusEnum, description: 'Draft, scheduled, running, paused, completed or cancelled.' }),
    definition: t.expose('definition', {
      type: 'JSONObject',
      description: 'Audience, content (channel, variants, links), senders, send windows and attribution, with defaults filled in and ids as database ids (uuids); a draft saved incomplete holds what was written so far.',
    }),
    scheduledAt: t.expose('scheduledAt', { type: 'DateTime', nullable: true, description: 'One-off: when it is scheduled to start; null when started by hand.' }),
    cron: t.exposeString('cron', { nullable: true, description: 'Recurring: five-field cron expression in the workspace time zone, e.g. "0 10 * * *".' }),
    nextRunAt: t.expose('nextRunAt', { type: 'DateTime', nullable: true, description: 'When the scheduler starts the next run; null when none is due.' }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the scheduler could not start the last due run ("<occurrence>: <reason>"); null once a run starts.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the campaign was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the campaign last changed.' }),
    runs: t.relatedConnection('runs', {
      cursor: 'id',
      description: 'Its runs (one per sending), newest first.',
      totalCount: true,
      query: { orderBy: { number: 'desc' } },
    }),
    results: t.field({
      type: [CampaignResultRowRef],
      description: 'Planned, sent, delivered, failed, replied, clicked and attributed orders, broken down as asked.',
      args: {
        groupBy: t.arg({ type: CampaignResultsGroupByEnum, defaultValue: 'TOTAL', description: 'TOTAL (default), VARIANT, SENDER or DAY.' }),
        runId: t.arg.id({ description: 'Only this run; default every run.' }),
      },
      resolve: (c, args, ctx) =>
        campaignResults(ctx.db, { workspaceId: c.workspaceId, campaignId: c.id, runId: runIdArg(args.runId, ['runId']) }, args.groupBy ?? 'TOTAL'),
    }),
    holdout: t.field({
      type: HoldoutRef,
      nullable: true,
      description: 'The control group\'s order rate beside the audience\'s, with the uplift and its confidence interval; null without a control group.',
      args: { runId: t.arg.id({ description: 'Only this run; default every run.' }) },
      resolve: (c, args, ctx) => holdoutResults(ctx.db, { workspaceId: c.workspaceId, campaignId: c.id, runId: runIdArg(args.runId, ['runId']) }),
    }),
    progress: t.field({
      type: DeliveryCountsRef,
      nullable: true,
      description: 'The latest run\'s messages by state; null before the first run.',
      resolve: (c, _a, ctx) => deliveryCounts(ctx.db, c.workspaceId, c.id, null),
    }),
  }),
});

builder.prismaNode('CampaignRun', {
  id: { field: 'id' },
  nullable: true,
  description: 'One sending of a campaign: its audience snapshot and the definition it used (later edits do not change it).',
  authScopes: { 'campaigns:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    number: t.exposeInt('number', { description: '1 for the first run, then 2, 3 …' }),
    status: t.expose('status', { type: CampaignRunStatusEnum, description: 'Running, paused, completed or cancelled.' }),
    occurrence: t.expose('occurrence', { type: 'DateTime', description: 'The time this run is for: its scheduled or cron time, or when it was started by hand.' }),
    planned: t.exposeInt('planned', { description: 'Messages planned when the audience was snapshotted.' }),
    heldOut: t.exposeInt('heldOut', { description: 'Customers put in the control group.' }),
    definition: t.expose('definition', { type: 'JSONObject', description: 'The campaign definition as it was when the run started.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the audience was snapshotted.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it completed or was cancelled; null while open.' }),
    campaign: t.relation('campaign', { description: 'The campaign.' }),
    counts: t.field({
      type: DeliveryCountsRef,
      description: 'Its messages by state now.',
      resolve: async (r, _a, ctx) => (await deliveryCounts(ctx.db, r.workspaceId, r.campaignId, r.id))!,
    }),
  }),
});

builder.prismaNode('Delivery', {
  id: { field: 'id' },
  nullable: true,
  description: 'One message to one customer, from a campaign or a journey, with what became of it.',
  authScopes: { 'campaigns:read': true, 'journeys:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    customer: t.prismaField({
      type: 'Customer',
      description: 'The recipient.',
      // No relation (the message log keeps no foreign key); findUnique: Prisma gathers those of one page into one statement.
      resolve: (query, d, _a, ctx) => ctx.prisma.customer.findUniqueOrThrow({ ...query, where: { id: d.customerId, workspaceId: d.workspaceId } }),
    }),
    channel: t.exposeString('channel', { description: 'The channel it goes through: a channel\'s database id (Channel.channelId) or a built-in type (log).' }),
    status: t.field({ type: DeliveryStatusEnum, description: 'Queued, sent, delivered, failed, skipped, replied, clicked, held out or cancelled.', resolve: (d) => toClientStatus(d.status) }),
    variant: t.exposeString('variant', { nullable: true, description: 'The A/B variant key (campaigns).' }),
    senderStaffId: t.exposeID('senderStaffId', { nullable: true, description: 'The database id of the staff account it is sent as; null without senders.' }),
    subject: t.exposeString('subject', { nullable: true, description: 'The rendered subject, once rendered (when sent).' }),
    body: t.string({ nullable: true, description: 'The rendered text; null for a campaign message not yet sent (it is rendered when it goes).', resolve: (d) => d.body || null }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed, was skipped or waits.' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true, description: 'When it was sent.' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When it was reported delivered.' }),
    repliedAt: t.expose('repliedAt', { type: 'DateTime', nullable: true, description: 'When the customer replied.' }),
    clickedAt: t.expose('clickedAt', { type: 'DateTime', nullable: true, description: 'When the customer clicked.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was planned or queued.' }),
    run: t.prismaField({
      type: 'CampaignRun',
      nullable: true,
      description: 'The campaign run it belongs to; null for a journey message.',
      // findUnique: Prisma gathers those of one page into one statement.
      resolve: (query, d, _a, ctx) => (d.campaignRunId ? ctx.prisma.campaignRun.findUnique({ ...query, where: { id: d.campaignRunId, workspaceId: d.workspaceId } }) : null),
    }),
    campaign: t.prismaField({
      type: 'Campaign',
      nullable: true,
      description: 'The campaign it belongs to; null for a journey message.',
      resolve: (query, d, _a, ctx) => (d.campaignId ? ctx.prisma.campaign.findUnique({ ...query, where: { id: d.campaignId, workspaceId: d.workspaceId } }) : null),
    }),
  }),
});

builder.queryFields((t) => ({
  campaigns: t.prismaConnection({
    type: 'Campaign',
    cursor: 'id',
    description: 'Campaigns of the workspace, newest first.',
    authScopes: { 'campaigns:read': true },
    args: {
      status: t.arg({ type: CampaignStatusEnum, description: 'Only campaigns with this status.' }),
      search: t.arg.string({ description: 'Only campaigns whose name contains this text.' }),
    },
    totalCount: (_c, args, ctx) => ctx.prisma.campaign.count({ where: campaignsWhere(ctx.workspaceId(), args) }),
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.campaign.findMany({ ...query, where: campaignsWhere(ctx.workspaceId(), args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
  campaign: t.prismaField({
    type: 'Campaign',
    nullable: true,
    description: 'One campaign by ID; null when there is none in this workspace.',
    authScopes: { 'campaigns:read': true },
    args: { id: t.arg.id({ required: true, description: 'The campaign\'s ID.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.campaign.findFirst({ ...query, where: { id: decodeId(String(args.id), 'Campaign', ['id']), workspaceId: ctx.workspaceId() } }),
  }),
  campaignRuns: t.prismaConnection({
    type: 'CampaignRun',
    cursor: 'id',
    description: 'Runs (one per sending) of the workspace\'s campaigns, newest first; of one campaign with `campaignId`.',
    authScopes: { 'campaigns:read': true },
    args: {
      campaignId: t.arg.id({ description: 'Only this campaign\'s runs.' }),
    },
    totalCount: (_c, args, ctx) => ctx.prisma.campaignRun.count({ where: campaignRunsWhere(ctx.workspaceId(), args.campaignId) }),
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.campaignRun.findMany({ ...query, where: campaignRunsWhere(ctx.workspaceId(), args.campaignId), orderBy: [{ startedAt: 'desc' }, { id: 'desc' }] }),
  }),
  deliveries: t.prismaConnection({
    type: 'Delivery',
    cursor: 'id',
    description: 'Campaign messages of the workspace, newest first, narrowed by the filters.',
    authScopes: { 'campaigns:read': true },
    args: {
      campaignId: t.arg.id({ description: 'Only this campaign\'s messages.' }),
      runId: t.arg.id({ description: 'Only this run\'s messages.' }),
      status: t.arg({ type: DeliveryStatusEnum, description: 'Only messages in this state.' }),
      variant: t.arg.string({ description: 'Only this A/B variant (its key).' }),
      customerId: t.arg.id({ description: 'Only messages to this customer.' }),
    },
    totalCount: (_c, args, ctx) => ctx.prisma.delivery.count({ where: deliveriesWhere(ctx.workspaceId(), args) }),
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.delivery.findMany({ ...query, where: deliveriesWhere(ctx.workspaceId(), args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}));

function campaignRunsWhere(workspaceId: string, campaignId: string | number | null | undefined): Prisma.CampaignRunWhereInput {
  return { workspaceId, ...(campaignId != null ? { campaignId: decodeId(String(campaignId), 'Campaign', ['campaignId']) } : {}) };
}

function campaignsWhere(workspaceId: string, args: { status?: Prisma.CampaignWhereInput['status'] | null; search?: string | null }): Prisma.CampaignWhereInput {
  return {
    workspaceId,
    ...(args.status ? { status: args.status } : {}),
    ...(args.search ? { name: { contains: args.search, mode: 'insensitive' } } : {}),
  };
}

type DeliveriesArgs = {
  campaignId?: string | number | null;
  runId?: string | number | null;
  status?: DeliveryStatus | null;
  variant?: string | null;
  customerId?: string | number | null;
};

function deliveriesWhere(workspaceId: string, args: DeliveriesArgs): Prisma.DeliveryWhereInput {
  return {
    workspaceId,
    campaignId: args.campaignId != null ? decodeId(String(args.campaignId), 'Campaign', ['campaignId']) : { not: null },
    ...(args.runId != null ? { campaignRunId: decodeId(String(args.runId), 'CampaignRun', ['runId']) } : {}),
    ...(args.status ? { status: { in: [...DELIVERY_STATUSES[args.status]] } } : {}),
    ...(args.variant != null ? { variant: args.variant } : {}),
    ...(args.customerId != null ? { customerId: decodeId(String(args.customerId), 'Customer', ['customerId']) } : {}),
  };
}
