// The marketplace as brands see it: listed plugins (only approved versions), a plugin's page data
// (versions, changelog, requested scopes in plain words, install count). Partners see their own
// plugins in full through the same types.
import { decodeRef, type Prisma } from '@courtyard/db';
import type { PluginManifest, PluginScope } from '@courtyard/plugin-sdk';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { LocalizedTextRef, NodeTypeRef } from './journey-node-types.ts';
import { PluginScopeInfoRef } from './marketplace-scopes.ts';

const NONE = '00000000-0000-0000-0000-000000000000';
/** Versions every brand may see: the approved ones and those deprecated after approval. */
export const PUBLIC_STATUSES = ['approved', 'deprecated'] as const;

/** Which versions of a plugin the caller sees: all of them for its partner, the public ones for anyone else. */
export function visibleVersions(ctx: Context): Prisma.PluginVersionWhereInput {
  return { OR: [{ status: { in: [...PUBLIC_STATUSES] } }, { listing: { partnerId: ctx.partner?.partnerId ?? NONE } }] };
}

/** A plugin the caller may see: listed, or its own partner's. */
export function visiblePlugins(ctx: Context): Prisma.PluginListingWhereInput {
  return { OR: [{ listedVersionId: { not: null } }, { partnerId: ctx.partner?.partnerId ?? NONE }] };
}

export const PluginVersionStatusEnum = builder.enumType('PluginVersionStatus', {
  description: 'Where a plugin version is in review. Only approved versions are listed and installable.',
  values: {
    submitted: { value: 'submitted', description: 'Waiting for a platform operator\'s review.' },
    approved: { value: 'approved', description: 'Listed: brands may install it.' },
    rejected: { value: 'rejected', description: 'Not listed; `rejectionReason` says why. Publish a new version to try again.' },
    deprecated: { value: 'deprecated', description: 'No new installs or upgrades to it; installations on it keep running.' },
  } as const,
});

const PublisherRef = builder.objectRef<PluginManifest['publisher']>('PluginPublisher').implement({
  description: 'Who made a plugin, as its manifest says.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Publisher name.' }),
    url: t.exposeString('url', { nullable: true, description: 'Publisher website.' }),
    email: t.exposeString('email', { nullable: true, description: 'Publisher email.' }),
  }),
});

const SupportRef = builder.objectRef<NonNullable<PluginManifest['support']>>('PluginSupport').implement({
  description: 'Where brands get help with a plugin.',
  fields: (t) => ({
    email: t.exposeString('email', { nullable: true, description: 'Support email.' }),
    url: t.exposeString('url', { nullable: true, description: 'Support page.' }),
  }),
});

const manifestOf = (v: { manifest: unknown }) => v.manifest as PluginManifest;

export const PluginVersionRef = builder.prismaNode('PluginVersion', {
  id: { field: 'id' },
  nullable: true,
  description: 'One published version of a plugin: its manifest never changes. Brands see the approved (and deprecated) ones; the partner sees all of its own.',
  findUnique: (id, ctx) => ({ id, AND: [visibleVersions(ctx)] }),
  fields: (t) => ({
    version: t.exposeString('version', { description: 'Semantic version, e.g. 1.2.0.' }),
    status: t.expose('status', { type: PluginVersionStatusEnum, description: 'Review state.' }),
    rejectionReason: t.exposeString('rejectionReason', { nullable: true, description: 'Why an operator rejected it; null otherwise.' }),
    changelog: t.exposeString('changelog', { description: 'What changed since the previous version, as the partner wrote it (may be empty).' }),
    scopes: t.field({ type: [PluginScopeInfoRef], description: 'The scopes it asks the brand to grant, in plain words.', resolve: (v) => v.scopes as PluginScope[] }),
    addedScopes: t.field({ type: [PluginScopeInfoRef], description: 'Scopes the previous approved version did not ask for: upgrading to this version needs the brand\'s consent to them.', resolve: (v) => v.addedScopes as PluginScope[] }),
    scopesGrew: t.boolean({ description: 'Whether it asks for more scopes than the previous approved version (then an upgrade needs a new grant).', resolve: (v) => v.addedScopes.length > 0 }),
    nodes: t.field({ type: [NodeTypeRef], description: 'The triggers, conditions and actions it brings, as the journey editor shows them.', resolve: (v) => manifestOf(v).nodes }),
    manifest: t.field({ type: 'JSONObject', description: 'The manifest as published (@courtyard/plugin-sdk PluginManifest).', resolve: (v) => v.manifest }),
    publishedAt: t.expose('createdAt', { type: 'DateTime', description: 'When the partner published it.' }),
    reviewedAt: t.expose('reviewedAt', { type: 'DateTime', nullable: true, description: 'When an operator approved or rejected it; null while submitted.' }),
    deprecatedAt: t.expose('deprecatedAt', { type: 'DateTime', nullable: true, description: 'When it was deprecated; null otherwise.' }),
    plugin: t.relation('listing', { description: 'The plugin it is a version of.' }),
  }),
});

