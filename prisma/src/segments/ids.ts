// Definitions name tags and segments by the IDs the API shows (Relay global IDs, base64 of
// `Type:uuid`); a bare uuid is accepted too.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The uuid behind `id` if it names a `kind`, else null. */
export function decodeRef(kind: 'Tag' | 'Segment', id: string): string | null {
  if (UUID.test(id)) return id.toLowerCase();
  let decoded: string;
  try {
    decoded = Buffer.from(id, 'base64').toString('utf8');
  } catch {
    return null;
  }
  const [typename, uuid] = [decoded.slice(0, decoded.indexOf(':')), decoded.slice(decoded.indexOf(':') + 1)];
  return typename === kind && UUID.test(uuid) ? uuid.toLowerCase() : null;
}
