// Campaign dispatch: one pass claims a run's planned deliveries that may go now — inside a send
// window, outside quiet hours, within each sender's per-minute and per-day limits — renders them,
// sends them through the channel in batches and records the outcome. A claim is a lease: a worker
// killed mid-batch leaves leased rows whose lease expires; the next pass sends them again with
// the same idempotency key (the delivery key), which the receiver uses to drop the repeat.
import { isUuid, type Db } from '@courtyard/db';
import { renderTemplate, type JourneyCustomer } from '@courtyard/plugin-sdk';
import type { ChannelSendResult, OutboundMessage } from '../channels/types.ts';
import { dayStart, nextDayStart, quietUntil } from '../engine/clock.ts';
import type { ChannelPool } from '../engine/dispatch.ts';
import { CampaignDefinition } from './definition.ts';
import { windowState } from './windows.ts';

export interface CampaignDispatchDeps {
  db: Db;
  leaseMs: number;
  /** Deliveries one pass claims per run (and per sender). */
  claimLimit: number;
  maxAttempts: number;
  workspaces: ReadonlySet<string> | null;
  now?: () => Date;
  log(message: string): void;
  /** A run moved on (sent, failed, finished): live progress. */
  onProgress?(workspaceId: string, campaignId: string): void;
}

interface RunningRun {
  id: string;
  workspaceId: string;
  campaignId: string;
  definition: unknown;
  timeZone: string;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  frequencyCapPerDay: number | null;
  frequencyCapMode: 'delay' | 'skip';
}

interface Claimed {
  id: string;
  key: string;
  customerId: string;
  variant: string | null;
  senderStaffId: string | null;
  attempts: number;
  leaseUntil: Date;
  marketing: boolean;
}

/** Runs every running campaign run one step; returns how many deliveries it handled. */
export async function dispatchCampaigns(deps: CampaignDispatchDeps, channels: ChannelPool): Promise<number> {
  const runs = await deps.db.query<RunningRun>(
    `SELECT r.id, r."workspaceId", r."campaignId", r.definition, w."timeZone", w."quietHoursStart", w."quietHoursEnd",
            w."frequencyCapPerDay", w."frequencyCapMode"::text AS "frequencyCapMode"
       FROM "CampaignRun" r JOIN "Workspace" w ON w.id = r."workspaceId"
      WHERE r.status = 'running' AND ($1::uuid[] IS NULL OR r."workspaceId" = ANY($1::uuid[]))
      ORDER BY r."startedAt"`,
    [deps.workspaces ? [...deps.workspaces] : null],
  );
  let handled = 0;
  for (const run of runs) {
    try {
      handled += await dispatchRun(deps, channels, run);
    } catch (error) {
      deps.log(`campaign run ${run.id}: ${(error as Error).message}`);
    }
  }
  return handled;
}

