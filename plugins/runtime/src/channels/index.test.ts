import { describe, expect, it } from 'vitest';
import { ChannelConfigError, channelDrivers, openChannel, parseChannelConfig } from './index.ts';

function issuesOf(type: string, config: unknown) {
  try {
    openChannel(type, config);
  } catch (error) {
    if (error instanceof ChannelConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ChannelConfigError');
}

describe('channel drivers', () => {
  it('are listed under their own type', () => {
    for (const [type, driver] of Object.entries(channelDrivers)) expect(driver.type).toBe(type);
  });

  it('an unknown channel type is refused on the type field', () => {
    expect(issuesOf('sms', {})).toEqual([{ path: ['type'], message: 'unknown channel type "sms"; use one of log, webhook, email, wecom' }]);
  });

  it('a webhook with an ftp address is refused on the url field', () => {
    expect(issuesOf('webhook', { url: 'ftp://files.example/hook', secret: 's' })).toEqual([{ path: ['url'], message: 'give an http:// or https:// address' }]);
  });

  it('a webhook without a secret is refused on the secret field', () => {
    expect(issuesOf('webhook', { url: 'https://hooks.example/in' }).map((i) => i.path)).toEqual([['secret']]);
  });

  it('a whsec_ secret that is not base64 is refused', () => {
    expect(issuesOf('webhook', { url: 'https://hooks.example/in', secret: 'whsec_not base64!' })).toEqual([
      { path: ['secret'], message: 'a secret starting with whsec_ must continue in base64' },
    ]);
  });

  it('an email user without a password is refused on the pass field', () => {
    expect(issuesOf('email', { host: 'smtp.example', from: 'noreply@tea.example', user: 'mailer' })).toEqual([
      { path: ['pass'], message: 'give the password for the SMTP user' },
    ]);
  });

  it('an email sender that is not an address is refused on the from field', () => {
    expect(issuesOf('email', { host: 'smtp.example', from: 'Tea shop' }).map((i) => i.path)).toEqual([['from']]);
  });

  it('a WeCom channel with a CorpID but no secret names the secret field', () => {
    expect(issuesOf('wecom', { corpId: 'ww1' }).map((i) => i.path)).toEqual([['secret']]);
  });

  it('the error message lists each wrong field', () => {
    expect(() => openChannel('webhook', {})).toThrow(/url: .*; secret: /);
  });

  it('fills the documented defaults', () => {
    expect(parseChannelConfig('webhook', { url: 'https://hooks.example/in', secret: 's' })).toEqual({ url: 'https://hooks.example/in', secret: 's', timeoutMs: 10_000, batch: false });
    expect(parseChannelConfig('wecom', { corpId: 'ww1', secret: 's' })).toEqual({ corpId: 'ww1', secret: 's' });
    expect(parseChannelConfig('email', { host: 'smtp.example', from: 'noreply@tea.example' })).toEqual({ host: 'smtp.example', secure: false, from: 'noreply@tea.example' });
    expect(parseChannelConfig('log', undefined)).toEqual({});
  });
});
