import type { Db } from '@courtyard/db';
import type { EnrollmentTrigger } from '@courtyard/plugin-sdk';
import { durationMs } from '../journey/definition.ts';
import { target, type VersionCache } from './versions.ts';

export interface EnrollEntry {
  customerId: string;
  /** What enrolls the customer; the same key twice enrolls once. */
  entryKey: string;
  trigger: EnrollmentTrigger;
}

export interface EnrollResult {
  enrolled: { enrollmentId: string; customerId: string }[];
  /** Entries refused by the re-entry rule, the concurrency cap, an unknown customer or a repeated key. */
  skipped: number;
}

/**
 * Enrolls customers into the accepting version of a journey, set-based: one statement checks the
 * workspace, the re-entry rule and the concurrency cap and inserts the enrollments at the node
 * after the trigger. A per-journey advisory lock keeps two concurrent calls from both admitting
 * the same customer.
 */
export async function enrollCustomers(db: Db, versions: VersionCache, workspaceId: string, journeyId: string, entries: EnrollEntry[]): Promise<EnrollResult> {
  if (entries.length === 0) return { enrolled: [], skipped: 0 };
  const [accepting] = await db.query<{ id: string }>(
    `SELECT v.id FROM "JourneyVersion" v JOIN "Journey" j ON j.id = v."journeyId"
      WHERE v."journeyId" = $1 AND v."workspaceId" = $2 AND v.accepting AND j.status = 'active'`,
    [journeyId, workspaceId],
  );
  if (!accepting) return { enrolled: [], skipped: entries.length };
  const version = await versions.version(accepting.id);
  const first = version.triggerId ? target(version, version.triggerId, 'next') : null;
  if (!first) return { enrolled: [], skipped: entries.length };
  const { reentry, maxConcurrentEnrollments } = version.settings;
  const cooldownMs = reentry.mode === 'afterCooldown' ? durationMs(reentry.cooldown) : 0;

  const rows = await db.transaction(async (query) => {
    await query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`enroll:${journeyId}`]);
    let room: number | null = null;
    if (maxConcurrentEnrollments != null) {
      const [inside] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "Enrollment" WHERE "journeyId" = $1 AND status IN ('active', 'waiting')`, [journeyId]);
      room = Math.max(0, maxConcurrentEnrollments - inside!.n);
    }
    const enrolled = await query<{ enrollmentId: string; customerId: string }>(
      `WITH cand AS (
         SELECT DISTINCT ON (c.id) c.id AS customer_id, t.key, t.trigger
           FROM jsonb_to_recordset($3::jsonb) AS t(customer uuid, key text, trigger jsonb)
           JOIN "Customer" c ON c.id = t.customer AND c."workspaceId" = $1
          ORDER BY c.id, t.key
       ), eligible AS (
         -- A lateral probe per candidate, not an anti-join: a journey that just started has no
         -- statistics, and an anti-join planned for "3 enrollments" rescans them all per candidate.
         -- The probe goes through the customer's own enrollments (a handful, whatever the journey's
         -- size): the journey is compared as text so its index, estimated at "1 row" for a young
         -- journey, is never chosen to scan all of that journey's enrollments per candidate.
         SELECT cand.* FROM cand
           LEFT JOIN LATERAL (
             SELECT 1 AS found FROM "Enrollment" e WHERE e."customerId" = cand.customer_id AND e."journeyId"::text = $2::uuid::text
                AND (e.status IN ('active', 'waiting') OR $4 = 'never' OR ($4 = 'afterCooldown' AND e."enteredAt" > now() - $5 * interval '1 millisecond'))
              LIMIT 1) prior ON true
          WHERE prior.found IS NULL
         LIMIT $6
       ), inserted AS (
         INSERT INTO "Enrollment" ("workspaceId", "journeyId", "versionId", "customerId", "entryKey", "nodeId", visit, trigger)
         SELECT $1, $2, $7, customer_id, key, $8, 1, trigger FROM eligible
         ON CONFLICT ("journeyId", "entryKey") DO NOTHING
         RETURNING id, "customerId", "enteredAt"
       ), steps AS (
         INSERT INTO "StepRun" ("workspaceId", "enrollmentId", "journeyId", "nodeId", visit, status, port, "startedAt")
         SELECT $1, id, $2, $9, 0, 'completed', 'next', "enteredAt" FROM inserted
       )
       SELECT id AS "enrollmentId", "customerId" FROM inserted`,
      [
        workspaceId,
        journeyId,
        JSON.stringify(entries.map((e) => ({ customer: e.customerId, key: e.entryKey, trigger: e.trigger }))),
        reentry.mode,
        cooldownMs,
        room,
        version.id,
        first,
        version.triggerId,
      ],
    );
    return enrolled;
  });
  return { enrolled: rows, skipped: entries.length - rows.length };
}
