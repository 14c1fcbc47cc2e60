// New WeCom contacts at volume: the welcome message goes out as soon as a callback is acknowledged
// (a welcome code lives 20 s), then a pass's new contacts are written set-based, segments and
// journey triggers see them once a batch, and the live code turns to its next member.
import type { Db, WeComCallback, WeComLiveCode } from '@courtyard/db';
import { mapWithConcurrency, type IngestedEvent } from '@courtyard/runtime';
import { callbackDedupeKey, WeComError, type ContactAddedEvent, type WeComCallbackEvent } from '@courtyard/wecom';
import { publishCustomerChanges } from './publish.ts';
import { recheckAfterChange } from './segment-membership.ts';
import type { WeComProcessDeps } from './wecom-callbacks.ts';
import { LiveCodeStaff, pickUser, WelcomeMessage, welcomeRequest } from './wecom-live-code-rules.ts';
import { attachOutreachAdds, checkOutreachAdds, outreachKey, recordOutreachAdds } from './wecom-outreach-adds.ts';
import { dayIn, liveConnection } from './wecom-store.ts';
import { applyContactCorpTags } from './wecom-tags.ts';

type Live = NonNullable<Awaited<ReturnType<typeof liveConnection>>>;
type Client = Live['client'];

/**
 * What the callback path reads again and again, kept 2 s per key: a workspace's opened connection
 * and time zone, live codes by state, staff names (a busy corp pushes hundreds of callbacks a
 * second). New credentials take effect within 2 s.
 */
const recent = new Map<string, { at: number; value: Promise<unknown> }>();
function remember<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = recent.get(key);
  if (hit && Date.now() - hit.at < 2000) return hit.value as Promise<T>;
  const value = load();
  value.catch(() => recent.delete(key));
  if (recent.size > 10_000) recent.clear();
  recent.set(key, { at: Date.now(), value });
  return value;
}

export function callbackConnection(db: Db, workspaceId: string): Promise<Live | null> {
  return remember(`connection:${workspaceId}`, () => liveConnection(db, workspaceId));
}

export function timeZoneOf(db: Db, workspaceId: string): Promise<string> {
  return remember(`timeZone:${workspaceId}`, async () => (await db.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } })).timeZone);
}

/** After the commit: segments see the events and event-triggered journeys enroll, as with ingestEvents. */
export async function afterWeComEvents(deps: WeComProcessDeps, workspaceId: string, customerIds: string[], events: IngestedEvent[], tagsChanged = false) {
  if (!events.length && !tagsChanged) return;
  const causes = [...new Set(events.map((e) => `event:${e.type}` as const)), ...(tagsChanged ? (['tags'] as const) : [])];
  await recheckAfterChange(deps, workspaceId, customerIds, causes).catch((error: Error) => (deps.log ?? console.warn)(`segment recheck after WeCom callbacks failed: ${error.message}`));
  if (events.length) await deps.runtime.onEvents(workspaceId, events).catch((error: Error) => (deps.log ?? console.warn)(`journey triggers for WeCom events failed: ${error.message}`));
}

type WelcomeOutcome = 'sent' | 'already_sent' | 'code_expired' | 'none' | `failed_${number}`;

/** What `externalcontact/get` told of a customer. */
interface Profile {
  name: string | null;
  unionId: string | null;
  gender: 'male' | 'female' | 'unknown';
  /** Corp tags (type 1) the contact carries, over every staff member who follows it. */
  corpTagIds: string[];
}

/** The welcome message's outcome, and the profile when the message needed it (the batch then fetches none). */
interface Welcomed {
  outcome: WelcomeOutcome;
  profile?: Profile | undefined;
}

