// WeCom credentials at rest: AES-256-GCM under the server's secret key, bound to the workspace and
// the field (as additional authenticated data), so a sealed value copied to another row or column
// does not open.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultDataDir } from '@courtyard/db';

const VERSION = 'v1';
let cachedKey: Buffer | undefined;

/**
 * The 32-byte key: `COURTYARD_SECRET_KEY` (any string; its SHA-256 is the key) when set, as it must
 * be in production and on every node of a cluster. Otherwise a random key kept in
 * `<data dir>/secret.key` (created on first use, mode 600), which suits one machine's demo.
 */
export function secretKey(): Buffer {
  if (cachedKey) return cachedKey;
  const fromEnv = process.env.COURTYARD_SECRET_KEY;
  if (fromEnv) return (cachedKey = createHash('sha256').update(fromEnv).digest());
  const file = join(defaultDataDir(), 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return (cachedKey = createHash('sha256').update(readFileSync(file, 'utf8').trim()).digest());
}

export function sealSecret(plain: string, workspaceId: string, field: string, key = secretKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${workspaceId}/${field}`));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/** Throws when the value was sealed under another key, for another workspace or field, or altered. */
export function openSecret(sealed: string, workspaceId: string, field: string, key = secretKey()): string {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) throw new Error(`not a sealed ${field}`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(`${workspaceId}/${field}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
