// Phone-number outreach adds, matched as their add callback is processed, so the new contact lands
// on the customer the task was made for instead of becoming a second record. WeCom echoes nothing
// of a phone search back (no State, no contact way: notes §3), so the match is the task's staff
// member and the number they kept as the contact's remark mobile (externalcontact/get). An add
// without that number is left to the runtime's later passes (editing only the remark mobile fires
// no callback).
import { normalizePhone, type Db } from '@courtyard/db';

/** A pending task an add matched, and the customer it should attach to. */
export interface OutreachMatch {
  taskId: string;
  phone: string;
  /** The task's customer, else the workspace's customer with that phone; null: neither exists. */
  targetId: string | null;
}

/** What externalcontact/get told of one add by a staff member with pending tasks. */
export interface OutreachCheck {
  userId: string;
  externalUserId: string;
  addWay: number | null;
  remarkMobiles: string[];
  match: OutreachMatch | null;
}

const key = (userId: string, externalUserId: string) => `${userId}\u0000${externalUserId}`;

/** How a contact's staff members follow it, as externalcontact/get tells. */
export interface ContactFollows {
  follows: { userId: string; addWay: number | null; remarkMobiles: string[] }[];
}

/**
 * Checks the adds of staff members who have pending outreach tasks against those tasks' phones,
 * from each contact's externalcontact/get (`read`: the profile the add's arrival already reads;
 * nothing at all is read for a batch whose staff have no tasks). A failed read leaves the add to
 * the runtime's passes.
 */
export async function checkOutreachAdds(db: Db, workspaceId: string, adds: { userId: string; externalUserId: string; read: () => Promise<ContactFollows | undefined> }[]): Promise<Map<string, OutreachCheck>> {
  const out = new Map<string, OutreachCheck>();
  const userIds = [...new Set(adds.map((a) => a.userId))];
  if (!userIds.length) return out;
  const withTasks = new Set(
    (await db.query<{ staffUserId: string }>(`SELECT DISTINCT "staffUserId" FROM "WeComOutreachTask" WHERE "workspaceId" = $1 AND status = 'pending' AND "staffUserId" = ANY($2::text[])`, [workspaceId, userIds])).map(
      (r) => r.staffUserId,
    ),
  );
  const todo = adds.filter((a) => withTasks.has(a.userId));
  if (!todo.length) return out;
  // Each add's remark mobiles, from the profile its arrival reads (a failed read: left to the passes).
  const read = await Promise.all(
    todo.map(async (a) => {
      const detail = await a.read();
      if (!detail) return null;
      const follow = detail.follows.find((f) => f.userId === a.userId);
      const remarkMobiles = [...new Set((follow?.remarkMobiles ?? []).map((m) => normalizePhone(m)).filter((m): m is string => Boolean(m)))];
      return { userId: a.userId, externalUserId: a.externalUserId, addWay: follow?.addWay ?? null, remarkMobiles };
    }),
  );
  const checks = read.filter((c): c is NonNullable<typeof c> => c !== null);
  // Every add's oldest pending task with one of its numbers, in one statement.
  const withMobiles = checks.map((c, i) => ({ i, userId: c.userId, mobiles: c.remarkMobiles })).filter((c) => c.mobiles.length);
  const matches = new Map<number, OutreachMatch>();
  if (withMobiles.length) {
    const rows = await db.query<OutreachMatch & { i: number }>(
      `SELECT a.i, t.id AS "taskId", t.phone, COALESCE(t."customerId", (SELECT c.id FROM "Customer" c WHERE c."workspaceId" = t."workspaceId" AND c.phone = t.phone)) AS "targetId"
         FROM jsonb_to_recordset($2::jsonb) AS a(i int, "userId" text, mobiles text[])
         CROSS JOIN LATERAL (
           SELECT * FROM "WeComOutreachTask" t
            WHERE t."workspaceId" = $1 AND t."staffUserId" = a."userId" AND t.status = 'pending' AND t.phone = ANY(a.mobiles)
            ORDER BY t."createdAt" LIMIT 1
         ) t`,
      [workspaceId, JSON.stringify(withMobiles)],
    );
    for (const { i, ...match } of rows) matches.set(i, match);
  }
  for (const [i, c] of checks.entries()) out.set(key(c.userId, c.externalUserId), { ...c, match: matches.get(i) ?? null });
  return out;
}

export const outreachKey = key;

type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/** One add of the batch with its outreach match, as the transaction sees it. */
export interface OutreachRow {
  externalUserId: string;
  userId: string;
  staffId: string;
  at: string;
  taskId: string;
  phone: string;
  targetId: string | null;
}

/**
 * Inside the batch's transaction, before its customers are written: claims the matched tasks
 * (still pending: a runtime pass may have matched one meanwhile) and hands each claimed task's
 * customer the WeCom contact, so the customer upsert that follows lands on it. Only a customer
 * that is not on WeCom yet is attached, and only when no other record already holds the contact:
 * two records that existed before are left as they are (not merged), only a new duplicate is
 * prevented. Returns the task ids claimed.
 */