async function dispatchRun(deps: CampaignDispatchDeps, channels: ChannelPool, run: RunningRun): Promise<number> {
  const now = deps.now?.() ?? new Date();
  const definition = CampaignDefinition.parse(run.definition);
  const window = windowState(now, run.timeZone, definition.windows);
  const quiet = definition.content.marketing && run.quietHoursStart && run.quietHoursEnd ? quietUntil(now, run.timeZone, { start: run.quietHoursStart, end: run.quietHoursEnd }) : null;
  if (!window.open || quiet) {
    await finishIfDone(deps, run);
    return 0;
  }
  // How many each sender may still send now; no senders: the claim limit.
  const budgets: Array<{ sender: string | null; budget: number }> = [];
  if (definition.senderStaffIds.length) {
    const rows = await deps.db.query<{ id: string; budget: number }>(
      `SELECT s.id, GREATEST(0, LEAST(
                s."perMinuteLimit" - (SELECT count(*) FROM "Delivery" d WHERE d."senderStaffId" = s.id AND d."sentAt" > $2::timestamptz - interval '1 minute'),
                s."perDayLimit" - (SELECT count(*) FROM "Delivery" d WHERE d."senderStaffId" = s.id AND d."sentAt" >= $3)))::int AS budget
         FROM "Staff" s WHERE s.id = ANY($1::uuid[]) AND s."workspaceId" = $4 AND s.active`,
      [definition.senderStaffIds, now, dayStart(now, run.timeZone), run.workspaceId],
    );
    for (const r of rows) if (r.budget > 0) budgets.push({ sender: r.id, budget: Math.min(r.budget, deps.claimLimit) });
  } else {
    budgets.push({ sender: null, budget: deps.claimLimit });
  }
  if (!budgets.length) return 0;

  // Claim: planned rows that are due and not leased (or whose lease expired: a worker died), one
  // ordered range of the (run, status, sender, next attempt) index per sender. The claim writes
  // only the lease and the attempt count, which no index holds, so PostgreSQL updates the rows in
  // place (HOT) without touching an index when the page has room; the outcome is the write that
  // does. The ORDER BY names every index column: "senderStaffId" IS NULL is no equality to the
  // planner, and ordering by the due time alone made it read and sort the run's whole range.
  const branches: string[] = [];
  const params: unknown[] = [run.id, deps.leaseMs, now];
  budgets.forEach((b) => {
    const sender = b.sender ? `"senderStaffId" = $${params.push(b.sender)}::uuid` : `"senderStaffId" IS NULL`;
    branches.push(
      `SELECT id FROM (SELECT id FROM "Delivery" WHERE "campaignRunId" = $1 AND status = 'planned' AND ${sender} AND "nextAttemptAt" <= $3
         AND ("leaseUntil" IS NULL OR "leaseUntil" < $3)
         ORDER BY "campaignRunId", status, "senderStaffId", "nextAttemptAt" LIMIT $${params.push(b.budget)}::int FOR UPDATE SKIP LOCKED) b${branches.length}`,
    );
  });
  // The customers come back with the claim, as templates see them (tags and first order are not
  // loaded: templates do not use them).
  params.push(run.workspaceId);
  const claimed = await deps.db.query<Claimed & { customer: CustomerRow | null }>(
    `WITH due AS (${branches.join(' UNION ALL ')})
     UPDATE "Delivery" d SET "leaseUntil" = $3::timestamptz + $2 * interval '1 millisecond', attempts = d.attempts + 1
       FROM due WHERE d.id = due.id
     RETURNING d.id, d.key, d."customerId", d.variant, d."senderStaffId", d.attempts, d."leaseUntil", d.marketing,
       (SELECT json_build_object('id', c.id, 'name', c.name, 'phone', c.phone, 'email', c.email, 'gender', c.gender, 'birthday', to_char(c.birthday, 'YYYY-MM-DD'),
                 'city', c.city, 'sourceChannel', c."sourceChannel", 'lifecycleStage', c."lifecycleStage", 'wecomExternalId', c."wecomExternalId",
                 'unionId', c."unionId", 'attributes', c.attributes, 'marketingConsent', c."marketingConsent", 'blacklisted', c.blacklisted,
                 'ownerStaffId', c."ownerStaffId", 'orderCount', c."orderCount", 'totalSpentCents', c."totalSpentCents"::float8,
                 'lastOrderAt', c."lastOrderAt", 'createdAt', c."createdAt")
          FROM "Customer" c WHERE c.id = d."customerId" AND c."workspaceId" = $${params.length}) AS customer`,
    params,
  );
  if (!claimed.length) {
    await finishIfDone(deps, run);
    return 0;
  }

  const customers = new Map(claimed.filter((c) => c.customer).map((c) => [c.customerId, toJourneyCustomer(c.customer!)]));
  const sentToday = run.frequencyCapPerDay == null ? new Map<string, number>() : await marketingSentToday(deps.db, claimed.map((c) => c.customerId), dayStart(now, run.timeZone), run.id);
  const staff = await loadStaff(deps.db, run.workspaceId, definition.senderStaffIds);
  const channel = await loadChannel(deps.db, run.workspaceId, definition.content.channelId);

  type Outcome = { id: string; lease: string; status: string; error: string | null; provider: string | null; next: string | null; body: string | null; subject: string | null };
  const outcomes: Outcome[] = [];
  const toSend: Array<{ d: Claimed; message: OutboundMessage }> = [];
  const variants = new Map(definition.content.variants.map((v) => [v.key, v]));
  for (const d of claimed) {
    const lease = new Date(d.leaseUntil).toISOString();
    const customer = customers.get(d.customerId);
    const skip = (error: string) => outcomes.push({ id: d.id, lease, status: 'skipped', error, provider: null, next: null, body: null, subject: null });
    if (!customer) {
      skip('customer no longer exists');
      continue;
    }
    if (customer.blacklisted) {
      skip('customer is blacklisted');
      continue;
    }
    if (d.marketing && !customer.marketingConsent) {
      skip('customer has not consented to marketing');
      continue;
    }
    if (d.marketing && run.frequencyCapPerDay != null) {
      const count = sentToday.get(d.customerId) ?? 0;
      if (count >= run.frequencyCapPerDay) {
        const reason = `frequency cap of ${run.frequencyCapPerDay} a day reached`;
        if (run.frequencyCapMode === 'skip') skip(reason);
        else outcomes.push({ id: d.id, lease, status: 'planned', error: reason, provider: null, next: nextDayStart(now, run.timeZone).toISOString(), body: null, subject: null });
        continue;
      }
      sentToday.set(d.customerId, count + 1);
    }
    const variant = variants.get(d.variant ?? '') ?? definition.content.variants[0]!;
    const scope = { customer, links: definition.content.links };
    const sender = d.senderStaffId ? staff.get(d.senderStaffId) ?? null : null;
    toSend.push({
      d,
      message: {
        deliveryId: d.id,
        idempotencyKey: d.key,
        workspaceId: run.workspaceId,
        customer: {
          id: customer.id,
          name: customer.name,
          phone: customer.phone,
          email: customer.email,
          wecomExternalId: customer.wecomExternalId,
          // The sender speaks for the message: channels that send as a staff account use it.
          ownerStaff: sender ?? (customer.ownerStaffId ? staff.get(customer.ownerStaffId) ?? null : null),
        },
        subject: variant.subject ? renderTemplate(variant.subject, scope) : null,
        body: renderTemplate(variant.body, scope),
        attachments: [],
      },
    });
  }

  if (toSend.length) {
    let results: ChannelSendResult[];
    try {
      if (!channel) throw Object.assign(new Error(`channel ${definition.content.channelId} does not exist in this workspace`), { final: true });
      if (!channel.enabled) throw Object.assign(new Error(`channel ${channel.name} is disabled`), { final: true });
      const connection = channels.get(`${channel.id}@${new Date(channel.updatedAt).getTime()}`, channel.type, channel.config);
      results = await connection.send(toSend.map((s) => s.message));
    } catch (error) {
      const final = (error as { final?: boolean }).final === true;
      results = toSend.map(() => ({ status: 'failed' as const, error: (error as Error).message, retryable: !final }));
    }
    toSend.forEach(({ d, message }, i) => {
      const r = results[i] ?? { status: 'failed' as const, error: 'channel returned no result', retryable: true };
      const lease = new Date(d.leaseUntil).toISOString();
      if (r.status === 'sent') {
        outcomes.push({ id: d.id, lease, status: 'sent', error: null, provider: r.providerMessageId ?? null, next: null, body: message.body, subject: message.subject });
      } else if (r.status === 'skipped') {
        outcomes.push({ id: d.id, lease, status: 'skipped', error: r.error, provider: null, next: null, body: null, subject: null });
      } else if (r.status === 'deferred') {
        outcomes.push({ id: d.id, lease, status: 'planned', error: r.error, provider: null, next: r.until.toISOString(), body: null, subject: null });
      } else if (r.retryable && d.attempts < deps.maxAttempts) {
        const delay = 1000 * 2 ** (d.attempts - 1);
        outcomes.push({ id: d.id, lease, status: 'planned', error: r.error, provider: null, next: new Date(now.getTime() + delay).toISOString(), body: null, subject: null });
      } else {
        outcomes.push({ id: d.id, lease, status: 'failed', error: r.error, provider: null, next: null, body: message.body, subject: message.subject });
      }
    });
  }

  // Only rows still under this pass's lease are written: a slow pass whose lease expired and
  // whose rows another worker took over records nothing (the lease alone fences: a row taken over
  // has another lease). No status condition here, so PostgreSQL goes by id whatever its statistics
  // say; a row cancelled while this pass sent it is recorded as sent (it was), and a retry of a
  // cancelled row stays cancelled.
  await deps.db.query(
    `UPDATE "Delivery" d SET status = CASE WHEN o.status = 'planned' AND d.status = 'cancelled' THEN d.status ELSE o.status::"DeliveryStatus" END, error = o.error,
            "providerMessageId" = COALESCE(o.provider, d."providerMessageId"),
            "sentAt" = CASE WHEN o.status = 'sent' THEN $9::timestamptz ELSE d."sentAt" END,
            body = COALESCE(o.body, d.body), subject = COALESCE(o.subject, d.subject),
            "nextAttemptAt" = COALESCE(o.next, d."nextAttemptAt"), "leaseUntil" = NULL
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[])
            AS o(id, lease, status, error, provider, next, body, subject)
      WHERE d.id = o.id AND d."leaseUntil" = o.lease`,
    [
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.lease),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.error),
      outcomes.map((o) => o.provider),
      outcomes.map((o) => o.next),
      outcomes.map((o) => o.body),
      outcomes.map((o) => o.subject),
      now,
    ],
  );
  deps.onProgress?.(run.workspaceId, run.campaignId);
  // A full claim means more is due: the run cannot be finished yet.
  if (claimed.length < budgets.reduce((n, b) => n + b.budget, 0)) await finishIfDone(deps, run);
  return claimed.length;
}

