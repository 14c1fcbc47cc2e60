// Installing (brand side): a brand's admin grants exactly the scopes a plugin asks for and gets an
// Installation with a signing secret (kept for the platform's signed calls, never shown) and an
// installation token (shown once). Upgrades whose scopes grew wait for a new grant; uninstalling
// revokes the token at once and names the journeys that use the plugin's nodes.
import { displayPrefix, hashSecret, isScope, type Prisma, type Scope } from '@courtyard/db';
import { createSigningSecret, type NodeDescription, type PluginManifest, type PluginScope } from '@courtyard/plugin-sdk';
import { type InstalledPlugin, type NodeRegistry, workspaceRegistry } from '@courtyard/runtime';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { ConflictError, CourtyardError, InputError, NotFoundError, isUniqueViolation } from './errors.ts';
import { ErrorInterface, resultUnion } from './error-types.ts';
import { generateInstallationToken } from './marketplace-auth.ts';
import { queueInstallCallback } from './marketplace-callbacks.ts';
import { apiGrantOf } from './marketplace-grants.ts';
import { PluginScopeEnum, PluginScopeInfoRef, pluginScopeEnumName } from './marketplace-scopes.ts';
import { compareVersions } from './marketplace-semver.ts';
import { findPlugin } from './marketplace.ts';
import { decodeId } from './validation.ts';

