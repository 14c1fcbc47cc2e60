// A reference to a customer inside event and order batches: by ID or by one identity.
import type { QueryFn } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import { InputError, type FieldIssue } from './errors.ts';
import type { BatchItemError } from './error-types.ts';
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

export interface BatchItem<T> {
  index: number;
  customerId: string;
  data: T;
}

/**
 * The shared first half of every batch that names customers (events, orders): each item's
 * customer reference and fields are checked (plus `checkInOrder`, which sees the items in order, e.g. for
 * duplicates), all references are resolved with one query per kind, and the result is the usable
 * items with their customer ids and, by index, why the others were rejected.
 */
export async function prepareCustomerBatch<S extends z.ZodType>(
  query: QueryFn,
  workspaceId: string,
  field: string,
  items: readonly { customer: RefInput }[],
  schema: S,
  checkInOrder?: (data: z.output<S>, index: number, path: string[]) => FieldIssue | null,
): Promise<{ items: BatchItem<z.output<S>>[]; errors: BatchItemError[] }> {
  const errors: BatchItemError[] = [];
  const fail = (index: number, issues: FieldIssue[]) => errors.push({ index, error: new InputError(issues) });
  const parsed: { index: number; ref: Ref; data: z.output<S> }[] = [];
  items.forEach((raw, index) => {
    const path = [field, String(index)];
    const ref = parseCustomerRef(raw.customer, [...path, 'customer']);
    const result = check(schema, raw, path);
    if (!ref.ok || !result.ok) return fail(index, [...(ref.ok ? [] : ref.issues), ...(result.ok ? [] : result.issues)]);
    const problem = checkInOrder?.(result.data, index, path);
    if (problem) return fail(index, [problem]);
    parsed.push({ index, ref: ref.ref, data: result.data });
  });
  const customers = await resolveCustomerRefs(query, workspaceId, parsed.map((p) => p.ref));
  const usable: BatchItem<z.output<S>>[] = [];
  for (const { index, ref, data } of parsed) {
    const customerId = customers.get(refKey(ref));
    if (customerId) usable.push({ index, customerId, data });
    else fail(index, [{ path: [field, String(index), 'customer', ref.key], message: 'no customer matches; upsert the customer first', code: 'not_found' }]);
  }
  errors.sort((a, b) => a.index - b.index);
  return { items: usable, errors };
}
