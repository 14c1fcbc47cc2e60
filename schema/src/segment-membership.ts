// Keeps dynamic segments true after writes: every mutation that changes what a segment can depend
// on calls recheckAfterChange with the customers it touched, and the deltas go out live.
import { recheckCustomers, type MembershipDelta, type SegmentChangeCause } from '@courtyard/db/segments';
import type { Context } from './context.ts';

export function publishSegmentDeltas(ctx: Pick<Context, 'pubsub'>, workspaceId: string, deltas: MembershipDelta[]) {
  for (const delta of deltas) ctx.pubsub.publish('segmentChanged', workspaceId, delta);
}

export async function recheckAfterChange(ctx: Pick<Context, 'db' | 'pubsub'>, workspaceId: string, customerIds: string[], causes: SegmentChangeCause[]) {
  const deltas = await recheckCustomers(ctx.db, workspaceId, customerIds, causes);
  publishSegmentDeltas(ctx, workspaceId, deltas);
  return deltas;
}
