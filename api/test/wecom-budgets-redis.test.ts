// Two nodes counting their WeCom calls in one Redis: together they stay inside the corp's budget,
// take their places in one order, and a 45009 block seen by one holds the other. Without Redis a
// node counts alone.
import { randomUUID } from 'node:crypto';
import { RateLimiter, SharedBudgets, WeComBudgetError, type RedisScripting } from '@courtyard/wecom';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { reachable } from './reachable.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const redisUp = await reachable(REDIS_URL, 6379);
const clients: Redis[] = [];
afterAll(() => {
  for (const c of clients) c.disconnect();
});

/** A clock that stands still; sleeps are recorded, not waited. */
function stillClock() {
  // On a second: the waits below are whole slots.
  const at = Math.floor(Date.now() / 1000) * 1000;
  const sleeps: number[] = [];
  return { sleeps, now: () => at, sleep: async (ms: number) => void sleeps.push(ms) };
}

/** Two nodes' limiters sharing one Redis under a prefix of this test's own. */
function twoNodes() {
  const prefix = `courtyard:test:${randomUUID()}`;
  const clock = stillClock();
  const nodes = [0, 1].map(() => {
    const redis = new Redis(REDIS_URL);
    clients.push(redis);
    const limiter = new RateLimiter(clock);
    limiter.share(new SharedBudgets(redis, prefix));
    return limiter;
  });
  return { clock, a: nodes[0]!, b: nodes[1]! };
}

const BUDGET = [{ limit: 3, windowMs: 60_000 }];
const refused = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

describe.skipIf(!redisUp)('WeCom budgets shared through Redis', () => {
  it('two nodes together make at most the budget; a third call is refused on either', async () => {
    const { a, b } = twoNodes();
    const results = [];
    for (const node of [a, b, a, b, a]) results.push(await refused(node.acquire('corp|externalcontact/get', BUDGET, { maxWaitMs: 0, api: 'externalcontact/get' })));
    expect(results.slice(0, 3)).toEqual([null, null, null]);
    for (const r of results.slice(3)) expect(r).toBeInstanceOf(WeComBudgetError);
    // Counting alone, each node would have allowed 3.
    const alone = new RateLimiter(stillClock());
    for (let i = 0; i < 3; i++) await alone.acquire('corp|externalcontact/get', BUDGET, { maxWaitMs: 0 });
  });

  it('a waiting call reserves its place for every node: the next one waits for the place after it', async () => {
    const { clock, a, b } = twoNodes();
    for (let i = 0; i < 3; i++) await a.acquire('corp|api', BUDGET);
    await b.acquire('corp|api', BUDGET);
    await a.acquire('corp|api', BUDGET);
    await b.acquire('corp|api', BUDGET);
    await a.acquire('corp|api', BUDGET);
    expect(clock.sleeps).toEqual([61_000, 61_000, 61_000, 122_000]);
  });

  it("a 45009 block seen by one node holds the other node's callers", async () => {
    const { clock, a, b } = twoNodes();
    a.block('corp|externalcontact/send_welcome_msg', clock.now() + 60_000);
    // The block travels through Redis without being awaited: let it land.
    await new Promise((r) => setTimeout(r, 100));
    const error = await refused(b.acquire('corp|externalcontact/send_welcome_msg', BUDGET, { maxWaitMs: 18_000, api: 'externalcontact/send_welcome_msg' }));
    expect(error).toBeInstanceOf(WeComBudgetError);
    expect((error as WeComBudgetError).retryAfterMs).toBe(60_000);
  });
});

describe('WeCom budgets when Redis fails', () => {
  it('a node counts alone, and says so once', async () => {
    const down: RedisScripting = { eval: () => Promise.reject(new Error('connect ECONNREFUSED')), evalsha: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const logged: string[] = [];
    const limiter = new RateLimiter(stillClock(), (m) => logged.push(m));
    limiter.share(new SharedBudgets(down));
    for (let i = 0; i < 3; i++) await limiter.acquire('corp|api', BUDGET, { maxWaitMs: 0 });
    expect(await refused(limiter.acquire('corp|api', BUDGET, { maxWaitMs: 0 }))).toBeInstanceOf(WeComBudgetError);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/Redis failed .*counting in this process/);
  });
});
