// WeCom's corp tag library (企业客户标签, notes §6) mirrored in Courtyard's tag groups and tags:
// each linked group and tag carries its WeCom id and follows WeCom's name. The library is pulled
// whole by `syncWeComTagLibrary`, and kept in step by change_external_tag callbacks; a staff
// member tagging a contact in WeCom (edit_external_contact) applies the linked tags to the
// customer. A group or tag deleted in WeCom is kept in Courtyard, marked `wecomDeletedAt`, with the
// customers who carried it: Courtyard's tags have no archive, and deleting one would drop it from
// every customer and from the segments that name it.
import { createHash } from 'node:crypto';
import type { Db, Prisma, WeComCallback } from '@courtyard/db';
import type { IngestedEvent } from '@courtyard/runtime';
import { WeComError, type ContactEditedEvent, type CorpTagGroup, type ExternalTagEvent, type WeComClient } from '@courtyard/wecom';
import { builder } from './builder.ts';
import { resultUnion } from './error-types.ts';
import type { WeComProcessDeps } from './wecom-callbacks.ts';
import { callbackConnection } from './wecom-callback-cache.ts';
import { afterWeComEvents } from './wecom-after-events.ts';
import { rejectedBy, WeComRejectedError } from './wecom-errors.ts';
import { liveConnection } from './wecom-store.ts';

type Tx = Prisma.TransactionClient;

export interface TagSyncCounts {
  groupsCreated: number;
  groupsUpdated: number;
  tagsCreated: number;
  tagsUpdated: number;
  /** Groups and tags marked deleted in WeCom (kept in Courtyard). */
  archived: number;
}

const lock = (tx: Tx, workspaceId: string) => tx.$queryRawUnsafe(`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) x`, `wecom-tags:${workspaceId}`);

/** A name not yet taken among `taken` (WeCom allows a name Courtyard already gave another group or tag). */
function freeName(name: string, wecomId: string, taken: (candidate: string) => boolean): string {
  for (const candidate of [name, `${name} (企业微信)`, `${name} (${wecomId.slice(-6)})`]) if (!taken(candidate)) return candidate;
  return `${name} (${wecomId})`;
}

/**
 * Writes WeCom's groups (as get_corp_tag_list answers them) into the workspace's tags, under a
 * per-workspace lock. A group or tag not linked yet adopts an unlinked Courtyard one of the same
 * name (same group, for tags) before anything is created. With `whole`, the list is the entire
 * library: linked groups and tags missing from it were deleted in WeCom and are marked so.
 */
