// Work that must not run twice at once for the same key, and must run again when asked while it
// runs (what the running pass read may predate the request): an ANALYZE after bulk membership
// changes, a sweep of the segment change log.

/**
 * Returns `run(key, work)`: runs `work` unless one runs for `key`; a request while one runs makes
 * it run once more after, however many requests came. The promise resolves when a run that started
 * after the request has finished (rejects if that run throws).
 */
export function oneAtATime<K>(): (key: K, work: () => Promise<void>) => Promise<void> {
  const running = new Map<K, { again: boolean; done: Promise<void> }>();
  return (key, work) => {
    const current = running.get(key);
    if (current) {
      current.again = true;
      return current.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await work();
        } while (state.again);
      } finally {
        running.delete(key);
      }
    })();
    running.set(key, state);
    return state.done;
  };
}
