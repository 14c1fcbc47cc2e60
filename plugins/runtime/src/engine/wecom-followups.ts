// What WeCom finishes later, read back: customer transfers (transfer_result, and the transfer_fail
// callback already stored as a `wecom.transfer_failed` event), moments tasks (get_moment_task_result,
// then get_moment_task per staff member), group-chat mass sends (get_groupmsg_task and
// get_groupmsg_send_result for the group owner; those whose creation's answer was lost are looked
// for in WeCom's list), phone-number outreach tasks (wecom-outreach.ts) and linked corp tags changed
// in Courtyard (wecom-tag-push.ts). Each row is
// claimed with FOR UPDATE SKIP LOCKED and a lease, so two workers never poll one twice, and every
// state change is guarded by the state it leaves, so a repeated pass changes nothing.
import { findLostTask, heldMsgids, RECONCILE_EVERY_MS, RECONCILE_WINDOW_MS } from '../channels/wecom.ts';
import type { IngestedEvent } from './triggers.ts';
import { allPages, claim, clientFor, pollMs, wsFilter, type FollowUpDeps } from './wecom-followup-support.ts';
import { sweepOutreach } from './wecom-outreach.ts';
import { pushCorpTags } from './wecom-tag-push.ts';

export type { FollowUpDeps } from './wecom-followup-support.ts';

export const TRANSFER_SUCCEEDED_EVENT = 'wecom.transfer_succeeded';

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
      const msgid = await findLostTask(client, { chatType: 'group', createdAt: send.createdAt, content: send.content, staff: send.ownerUserId }, heldMsgids(deps.db, 'WeComGroupSend', send.workspaceId));
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
