// Tag taxonomy (groups of kind basic / intent / behaviour / risk), tags, and bulk tagging.
import type { Prisma, TagSource } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { CustomerFilter, customerWhere } from './customer-filter.ts';
import { ConflictError, InputError, NotFoundError } from './errors.ts';
import { DeletedRef, resultUnion } from './error-types.ts';
import { publishCustomerChanges } from './publish.ts';
import { recheckAfterChange } from './segment-membership.ts';
import { decodeId, parse, zText } from './validation.ts';

const TagGroupKindEnum = builder.enumType('TagGroupKind', {
  description: 'The taxonomy a tag group belongs to.',
  values: {
    basic: { value: 'basic', description: 'Basic information: household, home type, persona (student, office worker).' },
    intent: { value: 'intent', description: 'Intent: category, style, purchase timing.' },
    behaviour: { value: 'behaviour', description: 'Behaviour: steady repurchaser, brand fan, promotion-driven.' },
    risk: { value: 'risk', description: 'Risk control: marketing-sensitive, low credit, complainer, bad reviewer. Campaigns can always exclude these.' },
  } as const,
});

const TagSourceEnum = builder.enumType('TagSource', {
  description: 'Who applied a tag.',
  values: {
    manual: { value: 'manual', description: 'A person or an API call.' },
    rule: { value: 'rule', description: 'An automatic tagging rule.' },
    journey: { value: 'journey', description: 'A journey action.' },
    plugin: { value: 'plugin', description: 'A marketplace plugin.' },
  } as const,
});

builder.prismaNode('TagGroup', {
  // Select mode: only the columns a query asks for are read.
  select: { id: true },
  // A global ID of another workspace, or of nothing, makes node/nodes return null instead of failing.
  nullable: true,
  id: { field: 'id' },
  description: 'A group of tags in one taxonomy, e.g. 意向品类 (intent).',
  authScopes: { 'tags:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Group name, unique in the workspace.' }),
    kind: t.expose('kind', { type: TagGroupKindEnum, description: 'Taxonomy.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the group is for.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the group was created.' }),
    tags: t.relation('tags', { description: 'Tags of the group, by name.', query: { orderBy: { name: 'asc' } } }),
  }),
});

export const TagRef = builder.prismaNode('Tag', {
  // Include mode: every column is read, so rows loaded in batches by customer-loaders.ts resolve
  // without a selection plan (and without a lookup per field and row).
  // A global ID of another workspace, or of nothing, makes node/nodes return null instead of failing.
  nullable: true,
  id: { field: 'id' },
  description: 'A label on customers, e.g. 护发 or 投诉倾向.',
  authScopes: { 'tags:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Tag name, unique within its group.' }),
    color: t.exposeString('color', { nullable: true, description: 'Display colour, e.g. #E6A23C.' }),
    group: t.relation('group', { description: 'The group the tag belongs to.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the tag was created.' }),
    customerCount: t.relationCount('customers', { description: 'How many customers carry the tag.' }),
  }),
});

builder.queryFields((t) => ({
  tagGroups: t.prismaField({
    type: ['TagGroup'],
    description: 'Tag groups of the workspace, by kind then name.',
    authScopes: { 'tags:read': true },
    args: { kind: t.arg({ type: TagGroupKindEnum, description: 'Only groups of this kind.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.tagGroup.findMany({
        ...query,
        where: { workspaceId: ctx.workspaceId(), ...(args.kind ? { kind: args.kind } : {}) },
        orderBy: [{ kind: 'asc' }, { name: 'asc' }],
      }),
  }),
  tags: t.prismaConnection({
    type: 'Tag',
    cursor: 'id',
    description: 'Tags of the workspace by name.',
    authScopes: { 'tags:read': true },
    args: {
      groupId: t.arg.id({ description: 'Only tags of this group.' }),
      search: t.arg.string({ description: 'Only tags whose name contains this text.' }),
    },
    totalCount: (_c, args, ctx) => ctx.prisma.tag.count({ where: tagsWhere(ctx.workspaceId(), args) }),
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.tag.findMany({
        ...query,
        // Another workspace's tag as the cursor would position the page by its name.
        ...(query.cursor ? { cursor: { ...query.cursor, workspaceId: ctx.workspaceId() } } : {}),
        where: tagsWhere(ctx.workspaceId(), args),
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      }),
  }),
}));

function tagsWhere(workspaceId: string, args: { groupId?: string | number | null; search?: string | null }): Prisma.TagWhereInput {
  return {
    workspaceId,
    ...(args.groupId ? { groupId: decodeId(String(args.groupId), 'TagGroup', ['groupId']) } : {}),
    ...(args.search ? { name: { contains: args.search, mode: 'insensitive' } } : {}),
  };
}

const TagGroupInput = builder.inputType('TagGroupInput', {
  description: 'A tag group.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Name, unique in the workspace.' }),
    kind: t.field({ type: TagGroupKindEnum, required: true, description: 'Taxonomy.' }),
    description: t.string({ description: 'What the group is for.' }),
  }),
});