export const PluginRef = builder.prismaNode('PluginListing', {
  name: 'Plugin',
  id: { field: 'id' },
  nullable: true,
  description: 'A plugin in the marketplace: a partner\'s triggers, conditions and actions. Its texts come from the listed version (for its partner, from the newest one until one is approved).',
  findUnique: (id, ctx) => ({ id, AND: [visiblePlugins(ctx)] }),
  fields: (t) => {
    // The manifest shown: the listed version's, else (the partner's own unlisted plugin) the newest one.
    const current = {
      select: {
        listedVersion: { select: { manifest: true } },
        versions: { select: { manifest: true }, orderBy: [{ createdAt: 'desc' as const }], take: 1 },
      },
    };
    const shown = (p: { listedVersion: { manifest: unknown } | null; versions: { manifest: unknown }[] }) => manifestOf(p.listedVersion ?? p.versions[0]!);
    return {
      pluginId: t.exposeString('pluginId', { description: 'The manifest\'s plugin id, e.g. acme-coupons; its node types are named `<pluginId>.<node>`.' }),
      name: t.field({ type: LocalizedTextRef, description: 'Name (zh-CN and en).', ...current, resolve: (p) => shown(p).name }),
      description: t.field({ type: LocalizedTextRef, description: 'What it does (zh-CN and en).', ...current, resolve: (p) => shown(p).description }),
      icon: t.string({ description: 'Icon: a lucide icon name or an https URL.', ...current, resolve: (p) => shown(p).icon }),
      categories: t.stringList({ description: 'Marketplace categories, e.g. coupons, crm.', ...current, resolve: (p) => shown(p).categories }),
      publisher: t.field({ type: PublisherRef, description: 'Who made it.', ...current, resolve: (p) => shown(p).publisher }),
      support: t.field({ type: SupportRef, nullable: true, description: 'Where to get help; null when the manifest names none.', ...current, resolve: (p) => shown(p).support ?? null }),
      requestedScopes: t.field({
        type: [PluginScopeInfoRef],
        description: 'What installing it asks the brand to grant (the listed version\'s scopes), in plain words.',
        ...current,
        resolve: (p) => shown(p).scopes,
      }),
      listed: t.boolean({ description: 'Whether brands can find and install it (it has an approved version).', resolve: (p) => p.listedVersionId !== null }),
      callbackSecret: t.string({
        nullable: true,
        description: 'The secret (`whsec_…`) that signs installation callbacks to this plugin\'s server: only its own partner sees it (null for anyone else). Rotate it with rotatePluginCallbackSecret.',
        resolve: (p, _a, ctx) => (ctx.partner && ctx.partner.partnerId === p.partnerId ? p.callbackSecret : null),
      }),
      listedVersion: t.relation('listedVersion', { nullable: true, description: 'The newest approved version: what a new installation gets. Null: not listed.' }),
      versions: t.relation('versions', {
        description: 'Versions, newest first, with their changelogs: the approved and deprecated ones (the partner sees all of its own).',
        query: (_args, ctx) => ({ where: visibleVersions(ctx), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      }),
      installCount: t.relationCount('installations', { description: 'In how many workspaces it is installed now.', where: { status: 'active' } }),
      installation: t.prismaField({
        type: 'Installation',
        nullable: true,
        description: 'The caller\'s workspace\'s installation of it; null when not installed (or not asked by a workspace).',
        resolve: (query, p, _a, ctx) =>
          ctx.auth ? ctx.prisma.installation.findFirst({ ...query, where: { workspaceId: ctx.auth.workspaceId, listingId: p.id, status: 'active' } }) : null,
      }),
      createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When its first version was published.' }),
    };
  },
});

const LocaleEnum = builder.enumType('Locale', {
  description: 'A language of the admin.',
  values: { zh_CN: { value: 'zh-CN', description: 'Simplified Chinese.' }, en: { value: 'en', description: 'English.' } } as const,
});

function marketplaceWhere(args: { search?: string | null; category?: string | null; language?: 'zh-CN' | 'en' | null }): Prisma.PluginListingWhereInput {
  const search = args.search?.trim();
  const inZh: Prisma.PluginListingWhereInput = { searchZh: { contains: search, mode: 'insensitive' } };
  const inEn: Prisma.PluginListingWhereInput = { searchEn: { contains: search, mode: 'insensitive' } };
  return {
    listedVersionId: { not: null },
    ...(args.category ? { categories: { has: args.category.trim() } } : {}),
    ...(search ? (args.language === 'zh-CN' ? inZh : args.language === 'en' ? inEn : { OR: [inZh, inEn, { pluginId: { contains: search, mode: 'insensitive' } }] }) : {}),
  };
}

/** A plugin by global ID or by its manifest id (acme-coupons), as the caller may see it. */
export async function findPlugin(ctx: Context, ref: string, extra: Prisma.PluginListingWhereInput = {}) {
  const uuid = decodeRef('Plugin', ref);
  const where: Prisma.PluginListingWhereInput = uuid ? { id: uuid } : { pluginId: ref };
  return ctx.prisma.pluginListing.findFirst({ where: { AND: [where, visiblePlugins(ctx), extra] }, select: { id: true, pluginId: true, partnerId: true, listedVersionId: true } });
}

builder.queryFields((t) => ({
  marketplace: t.prismaConnection({
    type: 'PluginListing',
    cursor: 'id',
    description: 'Plugins brands can install (those with an approved version), newest first.',
    authScopes: { 'plugins:read': true },
    args: {
      search: t.arg.string({ description: 'Only plugins whose name, description or plugin id contains this text (case-insensitive).' }),
      category: t.arg.string({ description: 'Only plugins in this category, e.g. coupons.' }),
      language: t.arg({ type: LocaleEnum, description: 'Match `search` against the texts of this language only; default both.' }),
    },
    totalCount: (_c, args, ctx) => ctx.prisma.pluginListing.count({ where: marketplaceWhere(args) }),
    resolve: (query, _root, args, ctx) => ctx.prisma.pluginListing.findMany({ ...query, where: marketplaceWhere(args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
  marketplaceCategories: t.stringList({
    description: 'The categories of listed plugins, in alphabetical order, for the marketplace filter.',
    authScopes: { 'plugins:read': true },
    resolve: async (_root, _args, ctx) => {
      const rows = await ctx.prisma.$queryRaw<{ category: string }[]>`SELECT DISTINCT unnest(categories) AS category FROM "PluginListing" WHERE "listedVersionId" IS NOT NULL ORDER BY 1`;
      return rows.map((r) => r.category);
    },
  }),
  plugin: t.prismaField({
    type: 'PluginListing',
    nullable: true,
    description: 'A plugin\'s page: by global ID or plugin id (acme-coupons). Null when it is not listed (a partner also sees its own unlisted ones). Needs plugins:read or a partner key.',
    args: { id: t.arg.id({ required: true, description: 'The plugin\'s global ID or its manifest id.' }) },
    authScopes: (_root, _args, ctx) => (ctx.partner ? true : { 'plugins:read': true }),
    resolve: async (query, _root, args, ctx) => {
      const found = await findPlugin(ctx, String(args.id));
      return found ? ctx.prisma.pluginListing.findUnique({ ...query, where: { id: found.id } }) : null;
    },
  }),
}));
