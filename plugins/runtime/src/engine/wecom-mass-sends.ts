// The WeCom mass-send poller. A task created by the wecom channel waits for its staff member to
// confirm it in their WeCom app; this loop reads each due task back (get_groupmsg_task, then
// get_groupmsg_send_result with cursors), settles its deliveries' confirmations (sent, or failed:
// not a friend / over WeCom's receive limit), and at the task's expiry marks the customers still
// unsent as not sent (and cancels the task in WeCom). Each settled customer gets an event,
// `wecom.message_sent` or `wecom.message_not_sent`, through the same path as ingested events, so a
// journey's wait-for-event node resumes on it (and takes its timeout port when nothing comes).
import type { Db } from '@courtyard/db';
import type { WeComClient, GroupMsgSendResult } from '@courtyard/wecom';
import { findLostTask, heldMsgids, RECONCILE_EVERY_MS, RECONCILE_WINDOW_MS } from '../channels/wecom.ts';
import { workspaceWeComClient } from '../channels/wecom-connection.ts';
import type { WeComRuntimeOptions } from '../channels/types.ts';
import type { IngestedEvent } from './triggers.ts';
import { allPages, claim } from './wecom-followup-support.ts';

export const MESSAGE_SENT_EVENT = 'wecom.message_sent';
export const MESSAGE_NOT_SENT_EVENT = 'wecom.message_not_sent';

/** What the runtime's WeCom pollers (mass sends, follow-ups) are given. */
export interface WeComPollDeps {
  db: Db;
  wecom: WeComRuntimeOptions;
  workspaces: ReadonlySet<string> | null;
  /** Rows one pass claims. Default 20 for mass sends, 50 of each kind for follow-ups. */
  claimLimit?: number;
  /** How long a claimed row is held before another worker may poll it. Default 60 s. */
  leaseMs?: number;
  log(message: string): void;
  onEvents(workspaceId: string, events: IngestedEvent[]): Promise<unknown>;
}

export interface MassSendPollDeps extends WeComPollDeps {
  /** A campaign's tasks moved on: live progress. */
  onCampaignProgress?(workspaceId: string, campaignId: string): void;
}

interface DueTask {
  id: string;
  workspaceId: string;
  msgid: string;
  staffUserId: string;
  campaignId: string | null;
  journeyId: string | null;
  nodeId: string | null;
  expiresAt: Date;
  /** Withdrawn (by an operator, or its campaign cancelled): customers not sent yet are not sent. */
  withdrawn: boolean;
}

interface Waiting {
  id: string;
  customerId: string;
  externalUserId: string | null;
}

type Settled = { id: string; confirmation: 'sent' | 'failed' | 'not_sent'; error: string | null; sentAt: Date | null };

const DEFAULT_POLL_MS = 5 * 60_000;

/** One pass: polls every due task once; returns how many tasks it handled. */
export async function pollMassSends(deps: MassSendPollDeps, now = new Date()): Promise<number> {
  const tasks = await deps.db.query<DueTask>(
    `WITH due AS (
       SELECT id FROM "WeComMassSend"
        WHERE "nextPollAt" <= $1 AND status = 'waiting' AND ($2::uuid[] IS NULL OR "workspaceId" = ANY($2::uuid[]))
        ORDER BY "nextPollAt" LIMIT $3 FOR UPDATE SKIP LOCKED)
     UPDATE "WeComMassSend" t SET "nextPollAt" = $1::timestamptz + $4 * interval '1 millisecond', polls = t.polls + 1
       FROM due WHERE t.id = due.id
     RETURNING t.id, t."workspaceId", t.msgid, t."staffUserId", t."campaignId", t."journeyId", t."nodeId", t."expiresAt",
               t."withdrawnAt" IS NOT NULL AS withdrawn`,
    [now, deps.workspaces ? [...deps.workspaces] : null, deps.claimLimit ?? 20, deps.leaseMs ?? 60_000],
  );
  for (const task of tasks) {
    try {
      await pollTask(deps, task, now);
    } catch (error) {
      // Left claimed: the lease runs out and the next pass tries again (the client already waited out 45009s).
      await deps.db.query(`UPDATE "WeComMassSend" SET "lastError" = $2 WHERE id = $1`, [task.id, (error as Error).message]);
      deps.log(`WeCom mass send ${task.msgid}: ${(error as Error).message}`);
    }
  }
  return tasks.length + (await withdrawUnanswered(deps, now));
}

