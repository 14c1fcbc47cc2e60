// Publishing and review: a partner publishes a version (its manifest validated, errors naming the
// JSON path), a platform operator approves or rejects it, the partner deprecates old ones. Only
// approved versions are listed; a version never changes once published.
import type { Prisma, PrismaClient } from '@courtyard/db';
import { ALL_PLUGIN_SCOPES, createSigningSecret, PluginManifest, SECRET_KEYWORD, unsealableSecretsOfSchema } from '@courtyard/plugin-sdk';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { CourtyardError, ConflictError, InputError, NotFoundError, isUniqueViolation, type FieldIssue } from './errors.ts';
import { ErrorInterface, resultUnion } from './error-types.ts';
import { requirePartner, requirePartnerOwner, requirePlatformAdmin } from './marketplace-auth.ts';
import { PluginVersionStatusEnum } from './marketplace.ts';
import { compareVersions } from './marketplace-semver.ts';
import { decodeId, parse } from './validation.ts';
import { z } from 'zod';

/** The "workspace" whose data-changed message makes every workspace's cached reads stale: the listing is read by all. */
const EVERY_WORKSPACE = '*';

/** Largest manifest accepted, in bytes of its JSON. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
/** Plugin ids partners may not use: the built-in nodes are named `courtyard.…`. */
const RESERVED_ID = /^courtyard(?:-|$)/;

/** The value at `path` inside `root`, for error messages. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), root);
}

/**
 * The manifest as the SDK's PluginManifest, with what a marketplace version needs beyond it
 * (endpoints to call, http(s) URLs, an id of the partner's own). Every problem is reported at
 * once, each with its path from `manifest`.
 */
export function checkManifest(raw: unknown): PluginManifest {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch (error) {
      throw new InputError({ path: ['manifest'], message: `is not valid JSON: ${(error as Error).message}`, code: 'invalid_json' });
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError({ path: ['manifest'], message: 'must be a JSON object (the PluginManifest of @courtyard/plugin-sdk)', code: 'invalid_type' });
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > MAX_MANIFEST_BYTES) {
    throw new InputError({ path: ['manifest'], message: `is ${Math.ceil(bytes / 1024)} KB; a manifest may be at most ${MAX_MANIFEST_BYTES / 1024} KB (move long texts and icons to your own site)`, code: 'too_big' });
  }
  const issues: FieldIssue[] = [];
  const result = PluginManifest.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String);
      const bad = valueAt(value, issue.path as PropertyKey[]);
      const unknownScope = path.at(-2) === 'scopes' && issue.code === 'invalid_value';
      issues.push({
        path: ['manifest', ...path],
        message: unknownScope ? `unknown scope ${JSON.stringify(bad)}: use one of ${ALL_PLUGIN_SCOPES.join(', ')}` : issue.message,
        code: unknownScope ? 'unknown_scope' : issue.code,
      });
    }
  }
  const m = value as Record<string, unknown>;
  if (typeof m.id === 'string' && RESERVED_ID.test(m.id)) issues.push({ path: ['manifest', 'id'], message: '"courtyard" and ids starting with "courtyard-" are reserved for built-in plugins', code: 'reserved' });
  const endpoints = m.endpoints as Record<string, unknown> | undefined;
  if (endpoints === undefined) {
    issues.push({ path: ['manifest', 'endpoints'], message: 'give endpoints.baseUrl: where the platform calls your nodes (<baseUrl>/nodes/<node id>)', code: 'required' });
  } else if (endpoints !== null && typeof endpoints === 'object') {
    for (const key of ['baseUrl', 'installCallback'] as const) {
      const url = endpoints[key];
      if (typeof url !== 'string') continue;
      // Not a URL at all: the SDK's schema already says so.
      const protocol = URL.canParse(url) ? new URL(url).protocol : null;
      if (protocol === null) continue;
      if (protocol !== 'https:' && protocol !== 'http:') issues.push({ path: ['manifest', 'endpoints', key], message: `must be an https URL, not ${protocol}`, code: 'invalid_url' });
    }
  }
  // A trigger fires on the events its partner records, which needs the events:write grant.
  const nodes = Array.isArray(m.nodes) ? (m.nodes as { kind?: unknown }[]) : [];
  const firstTrigger = nodes.findIndex((n) => n && typeof n === 'object' && n.kind === 'trigger');
  if (firstTrigger >= 0 && Array.isArray(m.scopes) && !m.scopes.includes('events:write')) {
    issues.push({ path: ['manifest', 'scopes'], message: `node ${firstTrigger} is a trigger: ask for events:write, with which your server fires it (fireTrigger records events of the trigger's type)`, code: 'missing_scope' });
  }
  nodes.forEach((n, i) => {
    const schema = n && typeof n === 'object' ? (n as { configSchema?: unknown }).configSchema : undefined;
    issues.push(...unsealableSecrets(schema, ['manifest', 'nodes', String(i), 'configSchema']));
  });
  if (issues.length) throw new InputError(issues);
  return result.data!;
}