export async function applyCorpTags(tx: Tx, workspaceId: string, groups: CorpTagGroup[], whole: boolean): Promise<TagSyncCounts> {
  await lock(tx, workspaceId);
  const counts: TagSyncCounts = { groupsCreated: 0, groupsUpdated: 0, tagsCreated: 0, tagsUpdated: 0, archived: 0 };
  const now = new Date();
  const allGroups = await tx.tagGroup.findMany({ where: { workspaceId }, select: { id: true, name: true, wecomGroupId: true, wecomDeletedAt: true } });
  const allTags = await tx.tag.findMany({ where: { workspaceId }, select: { id: true, groupId: true, name: true, wecomTagId: true, wecomDeletedAt: true } });
  const seenGroups = new Set<string>();
  const seenTags = new Set<string>();
  for (const g of groups) {
    if (g.deleted) continue;
    seenGroups.add(g.group_id);
    let group = allGroups.find((x) => x.wecomGroupId === g.group_id) ?? allGroups.find((x) => !x.wecomGroupId && x.name === g.group_name);
    const name = freeName(g.group_name, g.group_id, (n) => allGroups.some((x) => x !== group && x.name === n));
    if (!group) {
      group = await tx.tagGroup.create({ data: { workspaceId, name, kind: 'basic', wecomGroupId: g.group_id }, select: { id: true, name: true, wecomGroupId: true, wecomDeletedAt: true } });
      allGroups.push(group);
      counts.groupsCreated++;
    } else if (group.name !== name || group.wecomGroupId !== g.group_id || group.wecomDeletedAt) {
      Object.assign(group, await tx.tagGroup.update({ where: { id: group.id }, data: { name, wecomGroupId: g.group_id, wecomDeletedAt: null }, select: { name: true, wecomGroupId: true, wecomDeletedAt: true } }));
      counts.groupsUpdated++;
    }
    const groupId = group.id;
    for (const t of g.tag) {
      if (t.deleted) continue;
      seenTags.add(t.id);
      let tag = allTags.find((x) => x.wecomTagId === t.id) ?? allTags.find((x) => !x.wecomTagId && x.groupId === groupId && x.name === t.name);
      const tagName = freeName(t.name, t.id, (n) => allTags.some((x) => x !== tag && x.groupId === groupId && x.name === n));
      if (!tag) {
        tag = await tx.tag.create({ data: { workspaceId, groupId, name: tagName, wecomTagId: t.id }, select: { id: true, groupId: true, name: true, wecomTagId: true, wecomDeletedAt: true } });
        allTags.push(tag);
        counts.tagsCreated++;
      } else if (tag.name !== tagName || tag.groupId !== groupId || tag.wecomTagId !== t.id || tag.wecomDeletedAt) {
        Object.assign(tag, await tx.tag.update({ where: { id: tag.id }, data: { name: tagName, groupId, wecomTagId: t.id, wecomDeletedAt: null }, select: { groupId: true, name: true, wecomTagId: true, wecomDeletedAt: true } }));
        counts.tagsUpdated++;
      }
    }
  }
  // Filtered by id, WeCom lists deleted groups and tags with `deleted` (notes §6).
  const deletedGroups = groups.filter((g) => g.deleted).map((g) => g.group_id);
  const deletedTags = groups.flatMap((g) => g.tag.filter((t) => t.deleted).map((t) => t.id));
  counts.archived += await archiveCorpTags(tx, workspaceId, { groupIds: deletedGroups, tagIds: deletedTags }, now);
  if (whole) {
    const goneGroups = allGroups.filter((x) => x.wecomGroupId && !x.wecomDeletedAt && !seenGroups.has(x.wecomGroupId)).map((x) => x.wecomGroupId!);
    const goneTags = allTags.filter((x) => x.wecomTagId && !x.wecomDeletedAt && !seenTags.has(x.wecomTagId)).map((x) => x.wecomTagId!);
    counts.archived += await archiveCorpTags(tx, workspaceId, { groupIds: goneGroups, tagIds: goneTags }, now);
  }
  return counts;
}

/** Marks linked groups (with their tags) and tags deleted in WeCom; customers keep them. Returns how many it marked. */
async function archiveCorpTags(tx: Tx, workspaceId: string, ids: { groupIds: string[]; tagIds: string[] }, at: Date): Promise<number> {
  if (!ids.groupIds.length && !ids.tagIds.length) return 0;
  const groups = ids.groupIds.length ? await tx.tagGroup.updateMany({ where: { workspaceId, wecomGroupId: { in: ids.groupIds }, wecomDeletedAt: null }, data: { wecomDeletedAt: at } }) : { count: 0 };
  const tags = await tx.tag.updateMany({
    where: { workspaceId, wecomDeletedAt: null, wecomTagId: { not: null }, OR: [{ wecomTagId: { in: ids.tagIds } }, { group: { wecomGroupId: { in: ids.groupIds } } }] },
    data: { wecomDeletedAt: at },
  });
  return groups.count + tags.count;
}

/** Pulls the whole corp tag library from WeCom and mirrors it. */
export async function syncCorpTagLibrary(db: Db, client: WeComClient, workspaceId: string): Promise<TagSyncCounts> {
  const { tag_group } = await client.call('externalcontact/get_corp_tag_list', {});
  return db.prisma.$transaction((tx) => applyCorpTags(tx, workspaceId, tag_group, true), { timeout: 60_000 });
}