interface UnansweredTask {
  id: string;
  workspaceId: string;
  staffUserId: string;
  campaignId: string | null;
  content: string;
  createdAt: Date;
  reconcileUntil: Date | null;
}

/**
 * Withdrawn tasks (their campaign cancelled) whose add_msg_template answer was lost (`uncertain`, or `creating`
 * when the process stopped before the answer): their deliveries were cancelled, so no retry looks
 * for them any more. WeCom's list is searched here instead: a task WeCom did create is adopted,
 * the customers its staff member already sent to are recorded as sent, and the rest is cancelled in
 * WeCom; a task WeCom does not list by the end of the reconciliation window was never created.
 */
async function withdrawUnanswered(deps: MassSendPollDeps, now: Date): Promise<number> {
  const { db } = deps;
  const tasks = await claim<UnansweredTask>(
    deps,
    'WeComMassSend',
    ['uncertain', 'creating'],
    `t.id, t."workspaceId", t."staffUserId", t."campaignId", t.content, t."createdAt", t."reconcileUntil"`,
    now,
    `msgid IS NULL AND "withdrawnAt" IS NOT NULL`,
  );
  for (const task of tasks) {
    try {
      const client = await workspaceWeComClient(db, task.workspaceId, deps.wecom.client);
      if (!client) throw new Error('WeCom is not connected in this workspace');
      const msgid = await findLostTask(client, { chatType: 'single', createdAt: task.createdAt, content: task.content, staff: task.staffUserId }, heldMsgids(db, 'WeComMassSend', task.workspaceId));
      const until = task.reconcileUntil ?? new Date(new Date(task.createdAt).getTime() + (deps.wecom.reconcileWindowMs ?? RECONCILE_WINDOW_MS));
      if (!msgid) {
        const over = now >= new Date(until);
        await db.query(
          `UPDATE "WeComMassSend" SET status = CASE WHEN $2::boolean THEN 'not_sent'::"WeComMassSendStatus" ELSE 'uncertain'::"WeComMassSendStatus" END,
                  "notSent" = CASE WHEN $2::boolean THEN recipients ELSE "notSent" END, "settledAt" = CASE WHEN $2::boolean THEN $3::timestamptz END,
                  "nextPollAt" = CASE WHEN $2::boolean THEN NULL ELSE LEAST($4::timestamptz, $3::timestamptz + $5 * interval '1 millisecond') END,
                  "reconcileUntil" = CASE WHEN $2::boolean THEN NULL ELSE $4::timestamptz END,
                  "lastError" = CASE WHEN $2::boolean THEN 'withdrawn; WeCom does not list the task, so it was never created' ELSE 'withdrawn; looking for the task in WeCom''s list to cancel it there' END
            WHERE id = $1 AND msgid IS NULL`,
          [task.id, over, now, until, deps.wecom.reconcileEveryMs ?? RECONCILE_EVERY_MS],
        );
        continue;
      }
      // WeCom made it: whoever the staff member already sent it to got it; the rest is withdrawn.
      const { rows } = await readResults(client, { id: task.id, msgid, staffUserId: task.staffUserId });
      const sent = await db.query<{ id: string; customerId: string; sentAt: Date }>(
        `UPDATE "Delivery" d SET status = 'sent', confirmation = 'sent', "providerMessageId" = $2, "sentAt" = s."sentAt", error = NULL
           FROM "Customer" c, unnest($3::text[], $4::timestamptz[]) AS s(external, "sentAt")
          WHERE d."wecomTaskId" = $1 AND d.status = 'cancelled' AND c.id = d."customerId" AND c."wecomExternalId" = s.external
          RETURNING d.id, d."customerId", d."sentAt"`,
        [task.id, msgid, ...unzipSent(rows, now)],
      );
      await client.call('externalcontact/cancel_groupmsg_send', { msgid }).catch((error: Error) => deps.log(`withdrawing WeCom mass send ${msgid}: ${error.message}`));
      await db.query(
        `UPDATE "WeComMassSend" SET msgid = $2, sent = $3, "notSent" = GREATEST(recipients - $3, 0), "settledAt" = $4, "nextPollAt" = NULL, "reconcileUntil" = NULL, "lastError" = NULL,
                status = CASE WHEN $3 = 0 THEN 'not_sent'::"WeComMassSendStatus" ELSE 'partly_sent'::"WeComMassSendStatus" END
          WHERE id = $1 AND msgid IS NULL`,
        [task.id, msgid, sent.length, now],
      );
      const source = { id: task.id, workspaceId: task.workspaceId, msgid, staffUserId: task.staffUserId, campaignId: task.campaignId, journeyId: null, nodeId: null, expiresAt: now, withdrawn: true };
      if (sent.length) await recordConfirmationEvents(deps, source, sent.map((d) => ({ ...d, confirmation: 'sent' as const })), now);
      if (task.campaignId) deps.onCampaignProgress?.(task.workspaceId, task.campaignId);
    } catch (error) {
      await db.query(`UPDATE "WeComMassSend" SET "lastError" = $2 WHERE id = $1`, [task.id, (error as Error).message]);
      deps.log(`withdrawing WeCom mass send ${task.id}: ${(error as Error).message}`);
    }
  }
  return tasks.length;
}

