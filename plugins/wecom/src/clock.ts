/** Time as the client, the rate limits and the stand-in see it; injectable so tests never wait. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A clock that only moves when told to, or when something sleeps on it: a sleep moves the time
 * forward by its length at once, so a test sees exactly how long a caller would have waited.
 */
export class ManualClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  constructor(private time = Date.UTC(2026, 0, 5, 2, 0, 0)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += Math.max(0, ms);
    await Promise.resolve();
  }
}
