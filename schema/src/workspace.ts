// The workspace, who is calling (viewer), its members and its API keys.
import { ALL_SCOPES, decodeRef, SCOPES, type Prisma, type Scope } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { InputError } from './errors.ts';
import { isPlatformAdmin } from './marketplace-auth.ts';
import { resultUnion } from './error-types.ts';
import { parse, zText } from './validation.ts';

export const ScopeEnum = builder.enumType('Scope', {
  description: 'A permission held by an API key or implied by a member role.',
  values: Object.fromEntries(
    ALL_SCOPES.map((s) => [s.replace(':', '_').toUpperCase(), { value: s, description: SCOPES[s] }]),
  ) as Record<string, { value: Scope; description: string }>,
});

export const RoleEnum = builder.enumType('Role', {
  description: 'What a member may do in a workspace.',
  values: {
    owner: { value: 'owner', description: 'Everything, including inviting admins. Whoever created the workspace.' },
    admin: { value: 'admin', description: 'Everything: settings, members, API keys, customers, journeys.' },
    marketer: { value: 'marketer', description: 'Customers, tags, segments, journeys and campaigns; not members or API keys.' },
    analyst: { value: 'analyst', description: 'Reads everything a marketer can, changes nothing.' },
  } as const,
});

const NO_WORKSPACE = '00000000-0000-0000-0000-000000000000';

const FrequencyCapModeEnum = builder.enumType('FrequencyCapMode', {
  description: 'What happens to a marketing message over the daily frequency cap.',
  values: {
    delay: { value: 'delay', description: 'It waits until the next day (workspace time zone).' },
    skip: { value: 'skip', description: 'It is not sent; the journey moves on and the step records why.' },
  } as const,
});

const QuietHoursRef = builder.objectRef<{ start: string; end: string }>('QuietHours').implement({
  description: 'A daily time window, HH:mm to HH:mm in the workspace time zone; it may cross midnight (22:00–08:00).',
  fields: (t) => ({
    start: t.exposeString('start', { description: 'Start, HH:mm.' }),
    end: t.exposeString('end', { description: 'End, HH:mm.' }),
  }),
});

export const WorkspaceRef = builder.prismaNode('Workspace', {
  // A global ID of another workspace, or of nothing, makes node/nodes return null instead of failing.
  nullable: true,
  id: { field: 'id' },
  description: 'A brand\'s own space: its customers, tags, members and keys. Nothing crosses between workspaces.',
  // Fetchable by node(id) only as the caller's own workspace (and shown in sign-up/login payloads).
  findUnique: (id, ctx) => ({ id, AND: [{ id: ctx.auth?.workspaceId ?? NO_WORKSPACE }] }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The brand or shop name shown in the admin.' }),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone for send windows, quiet hours and daily statistics, e.g. Asia/Shanghai.' }),
    frequencyCapPerDay: t.exposeInt('frequencyCapPerDay', { nullable: true, description: 'At most this many marketing messages per customer per day (workspace time zone); null: no cap.' }),
    frequencyCapMode: t.expose('frequencyCapMode', { type: FrequencyCapModeEnum, description: 'What a marketing message over the cap does: wait for the next day, or skip.' }),
    quietHours: t.field({
      type: QuietHoursRef,
      nullable: true,
      description: 'Hours in which marketing messages wait (workspace time zone); null: none. A journey may set its own.',
      resolve: (w) => (w.quietHoursStart && w.quietHoursEnd ? { start: w.quietHoursStart, end: w.quietHoursEnd } : null),
    }),
    campaignExcludedTags: t.prismaField({
      type: ['Tag'],
      description: 'Risk-control tags whose customers no campaign reaches (besides the blacklisted and those without marketing consent).',
      resolve: (query, w, _a, ctx) =>
        w.campaignExcludedTagIds.length ? ctx.prisma.tag.findMany({ ...query, where: { workspaceId: w.id, id: { in: w.campaignExcludedTagIds } }, orderBy: { name: 'asc' } }) : [],
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the workspace was created.' }),
    members: t.relatedConnection('memberships', {
      cursor: 'id',
      description: 'Members of the workspace with their roles.',
      authScopes: { 'members:read': true },
      totalCount: true,
      query: { orderBy: { createdAt: 'asc' } },
    }),
    apiKeys: t.relatedConnection('apiKeys', {
      cursor: 'id',
      description: 'API keys of the workspace, newest first, including revoked ones. Secrets are never shown again.',
      authScopes: { 'apikeys:read': true },
      totalCount: true,
      query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
    }),
  }),
});

