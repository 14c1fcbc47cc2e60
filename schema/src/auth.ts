// Sign-up, login, invitations and API keys.
import {
  displayPrefix,
  generateApiKeySecret,
  generateSessionToken,
  hashPassword,
  hashSecret,
  verifyPassword,
  type PrismaClient,
  type Role,
  type Scope,
} from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import { ConflictError, InputError, InvalidCredentialsError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { decodeId, parse, zEmail, zText } from './validation.ts';
import { RoleEnum, ScopeEnum } from './workspace.ts';

const SESSION_DAYS = 30;
const INVITATION_DAYS = 7;

const zPassword = () => z.string().min(10, { message: 'must be at least 10 characters' }).max(200, { message: 'must be at most 200 characters' });

async function startSession(prisma: PrismaClient, memberId: string, workspaceId: string) {
  const token = generateSessionToken();
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await prisma.session.create({ data: { memberId, workspaceId, tokenHash: hashSecret(token), expiresAt } });
  return { token, expiresAt, memberId, workspaceId };
}

type SessionShape = Awaited<ReturnType<typeof startSession>>;

const SessionPayload = builder.objectRef<SessionShape>('SessionPayload').implement({
  description: 'A new session. Send the token as `Authorization: Bearer <token>`.',
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The session token; shown only this once.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the token stops working.' }),
    member: t.prismaField({
      type: 'Member',
      description: 'The signed-in member.',
      resolve: (query, s, _a, ctx) => ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id: s.memberId } }),
    }),
    workspace: t.prismaField({
      type: 'Workspace',
      description: 'The workspace this session acts in.',
      resolve: (query, s, _a, ctx) => ctx.prisma.workspace.findUniqueOrThrow({ ...query, where: { id: s.workspaceId } }),
    }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  description: 'A new workspace and its owner.',
  fields: (t) => ({
    workspaceName: t.string({ required: true, description: 'The brand or shop name.' }),
    name: t.string({ required: true, description: 'The owner\'s display name.' }),
    email: t.string({ required: true, description: 'The owner\'s sign-in email.' }),
    password: t.string({ required: true, description: 'At least 10 characters.' }),
    timeZone: t.string({ description: 'IANA time zone; default Asia/Shanghai.' }),
  }),
});

const zSignUp = z.object({
  workspaceName: zText(100),
  name: zText(100),
  email: zEmail(),
  password: zPassword(),
  timeZone: z
    .string()
    .refine((tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC', { message: 'is not an IANA time zone, e.g. Asia/Shanghai' })
    .nullish(),
});

const LoginInput = builder.inputType('LoginInput', {
  description: 'A member\'s credentials.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'Sign-in email.' }),
    password: t.string({ required: true, description: 'Password.' }),
    workspaceId: t.id({ description: 'Which of the member\'s workspaces to act in; default the first one joined.' }),
  }),
});

const InviteMemberInput = builder.inputType('InviteMemberInput', {
  description: 'Who to invite and with which role.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'The invitee\'s email.' }),
    role: t.field({ type: RoleEnum, required: true, description: 'The role they get on accepting. Only an owner can invite an owner.' }),
  }),
});

interface InvitationShape {
  id: string;
  email: string;
  role: Role;
  token: string | null;
  expiresAt: Date;
  addedDirectly: boolean;
}

const InvitationPayload = builder.objectRef<InvitationShape>('InvitationPayload').implement({
  description: 'An invitation. An existing member is added at once; anyone else accepts with the token.',
  fields: (t) => ({
    email: t.exposeString('email', { description: 'The invitee\'s email.' }),
    role: t.field({ type: RoleEnum, description: 'The role granted.', resolve: (i) => i.role }),
    token: t.exposeString('token', { nullable: true, description: 'The invitation token for `acceptInvitation`, shown only this once; null when the member was added directly.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the token stops working.' }),
    addedDirectly: t.exposeBoolean('addedDirectly', { description: 'True when the email already belonged to a member, who was added to the workspace at once.' }),
  }),
});

const AcceptInvitationInput = builder.inputType('AcceptInvitationInput', {
  description: 'Accepting an invitation as a new member.',
  fields: (t) => ({
    token: t.string({ required: true, description: 'The invitation token.' }),
    name: t.string({ required: true, description: 'Your display name.' }),
    password: t.string({ required: true, description: 'At least 10 characters.' }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'What the key is for.' }),
    scopes: t.field({ type: [ScopeEnum], required: true, description: 'What the key may do; at most what the caller may do.' }),
  }),
});