async function fetchProfile(client: Client, externalUserId: string): Promise<Profile | undefined> {
  const answer = await client.call('externalcontact/get', { external_userid: externalUserId }).catch(() => null);
  const detail = answer?.external_contact;
  if (!detail) return undefined;
  const corpTagIds = [...new Set(answer.follow_user.flatMap((f) => (f.tags ?? []).filter((t) => t.type === 1 && t.tag_id).map((t) => t.tag_id!)))];
  return { name: detail.name ?? null, unionId: detail.unionid ?? null, gender: detail.gender === 1 ? 'male' : detail.gender === 2 ? 'female' : 'unknown', corpTagIds };
}

export interface AddRow {
  row: WeComCallback;
  event: ContactAddedEvent;
}

/**
 * Welcome messages already on their way, by callback de-duplication key: the endpoint starts one
 * as soon as it has acknowledged the callback (a welcome code lives 20 s), and the batch that
 * processes the callback waits for it instead of sending again.
 */
const welcomes = new Map<string, Promise<Welcomed>>();

/** Sends the welcome message of an add callback now; the callback's processing picks the outcome up. */
export function welcomeEarly(deps: WeComProcessDeps, workspaceId: string, event: WeComCallbackEvent): void {
  if (event.Event !== 'change_external_contact' || (event.ChangeType !== 'add_external_contact' && event.ChangeType !== 'add_half_external_contact')) return;
  if (!event.WelcomeCode || !event.State) return;
  const key = `${workspaceId}:${callbackDedupeKey(event)}`;
  if (welcomes.has(key)) return;
  const sending = (async (): Promise<Welcomed> => {
    const conn = await callbackConnection(deps.db, workspaceId);
    if (!conn) throw new Error('WeCom is no longer connected');
    const [code, staff] = await Promise.all([
      remember(`code:${workspaceId}:${event.State}`, () => deps.db.prisma.weComLiveCode.findUnique({ where: { workspaceId_state: { workspaceId, state: event.State! } }, select: { name: true, welcome: true } })),
      remember(`staff:${workspaceId}:${event.UserID}`, () => deps.db.prisma.staff.findUnique({ where: { workspaceId_wecomUserId: { workspaceId, wecomUserId: event.UserID } }, select: { name: true } })),
    ]);
    return sendWelcome(conn.client, event, code, staff?.name ?? event.UserID);
  })();
  // Settled or not, the entry goes once the batch had its chance to read it (or after a minute).
  sending.catch(() => undefined);
  welcomes.set(key, sending);
  setTimeout(() => welcomes.delete(key), 60_000).unref();
}

async function sendWelcome(client: Client, event: ContactAddedEvent, code: { name: string; welcome: unknown } | null, staffName: string): Promise<Welcomed> {
  const message = code?.welcome ? WelcomeMessage.parse(code.welcome) : null;
  if (!message || !event.WelcomeCode) return { outcome: 'none' };
  // The profile only when the text names the customer: it costs a call of WeCom's budget (and the
  // batch then writes it with the customer instead of fetching it again).
  const profile = JSON.stringify(message).includes('customer_name') ? await fetchProfile(client, event.ExternalUserID) : undefined;
  const values = { customer_name: profile?.name ?? '', staff_name: staffName, live_code: code!.name, coupon: message.coupon ?? '' };
  try {
    await client.call('externalcontact/send_welcome_msg', welcomeRequest(event.WelcomeCode, message, values));
    return { outcome: 'sent', profile };
  } catch (error) {
    // 41051: it was delivered (an earlier attempt got through before its commit); 41050: the
    // 20 s are over. Both are final; a retryable answer or no answer is tried again.
    if (!(error instanceof WeComError) || error.retryable) throw error;
    return { outcome: error.code === 41051 ? 'already_sent' : error.code === 41050 ? 'code_expired' : `failed_${error.code}`, profile };
  }
}

/**
 * New contacts of one workspace, set-based: welcome messages first (those the endpoint started,
 * else sent here), then one transaction that marks the callbacks processed and writes customers,
 * owners, channel tags, follows, daily stats, rotation counters and events for all of them; then
 * segments and journey triggers once for the batch, and each touched code's next member. Profiles
 * (name, union id) are fetched afterwards and do not hold the batch up.
 */