/**
 * `x-secret` where the platform would not seal it (unsealableSecretsOfSchema): the value would be
 * stored in plain text and shown to every reader of the journey, so the version is refused instead.
 */
function unsealableSecrets(schema: unknown, at: string[]): FieldIssue[] {
  return unsealableSecretsOfSchema(schema).map(({ path, problem, type }) => ({
    path: [...at, ...path],
    message:
      problem === 'nested'
        ? `${SECRET_KEYWORD} is honoured on top-level string properties of the config only, not inside an object, an array or a union such as .nullable(): make it a top-level string (sealed when a journey is saved), or it would be stored and shown in plain text`
        : `a ${SECRET_KEYWORD} field must be a string (its type is ${JSON.stringify(type ?? 'not given')}): secrets are sealed as text`,
    code: 'unsealable_secret',
  }));
}

/** Scopes `scopes` adds to those of the highest approved (or deprecated) version below `version`. */
async function addedScopes(prisma: Pick<PrismaClient, 'pluginVersion'>, listingId: string, version: string, scopes: readonly string[]): Promise<string[]> {
  const approved = await prisma.pluginVersion.findMany({ where: { listingId, status: { in: ['approved', 'deprecated'] } }, select: { version: true, scopes: true } });
  const previous = approved.filter((v) => compareVersions(v.version, version) < 0).sort((a, b) => compareVersions(b.version, a.version))[0];
  if (!previous) return [];
  return scopes.filter((s) => !previous.scopes.includes(s));
}

/**
 * Points the listing at its newest approved version (null: none, so it is not listed) and copies
 * that manifest's texts and categories into the columns search and filters read.
 */
export async function relist(tx: Prisma.TransactionClient, listingId: string): Promise<void> {
  const approved = await tx.pluginVersion.findMany({ where: { listingId, status: 'approved' }, select: { id: true, version: true, manifest: true } });
  const newest = approved.sort((a, b) => compareVersions(b.version, a.version))[0];
  const m = newest?.manifest as PluginManifest | undefined;
  await tx.pluginListing.update({
    where: { id: listingId },
    data: {
      listedVersionId: newest?.id ?? null,
      searchZh: m ? `${m.name['zh-CN']}\n${m.description['zh-CN']}` : '',
      searchEn: m ? `${m.name.en}\n${m.description.en}` : '',
      categories: m?.categories ?? [],
    },
  });
}

/** The version cannot go from its current review state to the one asked for. */
export class ReviewStateError extends CourtyardError {
  constructor(readonly status: string, message: string) {
    super(message, 'INVALID_STATE');
  }
}

builder.objectType(ReviewStateError, {
  name: 'ReviewStateError',
  description: 'The version is not in a state that allows this (e.g. reviewing an approved version, deprecating a rejected one). Nothing changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ReviewStateError,
  fields: (t) => ({
    status: t.field({ type: PluginVersionStatusEnum, description: 'The version\'s current state.', resolve: (e) => e.status as 'submitted' }),
  }),
});

const ReviewDecisionEnum = builder.enumType('PluginReviewDecision', {
  description: 'An operator\'s decision on a submitted version.',
  values: { approve: { value: 'approve', description: 'List it: brands may install it.' }, reject: { value: 'reject', description: 'Do not list it; say why in `reason`.' } } as const,
});

