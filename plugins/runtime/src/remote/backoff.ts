/** How a failing call is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 4. */
  attempts: number;
  /** The first retry waits up to this long; each further one up to twice as long. Default 500 ms. */
  baseDelayMs: number;
  /** No wait between attempts is longer than this, Retry-After aside. Default 10,000 ms. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for inside the call: the call fails with `retryAt` so the journey step is rescheduled instead. Default 30,000 ms. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 10_000, maxRetryAfterMs: 30_000 };

/**
 * The wait before retry `retry` (1 for the first): exponential backoff with full jitter, a random
 * time between 0 and min(max, base · 2^(retry−1)), so many callers that failed together do not
 * come back together.
 */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
