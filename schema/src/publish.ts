import type { Context } from './context.ts';
import type { CustomerUpdatedMessage } from './pubsub.ts';

/** Announces changes on the workspace's topic. Large bulk changes are not itemised past this many. */
const MAX_ITEMISED = 1_000;

export function publishCustomerChanges(ctx: Pick<Context, 'pubsub'>, workspaceId: string, customerIds: readonly string[], change: CustomerUpdatedMessage['change']) {
  for (const customerId of customerIds.slice(0, MAX_ITEMISED)) ctx.pubsub.publish('customerUpdated', workspaceId, { customerId, change });
}
