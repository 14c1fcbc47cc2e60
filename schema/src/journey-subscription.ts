// journeyProgress: a journey's counts per node, pushed as customers move, at most once a second.
// Workers on any node publish that a journey moved; each message re-reads the counts, so many moves
// within a second cost one read per subscriber.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { journeyNodeStats } from '@courtyard/runtime/journey';
import { builder } from './builder.ts';
import { COALESCE_MS, coalesce } from './coalesce.ts';
import { NotFoundError } from './errors.ts';
import { JourneyNodeStatsRef } from './journey-stats.ts';
import type { JourneyProgressMessage } from './pubsub.ts';
import { decodeId } from './validation.ts';

interface Progress {
  journeyId: string;
  workspaceId: string;
  at: Date;
}

/** One Progress now, then at most one per interval while messages for the journey keep coming. */
export function coalesceProgress(source: AsyncIterable<JourneyProgressMessage>, journeyId: string, workspaceId: string, intervalMs = COALESCE_MS) {
  const progress = (): Progress => ({ journeyId, workspaceId, at: new Date() });
  return coalesce(source, { keep: (m) => m.journeyId === journeyId, fold: () => true, emit: progress, first: progress, intervalMs });
}

const JourneyProgressRef = builder.objectRef<Progress>('JourneyProgress').implement({
  description: 'A journey\'s counts per node as they are now (sent on subscribing, then at most once a second while customers move).',
  fields: (t) => ({
    journeyId: t.id({ description: 'The journey\'s global ID.', resolve: (p) => encodeGlobalID('Journey', p.journeyId) }),
    journey: t.prismaField({
      type: 'Journey',
      nullable: true,
      description: 'The journey now; null if it was deleted.',
      resolve: (query, p, _a, ctx) => ctx.prisma.journey.findFirst({ ...query, where: { id: p.journeyId, workspaceId: p.workspaceId } }),
    }),
    nodes: t.field({ type: [JourneyNodeStatsRef], description: 'Counts per node, over all versions.', resolve: (p, _a, ctx) => journeyNodeStats(ctx.db, p.journeyId) }),
    at: t.expose('at', { type: 'DateTime', description: 'When this message was put together.' }),
  }),
});

builder.subscriptionFields((t) => ({
  journeyProgress: t.field({
    type: JourneyProgressRef,
    description: 'Live counts of one journey of the workspace: a message at once, then at most one a second while customers move through it.',
    authScopes: { 'journeys:read': true },
    args: { journeyId: t.arg.id({ required: true, description: 'The journey.' }) },
    subscribe: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const journeyId = decodeId(String(args.journeyId), 'Journey', ['journeyId']);
      const journey = await ctx.prisma.journey.findFirst({ where: { id: journeyId, workspaceId }, select: { id: true } });
      if (!journey) throw new NotFoundError('journey', 'journeyId', String(args.journeyId));
      return coalesceProgress(ctx.pubsub.subscribe('journeyProgress', workspaceId), journeyId, workspaceId);
    },
    resolve: (message) => message,
  }),
}));
