import type { JsonObject } from './text.ts';

/** What happened to one customer at a node; `run` returns one per batch item, in order. */
export type StepResult<P extends string = string> =
  /** Go on through the port now. */
  | { kind: 'next'; port: P; output?: JsonObject }
  /** Go on through the port at `until` (a delay or a time-window wait). */
  | { kind: 'wait'; until: Date; port: P }
  /**
   * Wait for the customer's next event of `eventType` (with the listed property values); go on
   * through `port` when it comes, through `timeoutPort` at `timeoutAt` if it does not.
   */
  | { kind: 'waitForEvent'; eventType: string; properties?: JsonObject; timeoutAt: Date; port: P; timeoutPort: P }
  /** Run this node again at `at` (a send deferred by quiet hours or the frequency cap). */
  | { kind: 'again'; at: Date; reason: string }
  /** A failure worth retrying (timeouts, 5xx): retried with backoff, then treated as `fail`. */
  | { kind: 'retry'; error: string }
  /** A failure that will not go away: the `failed` port if the node has one, else dead-letter. */
  | { kind: 'fail'; error: string }
  /** Leave the journey here. */
  | { kind: 'exit'; reason: string };

/** Shorthands for `run`'s results: `return items.map(() => step.next('yes'))`. */
export const step = {
  next: <P extends string>(port: P, output?: JsonObject): StepResult<P> => (output ? { kind: 'next', port, output } : { kind: 'next', port }),
  wait: <P extends string>(until: Date, port: P): StepResult<P> => ({ kind: 'wait', until, port }),
  waitForEvent: <P extends string>(spec: { eventType: string; properties?: JsonObject; timeoutAt: Date; port: P; timeoutPort: P }): StepResult<P> => ({ kind: 'waitForEvent', ...spec }),
  again: (at: Date, reason: string): StepResult<never> => ({ kind: 'again', at, reason }),
  retry: (error: string): StepResult<never> => ({ kind: 'retry', error }),
  fail: (error: string): StepResult<never> => ({ kind: 'fail', error }),
  exit: (reason: string): StepResult<never> => ({ kind: 'exit', reason }),
};