/** Corp tags WeCom named that Courtyard has not linked yet are read from WeCom (get_corp_tag_list) and mirrored. */
async function pullUnknownCorpTags(db: Db, client: WeComClient, workspaceId: string, corpTagIds: string[]) {
  if (!corpTagIds.length) return;
  const known = new Set((await db.prisma.tag.findMany({ where: { workspaceId, wecomTagId: { in: corpTagIds } }, select: { wecomTagId: true } })).map((t) => t.wecomTagId));
  const unknown = corpTagIds.filter((id) => !known.has(id));
  if (!unknown.length) return;
  const { tag_group } = await client.call('externalcontact/get_corp_tag_list', { tag_id: unknown });
  await db.prisma.$transaction((tx) => applyCorpTags(tx, workspaceId, tag_group, false));
}

/**
 * The corp tags new contacts already carry in WeCom (another staff member tagged them, or the
 * contact was tagged before it was deleted and added again), read from their profiles: linked tags
 * are added with source `wecom` (tags unknown to Courtyard pulled first), nothing is removed.
 * Returns the customers that gained a tag.
 */
export async function applyContactCorpTags(db: Db, client: WeComClient, workspaceId: string, contacts: { customerId: string; corpTagIds: string[] }[]): Promise<string[]> {
  const withTags = contacts.filter((c) => c.corpTagIds.length);
  if (!withTags.length) return [];
  await pullUnknownCorpTags(db, client, workspaceId, [...new Set(withTags.flatMap((c) => c.corpTagIds))]);
  const added = await db.query<{ customerId: string }>(
    `INSERT INTO "CustomerTag" ("workspaceId", "customerId", "tagId", source)
     SELECT DISTINCT $1::uuid, c."customerId", t.id, 'wecom'::"TagSource"
       FROM jsonb_to_recordset($2::jsonb) AS c("customerId" uuid, "corpTagIds" jsonb)
       CROSS JOIN LATERAL jsonb_array_elements_text(c."corpTagIds") AS w(id)
       JOIN "Tag" t ON t."workspaceId" = $1::uuid AND t."wecomTagId" = w.id AND t."wecomDeletedAt" IS NULL
       JOIN "Customer" k ON k.id = c."customerId" AND k."workspaceId" = $1::uuid
     ON CONFLICT DO NOTHING RETURNING "customerId"`,
    [workspaceId, JSON.stringify(withTags)],
  );
  return [...new Set(added.map((a) => a.customerId))];
}

const claim = async (tx: Tx, id: string) =>
  (await tx.weComCallback.updateMany({ where: { id, status: 'pending' }, data: { status: 'processed', processedAt: new Date(), lastError: null } })).count === 1;

/**
 * A change_external_tag callback: a created or renamed group or tag is read back from WeCom by id
 * and written; a deleted one is marked deleted (customers keep it); a shuffle (order only) changes
 * nothing Courtyard keeps.
 */
export async function corpTagChanged(deps: WeComProcessDeps, row: WeComCallback, event: ExternalTagEvent): Promise<void> {
  const workspaceId = row.workspaceId;
  let groups: CorpTagGroup[] | null = null;
  if (event.ChangeType === 'create' || event.ChangeType === 'update') {
    const conn = await callbackConnection(deps.db, workspaceId);
    if (!conn) throw new Error('WeCom is no longer connected');
    const filter = event.TagType === 'tag_group' ? { group_id: [event.Id] } : { tag_id: [event.Id] };
    groups = (await conn.client.call('externalcontact/get_corp_tag_list', filter)).tag_group;
  }
  const changed = await deps.db.prisma.$transaction(async (tx) => {
    if (!(await claim(tx, row.id))) return false;
    if (groups) await applyCorpTags(tx, workspaceId, groups, false);
    else if (event.ChangeType === 'delete') {
      await lock(tx, workspaceId);
      await archiveCorpTags(tx, workspaceId, event.TagType === 'tag_group' ? { groupIds: [event.Id], tagIds: [] } : { groupIds: [], tagIds: [event.Id] }, new Date(event.CreateTime * 1000));
    }
    return true;
  });
  // Cached reads of the workspace's tags go stale (on every node).
  if (changed) deps.pubsub.publish('workspaceDataChanged', workspaceId);
}

