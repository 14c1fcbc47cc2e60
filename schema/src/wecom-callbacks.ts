// WeCom callbacks after they were acknowledged: the receipt row is the outbox. Each is claimed,
// turned into Courtyard changes (customer, owner, channel tags, stats, an event through the same
// journey-trigger path ingestEvents uses) in one transaction with its "processed" mark, so a
// retried or re-claimed callback changes nothing twice.
import type { Db, Prisma, WeComCallback, WeComLiveCode } from '@courtyard/db';
import type { IngestedEvent, JourneyRuntime } from '@courtyard/runtime';
import { callbackDedupeKey, parseCallbackEvent, WeComError, type ContactAddedEvent, type WeComCallbackEvent, type XmlFields } from '@courtyard/wecom';
import type { CourtyardPubSub } from './pubsub.ts';
import { recheckAfterChange } from './segment-membership.ts';
import { LiveCodeStaff, pickUser, WelcomeMessage, welcomeRequest } from './wecom-live-code-rules.ts';
import { dayIn, liveConnection } from './wecom-store.ts';

export interface WeComProcessDeps {
  db: Db;
  pubsub: CourtyardPubSub;
  runtime: JourneyRuntime;
  /** Where to report failures; default console.warn. */
  log?: (message: string) => void;
}

/** Attempts before a callback is given up as `failed`. */
export const MAX_CALLBACK_ATTEMPTS = 8;
/** While a worker holds a claimed callback, nobody else takes it. */
const LEASE_MS = 30_000;

/**
 * Stores an acknowledged callback once. Returns false when its de-duplication key was already
 * stored (a retry), or when the event is outside the subset Courtyard handles.
 */
export async function recordWeComCallback(db: Db, workspaceId: string, fields: XmlFields): Promise<{ stored: boolean; event: WeComCallbackEvent | undefined }> {
  const event = parseCallbackEvent(fields);
  if (!event) return { stored: false, event };
  const rows = await db.query<{ id: string }>(
    `INSERT INTO "WeComCallback" ("workspaceId", "dedupeKey", "event", "changeType", "payload")
     VALUES ($1::uuid, $2, $3, $4, $5::jsonb)
     ON CONFLICT ("workspaceId", "dedupeKey") DO NOTHING RETURNING id`,
    [workspaceId, callbackDedupeKey(event), event.Event, event.ChangeType, JSON.stringify(fields)],
  );
  return { stored: rows.length > 0, event };
}