builder.prismaObject('Membership', {
  description: 'A member\'s place in a workspace.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ID of the membership.' }),
    role: t.expose('role', { type: RoleEnum, description: 'The member\'s role in this workspace.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the member joined.' }),
    member: t.relation('member', { description: 'The person.' }),
  }),
});

builder.prismaObject('Member', {
  description: 'A person who signs in to the admin.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ID of the member.' }),
    email: t.exposeString('email', { description: 'Sign-in email, lower case.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
  }),
});

builder.prismaObject('ApiKey', {
  description: 'A key a program uses to call the API. Only a hash of the secret is stored.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ID of the key, used to revoke it.' }),
    name: t.exposeString('name', { description: 'What the key is for, e.g. "Youzan order sync".' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to recognise the key.' }),
    scopes: t.field({ type: [ScopeEnum], description: 'What the key may do.', resolve: (k) => k.scopes as Scope[] }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the key was created.' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'When the key last authenticated a request (to the minute); null if never.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When the key was revoked; null while it works.' }),
  }),
});

interface ViewerShape {
  workspaceId: string;
  memberId: string | null;
  apiKeyId: string | null;
  scopes: Scope[];
}

const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  description: 'The caller: the workspace it acts in, and the member or API key behind it.',
  fields: (t) => ({
    workspace: t.prismaField({
      type: 'Workspace',
      description: 'The workspace every query and mutation of this caller acts on.',
      resolve: (query, v, _args, ctx) => ctx.prisma.workspace.findUniqueOrThrow({ ...query, where: { id: v.workspaceId } }),
    }),
    member: t.prismaField({
      type: 'Member',
      nullable: true,
      description: 'The signed-in member; null when calling with an API key.',
      resolve: (query, v, _args, ctx) => (v.memberId ? ctx.prisma.member.findUnique({ ...query, where: { id: v.memberId } }) : null),
    }),
    apiKey: t.prismaField({
      type: 'ApiKey',
      nullable: true,
      description: 'The API key of this request; null for a member session.',
      resolve: (query, v, _args, ctx) => (v.apiKeyId ? ctx.prisma.apiKey.findUnique({ ...query, where: { id: v.apiKeyId } }) : null),
    }),
    workspaces: t.prismaField({
      type: ['Workspace'],
      description: 'Every workspace the signed-in member belongs to (log in again with another to switch); just the current one for an API key.',
      resolve: (query, v, _args, ctx) =>
        ctx.prisma.workspace.findMany({
          ...query,
          where: v.memberId ? { memberships: { some: { memberId: v.memberId } } } : { id: v.workspaceId },
          orderBy: { createdAt: 'asc' },
        }),
    }),
    scopes: t.field({ type: [ScopeEnum], description: 'What this caller may do.', resolve: (v) => v.scopes }),
    platformOperator: t.boolean({
      description: 'Whether the signed-in member operates the platform: reviews partners\' plugin versions (reviewPluginVersion). False for an API key.',
      resolve: (_v, _a, ctx) => isPlatformAdmin(ctx),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: Viewer,
    description: 'Who is calling. Requires a valid API key or session.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => {
      const auth = ctx.auth!;
      return {
        workspaceId: auth.workspaceId,
        memberId: auth.actor.kind === 'member' ? auth.actor.memberId : null,
        apiKeyId: auth.actor.kind === 'apiKey' ? auth.actor.apiKeyId : null,
        scopes: ALL_SCOPES.filter((s) => auth.scopes.has(s)),
      };
    },
  }),
  workspace: t.prismaField({
    type: 'Workspace',
    description: 'The caller\'s workspace.',
    authScopes: { 'workspace:read': true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.workspace.findUniqueOrThrow({ ...query, where: { id: ctx.workspaceId() } }),
  }),
}));

const QuietHoursInput = builder.inputType('QuietHoursInput', {
  description: 'A daily window, HH:mm to HH:mm in the workspace time zone; it may cross midnight.',
  fields: (t) => ({
    start: t.string({ required: true, description: 'Start, HH:mm, e.g. 22:00.' }),
    end: t.string({ required: true, description: 'End, HH:mm, e.g. 08:00.' }),
  }),
});

