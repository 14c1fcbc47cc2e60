import type { QueryFn } from '@courtyard/db';
import { PAID_ORDER_STATUSES_SQL } from '@courtyard/db';
import type { JourneyCustomer } from '@courtyard/plugin-sdk';

/** Loads the customers of a batch as nodes see them, in one statement, within the workspace. */
export async function loadCustomers(query: QueryFn, workspaceId: string, ids: string[]): Promise<Map<string, JourneyCustomer>> {
  const rows = await query<JourneyCustomer & { lastOrderAt: Date | null; createdAt: Date; firstOrderAt: Date | null }>(
    `SELECT c.id, c.name, c.phone, c.email, c.gender::text AS gender, to_char(c.birthday, 'YYYY-MM-DD') AS birthday, c.city,
            c."sourceChannel", c."lifecycleStage"::text AS "lifecycleStage", c."wecomExternalId", c."unionId", c.attributes,
            c."marketingConsent", c.blacklisted, c."ownerStaffId", c."orderCount", c."totalSpentCents"::float8 AS "totalSpentCents",
            c."lastOrderAt", c."createdAt",
            COALESCE((SELECT array_agg(ct."tagId"::text) FROM "CustomerTag" ct WHERE ct."customerId" = c.id), '{}') AS "tagIds",
            (SELECT min(o."placedAt") FROM "Order" o WHERE o."customerId" = c.id AND o.status::text IN ${PAID_ORDER_STATUSES_SQL}) AS "firstOrderAt"
       FROM "Customer" c
      WHERE c.id = ANY($1::uuid[]) AND c."workspaceId" = $2`,
    [ids, workspaceId],
  );
  const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());
  return new Map(
    rows.map((r) => [
      r.id,
      { ...r, totalSpentCents: Number(r.totalSpentCents), lastOrderAt: iso(r.lastOrderAt), firstOrderAt: iso(r.firstOrderAt), createdAt: iso(r.createdAt)! },
    ]),
  );
}
