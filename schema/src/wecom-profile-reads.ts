// New contacts' profiles (externalcontact/get: name, union id, gender, the corp tags they carry)
// that were not in hand when their customers were written. A pass waits PROFILE_WAIT_MS for them;
// a read still under way is written when it lands (`lateProfiles`), and every one missing is also
// queued durably (WeComProfileRead, written in the pass's statement) and read again here within the
// corp's budget for the API: WeCom may fail, be slow, or a burst of adds may spend the 10,000 calls
// a minute it allows. Nothing of it is held in memory past a pass, and a restart loses none of it.
import { mapWithConcurrency } from '@courtyard/runtime';
import { WeComBudgetError, WeComError } from '@courtyard/wecom';
import { publishCustomerChanges } from './publish.ts';
import { callbackConnection, type Live } from './wecom-callback-cache.ts';
import type { WeComProcessDeps } from './wecom-callbacks.ts';
import { readProfile, type Profile } from './wecom-contact-arrival.ts';
import { afterWeComEvents } from './wecom-after-events.ts';
import { applyContactCorpTags } from './wecom-tags.ts';

type Client = Live['client'];

/** How long a read queued for a slow answer waits before this worker tries it (the answer usually lands first). */
export const LATE_PROFILE_GRACE_MS = 30_000;
/** Attempts before a profile read is given up (logged): about a day of backing off. */
const MAX_READ_ATTEMPTS = 12;
/** While a worker holds a claimed read, nobody else takes it. */
const LEASE_MS = 60_000;
/** How long one read here may wait for room in the budget; past it the read is put off until there is room. */
const BUDGET_WAIT_MS = 1000;

/**
 * Profiles written to their customers: names, union ids and genders (a value already there is kept),
 * the corp tags they carry linked, open pages told, segments re-checked for tag changes; their queued
 * reads are done.
 */
export async function writeProfiles(deps: WeComProcessDeps, client: Client, workspaceId: string, found: { customerId: string; profile: Profile }[]): Promise<void> {
  if (!found.length) return;
  await deps.db.query(
    `WITH written AS (
       UPDATE "Customer" c SET name = COALESCE(c.name, p.name), "unionId" = COALESCE(c."unionId", p."unionId"),
              gender = CASE WHEN c.gender = 'unknown' THEN p.gender::"Gender" ELSE c.gender END, "updatedAt" = now()
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS p(id, name, "unionId", gender)
        WHERE c.id = p.id AND c."workspaceId" = $1::uuid
     )
     DELETE FROM "WeComProfileRead" r WHERE r."workspaceId" = $1::uuid AND r."customerId" = ANY($2::uuid[])`,
    [workspaceId, found.map((p) => p.customerId), found.map((p) => p.profile.name), found.map((p) => p.profile.unionId), found.map((p) => p.profile.gender)],
  );
  const tagged = await corpTagsOf(deps, client, workspaceId, found);
  publishCustomerChanges(deps, workspaceId, found.map((p) => p.customerId), 'updated');
  if (tagged.length) await afterWeComEvents(deps, workspaceId, tagged, [], true);
}

/** Links the corp tags contacts carry in WeCom (source `wecom`); returns the customers that gained one. */
export async function corpTagsOf(deps: WeComProcessDeps, client: Client, workspaceId: string, contacts: { customerId: string; profile: Profile }[]): Promise<string[]> {
  const tagged = await applyContactCorpTags(
    deps.db,
    client,
    workspaceId,
    contacts.flatMap((c) => (c.profile.corpTagIds.length ? [{ customerId: c.customerId, corpTagIds: c.profile.corpTagIds }] : [])),
  ).catch((error: Error) => {
    (deps.log ?? console.warn)(`WeCom corp tags of new contacts: ${error.message}`);
    return [];
  });
  if (tagged.length) deps.pubsub.publish('workspaceDataChanged', workspaceId);
  return tagged;
}

/**
 * Profiles that came after their pass wrote the customers: written as they land, best effort (a
 * read that fails is left to its queued WeComProfileRead).
 */
export async function lateProfiles(deps: WeComProcessDeps, client: Client, workspaceId: string, pending: { customerId: string; profile: Promise<Profile | undefined> }[]) {
  if (!pending.length) return;
  try {
    const settled = await Promise.all(pending.map(async (p) => ({ customerId: p.customerId, profile: await p.profile })));
    await writeProfiles(deps, client, workspaceId, settled.flatMap((p) => (p.profile ? [{ customerId: p.customerId, profile: p.profile }] : [])));
  } catch (error) {
    (deps.log ?? console.warn)(`WeCom profiles: ${(error as Error).message}`);
  }
}

