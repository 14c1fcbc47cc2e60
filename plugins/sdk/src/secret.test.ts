import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configJsonSchema } from './manifest.ts';
import { defineAction, NEXT } from './node.ts';
import { secretFields, secretFieldsOfSchema, secretString, unsealableSecretsOfSchema } from './secret.ts';

const action = defineAction({
  id: 'acme.notify',
  version: '1.0.0',
  title: { 'zh-CN': '通知', en: 'Notify' },
  description: { 'zh-CN': '通知外部系统', en: 'Notifies an outside system' },
  icon: 'bell',
  config: z.object({
    url: z.string(),
    token: secretString(z.string().min(8, 'at least 8').meta({ description: 'API token' })),
    apiKey: secretString(),
  }),
  ports: NEXT,
  run: async ({ items }) => items.map(() => 'next' as const),
});

describe('secret config fields', () => {
  it('a secretString field is marked x-secret in the exported JSON Schema and keeps its checks and doc', () => {
    const schema = configJsonSchema(action) as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.token).toMatchObject({ type: 'string', minLength: 8, description: 'API token', 'x-secret': true });
    expect(schema.properties.url!['x-secret']).toBeUndefined();
    expect(secretFields(action)).toEqual(['token', 'apiKey']);
    expect(action.config.safeParse({ url: 'u', token: 'short', apiKey: 'k' }).success).toBe(false);
  });

  it('secret fields survive a JSON Schema round trip, as partner nodes are described', () => {
    expect(secretFieldsOfSchema(z.toJSONSchema(z.fromJSONSchema(configJsonSchema(action) as never)))).toEqual(['token', 'apiKey']);
  });

  it('names the secrets the platform would not seal: nested in an object, in a union such as .nullable(), or not a string', () => {
    expect(unsealableSecretsOfSchema(configJsonSchema(action))).toEqual([]);
    const schema = z.toJSONSchema(
      z.object({
        optional: secretString().optional(),
        nullable: secretString().nullable(),
        auth: z.object({ token: secretString() }),
      }),
    );
    const found = unsealableSecretsOfSchema({ ...schema, properties: { ...(schema.properties as object), pin: { type: 'number', 'x-secret': true } } });
    expect(found.map((f) => [f.path.join('.'), f.problem])).toEqual([
      ['properties.nullable.anyOf.0', 'nested'],
      ['properties.auth.properties.token', 'nested'],
      ['properties.pin', 'not_string'],
    ]);
  });
});
