// Writing journeys: create and edit the draft, delete a never-published one, publish versions,
// and pause, resume or archive.
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@courtyard/db';
import { JourneyDefinition, JourneyLayout, JourneySettings, type LifecycleError, type MigrationReport, publishJourney, sealDefinitionSecrets, setJourneyStatus } from '@courtyard/runtime/journey';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { ConflictError, CourtyardError, type FieldIssue, InputError, isUniqueViolation, NotFoundError } from './errors.ts';
import { DeletedRef, ErrorInterface, resultUnion } from './error-types.ts';
import { JourneyStatusEnum } from './journey.ts';
import { JourneyValidationError } from './journey-node-types.ts';
import { journeyRegistry } from './marketplace-install.ts';
import { zJSONObject } from './scalars.ts';
import { check, decodeId, parse, zText } from './validation.ts';

type JourneyStatus = 'draft' | 'active' | 'paused' | 'archived';

/** The journey's status does not allow this: e.g. pausing a draft, or enrolling into a paused journey. */
export class JourneyStateError extends CourtyardError {
  constructor(message: string, readonly status: JourneyStatus) {
    super(message, 'JOURNEY_STATE');
  }
}

builder.objectType(JourneyStateError, {
  name: 'JourneyStateError',
  description: 'The journey\'s status (or its trigger) does not allow this; the message says what would. Nothing changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof JourneyStateError,
  fields: (t) => ({
    status: t.field({ type: JourneyStatusEnum, description: 'The journey\'s status now.', resolve: (e) => e.status }),
  }),
});

const EMPTY_DEFINITION: JourneyDefinition = { nodes: [], edges: [] };

const JourneyInput = builder.inputType('JourneyInput', {
  description: 'A new journey. It starts as a draft; publish it to put it live.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Name, unique in the workspace (at most 100 characters).' }),
    description: t.string({ description: 'What the journey is for (at most 500 characters).' }),
    definition: t.field({ type: 'JSONObject', description: 'The graph `{ nodes, edges }`; default empty. Node configs are checked by `validation`, not here.' }),
    layout: t.field({ type: 'JSONObject', description: 'Canvas positions by node id, `{ "<nodeId>": { x, y } }`; default none.' }),
    settings: t.field({ type: 'JSONObject', description: 'Re-entry rule, concurrency cap, goal and quiet hours; omitted parts take their defaults.' }),
  }),
});

const JourneyPatch = builder.inputType('JourneyPatch', {
  description: 'Changes to a journey\'s draft; omitted fields stay. Published versions never change: publish again to put the draft live.',
  fields: (t) => ({
    name: t.string({ description: 'New name.' }),
    description: t.string({ description: 'New description; null clears it.' }),
    definition: t.field({ type: 'JSONObject', description: 'The whole new graph `{ nodes, edges }`.' }),
    layout: t.field({ type: 'JSONObject', description: 'The whole new layout.' }),
    settings: t.field({ type: 'JSONObject', description: 'The whole new settings; omitted parts take their defaults.' }),
  }),
});

type DraftParts = Partial<Record<'definition' | 'layout' | 'settings', Prisma.InputJsonValue>>;

/** The draft parts of an input, shape-checked; a node's config is left to `validation`. */
function draftParts(input: { definition?: unknown; layout?: unknown; settings?: unknown }): DraftParts {
  const parts: DraftParts = {};
  const issues: FieldIssue[] = [];
  const schemas = { definition: JourneyDefinition, layout: JourneyLayout, settings: JourneySettings };
  for (const field of ['definition', 'layout', 'settings'] as const) {
    if (input[field] == null) continue;
    const object = check(zJSONObject(), input[field], ['input', field]);
    const result = object.ok ? check(schemas[field], object.data, ['input', field]) : object;
    if (result.ok) parts[field] = result.data as Prisma.InputJsonValue;
    else issues.push(...result.issues);
  }
  if (issues.length) throw new InputError(issues);
  return parts;
}

export async function findJourney(ctx: Context, globalId: string, path: string[]) {
  const id = decodeId(globalId, 'Journey', path);
  const journey = await ctx.prisma.journey.findFirst({ where: { id, workspaceId: ctx.workspaceId() } });
  if (!journey) throw new NotFoundError('journey', path.join('.'), globalId);
  return journey;
}

