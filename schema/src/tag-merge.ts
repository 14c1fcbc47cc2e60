// mergeTags: folds duplicate or obsolete tags into one. Customers carrying a source tag get the
// target, segment definitions naming a source name the target instead, and the sources are deleted,
// all in one transaction; segments are then brought up to date for the customers whose tags changed.
import { decodeRef, refreshSegment, type SegmentDefinition } from '@courtyard/db/segments';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from './builder.ts';
import { InputError, NotFoundError, type FieldIssue } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { publishCustomerChanges } from './publish.ts';
import { publishSegmentDeltas, recheckAfterChange } from './segment-membership.ts';
import { decodeId } from './validation.ts';

const MAX_SOURCES = 50;
/** Customers are re-checked against segments in chunks, so a tag on a million customers never sits in one statement. */
const RECHECK_CHUNK = 5_000;

const MergeTagsInput = builder.inputType('MergeTagsInput', {
  description: 'Tags to fold into another: customers of `sourceTagIds` get `targetTagId`, then the sources are deleted.',
  fields: (t) => ({
    sourceTagIds: t.idList({ required: true, description: 'The tags to merge away (1 to 50); none may be the target.' }),
    targetTagId: t.id({ required: true, description: 'The tag that remains.' }),
  }),
});

interface MergeResult {
  targetId: string;
  deletedIds: string[];
  customersRetagged: number;
  segmentsUpdated: number;
  journeysUpdated: number;
  campaignsUpdated: number;
}

const MergeTagsPayload = builder.objectRef<MergeResult>('MergeTagsPayload').implement({
  description: 'What merging tags did.',
  fields: (t) => ({
    target: t.prismaField({
      type: 'Tag',
      description: 'The remaining tag, with its new customer count.',
      resolve: (query, r, _a, ctx) => ctx.prisma.tag.findUniqueOrThrow({ ...query, where: { id: r.targetId } }),
    }),
    deletedTagIds: t.idList({ description: 'Global IDs of the merged (deleted) tags.', resolve: (r) => r.deletedIds.map((id) => encodeGlobalID('Tag', id)) }),
    customersRetagged: t.exposeInt('customersRetagged', { description: 'Customers who carried a source tag but not yet the target, and now carry the target.' }),
    segmentsUpdated: t.exposeInt('segmentsUpdated', { description: 'Segment definitions that named a source tag and now name the target.' }),
    journeysUpdated: t.exposeInt('journeysUpdated', { description: 'Journeys whose draft or versions named a source tag (in a node\'s config) and now name the target.' }),
    campaignsUpdated: t.exposeInt('campaignsUpdated', { description: 'Campaigns whose definition named a source tag and now name the target.' }),
  }),
});

/** The definition with every source tag id replaced by the target (deduplicated), or null if it names none. */
export function retargetTags(node: unknown, sources: Set<string>, target: string): { node: unknown; changed: boolean } {
  if (!node || typeof node !== 'object') return { node, changed: false };
  const n = node as Record<string, unknown>;
  if (n.op === 'not') {
    const inner = retargetTags(n.condition, sources, target);
    return { node: { ...n, condition: inner.node }, changed: inner.changed };
  }
  if (n.op === 'and' || n.op === 'or') {
    const children = (n.conditions as unknown[]).map((c) => retargetTags(c, sources, target));
    return { node: { ...n, conditions: children.map((c) => c.node) }, changed: children.some((c) => c.changed) };
  }
  if (n.kind === 'tags' && Array.isArray(n.tagIds)) {
    const ids = n.tagIds as string[];
    if (!ids.some((id) => sources.has(decodeRef('Tag', id) ?? ''))) return { node, changed: false };
    const out: string[] = [];
    for (const id of ids) {
      const next = sources.has(decodeRef('Tag', id) ?? '') ? encodeGlobalID('Tag', target) : id;
      if (!out.some((o) => decodeRef('Tag', o) === decodeRef('Tag', next))) out.push(next);
    }
    return { node: { ...n, tagIds: out }, changed: true };
  }
  return { node, changed: false };
}

