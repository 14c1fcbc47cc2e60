import type { Clock } from './clock.ts';

interface CachedToken {
  token: string;
  refreshAt: number;
}

/**
 * Access tokens per (base URL, corp id, secret): each app's secret has its own token (notes §1).
 * One fetch at a time per key, so a burst of calls on a cold cache asks gettoken once.
 */
export class AccessTokenStore {
  private readonly cached = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();
  constructor(
    private readonly clock: Clock,
    /** Refresh this long before `expires_in` runs out; default 300 s. */
    private readonly refreshMarginMs = 300_000,
  ) {}

  async get(key: string, fetchToken: () => Promise<{ access_token: string; expires_in: number }>): Promise<string> {
    const cached = this.cached.get(key);
    if (cached && this.clock.now() < cached.refreshAt) return cached.token;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = fetchToken()
        .then(({ access_token, expires_in }) => {
          const lifetimeMs = Math.max(expires_in * 1000 - this.refreshMarginMs, expires_in * 500);
          this.cached.set(key, { token: access_token, refreshAt: this.clock.now() + lifetimeMs });
          return access_token;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Drops `token` if it is still the cached one, so concurrent failures trigger one re-fetch, not several. */
  invalidate(key: string, token: string): void {
    if (this.cached.get(key)?.token === token) this.cached.delete(key);
  }
}
