// Journeys: the journey with its draft, versions and enrollments, and the queries that read them.
// Writes are in journey-mutations.ts and journey-enroll.ts; the node catalog and validation in
// journey-node-types.ts; counts and paths in journey-stats.ts; live progress in journey-subscription.ts.
import type { Prisma } from '@courtyard/db';
import { journeyNodeStats, maskDefinitionSecrets } from '@courtyard/runtime/journey';
import { builder } from './builder.ts';
import { JourneyIssueRef, draftIssues } from './journey-node-types.ts';
import { JourneyNodeStatsRef, JourneyStepRef, enrollmentSteps } from './journey-stats.ts';
import { decodeId } from './validation.ts';

export const JourneyStatusEnum = builder.enumType('JourneyStatus', {
  description: 'Where a journey is in its life.',
  values: {
    draft: { value: 'draft', description: 'Never published: it can be edited and deleted, and enrolls nobody.' },
    active: { value: 'active', description: 'Published: its newest version takes new customers and steps run.' },
    paused: { value: 'paused', description: 'Takes no new customers and runs no steps until resumed; waits keep counting.' },
    archived: { value: 'archived', description: 'Ended for good: everyone inside left, nothing runs. Kept for its history.' },
  } as const,
});

export const EnrollmentStatusEnum = builder.enumType('EnrollmentStatus', {
  description: 'Where a customer is in a journey.',
  values: {
    active: { value: 'active', description: 'Due to take the next step.' },
    waiting: { value: 'waiting', description: 'Waiting in a node: for a time, an event or a send window.' },
    completed: { value: 'completed', description: 'Reached the end of the journey.' },
    exited: { value: 'exited', description: 'Left early: goal reached, exit node, or the journey was archived (see exitReason).' },
    failed: { value: 'failed', description: 'A step failed after its retries (see lastError).' },
  } as const,
});

export const JourneyRef = builder.prismaNode('Journey', {
  id: { field: 'id' },
  nullable: true,
  description: 'An automated customer journey (自动化旅程): a trigger, then conditions and actions connected by ports. Edited as a draft, run as published versions.',
  authScopes: { 'journeys:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name, unique in the workspace.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the journey is for.' }),
    status: t.expose('status', { type: JourneyStatusEnum, description: 'Draft, active, paused or archived.' }),
    draft: t.field({
      type: 'JSONObject',
      description: 'The editable graph: `{ nodes: [{ id, type, version, config, label? }], edges: [{ from, port, to }] }`. Secret config fields (`x-secret` in the node\'s config schema) read as "••••••" when set; send that back to keep them.',
      resolve: (journey, _args, ctx) => maskDefinitionSecrets(journey.draft, ctx.runtime.registry) as Record<string, unknown>,
    }),
    layout: t.expose('layout', { type: 'JSONObject', description: 'Canvas positions of the draft\'s nodes by node id, `{ "<nodeId>": { x, y } }`.' }),
    settings: t.expose('settings', { type: 'JSONObject', description: 'Re-entry rule, concurrency cap, goal and quiet hours of the draft (defaults filled in).' }),
    latestVersion: t.exposeInt('latestVersion', { nullable: true, description: 'Number of the newest published version; null until first published.' }),
    draftChanged: t.exposeBoolean('draftChanged', { description: 'Whether the draft differs from the newest published version (publish to put it live).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the journey was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the journey last changed.' }),
    enrolledCount: t.relationCount('enrollments', { description: 'Customers who ever entered (over all versions); read with the journey, so lists stay one query.' }),
    insideCount: t.relationCount('enrollments', {
      description: 'Customers inside now (active or waiting).',
      where: { status: { in: ['active', 'waiting'] } },
    }),
    versions: t.relatedConnection('versions', {
      cursor: 'id',
      description: 'Published versions, newest first.',
      totalCount: true,
      query: { orderBy: { version: 'desc' } },
    }),
    version: t.prismaField({
      type: 'JourneyVersion',
      nullable: true,
      description: 'One published version by its number; null when there is no such version.',
      args: { number: t.arg.int({ required: true, description: 'The version number, from 1.' }) },
      resolve: (query, journey, args, ctx) => ctx.prisma.journeyVersion.findFirst({ ...query, where: { journeyId: journey.id, version: args.number } }),
    }),
    enrollments: t.prismaConnection({
      type: 'Enrollment',
      cursor: 'id',
      description: 'Customers who entered the journey (over all versions), newest first.',
      args: {
        status: t.arg({ type: EnrollmentStatusEnum, description: 'Only enrollments with this status.' }),
        customerId: t.arg.id({ description: 'Only this customer\'s enrollments.' }),
      },
      totalCount: (journey, args, ctx) => ctx.prisma.enrollment.count({ where: enrollmentsWhere(journey, args) }),
      resolve: (query, journey, args, ctx) =>
        ctx.prisma.enrollment.findMany({ ...query, where: enrollmentsWhere(journey, args), orderBy: [{ enteredAt: 'desc' }, { id: 'desc' }] }),
    }),
    stats: t.field({
      type: [JourneyNodeStatsRef],
      description: 'Per node, over all versions: customers who reached it, are inside it now, completed, failed or left, and which ports they took. Read for one journey at a time (lists: enrolledCount, insideCount).',
      resolve: (journey, _args, ctx) => journeyNodeStats(ctx.db, journey.id),
    }),
    validation: t.field({
      type: [JourneyIssueRef],
      description: 'Problems of the current draft, by node and field. Errors block publishing; warnings do not.',
      resolve: (journey, _args, ctx) => draftIssues(ctx, journey),
    }),
  }),
});

