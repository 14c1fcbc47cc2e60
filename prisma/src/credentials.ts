// Secrets Courtyard hands out (API keys, session tokens) are random and long, so a SHA-256 of the
// secret is a safe lookup key; member passwords are chosen by people and get argon2id.
import { createHash, randomBytes } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

export const API_KEY_PREFIX = 'cy_';
export const SESSION_TOKEN_PREFIX = 'cys_';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new API key secret: `cy_` + 40 url-safe characters. */
export function generateApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(30).toString('base64url');
}

/** A new session token: `cys_` + 43 url-safe characters. */
export function generateSessionToken(): string {
  return SESSION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The part of a key shown in lists so a person can recognise it; never enough to use it. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, 10);
}

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return argon2Verify(passwordHash, password).catch(() => false);
}
