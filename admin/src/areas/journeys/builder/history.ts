// Undo/redo over snapshots of the builder's state. Snapshots are plain JSON, so a step back is
// exactly what was there; the stack is bounded so a long session stays light.
export interface History<T> {
  past: T[];
  future: T[];
}

export const HISTORY_LIMIT = 100;

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [] };
}

/** Records `current` before a change; a new change drops what could be redone. */
export function record<T>(history: History<T>, current: T, limit = HISTORY_LIMIT): History<T> {
  const past = [...history.past, current];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, future: [] };
}

/** The state before the last change, and the history with `current` redoable; null when nothing to undo. */
export function undo<T>(history: History<T>, current: T): { state: T; history: History<T> } | null {
  const state = history.past[history.past.length - 1];
  if (state === undefined) return null;
  return { state, history: { past: history.past.slice(0, -1), future: [current, ...history.future] } };
}

export function redo<T>(history: History<T>, current: T): { state: T; history: History<T> } | null {
  const [state, ...future] = history.future;
  if (state === undefined) return null;
  return { state, history: { past: [...history.past, current], future } };
}
