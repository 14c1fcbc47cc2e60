// The workspace, who is calling (viewer), its members and its API keys.
import { ALL_SCOPES, SCOPES, type Scope } from '@courtyard/db';
import { builder } from './builder.ts';

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
