// What every live subscription does with its pub/sub messages: keep those it is about, gather them,
// and send at most one message per interval (the first change after a quiet spell goes at once), so
// a bulk change does not flood a screen and many changes cost one read per subscriber.
import { Repeater } from 'graphql-yoga';

export const COALESCE_MS = 1_000;

export interface CoalesceOptions<M, P, T> {
  /** The messages this subscription is about. */
  keep(message: M): boolean;
  /** Gathers a kept message into what is pending (undefined after each send). */
  fold(pending: P | undefined, message: M): P;
  /** What is sent for what was gathered (a fresh read, or the gathered value itself). */
  emit(pending: P): T | Promise<T>;
  /** Sent on subscribing, before any change. */
  first?(): T | Promise<T>;
  intervalMs?: number;
}

export function coalesce<M, P, T>(source: AsyncIterable<M>, options: CoalesceOptions<M, P, T>): Repeater<T> {
  const intervalMs = options.intervalMs ?? COALESCE_MS;
  return new Repeater<T>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let pending: P | undefined;
    let lastSent = 0;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const gathered = pending;
      pending = undefined;
      lastSent = Date.now();
      if (gathered !== undefined) void Promise.resolve(options.emit(gathered)).then(push, () => undefined);
    };
    void stop.then(() => {
      clearTimeout(timer);
      void iterator.return?.();
    });
    if (options.first) {
      void push(await options.first());
      lastSent = Date.now();
    }
    for (;;) {
      const next = await Promise.race([iterator.next(), stop.then(() => ({ done: true as const, value: undefined }))]);
      if (next.done) break;
      if (!options.keep(next.value)) continue;
      pending = options.fold(pending, next.value);
      timer ??= setTimeout(flush, Math.max(0, lastSent + intervalMs - Date.now()));
    }
    stop();
  });
}