function unzipSent(rows: Map<string, GroupMsgSendResult>, now: Date): [string[], Date[]] {
  const sent = [...rows.values()].filter((r) => r.status === 1 && r.external_userid);
  return [sent.map((r) => r.external_userid!), sent.map((r) => (r.send_time ? new Date(r.send_time * 1000) : now))];
}

async function readResults(client: WeComClient, task: Pick<DueTask, 'msgid' | 'staffUserId'> & { id: string }): Promise<{ staffSent: boolean; rows: Map<string, GroupMsgSendResult> }> {
  const staffTasks = await allPages(async (cursor) => {
    const page = await client.call('externalcontact/get_groupmsg_task', { msgid: task.msgid, limit: 1000, ...(cursor ? { cursor } : {}) });
    return { items: page.task_list, next_cursor: page.next_cursor };
  });
  const staffSent = staffTasks.some((t) => t.userid === task.staffUserId && t.status === 2);
  const results = await allPages(async (cursor) => {
    const page = await client.call('externalcontact/get_groupmsg_send_result', { msgid: task.msgid, userid: task.staffUserId, limit: 1000, ...(cursor ? { cursor } : {}) });
    return { items: page.send_list, next_cursor: page.next_cursor };
  });
  return { staffSent, rows: new Map(results.filter((r) => r.external_userid).map((r) => [r.external_userid!, r])) };
}

