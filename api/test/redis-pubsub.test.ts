// Two API nodes sharing live updates through Redis: a change made through one reaches a
// subscriber of the other.
import { afterAll, describe, expect, it } from 'vitest';
import { createAppPubSub, type PubSubHandle } from '../src/pubsub.ts';
import { reachable } from './reachable.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const redisUp = await reachable(REDIS_URL, 6379);
const handles: PubSubHandle[] = [];
afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
});

describe.skipIf(!redisUp)('pub/sub through Redis', () => {
  it('delivers a message published on one node to a subscriber on another, only on its workspace topic', async () => {
    const nodeA = createAppPubSub(REDIS_URL);
    const nodeB = createAppPubSub(REDIS_URL);
    handles.push(nodeA, nodeB);
    const workspace = crypto.randomUUID();
    const iterator = nodeB.pubsub.subscribe('customerUpdated', workspace)[Symbol.asyncIterator]();
    const next = iterator.next();
    await new Promise((r) => setTimeout(r, 300));
    nodeA.pubsub.publish('customerUpdated', crypto.randomUUID(), { customerId: 'other', change: 'updated' });
    nodeA.pubsub.publish('customerUpdated', workspace, { customerId: 'c1', change: 'created' });
    const received = await Promise.race([next, new Promise((_, reject) => setTimeout(() => reject(new Error('no message within 3 s')), 3000))]);
    expect(received).toEqual({ done: false, value: { customerId: 'c1', change: 'created' } });
    await iterator.return?.();
  });
});
