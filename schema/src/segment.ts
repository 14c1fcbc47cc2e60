// Segments: the node, its members and daily statistics, preview and explain, CRUD and refresh.
import type { Prisma } from '@courtyard/db';
import {
  analyzeMembership,
  announceMembershipChange,
  BULK_CHANGE,
  countSegment,
  dependenciesOf,
  refreshSegment,
  SegmentDefinition as SegmentDefinitionSchema,
  segmentQuery,
  type SegmentDefinition,
} from '@courtyard/db/segments';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { CustomerFilter, customerWhereOnce } from './customer-filter.ts';
import { ConflictError, InputError, isUniqueViolation, NotFoundError } from './errors.ts';
import { DeletedRef, resultUnion } from './error-types.ts';
import { checkDefinition } from './segment-definition.ts';
import { publishSegmentDeltas } from './segment-membership.ts';
import { zDate } from './scalars.ts';
import { assertCustomersExist, decodeId, parse, zText } from './validation.ts';

const SegmentTypeEnum = builder.enumType('SegmentType', {
  description: 'How a segment gets its members.',
  values: {
    dynamic: { value: 'dynamic', description: 'From its definition, kept up to date as customers change and as time passes.' },
    static: { value: 'static', description: 'A fixed list: uploaded, given by ids, or a snapshot of another segment.' },
  } as const,
});

export const SegmentRef = builder.prismaNode('Segment', {
  id: { field: 'id' },
  nullable: true,
  description: 'A layer of customers (客户分层), e.g. "added but never ordered" or "VIP, no complaints".',
  authScopes: { 'segments:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name, unique in the workspace.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the segment is for.' }),
    type: t.expose('type', { type: SegmentTypeEnum, description: 'Dynamic or static.' }),
    definition: t.expose('definition', { type: 'JSON', nullable: true, description: 'The definition (see `segmentDefinitionSchema`); null for a static segment.' }),
    timeDependent: t.boolean({
      description: 'True when membership moves with the clock ("within the last 30 days"); such segments are also refreshed on a schedule.',
      resolve: (s) => s.dependsOn.includes('time'),
    }),
    size: t.relationCount('members', { description: 'How many customers are members now.' }),
    lastRefreshedAt: t.expose('lastRefreshedAt', { type: 'DateTime', nullable: true, description: 'When membership was last fully recomputed.' }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true, description: 'When the segment was archived (no longer offered as a campaign audience); null while in use.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the segment was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the segment last changed.' }),
    members: t.prismaConnection({
      type: 'Customer',
      cursor: 'id',
      description: 'Current members, newest customers first, optionally narrowed by the customer filter.',
      authScopes: { 'customers:read': true },
      args: { filter: t.arg({ type: CustomerFilter, description: 'Only members that also match this filter.' }) },
      totalCount: async (segment, args, ctx) => ctx.prisma.customer.count({ where: await membersWhere(ctx, segment, args) }),
      resolve: async (query, segment, args, ctx) =>
        ctx.prisma.customer.findMany({ ...query, where: await membersWhere(ctx, segment, args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    }),
    stats: t.field({
      type: [SegmentDayStatsRef],
      description: 'Per day (in the workspace time zone): customers who entered, who left, and the size at the end of the day.',
      args: {
        from: t.arg({ type: 'Date', required: true, description: 'First day.' }),
        to: t.arg({ type: 'Date', required: true, description: 'Last day (at most 366 days after `from`).' }),
      },
      resolve: (segment, args, ctx) => segmentStats(ctx, segment.id, segment.workspaceId, args.from, args.to),
    }),
    explain: t.field({
      type: SegmentExplainRef,
      nullable: true,
      description: 'The SQL statement that selects the members, with its parameters. For admins; null for a static segment.',
      authScopes: { 'workspace:write': true },
      resolve: (segment) =>
        segment.definition ? segmentQuery(segment.workspaceId, segment.definition as unknown as SegmentDefinition) : null,
    }),
  }),
});

async function membersWhere(ctx: Context, segment: { id: string; workspaceId: string }, args: Parameters<typeof customerWhereOnce>[0]): Promise<Prisma.CustomerWhereInput> {
  const where = await customerWhereOnce(args, ctx.prisma, segment.workspaceId);
  return { AND: [where, { workspaceId: segment.workspaceId, segments: { some: { segmentId: segment.id } } }] };
}

interface DayStats {
  day: string;
  entered: number;
  exited: number;
  size: number;
}