/** A run with nothing left to send is completed; a one-off campaign with it. */
async function finishIfDone(deps: CampaignDispatchDeps, run: { id: string; workspaceId: string; campaignId: string }): Promise<void> {
  const finished = await deps.db.query<{ id: string }>(
    `UPDATE "CampaignRun" r SET status = 'completed', "finishedAt" = now()
      WHERE r.id = $1 AND r.status = 'running'
        AND NOT EXISTS (SELECT 1 FROM "Delivery" d WHERE d."campaignRunId" = r.id AND d.status IN ('planned', 'sending'))
      RETURNING r.id`,
    [run.id],
  );
  if (!finished.length) return;
  await deps.db.query(
    `UPDATE "Campaign" SET status = 'completed', "updatedAt" = now() WHERE id = $1 AND kind = 'one_off' AND status = 'running'`,
    [run.campaignId],
  );
  deps.onProgress?.(run.workspaceId, run.campaignId);
}

async function marketingSentToday(db: Db, customerIds: string[], since: Date, runId: string): Promise<Map<string, number>> {
  const rows = await db.query<{ customerId: string; n: number }>(
    `SELECT "customerId", count(*)::int AS n FROM "Delivery"
      WHERE "customerId" = ANY($1::uuid[]) AND marketing AND "sentAt" >= $2 AND "campaignRunId" IS DISTINCT FROM $3::uuid
      GROUP BY "customerId"`,
    [[...new Set(customerIds)], since, runId],
  );
  return new Map(rows.map((r) => [r.customerId, r.n]));
}

