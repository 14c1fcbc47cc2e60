// What WeCom finishes later, read back: customer transfers (transfer_result, and the transfer_fail
// callback already stored as a `wecom.transfer_failed` event), moments tasks (get_moment_task_result,
// then get_moment_task per staff member), group-chat mass sends (get_groupmsg_task and
// get_groupmsg_send_result for the group owner) and phone-number outreach tasks (expiry, and adds
// matched to a task by the staff member's remark mobiles from externalcontact/get). Each row is
// claimed with FOR UPDATE SKIP LOCKED and a lease, so two workers never poll one twice, and every
// state change is guarded by the state it leaves, so a repeated pass changes nothing.
import { mergeCustomerInto, normalizePhone } from '@courtyard/db';
import { recheckCustomers } from '@courtyard/db/segments';
import { WeComError, type WeComClient } from '@courtyard/wecom';
import { findLostTask, RECONCILE_EVERY_MS, RECONCILE_WINDOW_MS } from '../channels/wecom.ts';
import { workspaceWeComClient } from '../channels/wecom-connection.ts';
import type { IngestedEvent } from './triggers.ts';
import type { WeComPollDeps } from './wecom-mass-sends.ts';

export const TRANSFER_SUCCEEDED_EVENT = 'wecom.transfer_succeeded';

export interface FollowUpDeps extends WeComPollDeps {
  /** Rows of the workspace were read back or changed state (the API drops its cached reads). */
  onChange?(workspaceId: string): void;
}

const DEFAULT_POLL_MS = 5 * 60_000;
/** transfer_result statuses (notes §9) that end a transfer as failed, with the reason recorded. */
const TRANSFER_FAILED: Record<number, string> = { 3: 'customer_refused', 4: 'customer_limit_exceed', 5: 'no_record' };

/** One pass over every kind; returns how many rows it claimed or changed. */
export async function pollWeComFollowUps(deps: FollowUpDeps, now = new Date()): Promise<number> {
  let total = 0;
  const touched = new Set<string>();
  for (const [name, pass] of [
    ['transfers', pollTransfers],
    ['moments', pollMoments],
    ['group sends without an answer', reconcileGroupSends],
    ['group sends', pollGroupSends],
    ['outreach', sweepOutreach],
    ['tag pushes', pushCorpTags],
  ] as const) {
    try {
      total += await pass(deps, now, touched);
    } catch (error) {
      deps.log(`WeCom ${name}: ${(error as Error).message}`);
    }
  }
  for (const workspaceId of touched) deps.onChange?.(workspaceId);
  return total;
}

const wsFilter = (deps: FollowUpDeps) => (deps.workspaces ? [...deps.workspaces] : null);
const pollMs = (deps: FollowUpDeps) => deps.wecom.pollMs ?? DEFAULT_POLL_MS;

async function claim<T>(deps: FollowUpDeps, table: string, statuses: string[], columns: string, now: Date): Promise<T[]> {
  return deps.db.query<T>(
    `WITH due AS (
       SELECT id FROM "${table}" WHERE "nextPollAt" <= $1 AND status::text = ANY($2::text[]) AND ($3::uuid[] IS NULL OR "workspaceId" = ANY($3::uuid[]))
        ORDER BY "nextPollAt" LIMIT $4 FOR UPDATE SKIP LOCKED)
     UPDATE "${table}" t SET "nextPollAt" = $1::timestamptz + $5 * interval '1 millisecond' FROM due WHERE t.id = due.id
     RETURNING ${columns}`,
    [now, statuses, wsFilter(deps), deps.claimLimit ?? 50, deps.leaseMs ?? 60_000],
  );
}

async function clientFor(deps: FollowUpDeps, workspaceId: string): Promise<WeComClient> {
  const client = await workspaceWeComClient(deps.db, workspaceId, deps.wecom.client);
  if (!client) throw new Error('WeCom is not connected in this workspace');
  return client;
}

async function allPages<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return items;
}

// ---------------------------------------------------------------------------------------------
// Transfers

interface DueTransfer {
  id: string;
  workspaceId: string;
  customerId: string;
  externalUserId: string;
  mode: 'in_service' | 'resigned';
  fromStaffId: string;
  toStaffId: string;
  handoverUserId: string;
  takeoverUserId: string;
}