type EnrollmentArgs = { status?: Prisma.EnrollmentWhereInput['status'] | null; customerId?: string | number | null };

function enrollmentsWhere(journey: { id: string; workspaceId: string }, args: EnrollmentArgs): Prisma.EnrollmentWhereInput {
  return {
    journeyId: journey.id,
    workspaceId: journey.workspaceId,
    ...(args.status ? { status: args.status } : {}),
    ...(args.customerId != null ? { customerId: decodeId(String(args.customerId), 'Customer', ['customerId']) } : {}),
  };
}


builder.prismaNode('JourneyVersion', {
  id: { field: 'id' },
  nullable: true,
  description: 'A published journey graph. Never changes: customers stay on the version they entered unless a publish migrates them.',
  authScopes: { 'journeys:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    number: t.exposeInt('version', { description: 'The version number: 1 for the first publish, then 2, 3 …' }),
    definition: t.field({
      type: 'JSONObject',
      description: 'The graph as published: nodes and edges. Secret config fields read as "••••••".',
      resolve: (version, _args, ctx) => maskDefinitionSecrets(version.definition, ctx.runtime.registry) as Record<string, unknown>,
    }),
    layout: t.expose('layout', { type: 'JSONObject', description: 'Canvas positions as published.' }),
    settings: t.expose('settings', { type: 'JSONObject', description: 'Re-entry, concurrency cap, goal and quiet hours as published.' }),
    triggerKind: t.exposeString('triggerKind', { description: 'What starts it: event, segment, schedule, date or api.' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', description: 'When it was published.' }),
    accepting: t.exposeBoolean('accepting', { description: 'Whether it takes new customers: the newest version of an active journey.' }),
    journey: t.relation('journey', { description: 'The journey it belongs to.' }),
  }),
});

builder.prismaNode('Enrollment', {
  id: { field: 'id' },
  nullable: true,
  description: 'One customer\'s way through a journey: where they are, how they got there and how it ended.',
  authScopes: { 'journeys:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    journey: t.relation('journey', { description: 'The journey.' }),
    version: t.relation('version', { description: 'The version the customer is on.' }),
    customer: t.relation('customer', { description: 'The customer.' }),
    status: t.expose('status', { type: EnrollmentStatusEnum, description: 'Active, waiting, completed, exited or failed.' }),
    nodeId: t.exposeString('nodeId', { description: 'The node the customer is at now, or ended at.' }),
    visit: t.exposeInt('visit', { description: 'Steps taken so far.' }),
    enteredAt: t.expose('enteredAt', { type: 'DateTime', description: 'When the customer entered.' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: 'When the customer completed, left or failed; null while inside.' }),
    exitReason: t.exposeString('exitReason', { nullable: true, description: 'Why the customer left early, e.g. goal, "journey archived".' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The error of the last failed try of a step.' }),
    path: t.field({
      type: [JourneyStepRef],
      description: 'Every step taken, in order: node, outcome and port.',
      resolve: (enrollment, _args, ctx) => enrollmentSteps(ctx, enrollment.id),
    }),
  }),
});

builder.queryFields((t) => ({
  journeys: t.prismaConnection({
    type: 'Journey',
    cursor: 'id',
    description: 'Journeys of the workspace, newest first.',
    authScopes: { 'journeys:read': true },
    args: {
      status: t.arg({ type: JourneyStatusEnum, description: 'Only journeys with this status.' }),
      search: t.arg.string({ description: 'Only journeys whose name contains this text.' }),
    },
    totalCount: (_c, args, ctx) => ctx.prisma.journey.count({ where: journeysWhere(ctx.workspaceId(), args) }),
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.journey.findMany({ ...query, where: journeysWhere(ctx.workspaceId(), args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
  journey: t.prismaField({
    type: 'Journey',
    nullable: true,
    description: 'One journey by ID; null when there is none in this workspace.',
    authScopes: { 'journeys:read': true },
    args: { id: t.arg.id({ required: true, description: 'The journey\'s ID.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.journey.findFirst({ ...query, where: { id: decodeId(String(args.id), 'Journey', ['id']), workspaceId: ctx.workspaceId() } }),
  }),
}));

function journeysWhere(workspaceId: string, args: { status?: Prisma.JourneyWhereInput['status'] | null; search?: string | null }): Prisma.JourneyWhereInput {
  return {
    workspaceId,
    ...(args.status ? { status: args.status } : {}),
    ...(args.search ? { name: { contains: args.search, mode: 'insensitive' } } : {}),
  };
}