builder.mutationFields((t) => ({
  mergeTags: t.field({
    type: MergeTagsPayload,
    description:
      'Merges tags: every customer carrying a source tag gets the target tag; segment definitions, journeys (drafts and published versions), campaigns and the campaign exclusion list naming a source name the target; the source tags are deleted. All or nothing.',
    authScopes: { 'tags:write': true },
    args: { input: t.arg({ type: MergeTagsInput, required: true, description: 'Sources and target.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('merging tags') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const { input } = args;
      if (input.sourceTagIds.length === 0 || input.sourceTagIds.length > MAX_SOURCES) {
        throw new InputError({ path: ['input', 'sourceTagIds'], message: `give 1 to ${MAX_SOURCES} tags to merge`, code: 'size' });
      }
      const targetId = decodeId(String(input.targetTagId), 'Tag', ['input', 'targetTagId']);
      const sourceIds = input.sourceTagIds.map((g, i) => decodeId(String(g), 'Tag', ['input', 'sourceTagIds', String(i)]));
      const target = await ctx.prisma.tag.findFirst({ where: { id: targetId, workspaceId }, select: { id: true } });
      if (!target) throw new NotFoundError('tag', 'input.targetTagId', String(input.targetTagId));
      const known = new Set((await ctx.prisma.tag.findMany({ where: { workspaceId, id: { in: sourceIds } }, select: { id: true } })).map((t) => t.id));
      const issues: FieldIssue[] = [];
      sourceIds.forEach((id, i) => {
        const path = ['input', 'sourceTagIds', String(i)];
        if (id === targetId) issues.push({ path, message: 'is the target tag; a tag cannot be merged into itself', code: 'same_as_target' });
        else if (!known.has(id)) issues.push({ path, message: 'no such tag in this workspace', code: 'not_found' });
        else if (sourceIds.indexOf(id) !== i) issues.push({ path, message: 'is named twice', code: 'duplicate' });
      });
      if (issues.length) throw new InputError(issues);

      const segments = await ctx.prisma.segment.findMany({
        where: { workspaceId, type: 'dynamic', dependsOn: { has: 'tags' } },
        select: { id: true, workspaceId: true, definition: true, dependsOn: true },
      });
      const sources = new Set(sourceIds);
      const rewritten = segments.flatMap((s) => {
        const root = (s.definition as { root?: unknown } | null)?.root;
        const r = retargetTags(root, sources, targetId);
        return r.changed ? [{ ...s, definition: { ...(s.definition as object), root: r.node } as unknown as SegmentDefinition }] : [];
      });

      const { retagged, affected, journeys, campaigns } = await ctx.db.transaction(async (query) => {
        // Set-based: one statement gives the target to every carrier of a source, keeping the earliest source and time.
        const retagged = await query<{ customerId: string }>(
          `INSERT INTO "CustomerTag" ("workspaceId", "customerId", "tagId", source, "createdAt")
           SELECT DISTINCT ON ("customerId") $1::uuid, "customerId", $2::uuid, source, "createdAt"
           FROM "CustomerTag" WHERE "workspaceId" = $1::uuid AND "tagId" = ANY($3::uuid[])
           ORDER BY "customerId", "createdAt"
           ON CONFLICT DO NOTHING RETURNING "customerId"`,
          [workspaceId, targetId, sourceIds],
        );
        const affected = await query<{ customerId: string }>(
          `SELECT DISTINCT "customerId" FROM "CustomerTag" WHERE "workspaceId" = $1::uuid AND "tagId" = ANY($2::uuid[])`,
          [workspaceId, sourceIds],
        );
        for (const s of rewritten) await query(`UPDATE "Segment" SET definition = $2::jsonb, "updatedAt" = now() WHERE id = $1::uuid`, [s.id, JSON.stringify(s.definition)]);
        // Journeys (drafts and published versions) and campaigns name tags by their database ids in
        // node configs and audiences: a merged tag is the same tag under the target's id, so the
        // references follow it (a published version keeps its meaning, only the id changes).
        const journeys = new Set<string>();
        let campaigns = 0;
        for (const source of sourceIds) {
          const drafts = await query<{ id: string }>(
            `UPDATE "Journey" SET draft = replace(draft::text, $2, $3)::jsonb WHERE "workspaceId" = $1::uuid AND strpos(draft::text, $2) > 0 RETURNING id`,
            [workspaceId, source, targetId],
          );
          const versions = await query<{ journeyId: string }>(
            `UPDATE "JourneyVersion" SET definition = replace(definition::text, $2, $3)::jsonb WHERE "workspaceId" = $1::uuid AND strpos(definition::text, $2) > 0 RETURNING "journeyId"`,
            [workspaceId, source, targetId],
          );
          for (const r of [...drafts.map((d) => d.id), ...versions.map((v) => v.journeyId)]) journeys.add(r);
          campaigns += (await query<{ id: string }>(
            `UPDATE "Campaign" SET definition = replace(definition::text, $2, $3)::jsonb WHERE "workspaceId" = $1::uuid AND strpos(definition::text, $2) > 0 RETURNING id`,
            [workspaceId, source, targetId],
          )).length;
        }
        await query(
          `UPDATE "Workspace" SET "campaignExcludedTagIds" = ARRAY(SELECT DISTINCT CASE WHEN t = ANY($2::uuid[]) THEN $3::uuid ELSE t END FROM unnest("campaignExcludedTagIds") t)
            WHERE id = $1::uuid AND "campaignExcludedTagIds" && $2::uuid[]`,
          [workspaceId, sourceIds, targetId],
        );
        // Live codes that put a source on new customers put the target on them (the delete below would drop the source).
        await query(
          `UPDATE "WeComLiveCode" SET "tagIds" = ARRAY(SELECT DISTINCT CASE WHEN t = ANY($2::uuid[]) THEN $3::uuid ELSE t END FROM unnest("tagIds") t), "updatedAt" = now()
            WHERE "workspaceId" = $1::uuid AND "tagIds" && $2::uuid[]`,
          [workspaceId, sourceIds, targetId],
        );
        await query(`DELETE FROM "Tag" WHERE "workspaceId" = $1::uuid AND id = ANY($2::uuid[])`, [workspaceId, sourceIds]);
        return { retagged: retagged.map((r) => r.customerId), affected: affected.map((r) => r.customerId), journeys: journeys.size, campaigns };
      });
      if (journeys) {
        await ctx.runtime.versions.forgetVersions(workspaceId);
        ctx.runtime.journeysChanged(workspaceId);
      }

      // Segments that named a source are recomputed whole; the others hear about the customers whose tags changed.
      for (const s of rewritten) publishSegmentDeltas(ctx, workspaceId, [await refreshSegment(ctx.db, s)]);
      for (let i = 0; i < affected.length; i += RECHECK_CHUNK) await recheckAfterChange(ctx, workspaceId, affected.slice(i, i + RECHECK_CHUNK), ['tags']);
      publishCustomerChanges(ctx, workspaceId, affected, 'tagged');
      return { targetId, deletedIds: sourceIds, customersRetagged: retagged.length, segmentsUpdated: rewritten.length, journeysUpdated: journeys, campaignsUpdated: campaigns };
    },
  }),
}));
