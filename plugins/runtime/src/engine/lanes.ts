// The worker loops' wake-ups, one lane per kind of work: a nudge wakes one idle loop of its lane
// (enrolled customers wake a step loop, not the campaign, outbox and WeCom loops too), and a
// nudge that finds every loop of its lane busy is kept, so the next of them to go idle goes on.

export type Lane = 'step' | 'outbox' | 'callbacks' | 'campaigns' | 'wecom';

interface LaneState {
  waiting: Array<() => void>;
  nudged: boolean;
}

export class Lanes {
  private readonly lanes = new Map<Lane, LaneState>();

  /** `gatherMs`: how long a woken loop waits for more of the same work before its pass. */
  constructor(private readonly gatherMs: number) {}

  private state(lane: Lane): LaneState {
    let state = this.lanes.get(lane);
    if (!state) this.lanes.set(lane, (state = { waiting: [], nudged: false }));
    return state;
  }

  /** Wakes one idle loop of the lane, or marks the lane so its next idle loop does not sleep. */
  nudge(lane: Lane): void {
    const state = this.state(lane);
    const next = state.waiting.shift();
    if (next) next();
    else state.nudged = true;
  }

  /** Wakes every loop of every lane (stopping). */
  wakeAll(): void {
    for (const state of this.lanes.values()) {
      const waiting = state.waiting.splice(0);
      for (const resolve of waiting) resolve();
    }
  }

  /** Sleeps up to `ms`, or until the lane is nudged (then, after `gatherMs`, so a pass takes many at once). */
  idle(lane: Lane, ms: number): Promise<void> {
    const state = this.state(lane);
    if (state.nudged) {
      state.nudged = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let woken = false;
      const wake = () => {
        if (woken) return;
        woken = true;
        clearTimeout(timer);
        state.waiting = state.waiting.filter((w) => w !== onNudge);
        resolve();
      };
      const onNudge = () => {
        clearTimeout(timer);
        // Customers arriving a few at a time (events trickling in) are gathered for a moment, so
        // a pass runs each node once for many of them rather than once for each.
        if (this.gatherMs > 0) setTimeout(wake, this.gatherMs);
        else wake();
      };
      const timer = setTimeout(wake, ms);
      state.waiting.push(onNudge);
    });
  }
}
