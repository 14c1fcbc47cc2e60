// Orders: the node and idempotent batch import, which also refreshes each customer's order totals.
import { isPaidOrderStatus, refreshCustomerTotals } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import { CustomerRefInput, prepareCustomerBatch } from './customer-ref.ts';
import { InputError } from './errors.ts';
import { BatchItemErrorRef, resultUnion, type BatchItemError } from './error-types.ts';
import { publishCustomerChanges } from './publish.ts';
import { zDate, zMoney } from './scalars.ts';
import { recheckAfterChange } from './segment-membership.ts';
import { zText } from './validation.ts';

export const MAX_ORDER_BATCH = 1_000;

const OrderStatusEnum = builder.enumType('OrderStatus', {
  description: 'Where an order stands.',
  values: {
    pending: { value: 'pending', description: 'Placed, not paid.' },
    paid: { value: 'paid', description: 'Paid.' },
    shipped: { value: 'shipped', description: 'Paid and shipped.' },
    completed: { value: 'completed', description: 'Received and closed.' },
    refunded: { value: 'refunded', description: 'Refunded.' },
    cancelled: { value: 'cancelled', description: 'Cancelled before payment.' },
  } as const,
});

builder.prismaNode('Order', {
  // Select mode: only the columns a query asks for are read.
  select: { id: true },
  // A global ID of another workspace, or of nothing, makes node/nodes return null instead of failing.
  nullable: true,
  id: { field: 'id' },
  description: 'An order from a marketplace, the mini-program shop or a store.',
  authScopes: { 'orders:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    platform: t.exposeString('platform', { description: 'Where it was placed: tmall, jd, pdd, douyin, miniprogram, offline …' }),
    externalId: t.exposeString('externalId', { description: 'The order number on that platform.' }),
    status: t.expose('status', { type: OrderStatusEnum, description: 'Status.' }),
    currency: t.exposeString('currency', { description: 'ISO 4217 currency, e.g. CNY.' }),
    total: t.expose('totalCents', { type: 'Money', description: 'Order total before discounts, in minor units.' }),
    discount: t.expose('discountCents', { type: 'Money', description: 'Discounts, in minor units.' }),
    paid: t.expose('paidCents', { type: 'Money', description: 'Amount paid, in minor units.' }),
    placedAt: t.expose('placedAt', { type: 'DateTime', description: 'When it was placed.' }),
    paidAt: t.expose('paidAt', { type: 'DateTime', nullable: true, description: 'When it was paid; null if not paid.' }),
    customer: t.relation('customer', { description: 'Who placed it.' }),
    items: t.relation('items', { description: 'Line items.' }),
  }),
});

builder.prismaObject('OrderItem', {
  description: 'One line of an order.',
  fields: (t) => ({
    sku: t.exposeString('sku', { description: 'Stock keeping unit.' }),
    productName: t.exposeString('productName', { description: 'Product name.' }),
    category: t.exposeString('category', { nullable: true, description: 'Product category, e.g. 洗发水.' }),
    quantity: t.exposeInt('quantity', { description: 'Quantity.' }),
    unitPrice: t.expose('unitCents', { type: 'Money', description: 'Price of one unit, in minor units.' }),
  }),
});

const OrderItemInput = builder.inputType('OrderItemInput', {
  description: 'One line of an order.',
  fields: (t) => ({
    sku: t.string({ required: true, description: 'Stock keeping unit.' }),
    productName: t.string({ required: true, description: 'Product name.' }),
    category: t.string({ description: 'Product category.' }),
    quantity: t.int({ required: true, description: 'Quantity, at least 1.' }),
    unitPrice: t.field({ type: 'Money', required: true, description: 'Price of one unit, in minor units.' }),
  }),
});

