// Writing customers: upsert one, upsert a batch (per-item results), update, delete.
import type { Prisma, PrismaClient } from '@courtyard/db';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { CustomerInput, CustomerPatch, customerData, zCustomerFields, zCustomerUpsert, type CustomerFields } from './customer-input.ts';
import { ConflictError, CourtyardError, InputError, isUniqueViolation, NotFoundError } from './errors.ts';
import { BatchItemErrorRef, DeletedRef, resultUnion, type BatchItemError } from './error-types.ts';
import { publishCustomerChanges } from './publish.ts';
import { publishSegmentDeltas, recheckAfterChange } from './segment-membership.ts';
import { check, decodeId, parse } from './validation.ts';

export const MAX_CUSTOMER_BATCH = 1_000;

type Identity = 'phone' | 'wecomExternalId' | 'email';
const IDENTITIES: Identity[] = ['phone', 'wecomExternalId', 'email'];

interface ExistingCustomer {
  id: string;
  phone: string | null;
  email: string | null;
  wecomExternalId: string | null;
  attributes: unknown;
}

interface ItemResult {
  index: number;
  customerId: string | null;
  created: boolean;
  error: CourtyardError | null;
}

const UpsertCustomerResultRef = builder.objectRef<ItemResult>('UpsertCustomersItem').implement({
  description: 'What happened to one item of a batch upsert.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position of the item in the batch, from 0.' }),
    customer: t.prismaField({
      type: 'Customer',
      nullable: true,
      description: 'The stored customer; null when the item failed.',
      resolve: (query, r, _a, ctx) => (r.customerId ? ctx.prisma.customer.findUnique({ ...query, where: { id: r.customerId } }) : null),
    }),
    created: t.exposeBoolean('created', { description: 'True when the customer was new, false when an existing one was updated.' }),
    error: t.field({
      type: BatchItemErrorRef,
      nullable: true,
      description: 'Why the item was not stored; null when it was.',
      resolve: (r) => (r.error ? { index: r.index, error: r.error as BatchItemError['error'] } : null),
    }),
  }),
});

const UpsertCustomersPayload = builder.objectRef<{ results: ItemResult[] }>('UpsertCustomersPayload').implement({
  description: 'Per-item results of a batch upsert. Valid items are stored even when others fail.',
  fields: (t) => ({
    results: t.field({ type: [UpsertCustomerResultRef], description: 'One result per item, in input order.', resolve: (p) => p.results }),
    createdCount: t.int({ description: 'Customers created.', resolve: (p) => p.results.filter((r) => r.customerId && r.created).length }),
    updatedCount: t.int({ description: 'Customers updated.', resolve: (p) => p.results.filter((r) => r.customerId && !r.created).length }),
    failedCount: t.int({ description: 'Items not stored.', resolve: (p) => p.results.filter((r) => r.error).length }),
  }),
});

const UpsertCustomerPayload = builder.objectRef<{ customerId: string; created: boolean }>('UpsertCustomerPayload').implement({
  description: 'The stored customer.',
  fields: (t) => ({
    customer: t.prismaField({
      type: 'Customer',
      description: 'The customer as stored.',
      resolve: (query, r, _a, ctx) => ctx.prisma.customer.findUniqueOrThrow({ ...query, where: { id: r.customerId } }),
    }),
    created: t.exposeBoolean('created', { description: 'True when the customer was new.' }),
  }),
});

/**
 * Which identity of `data` already belongs to another customer. Asked of the database rather than
 * read from the driver's error, whose shape differs between PostgreSQL and PGlite.
 */
