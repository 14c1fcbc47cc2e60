// Input checks shared by every domain file: zod schemas report issues with the path of the field,
// and global IDs are decoded with the typename they must have.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { isUuid, normalizePhone } from '@courtyard/db';
import { z } from 'zod';
import { InputError, type FieldIssue } from './errors.ts';

export type Checked<T> = { ok: true; data: T } | { ok: false; issues: FieldIssue[] };

export function check<S extends z.ZodType>(schema: S, value: unknown, path: string[]): Checked<z.output<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: [...path, ...issue.path.map(String)],
      message: issue.message,
      code: issue.code,
    })),
  };
}

/** Parses or throws an InputError naming every bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, path: string[]): z.output<S> {
  const result = check(schema, value, path);
  if (!result.ok) throw new InputError(result.issues);
  return result.data;
}

/**
 * Mobile numbers: mainland China numbers are stored as their 11 national digits (13800138000),
 * others in E.164 (+85291234567), so the same person matches however the number was typed.
 */
export { normalizePhone };

export const zPhone = () =>
  z.string().transform((raw, ctx) => {
    const phone = normalizePhone(raw);
    if (!phone) {
      ctx.addIssue({ code: 'custom', message: `"${raw}" is not a valid phone number; use 11 digits for a mainland mobile (13800138000) or +country code` });
      return z.NEVER;
    }
    return phone;
  });

export const zEmail = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: 'is not a valid email address, e.g. lin@example.com' }));

/** A short free-text field: trimmed, not empty, at most `max` characters. */
export const zText = (max = 200) => z.string().trim().min(1, { message: 'must not be empty' }).max(max, { message: `must be at most ${max} characters` });

export function decodeId(globalId: string, typename: string | readonly string[], path: string[]): string {
  const allowed = typeof typename === 'string' ? [typename] : typename;
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    throw new InputError({ path, message: `"${globalId}" is not a Courtyard ID; use the id field of a ${allowed.join(' or ')}`, code: 'invalid_id' });
  }
  if (!allowed.includes(decoded.typename) || !isUuid(decoded.id)) {
    throw new InputError({ path, message: `"${globalId}" is not the ID of a ${allowed.join(' or ')}`, code: 'invalid_id' });
  }
  return decoded.id;
}

/** Like decodeId, but reports instead of throwing (for batches). */
export function tryDecodeId(globalId: string, typename: string, path: string[]): Checked<string> {
  try {
    return { ok: true, data: decodeId(globalId, typename, path) };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, issues: error.issues };
    throw error;
  }
}

/** Throws an InputError naming each id (by its position under `path`) that is not a customer of the workspace. */
export async function assertCustomersExist(
  prisma: { customer: { findMany(args: { where: { workspaceId: string; id: { in: string[] } }; select: { id: true } }): Promise<{ id: string }[]> } },
  workspaceId: string,
  ids: string[],
  path: string[],
) {
  if (!ids.length) return;
  const found = new Set((await prisma.customer.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true } })).map((c) => c.id));
  const missing = ids.flatMap((id, i) => (found.has(id) ? [] : [{ path: [...path, String(i)], message: 'no such customer in this workspace', code: 'not_found' }]));
  if (missing.length) throw new InputError(missing);
}
