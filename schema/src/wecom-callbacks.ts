// WeCom callbacks after they were acknowledged: the receipt row is the outbox. Each is claimed,
// turned into Courtyard changes (customer, owner, channel tags, stats, an event through the same
// journey-trigger path ingestEvents uses) in one transaction with its "processed" mark, so a
// retried or re-claimed callback changes nothing twice.
import type { Db, Prisma, WeComCallback } from '@courtyard/db';
import type { IngestedEvent, JourneyRuntime } from '@courtyard/runtime';
import { parseCallbackEvent, type ExternalChatEvent, type XmlFields } from '@courtyard/wecom';
import type { CourtyardPubSub } from './pubsub.ts';
import { callbackConnection, timeZoneOf } from './wecom-callback-cache.ts';
import { afterWeComEvents } from './wecom-after-events.ts';
import { contactsAdded, type AddRow } from './wecom-contacts.ts';
import { groupChatDismissed, refreshGroupChat } from './wecom-group-chats.ts';
import { contactEdited, corpTagChanged } from './wecom-tags.ts';
import { dayIn } from './wecom-store.ts';

export interface WeComProcessDeps {
  db: Db;
  pubsub: CourtyardPubSub;
  runtime: JourneyRuntime;
  /** Where to report failures; default console.warn. */
  log?: (message: string) => void;
  /** Customers whose callbacks are processed side by side; default 16. */
  concurrency?: number;
  /** Only callbacks of these workspaces are claimed (the runtime's set); default every workspace. */
  workspaces?: ReadonlySet<string> | null;
  /** How long a pass waits for its new contacts' profiles; default PROFILE_WAIT_MS (wecom-contact-arrival.ts). */
  profileWaitMs?: number;
  /**
   * This node's name in `receivedBy`. A node claims the callbacks it acknowledged itself (their
   * profile reads and welcome messages are under way here), and other nodes' only once they have
   * waited OTHER_NODE_GRACE_MS: WeCom is then not called twice for one add. Default: any callback.
   */
  node?: string;
}

/** How long a callback another node acknowledged is left to that node (it may have died). */
export const OTHER_NODE_GRACE_MS = 5000;

/** Attempts before a callback is given up as `failed`. */
export const MAX_CALLBACK_ATTEMPTS = 8;
/** While a worker holds a claimed callback, nobody else takes it. */
const LEASE_MS = 30_000;

/**
 * Claims due callbacks (oldest first) and processes them, `concurrency` customers at a time: the
 * callbacks of one customer (by external contact id) run one after another in the order WeCom sent
 * them, different customers side by side. Returns how many it handled.
 */