function lifecycleError(error: LifecycleError, globalId: string, status: JourneyStatus): Error {
  if (error.kind === 'not-found') return new NotFoundError('journey', 'id', globalId);
  if (error.kind === 'invalid') return new JourneyValidationError(error.issues);
  return new JourneyStateError(`Not possible: ${error.message}.`, status);
}

const MigrationRef = builder.objectRef<MigrationReport>('JourneyMigration').implement({
  description: 'Customers moved to the new version by a publish with `migrate`, and those left on their version.',
  fields: (t) => ({
    moved: t.exposeInt('moved', { description: 'Customers moved to the new version (their node exists in it).' }),
    unmatched: t.field({
      type: [builder.objectRef<{ nodeId: string; customers: number }>('JourneyUnmatchedNode').implement({
        description: 'Customers left on an older version because their node is not in the new one.',
        fields: (u) => ({
          nodeId: u.exposeString('nodeId', { description: 'The node they are at.' }),
          customers: u.exposeInt('customers', { description: 'How many.' }),
        }),
      })],
      description: 'By node, customers who stay on their version.',
      resolve: (m) => m.unmatched,
    }),
  }),
});

const PublishPayload = builder.objectRef<{ journeyId: string; versionId: string; migration: MigrationReport | null }>('PublishJourneyPayload').implement({
  description: 'A published version.',
  fields: (t) => ({
    journey: t.prismaField({ type: 'Journey', description: 'The journey, now active (or still paused).', resolve: (query, p, _a, ctx) => ctx.prisma.journey.findUniqueOrThrow({ ...query, where: { id: p.journeyId } }) }),
    version: t.prismaField({ type: 'JourneyVersion', description: 'The new version; it takes new customers.', resolve: (query, p, _a, ctx) => ctx.prisma.journeyVersion.findUniqueOrThrow({ ...query, where: { id: p.versionId } }) }),
    migration: t.field({ type: MigrationRef, nullable: true, description: 'What `migrate` did; null when it was not asked.', resolve: (p) => p.migration }),
  }),
});

/** Tells this node's engine and every progress subscriber that a journey changed state. */
function journeyChanged(ctx: Context, workspaceId: string, journeyId: string) {
  ctx.runtime.journeysChanged(workspaceId);
  ctx.pubsub.publish('journeyProgress', workspaceId, { journeyId });
}

async function changeStatus(ctx: Context, query: { include?: Prisma.JourneyInclude; select?: Prisma.JourneySelect }, globalId: string, action: 'pause' | 'resume' | 'archive') {
  const journey = await findJourney(ctx, globalId, ['id']);
  const result = await setJourneyStatus(ctx.db, journey.workspaceId, journey.id, action);
  if ('kind' in result) throw lifecycleError(result, globalId, journey.status);
  journeyChanged(ctx, journey.workspaceId, journey.id);
  return ctx.prisma.journey.findUniqueOrThrow({ ...query, where: { id: journey.id } });
}

