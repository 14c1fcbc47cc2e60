// importSegmentCsv: a static segment from an uploaded CSV (GraphQL multipart request), matched by
// phone, WeCom external id or email, with a report of rows that matched nothing. All or nothing:
// the segment and its members are written in one transaction.
import { analyzeMembership, announceMembershipChange, BULK_CHANGE, CsvFileError, decodeCsv, matchCsvRows, parseCustomerCsv } from '@courtyard/db/segments';
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { ConflictError, InputError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { decodeId, parse, zText } from './validation.ts';

builder.scalarType('File', {
  description: 'A file sent as part of a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec).',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar.');
  },
  parseValue: (value) => {
    // Yoga hands over its own File implementation, so check the shape rather than the class.
    if (value && typeof (value as File).arrayBuffer === 'function' && typeof (value as File).name === 'string') return value as File;
    throw new GraphQLError('Expected a file uploaded with a GraphQL multipart request.');
  },
});

const ImportSegmentCsvInput = builder.inputType('ImportSegmentCsvInput', {
  description: 'A CSV of customers (columns phone / 手机号, email / 邮箱, external id / 外部联系人ID; UTF-8 or GBK) for a static segment.',
  fields: (t) => ({
    file: t.field({ type: 'File', required: true, description: 'The CSV file, at most 1,000,000 rows.' }),
    name: t.string({ description: 'Create a new static segment with this name.' }),
    description: t.string({ description: 'Description of the new segment.' }),
    segmentId: t.id({ description: 'Or add the matched customers to this existing static segment.' }),
  }),
});

interface CsvReport {
  segmentId: string;
  encoding: string;
  rows: number;
  matched: number;
  added: number;
  unmatched: { line: number; value: string }[];
  problems: { line: number; kind: string; message: string }[];
}

const CsvRowReport = builder.objectRef<{ line: number; value?: string; kind?: string; message?: string }>('CsvRowReport').implement({
  description: 'One row of an uploaded CSV that was not used.',
  fields: (t) => ({
    line: t.exposeInt('line', { description: 'Line of the file, from 1.' }),
    value: t.string({ nullable: true, description: 'The identity values of the row, when it matched no customer.', resolve: (r) => r.value ?? null }),
    kind: t.string({ description: 'unmatched, invalid, missing or duplicate.', resolve: (r) => r.kind ?? 'unmatched' }),
    message: t.string({ description: 'Why the row was not used.', resolve: (r) => r.message ?? 'no customer of this workspace has this phone, external id or email' }),
  }),
});

const MAX_REPORTED = 1_000;

const ImportSegmentCsvPayload = builder.objectRef<CsvReport>('ImportSegmentCsvPayload').implement({
  description: 'What an uploaded CSV did.',
  fields: (t) => ({
    segment: t.prismaField({
      type: 'Segment',
      description: 'The static segment.',
      resolve: (query, r, _a, ctx) => ctx.prisma.segment.findUniqueOrThrow({ ...query, where: { id: r.segmentId } }),
    }),
    encoding: t.exposeString('encoding', { description: 'How the file was read: utf-8, utf-8-bom, gbk, utf-16le or utf-16be.' }),
    rowCount: t.exposeInt('rows', { description: 'Data rows read.' }),
    matchedCount: t.exposeInt('matched', { description: 'Distinct customers the rows matched.' }),
    addedCount: t.exposeInt('added', { description: 'Customers newly added to the segment.' }),
    unmatchedCount: t.int({ description: 'Rows that matched no customer.', resolve: (r) => r.unmatched.length }),
    problemCount: t.int({ description: 'Rows that could not be read or repeated an earlier row.', resolve: (r) => r.problems.length }),
    unmatched: t.field({ type: [CsvRowReport], description: `Rows that matched no customer (the first ${MAX_REPORTED}).`, resolve: (r) => r.unmatched.slice(0, MAX_REPORTED) }),
    problems: t.field({ type: [CsvRowReport], description: `Rows that could not be read, or duplicates (the first ${MAX_REPORTED}).`, resolve: (r) => r.problems.slice(0, MAX_REPORTED) }),
  }),
});