export async function pollTransfers(deps: FollowUpDeps, now: Date, touched = new Set<string>()): Promise<number> {
  // The transfer_fail callback is the fastest word of a refusal: it settles a transfer whatever its poll time.
  const refused = await deps.db.query<{ id: string; workspaceId: string }>(
    `UPDATE "WeComTransfer" t SET status = 'failed', "failReason" = COALESCE(e.properties->>'reason', 'customer_refused'), "failEventId" = e.id,
            "settledAt" = $1, "nextPollAt" = NULL, "lastError" = NULL
       FROM "Event" e
      WHERE t.status = 'waiting' AND ($2::uuid[] IS NULL OR t."workspaceId" = ANY($2::uuid[]))
        AND e."workspaceId" = t."workspaceId" AND e."customerId" = t."customerId" AND e.type = 'wecom.transfer_failed'
        AND e.properties->>'staffUserId' = t."takeoverUserId" AND e."occurredAt" >= t."createdAt" - interval '5 minutes'
      RETURNING t.id, t."workspaceId"`,
    [now, wsFilter(deps)],
  );
  for (const r of refused) touched.add(r.workspaceId);
  const due = await claim<DueTransfer>(
    deps,
    'WeComTransfer',
    ['waiting'],
    `t.id, t."workspaceId", t."customerId", t."externalUserId", t.mode, t."fromStaffId", t."toStaffId", t."handoverUserId", t."takeoverUserId"`,
    now,
  );
  const groups = new Map<string, DueTransfer[]>();
  for (const t of due) {
    touched.add(t.workspaceId);
    const key = `${t.workspaceId}|${t.mode}|${t.handoverUserId}|${t.takeoverUserId}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  for (const transfers of groups.values()) {
    const first = transfers[0]!;
    try {
      const client = await clientFor(deps, first.workspaceId);
      const api = first.mode === 'resigned' ? 'externalcontact/resigned/transfer_result' : 'externalcontact/transfer_result';
      const rows = await allPages(async (cursor) => {
        const page = await client.call(api, { handover_userid: first.handoverUserId, takeover_userid: first.takeoverUserId, ...(cursor ? { cursor } : {}) });
        return { items: page.customer, next_cursor: page.next_cursor };
      });
      const byCustomer = new Map(rows.map((r) => [r.external_userid, r]));
      for (const transfer of transfers) await settleTransfer(deps, transfer, byCustomer.get(transfer.externalUserId), now);
    } catch (error) {
      await deps.db.query(`UPDATE "WeComTransfer" SET "lastError" = $2 WHERE id = ANY($1::uuid[])`, [transfers.map((t) => t.id), (error as Error).message]);
      deps.log(`WeCom transfers ${first.handoverUserId} → ${first.takeoverUserId}: ${(error as Error).message}`);
    }
  }
  return refused.length + due.length;
}

async function settleTransfer(deps: FollowUpDeps, t: DueTransfer, row: { status: number; takeover_time?: number | undefined } | undefined, now: Date) {
  const takeoverAt = row?.takeover_time ? new Date(row.takeover_time * 1000) : null;
  if (row?.status === 1) {
    const events = await deps.db.transaction(async (query) => {
      const moved = await query(`UPDATE "WeComTransfer" SET status = 'succeeded', "settledAt" = $2, "takeoverAt" = COALESCE($3, "takeoverAt"), "nextPollAt" = NULL, "lastError" = NULL WHERE id = $1 AND status = 'waiting' RETURNING id`, [t.id, now, takeoverAt]);
      if (!moved.length) return [];
      // The owner moves unless someone reassigned the customer meanwhile.
      await query(`UPDATE "Customer" SET "ownerStaffId" = $2, "updatedAt" = now() WHERE id = $1 AND ("ownerStaffId" = $3 OR "ownerStaffId" IS NULL)`, [t.customerId, t.toStaffId, t.fromStaffId]);
      // WeCom re-points the relation and sends no add callback for it (nor for an existing friend).
      await query(`UPDATE "WeComFollow" SET "deletedAt" = $4 WHERE "workspaceId" = $1 AND "userId" = $2 AND "externalUserId" = $3 AND "deletedAt" IS NULL`, [t.workspaceId, t.handoverUserId, t.externalUserId, takeoverAt ?? now]);
      await query(
        `INSERT INTO "WeComFollow" ("workspaceId", "userId", "externalUserId", "customerId", "addedAt") VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ("workspaceId", "userId", "externalUserId") DO UPDATE SET "deletedAt" = NULL, "customerId" = EXCLUDED."customerId"`,
        [t.workspaceId, t.takeoverUserId, t.externalUserId, t.customerId, takeoverAt ?? now],
      );
      return query<IngestedEvent>(
        `INSERT INTO "Event" ("workspaceId", "customerId", type, properties, "occurredAt", "idempotencyKey") VALUES ($1, $2, $3, $4::jsonb, $5, $6)
         ON CONFLICT ("workspaceId", "idempotencyKey") DO NOTHING RETURNING id, "customerId", type, properties, "occurredAt"`,
        [t.workspaceId, t.customerId, TRANSFER_SUCCEEDED_EVENT, JSON.stringify({ transferId: t.id, mode: t.mode, fromStaffUserId: t.handoverUserId, toStaffUserId: t.takeoverUserId }), takeoverAt ?? now, `wecom:transfer:${t.id}`],
      );
    });
    if (events.length) await deps.onEvents(t.workspaceId, events).catch((error: Error) => deps.log(`journeys after a WeCom transfer failed: ${error.message}`));
    return;
  }
  const reason = row ? TRANSFER_FAILED[row.status] : undefined;
  if (reason) {
    await deps.db.query(`UPDATE "WeComTransfer" SET status = 'failed', "failReason" = $2, "settledAt" = $3, "takeoverAt" = COALESCE($4, "takeoverAt"), "nextPollAt" = NULL, "lastError" = NULL WHERE id = $1 AND status = 'waiting'`, [t.id, reason, now, takeoverAt]);
    return;
  }
  // Still waiting (2), or not listed yet: read again at the takeover time or the next poll, whichever is first.
  const next = new Date(Math.min(now.getTime() + pollMs(deps), takeoverAt && takeoverAt > now ? takeoverAt.getTime() : Infinity));
  await deps.db.query(`UPDATE "WeComTransfer" SET "takeoverAt" = COALESCE($2, "takeoverAt"), "nextPollAt" = $3, "lastError" = NULL WHERE id = $1 AND status = 'waiting'`, [t.id, takeoverAt, next]);
}

// ---------------------------------------------------------------------------------------------
// Moments

interface DueMoment {
  id: string;
  workspaceId: string;
  jobid: string;
  momentId: string | null;
  status: 'created' | 'publishing';
  expiresAt: Date;
}

export async function pollMoments(deps: FollowUpDeps, now: Date, touched = new Set<string>()): Promise<number> {
  const due = await claim<DueMoment>(deps, 'WeComMoment', ['created', 'publishing'], `t.id, t."workspaceId", t.jobid, t."momentId", t.status, t."expiresAt"`, now);
  for (const moment of due) {
    touched.add(moment.workspaceId);
    try {
      const client = await clientFor(deps, moment.workspaceId);
      let momentId = moment.momentId;
      if (moment.status === 'created') {
        const job = await client.call('externalcontact/get_moment_task_result', { jobid: moment.jobid });
        // 1 started, 2 creating: the moment id comes with 3 (notes §8).
        if (job.status !== 3) {
          await deps.db.query(`UPDATE "WeComMoment" SET "nextPollAt" = $2, "lastError" = NULL WHERE id = $1`, [moment.id, new Date(now.getTime() + Math.min(pollMs(deps), 60_000))]);
          continue;
        }
        if (!job.result || job.result.errcode !== 0 || !job.result.moment_id) {
          const error = job.result ? `WeCom refused the moment: ${job.result.errcode} ${job.result.errmsg}` : 'WeCom finished the job without a result';
          await deps.db.query(`UPDATE "WeComMoment" SET status = 'failed', error = $2, "settledAt" = $3, "nextPollAt" = NULL WHERE id = $1 AND status = 'created'`, [moment.id, error, now]);
          await deps.db.query(`UPDATE "WeComMomentTask" SET status = 'not_published', "settledAt" = $2 WHERE "momentId" = $1 AND status = 'waiting'`, [moment.id, now]);
          continue;
        }
        momentId = job.result.moment_id;
        await deps.db.query(`UPDATE "WeComMoment" SET status = 'publishing', "momentId" = $2 WHERE id = $1 AND status = 'created'`, [moment.id, momentId]);
        const invalid = job.result.invalid_sender_list?.user_list ?? [];
        if (invalid.length) await deps.db.query(`UPDATE "WeComMomentTask" SET status = 'invalid', "settledAt" = $3 WHERE "momentId" = $1 AND "staffUserId" = ANY($2::text[]) AND status = 'waiting'`, [moment.id, invalid, now]);
      }
      const tasks = await allPages(async (cursor) => {
        const page = await client.call('externalcontact/get_moment_task', { moment_id: momentId!, limit: 1000, ...(cursor ? { cursor } : {}) });
        return { items: page.task_list, next_cursor: page.next_cursor };
      });
      const published = tasks.filter((t) => t.publish_status === 1).map((t) => t.userid);
      await deps.db.query(`UPDATE "WeComMomentTask" SET status = 'published', "settledAt" = $3 WHERE "momentId" = $1 AND "staffUserId" = ANY($2::text[]) AND status = 'waiting'`, [moment.id, published, now]);
      const expired = now.getTime() >= new Date(moment.expiresAt).getTime();
      if (expired) await deps.db.query(`UPDATE "WeComMomentTask" SET status = 'not_published', "settledAt" = $2 WHERE "momentId" = $1 AND status = 'waiting'`, [moment.id, now]);
      const [{ waiting } = { waiting: 0 }] = await deps.db.query<{ waiting: number }>(`SELECT count(*)::int AS waiting FROM "WeComMomentTask" WHERE "momentId" = $1 AND status = 'waiting'`, [moment.id]);
      await deps.db.query(
        `UPDATE "WeComMoment" SET "lastError" = NULL,
                status = CASE WHEN $2 = 0 THEN 'settled'::"WeComMomentStatus" ELSE status END,
                "settledAt" = CASE WHEN $2 = 0 THEN $3::timestamptz ELSE NULL END,
                "nextPollAt" = CASE WHEN $2 = 0 THEN NULL ELSE LEAST("expiresAt", $3::timestamptz + $4 * interval '1 millisecond') END
          WHERE id = $1`,
        [moment.id, waiting, now, pollMs(deps)],
      );
    } catch (error) {
      await deps.db.query(`UPDATE "WeComMoment" SET "lastError" = $2 WHERE id = $1`, [moment.id, (error as Error).message]);
      deps.log(`WeCom moment ${moment.id}: ${(error as Error).message}`);
    }
  }
  return due.length;
}

// ---------------------------------------------------------------------------------------------
// Group-chat mass sends

interface DueGroupSend {
  id: string;
  workspaceId: string;
  msgid: string;
  ownerUserId: string;
  chatIds: string[];
  expiresAt: Date;
}

interface UnansweredGroupSend {
  id: string;
  workspaceId: string;
  ownerUserId: string;
  content: string;
  createdAt: Date;
}

/**
 * Group sends WeCom's add_msg_template answer never reached (`uncertain`), or that were recorded
 * and never asked about (`creating` for over a minute: the process stopped in between). WeCom's
 * task list is searched as for customer mass sends: found, the send adopts the task and is read
 * back as usual; not listed by the end of the reconciliation window, WeCom did not create it, and
 * the send is `not_sent` with an error saying so (an operator's send is not created again behind
 * their back: they send it again when they choose).
 */
export async function reconcileGroupSends(deps: FollowUpDeps, now: Date, touched = new Set<string>()): Promise<number> {
  const due = await claim<UnansweredGroupSend>(deps, 'WeComGroupSend', ['creating', 'uncertain'], `t.id, t."workspaceId", t."ownerUserId", t.content, t."createdAt"`, now);
  const windowMs = deps.wecom.reconcileWindowMs ?? RECONCILE_WINDOW_MS;
  for (const send of due) {
    touched.add(send.workspaceId);
    const until = new Date(new Date(send.createdAt).getTime() + windowMs);
    try {
      const client = await clientFor(deps, send.workspaceId);
      const msgid = await findLostTask(client, { chatType: 'group', createdAt: send.createdAt, content: send.content, staff: send.ownerUserId }, async (msgids) =>
        new Set((await deps.db.query<{ msgid: string }>(`SELECT msgid FROM "WeComGroupSend" WHERE "workspaceId" = $1 AND msgid = ANY($2::text[])`, [send.workspaceId, msgids])).map((r) => r.msgid)),
      );
      if (msgid) {
        await deps.db.query(
          `UPDATE "WeComGroupSend" SET msgid = $2, status = 'waiting', "lastError" = NULL, "nextPollAt" = $3 WHERE id = $1 AND msgid IS NULL AND status IN ('creating', 'uncertain')`,
          [send.id, msgid, now],
        );
      } else if (now >= until) {
        await deps.db.query(
          `UPDATE "WeComGroupSend" SET status = 'not_sent', "settledAt" = $2, "nextPollAt" = NULL, "lastError" = NULL, error = $3
            WHERE id = $1 AND msgid IS NULL AND status IN ('creating', 'uncertain')`,
          [send.id, now, `WeCom's answer to add_msg_template was lost and WeCom does not list the task: it was not created. Send it again.`],
        );
      } else {
        await deps.db.query(
          `UPDATE "WeComGroupSend" SET status = 'uncertain', "lastError" = $2, "nextPollAt" = $3 WHERE id = $1 AND msgid IS NULL AND status IN ('creating', 'uncertain')`,
          [send.id, `WeCom's answer to add_msg_template was lost; looking for the task in WeCom's list until ${until.toISOString()}`, new Date(Math.min(until.getTime(), now.getTime() + (deps.wecom.reconcileEveryMs ?? RECONCILE_EVERY_MS)))],
        );
      }
    } catch (error) {
      await deps.db.query(`UPDATE "WeComGroupSend" SET "lastError" = $2 WHERE id = $1`, [send.id, (error as Error).message]);
      deps.log(`WeCom group send ${send.id} without an answer: ${(error as Error).message}`);
    }
  }
  return due.length;
}

