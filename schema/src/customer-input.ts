// The customer input shared by upsert (one and batch) and update, and its validation.
import type { Prisma } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import { LifecycleStageEnum } from './customer-filter.ts';
import { GenderEnum } from './customer.ts';
import { zDate, zJSONObject } from './scalars.ts';
import { zEmail, zPhone, zText } from './validation.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

function fields(t: PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>) {
  return {
    phone: t.string({ description: 'Mobile number; +86 and spaces are accepted, stored as 11 digits for mainland China.' }),
    email: t.string({ description: 'Email address.' }),
    wecomExternalId: t.string({ description: 'WeCom external contact id.' }),
    unionId: t.string({ description: 'WeChat union id.' }),
    name: t.string({ description: 'Display name.' }),
    gender: t.field({ type: GenderEnum, description: 'Gender.' }),
    birthday: t.field({ type: 'Date', description: 'Birthday, YYYY-MM-DD.' }),
    city: t.string({ description: 'City.' }),
    sourceChannel: t.string({ description: 'Where the customer came from: lower-case letters, digits and _ (e.g. tmall, wecom_qr).' }),
    lifecycleStage: t.field({ type: LifecycleStageEnum, description: 'Lifecycle stage.' }),
    attributes: t.field({ type: 'JSONObject', description: 'Custom attributes, merged key by key into the stored ones; a key set to null is removed.' }),
    marketingConsent: t.boolean({ description: 'Whether the customer may receive marketing messages.' }),
    blacklisted: t.boolean({ description: 'Put on (true) or take off (false) the marketing blacklist.' }),
  };
}

export const CustomerInput = builder.inputType('CustomerInput', {
  description:
    'A customer to create or update, found by phone, then WeCom external id, then email (at least one is required). Omitted fields keep their stored value; null clears it.',
  fields: (t) => fields(t),
});

export const CustomerPatch = builder.inputType('CustomerPatch', {
  description: 'Changes to a customer. Omitted fields keep their stored value; null clears it.',
  fields: (t) => fields(t),
});

export type CustomerInputShape = typeof CustomerInput.$inferInput;

const nullableText = (max: number) => zText(max).nullish();

export const zCustomerFields = z.object({
  phone: zPhone().nullish(),
  email: zEmail().nullish(),
  wecomExternalId: nullableText(128),
  unionId: nullableText(128),
  name: nullableText(100),
  gender: z.enum(['male', 'female', 'unknown']).nullish(),
  birthday: zDate()
    .refine((d) => d.getUTCFullYear() >= 1900 && d.getTime() <= Date.now(), { message: 'must be between 1900-01-01 and today' })
    .nullish(),
  city: nullableText(100),
  sourceChannel: z.string().regex(/^[a-z0-9_]{1,40}$/, { message: 'must be 1–40 lower-case letters, digits or _, e.g. wecom_qr' }).nullish(),
  lifecycleStage: z.enum(['lead', 'prospect', 'customer', 'repeat', 'vip', 'churned']).nullish(),
  attributes: zJSONObject()
    .refine((a) => JSON.stringify(a).length <= 16_384, { message: 'must be at most 16 KiB of JSON' })
    .nullish(),
  marketingConsent: z.boolean().nullish(),
  blacklisted: z.boolean().nullish(),
});

export const zCustomerUpsert = zCustomerFields.superRefine((c, ctx) => {
  if (!c.phone && !c.email && !c.wecomExternalId) {
    ctx.addIssue({ code: 'custom', path: ['phone'], message: 'give at least one of phone, wecomExternalId or email to identify the customer' });
  }
});

export type CustomerFields = z.output<typeof zCustomerFields>;

const NULLABLE_COLUMNS = ['phone', 'email', 'wecomExternalId', 'unionId', 'name', 'birthday', 'city', 'sourceChannel'] as const;
const NOT_NULL_COLUMNS = ['gender', 'lifecycleStage', 'marketingConsent', 'blacklisted'] as const;

/**
 * The columns to write: a field that was omitted stays as it is, null clears a nullable column
 * (and is ignored for the ones that cannot be empty), attributes merge into `existing`.
 */
export function customerData(input: CustomerFields, raw: Record<string, unknown>, existingAttributes?: unknown): Prisma.CustomerUncheckedUpdateInput {
  const data: Record<string, unknown> = {};
  for (const key of NULLABLE_COLUMNS) if (key in raw && raw[key] !== undefined) data[key] = input[key] ?? null;
  for (const key of NOT_NULL_COLUMNS) if (input[key] != null) data[key] = input[key];
  if (input.attributes) {
    const merged: Record<string, unknown> = { ...((existingAttributes as Record<string, unknown> | undefined) ?? {}) };
    for (const [k, v] of Object.entries(input.attributes)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    data.attributes = merged as Prisma.InputJsonValue;
  }
  return data as Prisma.CustomerUncheckedUpdateInput;
}