const zReason = z.string().trim().min(1, { message: 'say why, so the partner can fix it' }).max(2000, { message: 'must be at most 2,000 characters' });

function decodeVersionId(id: string | number, path: string[]) {
  return decodeId(String(id), 'PluginVersion', path);
}

async function ownVersion(ctx: Context, id: string | number) {
  const partner = requirePartner(ctx);
  const versionId = decodeVersionId(id, ['id']);
  const version = await ctx.prisma.pluginVersion.findFirst({ where: { id: versionId, listing: { partnerId: partner.partnerId } }, select: { id: true, status: true, listingId: true } });
  if (!version) throw new NotFoundError('plugin version of yours', 'id', String(id));
  return version;
}

builder.queryFields((t) => ({
  pluginReviewQueue: t.prismaConnection({
    type: 'PluginVersion',
    cursor: 'id',
    description: 'Versions waiting for review, oldest first. Platform operators only.',
    totalCount: async (_c, _a, ctx) => {
      await requirePlatformAdmin(ctx);
      return ctx.prisma.pluginVersion.count({ where: { status: 'submitted' } });
    },
    resolve: async (query, _root, _args, ctx) => {
      await requirePlatformAdmin(ctx);
      return ctx.prisma.pluginVersion.findMany({ ...query, where: { status: 'submitted' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    },
  }),
}));

builder.mutationFields((t) => ({
  publishPluginVersion: t.prismaField({
    type: 'PluginVersion',
    description:
      'Publishes a version of one of the partner\'s plugins for review (the first version of a new plugin id creates the plugin). The manifest is checked in full, each problem named by its path (`manifest.nodes.0.id`); a version is immutable: publishing the same id and version again is a conflict. Needs a partner key.',
    args: {
      manifest: t.arg({ type: 'JSON', required: true, description: 'The PluginManifest (@courtyard/plugin-sdk `createManifest`), as an object or JSON text; at most 256 KB.' }),
      changelog: t.arg.string({ description: 'What changed since the previous version; default the manifest\'s `changelog`.' }),
    },
    errors: { types: [InputError, ConflictError], union: resultUnion('publishing a plugin version') },
    resolve: async (query, _root, args, ctx) => {
      const partner = requirePartner(ctx);
      const manifest = checkManifest(args.manifest);
      const changelog = parse(z.string().max(20_000, { message: 'must be at most 20,000 characters' }).nullish(), args.changelog, ['changelog']) ?? manifest.changelog ?? '';
      const listing =
        (await ctx.prisma.pluginListing.findUnique({ where: { pluginId: manifest.id }, select: { id: true, partnerId: true } })) ??
        (await ctx.prisma.pluginListing
          .create({ data: { pluginId: manifest.id, partnerId: partner.partnerId, callbackSecret: createSigningSecret() }, select: { id: true, partnerId: true } })
          .catch(async (error: unknown) => {
            if (!isUniqueViolation(error)) throw error;
            return ctx.prisma.pluginListing.findUniqueOrThrow({ where: { pluginId: manifest.id }, select: { id: true, partnerId: true } });
          }));
      if (listing.partnerId !== partner.partnerId) throw new ConflictError(`The plugin id ${manifest.id} belongs to another partner: pick another id.`, 'manifest.id');
      const existing = await ctx.prisma.pluginVersion.findMany({ where: { listingId: listing.id }, select: { version: true } });
      if (existing.some((v) => compareVersions(v.version, manifest.version) === 0)) {
        throw new ConflictError(`Version ${manifest.version} of ${manifest.id} is already published, and published versions never change: publish a higher version.`, 'manifest.version');
      }
      const newest = existing.map((v) => v.version).sort((a, b) => compareVersions(b, a))[0];
      if (newest && compareVersions(manifest.version, newest) < 0) {
        throw new InputError({ path: ['manifest', 'version'], message: `must be higher than the newest published version, ${newest}`, code: 'too_small' });
      }
      try {
        return await ctx.prisma.pluginVersion.create({
          ...query,
          data: {
            listingId: listing.id,
            version: manifest.version,
            manifest: manifest as unknown as Prisma.InputJsonValue,
            scopes: manifest.scopes,
            addedScopes: await addedScopes(ctx.prisma, listing.id, manifest.version, manifest.scopes),
            changelog,
            publishedByKeyId: partner.partnerKeyId,
          },
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`Version ${manifest.version} of ${manifest.id} is already published: publish a higher version.`, 'manifest.version');
        throw error;
      }
    },
  }),
  reviewPluginVersion: t.prismaField({
    type: 'PluginVersion',
    description: 'Approves a submitted version (it is listed at once, as the plugin\'s newest approved version) or rejects it with a reason. Platform operators only.',
    args: {
      id: t.arg.id({ required: true, description: 'The version (from pluginReviewQueue).' }),
      decision: t.arg({ type: ReviewDecisionEnum, required: true, description: 'Approve or reject.' }),
      reason: t.arg.string({ description: 'Why it was rejected (required to reject); shown to the partner.' }),
    },
    errors: { types: [InputError, NotFoundError, ReviewStateError], union: resultUnion('reviewing a plugin version') },
    resolve: async (query, _root, args, ctx) => {
      const reviewerId = await requirePlatformAdmin(ctx);
      const id = decodeVersionId(args.id, ['id']);
      const reason = args.decision === 'reject' ? parse(zReason, args.reason ?? '', ['reason']) : null;
      return ctx.prisma.$transaction(async (tx) => {
        // Locked, so two operators reviewing at once cannot both decide.
        const [version] = await tx.$queryRaw<{ status: string; listingId: string; version: string; scopes: string[] }[]>`
          SELECT status::text, "listingId", version, scopes FROM "PluginVersion" WHERE id = ${id}::uuid FOR UPDATE`;
        if (!version) throw new NotFoundError('plugin version', 'id', String(args.id));
        if (version.status !== 'submitted') throw new ReviewStateError(version.status, `Version ${version.version} is ${version.status}, not submitted: only submitted versions are reviewed.`);
        const data: Prisma.PluginVersionUpdateInput =
          args.decision === 'approve'
            ? { status: 'approved', reviewedAt: new Date(), reviewedById: reviewerId, addedScopes: await addedScopes(tx, version.listingId, version.version, version.scopes) }
            : { status: 'rejected', rejectionReason: reason, reviewedAt: new Date(), reviewedById: reviewerId };
        await tx.pluginVersion.update({ where: { id }, data });
        if (args.decision === 'approve') await relist(tx, version.listingId);
        return tx.pluginVersion.findUniqueOrThrow({ ...query, where: { id } });
      }).finally(() => ctx.pubsub.publish('workspaceDataChanged', EVERY_WORKSPACE));
    },
  }),
  deprecatePluginVersion: t.prismaField({
    type: 'PluginVersion',
    description:
      'Deprecates one of the partner\'s approved versions: no new installs or upgrades to it; installations on it keep running. When it was the listed version, the newest other approved one is listed (none: the plugin leaves the marketplace). Needs an owner\'s partner key.',
    args: { id: t.arg.id({ required: true, description: 'The version.' }) },
    errors: { types: [InputError, NotFoundError, ReviewStateError], union: resultUnion('deprecating a plugin version') },
    resolve: async (query, _root, args, ctx) => {
      await requirePartnerOwner(ctx, 'deprecate versions');
      const version = await ownVersion(ctx, args.id);
      if (version.status !== 'approved') throw new ReviewStateError(version.status, `Only approved versions are deprecated; this one is ${version.status}.`);
      return ctx.prisma.$transaction(async (tx) => {
        await tx.pluginVersion.update({ where: { id: version.id }, data: { status: 'deprecated', deprecatedAt: new Date() } });
        await relist(tx, version.listingId);
        return tx.pluginVersion.findUniqueOrThrow({ ...query, where: { id: version.id } });
      }).finally(() => ctx.pubsub.publish('workspaceDataChanged', EVERY_WORKSPACE));
    },
  }),
}));
