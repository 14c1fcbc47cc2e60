// Writing campaigns: create and edit, schedule, start now, pause, resume and cancel. Every
// definition is checked against the workspace (segments, channel, senders) before it is stored,
// and a start is refused, with nothing queued, when the definition or the audience is wrong.
import type { Prisma } from '@courtyard/db';
import {
  CampaignError,
  changeCampaignState,
  checkCampaign,
  estimateAudience,
  loadAudienceSettings,
  nextOccurrence,
  parseDefinition,
  startRun,
  type AudienceEstimate,
  type CampaignAction,
} from '@courtyard/runtime/campaigns';
import { builder } from './builder.ts';
import { CampaignKindEnum, CampaignStatusEnum } from './campaign.ts';
import { AudienceEstimateRef } from './campaign-audience.ts';
import { checkedDefinition, draftDefinition, findCampaign, issuesError } from './campaign-definition.ts';
import type { Context } from './context.ts';
import { ConflictError, CourtyardError, InputError, isUniqueViolation, NotFoundError } from './errors.ts';
import { DeletedRef, ErrorInterface, resultUnion } from './error-types.ts';
import { parse, zText } from './validation.ts';

type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';

/** The campaign's status does not allow this: e.g. editing a running campaign, resuming a draft. */
export class CampaignStateError extends CourtyardError {
  constructor(message: string, readonly status: CampaignStatus) {
    super(message, 'CAMPAIGN_STATE');
  }
}

/** Nobody of the audience can be reached once the exclusions are applied; nothing was queued. */
export class EmptyAudienceError extends CourtyardError {
  readonly field = 'definition.audience.segmentIds';
  constructor(message: string, readonly estimate: AudienceEstimate | null) {
    super(message, 'EMPTY_AUDIENCE');
  }
}

builder.objectType(CampaignStateError, {
  name: 'CampaignStateError',
  description: 'The campaign\'s status does not allow this; the message says what would. Nothing changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof CampaignStateError,
  fields: (t) => ({
    status: t.field({ type: CampaignStatusEnum, description: 'The campaign\'s status now.', resolve: (e) => e.status }),
  }),
});

builder.objectType(EmptyAudienceError, {
  name: 'EmptyAudienceError',
  description: 'The audience is empty after the exclusions (exclusion segments, blacklist, consent, risk tags, frequency cap). Nothing was queued.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof EmptyAudienceError,
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The field to change: definition.audience.segmentIds.' }),
    estimate: t.field({ type: AudienceEstimateRef, nullable: true, description: 'How many customers each exclusion removed.', resolve: (e) => e.estimate }),
  }),
});

async function timeZoneOf(ctx: Context, workspaceId: string): Promise<string> {
  return (await ctx.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } })).timeZone;
}

/** The next occurrence of `cron`, or a field error on `path` when it is not a cron expression or never fires. */
function checkedNext(cron: string, timeZone: string, after: Date, path: string[]): Date {
  let next: Date | null;
  try {
    next = nextOccurrence(cron, timeZone, after);
  } catch (error) {
    throw new InputError({ path, message: `is not a cron expression (${(error as Error).message}); use five fields, e.g. "0 10 * * *" for every day at 10:00`, code: 'invalid' });
  }
  if (!next) throw new InputError({ path, message: 'never fires after now', code: 'invalid' });
  return next;
}

/** Tells progress subscribers (on every node) that a campaign changed. */
function campaignChanged(ctx: Context, workspaceId: string, campaignId: string) {
  ctx.pubsub.publish('campaignProgress', workspaceId, { campaignId });
}

