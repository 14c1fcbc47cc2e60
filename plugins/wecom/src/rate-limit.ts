import type { Clock } from './clock.ts';

/** One budget: at most `limit` calls in any `windowMs`. */
export interface Budget {
  limit: number;
  windowMs: number;
}

// A window split into slots: every slot that may hold a call from the last window is counted, so
// the count never underestimates (the price is up to one slot of unused capacity), and memory is
// a few numbers per API however large the hourly budget is.
const SLOTS = 60;

class SlottedWindow {
  private readonly counts = new Map<number, number>();
  private readonly slotMs: number;
  constructor(private readonly budget: Budget) {
    this.slotMs = budget.windowMs / SLOTS;
  }

  /** 0 when a call fits now, else how long to wait before asking again. */
  waitFor(now: number): number {
    const current = Math.floor(now / this.slotMs);
    let used = 0;
    let oldest = Infinity;
    for (const [slot, count] of this.counts) {
      if (slot < current - SLOTS) this.counts.delete(slot);
      else {
        used += count;
        oldest = Math.min(oldest, slot);
      }
    }
    if (used < this.budget.limit) return 0;
    return (oldest + SLOTS + 1) * this.slotMs - now;
  }

  take(now: number): void {
    const slot = Math.floor(now / this.slotMs);
    this.counts.set(slot, (this.counts.get(slot) ?? 0) + 1);
  }
}

/**
 * Per-key (corp + API) budgets that make callers wait instead of failing. Share one instance
 * between clients of the same corp: WeCom counts per corp, not per app.
 */
export class RateLimiter {
  private readonly windows = new Map<string, SlottedWindow[]>();
  private readonly blockedUntil = new Map<string, number>();
  constructor(private readonly clock: Clock) {}

  /** Waits until every budget of `key` has room, then counts one call. */
  async acquire(key: string, budgets: readonly Budget[]): Promise<void> {
    let windows = this.windows.get(key);
    if (!windows) {
      windows = budgets.map((budget) => new SlottedWindow(budget));
      this.windows.set(key, windows);
    }
    for (;;) {
      const now = this.clock.now();
      const blocked = (this.blockedUntil.get(key) ?? 0) - now;
      const wait = Math.max(blocked, ...windows.map((window) => window.waitFor(now)));
      if (wait <= 0) {
        for (const window of windows) window.take(now);
        return;
      }
      await this.clock.sleep(wait);
    }
  }

  /** WeCom answered 45009: hold every caller of `key` until `until`. */
  block(key: string, until: number): void {
    this.blockedUntil.set(key, Math.max(until, this.blockedUntil.get(key) ?? 0));
  }
}
