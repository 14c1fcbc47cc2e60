// Linked corp tags changed in Courtyard, marked in WeCom (the other half of the tag sync: WeCom's
// changes arrive by callback, schema/src/wecom-tags.ts).
import { WeComError } from '@courtyard/wecom';
import { clientFor, wsFilter, type FollowUpDeps } from './wecom-followup-support.ts';

interface DuePush {
  id: string;
  workspaceId: string;
  customerId: string;
  tagId: string;
  add: boolean;
  attempts: number;
}

/** Attempts before a tag push is given up (logged): about a day of backing off. */
const MAX_PUSH_ATTEMPTS = 12;

/**
 * Queued tag changes (WeComTagPush, written by a trigger on CustomerTag) marked in WeCom with
 * mark_tag, for every staff member who follows the contact; per customer, the last change of each
 * tag wins. A follow WeCom refuses for good (no longer a contact, a tag WeCom no longer has) is
 * skipped; a temporary failure retries the customer's changes with backoff.
 */
export async function pushCorpTags(deps: FollowUpDeps, now: Date, touched = new Set<string>()): Promise<number> {
  const due = await deps.db.query<DuePush>(
    `WITH due AS (
       SELECT p.id FROM "WeComTagPush" p
        WHERE p."nextAttemptAt" <= $1 AND ($2::uuid[] IS NULL OR p."workspaceId" = ANY($2::uuid[]))
          -- A customer's changes go in order: none while an older one of theirs waits to be retried.
          AND NOT EXISTS (SELECT 1 FROM "WeComTagPush" o WHERE o."workspaceId" = p."workspaceId" AND o."customerId" = p."customerId" AND o.id < p.id AND o."nextAttemptAt" > $1)
        ORDER BY p.id LIMIT $3 FOR UPDATE OF p SKIP LOCKED)
     UPDATE "WeComTagPush" p SET attempts = p.attempts + 1, "nextAttemptAt" = $1::timestamptz + $4 * interval '1 millisecond'
       FROM due WHERE p.id = due.id
     RETURNING p.id::text, p."workspaceId", p."customerId", p."tagId", p.add, p.attempts`,
    [now, wsFilter(deps), (deps.claimLimit ?? 50) * 4, deps.leaseMs ?? 60_000],
  );
  const byCustomer = new Map<string, DuePush[]>();
  for (const row of due.sort((a, b) => Number(a.id) - Number(b.id))) {
    const key = `${row.workspaceId}:${row.customerId}`;
    byCustomer.set(key, [...(byCustomer.get(key) ?? []), row]);
  }
  for (const rows of byCustomer.values()) {
    const { workspaceId, customerId } = rows[0]!;
    touched.add(workspaceId);
    const ids = rows.map((r) => r.id);
    try {
      const [contact] = await deps.db.query<{ externalUserId: string | null; userIds: string[] }>(
        `SELECT c."wecomExternalId" AS "externalUserId",
                ARRAY(SELECT f."userId" FROM "WeComFollow" f WHERE f."workspaceId" = c."workspaceId" AND f."externalUserId" = c."wecomExternalId" AND f."deletedAt" IS NULL ORDER BY f."userId") AS "userIds"
           FROM "Customer" c WHERE c.id = $1 AND c."workspaceId" = $2`,
        [customerId, workspaceId],
      );
      const tags = new Map(
        (await deps.db.query<{ id: string; wecomTagId: string }>(`SELECT id, "wecomTagId" FROM "Tag" WHERE id = ANY($1::uuid[]) AND "workspaceId" = $2 AND "wecomTagId" IS NOT NULL`, [rows.map((r) => r.tagId), workspaceId])).map(
          (t) => [t.id, t.wecomTagId],
        ),
      );
      const last = new Map<string, boolean>();
      for (const r of rows) if (tags.has(r.tagId)) last.set(tags.get(r.tagId)!, r.add);
      const add = [...last].filter(([, on]) => on).map(([id]) => id);
      const remove = [...last].filter(([, on]) => !on).map(([id]) => id);
      if (contact?.externalUserId && contact.userIds.length && (add.length || remove.length)) {
        const client = await clientFor(deps, workspaceId);
        for (const userid of contact.userIds) {
          try {
            await client.call('externalcontact/mark_tag', { userid, external_userid: contact.externalUserId, ...(add.length ? { add_tag: add } : {}), ...(remove.length ? { remove_tag: remove } : {}) });
          } catch (error) {
            if (error instanceof WeComError && !error.retryable) deps.log(`WeCom mark_tag for ${userid} / ${contact.externalUserId}: ${error.message}`);
            else throw error;
          }
        }
      }
      await deps.db.query(`DELETE FROM "WeComTagPush" WHERE id = ANY($1::bigint[])`, [ids]);
    } catch (error) {
      const attempts = Math.max(...rows.map((r) => r.attempts));
      const message = (error as Error).message;
      if (attempts >= MAX_PUSH_ATTEMPTS) {
        await deps.db.query(`DELETE FROM "WeComTagPush" WHERE id = ANY($1::bigint[])`, [ids]);
        deps.log(`WeCom tag push for customer ${customerId} given up after ${attempts} attempts: ${message}`);
      } else {
        const waitMs = Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);
        await deps.db.query(`UPDATE "WeComTagPush" SET "lastError" = $2, "nextAttemptAt" = $3::timestamptz + $4 * interval '1 millisecond' WHERE id = ANY($1::bigint[])`, [ids, message.slice(0, 1000), now, waitMs]);
        deps.log(`WeCom tag push for customer ${customerId}: ${message}`);
      }
    }
  }
  return due.length;
}
