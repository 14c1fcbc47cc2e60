// A reference to a customer inside event and order batches: by ID or by one identity.
import type { QueryFn } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { FieldIssue } from './errors.ts';
import { check, tryDecodeId, zEmail, zPhone } from './validation.ts';

export const CustomerRefInput = builder.inputType('CustomerRefInput', {
  description: 'Names one existing customer: give exactly one of id, phone, wecomExternalId or email.',
  fields: (t) => ({
    id: t.id({ description: 'The customer\'s ID.' }),
    phone: t.string({ description: 'The customer\'s phone.' }),
    wecomExternalId: t.string({ description: 'The customer\'s WeCom external contact id.' }),
    email: t.string({ description: 'The customer\'s email.' }),
  }),
});

type RefInput = typeof CustomerRefInput.$inferInput;
type Key = 'id' | 'phone' | 'wecomExternalId' | 'email';
type Ref = { key: Key; value: string };

const zRef = z.object({ phone: zPhone().nullish(), email: zEmail().nullish(), wecomExternalId: z.string().min(1).nullish() });

export function parseCustomerRef(input: RefInput, path: string[]): { ok: true; ref: Ref } | { ok: false; issues: FieldIssue[] } {
  const given = (['id', 'phone', 'wecomExternalId', 'email'] as const).filter((k) => input[k] != null);
  if (given.length !== 1) {
    return { ok: false, issues: [{ path, message: 'give exactly one of id, phone, wecomExternalId or email', code: 'invalid_ref' }] };
  }
  const key = given[0]!;
  if (key === 'id') {
    const id = tryDecodeId(String(input.id), 'Customer', [...path, 'id']);
    return id.ok ? { ok: true, ref: { key, value: id.data } } : id;
  }
  const checked = check(zRef, input, path);
  if (!checked.ok) return checked;
  return { ok: true, ref: { key, value: checked.data[key]! } };
}

const COLUMN: Record<Key, string> = { id: 'id', phone: 'phone', wecomExternalId: '"wecomExternalId"', email: 'email' };

/** Resolves many references with one query per identity kind; the map is keyed `key:value`. */
export async function resolveCustomerRefs(query: QueryFn, workspaceId: string, refs: Ref[]): Promise<Map<string, string>> {
  const byKey = new Map<Key, Set<string>>();
  for (const r of refs) (byKey.get(r.key) ?? byKey.set(r.key, new Set()).get(r.key)!).add(r.value);
  const found = new Map<string, string>();
  for (const [key, values] of byKey) {
    const column = COLUMN[key];
    const cast = key === 'id' ? '::uuid[]' : '::text[]';
    const rows = await query<{ id: string; v: string }>(
      `SELECT id, ${column}::text AS v FROM "Customer" WHERE "workspaceId" = $1 AND ${column} = ANY($2${cast})`,
      [workspaceId, [...values]],
    );
    for (const row of rows) found.set(`${key}:${row.v}`, row.id);
  }
  return found;
}

export const refKey = (r: Ref) => `${r.key}:${r.value}`;
