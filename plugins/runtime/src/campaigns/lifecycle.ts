// Campaign lifecycle: checks against the workspace, runs (audience snapshot), the scheduler for
// scheduled and recurring campaigns, pause / resume / cancel.
import type { Db, QueryFn } from '@courtyard/db';
import { Cron } from 'croner';
import { loadAudienceSettings, snapshotAudience } from './audience.ts';
import { CampaignDefinition, checkDefinitionShape, type CampaignIssue } from './definition.ts';

/** A campaign action refused, with what to fix (paths into the definition where it applies). */
export class CampaignError extends Error {
  constructor(
    readonly code: 'INVALID_CAMPAIGN' | 'EMPTY_AUDIENCE' | 'INVALID_STATE',
    message: string,
    readonly issues: CampaignIssue[] = [],
  ) {
    super(message);
    this.name = 'CampaignError';
  }
}

/** Everything wrong with a definition in this workspace: shape, and the segments, channel and senders it names. */
export async function checkCampaign(query: QueryFn, workspaceId: string, definition: CampaignDefinition): Promise<CampaignIssue[]> {
  const issues = checkDefinitionShape(definition);
  const segmentIds = [...definition.audience.segmentIds, ...definition.audience.excludeSegmentIds];
  const segments = await query<{ id: string; name: string; archivedAt: Date | null }>(
    `SELECT id::text, name, "archivedAt" FROM "Segment" WHERE "workspaceId" = $1 AND id::text = ANY($2::text[])`,
    [workspaceId, segmentIds],
  );
  const byId = new Map(segments.map((s) => [s.id, s]));
  for (const [field, ids] of [['segmentIds', definition.audience.segmentIds], ['excludeSegmentIds', definition.audience.excludeSegmentIds]] as const) {
    ids.forEach((id, i) => {
      const segment = byId.get(id);
      if (!segment) issues.push({ path: ['audience', field, i], message: `segment ${id} does not exist in this workspace` });
      else if (segment.archivedAt && field === 'segmentIds') issues.push({ path: ['audience', field, i], message: `segment "${segment.name}" is archived; restore it or choose another` });
    });
  }
  const [channel] = await query<{ enabled: boolean; name: string }>(`SELECT enabled, name FROM "Channel" WHERE "workspaceId" = $1 AND id::text = $2`, [workspaceId, definition.content.channelId]);
  if (!channel) issues.push({ path: ['content', 'channelId'], message: `channel ${definition.content.channelId} does not exist in this workspace; create it with createChannel` });
  else if (!channel.enabled) issues.push({ path: ['content', 'channelId'], message: `channel "${channel.name}" is disabled` });
  if (definition.senderStaffIds.length) {
    const staff = await query<{ id: string; name: string; active: boolean; perMinuteLimit: number; perDayLimit: number }>(
      `SELECT id::text, name, active, "perMinuteLimit", "perDayLimit" FROM "Staff" WHERE "workspaceId" = $1 AND id::text = ANY($2::text[])`,
      [workspaceId, definition.senderStaffIds],
    );
    const staffById = new Map(staff.map((s) => [s.id, s]));
    definition.senderStaffIds.forEach((id, i) => {
      const s = staffById.get(id);
      if (!s) issues.push({ path: ['senderStaffIds', i], message: `staff ${id} does not exist in this workspace` });
      else if (!s.active) issues.push({ path: ['senderStaffIds', i], message: `staff "${s.name}" is deactivated` });
      else if (!(s.perMinuteLimit > 0) || !(s.perDayLimit > 0)) {
        issues.push({ path: ['senderStaffIds', i], message: `staff "${s.name}" has no sending limits; set its per-minute and per-day limits with updateStaff first` });
      }
    });
  }
  return issues;
}