const CreatedApiKey = builder.objectRef<{ secret: string; apiKeyId: string }>('CreatedApiKey').implement({
  description: 'A new API key with its secret.',
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'The secret, shown only this once: store it now.' }),
    apiKey: t.prismaField({
      type: 'ApiKey',
      description: 'The stored key.',
      resolve: (query, k, _a, ctx) => ctx.prisma.apiKey.findUniqueOrThrow({ ...query, where: { id: k.apiKeyId } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: SessionPayload,
    description: 'Creates a workspace with its owner and signs the owner in. Needs no credentials.',
    args: { input: t.arg({ type: SignUpInput, required: true, description: 'The workspace and owner.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('signing up') },
    resolve: async (_root, args, ctx) => {
      const input = parse(zSignUp, args.input, ['input']);
      const existing = await ctx.prisma.member.findUnique({ where: { email: input.email }, select: { id: true } });
      if (existing) throw new ConflictError('A member with this email exists: log in and create the workspace from there, or use another email.', 'input.email');
      const passwordHash = await hashPassword(input.password);
      const member = await ctx.prisma.member.create({
        data: {
          email: input.email,
          name: input.name,
          passwordHash,
          memberships: {
            create: { role: 'owner', workspace: { create: { name: input.workspaceName, timeZone: input.timeZone ?? 'Asia/Shanghai' } } },
          },
        },
        select: { id: true, memberships: { select: { workspaceId: true } } },
      });
      return startSession(ctx.prisma, member.id, member.memberships[0]!.workspaceId);
    },
  }),
  login: t.field({
    type: SessionPayload,
    description: 'Signs a member in to one of their workspaces. Needs no credentials.',
    args: { input: t.arg({ type: LoginInput, required: true, description: 'Email, password and optionally the workspace.' }) },
    errors: { types: [InvalidCredentialsError, InputError], union: resultUnion('logging in') },
    resolve: async (_root, args, ctx) => {
      const email = args.input.email.trim().toLowerCase();
      const workspaceId = args.input.workspaceId ? decodeId(args.input.workspaceId, 'Workspace', ['input', 'workspaceId']) : null;
      const member = await ctx.prisma.member.findUnique({
        where: { email },
        select: { id: true, passwordHash: true, memberships: { select: { workspaceId: true }, orderBy: { createdAt: 'asc' } } },
      });
      // Verify a hash even for unknown emails, so timing does not tell which emails exist.
      const ok = await verifyPassword(member?.passwordHash ?? DUMMY_HASH, args.input.password);
      if (!member || !ok) throw new InvalidCredentialsError();
      const chosen = workspaceId ? member.memberships.find((m) => m.workspaceId === workspaceId) : member.memberships[0];
      if (!chosen) throw new InputError({ path: ['input', 'workspaceId'], message: 'you are not a member of this workspace', code: 'not_member' });
      return startSession(ctx.prisma, member.id, chosen.workspaceId);
    },
  }),
  logout: t.boolean({
    description: 'Ends the current member session. Returns false when called with an API key.',
    authScopes: { authenticated: true },
    resolve: async (_root, _args, ctx) => {
      const actor = ctx.auth!.actor;
      if (actor.kind !== 'member') return false;
      await ctx.prisma.session.update({ where: { id: actor.sessionId }, data: { revokedAt: new Date() } });
      return true;
    },
  }),
  switchWorkspace: t.field({
    type: SessionPayload,
    description: 'Gives the signed-in member a session in another of their workspaces (the admin\'s workspace switcher); the current session stays valid. Needs a member session.',
    authScopes: { authenticated: true },
    args: { workspaceId: t.arg.id({ required: true, description: 'One of the member\'s workspaces (`viewer.workspaces`).' }) },
    errors: { types: [InputError], union: resultUnion('switching workspace') },
    resolve: async (_root, args, ctx) => {
      const actor = ctx.auth!.actor;
      if (actor.kind !== 'member') {
        throw new InputError({ path: ['workspaceId'], message: 'an API key belongs to one workspace; sign in as a member to switch', code: 'not_member' });
      }
      const workspaceId = decodeId(args.workspaceId, 'Workspace', ['workspaceId']);
      const membership = await ctx.prisma.membership.findFirst({ where: { memberId: actor.memberId, workspaceId }, select: { id: true } });
      if (!membership) throw new InputError({ path: ['workspaceId'], message: 'you are not a member of this workspace', code: 'not_member' });
      return startSession(ctx.prisma, actor.memberId, workspaceId);
    },
  }),
  inviteMember: t.field({
    type: InvitationPayload,
    description: 'Invites a person to the workspace.',
    authScopes: { 'members:write': true },
    args: { input: t.arg({ type: InviteMemberInput, required: true, description: 'Email and role.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('inviting a member') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const email = parse(zEmail(), args.input.email, ['input', 'email']);
      const role = args.input.role as Role;
      const actor = ctx.auth!.actor;
      if (role === 'owner' && !(actor.kind === 'member' && actor.role === 'owner')) {
        throw new InputError({ path: ['input', 'role'], message: 'only an owner can invite another owner', code: 'forbidden_role' });
      }
      const existing = await ctx.prisma.member.findUnique({ where: { email }, select: { id: true, memberships: { where: { workspaceId }, select: { id: true } } } });
      if (existing?.memberships.length) throw new ConflictError('This person is already a member of the workspace.', 'input.email');
      if (existing) {
        const membership = await ctx.prisma.membership.create({ data: { workspaceId, memberId: existing.id, role } });
        return { id: membership.id, email, role, token: null, expiresAt: new Date(), addedDirectly: true };
      }
      const token = generateSessionToken().replace(/^cys_/, 'cyi_');
      const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
      const invitation = await ctx.prisma.invitation.create({
        data: { workspaceId, email, role, tokenHash: hashSecret(token), expiresAt, invitedById: actor.kind === 'member' ? actor.memberId : null },
      });
      return { id: invitation.id, email, role, token, expiresAt, addedDirectly: false };
    },
  }),
  acceptInvitation: t.field({
    type: SessionPayload,
    description: 'Creates the invited member and signs them in. Needs no credentials, only the token.',
    args: { input: t.arg({ type: AcceptInvitationInput, required: true, description: 'Token, name and password.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('accepting an invitation') },
    resolve: async (_root, args, ctx) => {
      const { name, password } = parse(z.object({ name: zText(100), password: zPassword() }), args.input, ['input']);
      const invitation = await ctx.prisma.invitation.findUnique({ where: { tokenHash: hashSecret(args.input.token) } });
      if (!invitation || invitation.acceptedAt || invitation.expiresAt < new Date()) {
        throw new InputError({ path: ['input', 'token'], message: 'the invitation is unknown, used or expired; ask for a new one', code: 'invalid_token' });
      }
      if (await ctx.prisma.member.findUnique({ where: { email: invitation.email }, select: { id: true } })) {
        throw new ConflictError('A member with this email exists: log in instead and ask to be added.', 'input.token');
      }
      const passwordHash = await hashPassword(password);
      const member = await ctx.prisma.$transaction(async (tx) => {
        await tx.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: new Date() } });
        return tx.member.create({
          data: { email: invitation.email, name, passwordHash, memberships: { create: { workspaceId: invitation.workspaceId, role: invitation.role } } },
        });
      });
      // Accepting needs no credentials, so no workspace's cached reads moved on with it: the member
      // list of the inviting workspace must show the newcomer at once.
      ctx.pubsub.publish('workspaceDataChanged', invitation.workspaceId);
      return startSession(ctx.prisma, member.id, invitation.workspaceId);
    },
  }),
  createApiKey: t.field({
    type: CreatedApiKey,
    description: 'Creates an API key. The secret is in the result and never shown again.',
    authScopes: { 'apikeys:write': true },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: 'Name and scopes.' }) },
    errors: { types: [InputError], union: resultUnion('creating an API key') },
    resolve: async (_root, args, ctx) => {
      const name = parse(zText(100), args.input.name, ['input', 'name']);
      const scopes = [...new Set(args.input.scopes as Scope[])];
      if (scopes.length === 0) throw new InputError({ path: ['input', 'scopes'], message: 'name at least one scope', code: 'too_small' });
      const beyond = scopes.filter((s) => !ctx.auth!.scopes.has(s));
      if (beyond.length) {
        throw new InputError({ path: ['input', 'scopes'], message: `you cannot grant scopes you do not hold: ${beyond.join(', ')}`, code: 'forbidden_scope' });
      }
      const secret = generateApiKeySecret();
      const key = await ctx.prisma.apiKey.create({
        data: { workspaceId: ctx.workspaceId(), name, scopes, prefix: displayPrefix(secret), secretHash: hashSecret(secret) },
        select: { id: true },
      });
      return { secret, apiKeyId: key.id };
    },
  }),
  revokeApiKey: t.prismaField({
    type: 'ApiKey',
    description: 'Revokes an API key at once. Revoking a revoked key changes nothing.',
    authScopes: { 'apikeys:write': true },
    args: { id: t.arg.id({ required: true, description: 'ID of the key.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('revoking an API key') },
    resolve: async (query, _root, args, ctx) => {
      const id = decodeApiKeyId(args.id);
      const key = await ctx.prisma.apiKey.findFirst({ where: { id, workspaceId: ctx.workspaceId() }, select: { revokedAt: true } });
      if (!key) throw new NotFoundError('API key', 'id', String(args.id));
      const revoked = await ctx.prisma.apiKey.update({ ...query, where: { id }, data: { revokedAt: key.revokedAt ?? new Date() } });
      ctx.pubsub.publish('apiKeyRevoked', id);
      return revoked;
    },
  }),
}));

// ApiKey is not a Relay node (keys are not fetched by `node`); its plain id is a uuid.
function decodeApiKeyId(id: string | number): string {
  const value = String(id);
  if (!/^[0-9a-f-]{36}$/i.test(value)) throw new InputError({ path: ['id'], message: 'is not an API key ID', code: 'invalid_id' });
  return value;
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Tn1QHtxq4FkqT4Nw6kzkUqZbVZ6mf8E+7Y0I2o3Wk8';