const OrderInput = builder.inputType('OrderInput', {
  description: 'An order to import. Importing the same platform + externalId again updates it instead of adding another.',
  fields: (t) => ({
    customer: t.field({ type: CustomerRefInput, required: true, description: 'Who placed it.' }),
    platform: t.string({ required: true, description: 'Where it was placed: lower-case letters, digits and _, e.g. tmall.' }),
    externalId: t.string({ required: true, description: 'The order number on that platform.' }),
    status: t.field({ type: OrderStatusEnum, required: true, description: 'Status.' }),
    currency: t.string({ description: 'ISO 4217 currency; default CNY.' }),
    total: t.field({ type: 'Money', required: true, description: 'Total before discounts.' }),
    discount: t.field({ type: 'Money', description: 'Discounts; default 0.' }),
    paid: t.field({ type: 'Money', description: 'Amount paid; default 0.' }),
    placedAt: t.field({ type: 'DateTime', required: true, description: 'When it was placed.' }),
    paidAt: t.field({ type: 'DateTime', description: 'When it was paid.' }),
    items: t.field({ type: [OrderItemInput], description: 'Line items (at most 200); replace the stored ones on re-import.' }),
  }),
});

const zAmount = () => zMoney().refine((v) => v >= 0n, { message: 'must not be negative' });
const zOrder = z
  .object({
    platform: z.string().regex(/^[a-z0-9_]{1,40}$/, { message: 'must be 1–40 lower-case letters, digits or _, e.g. tmall' }),
    externalId: zText(128),
    status: z.enum(['pending', 'paid', 'shipped', 'completed', 'refunded', 'cancelled']),
    currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as CNY' }).nullish(),
    total: zAmount(),
    discount: zAmount().nullish(),
    paid: zAmount().nullish(),
    placedAt: zDate(),
    paidAt: zDate().nullish(),
    items: z
      .array(z.object({ sku: zText(64), productName: zText(200), category: zText(100).nullish(), quantity: z.number().int().min(1, { message: 'must be at least 1' }), unitPrice: zAmount() }))
      .max(200, { message: 'at most 200 items per order' })
      .nullish(),
  })
  .superRefine((o, ctx) => {
    if ((o.paid ?? 0n) > o.total) ctx.addIssue({ code: 'custom', path: ['paid'], message: 'must not be more than total' });
    if (isPaidOrderStatus(o.status) && !o.paidAt) ctx.addIssue({ code: 'custom', path: ['paidAt'], message: `is required when status is ${o.status}` });
  });

const ImportOrdersPayload = builder
  .objectRef<{ createdCount: number; updatedCount: number; failedCount: number; errors: BatchItemError[] }>('ImportOrdersPayload')
  .implement({
    description: 'What an order import did.',
    fields: (t) => ({
      createdCount: t.exposeInt('createdCount', { description: 'Orders new to Courtyard.' }),
      updatedCount: t.exposeInt('updatedCount', { description: 'Orders already known by platform + externalId, updated.' }),
      failedCount: t.exposeInt('failedCount', { description: 'Orders rejected; see errors.' }),
      errors: t.field({ type: [BatchItemErrorRef], description: 'One entry per rejected order, with its index and the fields that were wrong.', resolve: (p) => p.errors }),
    }),
  });

