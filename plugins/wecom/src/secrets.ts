// WeCom credentials at rest: AES-256-GCM under the server's secret key, bound to the workspace and
// the field (as additional authenticated data), so a sealed value copied to another row or column
// does not open. Here, not in the server, so that every process that uses a workspace's connection
// (the API, the journey runtime's WeCom channel and mass-send poller) opens it the same way.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** v2 names the key that sealed the value (its id); v1, written before keys could rotate, does not. */
const VERSION = 'v2';
const cachedKeys = new Map<string, Buffer>();

/**
 * The server's keys: `current` seals, and opens with the `previous` ones (COURTYARD_SECRET_KEY_PREVIOUS)
 * while values sealed under those are still about. Rotating: set the new key as COURTYARD_SECRET_KEY
 * and the old one in COURTYARD_SECRET_KEY_PREVIOUS on every node, run `pnpm secrets:reseal`, then
 * drop the old key.
 */
export interface SecretKeys {
  current: Buffer;
  previous: readonly Buffer[];
}

/** A key's public name in sealed values: 8 characters of a hash of it (not of the key's own hash). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('courtyard secret key id\0').update(key).digest('base64url').slice(0, 8);
}

const fromText = (text: string) => createHash('sha256').update(text).digest();

/**
 * The 32-byte key: `COURTYARD_SECRET_KEY` (any string; its SHA-256 is the key) when set, as it must
 * be in production and on every node of a cluster. Otherwise a random key kept in
 * `<dataDir>/secret.key` (created on first use, mode 600), which suits one machine's demo.
 */
export function secretKey(dataDir: string): Buffer {
  const fromEnv = process.env.COURTYARD_SECRET_KEY;
  const cacheKey = fromEnv ? `env:${fromEnv}` : `dir:${dataDir}`;
  const cached = cachedKeys.get(cacheKey);
  if (cached) return cached;
  let key: Buffer;
  if (fromEnv) key = fromText(fromEnv);
  else {
    const file = join(dataDir, 'secret.key');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      try {
        writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
        chmodSync(file, 0o600);
      } catch (error) {
        // Another process created it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    key = fromText(readFileSync(file, 'utf8').trim());
  }
  cachedKeys.set(cacheKey, key);
  return key;
}

/** The current key and the previous ones: COURTYARD_SECRET_KEY_PREVIOUS, separated by commas. */
export function secretKeys(dataDir: string): SecretKeys {
  const listed = process.env.COURTYARD_SECRET_KEY_PREVIOUS ?? '';
  if (cachedPrevious?.listed !== listed) {
    cachedPrevious = {
      listed,
      keys: listed
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
        .map(fromText),
    };
  }
  return { current: secretKey(dataDir), previous: cachedPrevious.keys };
}
let cachedPrevious: { listed: string; keys: Buffer[] } | undefined;

const ringOf = (keys: Buffer | SecretKeys): SecretKeys => (Buffer.isBuffer(keys) ? { current: keys, previous: [] } : keys);

export function sealSecret(plain: string, workspaceId: string, field: string, keys: Buffer | SecretKeys): string {
  const key = ringOf(keys).current;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${workspaceId}/${field}`));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, keyId(key), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/** True when the value is sealed under the current key (`pnpm secrets:reseal` leaves it alone). */
export function sealedUnderCurrent(sealed: string, keys: Buffer | SecretKeys): boolean {
  const [version, id] = sealed.split('.');
  return version === VERSION && id === keyId(ringOf(keys).current);
}

/**
 * Opens a sealed value with the key that sealed it (v2 names it; a v1 value is tried with each).
 * Throws when no key opens it: sealed under a key the server was not given, for another workspace
 * or field, or altered.
 */
export function openSecret(sealed: string, workspaceId: string, field: string, keys: Buffer | SecretKeys): string {
  const ring = ringOf(keys);
  const parts = sealed.split('.');
  let candidates: Buffer[];
  let iv: string | undefined, tag: string | undefined, data: string | undefined;
  if (parts[0] === 'v2' && parts.length === 5) {
    [, , iv, tag, data] = parts;
    candidates = [ring.current, ...ring.previous].filter((k) => keyId(k) === parts[1]);
    if (!candidates.length) throw new Error(`${field} was sealed under a key this server was not given (key id ${parts[1]}): set that key in COURTYARD_SECRET_KEY_PREVIOUS`);
  } else if (parts[0] === 'v1' && parts.length === 4) {
    [, iv, tag, data] = parts;
    candidates = [ring.current, ...ring.previous];
  } else throw new Error(`not a sealed ${field}`);
  let failure: unknown;
  for (const key of candidates) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64url'));
      decipher.setAAD(Buffer.from(`${workspaceId}/${field}`));
      decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data!, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** The sealed columns of a WeCom connection row, opened. */
export interface SealedWeComCredentials {
  workspaceId: string;
  agentSecretSealed: string;
  callbackTokenSealed: string;
  encodingAesKeySealed: string;
}

export function openCredentials(row: SealedWeComCredentials, keys: Buffer | SecretKeys): { agentSecret: string; callbackToken: string; encodingAesKey: string } {
  return {
    agentSecret: openSecret(row.agentSecretSealed, row.workspaceId, 'agentSecret', keys),
    callbackToken: openSecret(row.callbackTokenSealed, row.workspaceId, 'callbackToken', keys),
    encodingAesKey: openSecret(row.encodingAesKeySealed, row.workspaceId, 'encodingAesKey', keys),
  };
}

/**
 * What `pnpm secrets:reseal` did: values sealed again under the current key, values already under
 * it, secrets found in plain text (saved before sealing existed) and sealed now, and values no key
 * opened (left as they are).
 */
export interface ResealReport {
  resealed: number;
  current: number;
  plain: number;
  unopened: string[];
}

export const emptyResealReport = (): ResealReport => ({ resealed: 0, current: 0, plain: 0, unopened: [] });