/**
 * An edit_external_contact callback: the remark or the corp tags changed in a staff member's app.
 * The contact is read back (its corp tags over every staff member who follows it), tags WeCom has
 * that Courtyard has not linked yet are pulled first, and the customer's WeCom-applied tags are set
 * to match: linked tags added with source `wecom`, and removed only where WeCom applied them (a
 * linked tag Courtyard applied itself stays). The `wecom.contact_edited` event names the changes.
 */
export async function contactEdited(deps: WeComProcessDeps, row: WeComCallback, event: ContactEditedEvent): Promise<void> {
  const workspaceId = row.workspaceId;
  const { db } = deps;
  const customer = await db.prisma.customer.findUnique({ where: { workspaceId_wecomExternalId: { workspaceId, wecomExternalId: event.ExternalUserID } }, select: { id: true } });
  let corpTagIds: string[] | null = null;
  const conn = customer ? await callbackConnection(db, workspaceId) : null;
  if (customer) {
    if (!conn) throw new Error('WeCom is no longer connected');
    // A contact WeCom no longer has (84061 …) has no tags to read: the edit is recorded without them.
    const detail = await conn.client.call('externalcontact/get', { external_userid: event.ExternalUserID }).catch((error: unknown) => {
      if (error instanceof WeComError && !error.retryable) return null;
      throw error;
    });
    if (detail) corpTagIds = [...new Set(detail.follow_user.flatMap((f) => (f.tags ?? []).filter((t) => t.type === 1 && t.tag_id).map((t) => t.tag_id!)))];
  }
  if (conn && corpTagIds) await pullUnknownCorpTags(db, conn.client, workspaceId, corpTagIds);
  const result = await db.prisma.$transaction(async (tx) => {
    if (!(await claim(tx, row.id)) || !customer) return null;
    // What WeCom changed is not pushed back to WeCom (the CustomerTag trigger reads this).
    await tx.$executeRawUnsafe(`SELECT set_config('courtyard.origin', 'wecom', true)`);
    let properties: Prisma.InputJsonObject = { staffUserId: event.UserID, externalUserId: event.ExternalUserID };
    let changes = 0;
    if (corpTagIds) {
      const linked = await tx.tag.findMany({ where: { workspaceId, wecomTagId: { in: corpTagIds }, wecomDeletedAt: null }, select: { id: true, name: true } });
      const added = await tx.customerTag.createManyAndReturn({
        data: linked.map((t) => ({ workspaceId, customerId: customer.id, tagId: t.id, source: 'wecom' as const })),
        skipDuplicates: true,
        select: { tagId: true },
      });
      const stale = await tx.customerTag.findMany({
        where: { workspaceId, customerId: customer.id, source: 'wecom', tag: { wecomTagId: { not: null }, wecomDeletedAt: null }, tagId: { notIn: linked.map((t) => t.id) } },
        select: { tagId: true, tag: { select: { name: true } } },
      });
      if (stale.length) await tx.customerTag.deleteMany({ where: { workspaceId, customerId: customer.id, tagId: { in: stale.map((s) => s.tagId) } } });
      const names = new Map(linked.map((t) => [t.id, t.name]));
      properties = { ...properties, tagsAdded: added.map((a) => names.get(a.tagId)!), tagsRemoved: stale.map((s) => s.tag.name) };
      changes = added.length + stale.length;
    }
    // A second edit in the same second arrives under the first's key (see insertReceipts): it is
    // recorded when it changed something, under a key naming those changes; a plain retry is not.
    let idempotencyKey = `wecom:${row.dedupeKey}`.slice(0, 200);
    if (await tx.event.findUnique({ where: { workspaceId_idempotencyKey: { workspaceId, idempotencyKey } }, select: { id: true } })) {
      if (!changes) return { customerId: customer.id, events: [], tagsChanged: false };
      const digest = createHash('sha1').update(JSON.stringify([properties.tagsAdded, properties.tagsRemoved])).digest('hex').slice(0, 16);
      idempotencyKey = `wecom:${digest}:${row.dedupeKey}`.slice(0, 200);
    }
    const events = (await tx.event.createManyAndReturn({
      data: [{ workspaceId, customerId: customer.id, type: 'wecom.contact_edited', properties, occurredAt: new Date(event.CreateTime * 1000), idempotencyKey }],
      skipDuplicates: true,
      select: { id: true, customerId: true, type: true, properties: true, occurredAt: true },
    })) as IngestedEvent[];
    return { customerId: customer.id, events, tagsChanged: changes > 0 };
  });
  if (!result) return;
  deps.pubsub.publish('workspaceDataChanged', workspaceId);
  await afterWeComEvents(deps, workspaceId, [result.customerId], result.events, result.tagsChanged);
}