export async function processDueWeComCallbacks(deps: WeComProcessDeps, limit = 200, concurrency = deps.concurrency ?? 16): Promise<number> {
  const claimed = await deps.db.query<WeComCallback>(
    `UPDATE "WeComCallback" SET "attempts" = "attempts" + 1, "nextAttemptAt" = now() + ($2 || ' milliseconds')::interval
     WHERE id IN (SELECT id FROM "WeComCallback" WHERE status = 'pending' AND "nextAttemptAt" <= now() AND ($3::uuid[] IS NULL OR "workspaceId" = ANY($3::uuid[]))
                    AND ($4::text IS NULL OR "receivedBy" IS NULL OR "receivedBy" = $4 OR "receivedAt" <= now() - ($5 || ' milliseconds')::interval)
                  ORDER BY "receivedAt", id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [limit, String(LEASE_MS), deps.workspaces ? [...deps.workspaces] : null, deps.node ?? null, String(OTHER_NODE_GRACE_MS)],
  );
  // In the order WeCom sent them: receipts of one statement share a receivedAt, and their ids are time-ordered.
  claimed.sort((a, b) => new Date(a.receivedAt).getTime() - new Date(b.receivedAt).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byCustomer = new Map<string, WeComCallback[]>();
  for (const row of claimed) {
    const key = `${row.workspaceId}:${(row.payload as { ExternalUserID?: string }).ExternalUserID ?? row.id}`;
    const list = byCustomer.get(key);
    if (list) list.push(row);
    else byCustomer.set(key, [row]);
  }
  // Each customer's first callback, when it is an add, goes into one set-based batch per
  // workspace; whatever follows it for that customer (a delete after the add) runs after the batch.
  const adds = new Map<string, AddRow[]>();
  const rest: WeComCallback[][] = [];
  for (const rows of byCustomer.values()) {
    const first = rows[0]!;
    const event = parseCallbackEvent(first.payload as XmlFields);
    if (event?.Event === 'change_external_contact' && (event.ChangeType === 'add_external_contact' || event.ChangeType === 'add_half_external_contact')) {
      const list = adds.get(first.workspaceId) ?? [];
      list.push({ row: first, event });
      adds.set(first.workspaceId, list);
      if (rows.length > 1) rest.push(rows.slice(1));
    } else {
      rest.push(rows);
    }
  }
  for (const [workspaceId, rows] of adds) {
    try {
      await contactsAdded(deps, workspaceId, rows);
    } catch (error) {
      // The batch as a whole failed (nothing was written): each callback is retried on its own terms.
      for (const { row } of rows) await failed(deps, row, error);
    }
  }
  const queue = rest;
  const worker = async () => {
    for (let rows = queue.shift(); rows; rows = queue.shift()) for (const row of rows) await processOne(deps, row);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  return claimed.length;
}

async function processOne(deps: WeComProcessDeps, row: WeComCallback) {
  try {
    await processCallback(deps, row);
  } catch (error) {
    await failed(deps, row, error);
  }
}

async function failed(deps: WeComProcessDeps, row: WeComCallback, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  const givenUp = row.attempts >= MAX_CALLBACK_ATTEMPTS;
  // A welcome code lives 20 s: the first retries come quickly.
  const waitMs = Math.min(1000 * 2 ** (row.attempts - 1), 300_000);
  await deps.db.query(
    `UPDATE "WeComCallback" SET "lastError" = $2, status = $3::"WeComCallbackStatus", "nextAttemptAt" = now() + ($4 || ' milliseconds')::interval WHERE id = $1::uuid AND status = 'pending'`,
    [row.id, message.slice(0, 1000), givenUp ? 'failed' : 'pending', String(waitMs)],
  );
  (deps.log ?? console.warn)(`WeCom callback ${row.id} (${row.changeType}) attempt ${row.attempts} failed${givenUp ? ', given up' : ''}: ${message}`);
}

type Tx = Prisma.TransactionClient;

async function processCallback(deps: WeComProcessDeps, row: WeComCallback): Promise<void> {
  const event = parseCallbackEvent(row.payload as XmlFields);
  if (event?.Event === 'change_external_chat') return groupMembersChanged(deps, row, event);
  // Corp tag library changes: mirrored in Courtyard's linked tag groups and tags.
  if (event?.Event === 'change_external_tag') return corpTagChanged(deps, row, event);
  if (!event || event.Event !== 'change_external_contact') return markDone(deps.db, row.id);
  switch (event.ChangeType) {
    case 'add_external_contact':
    case 'add_half_external_contact':
      return contactsAdded(deps, row.workspaceId, [{ row, event }]);
    case 'del_external_contact':
    case 'del_follow_user':
      return contactEnded(deps, row, event.ChangeType === 'del_external_contact' ? 'staff' : 'customer', event.UserID, event.ExternalUserID, 'Source' in event ? event.Source : undefined);
    case 'edit_external_contact':
      return contactEdited(deps, row, event);
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

async function contactEnded(deps: WeComProcessDeps, row: WeComCallback, by: 'staff' | 'customer', userId: string, externalUserId: string, source: string | undefined) {
  const workspaceId = row.workspaceId;
  const ws = { timeZone: await timeZoneOf(deps.db, workspaceId) };
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
  if (result) await afterWeComEvents(deps, workspaceId, [result.customerId], result.events);
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
  if (result) await afterWeComEvents(deps, workspaceId, [result.customerId], result.events);
}

/**
 * Customers joining or leaving a customer group: a `wecom.group_joined` / `wecom.group_left` event
 * on each member that is a customer of the workspace (WeCom names them in MemChangeList; an older
 * push without it names nobody, so nothing is recorded). Every group change also reads the group
 * again from WeCom (wecom-group-chats.ts), or marks it dissolved.
 */
async function groupMembersChanged(deps: WeComProcessDeps, row: WeComCallback, event: ExternalChatEvent) {
  // The group itself (name, owner, member counts) is read again, or marked dissolved.
  if (event.ChangeType === 'dismiss') await groupChatDismissed(deps.db, row.workspaceId, event.ChatId, new Date(event.CreateTime * 1000));
  else {
    const conn = await callbackConnection(deps.db, row.workspaceId);
    if (!conn) throw new Error('WeCom is no longer connected');
    await refreshGroupChat(deps.db, conn.client, row.workspaceId, event.ChatId);
  }
  // Cached reads of the workspace's groups go stale (on every node).
  deps.pubsub.publish('workspaceDataChanged', row.workspaceId);
  const joined = event.UpdateDetail === 'add_member';
  if (event.ChangeType !== 'update' || (!joined && event.UpdateDetail !== 'del_member') || !event.MemChangeList.length) return markDone(deps.db, row.id);
  const workspaceId = row.workspaceId;
  const type = joined ? 'wecom.group_joined' : 'wecom.group_left';
  const result = await deps.db.prisma.$transaction(async (tx) => {
    if (!(await claimInTx(tx, row.id))) return null;
    const customers = await tx.customer.findMany({ where: { workspaceId, wecomExternalId: { in: event.MemChangeList } }, select: { id: true, wecomExternalId: true } });
    if (!customers.length) return null;
    const properties = { chatId: event.ChatId, ...(joined ? { joinScene: event.JoinScene === 3 ? 'qr_code' : 'invited' } : { quitScene: event.QuitScene === 1 ? 'removed' : 'left' }) };
    const events = (await tx.event.createManyAndReturn({
      data: customers.map((c) => ({
        workspaceId,
        customerId: c.id,
        type,
        properties: { ...properties, externalUserId: c.wecomExternalId },
        occurredAt: new Date(event.CreateTime * 1000),
        idempotencyKey: `wecom:${row.dedupeKey}|${c.wecomExternalId}`.slice(0, 200),
      })),
      skipDuplicates: true,
      select: { id: true, customerId: true, type: true, properties: true, occurredAt: true },
    })) as IngestedEvent[];
    return { customerIds: customers.map((c) => c.id), events };
  });
  if (result) await afterWeComEvents(deps, workspaceId, result.customerIds, result.events);
}
