import { describe, expect, it } from 'vitest';
import { configFields, configToSubmit, hasStoredSecret, initialValues, MASKED } from './config-form';

// As the API prints the webhook and email channel schemas.
const WEBHOOK = {
  type: 'object',
  properties: {
    url: { type: 'string', format: 'uri' },
    secret: { type: 'string', minLength: 1 },
    timeoutMs: { default: 10000, type: 'integer', minimum: 100, maximum: 120000 },
    batch: { default: false, type: 'boolean' },
  },
  required: ['url', 'secret'],
};
const EMAIL = {
  type: 'object',
  properties: { host: { type: 'string' }, port: { type: 'integer', minimum: 1, maximum: 65535 }, user: { type: 'string' }, pass: { type: 'string' }, from: { type: 'string' } },
  required: ['host', 'from'],
};
const WECOM_AGENT = { type: 'object', properties: { agentId: { type: 'integer', exclusiveMinimum: 0, maximum: 9007199254740991 } } };

describe('channel config form', () => {
  it('reads one field per property with its kind, requirement, default and bounds', () => {
    expect(configFields(WEBHOOK)).toEqual([
      { key: 'url', kind: 'url', required: true },
      { key: 'secret', kind: 'secret', required: true },
      { key: 'timeoutMs', kind: 'integer', required: false, default: 10000, min: 100, max: 120000 },
      { key: 'batch', kind: 'boolean', required: false, default: false },
    ]);
    expect(configFields(EMAIL).find((f) => f.key === 'pass')?.kind).toBe('secret');
    expect(configFields(WECOM_AGENT)[0]).toEqual({ key: 'agentId', kind: 'integer', required: false, min: 1 });
    expect(configFields(undefined)).toEqual([]);
  });

  it('a new channel starts from the defaults and sends only what was filled in', () => {
    const fields = configFields(WEBHOOK);
    const values = initialValues(fields);
    expect(values).toEqual({ url: '', secret: '', timeoutMs: 10000, batch: false });
    values.url = ' https://hooks.example.com/cy ';
    values.secret = 'whsec_abc=';
    expect(configToSubmit(fields, values, 'create')).toEqual({ url: 'https://hooks.example.com/cy', secret: 'whsec_abc=', timeoutMs: 10000, batch: false });
  });

  it('editing keeps a stored secret unless a new one is typed, and removes emptied optional fields', () => {
    const fields = configFields(EMAIL);
    const stored = { host: 'smtp.example.com', port: 465, user: 'mailer', pass: MASKED, from: 'noreply@example.com' };
    const values = initialValues(fields, stored);
    expect(values.pass).toBe('');
    expect(hasStoredSecret(stored, 'pass')).toBe(true);
    values.port = null;
    expect(configToSubmit(fields, values, 'update')).toEqual({ host: 'smtp.example.com', port: null, user: 'mailer', pass: MASKED, from: 'noreply@example.com' });
    values.pass = 'new-password';
    expect(configToSubmit(fields, values, 'update').pass).toBe('new-password');
  });
});
