// The customer filter of `customers(filter:)` and of bulk tagging, turned into a Prisma where.
import type { Prisma } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import { InputError, type FieldIssue } from './errors.ts';
import { zDate, zMoney } from './scalars.ts';
import { check, tryDecodeId } from './validation.ts';

export const LifecycleStageEnum = builder.enumType('LifecycleStage', {
  description: 'Where a customer stands with the brand.',
  values: {
    lead: { value: 'lead', description: 'Known (e.g. added on WeCom) but never ordered.' },
    prospect: { value: 'prospect', description: 'Showed intent: inquired, used a coupon, added to cart.' },
    customer: { value: 'customer', description: 'Ordered once.' },
    repeat: { value: 'repeat', description: 'Ordered more than once.' },
    vip: { value: 'vip', description: 'A high-value member.' },
    churned: { value: 'churned', description: 'Has not ordered for a long time.' },
  } as const,
});

const TagMatch = builder.inputType('TagMatch', {
  description: 'Which tags a customer must carry. Conditions combine with AND.',
  fields: (t) => ({
    any: t.idList({ description: 'Has at least one of these tags.' }),
    all: t.idList({ description: 'Has every one of these tags.' }),
    none: t.idList({ description: 'Has none of these tags.' }),
  }),
});

const DateTimeRange = builder.inputType('DateTimeRange', {
  description: 'A time range; either end may be left open. `from` is inclusive, `to` exclusive.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Start, inclusive.' }),
    to: t.field({ type: 'DateTime', description: 'End, exclusive.' }),
  }),
});

const MoneyRange = builder.inputType('MoneyRange', {
  description: 'An amount range in minor units; both ends inclusive, either may be left open.',
  fields: (t) => ({
    min: t.field({ type: 'Money', description: 'Lowest amount, inclusive.' }),
    max: t.field({ type: 'Money', description: 'Highest amount, inclusive.' }),
  }),
});

export const CustomerIdentityEnum = builder.enumType('CustomerIdentity', {
  description: 'A way the brand can recognise and reach a customer.',
  values: {
    phone: { value: 'phone', description: 'A mobile number.' },
    email: { value: 'email', description: 'An email address.' },
    wecom: { value: 'wecom', description: 'A WeCom external contact (the customer added a staff account).' },
    unionId: { value: 'unionId', description: 'A WeChat union id.' },
  } as const,
});

const IDENTITY_COLUMNS = { phone: 'phone', email: 'email', wecom: 'wecomExternalId', unionId: 'unionId' } as const;

export const CustomerFilter = builder.inputType('CustomerFilter', {
  description: 'Which customers to list or act on. All given conditions must hold.',
  fields: (t) => ({
    tags: t.field({ type: TagMatch, description: 'Tag conditions.' }),
    text: t.string({ description: 'Matches part of the name, phone or email (case-insensitive).' }),
    lifecycleStages: t.field({ type: [LifecycleStageEnum], description: 'In any of these lifecycle stages.' }),
    sourceChannels: t.stringList({ description: 'Came from any of these channels, e.g. tmall, wecom_qr, parcel_card.' }),
    createdAt: t.field({ type: DateTimeRange, description: 'Became a customer of the workspace within this range.' }),
    lastOrderAt: t.field({ type: DateTimeRange, description: 'Last paid order within this range.' }),
    totalSpent: t.field({ type: MoneyRange, description: 'Total paid across orders within this range.' }),
    blacklisted: t.boolean({ description: 'Only blacklisted (true) or only not blacklisted (false) customers.' }),
    marketingConsent: t.boolean({ description: 'Only customers who did (true) or did not (false) consent to marketing.' }),
    segmentIds: t.idList({ description: 'Members of at least one of these segments (at most 20).' }),
    ownerStaffIds: t.idList({ description: 'Owned by any of these staff accounts (the WeCom member who added them, or who they were transferred to); at most 100.' }),
    identities: t.field({ type: [CustomerIdentityEnum], description: 'Has every one of these identities, e.g. [wecom] for customers reachable on WeCom.' }),
  }),
});

const zRange = z.object({ from: zDate().nullish(), to: zDate().nullish() }).nullish();
const zFilter = z.object({
  text: z.string().trim().max(100).nullish(),
  createdAt: zRange,
  lastOrderAt: zRange,
  totalSpent: z.object({ min: zMoney().nullish(), max: zMoney().nullish() }).nullish(),
});

export type CustomerFilterInput = typeof CustomerFilter.$inferInput;

const MAX_SEGMENTS = 20;

