// simulateJourney: one customer through a journey definition in a sandbox whose clock jumps over
// waits. Nothing is written and nothing is sent; the answer is the path with its timestamps.
import { journeyRegistry } from './marketplace-install.ts';
import { simulateJourney, type SimulatedEffect, type SimulatedStep, type SimulationResult } from '@courtyard/runtime/journey';
import { z } from 'zod';
import { builder } from './builder.ts';
import { InputError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { JourneyIssueRef } from './journey-node-types.ts';
import { zJSONObject } from './scalars.ts';
import { decodeId, parse } from './validation.ts';

const OUTCOMES = {
  next: 'Went on through a port at once.',
  waited: 'Waited (a delay or a time window), then went on.',
  event: 'The awaited event came; went on through the event port.',
  timeout: 'The awaited event did not come in time; went on through the timeout port.',
  deferred: 'A send was not allowed yet (quiet hours, frequency cap); the node ran again later.',
  failed: 'The node failed; went on through its failed port, or the customer was dead-lettered.',
  exited: 'Left the journey at this node.',
  goal: 'Reached the journey goal before this node and left.',
} as const;

const StepOutcomeEnum = builder.enumType('SimulatedStepOutcome', {
  description: 'What happened at a node in a simulation.',
  values: Object.fromEntries(Object.entries(OUTCOMES).map(([k, description]) => [k, { value: k, description }])) as Record<SimulatedStep['outcome'], { value: SimulatedStep['outcome']; description: string }>,
});

const SimulationOutcomeEnum = builder.enumType('SimulationOutcome', {
  description: 'How a simulation ended.',
  values: {
    completed: { value: 'completed', description: 'Left through a port that leads nowhere: the journey is done.' },
    exited: { value: 'exited', description: 'Left at an exit node or on reaching the goal.' },
    failed: { value: 'failed', description: 'A node failed and had no failed port.' },
    unfinished: { value: 'unfinished', description: 'Still inside when the step limit or the time horizon was reached (a loop, or a very long wait).' },
    invalid: { value: 'invalid', description: 'The definition has errors; see issues. Nothing ran.' },
  } as const,
});

const EffectKindEnum = builder.enumType('SimulatedEffectKind', {
  description: 'What a node would have done outside the journey.',
  values: {
    'tagsAdded': { value: 'tagsAdded', description: 'Tags would have been added.' },
    'tagsRemoved': { value: 'tagsRemoved', description: 'Tags would have been removed.' },
    attributes: { value: 'attributes', description: 'Attributes would have changed.' },
    owner: { value: 'owner', description: 'An owner staff member would have been assigned.' },
    message: { value: 'message', description: 'A message would have been sent.' },
    webhook: { value: 'webhook', description: 'A webhook would have been called.' },
    enroll: { value: 'enroll', description: 'The customer would have entered another journey.' },
  } as const,
});

const StepRef = builder.objectRef<SimulatedStep>('SimulatedStep').implement({
  description: 'One node on the simulated path.',
  fields: (t) => ({
    nodeId: t.exposeString('nodeId', { description: 'The node id in the definition.' }),
    nodeType: t.exposeString('nodeType', { description: 'The node type, e.g. `courtyard.wait`.' }),
    at: t.field({ type: 'DateTime', description: 'When the customer reached the node (sandbox time).', resolve: (s) => s.at }),
    leftAt: t.field({ type: 'DateTime', description: 'When the customer left it; later than `at` after a wait.', resolve: (s) => s.leftAt }),
    outcome: t.field({ type: StepOutcomeEnum, description: 'What happened here.', resolve: (s) => s.outcome }),
    port: t.exposeString('port', { nullable: true, description: 'The port taken, if any.' }),
    note: t.exposeString('note', { nullable: true, description: 'Why: the awaited event, the error, the exit reason.' }),
  }),
});

const EffectRef = builder.objectRef<SimulatedEffect>('SimulatedEffect').implement({
  description: 'Something a node would have done, had the journey run for real.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When (sandbox time).', resolve: (e) => e.at }),
    nodeId: t.exposeString('nodeId', { description: 'The node that would have done it.' }),
    kind: t.field({ type: EffectKindEnum, description: 'What kind of effect.', resolve: (e) => e.kind }),
    detail: t.field({ type: 'JSONObject', description: 'The details: tag ids, the rendered message, the webhook address.', resolve: (e) => e.detail }),
  }),
});

