// Node configs name tags, segments, staff, channels and journeys by the IDs the API shows (Relay
// global IDs, base64 of `Type:uuid`) or by bare uuids. The runtime works with uuids, so configs
// are normalised once, when a journey is validated or its version loaded.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KINDS = new Set(['Tag', 'Segment', 'Staff', 'Channel', 'Journey', 'Customer']);
const GLOBAL_ID = /^[A-Za-z0-9+/]{48,}={0,2}$/;

/** The uuid behind a global ID of a known kind, else the value unchanged. */
export function toUuid(value: string): string {
  if (UUID.test(value) || !GLOBAL_ID.test(value)) return value;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const kind = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  return colon > 0 && KINDS.has(kind) && UUID.test(id) ? id.toLowerCase() : value;
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