/** Claims due callbacks (oldest first) and processes them one by one; returns how many it handled. */
export async function processDueWeComCallbacks(deps: WeComProcessDeps, limit = 50): Promise<number> {
  const claimed = await deps.db.query<WeComCallback>(
    `UPDATE "WeComCallback" SET "attempts" = "attempts" + 1, "nextAttemptAt" = now() + ($2 || ' milliseconds')::interval
     WHERE id IN (SELECT id FROM "WeComCallback" WHERE status = 'pending' AND "nextAttemptAt" <= now()
                  ORDER BY "receivedAt", id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [limit, String(LEASE_MS)],
  );
  claimed.sort((a, b) => new Date(a.receivedAt).getTime() - new Date(b.receivedAt).getTime());
  for (const row of claimed) {
    try {
      await processCallback(deps, row);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failed = row.attempts >= MAX_CALLBACK_ATTEMPTS;
      // A welcome code lives 20 s: the first retries come quickly.
      const waitMs = Math.min(1000 * 2 ** (row.attempts - 1), 300_000);
      await deps.db.query(
        `UPDATE "WeComCallback" SET "lastError" = $2, status = $3::"WeComCallbackStatus", "nextAttemptAt" = now() + ($4 || ' milliseconds')::interval WHERE id = $1::uuid`,
        [row.id, message.slice(0, 1000), failed ? 'failed' : 'pending', String(waitMs)],
      );
      (deps.log ?? console.warn)(`WeCom callback ${row.id} (${row.changeType}) attempt ${row.attempts} failed${failed ? ', given up' : ''}: ${message}`);
    }
  }
  return claimed.length;
}

type Tx = Prisma.TransactionClient;

async function processCallback(deps: WeComProcessDeps, row: WeComCallback): Promise<void> {
  const event = parseCallbackEvent(row.payload as XmlFields);
  if (!event || event.Event !== 'change_external_contact') return markDone(deps.db, row.id);
  switch (event.ChangeType) {
    case 'add_external_contact':
    case 'add_half_external_contact':
      return contactAdded(deps, row, event);
    case 'del_external_contact':
    case 'del_follow_user':
      return contactEnded(deps, row, event.ChangeType === 'del_external_contact' ? 'staff' : 'customer', event.UserID, event.ExternalUserID, 'Source' in event ? event.Source : undefined);
    case 'edit_external_contact':
      return simpleEvent(deps, row, 'wecom.contact_edited', event.UserID, event.ExternalUserID, {});
    case 'transfer_fail':
      return simpleEvent(deps, row, 'wecom.transfer_failed', event.UserID, event.ExternalUserID, { reason: event.FailReason });
  }
}

async function markDone(db: Db, id: string) {
  await db.prisma.weComCallback.updateMany({ where: { id, status: 'pending' }, data: { status: 'processed', processedAt: new Date(), lastError: null } });
}

/** Marks the callback processed inside `tx`; false when another worker already did (then nothing is written). */
async function claimInTx(tx: Tx, id: string): Promise<boolean> {
  const { count } = await tx.weComCallback.updateMany({ where: { id, status: 'pending' }, data: { status: 'processed', processedAt: new Date(), lastError: null } });
  return count === 1;
}

async function storeEvent(tx: Tx, workspaceId: string, customerId: string, type: string, row: WeComCallback, createTime: number, properties: Prisma.InputJsonObject): Promise<IngestedEvent[]> {
  const stored = await tx.event.createManyAndReturn({
    data: [{ workspaceId, customerId, type, properties, occurredAt: new Date(createTime * 1000), idempotencyKey: `wecom:${row.dedupeKey}`.slice(0, 200) }],
    skipDuplicates: true,
    select: { id: true, customerId: true, type: true, properties: true, occurredAt: true },
  });
  return stored as IngestedEvent[];
}

/** After the commit: segments see the event and event-triggered journeys enroll, as with ingestEvents. */
async function afterEvents(deps: WeComProcessDeps, workspaceId: string, customerId: string, events: IngestedEvent[], tagsChanged: boolean) {
  if (!events.length && !tagsChanged) return;
  const causes = [...new Set(events.map((e) => `event:${e.type}` as const)), ...(tagsChanged ? (['tags'] as const) : [])];
  await recheckAfterChange(deps, workspaceId, [customerId], causes).catch((error: Error) => (deps.log ?? console.warn)(`segment recheck after a WeCom callback failed: ${error.message}`));
  if (events.length) await deps.runtime.onEvents(workspaceId, events).catch((error: Error) => (deps.log ?? console.warn)(`journey triggers for a WeCom event failed: ${error.message}`));
}

type WelcomeOutcome = 'sent' | 'already_sent' | 'code_expired' | 'none' | `failed_${number}`;

async function contactAdded(deps: WeComProcessDeps, row: WeComCallback, event: ContactAddedEvent) {
  const { db } = deps;
  const workspaceId = row.workspaceId;
  const conn = await liveConnection(db, workspaceId);
  if (!conn) throw new Error('WeCom is no longer connected');
  const ws = await db.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } });
  const code = event.State ? await db.prisma.weComLiveCode.findUnique({ where: { workspaceId_state: { workspaceId, state: event.State } } }) : null;
  // WeCom knows the member; Courtyard learns it here if nobody added the staff account yet.
  const staff = await db.prisma.staff.upsert({
    where: { workspaceId_wecomUserId: { workspaceId, wecomUserId: event.UserID } },
    create: { workspaceId, name: event.UserID, wecomUserId: event.UserID },
    update: {},
    select: { id: true, name: true },
  });
  const detail = await conn.client
    .call('externalcontact/get', { external_userid: event.ExternalUserID })
    .then((r) => r.external_contact)
    .catch(() => null);

  let welcome: WelcomeOutcome = 'none';
  const message = code?.welcome ? WelcomeMessage.parse(code.welcome) : null;
  if (message && event.WelcomeCode) {
    const values = { customer_name: detail?.name ?? '', staff_name: staff.name, live_code: code!.name, coupon: message.coupon ?? '' };
    try {
      await conn.client.call('externalcontact/send_welcome_msg', welcomeRequest(event.WelcomeCode, message, values));
      welcome = 'sent';
    } catch (error) {
      // 41051: it was delivered (an earlier attempt got through before its commit); 41050: the
      // 20 s are over. Both are final; a retryable answer or no answer is tried again.
      if (!(error instanceof WeComError) || error.retryable) throw error;
      welcome = error.code === 41051 ? 'already_sent' : error.code === 41050 ? 'code_expired' : `failed_${error.code}`;
    }
  }

  const day = new Date(`${dayIn(ws.timeZone, new Date(event.CreateTime * 1000))}T00:00:00Z`);
  const result = await db.prisma.$transaction(async (tx) => {
    if (!(await claimInTx(tx, row.id))) return null;
    const customer = await tx.customer.upsert({
      where: { workspaceId_wecomExternalId: { workspaceId, wecomExternalId: event.ExternalUserID } },
      create: {
        workspaceId,
        wecomExternalId: event.ExternalUserID,
        name: detail?.name ?? null,
        unionId: detail?.unionid ?? null,
        gender: detail?.gender === 1 ? 'male' : detail?.gender === 2 ? 'female' : 'unknown',
        sourceChannel: code ? `wecom:${code.channel}` : 'wecom',
        ownerStaffId: staff.id,
      },
      update: { ownerStaffId: staff.id },
      select: { id: true },
    });
    let tagged = 0;
    if (code?.tagIds.length) {
      ({ count: tagged } = await tx.customerTag.createMany({ data: code.tagIds.map((tagId) => ({ workspaceId, customerId: customer.id, tagId, source: 'plugin' as const })), skipDuplicates: true }));
    }
    await tx.weComFollow.upsert({
      where: { workspaceId_userId_externalUserId: { workspaceId, userId: event.UserID, externalUserId: event.ExternalUserID } },
      create: { workspaceId, userId: event.UserID, externalUserId: event.ExternalUserID, customerId: customer.id, liveCodeId: code?.id ?? null, addedAt: new Date(event.CreateTime * 1000) },
      update: { customerId: customer.id, liveCodeId: code?.id ?? null, addedAt: new Date(event.CreateTime * 1000), deletedAt: null },
    });
    if (code) {
      await tx.weComLiveCodeStat.upsert({ where: { liveCodeId_day: { liveCodeId: code.id, day } }, create: { workspaceId, liveCodeId: code.id, day, adds: 1 }, update: { adds: { increment: 1 } } });
      await tx.weComStaffDay.upsert({
        where: { liveCodeId_day_userId: { liveCodeId: code.id, day, userId: event.UserID } },
        create: { workspaceId, liveCodeId: code.id, day, userId: event.UserID, adds: 1 },
        update: { adds: { increment: 1 } },
      });
      await tx.weComLiveCode.update({ where: { id: code.id }, data: { rotation: { increment: 1 } } });
    }
    const events = await storeEvent(tx, workspaceId, customer.id, 'wecom.contact_added', row, event.CreateTime, {
      channel: code?.channel ?? null,
      liveCodeId: code?.id ?? null,
      liveCodeName: code?.name ?? null,
      staffUserId: event.UserID,
      externalUserId: event.ExternalUserID,
      state: event.State ?? null,
      welcome,
    });
    return { customerId: customer.id, events, tagged: tagged > 0 };
  });
  if (!result) return;
  await afterEvents(deps, workspaceId, result.customerId, result.events, result.tagged);
  if (code) await repick(deps, code.id, ws.timeZone);
}

/** Points the code's contact way at the member the next customer should go to, when that changed. */
async function repick(deps: WeComProcessDeps, liveCodeId: string, timeZone: string) {
  const code: WeComLiveCode | null = await deps.db.prisma.weComLiveCode.findUnique({ where: { id: liveCodeId } });
  if (!code) return;
  const now = new Date();
  const days = await deps.db.prisma.weComStaffDay.findMany({ where: { liveCodeId, day: new Date(`${dayIn(timeZone, now)}T00:00:00Z`) }, select: { userId: true, adds: true } });
  const next = pickUser(
    { staff: LiveCodeStaff.array().parse(code.staff), backupUserIds: code.backupUserIds, assignment: code.assignment, dailyAddLimit: code.dailyAddLimit, rotation: code.rotation, addsToday: new Map(days.map((d) => [d.userId, d.adds])) },
    timeZone,
    now,
  );
  if (code.currentUserIds.length === 1 && code.currentUserIds[0] === next) return;
  const conn = await liveConnection(deps.db, code.workspaceId);
  if (!conn) return;
  try {
    await conn.client.call('externalcontact/update_contact_way', { config_id: code.configId, user: [next] });
    await deps.db.prisma.weComLiveCode.update({ where: { id: code.id }, data: { currentUserIds: [next] } });
  } catch (error) {
    (deps.log ?? console.warn)(`live code ${code.id}: could not hand the next customer to ${next}: ${(error as Error).message}`);
  }
}

async function contactEnded(deps: WeComProcessDeps, row: WeComCallback, by: 'staff' | 'customer', userId: string, externalUserId: string, source: string | undefined) {
  const workspaceId = row.workspaceId;
  const ws = await deps.db.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } });
  const createTime = (row.payload as { CreateTime?: string }).CreateTime;
  const at = new Date(Number(createTime) * 1000);
  const day = new Date(`${dayIn(ws.timeZone, at)}T00:00:00Z`);
  const result = await deps.db.prisma.$transaction(async (tx) => {
    if (!(await claimInTx(tx, row.id))) return null;
    const customer = await tx.customer.findUnique({ where: { workspaceId_wecomExternalId: { workspaceId, wecomExternalId: externalUserId } }, select: { id: true } });
    const follow = await tx.weComFollow.findUnique({ where: { workspaceId_userId_externalUserId: { workspaceId, userId, externalUserId } } });
    if (follow && !follow.deletedAt) {
      await tx.weComFollow.update({ where: { workspaceId_userId_externalUserId: { workspaceId, userId, externalUserId } }, data: { deletedAt: at } });
      if (follow.liveCodeId) {
        const exists = await tx.weComLiveCode.findUnique({ where: { id: follow.liveCodeId }, select: { id: true } });
        if (exists) await tx.weComLiveCodeStat.upsert({ where: { liveCodeId_day: { liveCodeId: follow.liveCodeId, day } }, create: { workspaceId, liveCodeId: follow.liveCodeId, day, deletes: 1 }, update: { deletes: { increment: 1 } } });
      }
    }
    if (!customer) return null;
    const events = await storeEvent(tx, workspaceId, customer.id, 'wecom.contact_deleted', row, Number(createTime), { by, staffUserId: userId, externalUserId, liveCodeId: follow?.liveCodeId ?? null, source: source ?? null });
    return { customerId: customer.id, events };
  });
  if (result) await afterEvents(deps, workspaceId, result.customerId, result.events, false);
}

async function simpleEvent(deps: WeComProcessDeps, row: WeComCallback, type: string, userId: string, externalUserId: string, extra: Prisma.InputJsonObject) {
  const workspaceId = row.workspaceId;
  const createTime = Number((row.payload as { CreateTime?: string }).CreateTime);
  const result = await deps.db.prisma.$transaction(async (tx) => {
    if (!(await claimInTx(tx, row.id))) return null;
    const customer = await tx.customer.findUnique({ where: { workspaceId_wecomExternalId: { workspaceId, wecomExternalId: externalUserId } }, select: { id: true } });
    if (!customer) return null;
    const events = await storeEvent(tx, workspaceId, customer.id, type, row, createTime, { staffUserId: userId, externalUserId, ...extra });
    return { customerId: customer.id, events };
  });
  if (result) await afterEvents(deps, workspaceId, result.customerId, result.events, false);
}
