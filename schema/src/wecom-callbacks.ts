// WeCom callbacks after they were acknowledged: the receipt row is the outbox. Each is claimed,
// turned into Courtyard changes (customer, owner, channel tags, stats, an event through the same
// journey-trigger path ingestEvents uses) in one transaction with its "processed" mark, so a
// retried or re-claimed callback changes nothing twice.
import type { Db, Prisma, WeComCallback, WeComLiveCode } from '@courtyard/db';
import type { IngestedEvent, JourneyRuntime } from '@courtyard/runtime';
import { callbackDedupeKey, parseCallbackEvent, WeComError, type ContactAddedEvent, type ExternalChatEvent, type WeComCallbackEvent, type XmlFields } from '@courtyard/wecom';
import type { CourtyardPubSub } from './pubsub.ts';
import { publishCustomerChanges } from './publish.ts';
import { recheckAfterChange } from './segment-membership.ts';
import { LiveCodeStaff, pickUser, WelcomeMessage, welcomeRequest } from './wecom-live-code-rules.ts';
import { dayIn, liveConnection } from './wecom-store.ts';

export interface WeComProcessDeps {
  db: Db;
  pubsub: CourtyardPubSub;
  runtime: JourneyRuntime;
  /** Where to report failures; default console.warn. */
  log?: (message: string) => void;
  /** Customers whose callbacks are processed side by side; default 16. */
  concurrency?: number;
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

/**
 * Claims due callbacks (oldest first) and processes them, `concurrency` customers at a time: the
 * callbacks of one customer (by external contact id) run one after another in the order WeCom sent
 * them, different customers side by side. Returns how many it handled.
 */
export async function processDueWeComCallbacks(deps: WeComProcessDeps, limit = 200, concurrency = deps.concurrency ?? 16): Promise<number> {
  const claimed = await deps.db.query<WeComCallback>(
    `UPDATE "WeComCallback" SET "attempts" = "attempts" + 1, "nextAttemptAt" = now() + ($2 || ' milliseconds')::interval
     WHERE id IN (SELECT id FROM "WeComCallback" WHERE status = 'pending' AND "nextAttemptAt" <= now()
                  ORDER BY "receivedAt", id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [limit, String(LEASE_MS)],
  );
  claimed.sort((a, b) => new Date(a.receivedAt).getTime() - new Date(b.receivedAt).getTime());
  const byCustomer = new Map<string, WeComCallback[]>();
  for (const row of claimed) {
    const key = `${row.workspaceId}:${(row.payload as { ExternalUserID?: string }).ExternalUserID ?? row.id}`;
    const list = byCustomer.get(key);
    if (list) list.push(row);
    else byCustomer.set(key, [row]);
  }
  const pass: PassCache = { timeZones: new Map(), codes: new Map(), staff: new Map() };
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
      await contactsAdded(deps, workspaceId, rows, pass);
    } catch (error) {
      // The batch as a whole failed (nothing was written): each callback is retried on its own terms.
      for (const { row } of rows) await failed(deps, row, error);
    }
  }
  const queue = rest;
  const worker = async () => {
    for (let rows = queue.shift(); rows; rows = queue.shift()) for (const row of rows) await processOne(deps, row, pass);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  return claimed.length;
}

async function processOne(deps: WeComProcessDeps, row: WeComCallback, pass: PassCache) {
  try {
    await processCallback(deps, row, pass);
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

/** What one pass looks up once for all its callbacks: time zones, live codes by state, staff ids by WeCom userid. */
interface PassCache {
  timeZones: Map<string, Promise<string>>;
  codes: Map<string, Promise<WeComLiveCode | null>>;
  staff: Map<string, Promise<{ id: string; name: string }>>;
}

function once<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let hit = map.get(key);
  if (!hit) {
    hit = load();
    hit.catch(() => map.delete(key));
    map.set(key, hit);
  }
  return hit;
}

type Tx = Prisma.TransactionClient;

async function processCallback(deps: WeComProcessDeps, row: WeComCallback, pass: PassCache): Promise<void> {
  const event = parseCallbackEvent(row.payload as XmlFields);
  if (event?.Event === 'change_external_chat') return groupMembersChanged(deps, row, event);
  // Corp tag library changes name no customer: acknowledged and kept as a receipt, nothing more.
  if (!event || event.Event !== 'change_external_contact') return markDone(deps.db, row.id);
  switch (event.ChangeType) {
    case 'add_external_contact':
    case 'add_half_external_contact':
      return contactsAdded(deps, row.workspaceId, [{ row, event }], pass);
    case 'del_external_contact':
    case 'del_follow_user':
      return contactEnded(deps, row, event.ChangeType === 'del_external_contact' ? 'staff' : 'customer', event.UserID, event.ExternalUserID, 'Source' in event ? event.Source : undefined, pass);
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

interface AddRow {
  row: WeComCallback;
  event: ContactAddedEvent;
}

/**
 * Welcome messages already on their way, by callback de-duplication key: the endpoint starts one
 * as soon as it has acknowledged the callback (a welcome code lives 20 s), and the batch that
 * processes the callback waits for it instead of sending again.
 */
const welcomes = new Map<string, Promise<WelcomeOutcome>>();

/** Sends the welcome message of an add callback now; the callback's processing picks the outcome up. */
export function welcomeEarly(deps: WeComProcessDeps, workspaceId: string, event: WeComCallbackEvent): void {
  if (event.Event !== 'change_external_contact' || (event.ChangeType !== 'add_external_contact' && event.ChangeType !== 'add_half_external_contact')) return;
  if (!event.WelcomeCode || !event.State) return;
  const key = `${workspaceId}:${callbackDedupeKey(event)}`;
  if (welcomes.has(key)) return;
  const sending = (async (): Promise<WelcomeOutcome> => {
    const conn = await callbackConnection(deps.db, workspaceId);
    if (!conn) throw new Error('WeCom is no longer connected');
    const [code, staff] = await Promise.all([
      cached(`code:${workspaceId}:${event.State}`, () => deps.db.prisma.weComLiveCode.findUnique({ where: { workspaceId_state: { workspaceId, state: event.State! } }, select: { name: true, welcome: true } })),
      cached(`staff:${workspaceId}:${event.UserID}`, () => deps.db.prisma.staff.findUnique({ where: { workspaceId_wecomUserId: { workspaceId, wecomUserId: event.UserID } }, select: { name: true } })),
    ]);
    return sendWelcome(conn.client, event, code, staff?.name ?? event.UserID);
  })();
  // Settled or not, the entry goes once the batch had its chance to read it (or after a minute).
  sending.catch(() => undefined);
  welcomes.set(key, sending);
  setTimeout(() => welcomes.delete(key), 60_000).unref();
}

type Client = NonNullable<Awaited<ReturnType<typeof liveConnection>>>['client'];
type Live = NonNullable<Awaited<ReturnType<typeof liveConnection>>>;

/**
 * The workspace's opened connection for the callback path, read from the database at most once
 * every 2 s per workspace (a busy corp pushes hundreds of callbacks a second): new credentials
 * take effect within 2 s.
 */
const recent = new Map<string, { at: number; value: Promise<Live | null> }>();
export function callbackConnection(db: Db, workspaceId: string): Promise<Live | null> {
  const hit = recent.get(workspaceId);
  if (hit && Date.now() - hit.at < 2000) return hit.value;
  const value = liveConnection(db, workspaceId);
  value.catch(() => recent.delete(workspaceId));
  if (recent.size > 10_000) recent.clear();
  recent.set(workspaceId, { at: Date.now(), value });
  return value;
}

/** Live codes (by state) and staff names for early welcome messages, kept 2 s. */
const lookups = new Map<string, { at: number; value: Promise<unknown> }>();
function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = lookups.get(key);
  if (hit && Date.now() - hit.at < 2000) return hit.value as Promise<T>;
  const value = load();
  value.catch(() => lookups.delete(key));
  if (lookups.size > 10_000) lookups.clear();
  lookups.set(key, { at: Date.now(), value });
  return value;
}

async function sendWelcome(client: Client, event: ContactAddedEvent, code: { name: string; welcome: unknown } | null, staffName: string): Promise<WelcomeOutcome> {
  const message = code?.welcome ? WelcomeMessage.parse(code.welcome) : null;
  if (!message || !event.WelcomeCode) return 'none';
  // The profile only when the text names the customer: it costs a call of WeCom's budget.
  const name = JSON.stringify(message).includes('customer_name')
    ? ((await client.call('externalcontact/get', { external_userid: event.ExternalUserID }).catch(() => null))?.external_contact.name ?? '')
    : '';
  const values = { customer_name: name, staff_name: staffName, live_code: code!.name, coupon: message.coupon ?? '' };
  try {
    await client.call('externalcontact/send_welcome_msg', welcomeRequest(event.WelcomeCode, message, values));
    return 'sent';
  } catch (error) {
    // 41051: it was delivered (an earlier attempt got through before its commit); 41050: the
    // 20 s are over. Both are final; a retryable answer or no answer is tried again.
    if (!(error instanceof WeComError) || error.retryable) throw error;
    return error.code === 41051 ? 'already_sent' : error.code === 41050 ? 'code_expired' : `failed_${error.code}`;
  }
}

/**
 * New contacts of one workspace, set-based: welcome messages first (those the endpoint started,
 * else sent here), then one transaction that marks the callbacks processed and writes customers,
 * owners, channel tags, follows, daily stats, rotation counters and events for all of them; then
 * segments and journey triggers once for the batch, and each touched code's next member. Profiles
 * (name, union id) are fetched afterwards and do not hold the batch up.
 */
async function contactsAdded(deps: WeComProcessDeps, workspaceId: string, rows: AddRow[], pass: PassCache) {
  const { db } = deps;
  const conn = await callbackConnection(db, workspaceId);
  if (!conn) throw new Error('WeCom is no longer connected');
  const timeZone = await once(pass.timeZones, workspaceId, async () => (await db.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } })).timeZone);
  const states = [...new Set(rows.map((r) => r.event.State).filter((x): x is string => Boolean(x)))];
  const codes = new Map((states.length ? await db.prisma.weComLiveCode.findMany({ where: { workspaceId, state: { in: states } } }) : []).map((c) => [c.state, c]));
  // WeCom knows the members; Courtyard learns here of any that have no staff account yet.
  const userIds = [...new Set(rows.map((r) => r.event.UserID))];
  await db.prisma.staff.createMany({ data: userIds.map((u) => ({ workspaceId, name: u, wecomUserId: u })), skipDuplicates: true });
  const staff = new Map((await db.prisma.staff.findMany({ where: { workspaceId, wecomUserId: { in: userIds } }, select: { id: true, name: true, wecomUserId: true } })).map((x) => [x.wecomUserId!, x]));

  const outcomes = await mapLimit(rows, 16, async ({ event }) => {
    const early = welcomes.get(`${workspaceId}:${callbackDedupeKey(event)}`);
    const code = event.State ? codes.get(event.State) ?? null : null;
    // A failed early send is tried once more here; 41051 tells if it had got through after all.
    return (early ? await early.catch(() => null) : null) ?? sendWelcome(conn.client, event, code, staff.get(event.UserID)?.name ?? event.UserID);
  });

  const records = rows.map(({ row, event }, i) => {
    const code = event.State ? codes.get(event.State) ?? null : null;
    const at = new Date(event.CreateTime * 1000);
    return {
      id: row.id,
      externalUserId: event.ExternalUserID,
      userId: event.UserID,
      staffId: staff.get(event.UserID)!.id,
      liveCodeId: code?.id ?? null,
      tagIds: code?.tagIds ?? [],
      sourceChannel: code ? `wecom:${code.channel}` : 'wecom',
      at: at.toISOString(),
      day: dayIn(timeZone, at),
      idempotencyKey: `wecom:${row.dedupeKey}`.slice(0, 200),
      properties: {
        channel: code?.channel ?? null,
        liveCodeId: code?.id ?? null,
        liveCodeName: code?.name ?? null,
        staffUserId: event.UserID,
        externalUserId: event.ExternalUserID,
        state: event.State ?? null,
        welcome: outcomes[i]!,
      },
    };
  });

  const written = await db.transaction(async (query) => {
    const mine = new Set((await query<{ id: string }>(`UPDATE "WeComCallback" SET status = 'processed', "processedAt" = now(), "lastError" = NULL WHERE id = ANY($1::uuid[]) AND status = 'pending' RETURNING id`, [records.map((r) => r.id)])).map((r) => r.id));
    const batch = records.filter((r) => mine.has(r.id));
    if (!batch.length) return null;
    const json = JSON.stringify(batch);
    const customers = await query<{ id: string; wecomExternalId: string; name: string | null }>(
      `INSERT INTO "Customer" ("workspaceId", "wecomExternalId", "sourceChannel", "ownerStaffId")
       SELECT DISTINCT ON (r."externalUserId") $1::uuid, r."externalUserId", r."sourceChannel", r."staffId"
         FROM jsonb_to_recordset($2::jsonb) AS r("externalUserId" text, "sourceChannel" text, "staffId" uuid, at timestamptz)
        ORDER BY r."externalUserId", r.at DESC
       ON CONFLICT ("workspaceId", "wecomExternalId") DO UPDATE SET "ownerStaffId" = EXCLUDED."ownerStaffId", "updatedAt" = now()
       RETURNING id, "wecomExternalId", name`,
      [workspaceId, json],
    );
    const customerOf = new Map(customers.map((c) => [c.wecomExternalId, c]));
    const withCustomer = JSON.stringify(batch.map((r) => ({ ...r, customerId: customerOf.get(r.externalUserId)!.id })));
    const tagged = await query<{ customerId: string }>(
      `INSERT INTO "CustomerTag" ("workspaceId", "customerId", "tagId", source)
       SELECT DISTINCT $1::uuid, r."customerId", t.id::uuid, 'plugin'::"TagSource"
         FROM jsonb_to_recordset($2::jsonb) AS r("customerId" uuid, "tagIds" jsonb), jsonb_array_elements_text(r."tagIds") AS t(id)
       ON CONFLICT DO NOTHING RETURNING "customerId"`,
      [workspaceId, withCustomer],
    );
    await query(
      `INSERT INTO "WeComFollow" ("workspaceId", "userId", "externalUserId", "customerId", "liveCodeId", "addedAt")
       SELECT DISTINCT ON (r."userId", r."externalUserId") $1::uuid, r."userId", r."externalUserId", r."customerId", r."liveCodeId", r.at
         FROM jsonb_to_recordset($2::jsonb) AS r("userId" text, "externalUserId" text, "customerId" uuid, "liveCodeId" uuid, at timestamptz)
        ORDER BY r."userId", r."externalUserId", r.at DESC
       ON CONFLICT ("workspaceId", "userId", "externalUserId") DO UPDATE
         SET "customerId" = EXCLUDED."customerId", "liveCodeId" = EXCLUDED."liveCodeId", "addedAt" = EXCLUDED."addedAt", "deletedAt" = NULL`,
      [workspaceId, withCustomer],
    );
    await query(
      `INSERT INTO "WeComLiveCodeStat" ("workspaceId", "liveCodeId", day, adds)
       SELECT $1::uuid, r."liveCodeId", r.day::date, count(*)::int FROM jsonb_to_recordset($2::jsonb) AS r("liveCodeId" uuid, day text)
        WHERE r."liveCodeId" IS NOT NULL GROUP BY 2, 3
       ON CONFLICT ("liveCodeId", day) DO UPDATE SET adds = "WeComLiveCodeStat".adds + EXCLUDED.adds`,
      [workspaceId, json],
    );
    await query(
      `INSERT INTO "WeComStaffDay" ("workspaceId", "liveCodeId", day, "userId", adds)
       SELECT $1::uuid, r."liveCodeId", r.day::date, r."userId", count(*)::int FROM jsonb_to_recordset($2::jsonb) AS r("liveCodeId" uuid, day text, "userId" text)
        WHERE r."liveCodeId" IS NOT NULL GROUP BY 2, 3, 4
       ON CONFLICT ("liveCodeId", day, "userId") DO UPDATE SET adds = "WeComStaffDay".adds + EXCLUDED.adds`,
      [workspaceId, json],
    );
    await query(
      `UPDATE "WeComLiveCode" c SET rotation = c.rotation + n.adds
         FROM (SELECT r."liveCodeId" AS id, count(*)::int AS adds FROM jsonb_to_recordset($2::jsonb) AS r("liveCodeId" uuid) WHERE r."liveCodeId" IS NOT NULL GROUP BY 1) n
        WHERE c.id = n.id AND c."workspaceId" = $1::uuid`,
      [workspaceId, json],
    );
    const events = await query<IngestedEvent>(
      `INSERT INTO "Event" ("workspaceId", "customerId", type, properties, "occurredAt", "idempotencyKey")
       SELECT $1::uuid, r."customerId", 'wecom.contact_added', r.properties, r.at, r."idempotencyKey"
         FROM jsonb_to_recordset($2::jsonb) AS r("customerId" uuid, properties jsonb, at timestamptz, "idempotencyKey" text)
       ON CONFLICT ("workspaceId", "idempotencyKey") DO NOTHING
       RETURNING id, "customerId", type, properties, "occurredAt"`,
      [workspaceId, withCustomer],
    );
    return { customers, events, tagged: new Set(tagged.map((t) => t.customerId)), codes: [...new Set(batch.map((r) => r.liveCodeId).filter((x): x is string => Boolean(x)))] };
  });
  if (!written) return;

  const customerIds = written.customers.map((c) => c.id);
  // Open customer lists and code pages see the new contacts at once.
  publishCustomerChanges(deps, workspaceId, customerIds, 'updated');
  const causes = [...new Set(written.events.map((e) => `event:${e.type}` as const)), ...(written.tagged.size ? (['tags'] as const) : [])];
  if (causes.length) await recheckAfterChange(deps, workspaceId, customerIds, causes).catch((error: Error) => (deps.log ?? console.warn)(`segment recheck after WeCom callbacks failed: ${error.message}`));
  if (written.events.length) await deps.runtime.onEvents(workspaceId, written.events).catch((error: Error) => (deps.log ?? console.warn)(`journey triggers for WeCom events failed: ${error.message}`));
  for (const codeId of written.codes) await repick(deps, codeId, timeZone);
  void enrichProfiles(deps, conn.client, workspaceId, written.customers.filter((c) => !c.name));
}

/** Names, union ids and genders of new contacts from WeCom, a few calls at a time, best effort. */
async function enrichProfiles(deps: WeComProcessDeps, client: Client, workspaceId: string, customers: { id: string; wecomExternalId: string }[]) {
  await mapLimit(customers, 4, async (c) => {
    const detail = (await client.call('externalcontact/get', { external_userid: c.wecomExternalId }).catch(() => null))?.external_contact;
    if (!detail) return;
    await deps.db.query(
      `UPDATE "Customer" SET name = COALESCE(name, $3), "unionId" = COALESCE("unionId", $4), gender = CASE WHEN gender = 'unknown' THEN $5::"Gender" ELSE gender END, "updatedAt" = now()
        WHERE id = $1::uuid AND "workspaceId" = $2::uuid`,
      [c.id, workspaceId, detail.name ?? null, detail.unionid ?? null, detail.gender === 1 ? 'male' : detail.gender === 2 ? 'female' : 'unknown'],
    );
  }).catch((error: Error) => (deps.log ?? console.warn)(`WeCom profiles: ${error.message}`));
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
    }),
  );
  return out;
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

async function contactEnded(deps: WeComProcessDeps, row: WeComCallback, by: 'staff' | 'customer', userId: string, externalUserId: string, source: string | undefined, pass: PassCache) {
  const workspaceId = row.workspaceId;
  const ws = { timeZone: await once(pass.timeZones, workspaceId, async () => (await deps.db.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } })).timeZone) };
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

/**
 * Customers joining or leaving a customer group: a `wecom.group_joined` / `wecom.group_left` event
 * on each member that is a customer of the workspace (WeCom names them in MemChangeList; an older
 * push without it names nobody, so nothing is recorded). Other group changes are receipts only.
 */
async function groupMembersChanged(deps: WeComProcessDeps, row: WeComCallback, event: ExternalChatEvent) {
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
  if (!result || !result.events.length) return;
  await recheckAfterChange(deps, workspaceId, result.customerIds, [`event:${type}`]).catch((error: Error) => (deps.log ?? console.warn)(`segment recheck after a WeCom group change failed: ${error.message}`));
  await deps.runtime.onEvents(workspaceId, result.events).catch((error: Error) => (deps.log ?? console.warn)(`journey triggers for a WeCom group change failed: ${error.message}`));
}
