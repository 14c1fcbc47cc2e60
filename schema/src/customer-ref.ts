// A reference to a customer inside event and order batches: by ID or by one identity.
import type { QueryFn } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import { InputError, type FieldIssue } from './errors.ts';
import type { BatchItemError } from './error-types.ts';
import { check, normalizePhone, tryDecodeId, zEmail, zPhone } from './validation.ts';

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

/**
 * parseCustomerRef for the common case, without zod or paths: a reference by phone alone that
 * normalises, or by WeCom id alone that is not empty. Anything else (null) goes through
 * parseCustomerRef, which names what is wrong; what this accepts, parseCustomerRef accepts alike.
 */
function quickCustomerRef(input: RefInput): Ref | null {
  if (input.id != null || input.email != null) return null;
  const { phone, wecomExternalId } = input;
  if (phone != null) {
    if (wecomExternalId != null || typeof phone !== 'string') return null;
    const value = normalizePhone(phone);
    return value === null ? null : { key: 'phone', value };
  }
  return typeof wecomExternalId === 'string' && wecomExternalId.length > 0 ? { key: 'wecomExternalId', value: wecomExternalId } : null;
}

const COLUMN: Record<Key, string> = { id: 'id', phone: 'phone', wecomExternalId: '"wecomExternalId"', email: 'email' };

/**
 * Resolves many references with one query per identity kind: identity kind → value → customer id.
 * Each value is one probe of the kind's unique index: for thousands of values that costs less than
 * `= ANY(…)`, which PostgreSQL plans value by value and answers with a scan of the workspace's
 * customers once the list is long.
 */
export async function resolveCustomerRefs(query: QueryFn, workspaceId: string, refs: Ref[]): Promise<Map<Key, Map<string, string>>> {
  const byKey = new Map<Key, Set<string>>();
  for (const r of refs) (byKey.get(r.key) ?? byKey.set(r.key, new Set()).get(r.key)!).add(r.value);
  const found = new Map<Key, Map<string, string>>();
  for (const [key, values] of byKey) {
    const column = COLUMN[key];
    const type = key === 'id' ? 'uuid' : 'text';
    const rows = await query<{ id: string; v: string }>(
      `SELECT c.id, x.v::text AS v FROM unnest($2::${type}[]) AS x(v)
       CROSS JOIN LATERAL (SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1 AND c.${column} = x.v LIMIT 1) c`,
      [workspaceId, [...values]],
    );
    found.set(key, new Map(rows.map((row) => [row.v, row.id])));
  }
  return found;
}

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
 *
 * `quick`, when given, checks an item's fields without zod for the common case: it returns what
 * `schema` would (optionally with extra fields of its own, such as a serialisation made while
 * checking), or null when unsure. Items it returns null for go through `schema`, so every rejection
 * comes from `schema` with its messages.
 */
export async function prepareCustomerBatch<S extends z.ZodType, I extends { customer: RefInput }, D extends z.output<S> = z.output<S>>(
  query: QueryFn,
  workspaceId: string,
  field: string,
  items: readonly I[],
  schema: S,
  options: {
    checkInOrder?: (data: D, index: number, path: string[]) => FieldIssue | null;
    quick?: (item: I) => D | null;
  } = {},
): Promise<{ items: BatchItem<D>[]; errors: BatchItemError[] }> {
  const { checkInOrder, quick } = options;
  const errors: BatchItemError[] = [];
  const fail = (index: number, issues: FieldIssue[]) => errors.push({ index, error: new InputError(issues) });
  const parsed: { index: number; ref: Ref; data: D }[] = [];
  for (let index = 0; index < items.length; index++) {
    const raw = items[index]!;
    let ref = quickCustomerRef(raw.customer);
    // Only what the quick checks leave (null) is checked again, with paths, by the full ones.
    let data: D | null = quick ? quick(raw) : null;
    if (ref === null || data === null) {
      const path = [field, String(index)];
      const checkedRef = ref === null ? parseCustomerRef(raw.customer, [...path, 'customer']) : null;
      const result = data === null ? check(schema, raw, path) : null;
      const issues = [...(checkedRef && !checkedRef.ok ? checkedRef.issues : []), ...(result && !result.ok ? result.issues : [])];
      if (issues.length) {
        fail(index, issues);
        continue;
      }
      if (checkedRef?.ok) ref = checkedRef.ref;
      // z.output<S> without the extra fields D may add: they are optional (see `quick`).
      if (result?.ok) data = result.data as D;
    }
    const problem = checkInOrder?.(data!, index, [field, String(index)]);
    if (problem) {
      fail(index, [problem]);
      continue;
    }
    parsed.push({ index, ref: ref!, data: data! });
  }
  const customers = await resolveCustomerRefs(query, workspaceId, parsed.map((p) => p.ref));
  const usable: BatchItem<D>[] = [];
  for (const { index, ref, data } of parsed) {
    const customerId = customers.get(ref.key)?.get(ref.value);
    if (customerId) usable.push({ index, customerId, data });
    else fail(index, [{ path: [field, String(index), 'customer', ref.key], message: 'no customer matches; upsert the customer first', code: 'not_found' }]);
  }
  errors.sort((a, b) => a.index - b.index);
  return { items: usable, errors };
}
