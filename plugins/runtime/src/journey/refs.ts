// Node configs name tags, segments, staff, channels and journeys by the IDs the API shows or by
// bare uuids. The runtime works with uuids, so configs are normalised once, when a journey is
// validated or its version loaded.
import { decodeRef } from '@courtyard/db';

const KINDS = ['Tag', 'Segment', 'Staff', 'Channel', 'Journey', 'Customer'] as const;
// Only strings long enough to be a global ID are decoded: free text stays as it is.
const GLOBAL_ID = /^[A-Za-z0-9+/]{48,}={0,2}$/;

/** The uuid behind a global ID of a known kind (or a bare uuid), else the value unchanged. */
export function toUuid(value: string): string {
  return (GLOBAL_ID.test(value) || value.length === 36 ? decodeRef(KINDS, value) : null) ?? value;
}

/** Replaces every global ID string inside a JSON value by its uuid. */
export function normalizeRefs<T>(value: T): T {
  if (typeof value === 'string') return toUuid(value) as T;
  if (Array.isArray(value)) return value.map(normalizeRefs) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeRefs(v)])) as T;
  }
  return value;
}
