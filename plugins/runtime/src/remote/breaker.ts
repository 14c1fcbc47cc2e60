/** When an installation's circuit breaker opens and how long it stays open. */
export interface BreakerOptions {
  /** Consecutive failed attempts (network error, timeout, 5xx, malformed answer) that open it. Default 5. */
  failureThreshold: number;
  /** How long it stays open before one probe call is let through. Default 30,000 ms. */
  coolDownMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, coolDownMs: 30_000 };

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * One installation's circuit breaker. Closed: calls go through, failures are counted. Open: calls
 * fail at once, so a partner that is down is not hammered and journeys do not wait on it. After
 * the cool-down it is half-open: one probe goes through (the others still fail fast); its success
 * closes the breaker, its failure opens it for another cool-down.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(private readonly options: BreakerOptions) {}

  state(now = Date.now()): BreakerState {
    if (this.openUntil === 0) return 'closed';
    return now < this.openUntil ? 'open' : 'half-open';
  }

  /** Whether an attempt may go now; when not, the time to come back. */
  admit(now = Date.now()): { ok: true } | { ok: false; retryAt: number } {
    const state = this.state(now);
    if (state === 'closed') return { ok: true };
    if (state === 'open') return { ok: false, retryAt: this.openUntil };
    if (this.probing) return { ok: false, retryAt: now + Math.min(1000, this.options.coolDownMs) };
    this.probing = true;
    return { ok: true };
  }

  /** The partner answered (any answer that says it is up). */
  succeeded() {
    this.failures = 0;
    this.openUntil = 0;
    this.probing = false;
  }

  /** The partner failed: counts toward opening, or re-opens after a failed probe. */
  failed(now = Date.now()) {
    this.failures += 1;
    if (this.probing || this.failures >= this.options.failureThreshold) this.openUntil = now + this.options.coolDownMs;
    this.probing = false;
  }

  /** The attempt says nothing about the partner's health (rate limited by it, refused before sending): lets the next probe go. */
  released() {
    this.probing = false;
  }
}
