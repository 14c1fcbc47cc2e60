// New WeCom contacts at volume: the welcome message and the profile read start as soon as a
// callback is acknowledged (wecom-contact-arrival.ts), then a pass's new contacts are written in one
// statement (wecom-contacts-write.ts) with their profiles and corp tags, segments and journey
// triggers see them once a batch, and the live code turns to its next member.
import type { Db, WeComCallback, WeComLiveCode } from '@courtyard/db';
import { mapWithConcurrency } from '@courtyard/runtime';
import type { ContactAddedEvent } from '@courtyard/wecom';
import { publishCustomerChanges } from './publish.ts';
import { afterWeComEvents } from './wecom-after-events.ts';
import { callbackConnection, timeZoneOf } from './wecom-callback-cache.ts';
import type { WeComProcessDeps } from './wecom-callbacks.ts';
import { arrivalOf, arrivalsWritten, PROFILE_WAIT_MS, staffOf } from './wecom-contact-arrival.ts';
import { writeAdds, type AddRecord, type AddsWritten } from './wecom-contacts-write.ts';
import { LiveCodeStaff, pickUser } from './wecom-live-code-rules.ts';
import { attachOutreachAdds, checkOutreachAdds, outreachKey, recordOutreachAdds, type OutreachCheck } from './wecom-outreach-adds.ts';
import { corpTagsOf, lateProfiles } from './wecom-profile-reads.ts';
import { dayIn } from './wecom-store.ts';

export interface AddRow {
  row: WeComCallback;
  event: ContactAddedEvent;
}

/**
 * New contacts of one workspace, set-based: welcome messages and profiles first (those the endpoint
 * started, else started here), then one statement (writeAdds) that marks the callbacks processed and
 * writes customers with their profiles, owners, channel tags, follows, daily stats, rotation
 * counters and events for all of them, and the corp tags they carry in WeCom; then segments and
 * journey triggers once for the batch, and each touched code's next member. A profile later than
 * PROFILE_WAIT_MS is written when it comes; every profile not in hand is also queued to be read
 * again (wecom-profile-reads.ts), in the same statement.
 */
export async function contactsAdded(deps: WeComProcessDeps, workspaceId: string, rows: AddRow[]) {
  const { db } = deps;
  const conn = await callbackConnection(db, workspaceId);
  if (!conn) throw new Error('WeCom is no longer connected');
  const timeZone = await timeZoneOf(db, workspaceId);
  const staff = await staffOf(db, workspaceId, [...new Set(rows.map((r) => r.event.UserID))]);

  const late = Symbol('late');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof late>((resolve) => (timer = setTimeout(() => resolve(late), deps.profileWaitMs ?? PROFILE_WAIT_MS)));
  const arrived = await mapWithConcurrency(rows, 16, async ({ event }) => {
    const arrival = arrivalOf(conn.client, db, workspaceId, event, staff.get(event.UserID)!.name);
    const outcome = await arrival.welcome;
    const profile = await Promise.race([arrival.profile, deadline]);
    // A profile later than the wait (`late`) is written when `read` settles.
    return { outcome, read: arrival.profile, late: profile === late, profile: profile === late ? undefined : profile };
  }).finally(() => clearTimeout(timer));

  // Adds of staff members with pending phone-number outreach tasks: which task, and whose customer
  // (from the same profile read: WeCom is not asked twice).
  const outreach = await checkOutreachAdds(db, workspaceId, rows.map(({ event }, i) => ({ userId: event.UserID, externalUserId: event.ExternalUserID, read: () => arrived[i]!.read })));

  const records: AddRecord[] = rows.map(({ row, event }, i) => {
    const at = new Date(event.CreateTime * 1000);
    const profile = arrived[i]!.profile;
    return {
      id: row.id,
      externalUserId: event.ExternalUserID,
      userId: event.UserID,
      staffId: staff.get(event.UserID)!.id,
      state: event.State ?? null,
      at: at.toISOString(),
      day: dayIn(timeZone, at),
      idempotencyKey: `wecom:${row.dedupeKey}`.slice(0, 200),
      name: profile?.name ?? null,
      unionId: profile?.unionId ?? null,
      gender: profile?.gender ?? 'unknown',
      profile: profile ? 'read' : arrived[i]!.late ? 'late' : 'missing',
      welcome: arrived[i]!.outcome,
    };
  });

  const written = outreach.size ? await writeOutreachAdds(db, workspaceId, records, outreach) : await writeAdds((sql, params) => db.query(sql, params), workspaceId, records, true);
  arrivalsWritten(workspaceId, rows.map((r) => r.event));
  if (!written?.customers.length) return;

  const customerOf = new Map(written.customers.map((c) => [c.wecomExternalId, c.id]));
  const customerIds = written.customers.map((c) => c.id);
  // The corp tags they already carry in WeCom, before journeys see the event.
  const corpTagged = await corpTagsOf(deps, conn.client, workspaceId, rows.flatMap(({ event }, i) => {
    const customerId = customerOf.get(event.ExternalUserID);
    const profile = arrived[i]!.profile;
    return customerId && profile ? [{ customerId, profile }] : [];
  }));
  // Open customer lists and code pages see the new contacts at once.
  publishCustomerChanges(deps, workspaceId, customerIds, 'updated');
  await afterWeComEvents(deps, workspaceId, customerIds, written.events, written.tagged.length > 0 || corpTagged.length > 0);
  for (const codeId of written.codes) await repick(deps, codeId, timeZone);
  void lateProfiles(
    deps,
    conn.client,
    workspaceId,
    rows.flatMap(({ event }, i) => {
      const customerId = customerOf.get(event.ExternalUserID);
      return customerId && arrived[i]!.late ? [{ customerId, profile: arrived[i]!.read }] : [];
    }),
  );
}

