// WeCom credentials at rest: AES-256-GCM under the server's secret key, bound to the workspace and
// the field (as additional authenticated data), so a sealed value copied to another row or column
// does not open. Here, not in the server, so that every process that uses a workspace's connection
// (the API, the journey runtime's WeCom channel and mass-send poller) opens it the same way.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';
const cachedKeys = new Map<string, Buffer>();

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
  if (fromEnv) key = createHash('sha256').update(fromEnv).digest();
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
    key = createHash('sha256').update(readFileSync(file, 'utf8').trim()).digest();
  }
  cachedKeys.set(cacheKey, key);
  return key;
}

export function sealSecret(plain: string, workspaceId: string, field: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${workspaceId}/${field}`));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/** Throws when the value was sealed under another key, for another workspace or field, or altered. */
export function openSecret(sealed: string, workspaceId: string, field: string, key: Buffer): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) throw new Error(`not a sealed ${field}`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(`${workspaceId}/${field}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** The sealed columns of a WeCom connection row, opened. */
export interface SealedWeComCredentials {
  workspaceId: string;
  agentSecretSealed: string;
  callbackTokenSealed: string;
  encodingAesKeySealed: string;
}

export function openCredentials(row: SealedWeComCredentials, key: Buffer): { agentSecret: string; callbackToken: string; encodingAesKey: string } {
  return {
    agentSecret: openSecret(row.agentSecretSealed, row.workspaceId, 'agentSecret', key),
    callbackToken: openSecret(row.callbackTokenSealed, row.workspaceId, 'callbackToken', key),
    encodingAesKey: openSecret(row.encodingAesKeySealed, row.workspaceId, 'encodingAesKey', key),
  };
}
