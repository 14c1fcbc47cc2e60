import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { keyId, openSecret, sealedUnderCurrent, sealSecret, secretKeys } from './secrets.ts';

const key = (text: string) => createHash('sha256').update(text).digest();
const OLD = key('the old key');
const NEW = key('the new key');
const WS = '6f1c2a51-7a3e-4d8e-9a55-1f0b1b0c9d11';

/** A value in the v1 form (no key id), as stored before keys could rotate. */
function sealV1(plain: string, workspaceId: string, field: string, k: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k, iv);
  cipher.setAAD(Buffer.from(`${workspaceId}/${field}`));
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

const env = { ...process.env };
afterEach(() => {
  process.env.COURTYARD_SECRET_KEY = env.COURTYARD_SECRET_KEY;
  process.env.COURTYARD_SECRET_KEY_PREVIOUS = env.COURTYARD_SECRET_KEY_PREVIOUS;
  if (env.COURTYARD_SECRET_KEY === undefined) delete process.env.COURTYARD_SECRET_KEY;
  if (env.COURTYARD_SECRET_KEY_PREVIOUS === undefined) delete process.env.COURTYARD_SECRET_KEY_PREVIOUS;
});

describe('sealed secrets and key rotation', () => {
  it('names the key that sealed a value, and opens it with that key among the previous ones', () => {
    const sealed = sealSecret('agent-secret-1', WS, 'agentSecret', OLD);
    expect(sealed.split('.').slice(0, 2)).toEqual(['v2', keyId(OLD)]);
    expect(sealed).not.toContain('agent-secret-1');
    expect(openSecret(sealed, WS, 'agentSecret', { current: NEW, previous: [OLD] })).toBe('agent-secret-1');
    expect(sealedUnderCurrent(sealed, { current: NEW, previous: [OLD] })).toBe(false);
    expect(sealedUnderCurrent(sealSecret('x', WS, 'agentSecret', { current: NEW, previous: [OLD] }), NEW)).toBe(true);
  });

  it('refuses a value sealed under a key it was not given, saying which key and where to put it', () => {
    const sealed = sealSecret('agent-secret-1', WS, 'agentSecret', OLD);
    expect(() => openSecret(sealed, WS, 'agentSecret', { current: NEW, previous: [] })).toThrow(`agentSecret was sealed under a key this server was not given (key id ${keyId(OLD)}): set that key in COURTYARD_SECRET_KEY_PREVIOUS`);
  });

  it('still opens values of the first form (no key id) with the current or a previous key', () => {
    const v1 = sealV1('token-1', WS, 'callbackToken', OLD);
    expect(openSecret(v1, WS, 'callbackToken', { current: NEW, previous: [OLD] })).toBe('token-1');
    expect(openSecret(v1, WS, 'callbackToken', OLD)).toBe('token-1');
    expect(sealedUnderCurrent(v1, OLD)).toBe(false);
    expect(() => openSecret(v1, WS, 'callbackToken', NEW)).toThrow();
  });

  it('keeps a value bound to its workspace and field, whichever key opens it', () => {
    const sealed = sealSecret('agent-secret-1', WS, 'agentSecret', OLD);
    const ring = { current: NEW, previous: [OLD] };
    expect(() => openSecret(sealed, WS, 'callbackToken', ring)).toThrow();
    expect(() => openSecret(sealed, '00000000-0000-4000-8000-000000000000', 'agentSecret', ring)).toThrow();
    expect(() => openSecret(`${sealed.slice(0, -2)}AA`, WS, 'agentSecret', ring)).toThrow();
  });

  it('reads the keys from COURTYARD_SECRET_KEY and COURTYARD_SECRET_KEY_PREVIOUS (comma-separated)', () => {
    process.env.COURTYARD_SECRET_KEY = 'the new key';
    process.env.COURTYARD_SECRET_KEY_PREVIOUS = 'the old key, an older key';
    const keys = secretKeys('/nonexistent');
    expect(keys.current.equals(NEW)).toBe(true);
    expect(keys.previous.map((k) => keyId(k))).toEqual([keyId(OLD), keyId(key('an older key'))]);
    delete process.env.COURTYARD_SECRET_KEY_PREVIOUS;
    expect(secretKeys('/nonexistent').previous).toEqual([]);
  });
});