const SegmentDayStatsRef = builder.objectRef<DayStats>('SegmentDayStats').implement({
  description: 'One day of a segment: inflow, outflow and size (the edge-customer pool view).',
  fields: (t) => ({
    date: t.field({ type: 'Date', description: 'The day.', resolve: (d) => d.day }),
    entered: t.exposeInt('entered', { description: 'Customers who entered that day.' }),
    exited: t.exposeInt('exited', { description: 'Customers who left that day.' }),
    size: t.exposeInt('size', { description: 'Members at the end of the day.' }),
  }),
});

const SegmentExplainRef = builder.objectRef<{ sql: string; params: unknown[] }>('SegmentExplain').implement({
  description: 'The compiled statement of a segment.',
  fields: (t) => ({
    sql: t.exposeString('sql', { description: 'Parameterised SQL ($1 … placeholders).' }),
    params: t.field({ type: 'JSON', description: 'The parameters, in order.', resolve: (e) => e.params }),
  }),
});

async function segmentStats(ctx: Context, segmentId: string, workspaceId: string, fromInput: unknown, toInput: unknown): Promise<DayStats[]> {
  const { from, to } = parse(
    z.object({ from: zDate(), to: zDate() }).refine((r) => r.to >= r.from && r.to.getTime() - r.from.getTime() <= 366 * 86_400_000, {
      message: 'must be on or after `from` and at most 366 days later',
      path: ['to'],
    }),
    { from: fromInput, to: toInput },
    [],
  );
  const workspace = await ctx.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } });
  return ctx.db.query<DayStats>(
    `WITH days AS (SELECT generate_series($2::date, $3::date, interval '1 day')::date AS day),
     changes AS (
       SELECT (at AT TIME ZONE $4)::date AS day,
              count(*) FILTER (WHERE kind = 'entered')::int AS entered,
              count(*) FILTER (WHERE kind = 'exited')::int AS exited
       FROM "SegmentChange" WHERE "segmentId" = $1::uuid AND at >= ($2::date::timestamp AT TIME ZONE $4)
       GROUP BY 1),
     current AS (SELECT count(*)::int AS n FROM "SegmentMember" WHERE "segmentId" = $1::uuid)
     SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(c.entered, 0) AS entered, coalesce(c.exited, 0) AS exited,
            ((SELECT n FROM current) - coalesce((SELECT sum(entered - exited) FROM changes later WHERE later.day > d.day), 0))::int AS size
     FROM days d LEFT JOIN changes c ON c.day = d.day ORDER BY d.day`,
    [segmentId, from.toISOString().slice(0, 10), to.toISOString().slice(0, 10), workspace.timeZone],
  );
}