builder.mutationFields((t) => ({
  createJourney: t.prismaField({
    type: 'Journey',
    description: 'Creates a journey as a draft.',
    authScopes: { 'journeys:write': true },
    args: { input: t.arg({ type: JourneyInput, required: true, description: 'The journey.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('creating a journey') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const name = parse(zText(100), args.input.name, ['input', 'name']);
      const description = args.input.description == null ? null : parse(zText(500), args.input.description, ['input', 'description']);
      const parts = draftParts(args.input);
      // The id is chosen here because secrets are sealed for it before the row exists.
      const id = randomUUID();
      const definition = parts.definition ? sealDefinitionSecrets(parts.definition, null, await journeyRegistry(ctx, workspaceId), { workspaceId, journeyId: id }) : EMPTY_DEFINITION;
      try {
        return await ctx.prisma.journey.create({
          ...query,
          data: {
            id,
            workspaceId,
            name,
            description,
            draft: definition as Prisma.InputJsonValue,
            layout: (parts.layout ?? {}) as Prisma.InputJsonValue,
            settings: (parts.settings ?? JourneySettings.parse({})) as Prisma.InputJsonValue,
          },
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`A journey named "${name}" exists.`, 'input.name');
        throw error;
      }
    },
  }),
  updateJourney: t.prismaField({
    type: 'Journey',
    description: 'Edits a journey\'s draft. The draft may have config errors (see `validation`); only publishing needs it clean.',
    authScopes: { 'journeys:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The journey.' }),
      input: t.arg({ type: JourneyPatch, required: true, description: 'The changes.' }),
    },
    errors: { types: [InputError, NotFoundError, ConflictError, JourneyStateError], union: resultUnion('updating a journey') },
    resolve: async (query, _root, args, ctx) => {
      const journey = await findJourney(ctx, String(args.id), ['id']);
      if (journey.status === 'archived') throw new JourneyStateError('An archived journey cannot be edited.', journey.status);
      const data: Prisma.JourneyUpdateInput = {};
      if (args.input.name != null) data.name = parse(zText(100), args.input.name, ['input', 'name']);
      if (args.input.description !== undefined) data.description = args.input.description == null ? null : parse(zText(500), args.input.description, ['input', 'description']);
      const parts = draftParts(args.input);
      if (parts.definition) {
        data.draft = sealDefinitionSecrets(parts.definition, journey.draft, await journeyRegistry(ctx, journey.workspaceId), { workspaceId: journey.workspaceId, journeyId: journey.id });
      }
      if (parts.layout) data.layout = parts.layout;
      if (parts.settings) data.settings = parts.settings;
      if (parts.definition || parts.layout || parts.settings) data.draftChanged = true;
      try {
        return await ctx.prisma.journey.update({ ...query, where: { id: journey.id }, data });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('A journey with this name exists.', 'input.name');
        throw error;
      }
    },
  }),
  deleteJourney: t.field({
    type: DeletedRef,
    description: 'Deletes a journey that was never published. A published one keeps its history: archive it instead.',
    authScopes: { 'journeys:write': true },
    args: { id: t.arg.id({ required: true, description: 'The journey.' }) },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('deleting a journey') },
    resolve: async (_root, args, ctx) => {
      const journey = await findJourney(ctx, String(args.id), ['id']);
      if (journey.latestVersion != null) throw new ConflictError('This journey was published and has a history; archive it instead (archiveJourney).', 'id');
      await ctx.prisma.journey.delete({ where: { id: journey.id } });
      return { id: String(args.id) };
    },
  }),
  publishJourney: t.field({
    type: PublishPayload,
    description: 'Publishes the draft as the next version, which takes new customers from now on. Customers inside stay on their version unless `migrate` moves them.',
    authScopes: { 'journeys:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The journey.' }),
      migrate: t.arg.boolean({ description: 'Move customers inside older versions to the new one where their node still exists. Default false.' }),
    },
    errors: { types: [InputError, NotFoundError, JourneyValidationError, JourneyStateError], union: resultUnion('publishing a journey') },
    resolve: async (_root, args, ctx) => {
      const journey = await findJourney(ctx, String(args.id), ['id']);
      const result = await publishJourney(ctx.db, await journeyRegistry(ctx, journey.workspaceId), journey.workspaceId, journey.id, { migrate: args.migrate ?? false });
      if ('kind' in result) throw lifecycleError(result, String(args.id), journey.status);
      journeyChanged(ctx, journey.workspaceId, journey.id);
      return { journeyId: journey.id, versionId: result.versionId, migration: result.migration ?? null };
    },
  }),
  pauseJourney: t.prismaField({
    type: 'Journey',
    description: 'Pauses a journey: no new customers and no steps until resumed; waits keep counting.',
    authScopes: { 'journeys:write': true },
    args: { id: t.arg.id({ required: true, description: 'The journey.' }) },
    errors: { types: [InputError, NotFoundError, JourneyStateError], union: resultUnion('pausing a journey') },
    resolve: (query, _root, args, ctx) => changeStatus(ctx, query, String(args.id), 'pause'),
  }),
  resumeJourney: t.prismaField({
    type: 'Journey',
    description: 'Resumes a paused journey: steps run again and its newest version takes new customers.',
    authScopes: { 'journeys:write': true },
    args: { id: t.arg.id({ required: true, description: 'The journey.' }) },
    errors: { types: [InputError, NotFoundError, JourneyStateError], union: resultUnion('resuming a journey') },
    resolve: (query, _root, args, ctx) => changeStatus(ctx, query, String(args.id), 'resume'),
  }),
  archiveJourney: t.prismaField({
    type: 'Journey',
    description: 'Archives a journey for good: everyone inside leaves (exit reason "journey archived") and nothing runs again.',
    authScopes: { 'journeys:write': true },
    args: { id: t.arg.id({ required: true, description: 'The journey.' }) },
    errors: { types: [InputError, NotFoundError, JourneyStateError], union: resultUnion('archiving a journey') },
    resolve: (query, _root, args, ctx) => changeStatus(ctx, query, String(args.id), 'archive'),
  }),
}));
