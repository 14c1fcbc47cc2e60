import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { WeComBudgetError } from './errors.ts';
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

  it('counts callers that wait: each reserves its own later place, in the order they came', async () => {
    // Time stands still while they wait (a ManualClock would move for the first sleeper before the others ask).
    const start = Date.UTC(2026, 0, 5, 2, 0, 0);
    const clock = { sleeps: [] as number[], now: () => start, sleep: async (ms: number) => void clock.sleeps.push(ms) };
    const limiter = new RateLimiter(clock);
    const budget = [{ limit: 2, windowMs: 60_000 }];
    // Six callers at once against 2 a minute: 2 now, 2 a window later, 2 a window after that. A
    // limiter that let waiters race would wake all four at the first window and send them together.
    await Promise.all(Array.from({ length: 6 }, () => limiter.acquire('corp|api', budget)));
    expect(clock.sleeps).toEqual([61_000, 61_000, 122_000, 122_000]);
  });

  it('refuses at once, reserving nothing, a call that would wait longer than it may', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock);
    const budget = [{ limit: 1, windowMs: 60_000 }];
    await limiter.acquire('corp|externalcontact/send_welcome_msg', budget, { maxWaitMs: 0 });
    const refused = await limiter.acquire('corp|externalcontact/send_welcome_msg', budget, { maxWaitMs: 18_000, api: 'externalcontact/send_welcome_msg' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WeComBudgetError);
    expect(refused).toMatchObject({ api: 'externalcontact/send_welcome_msg', retryAfterMs: 61_000, retryable: true });
    expect(clock.sleeps).toEqual([]);
    // The refused call took no place: the next caller that can wait gets the first free one.
    await limiter.acquire('corp|externalcontact/send_welcome_msg', budget);
    expect(clock.sleeps).toEqual([61_000]);
  });

  it('gives back a waiting place when a 45009 blocks the key meanwhile, and waits for the block to end', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock);
    const start = clock.now();
    const budget = [{ limit: 1, windowMs: 60_000 }];
    await limiter.acquire('k', budget);
    const waiting = limiter.acquire('k', budget);
    limiter.block('k', start + 200_000);
    await waiting;
    expect(clock.now()).toBe(start + 200_000);
  });
});