const CampaignInput = builder.inputType('CampaignInput', {
  description: 'A new campaign. It starts as a draft; start it now (startCampaign) or schedule it (scheduleCampaign).',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Name, unique in the workspace (at most 100 characters).' }),
    description: t.string({ description: 'What the campaign is for (at most 500 characters).' }),
    kind: t.field({ type: CampaignKindEnum, description: 'One-off (default) or recurring.' }),
    definition: t.field({
      type: 'JSONObject',
      required: true,
      description:
        'Audience `{ segmentIds, excludeSegmentIds?, holdoutPercent? }`, content `{ channelId, variants: [{ key, weight, subject?, body }], links?, marketing? }`, `senderStaffIds?`, `windows?: [{ start, end, weekdays? }]`, `attributionHours?`. Ids may be global IDs or database ids.',
    }),
    cron: t.string({ description: 'Recurring campaigns: five-field cron expression in the workspace time zone, e.g. "0 10 * * *".' }),
    incomplete: t.boolean({
      description: 'Save an unfinished draft: the definition is stored as written (any JSON object) and checked in full when the campaign is scheduled or started. Default false: checked now.',
    }),
  }),
});

const CampaignPatch = builder.inputType('CampaignPatch', {
  description: 'Changes to a draft, scheduled or paused campaign; omitted fields stay. Runs already started keep the definition they started with.',
  fields: (t) => ({
    name: t.string({ description: 'New name.' }),
    description: t.string({ description: 'New description; null clears it.' }),
    definition: t.field({ type: 'JSONObject', description: 'The whole new definition (see CampaignInput.definition).' }),
    cron: t.string({ description: 'New cron expression (recurring campaigns); a scheduled campaign\'s next run moves with it.' }),
    kind: t.field({ type: CampaignKindEnum, description: 'Drafts only: make it one-off (its cron is dropped) or recurring (give `cron` with it).' }),
    incomplete: t.boolean({
      description: 'Drafts only: store the new definition as written, unfinished, to be checked in full when scheduled or started. Default false: checked now.',
    }),
  }),
});

interface StartPayload {
  campaignId: string;
  runId: string;
  planned: number;
  heldOut: number;
}

const StartCampaignPayload = builder.objectRef<StartPayload>('StartCampaignPayload').implement({
  description: 'A started run: its audience is snapshotted and its messages queued.',
  fields: (t) => ({
    campaign: t.prismaField({ type: 'Campaign', description: 'The campaign, now running.', resolve: (query, p, _a, ctx) => ctx.prisma.campaign.findUniqueOrThrow({ ...query, where: { id: p.campaignId } }) }),
    run: t.prismaField({ type: 'CampaignRun', description: 'The new run.', resolve: (query, p, _a, ctx) => ctx.prisma.campaignRun.findUniqueOrThrow({ ...query, where: { id: p.runId } }) }),
    planned: t.exposeInt('planned', { description: 'Messages queued.' }),
    heldOut: t.exposeInt('heldOut', { description: 'Customers put in the control group (recorded, never sent).' }),
  }),
});

const EDITABLE: CampaignStatus[] = ['draft', 'scheduled', 'paused'];

async function changeState(ctx: Context, query: { include?: Prisma.CampaignInclude; select?: Prisma.CampaignSelect }, globalId: string, action: CampaignAction) {
  const campaign = await findCampaign(ctx, globalId, ['id']);
  try {
    await changeCampaignState(ctx.db, campaign.id, action);
  } catch (error) {
    if (error instanceof CampaignError) throw new CampaignStateError(`Not possible: ${error.message}.`, campaign.status);
    throw error;
  }
  campaignChanged(ctx, campaign.workspaceId, campaign.id);
  // A cancelled campaign's WeCom tasks are withdrawn by the poller.
  if (action === 'cancel') ctx.runtime.wecomTaskChanged();
  return ctx.prisma.campaign.findUniqueOrThrow({ ...query, where: { id: campaign.id } });
}

