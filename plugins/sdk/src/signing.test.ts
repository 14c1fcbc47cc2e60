import { describe, expect, it } from 'vitest';
import { createSigningSecret, signedHeaders, signPayload, verifySignature } from './signing.ts';

const body = JSON.stringify({ type: 'journey.step', customer: { id: 'c1' } });
const now = new Date('2024-06-03T02:00:00.000Z');

describe('Standard Webhooks signing', () => {
  it('a request signed with a secret verifies with it and returns the webhook id', () => {
    const secret = createSigningSecret();
    const headers = signedHeaders(secret, 'enr-1:node-1:0', body, now);
    expect(verifySignature(secret, headers, body, { now })).toEqual({ ok: true, id: 'enr-1:node-1:0' });
  });

  it('matches the Standard Webhooks reference signature', () => {
    // From the Standard Webhooks specification's test vectors.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const payload = '{"test": 2432232314}';
    expect(signPayload(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, payload)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('a changed body, id or timestamp is rejected as a bad signature', () => {
    const secret = createSigningSecret();
    const headers = signedHeaders(secret, 'msg-1', body, now);
    expect(verifySignature(secret, headers, body.replace('c1', 'c2'), { now })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySignature(secret, { ...headers, 'webhook-id': 'msg-2' }, body, { now })).toEqual({ ok: false, reason: 'bad-signature' });
    const shifted = String(Number(headers['webhook-timestamp']) + 1);
    expect(verifySignature(secret, { ...headers, 'webhook-timestamp': shifted }, body, { now })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('another secret is rejected', () => {
    const headers = signedHeaders(createSigningSecret(), 'msg-1', body, now);
    expect(verifySignature(createSigningSecret(), headers, body, { now })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('a replay after the tolerance is rejected as too old, a future timestamp as such', () => {
    const secret = createSigningSecret();
    const headers = signedHeaders(secret, 'msg-1', body, now);
    expect(verifySignature(secret, headers, body, { now: new Date(now.getTime() + 301_000) })).toEqual({ ok: false, reason: 'timestamp-too-old' });
    expect(verifySignature(secret, headers, body, { now: new Date(now.getTime() + 299_000) }).ok).toBe(true);
    expect(verifySignature(secret, headers, body, { now: new Date(now.getTime() - 301_000) })).toEqual({ ok: false, reason: 'timestamp-in-future' });
  });

  it('missing headers are reported as such, and header names are matched in any case', () => {
    const secret = createSigningSecret();
    const headers = signedHeaders(secret, 'msg-1', body, now);
    expect(verifySignature(secret, { 'webhook-id': 'msg-1' }, body, { now })).toEqual({ ok: false, reason: 'missing-headers' });
    const capitalised = { 'Webhook-Id': headers['webhook-id'], 'Webhook-Timestamp': headers['webhook-timestamp'], 'Webhook-Signature': headers['webhook-signature'] };
    expect(verifySignature(secret, capitalised, body, { now }).ok).toBe(true);
  });

  it('accepts the request when any of several space-separated signatures matches, as during a secret rotation', () => {
    const secret = createSigningSecret();
    const headers = signedHeaders(secret, 'msg-1', body, now);
    const rotated = { ...headers, 'webhook-signature': `v1,${Buffer.from('old').toString('base64')} ${headers['webhook-signature']}` };
    expect(verifySignature(secret, rotated, body, { now }).ok).toBe(true);
  });

  it('signs with the new and the old secret during a rotation: a receiver holding either one verifies, a stranger does not', () => {
    const [fresh, old] = [createSigningSecret(), createSigningSecret()];
    const headers = signedHeaders([fresh, old], 'msg-2', body, now);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifySignature(fresh, headers, body, { now }).ok).toBe(true);
    expect(verifySignature(old, headers, body, { now }).ok).toBe(true);
    expect(verifySignature(createSigningSecret(), headers, body, { now })).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
