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
  if (!due.length) return 0;
  const byCustomer = new Map<string, DuePush[]>();
  for (const row of due.sort((a, b) => Number(a.id) - Number(b.id))) {
    const key = `${row.workspaceId}:${row.customerId}`;
    const list = byCustomer.get(key);
    if (list) list.push(row);
    else byCustomer.set(key, [row]);
  }
  // The contacts (with the staff who follow them) and the linked tags of the whole pass, read once.
  const contacts = new Map(
    (
      await deps.db.query<{ key: string; externalUserId: string | null; userIds: string[] }>(
        `SELECT c."workspaceId" || ':' || c.id AS key, c."wecomExternalId" AS "externalUserId",
                ARRAY(SELECT f."userId" FROM "WeComFollow" f WHERE f."workspaceId" = c."workspaceId" AND f."externalUserId" = c."wecomExternalId" AND f."deletedAt" IS NULL ORDER BY f."userId") AS "userIds"
           FROM "Customer" c WHERE c.id = ANY($1::uuid[])`,
        [[...new Set(due.map((r) => r.customerId))]],
      )
    ).map((c) => [c.key, c]),
  );
  const tags = new Map(
    (
      await deps.db.query<{ key: string; wecomTagId: string }>(`SELECT "workspaceId" || ':' || id AS key, "wecomTagId" FROM "Tag" WHERE id = ANY($1::uuid[]) AND "wecomTagId" IS NOT NULL`, [
        [...new Set(due.map((r) => r.tagId))],
      ])
    ).map((t) => [t.key, t.wecomTagId]),
  );
  const done: string[] = [];
  for (const [key, rows] of byCustomer) {
    const { workspaceId, customerId } = rows[0]!;
    touched.add(workspaceId);
    try {
      const contact = contacts.get(key);
      const last = new Map<string, boolean>();
      for (const r of rows) {
        const wecomTagId = tags.get(`${workspaceId}:${r.tagId}`);
        if (wecomTagId) last.set(wecomTagId, r.add);
      }
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
      done.push(...rows.map((r) => r.id));
    } catch (error) {
      const attempts = Math.max(...rows.map((r) => r.attempts));
      const message = (error as Error).message;
      if (attempts >= MAX_PUSH_ATTEMPTS) {
        done.push(...rows.map((r) => r.id));
        deps.log(`WeCom tag push for customer ${customerId} given up after ${attempts} attempts: ${message}`);
      } else {
        const waitMs = Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);
        await deps.db.query(`UPDATE "WeComTagPush" SET "lastError" = $2, "nextAttemptAt" = $3::timestamptz + $4 * interval '1 millisecond' WHERE id = ANY($1::bigint[])`, [
          rows.map((r) => r.id),
          message.slice(0, 1000),
          now,
          waitMs,
        ]);
        deps.log(`WeCom tag push for customer ${customerId}: ${message}`);
      }
    }
  }
  if (done.length) await deps.db.query(`DELETE FROM "WeComTagPush" WHERE id = ANY($1::bigint[])`, [done]);
  return due.length;
}
