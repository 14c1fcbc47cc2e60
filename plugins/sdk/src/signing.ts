import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Standard Webhooks (https://www.standardwebhooks.com): webhook-id, webhook-timestamp (seconds)
// and webhook-signature = "v1," + base64(HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)).
// Secrets are "whsec_" + base64 of the key bytes.

const PREFIX = 'whsec_';

/** A new signing secret in Standard Webhooks form. */
export function createSigningSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  return secret.startsWith(PREFIX) ? Buffer.from(secret.slice(PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function signPayload(secret: string, id: string, timestamp: number, body: string): string {
  return 'v1,' + createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/**
 * The three headers for a signed request. Several secrets (a rotation's new and old one) give one
 * signature each, space-separated as Standard Webhooks allows: a receiver holding either verifies.
 */
export function signedHeaders(secret: string | readonly string[], id: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': secrets.map((s) => signPayload(s, id, timestamp, body)).join(' ') };
}

export type VerifyFailure = 'missing-headers' | 'timestamp-too-old' | 'timestamp-in-future' | 'bad-signature';

/**
 * Checks a signed request (for receivers: partner endpoints, webhook channel consumers). Rejects
 * timestamps more than `toleranceSeconds` (default 300) away from now, against replays.
 */
export function verifySignature(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  { now = new Date(), toleranceSeconds = 300 }: { now?: Date; toleranceSeconds?: number } = {},
): { ok: true; id: string } | { ok: false; reason: VerifyFailure } {
  // Header names are case-insensitive; frameworks hand them over lower-cased or as sent.
  const get = (name: string) => {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    const v = key === undefined ? undefined : headers[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = get('webhook-id');
  const ts = get('webhook-timestamp');
  const sig = get('webhook-signature');
  if (!id || !ts || !sig) return { ok: false, reason: 'missing-headers' };
  const timestamp = Number(ts);
  const skew = Math.floor(now.getTime() / 1000) - timestamp;
  if (!Number.isFinite(timestamp) || skew > toleranceSeconds) return { ok: false, reason: 'timestamp-too-old' };
  if (skew < -toleranceSeconds) return { ok: false, reason: 'timestamp-in-future' };
  const expected = Buffer.from(signPayload(secret, id, timestamp, body).slice(3), 'base64');
  for (const candidate of sig.split(' ')) {
    const [version, value] = candidate.split(',');
    if (version !== 'v1' || !value) continue;
    const got = Buffer.from(value, 'base64');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return { ok: true, id };
  }
  return { ok: false, reason: 'bad-signature' };
}