/** Checks the filter and returns the Prisma where for the caller's workspace; unknown tag ids are errors. */
export async function customerWhere(
  prisma: {
    tag: { findMany(args: { where: { id: { in: string[] }; workspaceId: string }; select: { id: true } }): Promise<{ id: string }[]> };
    segment: { findMany(args: { where: { id: { in: string[] }; workspaceId: string }; select: { id: true } }): Promise<{ id: string }[]> };
  },
  workspaceId: string,
  filter: CustomerFilterInput | null | undefined,
  path: string[],
): Promise<Prisma.CustomerWhereInput> {
  const where: Prisma.CustomerWhereInput[] = [{ workspaceId }];
  if (!filter) return where[0]!;
  const issues: FieldIssue[] = [];
  const checked = check(zFilter, filter, path);
  if (!checked.ok) issues.push(...checked.issues);

  const tagIds: Record<'any' | 'all' | 'none', string[]> = { any: [], all: [], none: [] };
  for (const key of ['any', 'all', 'none'] as const) {
    (filter.tags?.[key] ?? []).forEach((gid, i) => {
      const r = tryDecodeId(String(gid), 'Tag', [...path, 'tags', key, String(i)]);
      if (r.ok) tagIds[key].push(r.data);
      else issues.push(...r.issues);
    });
  }
  const allTagIds = [...tagIds.any, ...tagIds.all, ...tagIds.none];
  if (allTagIds.length) {
    const known = new Set((await prisma.tag.findMany({ where: { id: { in: allTagIds }, workspaceId }, select: { id: true } })).map((t) => t.id));
    for (const key of ['any', 'all', 'none'] as const) {
      tagIds[key].forEach((id, i) => {
        if (!known.has(id)) issues.push({ path: [...path, 'tags', key, String(i)], message: 'no such tag in this workspace', code: 'not_found' });
      });
    }
  }
  const segmentIds: string[] = [];
  if ((filter.segmentIds?.length ?? 0) > MAX_SEGMENTS) {
    issues.push({ path: [...path, 'segmentIds'], message: `at most ${MAX_SEGMENTS} segments`, code: 'too_big' });
  } else {
    (filter.segmentIds ?? []).forEach((gid, i) => {
      const r = tryDecodeId(String(gid), 'Segment', [...path, 'segmentIds', String(i)]);
      if (r.ok) segmentIds.push(r.data);
      else issues.push(...r.issues);
    });
  }
  if (segmentIds.length) {
    const known = new Set((await prisma.segment.findMany({ where: { id: { in: segmentIds }, workspaceId }, select: { id: true } })).map((s) => s.id));
    segmentIds.forEach((id, i) => {
      if (!known.has(id)) issues.push({ path: [...path, 'segmentIds', String(i)], message: 'no such segment in this workspace', code: 'not_found' });
    });
  }
  const ownerStaffIds: string[] = [];
  if ((filter.ownerStaffIds?.length ?? 0) > 100) issues.push({ path: [...path, 'ownerStaffIds'], message: 'at most 100 staff accounts', code: 'too_big' });
  else {
    (filter.ownerStaffIds ?? []).forEach((gid, i) => {
      const r = tryDecodeId(String(gid), 'Staff', [...path, 'ownerStaffIds', String(i)]);
      if (r.ok) ownerStaffIds.push(r.data);
      else issues.push(...r.issues);
    });
  }
  if (issues.length || !checked.ok) throw new InputError(issues);
  const f = checked.data;
  // Another workspace's staff id matches none of this workspace's customers: no lookup needed.
  if (ownerStaffIds.length) where.push({ ownerStaffId: { in: ownerStaffIds } });

  if (tagIds.any.length) where.push({ tags: { some: { tagId: { in: tagIds.any } } } });
  for (const tagId of tagIds.all) where.push({ tags: { some: { tagId } } });
  if (tagIds.none.length) where.push({ tags: { none: { tagId: { in: tagIds.none } } } });
  if (f.text) {
    const contains = f.text;
    where.push({
      OR: [
        { name: { contains, mode: 'insensitive' } },
        { phone: { contains } },
        { email: { contains, mode: 'insensitive' } },
      ],
    });
  }
  if (filter.lifecycleStages?.length) where.push({ lifecycleStage: { in: filter.lifecycleStages } });
  if (filter.sourceChannels?.length) where.push({ sourceChannel: { in: filter.sourceChannels } });
  if (f.createdAt) where.push({ createdAt: range(f.createdAt) });
  if (f.lastOrderAt) where.push({ lastOrderAt: range(f.lastOrderAt) });
  if (f.totalSpent) {
    where.push({ totalSpentCents: { ...(f.totalSpent.min != null ? { gte: f.totalSpent.min } : {}), ...(f.totalSpent.max != null ? { lte: f.totalSpent.max } : {}) } });
  }
  if (filter.blacklisted != null) where.push({ blacklisted: filter.blacklisted });
  if (filter.marketingConsent != null) where.push({ marketingConsent: filter.marketingConsent });
  if (segmentIds.length) where.push({ segments: { some: { segmentId: { in: segmentIds } } } });
  for (const identity of new Set(filter.identities ?? [])) where.push({ [IDENTITY_COLUMNS[identity]]: { not: null } });
  return { AND: where };
}

function range(r: { from?: Date | null | undefined; to?: Date | null | undefined }) {
  return { ...(r.from ? { gte: r.from } : {}), ...(r.to ? { lt: r.to } : {}) };
}

// A connection needs its where for the page and again for totalCount; the args object is the same
// for both, so the filter is checked (and its tags looked up) once per field.
const whereOnce = new WeakMap<object, Promise<Prisma.CustomerWhereInput>>();

export function customerWhereOnce(args: { filter?: CustomerFilterInput | null }, prisma: Parameters<typeof customerWhere>[0], workspaceId: string) {
  let where = whereOnce.get(args);
  if (!where) {
    where = customerWhere(prisma, workspaceId, args.filter, ['filter']);
    whereOnce.set(args, where);
  }
  return where;
}
