// Orders that count as bought. Customer totals, lifecycle stages, segment conditions and the data
// generator all read this one list.
import type { QueryFn } from './client.ts';

export const PAID_ORDER_STATUSES = ['paid', 'shipped', 'completed'] as const;
export type PaidOrderStatus = (typeof PAID_ORDER_STATUSES)[number];

/** The list as an SQL literal, for statements that filter on "Order".status. */
export const PAID_ORDER_STATUSES_SQL = `(${PAID_ORDER_STATUSES.map((s) => `'${s}'`).join(', ')})`;

export function isPaidOrderStatus(status: string): status is PaidOrderStatus {
  return (PAID_ORDER_STATUSES as readonly string[]).includes(status);
}

/** Recomputes order count, total spent, last order and the lifecycle stage of these customers, in one statement. */
export async function refreshCustomerTotals(query: QueryFn, customerIds: string[]) {
  await query(
    `UPDATE "Customer" c SET
       "orderCount" = s.cnt, "totalSpentCents" = s.spent, "lastOrderAt" = s.last, "updatedAt" = now(),
       "lifecycleStage" = CASE
         WHEN c."lifecycleStage" IN ('lead', 'prospect') AND s.cnt = 1 THEN 'customer'::"LifecycleStage"
         WHEN c."lifecycleStage" IN ('lead', 'prospect', 'customer') AND s.cnt > 1 THEN 'repeat'::"LifecycleStage"
         ELSE c."lifecycleStage" END
     FROM (
       SELECT ids.id,
              count(o.id) FILTER (WHERE o.status IN ${PAID_ORDER_STATUSES_SQL})::int AS cnt,
              coalesce(sum(o."paidCents") FILTER (WHERE o.status IN ${PAID_ORDER_STATUSES_SQL}), 0) AS spent,
              max(o."placedAt") FILTER (WHERE o.status IN ${PAID_ORDER_STATUSES_SQL}) AS last
       FROM unnest($1::uuid[]) AS ids(id) LEFT JOIN "Order" o ON o."customerId" = ids.id
       GROUP BY ids.id) s
     WHERE c.id = s.id`,
    [customerIds],
  );
}
