// Redis-backed pub/sub so several API nodes share subscriptions; in-process when REDIS_URL is unset.
import { createPubSub, type CourtyardPubSub } from '@courtyard/schema';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';

export interface PubSubHandle {
  pubsub: CourtyardPubSub;
  close(): Promise<void>;
}

export function createAppPubSub(redisUrl = process.env.REDIS_URL): PubSubHandle {
  if (!redisUrl) return { pubsub: createPubSub() as CourtyardPubSub, close: async () => {} };
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient });
  return {
    pubsub: createPubSub({ eventTarget }) as CourtyardPubSub,
    async close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