builder.mutationFields((t) => ({
  createCampaign: t.prismaField({
    type: 'Campaign',
    description: 'Creates a campaign as a draft. Its definition is checked at once: variant weights, windows, templates, and that its segments, channel and senders exist here.',
    authScopes: { 'campaigns:write': true },
    args: { input: t.arg({ type: CampaignInput, required: true, description: 'The campaign.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('creating a campaign') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const { input } = args;
      const name = parse(zText(100), input.name, ['input', 'name']);
      const description = input.description == null ? null : parse(zText(500), input.description, ['input', 'description']);
      const kind = input.kind ?? 'one_off';
      if (kind === 'recurring' && !input.cron) throw new InputError({ path: ['input', 'cron'], message: 'a recurring campaign needs a cron expression, e.g. "0 10 * * *"', code: 'required' });
      if (kind === 'one_off' && input.cron) throw new InputError({ path: ['input', 'cron'], message: 'a one-off campaign has no cron; use kind recurring, or scheduleCampaign with a time', code: 'invalid' });
      if (input.cron) checkedNext(input.cron, await timeZoneOf(ctx, workspaceId), new Date(), ['input', 'cron']);
      const definition = input.incomplete
        ? draftDefinition(input.definition, ['input', 'definition'])
        : await checkedDefinition(ctx, workspaceId, input.definition, ['input', 'definition']);
      try {
        return await ctx.prisma.campaign.create({
          ...query,
          data: { workspaceId, name, description, kind, cron: input.cron ?? null, definition: definition as unknown as Prisma.InputJsonValue },
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`A campaign named "${name}" exists.`, 'input.name');
        throw error;
      }
    },
  }),
  updateCampaign: t.prismaField({
    type: 'Campaign',
    description: 'Edits a draft, scheduled or paused campaign. A new definition is checked like on create; runs already started keep theirs.',
    authScopes: { 'campaigns:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The campaign.' }),
      patch: t.arg({ type: CampaignPatch, required: true, description: 'The changes.' }),
    },
    errors: { types: [InputError, NotFoundError, ConflictError, CampaignStateError], union: resultUnion('updating a campaign') },
    resolve: async (query, _root, args, ctx) => {
      const campaign = await findCampaign(ctx, String(args.id), ['id']);
      if (!EDITABLE.includes(campaign.status)) throw new CampaignStateError(`A ${campaign.status} campaign cannot be edited; only draft, scheduled and paused ones can.`, campaign.status);
      const { patch } = args;
      const data: Prisma.CampaignUpdateInput = {};
      if (patch.name != null) data.name = parse(zText(100), patch.name, ['patch', 'name']);
      if (patch.description !== undefined) data.description = patch.description == null ? null : parse(zText(500), patch.description, ['patch', 'description']);
      const kind = patch.kind ?? campaign.kind;
      if (patch.kind != null && patch.kind !== campaign.kind) {
        if (campaign.status !== 'draft') throw new InputError({ path: ['patch', 'kind'], message: `only a draft changes kind; this campaign is ${campaign.status}`, code: 'invalid' });
        if (patch.kind === 'recurring' && !patch.cron) throw new InputError({ path: ['patch', 'cron'], message: 'a recurring campaign needs a cron expression, e.g. "0 10 * * *"', code: 'required' });
        data.kind = patch.kind;
        if (patch.kind === 'one_off') data.cron = null;
      }
      if (patch.cron != null) {
        if (kind !== 'recurring') throw new InputError({ path: ['patch', 'cron'], message: 'only a recurring campaign has a cron', code: 'invalid' });
        const next = checkedNext(patch.cron, await timeZoneOf(ctx, campaign.workspaceId), new Date(), ['patch', 'cron']);
        data.cron = patch.cron;
        if (campaign.status === 'scheduled') data.nextRunAt = next;
      }
      if (patch.incomplete && campaign.status !== 'draft') {
        throw new InputError({ path: ['patch', 'incomplete'], message: `only a draft may be saved incomplete; this campaign is ${campaign.status}`, code: 'invalid' });
      }
      if (patch.definition != null) {
        const definition = patch.incomplete
          ? draftDefinition(patch.definition, ['patch', 'definition'])
          : await checkedDefinition(ctx, campaign.workspaceId, patch.definition, ['patch', 'definition']);
        data.definition = definition as unknown as Prisma.InputJsonValue;
      }
      try {
        return await ctx.prisma.campaign.update({ ...query, where: { id: campaign.id }, data });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('A campaign with this name exists.', 'patch.name');
        throw error;
      }
    },
  }),
  scheduleCampaign: t.prismaField({
    type: 'Campaign',
    description: 'Schedules a draft (or reschedules a scheduled) campaign: a one-off one starts at `at`; a recurring one at each occurrence of its cron from `at` (default now).',
    authScopes: { 'campaigns:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The campaign.' }),
      at: t.arg({ type: 'DateTime', description: 'One-off: when to start, in the future (required). Recurring: occurrences after this time (default now).' }),
    },
    errors: { types: [InputError, NotFoundError, CampaignStateError], union: resultUnion('scheduling a campaign') },
    resolve: async (query, _root, args, ctx) => {
      const campaign = await findCampaign(ctx, String(args.id), ['id']);
      if (campaign.status !== 'draft' && campaign.status !== 'scheduled') {
        throw new CampaignStateError(`A ${campaign.status} campaign cannot be scheduled; only a draft or scheduled one can.`, campaign.status);
      }
      const at = args.at == null ? null : args.at instanceof Date ? args.at : (() => { throw new InputError({ path: ['at'], message: args.at.message, code: 'invalid' }); })();
      const now = new Date();
      let nextRunAt: Date;
      if (campaign.kind === 'one_off') {
        if (!at) throw new InputError({ path: ['at'], message: 'a one-off campaign needs the time to start; to send now use startCampaign', code: 'required' });
        if (at <= now) throw new InputError({ path: ['at'], message: 'must be in the future; to send now use startCampaign', code: 'invalid' });
        nextRunAt = at;
      } else {
        if (!campaign.cron) throw new InputError({ path: ['id'], message: 'the campaign has no cron; set one with updateCampaign', code: 'invalid' });
        nextRunAt = checkedNext(campaign.cron, await timeZoneOf(ctx, campaign.workspaceId), at && at > now ? at : now, ['id']);
      }
      // Problems found now (an archived segment, a sender without limits) are cheaper to fix than a run refused later.
      let definition;
      try {
        definition = parseDefinition(campaign.definition);
      } catch (error) {
        // A draft saved incomplete: say what is still missing.
        if (error instanceof CampaignError) throw issuesError(error.issues, ['definition']);
        throw error;
      }
      const issues = await checkCampaign(ctx.db.query, campaign.workspaceId, definition);
      if (issues.length) throw issuesError(issues, ['definition']);
      const updated = await ctx.prisma.campaign.update({
        ...query,
        where: { id: campaign.id },
        data: { status: 'scheduled', scheduledAt: campaign.kind === 'one_off' ? at : null, nextRunAt },
      });
      campaignChanged(ctx, campaign.workspaceId, campaign.id);
      return updated;
    },
  }),
  startCampaign: t.field({
    type: StartCampaignPayload,
    description:
      'Starts a run now: checks the definition, snapshots the audience and queues the messages, which go out in the send windows within the senders\' limits. Refused, with nothing queued, when the definition or the audience is wrong. A recurring campaign keeps its schedule; this adds a run.',
    authScopes: { 'campaigns:write': true },
    args: { id: t.arg.id({ required: true, description: 'The campaign.' }) },
    errors: { types: [InputError, NotFoundError, CampaignStateError, EmptyAudienceError], union: resultUnion('starting a campaign') },
    resolve: async (_root, args, ctx) => {
      const campaign = await findCampaign(ctx, String(args.id), ['id']);
      if (campaign.status !== 'draft' && campaign.status !== 'scheduled') {
        throw new CampaignStateError(`A ${campaign.status} campaign cannot be started; only a draft or scheduled one can${campaign.status === 'paused' ? ' (resume it instead)' : ''}.`, campaign.status);
      }
      const now = new Date();
      let run;
      try {
        run = await startRun(ctx.db, campaign.id, now, now);
      } catch (error) {
        if (!(error instanceof CampaignError)) throw error;
        if (error.code === 'INVALID_CAMPAIGN') throw issuesError(error.issues, ['definition']);
        if (error.code === 'EMPTY_AUDIENCE') {
          const settings = await loadAudienceSettings(ctx.db.query, campaign.workspaceId);
          const estimate = await estimateAudience(ctx.db.query, settings, campaign.id, parseDefinition(campaign.definition), now);
          throw new EmptyAudienceError(`${error.message}.`, estimate);
        }
        throw new CampaignStateError(`Not possible: ${error.message}.`, campaign.status);
      }
      if (!run) throw new CampaignStateError('A run for this moment exists already.', campaign.status);
      campaignChanged(ctx, campaign.workspaceId, campaign.id);
      return { campaignId: campaign.id, runId: run.id, planned: run.planned, heldOut: run.heldOut };
    },
  }),
  pauseCampaign: t.prismaField({
    type: 'Campaign',
    description: 'Pauses a running or scheduled campaign: no new messages go out (those being sent finish); scheduled runs do not start.',
    authScopes: { 'campaigns:write': true },
    args: { id: t.arg.id({ required: true, description: 'The campaign.' }) },
    errors: { types: [InputError, NotFoundError, CampaignStateError], union: resultUnion('pausing a campaign') },
    resolve: (query, _root, args, ctx) => changeState(ctx, query, String(args.id), 'pause'),
  }),
  resumeCampaign: t.prismaField({
    type: 'Campaign',
    description: 'Resumes a paused campaign: its open run sends again (running), or it waits for its schedule (scheduled).',
    authScopes: { 'campaigns:write': true },
    args: { id: t.arg.id({ required: true, description: 'The campaign.' }) },
    errors: { types: [InputError, NotFoundError, CampaignStateError], union: resultUnion('resuming a campaign') },
    resolve: (query, _root, args, ctx) => changeState(ctx, query, String(args.id), 'resume'),
  }),
  deleteCampaign: t.field({
    type: DeletedRef,
    description:
      'Deletes a draft, scheduled, completed or cancelled campaign with its runs. The messages it sent stay in the message log (Delivery, with `campaign` null), ' +
      'so frequency caps and order attribution still count them. A running or paused campaign must be cancelled first.',
    authScopes: { 'campaigns:write': true },
    args: { id: t.arg.id({ required: true, description: 'The campaign.' }) },
    errors: { types: [InputError, NotFoundError, CampaignStateError], union: resultUnion('deleting a campaign') },
    resolve: async (_root, args, ctx) => {
      const campaign = await findCampaign(ctx, String(args.id), ['id']);
      // One conditional statement: a run the scheduler starts at this moment either commits first
      // (the campaign is running: refused) or finds the campaign gone.
      const deleted = await ctx.db.query(
        `DELETE FROM "Campaign" WHERE id = $1::uuid AND "workspaceId" = $2::uuid AND status IN ('draft', 'scheduled', 'completed', 'cancelled') RETURNING id`,
        [campaign.id, campaign.workspaceId],
      );
      if (!deleted.length) {
        const now = await ctx.prisma.campaign.findUnique({ where: { id: campaign.id }, select: { status: true } });
        if (!now) throw new NotFoundError('campaign', 'id', String(args.id));
        throw new CampaignStateError(`A ${now.status} campaign cannot be deleted; cancel it first (cancelCampaign).`, now.status);
      }
      campaignChanged(ctx, campaign.workspaceId, campaign.id);
      return { id: String(args.id) };
    },
  }),
  cancelCampaign: t.prismaField({
    type: 'Campaign',
    description: 'Cancels a campaign for good: messages not yet sent are marked cancelled and no run starts again. Sent messages and results stay.',
    authScopes: { 'campaigns:write': true },
    args: { id: t.arg.id({ required: true, description: 'The campaign.' }) },
    errors: { types: [InputError, NotFoundError, CampaignStateError], union: resultUnion('cancelling a campaign') },
    resolve: (query, _root, args, ctx) => changeState(ctx, query, String(args.id), 'cancel'),
  }),
}));