builder.mutationFields((t) => ({
  importSegmentCsv: t.field({
    type: ImportSegmentCsvPayload,
    description:
      'Builds a static segment from a CSV sent as a GraphQL multipart request (field `input.file`). Give `name` for a new segment or `segmentId` to add to one. Nothing is stored when the file cannot be read.',
    authScopes: { 'segments:write': true },
    args: { input: t.arg({ type: ImportSegmentCsvInput, required: true, description: 'The file and the target segment.' }) },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('importing a segment CSV') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const { input } = args;
      if ((input.name == null) === (input.segmentId == null)) {
        throw new InputError({ path: ['input', 'name'], message: 'give either name (new segment) or segmentId (existing static segment)', code: 'required' });
      }
      const name = input.name == null ? null : parse(zText(100), input.name, ['input', 'name']);
      let existingId: string | null = null;
      if (input.segmentId != null) {
        existingId = decodeId(String(input.segmentId), 'Segment', ['input', 'segmentId']);
        const existing = await ctx.prisma.segment.findFirst({ where: { id: existingId, workspaceId }, select: { type: true } });
        if (!existing) throw new NotFoundError('segment', 'input.segmentId', String(input.segmentId));
        if (existing.type !== 'static') throw new InputError({ path: ['input', 'segmentId'], message: 'a CSV can only fill a static segment', code: 'invalid' });
      } else if (await ctx.prisma.segment.findFirst({ where: { workspaceId, name: name! }, select: { id: true } })) {
        throw new ConflictError(`A segment named "${name}" exists.`, 'input.name');
      }

      let parsed;
      let encoding;
      try {
        const decoded = decodeCsv(new Uint8Array(await input.file.arrayBuffer()));
        encoding = decoded.encoding;
        parsed = parseCustomerCsv(decoded.text);
      } catch (error) {
        if (error instanceof CsvFileError) throw new InputError({ path: ['input', 'file'], message: error.message, code: 'invalid_file' });
        throw error;
      }
      if (!parsed.rows.length && !parsed.problems.length) throw new InputError({ path: ['input', 'file'], message: 'the file has no rows with a phone, email or external id', code: 'empty' });

      const { segmentId, match, added } = await ctx.db.transaction(async (query) => {
        const match = await matchCsvRows({ query }, workspaceId, parsed.rows);
        let segmentId = existingId;
        if (!segmentId) {
          const [row] = await query<{ id: string }>(
            `INSERT INTO "Segment" ("workspaceId", name, description, type, "dependsOn", "updatedAt") VALUES ($1::uuid, $2, $3, 'static', '{}', now()) RETURNING id`,
            [workspaceId, name, input.description ?? null],
          );
          segmentId = row!.id;
        }
        // Under the segment's lock, as every write to its change log (see addStaticMembers).
        await query(`SELECT pg_advisory_xact_lock(hashtext('segment:' || $1::text))`, [segmentId]);
        const added = await query<{ customerId: string }>(
          `WITH added AS (
             INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId")
             SELECT $2::uuid, id, $1::uuid FROM unnest($3::uuid[]) AS id
             ON CONFLICT DO NOTHING RETURNING "customerId")
           INSERT INTO "SegmentChange" ("workspaceId", "segmentId", "customerId", kind)
           SELECT $1::uuid, $2::uuid, "customerId", 'entered' FROM added RETURNING "customerId"`,
          [workspaceId, segmentId, match.customerIds],
        );
        return { segmentId, match, added: added.map((r) => r.customerId) };
      });
      // Journeys that start on entering this segment hear about the imported customers.
      announceMembershipChange(ctx.db, workspaceId, [{ segmentId, entered: added, exited: [] }]);
      // A large import renews the membership statistics (see BULK_CHANGE); the answer need not wait for it.
      if (added.length >= BULK_CHANGE) void analyzeMembership(ctx.db);
      return {
        segmentId,
        encoding,
        rows: parsed.dataRows,
        matched: match.customerIds.length,
        added: added.length,
        unmatched: match.unmatched,
        problems: parsed.problems,
      };
    },
  }),
}));
