// Credentials of the marketplace: partner keys (`cyp_…`, a partner's own, never a workspace's)
// and installation tokens (`cyt_…`, one workspace, the granted scopes only).
import { hashSecret, type PrismaClient } from '@courtyard/db';
import { randomBytes } from 'node:crypto';
import { GraphQLError, type DefinitionNode, type OperationDefinitionNode, type SelectionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { AuthInfo, Context } from './context.ts';
import { apiGrantOf } from './marketplace-grants.ts';

export const PARTNER_KEY_PREFIX = 'cyp_';
export const INSTALLATION_TOKEN_PREFIX = 'cyt_';

/** A partner acting through one of its keys. */
export interface PartnerAuth {
  partnerId: string;
  partnerKeyId: string;
  /** The person whose login or request made the key; null for a key of a departed member. */
  memberId: string | null;
}

export const generatePartnerKey = () => PARTNER_KEY_PREFIX + randomBytes(32).toString('base64url');
export const generateInstallationToken = () => INSTALLATION_TOKEN_PREFIX + randomBytes(32).toString('base64url');

const bearer = (authorization: string | null | undefined) => /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];

export const isPartnerCredential = (authorization: string | null | undefined) => !!bearer(authorization)?.startsWith(PARTNER_KEY_PREFIX);

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** The partner behind a `Bearer cyp_…` header; throws when the key is unknown, revoked or expired. */
export async function authenticatePartner(prisma: PrismaClient, authorization: string | null | undefined): Promise<PartnerAuth> {
  const secret = bearer(authorization);
  const key = secret
    ? await prisma.partnerKey.findUnique({ where: { secretHash: hashSecret(secret) }, select: { id: true, partnerId: true, memberId: true, revokedAt: true, expiresAt: true, lastUsedAt: true } })
    : null;
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt < new Date())) {
    throw unauthenticated('The partner key is unknown, revoked or expired: log in again with loginPartner or create a new key.');
  }
  if (!key.lastUsedAt || key.lastUsedAt.getTime() < Date.now() - 60_000) {
    void prisma.partnerKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  }
  return { partnerId: key.partnerId, partnerKeyId: key.id, memberId: key.memberId };
}

/**
 * The workspace and scopes of an installation token. Looked up on every request (one indexed
 * read), so an uninstall revokes it at once on every API node.
 */
export async function authenticateInstallation(prisma: PrismaClient, secret: string): Promise<AuthInfo> {
  const installation = await prisma.installation.findUnique({
    where: { tokenHash: hashSecret(secret) },
    select: { id: true, workspaceId: true, status: true, grantedScopes: true, listing: { select: { pluginId: true } } },
  });
  if (!installation) throw unauthenticated('The installation token is unknown.');
  if (installation.status !== 'active') throw unauthenticated('The installation token was revoked: the plugin was uninstalled from this workspace.');
  const grant = apiGrantOf(installation.grantedScopes);
  return {
    workspaceId: installation.workspaceId,
    scopes: grant.scopes,
    actor: { kind: 'installation', installationId: installation.id, pluginId: installation.listing.pluginId, mutations: grant.mutations },
  };
}

/** The calling partner; throws UNAUTHENTICATED for anyone else. */
export function requirePartner(ctx: Context): PartnerAuth {
  if (ctx.partner) return ctx.partner;
  throw new GraphQLError('This needs a partner key: send `Authorization: Bearer <partner key>` (from signUpPartner, loginPartner or createPartnerKey).', {
    extensions: { code: ctx.auth ? 'FORBIDDEN' : 'UNAUTHENTICATED' },
  });
}

/**
 * The calling partner, who must be its owner: owners manage members, keys and secrets and deprecate
 * versions; developers publish. A key made by a member who left, or by a developer, is refused.
 */
export async function requirePartnerOwner(ctx: Context, what: string): Promise<PartnerAuth> {
  const partner = requirePartner(ctx);
  const membership = partner.memberId
    ? await ctx.prisma.partnerMember.findUnique({ where: { partnerId_memberId: { partnerId: partner.partnerId, memberId: partner.memberId } }, select: { role: true } })
    : null;
  if (membership?.role === 'owner') return partner;
  throw new GraphQLError(`Only the partner's owners ${what}: ask an owner, or have one make you an owner (setPartnerMember).`, { extensions: { code: 'FORBIDDEN' } });
}

/**
 * Emails of members who operate the platform besides those flagged `platformAdmin`: the comma-separated
 * COURTYARD_PLATFORM_ADMINS, so a self-hosted install can name its first operators without editing the database.
 */
function platformAdminEmails(): Set<string> {
  return new Set((process.env.COURTYARD_PLATFORM_ADMINS ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean));
}

/** The calling platform operator's member id; throws FORBIDDEN for anyone else. */
/** Whether the caller is a member who operates the platform (reviews plugin versions). */
export async function isPlatformAdmin(ctx: Pick<Context, 'auth' | 'prisma'>): Promise<boolean> {
  const actor = ctx.auth?.actor;
  if (actor?.kind !== 'member') return false;
  const member = await ctx.prisma.member.findUnique({ where: { id: actor.memberId }, select: { platformAdmin: true, email: true } });
  return Boolean(member?.platformAdmin || (member && platformAdminEmails().has(member.email.toLowerCase())));
}

export async function requirePlatformAdmin(ctx: Context): Promise<string> {
  const actor = ctx.auth?.actor;
  if (actor?.kind === 'member' && (await isPlatformAdmin(ctx))) return actor.memberId;
  throw new GraphQLError('Only platform operators review plugin versions: sign in as a member with the platform-admin role.', {
    extensions: { code: ctx.auth || ctx.partner ? 'FORBIDDEN' : 'UNAUTHENTICATED' },
  });
}

/**
 * An installation token's writes are limited to the mutations its granted scopes list
 * (PLUGIN_SCOPE_GRANTS): refused before anything executes, naming what the token may call.
 */
export function useInstallationLimits(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const actor = (args.contextValue as unknown as Context).auth?.actor;
      if (actor?.kind !== 'installation') return;
      const operation = args.document.definitions.find(
        (d: DefinitionNode): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && (!args.operationName || d.name?.value === args.operationName),
      );
      if (operation?.operation !== 'mutation') return;
      const refused = operation.selectionSet.selections.flatMap((s: SelectionNode) => (s.kind === 'Field' && s.name.value !== '__typename' && !actor.mutations.has(s.name.value) ? [s.name.value] : []));
      if (operation.selectionSet.selections.some((s: SelectionNode) => s.kind !== 'Field')) refused.push('(fragments on Mutation)');
      if (!refused.length) return;
      const allowed = [...actor.mutations].sort();
      setResultAndStopExecution({
        errors: [
          new GraphQLError(
            `Not allowed: the installation token of ${actor.pluginId} may not call ${refused.join(', ')}. The scopes the brand granted allow ${allowed.length ? allowed.join(', ') : 'no mutations'}.`,
            { extensions: { code: 'FORBIDDEN', refused, allowedMutations: allowed } },
          ),
        ],
      });
    },
  };
}
