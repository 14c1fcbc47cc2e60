/** An installation's rate limit. */
export interface RateLimitOptions {
  /** Calls per second to the partner, sustained. Default 50. */
  perSecond: number;
  /** Calls that may go at once after a quiet time. Default: `perSecond`. */
  burst?: number;
  /** A call waits for its turn at most this long; longer fails it as `rate-limited` with `retryAt`. Default 10,000 ms. */
  maxWaitMs?: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 50 };

/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. A call takes a token now or reserves the
 * next one (the balance goes below zero), so waiting calls go in the order they came.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly burst: number;
  private readonly maxWaitMs: number;

  constructor(
    private readonly options: RateLimitOptions,
    now = Date.now(),
  ) {
    this.burst = Math.max(1, options.burst ?? options.perSecond);
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.tokens = this.burst;
    this.updatedAt = now;
  }

  /** How long to wait before calling (0: now), or `{ refused }` with when a token will be free. */
  reserve(now = Date.now()): { waitMs: number } | { refused: true; retryAt: number } {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.options.perSecond);
    this.updatedAt = now;
    const waitMs = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.options.perSecond) * 1000);
    if (waitMs > this.maxWaitMs) return { refused: true, retryAt: now + waitMs };
    this.tokens -= 1;
    return { waitMs };
  }
}
