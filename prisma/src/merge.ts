// Two records of one person folded into one: what belongs to `from` (events, orders, tags, WeCom
// follows and transfers, journeys, messages, outreach tasks) moves to `into`, `into` takes the
// identities it lacks (WeCom contact, phone, email, union id, name …) and the WeCom owner, and
// `from` is deleted. Used when a WeCom contact that became a customer of its own turns out to be a
// customer Courtyard already had (a phone-number outreach task matched after the add).
import type { QueryFn } from './client.ts';

export interface MergeResult {
  /** False when either record is gone, they are the same, or both are different WeCom contacts. */
  merged: boolean;
  /** Segments `from` was a member of: its exits are recorded, so `into` must be re-checked for them. */
  exitedSegments: string[];
}

/**
 * Merges customer `from` into customer `into` inside the caller's transaction (both rows locked).
 * Refused (merged: false, nothing written) when both have a WeCom contact and they differ.
 * Identities `into` lacks are taken from `from`; `into` keeps its own where both have one. The
 * WeCom owner follows the contact. Order figures are added up. `from` leaving its segments counts
 * as an exit (so daily sizes stay true); re-check `into` afterwards for every cause.
 */
export async function mergeCustomerInto(query: QueryFn, workspaceId: string, fromId: string, intoId: string): Promise<MergeResult> {
  const none: MergeResult = { merged: false, exitedSegments: [] };
  if (fromId === intoId) return none;
  const rows = await query<{ id: string; wecomExternalId: string | null }>(
    `SELECT id, "wecomExternalId" FROM "Customer" WHERE "workspaceId" = $1::uuid AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
    [workspaceId, [fromId, intoId]],
  );
  const from = rows.find((r) => r.id === fromId);
  const into = rows.find((r) => r.id === intoId);
  if (!from || !into) return none;
  if (from.wecomExternalId && into.wecomExternalId && from.wecomExternalId !== into.wecomExternalId) return none;

  const exits = await query<{ segmentId: string }>(
    `INSERT INTO "SegmentChange" ("workspaceId", "segmentId", "customerId", kind)
     SELECT m."workspaceId", m."segmentId", m."customerId", 'exited' FROM "SegmentMember" m WHERE m."customerId" = $1::uuid AND m."workspaceId" = $2::uuid
     RETURNING "segmentId"`,
    [fromId, workspaceId],
  );
  const params = [fromId, intoId, workspaceId];
  for (const table of ['Event', 'Order', 'Enrollment', 'Delivery', 'WeComFollow', 'WeComTransfer']) {
    await query(`UPDATE "${table}" SET "customerId" = $2::uuid WHERE "customerId" = $1::uuid AND "workspaceId" = $3::uuid`, params);
  }
  await query(`UPDATE "WeComOutreachTask" SET "customerId" = $2::uuid WHERE "customerId" = $1::uuid AND "workspaceId" = $3::uuid`, params);
  await query(`UPDATE "WeComOutreachTask" SET "matchedCustomerId" = $2::uuid WHERE "matchedCustomerId" = $1::uuid AND "workspaceId" = $3::uuid`, params);
  await query(
    `INSERT INTO "CustomerTag" ("workspaceId", "customerId", "tagId", source, "createdAt")
     SELECT "workspaceId", $2::uuid, "tagId", source, "createdAt" FROM "CustomerTag" WHERE "customerId" = $1::uuid AND "workspaceId" = $3::uuid
     ON CONFLICT DO NOTHING`,
    params,
  );
  // The unique identities move in two steps: off `from`, then onto `into`.
  const [taken] = await query<{ wecomExternalId: string | null; phone: string | null; email: string | null }>(
    `UPDATE "Customer" f SET "wecomExternalId" = NULL, phone = NULL, email = NULL
       FROM (SELECT "wecomExternalId", phone, email FROM "Customer" WHERE id = $1::uuid) old
      WHERE f.id = $1::uuid RETURNING old."wecomExternalId", old.phone, old.email`,
    [fromId],
  );
  await query(
    `UPDATE "Customer" i SET
        "wecomExternalId" = COALESCE(i."wecomExternalId", $4),
        "ownerStaffId" = CASE WHEN $4::text IS NOT NULL AND f."ownerStaffId" IS NOT NULL THEN f."ownerStaffId" ELSE COALESCE(i."ownerStaffId", f."ownerStaffId") END,
        phone = COALESCE(i.phone, $5), email = COALESCE(i.email, $6),
        name = COALESCE(i.name, f.name), "unionId" = COALESCE(i."unionId", f."unionId"), city = COALESCE(i.city, f.city), birthday = COALESCE(i.birthday, f.birthday),
        gender = CASE WHEN i.gender = 'unknown' THEN f.gender ELSE i.gender END,
        "sourceChannel" = COALESCE(i."sourceChannel", f."sourceChannel"),
        attributes = f.attributes || i.attributes,
        blacklisted = i.blacklisted OR f.blacklisted, "marketingConsent" = i."marketingConsent" AND f."marketingConsent",
        "orderCount" = i."orderCount" + f."orderCount", "totalSpentCents" = i."totalSpentCents" + f."totalSpentCents",
        "lastOrderAt" = GREATEST(i."lastOrderAt", f."lastOrderAt"), "createdAt" = LEAST(i."createdAt", f."createdAt"), "updatedAt" = now()
       FROM "Customer" f WHERE i.id = $2::uuid AND f.id = $1::uuid AND i."workspaceId" = $3::uuid`,
    [fromId, intoId, workspaceId, taken?.wecomExternalId ?? null, taken?.phone ?? null, taken?.email ?? null],
  );
  // Its tags and memberships go with it (cascade); its exits are recorded above.
  await query(`DELETE FROM "Customer" WHERE id = $1::uuid AND "workspaceId" = $2::uuid`, [fromId, workspaceId]);
  return { merged: true, exitedSegments: [...new Set(exits.map((e) => e.segmentId))] };
}
