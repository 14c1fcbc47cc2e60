import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { RateLimiter } from './rate-limit.ts';

describe('rate limiter', () => {
  it('never lets more than the limit through in any window, and waits rather than refuses', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock);
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      await limiter.acquire('corp|api', [{ limit: 10, windowMs: 60_000 }]);
      times.push(clock.now());
      clock.advance(1_000);
    }
    expect(times).toHaveLength(25);
    for (const t of times) expect(times.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(10);
  });

  it('keeps separate budgets per key and holds a blocked key until the block ends', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock);
    const start = clock.now();
    limiter.block('a', start + 60_000);
    await limiter.acquire('b', [{ limit: 1, windowMs: 60_000 }]);
    expect(clock.now()).toBe(start);
    await limiter.acquire('a', [{ limit: 1, windowMs: 60_000 }]);
    expect(clock.now()).toBe(start + 60_000);
  });
});