/** The workspace's active installations with the nodes of their installed versions, oldest first. */
export async function installedPlugins(ctx: Pick<Context, 'prisma'>, workspaceId: string): Promise<InstalledPlugin[]> {
  const installed = await ctx.prisma.installation.findMany({
    where: { workspaceId, status: 'active' },
    select: { id: true, versionId: true, listing: { select: { pluginId: true } }, version: { select: { manifest: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return installed.map((i) => ({ installationId: i.id, pluginId: i.listing.pluginId, versionId: i.versionId, nodes: (i.version.manifest as PluginManifest).nodes }));
}

/** The node types the workspace's installed plugins bring, at their installed versions. */
export async function installedNodeTypes(ctx: Pick<Context, 'prisma'>, workspaceId: string): Promise<NodeDescription[]> {
  return (await installedPlugins(ctx, workspaceId)).flatMap((p) => p.nodes);
}

/** The node types journeys of the workspace can use: the runtime's built-ins and its installed plugins' nodes. */
export async function journeyRegistry(ctx: Pick<Context, 'prisma' | 'runtime'>, workspaceId: string): Promise<NodeRegistry> {
  return workspaceRegistry(await installedPlugins(ctx, workspaceId), ctx.runtime.registry);
}

const InstallationStatusEnum = builder.enumType('InstallationStatus', {
  description: 'Whether an installation works.',
  values: {
    active: { value: 'active', description: 'Installed: its nodes are in the journey editor and its token works.' },
    uninstalled: { value: 'uninstalled', description: 'Uninstalled: its token is revoked and its nodes are gone from the editor.' },
  } as const,
});

interface UpgradeShape {
  versionId: string;
  addedScopes: PluginScope[];
}

const AvailableUpgradeRef = builder.objectRef<UpgradeShape>('PluginUpgrade').implement({
  description: 'A newer approved version than the installed one.',
  fields: (t) => ({
    version: t.prismaField({ type: 'PluginVersion', description: 'The newer version.', resolve: (query, u, _a, ctx) => ctx.prisma.pluginVersion.findUniqueOrThrow({ ...query, where: { id: u.versionId } }) }),
    addedScopes: t.field({ type: [PluginScopeInfoRef], description: 'Scopes it asks for beyond the granted ones.', resolve: (u) => u.addedScopes }),
    needsConsent: t.boolean({ description: 'Whether upgrading needs a new grant (it asks for more scopes); until then the installed version keeps running.', resolve: (u) => u.addedScopes.length > 0 }),
  }),
});

builder.prismaObject('PluginCall', {
  description: 'One call to the partner\'s server: a batch of customers for a node, or an installation callback. Kept for 7 days.',
  fields: (t) => ({
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the call began.' }),
    kind: t.exposeString('kind', { description: '`batch` (a node ran) or `install-callback` (the partner was told of an install, upgrade or uninstall).' }),
    nodeId: t.exposeString('nodeId', { nullable: true, description: 'The node type of a batch, e.g. acme-coupons.issue-coupon; null for a callback.' }),
    eventType: t.exposeString('eventType', { nullable: true, description: 'The callback\'s type, e.g. installation.created; null for a batch.' }),
    pluginVersion: t.exposeString('pluginVersion', { description: 'The plugin version that was called.' }),
    batchSize: t.exposeInt('batchSize', { description: 'Customers in the batch; 0 for a callback.' }),
    ok: t.exposeBoolean('ok', { description: 'Whether the partner answered with a usable result.' }),
    httpStatus: t.exposeInt('httpStatus', { nullable: true, description: 'The partner\'s last HTTP status; null when it never answered (timeout, refused address, open breaker).' }),
    latencyMs: t.exposeInt('latencyMs', { description: 'From the first attempt to the end, waits between attempts included, in ms.' }),
    attempts: t.exposeInt('attempts', { description: 'HTTP attempts made.' }),
    errorCode: t.exposeString('errorCode', { nullable: true, description: 'Why it failed: timeout, network, partner-unavailable, partner-refused, invalid-answer, circuit-open, rate-limited, endpoint-refused…; null when ok.' }),
    error: t.exposeString('error', { nullable: true, description: 'What went wrong, in English; null when ok.' }),
  }),
});

const CALL_LOG_DAYS = 7;

export const InstallationRef = builder.prismaNode('Installation', {
  id: { field: 'id' },
  nullable: true,
  description: 'A plugin installed in the workspace, with the scopes the brand granted. Its signing secret is never shown.',
  authScopes: { 'plugins:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    plugin: t.relation('listing', { description: 'The plugin.' }),
    version: t.relation('version', { description: 'The version that runs.' }),
    grantedScopes: t.field({ type: [PluginScopeInfoRef], description: 'What the brand granted; the installation token can do exactly this.', resolve: (i) => i.grantedScopes as PluginScope[] }),
    status: t.expose('status', { type: InstallationStatusEnum, description: 'Installed or uninstalled.' }),
    tokenPrefix: t.exposeString('tokenPrefix', { description: 'The first characters of the installation token, to recognise it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was installed.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it was last installed, upgraded or uninstalled.' }),
    uninstalledAt: t.expose('uninstalledAt', { type: 'DateTime', nullable: true, description: 'When it was uninstalled; null while installed.' }),
    calls: t.relatedConnection('calls', {
      cursor: 'id',
      description: `The call log: every call to the partner's server in the last ${CALL_LOG_DAYS} days, newest first.`,
      authScopes: { 'plugins:read': true },
      query: () => ({ where: { startedAt: { gte: new Date(Date.now() - CALL_LOG_DAYS * 24 * 3600 * 1000) } }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }] }),
    }),
    usedBy: t.field({
      type: [JourneyUsageRef],
      description: 'Journeys whose draft or published versions use the plugin\'s nodes: what uninstalling would leave without them.',
      select: { workspaceId: true, listing: { select: { pluginId: true } } },
      resolve: (i, _a, ctx) => journeysUsingPlugin(ctx, i.workspaceId, i.listing.pluginId),
    }),
    availableUpgrade: t.field({
      type: AvailableUpgradeRef,
      nullable: true,
      description: 'The newest approved version when it is newer than the installed one; null otherwise.',
      select: { status: true, grantedScopes: true, version: { select: { version: true } }, listing: { select: { listedVersion: { select: { id: true, version: true, scopes: true } } } } },
      resolve: (i) => {
        const listed = i.listing.listedVersion;
        if (i.status !== 'active' || !listed || compareVersions(listed.version, i.version.version) <= 0) return null;
        return { versionId: listed.id, addedScopes: listed.scopes.filter((s) => !i.grantedScopes.includes(s)) as PluginScope[] };
      },
    }),
  }),
});

/** Upgrading needs the brand to grant the scopes the new version added. Nothing changed. */
export class ConsentRequiredError extends CourtyardError {
  constructor(readonly version: string, readonly addedScopes: PluginScope[]) {
    super(`Version ${version} asks for more scopes (${addedScopes.join(', ')}): upgrade again with grantedScopes listing every scope it asks for. The installed version keeps running until then.`, 'CONSENT_REQUIRED');
  }
}

builder.objectType(ConsentRequiredError, {
  name: 'ConsentRequiredError',
  description: 'The new version asks for scopes the brand has not granted: ask the brand, then upgrade with `grantedScopes`. Nothing changed; the installed version keeps running.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConsentRequiredError,
  fields: (t) => ({
    targetVersion: t.exposeString('version', { description: 'The version asked for, e.g. 1.1.0.' }),
    addedScopes: t.field({ type: [PluginScopeInfoRef], description: 'The scopes to grant beyond those granted now.', resolve: (e) => e.addedScopes }),
  }),
});

interface InstalledShape {
  installationId: string;
  token: string;
}

const InstalledPluginRef = builder.objectRef<InstalledShape>('InstalledPlugin').implement({
  description: 'A new installation with its token.',
  fields: (t) => ({
    installation: t.prismaField({ type: 'Installation', description: 'The installation.', resolve: (query, p, _a, ctx) => ctx.prisma.installation.findUniqueOrThrow({ ...query, where: { id: p.installationId } }) }),
    token: t.exposeString('token', {
      description: 'The installation token (`cyt_…`), shown only this once: the partner\'s plugin calls the API with it, in this workspace, with exactly the granted scopes.',
    }),
  }),
});

interface JourneyUsage {
  journeyId: string;
  name: string;
  inDraft: boolean;
  publishedVersions: number[];
}

const JourneyUsageRef = builder.objectRef<JourneyUsage>('PluginJourneyUsage').implement({
  description: 'A journey that uses an uninstalled plugin\'s nodes: it cannot be published with them, and customers reaching them there are not served by the plugin.',
  fields: (t) => ({
    journey: t.prismaField({ type: 'Journey', description: 'The journey.', resolve: (query, u, _a, ctx) => ctx.prisma.journey.findUniqueOrThrow({ ...query, where: { id: u.journeyId } }) }),
    name: t.exposeString('name', { description: 'Its name.' }),
    inDraft: t.exposeBoolean('inDraft', { description: 'Whether its draft uses the plugin\'s nodes.' }),
    publishedVersions: t.exposeIntList('publishedVersions', { description: 'Its published versions that use them, oldest first.' }),
  }),
});

const UninstalledPluginRef = builder.objectRef<{ installationId: string; journeys: JourneyUsage[] }>('UninstalledPlugin').implement({
  description: 'An uninstalled plugin: its token no longer works.',
  fields: (t) => ({
    installation: t.prismaField({ type: 'Installation', description: 'The installation, now uninstalled.', resolve: (query, p, _a, ctx) => ctx.prisma.installation.findUniqueOrThrow({ ...query, where: { id: p.installationId } }) }),
    journeys: t.field({ type: [JourneyUsageRef], description: 'Journeys whose draft or published versions use the plugin\'s nodes: edit them.', resolve: (p) => p.journeys }),
  }),
});

/** Journeys of the workspace whose draft or published versions have a node of the plugin. */
export async function journeysUsingPlugin(ctx: Pick<Context, 'prisma'>, workspaceId: string, pluginId: string): Promise<JourneyUsage[]> {
  const prefix = `${pluginId.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`;
  const rows = await ctx.prisma.$queryRaw<{ id: string; name: string; inDraft: boolean; versions: number[] | null }[]>`
    SELECT j.id, j.name,
      EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j.draft->'nodes') = 'array' THEN j.draft->'nodes' ELSE '[]'::jsonb END) n
              WHERE n->>'type' LIKE ${prefix}) AS "inDraft",
      (SELECT array_agg(v.version ORDER BY v.version) FROM "JourneyVersion" v
        WHERE v."journeyId" = j.id AND EXISTS (
          SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v.definition->'nodes') = 'array' THEN v.definition->'nodes' ELSE '[]'::jsonb END) n
          WHERE n->>'type' LIKE ${prefix})) AS versions
    FROM "Journey" j WHERE j."workspaceId" = ${workspaceId}::uuid
    ORDER BY j.name`;
  return rows.filter((r) => r.inDraft || r.versions?.length).map((r) => ({ journeyId: r.id, name: r.name, inDraft: r.inDraft, publishedVersions: r.versions ?? [] }));
}

/**
 * The grant as the API scopes it hands out: exactly the requested scopes, none the caller could
 * not grant itself (an API key cannot hand a partner more than it holds).
 */
function checkGrant(ctx: Context, requested: readonly string[], granted: readonly string[] | null | undefined, path: string[]): PluginScope[] {
  const given = [...new Set(granted ?? [])];
  const missing = requested.filter((s) => !given.includes(s));
  const extra = given.filter((s) => !requested.includes(s));
  const issues = [
    ...(missing.length ? [{ path, message: `grant every scope the plugin asks for; missing: ${missing.map(pluginScopeEnumName).join(', ')}`, code: 'missing_scope' }] : []),
    ...(extra.length ? [{ path, message: `grant only the scopes the plugin asks for; not asked: ${extra.map(pluginScopeEnumName).join(', ')}`, code: 'extra_scope' }] : []),
  ];
  if (issues.length) throw new InputError(issues);
  const beyond = [...apiGrantOf(given).scopes].filter((s: Scope) => !ctx.auth!.scopes.has(s));
  if (beyond.length) throw new InputError({ path, message: `you cannot grant what you do not hold yourself: ${beyond.filter(isScope).join(', ')}`, code: 'forbidden_scope' });
  return given as PluginScope[];
}

/** An approved version of the listing: `version`, or the listed (newest approved) one. */
async function approvedVersion(ctx: Context, listing: { id: string; pluginId: string; listedVersionId: string | null }, version: string | null | undefined, path: string[]) {
  const found = version
    ? await ctx.prisma.pluginVersion.findFirst({ where: { listingId: listing.id, version: version.trim() }, select: { id: true, version: true, scopes: true, status: true } })
    : listing.listedVersionId
      ? await ctx.prisma.pluginVersion.findUnique({ where: { id: listing.listedVersionId }, select: { id: true, version: true, scopes: true, status: true } })
      : null;
  if (!found || found.status !== 'approved') {
    const approved = await ctx.prisma.pluginVersion.findMany({ where: { listingId: listing.id, status: 'approved' }, select: { version: true } });
    const list = approved.map((v) => v.version).sort((a, b) => compareVersions(b, a));
    throw new InputError({
      path,
      message: `${found ? `version ${found.version} is ${found.status}` : `${listing.pluginId} has no version ${version ?? ''}`.trim()}; installable: ${list.join(', ') || 'none'}`,
      code: 'not_installable',
    });
  }
  return found;
}

const InstallPluginInput = builder.inputType('InstallPluginInput', {
  description: 'What to install and the brand\'s consent.',
  fields: (t) => ({
    pluginId: t.id({ required: true, description: 'The plugin\'s global ID or its plugin id (acme-coupons).' }),
    version: t.string({ description: 'An approved version; default the listed (newest approved) one.' }),
    grantedScopes: t.field({ type: [PluginScopeEnum], required: true, description: 'The scopes the brand grants: exactly those the version asks for.' }),
  }),
});

const UpgradeInstallationInput = builder.inputType('UpgradeInstallationInput', {
  description: 'Which installation to move to which version, with a new grant when the version asks for more.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The installation.' }),
    version: t.string({ description: 'An approved version newer than the installed one; default the listed (newest approved) one.' }),
    grantedScopes: t.field({ type: [PluginScopeEnum], description: 'The new grant: exactly the scopes the version asks for. Needed when it asks for more than granted now.' }),
  }),
});