export async function pollGroupSends(deps: FollowUpDeps, now: Date, touched = new Set<string>()): Promise<number> {
  const due = await claim<DueGroupSend>(deps, 'WeComGroupSend', ['waiting'], `t.id, t."workspaceId", t.msgid, t."ownerUserId", t."chatIds", t."expiresAt"`, now);
  for (const send of due) {
    touched.add(send.workspaceId);
    try {
      const client = await clientFor(deps, send.workspaceId);
      const tasks = await allPages(async (cursor) => {
        const page = await client.call('externalcontact/get_groupmsg_task', { msgid: send.msgid, limit: 1000, ...(cursor ? { cursor } : {}) });
        return { items: page.task_list, next_cursor: page.next_cursor };
      });
      const confirmed = tasks.some((t) => t.userid === send.ownerUserId && t.status === 2);
      // For group sends WeCom lists only the chats already sent to (notes §7).
      const rows = await allPages(async (cursor) => {
        const page = await client.call('externalcontact/get_groupmsg_send_result', { msgid: send.msgid, userid: send.ownerUserId, limit: 1000, ...(cursor ? { cursor } : {}) });
        return { items: page.send_list, next_cursor: page.next_cursor };
      });
      const sent = [...new Set(rows.filter((r) => r.status === 1 && r.chat_id).map((r) => r.chat_id!))];
      const expired = now.getTime() >= new Date(send.expiresAt).getTime();
      let status: 'waiting' | 'sent' | 'partly_sent' | 'not_sent' = 'waiting';
      if (confirmed) status = sent.length === 0 ? 'not_sent' : send.chatIds.length === 0 || send.chatIds.every((c) => sent.includes(c)) ? 'sent' : 'partly_sent';
      else if (expired) {
        status = 'not_sent';
        // So the owner cannot still send what Courtyard reports as not sent.
        if (deps.wecom.cancelOnExpiry !== false) await client.call('externalcontact/cancel_groupmsg_send', { msgid: send.msgid }).catch((error: Error) => deps.log(`cancelling WeCom group send ${send.msgid}: ${error.message}`));
      }
      await deps.db.query(
        `UPDATE "WeComGroupSend" SET "sentChatIds" = $2, status = $3::"WeComMassSendStatus", "lastError" = NULL,
                "settledAt" = CASE WHEN $3 = 'waiting' THEN NULL ELSE $4::timestamptz END,
                "nextPollAt" = CASE WHEN $3 = 'waiting' THEN LEAST("expiresAt", $4::timestamptz + $5 * interval '1 millisecond') ELSE NULL END
          WHERE id = $1 AND status = 'waiting'`,
        [send.id, sent, status, now, pollMs(deps)],
      );
    } catch (error) {
      await deps.db.query(`UPDATE "WeComGroupSend" SET "lastError" = $2 WHERE id = $1`, [send.id, (error as Error).message]);
      deps.log(`WeCom group send ${send.msgid}: ${(error as Error).message}`);
    }
  }
  return due.length;
}

// ---------------------------------------------------------------------------------------------
// Phone-number outreach

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

// ---------------------------------------------------------------------------------------------
// Linked corp tags changed in Courtyard, marked in WeCom

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
       SELECT id FROM "WeComTagPush" WHERE "nextAttemptAt" <= $1 AND ($2::uuid[] IS NULL OR "workspaceId" = ANY($2::uuid[]))
        ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
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
