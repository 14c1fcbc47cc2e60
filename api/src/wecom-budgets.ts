// With REDIS_URL set, every node counts its WeCom calls in Redis (plugins/wecom/src/rate-limit-shared.ts):
// WeCom's budget is per corp and API, whichever node calls. Without it, each process counts alone.
import { processRateLimiter, SharedBudgets } from '@courtyard/wecom';
import { Redis } from 'ioredis';

export function shareWeComBudgets(redisUrl = process.env.REDIS_URL): { close(): void } {
  if (!redisUrl) return { close() {} };
  // A call never waits on a Redis that is down: its command fails fast and the process counts alone meanwhile.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  processRateLimiter.share(new SharedBudgets(redis));
  return {
    close() {
      processRateLimiter.share(null);
      redis.disconnect();
    },
  };
}