export function parseDefinition(raw: unknown): CampaignDefinition {
  const parsed = CampaignDefinition.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message }));
    throw new CampaignError('INVALID_CAMPAIGN', `the campaign definition is invalid: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

/** The next cron occurrence after `after`, in the time zone; null when there is none. */
export function nextOccurrence(cron: string, timeZone: string, after: Date): Date | null {
  return new Cron(cron, { timezone: timeZone }).nextRun(after);
}

export interface StartedRun {
  id: string;
  number: number;
  planned: number;
  heldOut: number;
}

/**
 * Starts a run of a campaign for `occurrence`: checks the definition, snapshots the audience into
 * Delivery rows and marks the campaign running, all in one transaction, so a refused start leaves
 * nothing behind. An occurrence already run returns null (the scheduler may call twice).
 */
export async function startRun(db: Db, campaignId: string, occurrence: Date, now = new Date()): Promise<StartedRun | null> {
  return db.transaction(async (query) => {
    const [campaign] = await query<{ id: string; workspaceId: string; kind: 'one_off' | 'recurring'; status: string; definition: unknown }>(
      `SELECT id, "workspaceId", kind::text AS kind, status::text AS status, definition FROM "Campaign" WHERE id = $1 FOR UPDATE`,
      [campaignId],
    );
    if (!campaign) throw new CampaignError('INVALID_STATE', `campaign ${campaignId} does not exist`);
    if (campaign.status === 'cancelled' || campaign.status === 'completed') {
      throw new CampaignError('INVALID_STATE', `the campaign is ${campaign.status}; copy it to send again`);
    }
    const [seen] = await query<{ id: string }>(`SELECT id FROM "CampaignRun" WHERE "campaignId" = $1 AND occurrence = $2`, [campaignId, occurrence]);
    if (seen) return null;
    if (campaign.kind === 'one_off') {
      const [started] = await query<{ number: number }>(`SELECT number FROM "CampaignRun" WHERE "campaignId" = $1 LIMIT 1`, [campaignId]);
      if (started) throw new CampaignError('INVALID_STATE', `the campaign has already started (it is ${campaign.status}); a one-off campaign sends once — copy it to send again`);
    }
    const definition = parseDefinition(campaign.definition);
    const issues = await checkCampaign(query, campaign.workspaceId, definition);
    if (issues.length) throw new CampaignError('INVALID_CAMPAIGN', `the campaign cannot start: ${issues[0]!.message}`, issues);
    const [run] = await query<{ id: string; number: number }>(
      `INSERT INTO "CampaignRun" ("workspaceId", "campaignId", number, definition, occurrence, "startedAt")
       SELECT $1, $2, COALESCE(max(number), 0) + 1, $3::jsonb, $4, $5 FROM "CampaignRun" WHERE "campaignId" = $2
       RETURNING id, number`,
      [campaign.workspaceId, campaignId, JSON.stringify(definition), occurrence, now],
    );
    const settings = await loadAudienceSettings(query, campaign.workspaceId);
    const counts = await snapshotAudience(query, settings, { id: run!.id, campaignId }, definition, now);
    if (counts.planned + counts.heldOut === 0) {
      throw new CampaignError('EMPTY_AUDIENCE', 'the audience is empty after exclusions (blacklist, consent, risk tags, frequency cap and exclusion segments); nothing was queued', [
        { path: ['audience', 'segmentIds'], message: 'no customer of these segments can be reached' },
      ]);
    }
    await query(`UPDATE "CampaignRun" SET planned = $2, "heldOut" = $3 WHERE id = $1`, [run!.id, counts.planned, counts.heldOut]);
    await query(
      `UPDATE "Campaign" SET status = CASE WHEN kind = 'one_off' THEN 'running'::"CampaignStatus" ELSE status END,
              "nextRunAt" = CASE WHEN kind = 'one_off' THEN NULL ELSE "nextRunAt" END, "lastError" = NULL, "updatedAt" = now()
        WHERE id = $1`,
      [campaignId],
    );
    return { id: run!.id, number: run!.number, ...counts };
  });
}

/** Starts the runs of scheduled and recurring campaigns that are due; returns how many started. */
export async function runDueCampaigns(db: Db, now: Date, workspaces: ReadonlySet<string> | null, log: (m: string) => void): Promise<number> {
  const due = await db.query<{ id: string; kind: string; cron: string | null; nextRunAt: Date; timeZone: string }>(
    `SELECT c.id, c.kind::text AS kind, c.cron, c."nextRunAt", w."timeZone" FROM "Campaign" c JOIN "Workspace" w ON w.id = c."workspaceId"
      WHERE c.status = 'scheduled' AND c."nextRunAt" <= $1 AND ($2::uuid[] IS NULL OR c."workspaceId" = ANY($2::uuid[]))
      ORDER BY c."nextRunAt" LIMIT 100`,
    [now, workspaces ? [...workspaces] : null],
  );
  let started = 0;
  for (const c of due) {
    const occurrence = new Date(c.nextRunAt);
    try {
      if (await startRun(db, c.id, occurrence, now)) started++;
    } catch (error) {
      // A run that cannot start is reported and skipped; a recurring campaign tries the next occurrence.
      // The reason stays on the campaign (lastError) for the marketer to see.
      const reason = `${occurrence.toISOString()}: ${(error as Error).message}`;
      log(`campaign ${c.id} (occurrence ${reason}`);
      await db.query(
        `UPDATE "Campaign" SET "lastError" = $2, "updatedAt" = now(),
                status = CASE WHEN kind = 'one_off' THEN 'draft'::"CampaignStatus" ELSE status END,
                "nextRunAt" = CASE WHEN kind = 'one_off' THEN NULL ELSE "nextRunAt" END
          WHERE id = $1 AND status = 'scheduled'`,
        [c.id, reason],
      );
    }
    if (c.kind === 'recurring' && c.cron) {
      const next = nextOccurrence(c.cron, c.timeZone, now);
      await db.query(`UPDATE "Campaign" SET "nextRunAt" = $2, "updatedAt" = now() WHERE id = $1 AND status = 'scheduled'`, [c.id, next]);
    }
  }
  return started;
}

export type CampaignAction = 'pause' | 'resume' | 'cancel';

/**
 * Pauses, resumes or cancels a campaign and its open runs. Pausing stops new claims at once (rows a
 * worker already holds finish sending); cancelling marks what was not sent as cancelled.
 */
export async function changeCampaignState(db: Db, campaignId: string, action: CampaignAction): Promise<string> {
  return db.transaction(async (query) => {
    const [c] = await query<{ status: string; kind: string }>(`SELECT status::text AS status, kind::text AS kind FROM "Campaign" WHERE id = $1 FOR UPDATE`, [campaignId]);
    if (!c) throw new CampaignError('INVALID_STATE', `campaign ${campaignId} does not exist`);
    const allowed: Record<CampaignAction, string[]> = {
      pause: ['running', 'scheduled'],
      resume: ['paused'],
      cancel: ['draft', 'scheduled', 'running', 'paused'],
    };
    if (!allowed[action].includes(c.status)) {
      throw new CampaignError('INVALID_STATE', `a ${c.status} campaign cannot be ${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled'}`);
    }
    let status: string;
    if (action === 'pause') {
      status = 'paused';
      await query(`UPDATE "CampaignRun" SET status = 'paused' WHERE "campaignId" = $1 AND status = 'running'`, [campaignId]);
    } else if (action === 'resume') {
      const [open] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "CampaignRun" WHERE "campaignId" = $1 AND status = 'paused'`, [campaignId]);
      await query(`UPDATE "CampaignRun" SET status = 'running' WHERE "campaignId" = $1 AND status = 'paused'`, [campaignId]);
      status = c.kind === 'recurring' ? 'scheduled' : open!.n ? 'running' : 'scheduled';
    } else {
      status = 'cancelled';
      await query(`UPDATE "CampaignRun" SET status = 'cancelled', "finishedAt" = now() WHERE "campaignId" = $1 AND status IN ('running', 'paused')`, [campaignId]);
      // Rows a worker is sending right now keep their lease: the worker records them as sent.
      await query(`UPDATE "Delivery" SET status = 'cancelled' WHERE "campaignId" = $1 AND status = 'planned'`, [campaignId]);
      // WeCom mass-send tasks still waiting for staff (or whose creation's answer was lost) are
      // withdrawn: due now, the poller settles who was sent and cancels the rest in WeCom.
      await query(
        `UPDATE "WeComMassSend" SET "withdrawnAt" = now(), "expiresAt" = LEAST("expiresAt", now()), "nextPollAt" = now() WHERE "campaignId" = $1 AND status IN ('waiting', 'uncertain', 'creating')`,
        [campaignId],
      );
    }
    await query(`UPDATE "Campaign" SET status = $2::"CampaignStatus", "updatedAt" = now() WHERE id = $1`, [campaignId, status]);
    return status;
  });
}