const TagGroupPatch = builder.inputType('TagGroupPatch', {
  description: 'Changes to a tag group; omitted fields stay as they are.',
  fields: (t) => ({
    name: t.string({ description: 'New name.' }),
    kind: t.field({ type: TagGroupKindEnum, description: 'New taxonomy.' }),
    description: t.string({ description: 'New description; null clears it.' }),
  }),
});

const TagInput = builder.inputType('TagInput', {
  description: 'A tag.',
  fields: (t) => ({
    groupId: t.id({ required: true, description: 'The group it belongs to.' }),
    name: t.string({ required: true, description: 'Name, unique within the group.' }),
    color: t.string({ description: 'Display colour as #RRGGBB.' }),
  }),
});

const TagPatch = builder.inputType('TagPatch', {
  description: 'Changes to a tag; omitted fields stay as they are.',
  fields: (t) => ({
    groupId: t.id({ description: 'Move the tag to this group.' }),
    name: t.string({ description: 'New name.' }),
    color: t.string({ description: 'New colour as #RRGGBB; null clears it.' }),
  }),
});

const zColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, { message: 'must be a colour as #RRGGBB, e.g. #E6A23C' });

const TaggingInput = builder.inputType('TaggingInput', {
  description: 'Which tags to apply to or remove from which customers: give `customerIds` or `filter`, not both.',
  fields: (t) => ({
    tagIds: t.idList({ required: true, description: 'The tags (1 to 50).' }),
    customerIds: t.idList({ description: 'These customers (at most 5,000).' }),
    filter: t.field({ type: CustomerFilter, description: 'Every customer matching this filter, however many.' }),
    source: t.field({ type: TagSourceEnum, description: 'Recorded as who applied the tags; default manual.' }),
  }),
});

const TaggingResult = builder.objectRef<{ matchedCustomers: number; changedAssignments: number }>('TaggingResult').implement({
  description: 'What bulk tagging or untagging changed.',
  fields: (t) => ({
    matchedCustomers: t.exposeInt('matchedCustomers', { description: 'Customers the request named or matched.' }),
    changedAssignments: t.exposeInt('changedAssignments', { description: 'Tag assignments added (tagging) or removed (untagging); ones already in that state are not counted.' }),
  }),
});

async function findGroup(ctx: Context, workspaceId: string, globalId: string, path: string[]) {
  const id = decodeId(globalId, 'TagGroup', path);
  const group = await ctx.prisma.tagGroup.findFirst({ where: { id, workspaceId }, select: { id: true } });
  if (!group) throw new NotFoundError('tag group', path.join('.'), globalId);
  return id;
}

function uniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}