const SimulationRef = builder.objectRef<SimulationResult>('JourneySimulation').implement({
  description: 'The path one customer would take through a journey.',
  fields: (t) => ({
    outcome: t.field({ type: SimulationOutcomeEnum, description: 'How it ended.', resolve: (r) => r.outcome }),
    steps: t.field({ type: [StepRef], description: 'The nodes in order, with sandbox timestamps.', resolve: (r) => r.steps }),
    effects: t.field({ type: [EffectRef], description: 'What would have happened outside the journey, in order.', resolve: (r) => r.effects }),
    issues: t.field({ type: [JourneyIssueRef], description: 'Problems of the definition (errors stop the simulation; warnings do not).', resolve: (r) => r.issues }),
    endedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the customer left (sandbox time); null when unfinished or invalid.', resolve: (r) => r.endedAt }),
  }),
});

const SimulatedEventInput = builder.inputType('SimulatedEventInput', {
  description: 'An event that happens to the customer during a simulation.',
  fields: (t) => ({
    type: t.string({ required: true, description: 'Event type, e.g. `order.paid`.' }),
    properties: t.field({ type: 'JSONObject', description: 'Event properties; default empty.' }),
    at: t.field({ type: 'DateTime', required: true, description: 'When it happens (sandbox time).' }),
  }),
});

const zSimulation = z.object({
  definition: zJSONObject(),
  settings: zJSONObject().nullish(),
  events: z.array(z.object({ type: z.string().trim().min(1, { message: 'must not be empty' }), properties: zJSONObject().nullish(), at: z.date() })).max(1000, { message: 'must list at most 1,000 events' }),
  maxSteps: z.number().int().min(1, { message: 'must be at least 1' }).max(1000, { message: 'must be at most 1,000' }),
});

builder.queryFields((t) => ({
  simulateJourney: t.field({
    type: SimulationRef,
    description:
      'Runs a journey definition for one customer in a time-travel sandbox: waits take no time, the listed events happen at their times, nothing is written or sent. Reads (segments, past events and orders) see the real workspace. Returns the path with timestamps and the effects it would have had.',
    authScopes: { 'journeys:read': true, 'customers:read': true },
    args: {
      definition: t.arg({ type: 'JSONObject', required: true, description: 'The journey definition (nodes and edges), e.g. a draft.' }),
      settings: t.arg({ type: 'JSONObject', description: 'Journey settings (goal, quiet hours); default none.' }),
      customerId: t.arg.id({ required: true, description: 'The customer to simulate.' }),
      events: t.arg({ type: [SimulatedEventInput], description: 'Events that happen during the simulation.' }),
      start: t.arg({ type: 'DateTime', description: 'When the customer enters (sandbox time); default now.' }),
      maxSteps: t.arg.int({ description: 'Stop after this many steps (default 200, at most 1,000).' }),
    },
    errors: { types: [InputError, NotFoundError], union: resultUnion('simulating a journey') },
    resolve: async (_root, args, ctx) => {
      const input = parse(zSimulation, { definition: args.definition, settings: args.settings, events: (args.events ?? []).map((e) => ({ ...e, at: e.at })), maxSteps: args.maxSteps ?? 200 }, []);
      const customerId = decodeId(String(args.customerId), 'Customer', ['customerId']);
      const found = await ctx.prisma.customer.findFirst({ where: { id: customerId, workspaceId: ctx.workspaceId() }, select: { id: true } });
      if (!found) throw new NotFoundError('customer', 'customerId', String(args.customerId));
      return simulateJourney({
        db: ctx.db,
        // The workspace's node types: its installed partner nodes too.
        registry: await journeyRegistry(ctx, ctx.workspaceId()),
        workspaceId: ctx.workspaceId(),
        definition: input.definition,
        settings: input.settings ?? {},
        customerId,
        events: input.events.map((e) => ({ type: e.type, properties: (e.properties ?? {}) as never, at: e.at })),
        ...(args.start ? { start: args.start as Date } : {}),
        maxSteps: input.maxSteps,
      });
    },
  }),
}));