const SyncResultRef = builder.objectRef<TagSyncCounts>('WeComTagSyncResult').implement({
  description: 'What pulling WeCom\'s corp tag library changed in Courtyard\'s tags.',
  fields: (t) => ({
    groupsCreated: t.exposeInt('groupsCreated', { description: 'Tag groups created for WeCom groups (kind basic; change it in Courtyard as you like).' }),
    groupsUpdated: t.exposeInt('groupsUpdated', { description: 'Tag groups linked to a WeCom group (a same-named one adopted) or renamed as in WeCom.' }),
    tagsCreated: t.exposeInt('tagsCreated', { description: 'Tags created for WeCom corp tags.' }),
    tagsUpdated: t.exposeInt('tagsUpdated', { description: 'Tags linked to a WeCom tag (a same-named one in the group adopted), renamed or moved as in WeCom.' }),
    archived: t.exposeInt('archived', { description: 'Linked groups and tags no longer in WeCom\'s library, marked deleted in WeCom (kept, with their customers).' }),
  }),
});

builder.prismaObjectFields('TagGroup', (t) => ({
  wecomGroupId: t.exposeString('wecomGroupId', { nullable: true, description: 'The WeCom corp tag group it mirrors (group_id); null for a Courtyard-only group. Its name follows WeCom\'s.' }),
  wecomDeletedAt: t.expose('wecomDeletedAt', { type: 'DateTime', nullable: true, description: 'When the group was deleted in WeCom; it is kept here, no longer synced.' }),
}));

builder.prismaObjectFields('Tag', (t) => ({
  wecomTagId: t.exposeString('wecomTagId', { nullable: true, description: 'The WeCom corp tag it mirrors; null for a Courtyard-only tag. Staff members tagging contacts with it in WeCom apply it here.' }),
  wecomDeletedAt: t.expose('wecomDeletedAt', { type: 'DateTime', nullable: true, description: 'When the tag was deleted in WeCom; it is kept here with the customers who carried it, no longer synced.' }),
}));

builder.mutationFields((t) => ({
  syncWeComTagLibrary: t.field({
    type: SyncResultRef,
    description:
      'Pulls WeCom\'s whole corp tag library (get_corp_tag_list) into Courtyard\'s tags now: groups and tags linked by their WeCom ids, renamed as in WeCom, created when new; linked ones WeCom no longer has are marked deleted in WeCom and kept. Changes made in WeCom afterwards arrive by callback.',
    authScopes: { 'wecom:write': true },
    errors: { types: [WeComRejectedError], union: resultUnion('syncing the WeCom tag library') },
    resolve: async (_root, _args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const conn = await liveConnection(ctx.db, workspaceId);
      if (!conn) throw new WeComRejectedError('WeCom is not connected: call connectWeCom first.', 'wecomConnection', null);
      try {
        return await syncCorpTagLibrary(ctx.db, conn.client, workspaceId);
      } catch (error) {
        return rejectedBy(error, 'wecomConnection');
      }
    },
  }),
}));