/** A claimed WeComProfileRead (its id as text: a bigint). */
interface DueRead {
  id: string;
  workspaceId: string;
  customerId: string;
  externalUserId: string;
  attempts: number;
}

/**
 * Claims due profile reads (up to `limit`) and reads them, 16 at a time, each waiting at most
 * BUDGET_WAIT_MS for room in the budget: one the budget has no room for is put off until it has
 * (not counted as an attempt). A contact WeCom says is gone is dropped; another failure backs off.
 * Returns how many were claimed.
 */
export async function readDueProfiles(deps: WeComProcessDeps, limit = 100): Promise<number> {
  const claimed = await deps.db.query<DueRead>(
    `WITH due AS (
       SELECT id FROM "WeComProfileRead" WHERE "nextAttemptAt" <= now() AND ($2::uuid[] IS NULL OR "workspaceId" = ANY($2::uuid[]))
        ORDER BY "nextAttemptAt", id LIMIT $1 FOR UPDATE SKIP LOCKED)
     UPDATE "WeComProfileRead" r SET attempts = r.attempts + 1, "nextAttemptAt" = now() + $3 * interval '1 millisecond'
       FROM due WHERE r.id = due.id
     RETURNING r.id::text, r."workspaceId", r."customerId", r."externalUserId", r.attempts`,
    [limit, deps.workspaces ? [...deps.workspaces] : null, LEASE_MS],
  );
  const byWorkspace = new Map<string, DueRead[]>();
  for (const row of claimed) {
    const list = byWorkspace.get(row.workspaceId);
    if (list) list.push(row);
    else byWorkspace.set(row.workspaceId, [row]);
  }
  const dropped: string[] = [];
  const retried: { id: string; waitMs: number; error: string; counted: boolean }[] = [];
  for (const [workspaceId, rows] of byWorkspace) {
    const conn = await callbackConnection(deps.db, workspaceId);
    // Not connected (any more): every read fails and backs off like any failure (a day in all).
    const outcomes = await mapWithConcurrency(rows, 16, async (row) => {
      try {
        if (!conn) throw new Error('WeCom is not connected in this workspace');
        return { row, profile: await readProfile(conn.client, row.externalUserId, BUDGET_WAIT_MS) };
      } catch (error) {
        return { row, error: error as Error };
      }
    });
    const found = outcomes.flatMap((o) => (o.profile ? [{ customerId: o.row.customerId, profile: o.profile }] : []));
    if (conn) await writeProfiles(deps, conn.client, workspaceId, found);
    for (const { row, error } of outcomes) {
      if (!error) continue;
      const gone = error instanceof WeComError && !error.retryable;
      if (error instanceof WeComBudgetError) retried.push({ id: row.id, waitMs: error.retryAfterMs, error: error.message, counted: false });
      else if (gone || row.attempts >= MAX_READ_ATTEMPTS) {
        dropped.push(row.id);
        (deps.log ?? console.warn)(`WeCom profile of ${row.externalUserId} ${gone ? 'cannot be read' : `given up after ${row.attempts} attempts`}: ${error.message}`);
      } else retried.push({ id: row.id, waitMs: Math.min(30_000 * 2 ** (row.attempts - 1), 3_600_000), error: error.message, counted: true });
    }
  }
  if (dropped.length) await deps.db.query(`DELETE FROM "WeComProfileRead" WHERE id = ANY($1::bigint[])`, [dropped]);
  // Tried again later; a read the budget had no room for is not counted as an attempt.
  if (retried.length) {
    await deps.db.query(
      `UPDATE "WeComProfileRead" r SET "nextAttemptAt" = now() + x.wait * interval '1 millisecond', "lastError" = x.error, attempts = r.attempts - CASE WHEN x.counted THEN 0 ELSE 1 END
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::boolean[]) AS x(id, wait, error, counted) WHERE r.id = x.id`,
      [retried.map((r) => r.id), retried.map((r) => Math.ceil(r.waitMs)), retried.map((r) => r.error.slice(0, 1000)), retried.map((r) => r.counted)],
    );
  }
  return claimed.length;
}
