import type { Clock } from './clock.ts';
import { WeComBudgetError } from './errors.ts';
import type { SharedBudgets } from './rate-limit-shared.ts';

/** One budget: at most `limit` calls in any `windowMs`. */
export interface Budget {
  limit: number;
  windowMs: number;
}

// A window split into slots: every slot that may hold a call from the last window is counted, so
// the count never underestimates (the price is up to one slot of unused capacity), and memory is
// a few numbers per API however large the hourly budget is. A caller that must wait reserves its
// place in a later slot at once: waiting callers are counted too, go in the order they came, and
// each sleeps exactly until its slot (no herd of sleepers waking to race for the same room).
export const SLOTS = 60;

class SlottedWindow {
  /** Calls per slot: those made, and those reserved for a later slot. */
  private readonly counts = new Map<number, number>();
  private readonly slotMs: number;
  constructor(private readonly budget: Budget) {
    this.slotMs = budget.windowMs / SLOTS;
  }

  /** Forgets the slots no window from `now` on can hold. */
  prune(now: number): void {
    const oldest = Math.floor(now / this.slotMs) - SLOTS;
    for (const slot of this.counts.keys()) if (slot < oldest) this.counts.delete(slot);
  }

  /** The earliest time at or after `from` when a call fits: the window ending then holds fewer than `limit` calls. */
  earliest(from: number): number {
    const first = Math.floor(from / this.slotMs);
    // Calls in the window ending at `slot` (its SLOTS + 1 slots, the conservative count).
    let used = 0;
    let last = first;
    for (const [slot, count] of this.counts) {
      if (slot >= first - SLOTS && slot <= first) used += count;
      last = Math.max(last, slot);
    }
    // Past the last reserved slot and a window, nothing is counted: the loop ends there at the latest.
    for (let slot = first; slot <= last + SLOTS + 1; slot++) {
      if (slot > first) used += (this.counts.get(slot) ?? 0) - (this.counts.get(slot - SLOTS - 1) ?? 0);
      if (used < this.budget.limit) return slot === first ? from : slot * this.slotMs;
    }
    return (last + SLOTS + 1) * this.slotMs;
  }

  take(at: number, calls = 1): void {
    const slot = Math.floor(at / this.slotMs);
    const count = (this.counts.get(slot) ?? 0) + calls;
    if (count > 0) this.counts.set(slot, count);
    else this.counts.delete(slot);
  }
}

/**
 * The refusal, without a stack trace: past the budget a burst refuses thousands of calls a second,
 * each caught by its caller, and capturing the stack was most of what a refusal cost.
 */
function budgetError(api: string, retryAfterMs: number): WeComBudgetError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new WeComBudgetError(api, retryAfterMs);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export interface AcquireOptions {
  /**
   * Longest the caller can wait for room; past it the call is refused at once with WeComBudgetError
   * (nothing reserved). Default: waits as long as the budgets need.
   */
  maxWaitMs?: number;
  /** The API named in that error; default the key. */
  api?: string;
}

/** A reserved place (a time to call at), or how long until there would be one. */
export type Place = { at: number } | { retryAfterMs: number };

/** The counts of this process alone: a key's slotted windows. */
class LocalBudgets {
  private readonly windows = new Map<string, SlottedWindow[]>();

  /** A place at or after `notBefore` (and now) where every budget of `key` has room, not later than `deadline`. */
  reserve(key: string, budgets: readonly Budget[], now: number, notBefore: number, deadline: number): Place {
    let windows = this.windows.get(key);
    if (!windows) {
      windows = budgets.map((budget) => new SlottedWindow(budget));
      this.windows.set(key, windows);
    }
    for (const window of windows) window.prune(now);
    let at = Math.max(now, notBefore);
    // The first time every budget has room (moving past one budget's full slot may land in another's).
    for (let moved = true; moved; ) {
      moved = false;
      for (const window of windows) {
        const fits = window.earliest(at);
        if (fits > at) {
          at = fits;
          moved = true;
        }
      }
    }
    if (at > deadline) return { retryAfterMs: at - now };
    for (const window of windows) window.take(at);
    return { at };
  }

  release(key: string, at: number): void {
    for (const window of this.windows.get(key) ?? []) window.take(at, -1);
  }

  forget(key: string): void {
    this.windows.delete(key);
  }
}

/**
 * Per-key (corp + API) budgets that make callers wait instead of failing. Share one instance
 * between clients of the same corp: WeCom counts per corp, not per app. With `share()`, the counts
 * are kept in Redis with every other node's.
 */
export class RateLimiter {
  private readonly local = new LocalBudgets();
  private readonly blockedUntil = new Map<string, number>();
  private shared: SharedBudgets | null = null;
  private sharedDown = false;
  constructor(
    private readonly clock: Clock,
    private readonly log: (message: string) => void = (m) => console.warn(m),
  ) {}

  /**
   * Counts in `shared` (Redis) from now on, with every other node that shares it; null: in this
   * process. While Redis cannot be reached the process counts on its own (and says so once).
   */
  share(shared: SharedBudgets | null): void {
    this.shared = shared;
  }

  /**
   * Waits until every budget of `key` has room, counting one call; callers that wait go in the
   * order they asked. With `maxWaitMs`, a call that would wait longer is refused (WeComBudgetError).
   */
  async acquire(key: string, budgets: readonly Budget[], options: AcquireOptions = {}): Promise<void> {
    const deadline = this.clock.now() + (options.maxWaitMs ?? Infinity);
    for (;;) {
      const now = this.clock.now();
      const { place, release } = await this.reserve(key, budgets, now, this.blockedUntil.get(key) ?? 0, Math.max(deadline, now));
      if ('retryAfterMs' in place) throw budgetError(options.api ?? key, place.retryAfterMs);
      if (place.at > now) await this.clock.sleep(place.at - now);
      // A 45009 came while this call waited: its place is given back, and the next one is after the block.
      if (this.clock.now() >= (this.blockedUntil.get(key) ?? 0)) return;
      await release(place.at);
    }
  }

  /**
   * Forgets what `key` has spent in this process and any block on it. For tests that spend a budget
   * and then need its room back without waiting out WeCom's minute; callers already waiting keep their places.
   */
  forget(key: string): void {
    this.local.forget(key);
    this.blockedUntil.delete(key);
  }

  /** WeCom answered 45009: hold every caller of `key` until `until` (on every node, when shared). */
  block(key: string, until: number): void {
    this.blockedUntil.set(key, Math.max(until, this.blockedUntil.get(key) ?? 0));
    this.shared?.block(key, until, this.clock.now()).catch((error: Error) => this.sharedFailed(error));
  }

  /** A place in the shared counts, else (no Redis, or Redis failing) in this process's; and how to give it back. */
  private async reserve(key: string, budgets: readonly Budget[], now: number, notBefore: number, deadline: number): Promise<{ place: Place; release: (at: number) => unknown }> {
    const shared = this.shared;
    if (shared) {
      try {
        const place = await shared.reserve(key, budgets, now, notBefore, deadline);
        this.sharedDown = false;
        return { place, release: (at) => shared.release(key, budgets, at).catch((error: Error) => this.sharedFailed(error)) };
      } catch (error) {
        this.sharedFailed(error as Error);
      }
    }
    return { place: this.local.reserve(key, budgets, now, notBefore, deadline), release: (at) => this.local.release(key, at) };
  }

  private sharedFailed(error: Error): void {
    if (this.sharedDown) return;
    this.sharedDown = true;
    this.log(`WeCom call budgets: Redis failed (${error.message}); counting in this process until it answers`);
  }
}
