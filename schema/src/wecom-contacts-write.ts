// The writes of a pass's new WeCom contacts in one statement: data-modifying CTEs mark the callbacks
// processed and write customers, owners, channel tags, follows, daily stats, rotation counters and
// events together, and queues the profiles not yet read. One round trip instead of one per table: under load each round trip waits its
// turn on a busy event loop and a busy PostgreSQL, and a pass's time was mostly those waits.
import type { IngestedEvent } from '@courtyard/runtime';
import { LATE_PROFILE_GRACE_MS } from './wecom-profile-reads.ts';

type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/** One add as the statement takes it. */
export interface AddRecord {
  /** The callback's id. */
  id: string;
  externalUserId: string;
  userId: string;
  staffId: string;
  /** The `state` the add came with: it names the live code, when there is one. */
  state: string | null;
  at: string;
  /** The add's calendar day in the workspace's time zone (YYYY-MM-DD). */
  day: string;
  idempotencyKey: string;
  name: string | null;
  unionId: string | null;
  gender: 'male' | 'female' | 'unknown';
  /**
   * The profile: `read` (in the fields above), `late` (a read still under way: it is written when it
   * lands) or `missing` (not read). Late and missing ones are queued in WeComProfileRead.
   */
  profile: 'read' | 'late' | 'missing';
  /** The welcome message's outcome. */
  welcome: string;
}

export interface AddsWritten {
  /** Customers of the callbacks this statement claimed (none when another worker had them all). */
  customers: { id: string; wecomExternalId: string }[];
  events: IngestedEvent[];
  /** Customers that received a channel tag they did not have. */
  tagged: string[];
  /** Live codes whose rotation moved. */
  codes: string[];
}

/**
 * `claim`: the statement itself marks the callbacks processed and writes only those still pending
 * (another worker may have taken one). Without it the caller's transaction has claimed them already.
 * The live code is read by `state` in the statement, so a code's tags and channel are never stale.
 */