export async function attachOutreachAdds(query: Query, workspaceId: string, rows: OutreachRow[]): Promise<Set<string>> {
  if (!rows.length) return new Set();
  const json = JSON.stringify(rows);
  const claimed = new Set(
    (
      await query<{ id: string }>(
        `UPDATE "WeComOutreachTask" t SET status = 'added', "addedAt" = r.at, "matchedExternalUserId" = r."externalUserId"
           FROM (SELECT DISTINCT ON (x."taskId") x.* FROM jsonb_to_recordset($2::jsonb) AS x("taskId" uuid, "externalUserId" text, at timestamptz) ORDER BY x."taskId", x.at) r
          WHERE t.id = r."taskId" AND t."workspaceId" = $1::uuid AND t.status = 'pending'
          RETURNING t.id`,
        [workspaceId, json],
      )
    ).map((r) => r.id),
  );
  const attach = rows.filter((r) => claimed.has(r.taskId) && r.targetId);
  if (attach.length) {
    await query(
      `UPDATE "Customer" c SET "wecomExternalId" = r."externalUserId", "ownerStaffId" = r."staffId", "updatedAt" = now()
         FROM (SELECT DISTINCT ON (x."targetId") x.* FROM jsonb_to_recordset($2::jsonb) AS x("targetId" uuid, "externalUserId" text, "staffId" uuid, at timestamptz) ORDER BY x."targetId", x.at) r
        WHERE c.id = r."targetId" AND c."workspaceId" = $1::uuid AND c."wecomExternalId" IS NULL
          AND NOT EXISTS (SELECT 1 FROM "Customer" o WHERE o."workspaceId" = $1::uuid AND o."wecomExternalId" = r."externalUserId")`,
      [workspaceId, JSON.stringify(attach)],
    );
  }
  return claimed;
}

/**
 * After the batch's customers are written: each claimed task names the customer the contact is on;
 * a contact that became a new customer (no record had the number) keeps the task's number, when no
 * other record has it; every checked add is recorded so the runtime's passes do not read it again.
 */
export async function recordOutreachAdds(query: Query, workspaceId: string, checks: (OutreachCheck & { customerId: string; at: string; claimed: boolean })[]) {
  if (!checks.length) return;
  const matched = checks.filter((c) => c.claimed && c.match);
  if (matched.length) {
    const json = JSON.stringify(matched.map((c) => ({ taskId: c.match!.taskId, customerId: c.customerId, phone: c.match!.phone, orphan: !c.match!.targetId })));
    await query(
      `UPDATE "WeComOutreachTask" t SET "matchedCustomerId" = r."customerId" FROM jsonb_to_recordset($2::jsonb) AS r("taskId" uuid, "customerId" uuid) WHERE t.id = r."taskId" AND t."workspaceId" = $1::uuid`,
      [workspaceId, json],
    );
    await query(
      `UPDATE "Customer" c SET phone = r.phone, "updatedAt" = now()
         FROM (SELECT DISTINCT ON (x.phone) x.* FROM jsonb_to_recordset($2::jsonb) AS x("customerId" uuid, phone text, orphan boolean) WHERE x.orphan ORDER BY x.phone) r
        WHERE c.id = r."customerId" AND c."workspaceId" = $1::uuid AND c.phone IS NULL
          AND NOT EXISTS (SELECT 1 FROM "Customer" o WHERE o."workspaceId" = $1::uuid AND o.phone = r.phone)`,
      [workspaceId, json],
    );
  }
  await query(
    `INSERT INTO "WeComOutreachAdd" ("workspaceId", "userId", "externalUserId", "addWay", "remarkMobiles", "taskId", "addedAt", "checkedAt")
     SELECT DISTINCT ON (r."userId", r."externalUserId") $1::uuid, r."userId", r."externalUserId", r."addWay", ARRAY(SELECT jsonb_array_elements_text(r."remarkMobiles")), r."taskId", r.at, now()
       FROM jsonb_to_recordset($2::jsonb) AS r("userId" text, "externalUserId" text, "addWay" int, "remarkMobiles" jsonb, "taskId" uuid, at timestamptz)
      ORDER BY r."userId", r."externalUserId", r."taskId" NULLS LAST
     ON CONFLICT ("workspaceId", "userId", "externalUserId") DO UPDATE SET "addWay" = EXCLUDED."addWay", "remarkMobiles" = EXCLUDED."remarkMobiles",
       "taskId" = COALESCE("WeComOutreachAdd"."taskId", EXCLUDED."taskId"), "checkedAt" = EXCLUDED."checkedAt"`,
    [
      workspaceId,
      JSON.stringify(checks.map((c) => ({ userId: c.userId, externalUserId: c.externalUserId, addWay: c.addWay, remarkMobiles: c.remarkMobiles, taskId: c.claimed ? c.match?.taskId ?? null : null, at: c.at }))),
    ],
  );
}