async function pollTask(deps: MassSendPollDeps, task: DueTask, now: Date): Promise<void> {
  const { db } = deps;
  const client = await workspaceWeComClient(db, task.workspaceId, deps.wecom.client);
  if (!client) throw new Error('WeCom is not connected in this workspace');
  const expired = now.getTime() >= new Date(task.expiresAt).getTime();
  const { rows } = await readResults(client, task);
  const waiting = await db.query<Waiting>(
    `SELECT d.id, d."customerId", c."wecomExternalId" AS "externalUserId" FROM "Delivery" d JOIN "Customer" c ON c.id = d."customerId"
      WHERE d."wecomTaskId" = $1 AND d.confirmation = 'waiting'`,
    [task.id],
  );
  const settled: Settled[] = [];
  let stillWaiting = 0;
  for (const d of waiting) {
    const row = d.externalUserId ? rows.get(d.externalUserId) : undefined;
    if (row?.status === 1) settled.push({ id: d.id, confirmation: 'sent', error: null, sentAt: row.send_time ? new Date(row.send_time * 1000) : now });
    else if (row?.status === 2) settled.push({ id: d.id, confirmation: 'failed', error: `not sent: the customer is not a friend of ${task.staffUserId} on WeCom`, sentAt: null });
    else if (row?.status === 3) settled.push({ id: d.id, confirmation: 'failed', error: "not sent: the customer is over WeCom's receive limit for mass messages", sentAt: null });
    else if (expired) {
      const error = task.withdrawn
        ? `not sent: the WeCom mass send was withdrawn (by an operator, or its campaign cancelled) before ${task.staffUserId} confirmed it`
        : `not sent: ${task.staffUserId} did not confirm the WeCom mass send before it expired`;
      settled.push({ id: d.id, confirmation: 'not_sent', error, sentAt: null });
    }
    else stillWaiting++;
  }
  if (expired && stillWaiting === 0 && settled.some((s) => s.confirmation === 'not_sent') && (deps.wecom.cancelOnExpiry !== false || task.withdrawn)) {
    // So the staff member cannot still send it after Courtyard has reported it not sent.
    await client.call('externalcontact/cancel_groupmsg_send', { msgid: task.msgid }).catch((error: Error) => deps.log(`cancelling WeCom mass send ${task.msgid}: ${error.message}`));
  }

  // Only rows still waiting are written, so two pollers never settle (or announce) one twice.
  const changed = await db.query<{ id: string; customerId: string; confirmation: Settled['confirmation']; sentAt: Date | null }>(
    `UPDATE "Delivery" d SET confirmation = s.confirmation::"WeComConfirmation",
            status = CASE WHEN s.confirmation = 'sent' THEN d.status ELSE 'failed'::"DeliveryStatus" END,
            error = COALESCE(s.error, d.error), "sentAt" = s."sentAt"
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS s(id, confirmation, error, "sentAt")
      WHERE d.id = s.id AND d.confirmation = 'waiting'
      RETURNING d.id, d."customerId", s.confirmation, s."sentAt"`,
    [settled.map((s) => s.id), settled.map((s) => s.confirmation), settled.map((s) => s.error), settled.map((s) => s.sentAt)],
  );
  const count = (c: Settled['confirmation']) => changed.filter((r) => r.confirmation === c).length;
  await db.query(
    `UPDATE "WeComMassSend" SET sent = sent + $2, "notSent" = "notSent" + $3, failed = failed + $4, "lastError" = NULL,
            status = CASE WHEN $5::boolean THEN status
                          WHEN sent + $2 = 0 THEN 'not_sent'::"WeComMassSendStatus"
                          WHEN "notSent" + $3 + failed + $4 = 0 THEN 'sent'::"WeComMassSendStatus"
                          ELSE 'partly_sent'::"WeComMassSendStatus" END,
            "settledAt" = CASE WHEN $5::boolean THEN NULL ELSE $6::timestamptz END,
            "nextPollAt" = CASE WHEN $5::boolean THEN LEAST("expiresAt", $6::timestamptz + $7 * interval '1 millisecond') ELSE NULL END
      WHERE id = $1`,
    [task.id, count('sent'), count('not_sent'), count('failed'), stillWaiting > 0, now, deps.wecom.pollMs ?? DEFAULT_POLL_MS],
  );
  if (changed.length) await recordConfirmationEvents(deps, task, changed, now);
  if (task.campaignId) deps.onCampaignProgress?.(task.workspaceId, task.campaignId);
}

/** One event per settled customer, idempotent per delivery, then the journeys waiting for it. */
async function recordConfirmationEvents(deps: MassSendPollDeps, task: DueTask, changed: { id: string; customerId: string; confirmation: Settled['confirmation']; sentAt: Date | null }[], now: Date) {
  const source = task.campaignId ? { campaignId: task.campaignId } : { journeyId: task.journeyId, nodeId: task.nodeId };
  const events = changed.map((c) => ({
    customerId: c.customerId,
    type: c.confirmation === 'sent' ? MESSAGE_SENT_EVENT : MESSAGE_NOT_SENT_EVENT,
    properties: { deliveryId: c.id, ...source, staffUserId: task.staffUserId, msgid: task.msgid, ...(c.confirmation === 'sent' ? {} : { reason: c.confirmation === 'failed' ? 'failed' : 'not_confirmed' }) },
    occurredAt: c.sentAt ? new Date(c.sentAt) : now,
    key: `wecom:confirmation:${c.id}`,
  }));
  const stored = await deps.db.query<IngestedEvent>(
    `INSERT INTO "Event" ("workspaceId", "customerId", type, properties, "occurredAt", "idempotencyKey")
     SELECT $1, e."customerId", e.type, e.properties, e."occurredAt", e.key
       FROM jsonb_to_recordset($2::jsonb) AS e("customerId" uuid, type text, properties jsonb, "occurredAt" timestamptz, key text)
     ON CONFLICT ("workspaceId", "idempotencyKey") DO NOTHING
     RETURNING id, "customerId", type, properties, "occurredAt"`,
    [task.workspaceId, JSON.stringify(events)],
  );
  if (stored.length) await deps.onEvents(task.workspaceId, stored).catch((error: Error) => deps.log(`journeys after WeCom confirmations failed: ${error.message}`));
}