builder.mutationFields((t) => ({
  createTagGroup: t.prismaField({
    type: 'TagGroup',
    description: 'Creates a tag group.',
    authScopes: { 'tags:write': true },
    args: { input: t.arg({ type: TagGroupInput, required: true, description: 'The group.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('creating a tag group') },
    resolve: async (query, _root, args, ctx) => {
      const name = parse(zText(60), args.input.name, ['input', 'name']);
      const description = args.input.description == null ? null : parse(zText(500), args.input.description, ['input', 'description']);
      try {
        return await ctx.prisma.tagGroup.create({ ...query, data: { workspaceId: ctx.workspaceId(), name, kind: args.input.kind, description } });
      } catch (error) {
        if (uniqueViolation(error)) throw new ConflictError(`A tag group named "${name}" exists.`, 'input.name');
        throw error;
      }
    },
  }),
  updateTagGroup: t.prismaField({
    type: 'TagGroup',
    description: 'Renames a tag group or changes its kind or description.',
    authScopes: { 'tags:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The group.' }),
      input: t.arg({ type: TagGroupPatch, required: true, description: 'The changes.' }),
    },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('updating a tag group') },
    resolve: async (query, _root, args, ctx) => {
      const id = await findGroup(ctx, ctx.workspaceId(), String(args.id), ['id']);
      const data: Prisma.TagGroupUpdateInput = {};
      if (args.input.name != null) data.name = parse(zText(60), args.input.name, ['input', 'name']);
      if (args.input.kind != null) data.kind = args.input.kind;
      if (args.input.description !== undefined) data.description = args.input.description == null ? null : parse(zText(500), args.input.description, ['input', 'description']);
      try {
        return await ctx.prisma.tagGroup.update({ ...query, where: { id }, data });
      } catch (error) {
        if (uniqueViolation(error)) throw new ConflictError(`A tag group named "${String(data.name)}" exists.`, 'input.name');
        throw error;
      }
    },
  }),
  deleteTagGroup: t.field({
    type: DeletedRef,
    description: 'Deletes a tag group with its tags, removing them from every customer. Returns the deleted ID.',
    authScopes: { 'tags:write': true },
    args: { id: t.arg.id({ required: true, description: 'The group.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('deleting a tag group') },
    resolve: async (_root, args, ctx) => {
      const id = await findGroup(ctx, ctx.workspaceId(), String(args.id), ['id']);
      await ctx.prisma.tagGroup.delete({ where: { id } });
      return { id: String(args.id) };
    },
  }),
  createTag: t.prismaField({
    type: 'Tag',
    description: 'Creates a tag in a group.',
    authScopes: { 'tags:write': true },
    args: { input: t.arg({ type: TagInput, required: true, description: 'The tag.' }) },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('creating a tag') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const name = parse(zText(60), args.input.name, ['input', 'name']);
      const color = args.input.color == null ? null : parse(zColor, args.input.color, ['input', 'color']);
      const groupId = await findGroup(ctx, workspaceId, String(args.input.groupId), ['input', 'groupId']);
      try {
        return await ctx.prisma.tag.create({ ...query, data: { workspaceId, groupId, name, color } });
      } catch (error) {
        if (uniqueViolation(error)) throw new ConflictError(`The group already has a tag named "${name}".`, 'input.name');
        throw error;
      }
    },
  }),
  updateTag: t.prismaField({
    type: 'Tag',
    description: 'Renames, recolours or moves a tag.',
    authScopes: { 'tags:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The tag.' }),
      input: t.arg({ type: TagPatch, required: true, description: 'The changes.' }),
    },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('updating a tag') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const id = decodeId(String(args.id), 'Tag', ['id']);
      if (!(await ctx.prisma.tag.findFirst({ where: { id, workspaceId }, select: { id: true } }))) throw new NotFoundError('tag', 'id', String(args.id));
      const data: Prisma.TagUncheckedUpdateInput = {};
      if (args.input.name != null) data.name = parse(zText(60), args.input.name, ['input', 'name']);
      if (args.input.color !== undefined) data.color = args.input.color == null ? null : parse(zColor, args.input.color, ['input', 'color']);
      if (args.input.groupId != null) data.groupId = await findGroup(ctx, workspaceId, String(args.input.groupId), ['input', 'groupId']);
      try {
        return await ctx.prisma.tag.update({ ...query, where: { id }, data });
      } catch (error) {
        if (uniqueViolation(error)) throw new ConflictError('The group already has a tag with this name.', 'input.name');
        throw error;
      }
    },
  }),
  deleteTag: t.field({
    type: DeletedRef,
    description: 'Deletes a tag, removing it from every customer. Returns the deleted ID.',
    authScopes: { 'tags:write': true },
    args: { id: t.arg.id({ required: true, description: 'The tag.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('deleting a tag') },
    resolve: async (_root, args, ctx) => {
      const id = decodeId(String(args.id), 'Tag', ['id']);
      const { count } = await ctx.prisma.tag.deleteMany({ where: { id, workspaceId: ctx.workspaceId() } });
      if (!count) throw new NotFoundError('tag', 'id', String(args.id));
      return { id: String(args.id) };
    },
  }),
  tagCustomers: t.field({
    type: TaggingResult,
    description: 'Applies tags to customers named by ID or matched by a filter. Idempotent.',
    authScopes: { 'tags:write': true },
    args: { input: t.arg({ type: TaggingInput, required: true, description: 'Tags and customers.' }) },
    errors: { types: [InputError], union: resultUnion('tagging customers') },
    resolve: (_root, args, ctx) => changeTags(ctx, args.input, 'add'),
  }),
  untagCustomers: t.field({
    type: TaggingResult,
    description: 'Removes tags from customers named by ID or matched by a filter. Idempotent.',
    authScopes: { 'tags:write': true },
    args: { input: t.arg({ type: TaggingInput, required: true, description: 'Tags and customers.' }) },
    errors: { types: [InputError], union: resultUnion('untagging customers') },
    resolve: (_root, args, ctx) => changeTags(ctx, args.input, 'remove'),
  }),
}));

const MAX_TAGS = 50;
const MAX_IDS = 5_000;
/** Customers matched by a filter are tagged in chunks, so a million-customer filter never sits in memory. */
const CHUNK = 5_000;


async function changeTags(ctx: Context, input: typeof TaggingInput.$inferInput, op: 'add' | 'remove') {
  const workspaceId = ctx.workspaceId();
  if (input.tagIds.length === 0 || input.tagIds.length > MAX_TAGS) {
    throw new InputError({ path: ['input', 'tagIds'], message: `give 1 to ${MAX_TAGS} tags`, code: 'size' });
  }
  if ((input.customerIds == null) === (input.filter == null)) {
    throw new InputError({ path: ['input', 'customerIds'], message: 'give either customerIds or filter (not both)', code: 'required' });
  }
  if (input.customerIds && input.customerIds.length > MAX_IDS) {
    throw new InputError({ path: ['input', 'customerIds'], message: `at most ${MAX_IDS} ids; use filter for more`, code: 'too_big' });
  }
  const tagIds = input.tagIds.map((g, i) => decodeId(String(g), 'Tag', ['input', 'tagIds', String(i)]));
  const known = new Set((await ctx.prisma.tag.findMany({ where: { id: { in: tagIds }, workspaceId }, select: { id: true } })).map((t) => t.id));
  const unknown = tagIds.flatMap((id, i) => (known.has(id) ? [] : [{ path: ['input', 'tagIds', String(i)], message: 'no such tag in this workspace', code: 'not_found' }]));
  if (unknown.length) throw new InputError(unknown);
  const source = (input.source ?? 'manual') as TagSource;

  let where: Prisma.CustomerWhereInput;
  if (input.customerIds) {
    const ids = input.customerIds.map((g, i) => decodeId(String(g), 'Customer', ['input', 'customerIds', String(i)]));
    const found = new Set((await ctx.prisma.customer.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true } })).map((c) => c.id));
    const missing = ids.flatMap((id, i) => (found.has(id) ? [] : [{ path: ['input', 'customerIds', String(i)], message: 'no such customer in this workspace', code: 'not_found' }]));
    if (missing.length) throw new InputError(missing);
    where = { workspaceId, id: { in: ids } };
  } else {
    where = await customerWhere(ctx.prisma, workspaceId, input.filter, ['input', 'filter']);
  }

  let matched = 0;
  let changed = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await ctx.prisma.customer.findMany({
      where: cursor ? { AND: [where, { id: { gt: cursor } }] } : where,
      select: { id: true },
      orderBy: { id: 'asc' },
      take: CHUNK,
    });
    if (page.length === 0) break;
    const customerIds = page.map((c) => c.id);
    matched += customerIds.length;
    if (op === 'add') {
      const { count } = await ctx.prisma.customerTag.createMany({
        data: customerIds.flatMap((customerId) => tagIds.map((tagId) => ({ workspaceId, customerId, tagId, source }))),
        skipDuplicates: true,
      });
      changed += count;
    } else {
      const { count } = await ctx.prisma.customerTag.deleteMany({ where: { workspaceId, customerId: { in: customerIds }, tagId: { in: tagIds } } });
      changed += count;
    }
    if (changed) {
      await recheckAfterChange(ctx, workspaceId, customerIds, ['tags']);
      publishCustomerChanges(ctx, workspaceId, customerIds, 'tagged');
    }
    cursor = customerIds[customerIds.length - 1];
    if (page.length < CHUNK) break;
  }
  return { matchedCustomers: matched, changedAssignments: changed };
}
