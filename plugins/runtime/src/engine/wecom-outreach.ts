// Phone-number outreach follow-ups: overdue tasks expire, and contacts added by staff with pending
// tasks are checked against the tasks' phones (the staff member's remark mobiles), also after the
// add, since filling in a remark mobile fires no callback. A contact matched after the add is by
// then a customer of its own and is merged into the task's customer.
import { mergeCustomerInto, normalizePhone } from '@courtyard/db';
import { recheckCustomers } from '@courtyard/db/segments';
import { clientFor, pollMs, wsFilter, type FollowUpDeps } from './wecom-followup-support.ts';

interface Candidate {
  workspaceId: string;
  userId: string;
  externalUserId: string;
  customerId: string;
  addedAt: Date;
}

/**
 * Expires overdue tasks, then checks every contact added by a staff member with pending tasks
 * (since the oldest of them) against those tasks' phones. A contact not matched is checked again
 * on later passes while tasks are pending: editing only the remark mobile fires no callback.
 */
export async function sweepOutreach(deps: FollowUpDeps, now: Date, touched = new Set<string>()): Promise<number> {
  const expired = await deps.db.query<{ workspaceId: string }>(
    `UPDATE "WeComOutreachTask" SET status = 'expired' WHERE status = 'pending' AND "expiresAt" <= $1 AND ($2::uuid[] IS NULL OR "workspaceId" = ANY($2::uuid[])) RETURNING "workspaceId"`,
    [now, wsFilter(deps)],
  );
  for (const r of expired) touched.add(r.workspaceId);
  const candidates = await deps.db.query<Candidate>(
    `WITH staff AS (
       SELECT "workspaceId", "staffUserId", min("createdAt") AS since FROM "WeComOutreachTask"
        WHERE status = 'pending' AND ($1::uuid[] IS NULL OR "workspaceId" = ANY($1::uuid[])) GROUP BY 1, 2)
     SELECT f."workspaceId", f."userId", f."externalUserId", f."customerId", f."addedAt"
       FROM staff s JOIN "WeComFollow" f ON f."workspaceId" = s."workspaceId" AND f."userId" = s."staffUserId" AND f."addedAt" >= s.since - interval '1 minute' AND f."deletedAt" IS NULL
       LEFT JOIN "WeComOutreachAdd" a ON a."workspaceId" = f."workspaceId" AND a."userId" = f."userId" AND a."externalUserId" = f."externalUserId"
      WHERE a."workspaceId" IS NULL OR (a."taskId" IS NULL AND a."checkedAt" <= $2::timestamptz - $3 * interval '1 millisecond')
      ORDER BY f."addedAt" LIMIT $4`,
    [wsFilter(deps), now, pollMs(deps), (deps.claimLimit ?? 50) * 4],
  );
  let matched = 0;
  for (const c of candidates) {
    touched.add(c.workspaceId);
    try {
      const client = await clientFor(deps, c.workspaceId);
      const detail = await client.call('externalcontact/get', { external_userid: c.externalUserId });
      const follow = detail.follow_user.find((f) => f.userid === c.userId);
      const mobiles = [...new Set((follow?.remark_mobiles ?? []).map((m) => normalizePhone(m)).filter((m): m is string => Boolean(m)))];
      const outcome = await deps.db.transaction(async (query) => {
        const [task] = mobiles.length
          ? await query<{ id: string; phone: string; targetId: string | null }>(
              `UPDATE "WeComOutreachTask" t SET status = 'added', "addedAt" = $4, "matchedExternalUserId" = $5, "matchedCustomerId" = $6
                WHERE id = (SELECT id FROM "WeComOutreachTask" WHERE "workspaceId" = $1 AND "staffUserId" = $2 AND status = 'pending' AND phone = ANY($3::text[])
                             ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING t.id, t.phone, COALESCE(t."customerId", (SELECT k.id FROM "Customer" k WHERE k."workspaceId" = t."workspaceId" AND k.phone = t.phone)) AS "targetId"`,
              [c.workspaceId, c.userId, mobiles, c.addedAt, c.externalUserId, c.customerId],
            )
          : [];
        // Matched after the add, the contact is a customer of its own by now: it is folded into the
        // customer the task was made for (orders, phone), which becomes the WeCom contact. A number
        // no record had is given to the contact's customer.
        let merged: { into: string; exitedSegments: string[] } | null = null;
        if (task?.targetId && task.targetId !== c.customerId) {
          const result = await mergeCustomerInto(query, c.workspaceId, c.customerId, task.targetId);
          if (result.merged) {
            merged = { into: task.targetId, exitedSegments: result.exitedSegments };
            await query(`UPDATE "WeComOutreachTask" SET "matchedCustomerId" = $2 WHERE id = $1`, [task.id, task.targetId]);
          }
        } else if (task && !task.targetId) {
          await query(
            `UPDATE "Customer" c SET phone = $3, "updatedAt" = now() WHERE c.id = $2 AND c."workspaceId" = $1 AND c.phone IS NULL
               AND NOT EXISTS (SELECT 1 FROM "Customer" o WHERE o."workspaceId" = $1 AND o.phone = $3)`,
            [c.workspaceId, c.customerId, task.phone],
          );
        }
        await query(
          `INSERT INTO "WeComOutreachAdd" ("workspaceId", "userId", "externalUserId", "addWay", "remarkMobiles", "taskId", "addedAt", "checkedAt")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT ("workspaceId", "userId", "externalUserId") DO UPDATE SET "addWay" = EXCLUDED."addWay", "remarkMobiles" = EXCLUDED."remarkMobiles",
             "taskId" = COALESCE("WeComOutreachAdd"."taskId", EXCLUDED."taskId"), "checkedAt" = EXCLUDED."checkedAt"`,
          [c.workspaceId, c.userId, c.externalUserId, follow?.add_way ?? null, mobiles, task?.id ?? null, c.addedAt, now],
        );
        return { matched: task ? 1 : 0, merged };
      });
      matched += outcome.matched;
      // The merged customer's segments: entered as the customer it now is (every condition may have moved).
      if (outcome.merged) await recheckCustomers(deps.db, c.workspaceId, [outcome.merged.into], ['created']);
    } catch (error) {
      deps.log(`WeCom outreach check of ${c.externalUserId}: ${(error as Error).message}`);
    }
  }
  return expired.length + matched;
}
