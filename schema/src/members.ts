// Members of a workspace: changing roles, removing members, and pending invitations. A workspace
// always keeps an owner, and only owners make, demote or remove owners.
import { isUuid, type Prisma, type Role } from '@courtyard/db';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { InputError, NotFoundError } from './errors.ts';
import { DeletedRef, resultUnion } from './error-types.ts';
import { RoleEnum } from './workspace.ts';

builder.prismaObject('Invitation', {
  description: 'An invitation that was sent and not yet accepted. Its token was shown once, when it was made.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ID of the invitation, used to revoke it.' }),
    email: t.exposeString('email', { description: 'The invitee\'s email.' }),
    role: t.expose('role', { type: RoleEnum, description: 'The role they get on accepting.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the invitation was made.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the token stops working.' }),
  }),
});

builder.prismaObjectField('Workspace', 'invitations', (t) =>
  t.prismaField({
    type: ['Invitation'],
    description: 'Invitations not yet accepted and not expired, newest first.',
    authScopes: { 'members:read': true },
    resolve: (query, w, _a, ctx) =>
      ctx.prisma.invitation.findMany({ ...query, where: { workspaceId: w.id, acceptedAt: null, expiresAt: { gt: new Date() } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
);

function plainId(id: string | number, what: string): string {
  const value = String(id);
  if (!isUuid(value)) throw new InputError({ path: ['id'], message: `is not ${what} ID`, code: 'invalid_id' });
  return value;
}

const callerIsOwner = (ctx: Context) => ctx.auth?.actor.kind === 'member' && ctx.auth.actor.role === 'owner';

/**
 * Runs `change` on one membership of the caller's workspace with the workspace row locked, so two
 * owners demoting each other at once cannot leave the workspace without one.
 */
async function withMembership<T>(
  ctx: Context,
  id: string | number,
  change: (tx: Prisma.TransactionClient, membership: { id: string; role: Role; owners: number }) => Promise<T>,
): Promise<T> {
  const membershipId = plainId(id, 'a membership');
  const workspaceId = ctx.workspaceId();
  return ctx.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT 1 FROM "Workspace" WHERE id = ${workspaceId}::uuid FOR UPDATE`;
    const membership = await tx.membership.findFirst({ where: { id: membershipId, workspaceId }, select: { id: true, role: true } });
    if (!membership) throw new NotFoundError('member', 'id', String(id));
    const owners = await tx.membership.count({ where: { workspaceId, role: 'owner' } });
    return change(tx, { ...membership, owners });
  });
}

builder.mutationFields((t) => ({
  changeMemberRole: t.prismaField({
    type: 'Membership',
    description: 'Gives a member another role. Only an owner makes someone an owner or changes an owner\'s role, and the last owner keeps the role.',
    authScopes: { 'members:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'ID of the membership (`workspace.members`).' }),
      role: t.arg({ type: RoleEnum, required: true, description: 'The new role.' }),
    },
    errors: { types: [InputError, NotFoundError], union: resultUnion('changing a member\'s role') },
    resolve: (query, _root, args, ctx) =>
      withMembership(ctx, args.id, async (tx, m) => {
        const role = args.role as Role;
        if ((role === 'owner' || m.role === 'owner') && !callerIsOwner(ctx) && role !== m.role) {
          throw new InputError({ path: ['role'], message: 'only an owner can make someone an owner or change an owner\'s role', code: 'forbidden_role' });
        }
        if (m.role === 'owner' && role !== 'owner' && m.owners <= 1) {
          throw new InputError({ path: ['role'], message: 'the workspace needs an owner: make another member owner first', code: 'last_owner' });
        }
        return tx.membership.update({ ...query, where: { id: m.id }, data: { role } });
      }),
  }),
  removeMember: t.field({
    type: DeletedRef,
    description: 'Removes a member from the workspace; their sessions in it stop working at once. Only an owner removes an owner, and the last owner stays.',
    authScopes: { 'members:write': true },
    args: { id: t.arg.id({ required: true, description: 'ID of the membership (`workspace.members`).' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('removing a member') },
    resolve: (_root, args, ctx) =>
      withMembership(ctx, args.id, async (tx, m) => {
        if (m.role === 'owner' && !callerIsOwner(ctx)) {
          throw new InputError({ path: ['id'], message: 'only an owner can remove an owner', code: 'forbidden_role' });
        }
        if (m.role === 'owner' && m.owners <= 1) {
          throw new InputError({ path: ['id'], message: 'the workspace needs an owner: make another member owner first', code: 'last_owner' });
        }
        await tx.membership.delete({ where: { id: m.id } });
        return { id: m.id };
      }),
  }),
  revokeInvitation: t.field({
    type: DeletedRef,
    description: 'Withdraws an invitation that was not accepted yet; its token stops working.',
    authScopes: { 'members:write': true },
    args: { id: t.arg.id({ required: true, description: 'ID of the invitation (`workspace.invitations`).' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('revoking an invitation') },
    resolve: async (_root, args, ctx) => {
      const id = plainId(args.id, 'an invitation');
      const { count } = await ctx.prisma.invitation.deleteMany({ where: { id, workspaceId: ctx.workspaceId(), acceptedAt: null } });
      if (!count) throw new NotFoundError('invitation', 'id', String(args.id));
      return { id };
    },
  }),
}));