const WorkspaceSettingsInput = builder.inputType('WorkspaceSettingsInput', {
  description: 'Changes to the workspace settings; omitted fields stay, null clears the nullable ones.',
  fields: (t) => ({
    name: t.string({ description: 'The brand or shop name.' }),
    timeZone: t.string({ description: 'IANA time zone, e.g. Asia/Shanghai.' }),
    frequencyCapPerDay: t.int({ description: 'At most this many marketing messages per customer per day (1–100); null removes the cap.' }),
    frequencyCapMode: t.field({ type: FrequencyCapModeEnum, description: 'What a message over the cap does.' }),
    quietHours: t.field({ type: QuietHoursInput, description: 'Hours in which marketing messages wait; null removes them.' }),
    campaignExcludedTagIds: t.idList({ description: 'Risk-control tags (IDs) whose customers no campaign reaches; replaces the list, [] or null clears it.' }),
  }),
});

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const zHHMM = z.string().regex(HHMM, { message: 'use HH:mm in 24-hour time, e.g. 22:00' });

const zWorkspaceSettings = z.object({
  name: zText(100).optional(),
  timeZone: z
    .string()
    .refine((tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC', { message: 'is not an IANA time zone, e.g. Asia/Shanghai' })
    .optional(),
  frequencyCapPerDay: z.number().int().min(1, { message: 'must be at least 1; null removes the cap' }).max(100, { message: 'must be at most 100' }).nullable().optional(),
  frequencyCapMode: z.enum(['delay', 'skip']).optional(),
  quietHours: z
    .object({ start: zHHMM, end: zHHMM })
    .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] })
    .nullable()
    .optional(),
});

/** Explicit nulls clear a field; absent keys are left out so they stay unchanged. */
function present<T extends Record<string, unknown>>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Tag IDs (global or uuid) of this workspace as uuids; each unknown one is a field error. */
async function checkTagIds(ctx: Context, workspaceId: string, ids: readonly (string | number)[]): Promise<string[]> {
  const uuids = ids.map((id) => decodeRef('Tag', String(id)));
  const found = new Set((await ctx.prisma.tag.findMany({ where: { workspaceId, id: { in: uuids.filter((u): u is string => !!u) } }, select: { id: true } })).map((t) => t.id));
  const issues = uuids.flatMap((u, i) =>
    u && found.has(u) ? [] : [{ path: ['input', 'campaignExcludedTagIds', String(i)], message: `no tag ${String(ids[i])} in this workspace`, code: 'not_found' }],
  );
  if (issues.length) throw new InputError(issues);
  return [...new Set(uuids as string[])];
}

builder.mutationFields((t) => ({
  updateWorkspace: t.prismaField({
    type: 'Workspace',
    description: 'Changes the workspace settings: name, time zone, and the messaging rules every journey and campaign follows (frequency cap, quiet hours, campaign-excluded tags).',
    authScopes: { 'workspace:write': true },
    args: { input: t.arg({ type: WorkspaceSettingsInput, required: true, description: 'The changes.' }) },
    errors: { types: [InputError], union: resultUnion('updating the workspace settings') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const input = parse(zWorkspaceSettings, present(args.input), ['input']);
      const data: Prisma.WorkspaceUpdateInput = {};
      if (input.name !== undefined) data.name = input.name;
      if (input.timeZone !== undefined) data.timeZone = input.timeZone;
      if (input.frequencyCapPerDay !== undefined) data.frequencyCapPerDay = input.frequencyCapPerDay;
      if (input.frequencyCapMode !== undefined) data.frequencyCapMode = input.frequencyCapMode;
      if (input.quietHours !== undefined) {
        data.quietHoursStart = input.quietHours?.start ?? null;
        data.quietHoursEnd = input.quietHours?.end ?? null;
      }
      if (args.input.campaignExcludedTagIds !== undefined) data.campaignExcludedTagIds = await checkTagIds(ctx, workspaceId, args.input.campaignExcludedTagIds ?? []);
      const workspace = await ctx.prisma.workspace.update({ ...query, where: { id: workspaceId }, data });
      // This node's engine reads the new rules at once; other nodes within their few seconds of cache.
      ctx.runtime.versions.forgetWorkspace(workspaceId);
      return workspace;
    },
  }),
}));