const SegmentPreviewRef = builder.objectRef<{ count: number; customerIds: string[] }>('SegmentPreview').implement({
  description: 'How many customers a definition selects right now, and the first of them. Nothing is saved.',
  fields: (t) => ({
    count: t.exposeInt('count', { description: 'Customers matching now.' }),
    customers: t.prismaField({
      type: ['Customer'],
      description: 'The first matching customers, newest first.',
      resolve: (query, p, _a, ctx) =>
        ctx.prisma.customer.findMany({ ...query, where: { id: { in: p.customerIds }, workspaceId: ctx.workspaceId() }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    }),
  }),
});

builder.queryFields((t) => ({
  segments: t.prismaConnection({
    type: 'Segment',
    cursor: 'id',
    description: 'Segments of the workspace, newest first.',
    authScopes: { 'segments:read': true },
    args: {
      search: t.arg.string({ description: 'Only segments whose name contains this text.' }),
      type: t.arg({ type: SegmentTypeEnum, description: 'Only dynamic or only static segments.' }),
      archived: t.arg.boolean({ description: 'true: only archived segments; false: only those in use; default both.' }),
    },
    totalCount: (_c, args, ctx) => ctx.prisma.segment.count({ where: segmentsWhere(ctx.workspaceId(), args) }),
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.segment.findMany({ ...query, where: segmentsWhere(ctx.workspaceId(), args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
  segment: t.prismaField({
    type: 'Segment',
    nullable: true,
    description: 'One segment by ID; null when there is none in this workspace.',
    authScopes: { 'segments:read': true },
    args: { id: t.arg.id({ required: true, description: 'The segment\'s ID.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.segment.findFirst({ ...query, where: { id: decodeId(String(args.id), 'Segment', ['id']), workspaceId: ctx.workspaceId() } }),
  }),
  segmentDefinitionSchema: t.field({
    type: 'JSON',
    description: 'The JSON Schema of segment definitions: every condition kind, operator and operand. Rule builders draw their forms from it.',
    resolve: () => z.toJSONSchema(SegmentDefinitionSchema, { io: 'input', unrepresentable: 'any' }),
  }),
  previewSegment: t.field({
    type: SegmentPreviewRef,
    description: 'Counts the customers a definition selects and returns the first page, without saving anything.',
    authScopes: { 'segments:read': true },
    args: {
      definition: t.arg({ type: 'JSON', required: true, description: 'A segment definition.' }),
      first: t.arg.int({ description: 'How many customers to return (at most 100; default 20).' }),
    },
    errors: { types: [InputError], union: resultUnion('previewing a segment') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const definition = await checkDefinition(ctx, workspaceId, args.definition, ['definition']);
      const first = Math.min(Math.max(args.first ?? 20, 0), 100);
      const { sql, params } = segmentQuery(workspaceId, definition);
      const [count, page] = await Promise.all([
        countSegment(ctx.db, workspaceId, definition),
        ctx.db.query<{ id: string }>(`${sql.replace('SELECT c.id', 'SELECT c.id, c."createdAt"')} ORDER BY c."createdAt" DESC, c.id DESC LIMIT ${first}`, params),
      ]);
      return { count, customerIds: page.map((r) => r.id) };
    },
  }),
}));

function segmentsWhere(workspaceId: string, args: { search?: string | null; type?: 'dynamic' | 'static' | null; archived?: boolean | null }): Prisma.SegmentWhereInput {
  return {
    workspaceId,
    ...(args.archived != null ? { archivedAt: args.archived ? { not: null } : null } : {}),
    ...(args.search ? { name: { contains: args.search, mode: 'insensitive' } } : {}),
    ...(args.type ? { type: args.type } : {}),
  };
}

const SegmentInput = builder.inputType('SegmentInput', {
  description: 'A new segment. Dynamic: give `definition`. Static: give `customerIds`, or `snapshotOf` to freeze another segment\'s current members, or neither and upload a CSV with `importSegmentCsv`.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Name, unique in the workspace.' }),
    description: t.string({ description: 'What the segment is for.' }),
    type: t.field({ type: SegmentTypeEnum, required: true, description: 'Dynamic or static.' }),
    definition: t.field({ type: 'JSON', description: 'The definition of a dynamic segment.' }),
    customerIds: t.idList({ description: 'Members of a static segment (at most 10,000; use a CSV for more).' }),
    snapshotOf: t.id({ description: 'Make a static segment of this segment\'s current members.' }),
  }),
});

const SegmentPatch = builder.inputType('SegmentPatch', {
  description: 'Changes to a segment; omitted fields stay. A new definition recomputes membership at once.',
  fields: (t) => ({
    name: t.string({ description: 'New name.' }),
    description: t.string({ description: 'New description; null clears it.' }),
    definition: t.field({ type: 'JSON', description: 'New definition (dynamic segments only).' }),
  }),
});

const MAX_STATIC_IDS = 10_000;

export async function findSegment(ctx: Context, globalId: string, path: string[]) {
  const id = decodeId(globalId, 'Segment', path);
  const segment = await ctx.prisma.segment.findFirst({ where: { id, workspaceId: ctx.workspaceId() } });
  if (!segment) throw new NotFoundError('segment', path.join('.'), globalId);
  return segment;
}

async function addStaticMembers(ctx: Context, workspaceId: string, segmentId: string, customerIds: string[]) {
  // Under the segment's lock, as every write to its change log (segment-triggered journeys read the
  // log after a cursor that must never pass a change still to commit).
  const added = await ctx.db.transaction(async (query) => {
    await query(`SELECT pg_advisory_xact_lock(hashtext('segment:' || $1::text))`, [segmentId]);
    return query<{ customerId: string }>(
      `WITH added AS (
         INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId")
         SELECT $2::uuid, c.id, $1::uuid FROM "Customer" c WHERE c."workspaceId" = $1::uuid AND c.id = ANY($3::uuid[])
         ON CONFLICT DO NOTHING RETURNING "customerId")
       INSERT INTO "SegmentChange" ("workspaceId", "segmentId", "customerId", kind)
       SELECT $1::uuid, $2::uuid, "customerId", 'entered' FROM added RETURNING "customerId"`,
      [workspaceId, segmentId, customerIds],
    );
  });
  // Journeys that start on entering this segment hear about it like a dynamic segment's entries.
  announceMembershipChange(ctx.db, workspaceId, [{ segmentId, entered: added.map((r) => r.customerId), exited: [] }]);
  if (added.length >= BULK_CHANGE) void analyzeMembership(ctx.db);
}

/**
 * Stores a new segment; a dynamic one is computed at once and its entries announced (journeys
 * starting on them hear of it). A taken name is a ConflictError on `input.name`.
 */
export async function insertSegment(
  ctx: Context,
  data: { workspaceId: string; name: string; description: string | null; type: 'dynamic' | 'static'; definition: SegmentDefinition | null },
) {
  const { definition } = data;
  let segment;
  try {
    segment = await ctx.prisma.segment.create({
      data: {
        workspaceId: data.workspaceId,
        name: data.name,
        description: data.description,
        type: data.type,
        definition: (definition ?? undefined) as Prisma.InputJsonValue | undefined,
        dependsOn: definition ? dependenciesOf(definition) : [],
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A segment named "${data.name}" exists.`, 'input.name');
    throw error;
  }
  if (definition) publishSegmentDeltas(ctx, data.workspaceId, [await refreshSegment(ctx.db, { ...segment, definition })]);
  return segment;
}

const RefreshResultRef = builder.objectRef<{ segmentId: string; entered: number; exited: number }>('SegmentRefresh').implement({
  description: 'What a refresh changed.',
  fields: (t) => ({
    segment: t.prismaField({
      type: 'Segment',
      description: 'The refreshed segment.',
      resolve: (query, r, _a, ctx) => ctx.prisma.segment.findUniqueOrThrow({ ...query, where: { id: r.segmentId } }),
    }),
    entered: t.exposeInt('entered', { description: 'Customers who entered.' }),
    exited: t.exposeInt('exited', { description: 'Customers who left.' }),
  }),
});

builder.mutationFields((t) => ({
  createSegment: t.prismaField({
    type: 'Segment',
    description: 'Creates a segment; a dynamic one is computed at once.',
    authScopes: { 'segments:write': true },
    args: { input: t.arg({ type: SegmentInput, required: true, description: 'The segment.' }) },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('creating a segment') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const { input } = args;
      const name = parse(zText(100), input.name, ['input', 'name']);
      const description = input.description == null ? null : parse(zText(500), input.description, ['input', 'description']);
      if (input.type === 'dynamic' && (input.customerIds || input.snapshotOf)) {
        throw new InputError({ path: ['input', 'type'], message: 'a dynamic segment takes a definition, not customerIds or snapshotOf', code: 'invalid' });
      }
      if (input.type === 'static' && input.definition != null) {
        throw new InputError({ path: ['input', 'definition'], message: 'a static segment has no definition; use type dynamic', code: 'invalid' });
      }
      if (input.type === 'dynamic' && input.definition == null) throw new InputError({ path: ['input', 'definition'], message: 'a dynamic segment needs a definition', code: 'required' });
      const definition = input.type === 'dynamic' ? await checkDefinition(ctx, workspaceId, input.definition, ['input', 'definition']) : null;
      const customerIds = (input.customerIds ?? []).map((g, i) => decodeId(String(g), 'Customer', ['input', 'customerIds', String(i)]));
      if (customerIds.length > MAX_STATIC_IDS) throw new InputError({ path: ['input', 'customerIds'], message: `at most ${MAX_STATIC_IDS} ids; upload a CSV for more`, code: 'too_big' });
      await assertCustomersExist(ctx.prisma, workspaceId, customerIds, ['input', 'customerIds']);
      const source = input.snapshotOf ? await findSegment(ctx, String(input.snapshotOf), ['input', 'snapshotOf']) : null;
      const segment = await insertSegment(ctx, { workspaceId, name, description, type: input.type, definition });
      if (source) {
        const members = await ctx.db.query<{ customerId: string }>(`SELECT "customerId" FROM "SegmentMember" WHERE "segmentId" = $1::uuid`, [source.id]);
        await addStaticMembers(ctx, workspaceId, segment.id, members.map((m) => m.customerId));
      } else if (customerIds.length) {
        await addStaticMembers(ctx, workspaceId, segment.id, customerIds);
      }
      return ctx.prisma.segment.findUniqueOrThrow({ ...query, where: { id: segment.id } });
    },
  }),
  updateSegment: t.prismaField({
    type: 'Segment',
    description: 'Renames a segment or changes its definition (membership is recomputed at once, entries and exits recorded).',
    authScopes: { 'segments:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The segment.' }),
      input: t.arg({ type: SegmentPatch, required: true, description: 'The changes.' }),
    },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('updating a segment') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const segment = await findSegment(ctx, String(args.id), ['id']);
      const data: Prisma.SegmentUpdateInput = {};
      if (args.input.name != null) data.name = parse(zText(100), args.input.name, ['input', 'name']);
      if (args.input.description !== undefined) data.description = args.input.description == null ? null : parse(zText(500), args.input.description, ['input', 'description']);
      let definition: SegmentDefinition | null = null;
      if (args.input.definition != null) {
        if (segment.type !== 'dynamic') throw new InputError({ path: ['input', 'definition'], message: 'a static segment has no definition', code: 'invalid' });
        definition = await checkDefinition(ctx, workspaceId, args.input.definition, ['input', 'definition'], segment.id);
        data.definition = definition as unknown as Prisma.InputJsonValue;
        data.dependsOn = dependenciesOf(definition);
      }
      try {
        await ctx.prisma.segment.update({ where: { id: segment.id }, data });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('A segment with this name exists.', 'input.name');
        throw error;
      }
      if (definition) publishSegmentDeltas(ctx, workspaceId, [await refreshSegment(ctx.db, { ...segment, definition, dependsOn: dependenciesOf(definition) })]);
      return ctx.prisma.segment.findUniqueOrThrow({ ...query, where: { id: segment.id } });
    },
  }),
  deleteSegment: t.field({
    type: DeletedRef,
    description: 'Deletes a segment and its membership history. Refused while another segment refers to it.',
    authScopes: { 'segments:write': true },
    args: { id: t.arg.id({ required: true, description: 'The segment.' }) },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('deleting a segment') },
    resolve: async (_root, args, ctx) => {
      const segment = await findSegment(ctx, String(args.id), ['id']);
      const dependents = await ctx.prisma.segment.findMany({ where: { workspaceId: segment.workspaceId, dependsOn: { has: `segment:${segment.id}` } }, select: { name: true } });
      if (dependents.length) throw new ConflictError(`Segments ${dependents.map((d) => `"${d.name}"`).join(', ')} refer to this one; change them first.`, 'id');
      await ctx.prisma.segment.delete({ where: { id: segment.id } });
      return { id: String(args.id) };
    },
  }),
  refreshSegment: t.field({
    type: RefreshResultRef,
    description: 'Recomputes a dynamic segment\'s membership now, recording who entered and left.',
    authScopes: { 'segments:write': true },
    args: { id: t.arg.id({ required: true, description: 'The segment.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('refreshing a segment') },
    resolve: async (_root, args, ctx) => {
      const segment = await findSegment(ctx, String(args.id), ['id']);
      if (segment.type !== 'dynamic' || !segment.definition) throw new InputError({ path: ['id'], message: 'only a dynamic segment can be refreshed', code: 'invalid' });
      const delta = await refreshSegment(ctx.db, { ...segment, definition: segment.definition as unknown as SegmentDefinition });
      publishSegmentDeltas(ctx, segment.workspaceId, [delta]);
      return { segmentId: segment.id, entered: delta.entered.length, exited: delta.exited.length };
    },
  }),
  archiveSegment: t.prismaField({
    type: 'Segment',
    description: 'Archives a segment: it keeps its members and history, but campaigns can no longer start on it (a scheduled one is refused with the segment named).',
    authScopes: { 'segments:write': true },
    args: { id: t.arg.id({ required: true, description: 'The segment.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('archiving a segment') },
    resolve: async (query, _root, args, ctx) => {
      const segment = await findSegment(ctx, String(args.id), ['id']);
      return ctx.prisma.segment.update({ ...query, where: { id: segment.id }, data: { archivedAt: segment.archivedAt ?? new Date() } });
    },
  }),
  restoreSegment: t.prismaField({
    type: 'Segment',
    description: 'Brings an archived segment back into use.',
    authScopes: { 'segments:write': true },
    args: { id: t.arg.id({ required: true, description: 'The segment.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('restoring a segment') },
    resolve: async (query, _root, args, ctx) => {
      const segment = await findSegment(ctx, String(args.id), ['id']);
      return ctx.prisma.segment.update({ ...query, where: { id: segment.id }, data: { archivedAt: null } });
    },
  }),
}));