export async function writeAdds(query: Query, workspaceId: string, records: AddRecord[], claim: boolean): Promise<AddsWritten> {
  const [row] = await query<{ customers: AddsWritten['customers']; events: IngestedEvent[]; tagged: string[]; codes: string[] }>(
    `WITH input AS (
       SELECT r.*, lc.id AS "liveCodeId", lc."tagIds", lc.channel::text AS channel, lc.name AS "codeName"
         FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, "externalUserId" text, "userId" text, "staffId" uuid, state text, at timestamptz, day date,
                                                 "idempotencyKey" text, name text, "unionId" text, gender text, profile text, welcome text)
         LEFT JOIN "WeComLiveCode" lc ON lc."workspaceId" = $1::uuid AND lc.state = r.state
     ),
     mine AS (
       ${
         claim
           ? `UPDATE "WeComCallback" c SET status = 'processed', "processedAt" = now(), "lastError" = NULL
                FROM input i WHERE c.id = i.id AND c."workspaceId" = $1::uuid AND c.status = 'pending' RETURNING c.id`
           : `SELECT id FROM input`
       }
     ),
     batch AS (SELECT i.* FROM input i WHERE i.id = ANY (ARRAY(SELECT id FROM mine))),
     customers AS (
       INSERT INTO "Customer" ("workspaceId", "wecomExternalId", "sourceChannel", "ownerStaffId", name, "unionId", gender)
       SELECT DISTINCT ON (b."externalUserId") $1::uuid, b."externalUserId", CASE WHEN b."liveCodeId" IS NULL THEN 'wecom' ELSE 'wecom:' || b.channel END,
              b."staffId", b.name, b."unionId", b.gender::"Gender"
         FROM batch b
        ORDER BY b."externalUserId", b.at DESC
       ON CONFLICT ("workspaceId", "wecomExternalId") DO UPDATE SET "ownerStaffId" = EXCLUDED."ownerStaffId", "updatedAt" = now(),
         name = COALESCE("Customer".name, EXCLUDED.name), "unionId" = COALESCE("Customer"."unionId", EXCLUDED."unionId"),
         gender = CASE WHEN "Customer".gender = 'unknown' THEN EXCLUDED.gender ELSE "Customer".gender END
       RETURNING id, "wecomExternalId"
     ),
     placed AS (SELECT b.*, c.id AS "customerId" FROM batch b JOIN customers c ON c."wecomExternalId" = b."externalUserId"),
     tagged AS (
       INSERT INTO "CustomerTag" ("workspaceId", "customerId", "tagId", source)
       SELECT DISTINCT $1::uuid, p."customerId", t.id, 'plugin'::"TagSource" FROM placed p, unnest(p."tagIds") AS t(id)
       -- A channel tag deleted since the code was made is skipped, not a failure of every later scan.
       WHERE EXISTS (SELECT 1 FROM "Tag" g WHERE g.id = t.id AND g."workspaceId" = $1::uuid)
       ON CONFLICT DO NOTHING RETURNING "customerId"
     ),
     follows AS (
       INSERT INTO "WeComFollow" ("workspaceId", "userId", "externalUserId", "customerId", "liveCodeId", "addedAt")
       SELECT DISTINCT ON (p."userId", p."externalUserId") $1::uuid, p."userId", p."externalUserId", p."customerId", p."liveCodeId", p.at
         FROM placed p
        ORDER BY p."userId", p."externalUserId", p.at DESC
       ON CONFLICT ("workspaceId", "userId", "externalUserId") DO UPDATE
         SET "customerId" = EXCLUDED."customerId", "liveCodeId" = EXCLUDED."liveCodeId", "addedAt" = EXCLUDED."addedAt", "deletedAt" = NULL
     ),
     stats AS (
       INSERT INTO "WeComLiveCodeStat" ("workspaceId", "liveCodeId", day, adds)
       SELECT $1::uuid, b."liveCodeId", b.day, count(*)::int FROM batch b WHERE b."liveCodeId" IS NOT NULL GROUP BY 2, 3
       ON CONFLICT ("liveCodeId", day) DO UPDATE SET adds = "WeComLiveCodeStat".adds + EXCLUDED.adds
     ),
     staff_days AS (
       INSERT INTO "WeComStaffDay" ("workspaceId", "liveCodeId", day, "userId", adds)
       SELECT $1::uuid, b."liveCodeId", b.day, b."userId", count(*)::int FROM batch b WHERE b."liveCodeId" IS NOT NULL GROUP BY 2, 3, 4
       ON CONFLICT ("liveCodeId", day, "userId") DO UPDATE SET adds = "WeComStaffDay".adds + EXCLUDED.adds
     ),
     rotation AS (
       UPDATE "WeComLiveCode" c SET rotation = c.rotation + n.adds
         FROM (SELECT b."liveCodeId" AS id, count(*)::int AS adds FROM batch b WHERE b."liveCodeId" IS NOT NULL GROUP BY 1) n
        WHERE c.id = n.id AND c."workspaceId" = $1::uuid
       RETURNING c.id
     ),
     profile_reads AS (
       -- A late read usually lands within seconds and is written then: the queue tries it after LATE_PROFILE_GRACE_MS.
       INSERT INTO "WeComProfileRead" ("workspaceId", "customerId", "externalUserId", "nextAttemptAt")
       SELECT DISTINCT ON (p."externalUserId") $1::uuid, p."customerId", p."externalUserId",
              now() + CASE WHEN p.profile = 'late' THEN $3 ELSE 0 END * interval '1 millisecond'
         FROM placed p WHERE p.profile <> 'read'
        ORDER BY p."externalUserId"
       ON CONFLICT ("workspaceId", "externalUserId") DO UPDATE SET "customerId" = EXCLUDED."customerId"
     ),
     events AS (
       INSERT INTO "Event" ("workspaceId", "customerId", type, properties, "occurredAt", "idempotencyKey")
       SELECT $1::uuid, p."customerId", 'wecom.contact_added',
              jsonb_build_object('channel', p.channel, 'liveCodeId', p."liveCodeId", 'liveCodeName', p."codeName", 'staffUserId', p."userId",
                                 'externalUserId', p."externalUserId", 'state', p.state, 'welcome', p.welcome),
              p.at, p."idempotencyKey"
         FROM placed p
       ON CONFLICT ("workspaceId", "idempotencyKey") DO NOTHING
       RETURNING id, "customerId", type, properties, "occurredAt"
     )
     SELECT (SELECT COALESCE(json_agg(json_build_object('id', id, 'wecomExternalId', "wecomExternalId")), '[]') FROM customers) AS customers,
            (SELECT COALESCE(json_agg(e), '[]') FROM events e) AS events,
            (SELECT COALESCE(json_agg(DISTINCT "customerId"), '[]') FROM tagged) AS tagged,
            (SELECT COALESCE(json_agg(id), '[]') FROM rotation) AS codes`,
    [workspaceId, JSON.stringify(records), LATE_PROFILE_GRACE_MS],
  );
  return row!;
}