/**
 * A batch with adds matched to outreach tasks, in one transaction: the callbacks are claimed, each
 * claimed task's customer takes the contact (so the statement's upsert lands on it), the adds are
 * written, and the checks recorded against the customers they ended on.
 */
function writeOutreachAdds(db: Db, workspaceId: string, records: AddRecord[], outreach: Map<string, OutreachCheck>): Promise<AddsWritten | null> {
  return db.transaction(async (query) => {
    const mine = new Set((await query<{ id: string }>(`UPDATE "WeComCallback" SET status = 'processed', "processedAt" = now(), "lastError" = NULL WHERE id = ANY($1::uuid[]) AND status = 'pending' RETURNING id`, [records.map((r) => r.id)])).map((r) => r.id));
    const batch = records.filter((r) => mine.has(r.id));
    if (!batch.length) return null;
    const checked = batch.flatMap((r) => {
      const check = outreach.get(outreachKey(r.userId, r.externalUserId));
      return check ? [{ record: r, check }] : [];
    });
    const claimed = await attachOutreachAdds(
      query,
      workspaceId,
      checked.flatMap(({ record: r, check }) => (check.match ? [{ externalUserId: r.externalUserId, userId: r.userId, staffId: r.staffId, at: r.at, ...check.match }] : [])),
    );
    const written = await writeAdds(query, workspaceId, batch, false);
    const customerOf = new Map(written.customers.map((c) => [c.wecomExternalId, c.id]));
    await recordOutreachAdds(
      query,
      workspaceId,
      checked.map(({ record: r, check }) => ({ ...check, customerId: customerOf.get(r.externalUserId)!, at: r.at, claimed: Boolean(check.match && claimed.has(check.match.taskId)) })),
    );
    return written;
  });
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
  const conn = await callbackConnection(deps.db, code.workspaceId);
  if (!conn) return;
  try {
    // Not worth holding the pass for: with no room in the budget now, a later pass turns the code.
    await conn.client.call('externalcontact/update_contact_way', { config_id: code.configId, user: [next] }, { maxWaitMs: 1000 });
    await deps.db.prisma.weComLiveCode.update({ where: { id: code.id }, data: { currentUserIds: [next] } });
  } catch (error) {
    (deps.log ?? console.warn)(`live code ${code.id}: could not hand the next customer to ${next}: ${(error as Error).message}`);
  }
}
