// Telling partners about installations: every install, upgrade, secret rotation and uninstall queues
// a signed callback in the same transaction (the runtime delivers and retries it), so a partner
// never misses one and never hears of a change that did not happen. Partners read and rotate the
// secret that signs them; brands rotate an installation's secret and token.
import type { Prisma } from '@courtyard/db';
import { displayPrefix, hashSecret } from '@courtyard/db';
import { createSigningSecret, type InstallCallback, type PluginScope } from '@courtyard/plugin-sdk';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { InputError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { generateInstallationToken, requirePartnerOwner } from './marketplace-auth.ts';
import { findPlugin } from './marketplace.ts';
import { decodeId } from './validation.ts';

/** How long batches carry a signature with the old secret after a rotation. */
export const SECRET_ROTATION_GRACE_MS = 24 * 3600 * 1000;

type Tx = Prisma.TransactionClient;

/**
 * Queues the callback of a change to an installation, inside the transaction that made it (the
 * installation as it is now). `credentials` travel only in this row until delivered.
 */
export async function queueInstallCallback(
  tx: Tx,
  ctx: Pick<Context, 'runtime'>,
  installationId: string,
  type: InstallCallback['type'],
  extra: { credentials?: { signingSecret: string; token: string }; previousVersion?: string } = {},
): Promise<void> {
  const i = await tx.installation.findUniqueOrThrow({
    where: { id: installationId },
    select: { workspaceId: true, grantedScopes: true, workspace: { select: { name: true } }, listing: { select: { pluginId: true } }, version: { select: { version: true } } },
  });
  const common = {
    installationId,
    workspace: { id: i.workspaceId, name: i.workspace.name },
    plugin: { id: i.listing.pluginId, version: i.version.version },
    scopes: i.grantedScopes as PluginScope[],
    occurredAt: new Date().toISOString(),
  };
  const credentials = extra.credentials ? { ...extra.credentials, graphqlUrl: ctx.runtime.graphqlUrl } : undefined;
  let payload: InstallCallback;
  if (type === 'installation.created' || type === 'installation.secret_rotated') payload = { type, ...common, credentials: credentials! };
  else if (type === 'installation.upgraded') payload = { type, ...common, previousVersion: extra.previousVersion!, ...(credentials ? { credentials } : {}) };
  else payload = { type, ...common };
  await tx.pluginCallback.create({ data: { workspaceId: i.workspaceId, installationId, type, payload: payload as unknown as Prisma.InputJsonValue } });
}

const PluginCallbackStatusEnum = builder.enumType('PluginCallbackStatus', {
  description: 'Where an installation callback to the partner stands.',
  values: {
    pending: { value: 'pending', description: 'Not delivered yet: it is tried again with growing waits (about 13 hours in all).' },
    delivered: { value: 'delivered', description: 'The partner\'s server took it (answered 2xx).' },
    failed: { value: 'failed', description: 'Given up after the last attempt: the partner did not take it.' },
  } as const,
});

builder.prismaObject('PluginCallback', {
  description: 'A callback telling the partner of an install, upgrade, secret rotation or uninstall, with its delivery state.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'installation.created, installation.upgraded, installation.secret_rotated or installation.deleted.' }),
    status: t.expose('status', { type: PluginCallbackStatusEnum, description: 'Pending, delivered or failed.' }),
    attempts: t.exposeInt('attempts', { description: 'Deliveries tried so far.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed, in English; null once delivered.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the change happened.' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When the partner took it; null until then.' }),
    nextAttemptAt: t.field({ type: 'DateTime', nullable: true, description: 'When it is tried next; null unless pending.', resolve: (c) => (c.status === 'pending' ? c.nextAttemptAt : null) }),
  }),
});

builder.prismaObjectField('Installation', 'callbacks', (t) =>
  t.relation('callbacks', {
    description: 'The callbacks the partner was (or is being) sent about this installation, newest first, at most 20.',
    query: () => ({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 20 }),
  }),
);

builder.mutationFields((t) => ({
  rotatePluginCallbackSecret: t.prismaField({
    type: 'PluginListing',
    description: 'Gives one of the partner\'s plugins a new callback secret; callbacks are signed with it from now on (read it from `callbackSecret`). Needs an owner\'s partner key.',
    args: { pluginId: t.arg.id({ required: true, description: 'The plugin\'s global ID or plugin id (acme-coupons).' }) },
    errors: { types: [NotFoundError], union: resultUnion('rotating a callback secret') },
    resolve: async (query, _root, args, ctx) => {
      const partner = await requirePartnerOwner(ctx, 'rotate a plugin\'s callback secret');
      const found = await findPlugin(ctx, String(args.pluginId), { partnerId: partner.partnerId });
      if (!found) throw new NotFoundError('plugin of yours', 'pluginId', String(args.pluginId));
      return ctx.prisma.pluginListing.update({ ...query, where: { id: found.id }, data: { callbackSecret: createSigningSecret() } });
    },
  }),
  rotateInstallationSecret: t.prismaField({
    type: 'Installation',
    description: `Gives an installation a new signing secret and a new token, and sends them to the partner (installation.secret_rotated). The old token stops working at once; batches are signed with the old secret too for ${SECRET_ROTATION_GRACE_MS / 3600_000} hours, so the partner keeps verifying while the callback reaches it.`,
    authScopes: { 'plugins:write': true },
    args: { id: t.arg.id({ required: true, description: 'The installation.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('rotating an installation secret') },
    resolve: async (query, _root, args, ctx) => {
      const id = decodeId(String(args.id), 'Installation', ['id']);
      const signingSecret = createSigningSecret();
      const token = generateInstallationToken();
      await ctx.prisma.$transaction(async (tx) => {
        const current = await tx.installation.findFirst({ where: { id, workspaceId: ctx.workspaceId() }, select: { status: true, signingSecret: true } });
        if (!current) throw new NotFoundError('installation', 'id', String(args.id));
        if (current.status !== 'active') throw new InputError({ path: ['id'], message: 'the plugin was uninstalled: install it again', code: 'uninstalled' });
        await tx.installation.update({
          where: { id },
          data: {
            signingSecret,
            previousSigningSecret: current.signingSecret,
            previousSecretUntil: new Date(Date.now() + SECRET_ROTATION_GRACE_MS),
            tokenHash: hashSecret(token),
            tokenPrefix: displayPrefix(token),
          },
        });
        await queueInstallCallback(tx, ctx, id, 'installation.secret_rotated', { credentials: { signingSecret, token } });
      });
      ctx.runtime.callbackQueued();
      return ctx.prisma.installation.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));