async function activeInstallation(ctx: Context, id: string | number, path: string[]) {
  const installationId = decodeId(String(id), 'Installation', path);
  const installation = await ctx.prisma.installation.findFirst({
    where: { id: installationId, workspaceId: ctx.workspaceId() },
    select: { id: true, status: true, grantedScopes: true, listing: { select: { id: true, pluginId: true, listedVersionId: true } }, version: { select: { version: true } } },
  });
  if (!installation) throw new NotFoundError('installation', path.join('.'), String(id));
  return installation;
}

builder.queryFields((t) => ({
  installations: t.prismaConnection({
    type: 'Installation',
    cursor: 'id',
    description: 'The workspace\'s plugin installations, newest first; uninstalled ones too unless `status` says otherwise.',
    authScopes: { 'plugins:read': true },
    args: { status: t.arg({ type: InstallationStatusEnum, description: 'Only installed, or only uninstalled ones.' }) },
    totalCount: (_c, args, ctx) => ctx.prisma.installation.count({ where: { workspaceId: ctx.workspaceId(), ...(args.status ? { status: args.status } : {}) } }),
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.installation.findMany({
        ...query,
        where: { workspaceId: ctx.workspaceId(), ...(args.status ? { status: args.status } : {}) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
  }),
}));

builder.mutationFields((t) => ({
  installPlugin: t.field({
    type: InstalledPluginRef,
    description:
      'Installs a listed plugin in the workspace: the brand grants exactly the scopes it asks for. Its nodes appear in journeyNodeTypes at once; the installation token in the result is shown only this once.',
    authScopes: { 'plugins:write': true },
    args: { input: t.arg({ type: InstallPluginInput, required: true, description: 'Plugin, version and grant.' }) },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('installing a plugin') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const ref = String(args.input.pluginId);
      const listing = await findPlugin(ctx, ref, { listedVersionId: { not: null } });
      if (!listing) throw new NotFoundError('listed plugin', 'input.pluginId', ref);
      const version = await approvedVersion(ctx, listing, args.input.version, ['input', 'version']);
      const grantedScopes = checkGrant(ctx, version.scopes, args.input.grantedScopes as string[], ['input', 'grantedScopes']);
      const token = generateInstallationToken();
      const signingSecret = createSigningSecret();
      try {
        const installationId = await ctx.prisma.$transaction(async (tx) => {
          const installation = await tx.installation.create({
            data: {
              workspaceId,
              listingId: listing.id,
              versionId: version.id,
              grantedScopes,
              signingSecret,
              tokenHash: hashSecret(token),
              tokenPrefix: displayPrefix(token),
              installedById: ctx.auth?.actor.kind === 'member' ? ctx.auth.actor.memberId : null,
            },
            select: { id: true },
          });
          await queueInstallCallback(tx, ctx, installation.id, 'installation.created', { credentials: { signingSecret, token } });
          return installation.id;
        });
        ctx.runtime.callbackQueued();
        return { installationId, token };
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`${listing.pluginId} is already installed in this workspace: upgrade it with upgradeInstallation.`, 'input.pluginId');
        throw error;
      }
    },
  }),
  upgradeInstallation: t.prismaField({
    type: 'Installation',
    description:
      'Moves an installation to a newer approved version. When that version asks for more scopes, it needs `grantedScopes` listing all of them and otherwise returns ConsentRequiredError with nothing changed (the installed version keeps running). The token stays the same and holds the new grant at once.',
    authScopes: { 'plugins:write': true },
    args: { input: t.arg({ type: UpgradeInstallationInput, required: true, description: 'Installation, version and, when needed, the new grant.' }) },
    errors: { types: [InputError, NotFoundError, ConsentRequiredError], union: resultUnion('upgrading an installation') },
    resolve: async (query, _root, args, ctx) => {
      const installation = await activeInstallation(ctx, args.input.id, ['input', 'id']);
      if (installation.status !== 'active') throw new InputError({ path: ['input', 'id'], message: 'the plugin was uninstalled: install it again', code: 'uninstalled' });
      const version = await approvedVersion(ctx, installation.listing, args.input.version, ['input', 'version']);
      if (compareVersions(version.version, installation.version.version) <= 0) {
        throw new InputError({ path: ['input', 'version'], message: `must be newer than the installed version ${installation.version.version}`, code: 'not_newer' });
      }
      const added = version.scopes.filter((s) => !installation.grantedScopes.includes(s)) as PluginScope[];
      if (added.length && !args.input.grantedScopes) throw new ConsentRequiredError(version.version, added);
      // Without new scopes the grant follows the version (it may narrow); a given grant must match it.
      const grantedScopes = args.input.grantedScopes ? checkGrant(ctx, version.scopes, args.input.grantedScopes as string[], ['input', 'grantedScopes']) : (version.scopes as PluginScope[]);
      await ctx.prisma.$transaction(async (tx) => {
        const updated = await tx.installation.updateMany({ where: { id: installation.id, status: 'active' }, data: { versionId: version.id, grantedScopes } });
        if (!updated.count) throw new InputError({ path: ['input', 'id'], message: 'the plugin was uninstalled meanwhile: install it again', code: 'uninstalled' });
        await queueInstallCallback(tx, ctx, installation.id, 'installation.upgraded', { previousVersion: installation.version.version });
      });
      ctx.runtime.callbackQueued();
      return ctx.prisma.installation.findUniqueOrThrow({ ...query, where: { id: installation.id } });
    },
  }),
  uninstallPlugin: t.field({
    type: UninstalledPluginRef,
    description:
      'Uninstalls a plugin: its installation token stops working at once and its nodes leave journeyNodeTypes. Lists the journeys whose draft or published versions use its nodes. Uninstalling again changes nothing.',
    authScopes: { 'plugins:write': true },
    args: { id: t.arg.id({ required: true, description: 'The installation.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('uninstalling a plugin') },
    resolve: async (_root, args, ctx) => {
      const installation = await activeInstallation(ctx, args.id, ['id']);
      if (installation.status === 'active') {
        const changed = await ctx.prisma.$transaction(async (tx) => {
          const updated = await tx.installation.updateMany({
            where: { id: installation.id, status: 'active' },
            data: { status: 'uninstalled', uninstalledAt: new Date() } satisfies Prisma.InstallationUpdateManyMutationInput,
          });
          if (updated.count) await queueInstallCallback(tx, ctx, installation.id, 'installation.deleted');
          return updated.count > 0;
        });
        if (changed) ctx.runtime.callbackQueued();
      }
      return { installationId: installation.id, journeys: await journeysUsingPlugin(ctx, ctx.workspaceId(), installation.listing.pluginId) };
    },
  }),
}));