builder.mutationFields((t) => ({
  importOrders: t.field({
    type: ImportOrdersPayload,
    description: `Imports up to ${MAX_ORDER_BATCH.toLocaleString('en')} orders, idempotent by platform + externalId, and refreshes the customers' order totals. Valid orders are stored even when others are rejected.`,
    authScopes: { 'orders:write': true },
    args: { orders: t.arg({ type: [OrderInput], required: true, description: `The orders, at most ${MAX_ORDER_BATCH}.` }) },
    errors: { types: [InputError], union: resultUnion('importing orders') },
    resolve: async (_root, args, ctx) => {
      if (args.orders.length > MAX_ORDER_BATCH) {
        throw new InputError({ path: ['orders'], message: `at most ${MAX_ORDER_BATCH} orders per call; got ${args.orders.length}. Split the batch.`, code: 'too_big' });
      }
      const workspaceId = ctx.workspaceId();
      const seen = new Map<string, number>();
      const { items: rows, errors } = await prepareCustomerBatch(ctx.db.query, workspaceId, 'orders', args.orders, zOrder, {
        checkInOrder: (order, index, path) => {
          const key = `${order.platform}:${order.externalId}`;
          const earlier = seen.get(key);
          if (earlier !== undefined) return { path: [...path, 'externalId'], message: `same platform and externalId as item ${earlier} of this batch`, code: 'duplicate' };
          seen.set(key, index);
          return null;
        },
      });
      let created = 0;
      if (rows.length) {
        const customerIds = rows.map((r) => r.customerId);
        created = await ctx.db.transaction(async (query) => {
          const stored = await query<{ id: string; inserted: boolean }>(
            `INSERT INTO "Order" ("workspaceId", "customerId", platform, "externalId", status, currency, "totalCents", "discountCents", "paidCents", "placedAt", "paidAt")
             SELECT $1::uuid, x.* FROM unnest($2::uuid[], $3::text[], $4::text[], $5::"OrderStatus"[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::timestamptz[], $11::timestamptz[]) AS x
             ON CONFLICT ("workspaceId", platform, "externalId") DO UPDATE SET
               "customerId" = EXCLUDED."customerId", status = EXCLUDED.status, currency = EXCLUDED.currency,
               "totalCents" = EXCLUDED."totalCents", "discountCents" = EXCLUDED."discountCents", "paidCents" = EXCLUDED."paidCents",
               "placedAt" = EXCLUDED."placedAt", "paidAt" = EXCLUDED."paidAt", "updatedAt" = now()
             RETURNING id, (xmax = 0) AS inserted`,
            [
              workspaceId,
              customerIds,
              rows.map((r) => r.data.platform),
              rows.map((r) => r.data.externalId),
              rows.map((r) => r.data.status),
              rows.map((r) => r.data.currency ?? 'CNY'),
              rows.map((r) => r.data.total.toString()),
              rows.map((r) => (r.data.discount ?? 0n).toString()),
              rows.map((r) => (r.data.paid ?? 0n).toString()),
              rows.map((r) => r.data.placedAt.toISOString()),
              rows.map((r) => r.data.paidAt?.toISOString() ?? null),
            ],
          );
          // RETURNING follows the order of the unnest input, so row i is order i.
          const orderIds = stored.map((s) => s.id);
          const withItems = rows.flatMap((r, i) => (r.data.items ? [{ orderId: orderIds[i]!, items: r.data.items }] : []));
          if (withItems.length) {
            await query(`DELETE FROM "OrderItem" WHERE "orderId" = ANY($1::uuid[])`, [withItems.map((o) => o.orderId)]);
            const items = withItems.flatMap((o) => o.items.map((item) => ({ orderId: o.orderId, ...item })));
            await query(
              `INSERT INTO "OrderItem" ("workspaceId", "orderId", sku, "productName", category, quantity, "unitCents")
               SELECT $1::uuid, x.* FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[]) AS x`,
              [
                workspaceId,
                items.map((i) => i.orderId),
                items.map((i) => i.sku),
                items.map((i) => i.productName),
                items.map((i) => i.category ?? null),
                items.map((i) => i.quantity),
                items.map((i) => i.unitPrice.toString()),
              ],
            );
          }
          await refreshCustomerTotals(query, [...new Set(customerIds)]);
          return stored.filter((s) => s.inserted).length;
        });
        await recheckAfterChange(ctx, workspaceId, [...new Set(customerIds)], ['orders', 'attributes']);
        publishCustomerChanges(ctx, workspaceId, [...new Set(customerIds)], 'updated');
      }
      return { createdCount: created, updatedCount: rows.length - created, failedCount: errors.length, errors };
    },
  }),
}));