export async function contactsAdded(deps: WeComProcessDeps, workspaceId: string, rows: AddRow[]) {
  const { db } = deps;
  const conn = await callbackConnection(db, workspaceId);
  if (!conn) throw new Error('WeCom is no longer connected');
  const timeZone = await timeZoneOf(db, workspaceId);
  const states = [...new Set(rows.map((r) => r.event.State).filter((x): x is string => Boolean(x)))];
  const codes = new Map((states.length ? await db.prisma.weComLiveCode.findMany({ where: { workspaceId, state: { in: states } } }) : []).map((c) => [c.state, c]));
  // WeCom knows the members; Courtyard learns here of any that have no staff account yet.
  const userIds = [...new Set(rows.map((r) => r.event.UserID))];
  await db.prisma.staff.createMany({ data: userIds.map((u) => ({ workspaceId, name: u, wecomUserId: u })), skipDuplicates: true });
  const staff = new Map((await db.prisma.staff.findMany({ where: { workspaceId, wecomUserId: { in: userIds } }, select: { id: true, name: true, wecomUserId: true } })).map((x) => [x.wecomUserId!, x]));

  const outcomes = await mapWithConcurrency(rows, 16, async ({ event }) => {
    const early = welcomes.get(`${workspaceId}:${callbackDedupeKey(event)}`);
    const code = event.State ? codes.get(event.State) ?? null : null;
    // A failed early send is tried once more here; 41051 tells if it had got through after all.
    return (early ? await early.catch(() => null) : null) ?? sendWelcome(conn.client, event, code, staff.get(event.UserID)?.name ?? event.UserID);
  });

  // Adds of staff members with pending phone-number outreach tasks: which task, and whose customer.
  const outreach = await checkOutreachAdds(db, conn.client, workspaceId, rows.map(({ event }) => ({ userId: event.UserID, externalUserId: event.ExternalUserID })));

  const records = rows.map(({ row, event }, i) => {
    const code = event.State ? codes.get(event.State) ?? null : null;
    const at = new Date(event.CreateTime * 1000);
    const profile = outcomes[i]!.profile;
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
      name: profile?.name ?? null,
      unionId: profile?.unionId ?? null,
      gender: profile?.gender ?? 'unknown',
      properties: {
        channel: code?.channel ?? null,
        liveCodeId: code?.id ?? null,
        liveCodeName: code?.name ?? null,
        staffUserId: event.UserID,
        externalUserId: event.ExternalUserID,
        state: event.State ?? null,
        welcome: outcomes[i]!.outcome,
      },
    };
  });

  const written = await db.transaction(async (query) => {
    const mine = new Set((await query<{ id: string }>(`UPDATE "WeComCallback" SET status = 'processed', "processedAt" = now(), "lastError" = NULL WHERE id = ANY($1::uuid[]) AND status = 'pending' RETURNING id`, [records.map((r) => r.id)])).map((r) => r.id));
    const batch = records.filter((r) => mine.has(r.id));
    if (!batch.length) return null;
    const json = JSON.stringify(batch);
    // An outreach add goes onto the customer its task was made for (the upsert below then finds it).
    const checked = batch.flatMap((r) => {
      const check = outreach.get(outreachKey(r.userId, r.externalUserId));
      return check ? [{ record: r, check }] : [];
    });
    const claimed = await attachOutreachAdds(
      query,
      workspaceId,
      checked.flatMap(({ record: r, check }) => (check.match ? [{ externalUserId: r.externalUserId, userId: r.userId, staffId: r.staffId, at: r.at, ...check.match }] : [])),
    );
    const customers = await query<{ id: string; wecomExternalId: string; name: string | null }>(
      `INSERT INTO "Customer" ("workspaceId", "wecomExternalId", "sourceChannel", "ownerStaffId", name, "unionId", gender)
       SELECT DISTINCT ON (r."externalUserId") $1::uuid, r."externalUserId", r."sourceChannel", r."staffId", r.name, r."unionId", r.gender::"Gender"
         FROM jsonb_to_recordset($2::jsonb) AS r("externalUserId" text, "sourceChannel" text, "staffId" uuid, at timestamptz, name text, "unionId" text, gender text)
        ORDER BY r."externalUserId", r.at DESC
       ON CONFLICT ("workspaceId", "wecomExternalId") DO UPDATE SET "ownerStaffId" = EXCLUDED."ownerStaffId", "updatedAt" = now(),
         name = COALESCE("Customer".name, EXCLUDED.name), "unionId" = COALESCE("Customer"."unionId", EXCLUDED."unionId"),
         gender = CASE WHEN "Customer".gender = 'unknown' THEN EXCLUDED.gender ELSE "Customer".gender END
       RETURNING id, "wecomExternalId", name`,
      [workspaceId, json],
    );
    const customerOf = new Map(customers.map((c) => [c.wecomExternalId, c]));
    await recordOutreachAdds(
      query,
      workspaceId,
      checked.map(({ record: r, check }) => ({ ...check, customerId: customerOf.get(r.externalUserId)!.id, at: r.at, claimed: Boolean(check.match && claimed.has(check.match.taskId)) })),
    );
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
  await afterWeComEvents(deps, workspaceId, customerIds, written.events, written.tagged.size > 0);
  for (const codeId of written.codes) await repick(deps, codeId, timeZone);
  // Profiles the welcome message read already are not read again.
  const known = new Map(rows.flatMap(({ event }, i) => (outcomes[i]!.profile ? [[event.ExternalUserID, outcomes[i]!.profile!] as const] : [])));
  void enrichProfiles(deps, conn.client, workspaceId, written.customers, known);
}

/**
 * Names, union ids and genders of new contacts from WeCom (one `externalcontact/get` each: WeCom has
 * no call that reads chosen customers together), a few calls at a time, best effort, written in one
 * statement per batch; and the corp tags they already carry in WeCom, applied as linked tags.
 */
async function enrichProfiles(deps: WeComProcessDeps, client: Client, workspaceId: string, customers: { id: string; wecomExternalId: string }[], known: ReadonlyMap<string, Profile>) {
  if (!customers.length) return;
  try {
    const profiles = await mapWithConcurrency(customers, 4, async (c) => known.get(c.wecomExternalId) ?? (await fetchProfile(client, c.wecomExternalId)));
    const found = customers.flatMap((c, i) => (profiles[i] && !known.has(c.wecomExternalId) ? [{ id: c.id, ...profiles[i] }] : []));
    if (found.length) {
      await deps.db.query(
        `UPDATE "Customer" c SET name = COALESCE(c.name, p.name), "unionId" = COALESCE(c."unionId", p."unionId"),
                gender = CASE WHEN c.gender = 'unknown' THEN p.gender::"Gender" ELSE c.gender END, "updatedAt" = now()
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS p(id, name, "unionId", gender)
          WHERE c.id = p.id AND c."workspaceId" = $1::uuid`,
        [workspaceId, found.map((p) => p.id), found.map((p) => p.name), found.map((p) => p.unionId), found.map((p) => p.gender)],
      );
    }
    const tagged = await applyContactCorpTags(
      deps.db,
      client,
      workspaceId,
      customers.flatMap((c, i) => (profiles[i]?.corpTagIds.length ? [{ customerId: c.id, corpTagIds: profiles[i]!.corpTagIds }] : [])),
    );
    if (tagged.length) {
      deps.pubsub.publish('workspaceDataChanged', workspaceId);
      publishCustomerChanges(deps, workspaceId, tagged, 'updated');
      await afterWeComEvents(deps, workspaceId, tagged, [], true);
    }
  } catch (error) {
    (deps.log ?? console.warn)(`WeCom profiles: ${(error as Error).message}`);
  }
}

/** Points the code's contact way at the member the next customer should go to, when that changed. */
export async function repick(deps: WeComProcessDeps, liveCodeId: string, timeZone: string) {
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