async function conflictingIdentity(prisma: PrismaClient, workspaceId: string, data: Partial<Record<Identity, unknown>>, exceptId: string | null, path: string) {
  for (const key of IDENTITIES) {
    const value = data[key];
    if (typeof value !== 'string') continue;
    const other = await prisma.customer.findFirst({ where: { workspaceId, [key]: value, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { id: true } });
    if (other) return new ConflictError(`Another customer already has this ${key}.`, `${path}.${key}`, other.id);
  }
  return new ConflictError('Another customer already has one of these identities.', path);
}

/** Finds the customers the items' identities name, one query for the whole batch. */
async function findByIdentities(prisma: PrismaClient, workspaceId: string, items: CustomerFields[]): Promise<ExistingCustomer[]> {
  const or: Prisma.CustomerWhereInput[] = [];
  for (const key of IDENTITIES) {
    const values = [...new Set(items.map((i) => i[key]).filter((v): v is string => !!v))];
    if (values.length) or.push({ [key]: { in: values } });
  }
  if (!or.length) return [];
  return prisma.customer.findMany({
    where: { workspaceId, OR: or },
    select: { id: true, phone: true, email: true, wecomExternalId: true, attributes: true },
  });
}

/** The one existing customer an item names, or a conflict when its identities name different ones. */
function matchExisting(item: CustomerFields, existing: ExistingCustomer[], path: string): ExistingCustomer | null | ConflictError {
  const matches = new Map<string, { customer: ExistingCustomer; key: Identity }>();
  for (const key of IDENTITIES) {
    const value = item[key];
    if (!value) continue;
    const customer = existing.find((c) => c[key] === value);
    if (customer && !matches.has(customer.id)) matches.set(customer.id, { customer, key });
  }
  if (matches.size > 1) {
    const [a, b] = [...matches.values()];
    return new ConflictError(`${a!.key} and ${b!.key} belong to two different customers; send them separately or merge the customers first.`, `${path}.${b!.key}`);
  }
  return [...matches.values()][0]?.customer ?? null;
}

async function upsertBatch(ctx: Context, rawItems: Record<string, unknown>[], pathOf: (i: number) => string[]): Promise<ItemResult[]> {
  const workspaceId = ctx.workspaceId();
  const results: ItemResult[] = rawItems.map((_, index) => ({ index, customerId: null, created: false, error: null }));
  const valid: { index: number; item: CustomerFields; raw: Record<string, unknown> }[] = [];
  rawItems.forEach((raw, index) => {
    const checked = check(zCustomerUpsert, raw, pathOf(index));
    if (checked.ok) valid.push({ index, item: checked.data, raw });
    else results[index]!.error = new InputError(checked.issues);
  });

  // Two items naming the same person would race each other; the later one is reported instead.
  const seen = new Map<string, number>();
  const distinct = valid.filter(({ index, item }) => {
    for (const key of IDENTITIES) {
      const value = item[key];
      if (!value) continue;
      const earlier = seen.get(`${key}:${value}`);
      if (earlier !== undefined) {
        results[index]!.error = new InputError({ path: [...pathOf(index), key], message: `same ${key} as item ${earlier} of this batch; send one item per customer`, code: 'duplicate' });
        return false;
      }
    }
    for (const key of IDENTITIES) if (item[key]) seen.set(`${key}:${item[key]}`, index);
    return true;
  });

  const existing = await findByIdentities(ctx.prisma, workspaceId, distinct.map((d) => d.item));
  const creates: typeof distinct = [];
  const updates: (typeof distinct[number] & { target: ExistingCustomer })[] = [];
  for (const entry of distinct) {
    const match = matchExisting(entry.item, existing, pathOf(entry.index).join('.'));
    if (match instanceof ConflictError) results[entry.index]!.error = match;
    else if (match) updates.push({ ...entry, target: match });
    else creates.push(entry);
  }

  const writeAll = () =>
    ctx.prisma.$transaction(async (tx) => {
      const created = creates.length
        ? await tx.customer.createManyAndReturn({
            data: creates.map(({ item, raw }) => ({ ...(customerData(item, raw) as Prisma.CustomerCreateManyInput), workspaceId })),
            select: { id: true, phone: true, email: true, wecomExternalId: true },
          })
        : [];
      for (const entry of creates) {
        const row = created.find((c) => IDENTITIES.some((k) => entry.item[k] && c[k] === entry.item[k]));
        Object.assign(results[entry.index]!, { customerId: row!.id, created: true });
      }
      for (const entry of updates) {
        await tx.customer.update({ where: { id: entry.target.id }, data: customerData(entry.item, entry.raw, entry.target.attributes), select: { id: true } });
        Object.assign(results[entry.index]!, { customerId: entry.target.id, created: false });
      }
    });

  try {
    await writeAll();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Someone else wrote one of these identities meanwhile: fall back to item by item.
    for (const entry of [...creates, ...updates]) {
      const r = results[entry.index]!;
      Object.assign(r, { customerId: null, created: false });
      try {
        Object.assign(r, await upsertOne(ctx, entry.raw, pathOf(entry.index)));
      } catch (itemError) {
        if (!(itemError instanceof CourtyardError)) throw itemError;
        r.error = itemError;
      }
    }
  }
  const changed = results.filter((r) => r.customerId);
  const created = changed.filter((r) => r.created).map((r) => r.customerId!);
  const updated = changed.filter((r) => !r.created).map((r) => r.customerId!);
  await recheckAfterChange(ctx, workspaceId, created, ['created']);
  await recheckAfterChange(ctx, workspaceId, updated, ['attributes']);
  publishCustomerChanges(ctx, workspaceId, created, 'created');
  publishCustomerChanges(ctx, workspaceId, updated, 'updated');
  return results;
}

async function upsertOne(ctx: Context, raw: Record<string, unknown>, path: string[]): Promise<{ customerId: string; created: boolean }> {
  const workspaceId = ctx.workspaceId();
  const item = parse(zCustomerUpsert, raw, path);
  const match = matchExisting(item, await findByIdentities(ctx.prisma, workspaceId, [item]), path.join('.'));
  if (match instanceof ConflictError) throw match;
  try {
    if (match) {
      await ctx.prisma.customer.update({ where: { id: match.id }, data: customerData(item, raw, match.attributes), select: { id: true } });
      return { customerId: match.id, created: false };
    }
    const created = await ctx.prisma.customer.create({
      data: { ...(customerData(item, raw) as Prisma.CustomerUncheckedCreateInput), workspaceId },
      select: { id: true },
    });
    return { customerId: created.id, created: true };
  } catch (error) {
    if (isUniqueViolation(error)) throw await conflictingIdentity(ctx.prisma, workspaceId, item, match?.id ?? null, path.join('.'));
    throw error;
  }
}

builder.mutationFields((t) => ({
  upsertCustomer: t.field({
    type: UpsertCustomerPayload,
    description: 'Creates a customer, or updates the one with the same phone, WeCom external id or email.',
    authScopes: { 'customers:write': true },
    args: { input: t.arg({ type: CustomerInput, required: true, description: 'The customer.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('upserting a customer') },
    resolve: async (_root, args, ctx) => {
      const result = await upsertOne(ctx, args.input as Record<string, unknown>, ['input']);
      await recheckAfterChange(ctx, ctx.workspaceId(), [result.customerId], [result.created ? 'created' : 'attributes']);
      publishCustomerChanges(ctx, ctx.workspaceId(), [result.customerId], result.created ? 'created' : 'updated');
      return result;
    },
  }),
  upsertCustomers: t.field({
    type: UpsertCustomersPayload,
    description: `Creates or updates up to ${MAX_CUSTOMER_BATCH.toLocaleString('en')} customers, each matched like upsertCustomer. Reports per item: valid items are stored even when others fail.`,
    authScopes: { 'customers:write': true },
    args: { customers: t.arg({ type: [CustomerInput], required: true, description: `The customers, at most ${MAX_CUSTOMER_BATCH}.` }) },
    errors: { types: [InputError], union: resultUnion('upserting customers') },
    resolve: async (_root, args, ctx) => {
      if (args.customers.length > MAX_CUSTOMER_BATCH) {
        throw new InputError({ path: ['customers'], message: `at most ${MAX_CUSTOMER_BATCH} customers per call; got ${args.customers.length}. Split the batch.`, code: 'too_big' });
      }
      return { results: await upsertBatch(ctx, args.customers as Record<string, unknown>[], (i) => ['customers', String(i)]) };
    },
  }),
  updateCustomer: t.prismaField({
    type: 'Customer',
    description: 'Changes a customer\'s profile, identities, consent or blacklist flag.',
    authScopes: { 'customers:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The customer.' }),
      input: t.arg({ type: CustomerPatch, required: true, description: 'The changes.' }),
    },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('updating a customer') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const id = decodeId(String(args.id), 'Customer', ['id']);
      const patch = parse(zCustomerFields, args.input, ['input']);
      const current = await ctx.prisma.customer.findFirst({ where: { id, workspaceId }, select: { attributes: true } });
      if (!current) throw new NotFoundError('customer', 'id', String(args.id));
      try {
        await ctx.prisma.customer.update({ where: { id }, data: customerData(patch, args.input as Record<string, unknown>, current.attributes), select: { id: true } });
        await recheckAfterChange(ctx, workspaceId, [id], ['attributes']);
        publishCustomerChanges(ctx, workspaceId, [id], 'updated');
        return ctx.prisma.customer.findUniqueOrThrow({ ...query, where: { id } });
      } catch (error) {
        if (isUniqueViolation(error)) throw await conflictingIdentity(ctx.prisma, workspaceId, patch, id, 'input');
        throw error;
      }
    },
  }),
  deleteCustomer: t.field({
    type: DeletedRef,
    description: 'Deletes a customer with their tags, events, orders and messages. Returns the deleted ID.',
    authScopes: { 'customers:write': true },
    args: { id: t.arg.id({ required: true, description: 'The customer.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('deleting a customer') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const id = decodeId(String(args.id), 'Customer', ['id']);
      const deleted = await ctx.db.transaction(async (query) => {
        // Leaving with the customer counts as an exit, so segments' daily sizes stay true.
        const exits = await query<{ segmentId: string }>(
          `INSERT INTO "SegmentChange" ("workspaceId", "segmentId", "customerId", kind)
           SELECT m."workspaceId", m."segmentId", m."customerId", 'exited' FROM "SegmentMember" m
           WHERE m."customerId" = $1::uuid AND m."workspaceId" = $2::uuid RETURNING "segmentId"`,
          [id, workspaceId],
        );
        const rows = await query(`DELETE FROM "Customer" WHERE id = $1::uuid AND "workspaceId" = $2::uuid RETURNING id`, [id, workspaceId]);
        // The message log has no foreign key to cascade through: the customer's messages go here.
        if (rows.length) await query(`DELETE FROM "Delivery" WHERE "customerId" = $1::uuid AND "workspaceId" = $2::uuid`, [id, workspaceId]);
        return rows.length ? exits.map((e) => e.segmentId) : null;
      });
      if (!deleted) throw new NotFoundError('customer', 'id', String(args.id));
      publishSegmentDeltas(ctx, workspaceId, deleted.map((segmentId) => ({ segmentId, entered: [], exited: [id] })));
      publishCustomerChanges(ctx, workspaceId, [id], 'deleted');
      return { id: String(args.id) };
    },
  }),
}));

