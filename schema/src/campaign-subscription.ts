// campaignProgress: a campaign's latest run counts (queued, sent, failed, delivered …) and its send
// rate, pushed as messages go out, at most once a second. Workers on any node publish that a
// campaign moved; many batches within a second cost one read per subscriber.
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Db } from '@courtyard/db';
import { builder } from './builder.ts';
import { COALESCE_MS, coalesce } from './coalesce.ts';
import { deliveryCounts, DeliveryCountsRef, type DeliveryCounts } from './campaign.ts';
import { NotFoundError } from './errors.ts';
import type { CampaignProgressMessage } from './pubsub.ts';
import { decodeId } from './validation.ts';

interface Progress {
  campaignId: string;
  workspaceId: string;
  counts: DeliveryCounts | null;
  /** Messages sent per second since the previous message of this subscription. */
  rate: number;
  at: Date;
}

/**
 * One Progress now, then at most one per interval while messages for the campaign keep coming.
 * Each reads the counts once; the rate compares them with the previous Progress.
 */
export function campaignProgressStream(db: Db, source: AsyncIterable<CampaignProgressMessage>, campaignId: string, workspaceId: string, intervalMs = COALESCE_MS) {
  let previous: { sent: number; at: number } | null = null;
  const snapshot = async (): Promise<Progress> => {
    const counts = await deliveryCounts(db, workspaceId, campaignId, null);
    const at = Date.now();
    const sent = counts?.sent ?? 0;
    const rate = previous && at > previous.at ? Math.max(0, (sent - previous.sent) / ((at - previous.at) / 1000)) : 0;
    previous = { sent, at };
    return { campaignId, workspaceId, counts, rate, at: new Date(at) };
  };
  return coalesce(source, { keep: (m) => m.campaignId === campaignId, fold: () => true, emit: snapshot, first: snapshot, intervalMs });
}

const CampaignProgressRef = builder.objectRef<Progress>('CampaignProgress').implement({
  description: 'A campaign\'s latest run as it is now (sent on subscribing, then at most once a second while messages go out).',
  fields: (t) => ({
    campaignId: t.id({ description: 'The campaign\'s global ID.', resolve: (p) => encodeGlobalID('Campaign', p.campaignId) }),
    campaign: t.prismaField({
      type: 'Campaign',
      nullable: true,
      description: 'The campaign now (its status); null if it was deleted.',
      resolve: (query, p, _a, ctx) => ctx.prisma.campaign.findFirst({ ...query, where: { id: p.campaignId, workspaceId: p.workspaceId } }),
    }),
    counts: t.field({ type: DeliveryCountsRef, nullable: true, description: 'The latest run\'s messages by state; null before the first run.', resolve: (p) => p.counts }),
    queued: t.int({ description: 'Messages waiting to go (latest run).', resolve: (p) => p.counts?.queued ?? 0 }),
    sent: t.int({ description: 'Messages sent (latest run).', resolve: (p) => p.counts?.sent ?? 0 }),
    failed: t.int({ description: 'Messages failed (latest run).', resolve: (p) => p.counts?.failed ?? 0 }),
    delivered: t.int({ description: 'Messages reported delivered (latest run).', resolve: (p) => p.counts?.delivered ?? 0 }),
    rate: t.exposeFloat('rate', { description: 'Messages sent per second since the previous message of this subscription (0 in the first).' }),
    at: t.expose('at', { type: 'DateTime', description: 'When the counts were read.' }),
  }),
});

builder.subscriptionFields((t) => ({
  campaignProgress: t.field({
    type: CampaignProgressRef,
    description: 'Live counts of one campaign of the workspace: a message at once, then at most one a second while its messages go out.',
    authScopes: { 'campaigns:read': true },
    args: { id: t.arg.id({ required: true, description: 'The campaign.' }) },
    subscribe: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const campaignId = decodeId(String(args.id), 'Campaign', ['id']);
      const campaign = await ctx.prisma.campaign.findFirst({ where: { id: campaignId, workspaceId }, select: { id: true } });
      if (!campaign) throw new NotFoundError('campaign', 'id', String(args.id));
      return campaignProgressStream(ctx.db, ctx.pubsub.subscribe('campaignProgress', workspaceId), campaignId, workspaceId);
    },
    resolve: (message) => message,
  }),
}));