type CustomerRow = Omit<JourneyCustomer, 'tagIds' | 'firstOrderAt'>;

function toJourneyCustomer(row: CustomerRow): JourneyCustomer {
  const iso = (d: string | null) => (d == null ? null : new Date(d).toISOString());
  return { ...row, tagIds: [], firstOrderAt: null, totalSpentCents: Number(row.totalSpentCents), lastOrderAt: iso(row.lastOrderAt), createdAt: iso(row.createdAt)! };
}

async function loadStaff(db: Db, workspaceId: string, ids: string[]) {
  if (!ids.length) return new Map<string, { id: string; name: string; wecomUserId: string | null }>();
  const rows = await db.query<{ id: string; name: string; wecomUserId: string | null }>(
    `SELECT id, name, "wecomUserId" FROM "Staff" WHERE id = ANY($1::uuid[]) AND "workspaceId" = $2`,
    [ids, workspaceId],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

async function loadChannel(db: Db, workspaceId: string, id: string) {
  if (!isUuid(id)) return null;
  const [row] = await db.query<{ id: string; name: string; type: string; config: unknown; enabled: boolean; updatedAt: Date }>(
    `SELECT id, name, type, config, enabled, "updatedAt" FROM "Channel" WHERE id = $1::uuid AND "workspaceId" = $2`,
    [id, workspaceId],
  );
  return row ?? null;
}
