// Records are named by the IDs the API shows (Relay global IDs, base64 of `Type:uuid`) or by bare
// uuids: segment definitions, journey node configs and settings accept either.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The uuid behind `id` if it is a bare uuid or the global ID of one of `kinds`, else null. */
export function decodeRef(kinds: string | readonly string[], id: string): string | null {
  if (UUID.test(id)) return id.toLowerCase();
  let decoded: string;
  try {
    decoded = Buffer.from(id, 'base64').toString('utf8');
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  const [typename, uuid] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  const allowed = typeof kinds === 'string' ? [kinds] : kinds;
  return colon > 0 && allowed.includes(typename) && UUID.test(uuid) ? uuid.toLowerCase() : null;
}
