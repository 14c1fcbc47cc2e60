import type { Db } from '@courtyard/db';
import type { MembershipDelta } from '@courtyard/db/segments';
import type { JsonObject, TriggerNode, TriggerSource } from '@courtyard/plugin-sdk';
import { Cron } from 'croner';
import { TZDate } from '@date-fns/tz';
import { format, subDays } from 'date-fns';
import { PAID_ORDER_STATUSES_SQL } from '@courtyard/db';
import type { EnrollEntry, EnrollResult } from './enroll.ts';
import type { VersionCache } from './versions.ts';

export interface IngestedEvent {
  id: string;
  customerId: string;
  type: string;
  properties: JsonObject;
  occurredAt: Date | string;
}

interface AcceptingTrigger {
  versionId: string;
  journeyId: string;
  source: TriggerSource;
  publishedAt: Date;
}

export interface TriggerDeps {
  db: Db;
  versions: VersionCache;
  enroll(workspaceId: string, journeyId: string, entries: EnrollEntry[]): Promise<EnrollResult>;
}

/** The accepting versions' trigger sources per workspace, cached for two seconds. */
export class TriggerIndex {
  private readonly cache = new Map<string, { at: number; value: Promise<AcceptingTrigger[]> }>();

  constructor(private readonly deps: TriggerDeps) {}

  forget(workspaceId?: string) {
    if (workspaceId) this.cache.delete(workspaceId);
    else this.cache.clear();
  }

  of(workspaceId: string): Promise<AcceptingTrigger[]> {
    const hit = this.cache.get(workspaceId);
    if (hit && Date.now() - hit.at < 2000) return hit.value;
    const value = this.load(`v."workspaceId" = $1`, [workspaceId]);
    this.cache.set(workspaceId, { at: Date.now(), value });
    value.catch(() => this.cache.delete(workspaceId));
    return value;
  }

  /** Every accepting version of a kind, across workspaces (for the scheduler). */
  all(kind: 'schedule' | 'date' | 'segment'): Promise<(AcceptingTrigger & { workspaceId: string })[]> {
    return this.load(`v."triggerKind" = $1`, [kind]) as never;
  }

  private async load(where: string, params: unknown[]) {
    const rows = await this.deps.db.query<{ id: string; journeyId: string; workspaceId: string; publishedAt: Date }>(
      `SELECT v.id, v."journeyId", v."workspaceId", v."publishedAt" FROM "JourneyVersion" v JOIN "Journey" j ON j.id = v."journeyId"
        WHERE ${where} AND v.accepting AND j.status = 'active'`,
      params,
    );
    const out: (AcceptingTrigger & { workspaceId: string })[] = [];
    for (const row of rows) {
      const version = await this.deps.versions.version(row.id);
      const trigger = version.triggerId ? version.nodes.get(version.triggerId) : undefined;
      if (!trigger || trigger.node.kind !== 'trigger') continue;
      out.push({ versionId: row.id, journeyId: row.journeyId, workspaceId: row.workspaceId, publishedAt: row.publishedAt, source: (trigger.node as TriggerNode).source(trigger.config) });
    }
    return out;
  }
}

/** Whether an event's properties carry every value of the filter (what `@>` checks in SQL). */
export const propertiesMatch = (properties: JsonObject, filter: JsonObject | undefined) =>
  !filter || Object.entries(filter).every(([k, v]) => JSON.stringify(properties[k]) === JSON.stringify(v));

/** Enrolls customers whose events start journeys; each event enrolls a customer once per journey. */
export async function enrollFromEvents(deps: TriggerDeps, index: TriggerIndex, workspaceId: string, events: IngestedEvent[]): Promise<number> {
  const triggers = (await index.of(workspaceId)).filter((t) => t.source.kind === 'event');
  let enrolled = 0;
  for (const t of triggers) {
    const source = t.source as Extract<TriggerSource, { kind: 'event' }>;
    const entries = events
      .filter((e) => e.type === source.eventType && propertiesMatch(e.properties, source.properties))
      .map((e) => ({
        customerId: e.customerId,
        entryKey: `event:${e.id}`,
        trigger: { kind: 'event' as const, event: { id: e.id, type: e.type, properties: e.properties, occurredAt: new Date(e.occurredAt).toISOString() } },
      }));
    if (entries.length) enrolled += (await deps.enroll(workspaceId, t.journeyId, entries)).enrolled.length;
  }
  return enrolled;
}

/**
 * Resumes enrollments waiting for these events (wait-for-event nodes): a waiting customer whose
 * event has the awaited type and properties leaves through the node's event port.
 */
export async function resumeWaitingOnEvents(db: Db, workspaceId: string, events: IngestedEvent[]): Promise<number> {
  if (!events.length) return 0;
  // Most events find nobody waiting: ask which of these customers wait for one of these types
  // (a probe per customer on the waiting index) before sending the events themselves.
  const waiting = await db.query<{ customer: string }>(
    `SELECT DISTINCT "customerId" AS customer FROM "Enrollment"
      WHERE "customerId" = ANY($2::uuid[]) AND status = 'waiting' AND "workspaceId" = $1 AND wait->>'eventType' = ANY($3::text[])`,
    [workspaceId, [...new Set(events.map((e) => e.customerId))], [...new Set(events.map((e) => e.type))]],
  );
  if (!waiting.length) return 0;
  const waiters = new Set(waiting.map((w) => w.customer));
  events = events.filter((e) => waiters.has(e.customerId));
  const rows = await db.query<{ id: string }>(
    `WITH ev AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS ev(id uuid, customer uuid, type text, properties jsonb, at timestamptz)
     ), hit AS (
       SELECT DISTINCT ON (e.id) e.id, ev.id AS event_id, ev.type, ev.properties, ev.at
         FROM "Enrollment" e JOIN ev ON ev.customer = e."customerId" AND ev.type = e.wait->>'eventType'
        WHERE e."workspaceId" = $1 AND e.status = 'waiting' AND e.wait->'properties' <@ ev.properties
        ORDER BY e.id, ev.at
     )
     UPDATE "Enrollment" e SET status = 'active', "readyAt" = now(),
            wait = e.wait || jsonb_build_object('resolvedPort', e.wait->>'port',
                     'event', jsonb_build_object('id', hit.event_id, 'type', hit.type, 'properties', hit.properties, 'occurredAt', hit.at))
       FROM hit WHERE e.id = hit.id AND e.status = 'waiting'
     RETURNING e.id`,
    [workspaceId, JSON.stringify(events.map((e) => ({ id: e.id, customer: e.customerId, type: e.type, properties: e.properties, at: new Date(e.occurredAt).toISOString() })))],
  );
  return rows.length;
}

/** Changes of the log read per trigger and sweep. */
const SEGMENT_SWEEP_LIMIT = 5_000;

type SegmentTrigger = AcceptingTrigger & { workspaceId: string; source: Extract<TriggerSource, { kind: 'segment' }> };

/**
 * Enrolls the customers who entered or left segments that start journeys, from the segment change
 * log (SegmentChange) after a cursor per journey version: changes made by any process, including
 * one that stopped right after committing them. Entry keys name the change, so sweeping twice, or
 * in two processes at once, enrolls once.
 *
 * The cursor moves only past committed changes: every write to a segment's change log holds the
 * segment's lock (re-checks shared, refreshes and static additions exclusively), and the sweep takes
 * it exclusively before reading, so no change with a smaller id can commit after it has read.
 * Only `workspaceIds` when given (null: every workspace of every accepting version).
 */
export async function sweepSegmentTriggers(deps: TriggerDeps, index: TriggerIndex, workspaceIds: readonly string[] | null, only: ReadonlySet<string> | null = null): Promise<number> {
  const triggers = (
    workspaceIds
      ? (await Promise.all(workspaceIds.map(async (ws) => (await index.of(ws)).map((t) => ({ ...t, workspaceId: ws }))))).flat()
      : await index.all('segment')
  ).filter((t): t is SegmentTrigger => t.source.kind === 'segment' && (!only || only.has(t.workspaceId)));
  let enrolled = 0;
  for (const t of triggers) {
    const { segmentId, change } = t.source;
    const cursorKey = `segment-trigger:${t.versionId}`;
    for (;;) {
      const rows = await deps.db.transaction(async (query) => {
        await query(`SELECT pg_advisory_xact_lock(hashtext('segment:' || $1::text))`, [segmentId]);
        // A version's first sweep starts at the changes made since it was published.
        return query<{ id: string; customerId: string }>(
          `WITH cursor AS (
             SELECT coalesce(
               (SELECT value FROM "RuntimeCounter" WHERE "workspaceId" = $1::uuid AND key = $2),
               (SELECT max(id) FROM "SegmentChange" WHERE "segmentId" = $3::uuid AND at < $5::timestamptz),
               0) AS after)
           SELECT c.id::text AS id, c."customerId" FROM "SegmentChange" c, cursor
            WHERE c."segmentId" = $3::uuid AND c."workspaceId" = $1::uuid AND c.kind = $4::"SegmentChangeKind" AND c.id > cursor.after
            ORDER BY c.id LIMIT ${SEGMENT_SWEEP_LIMIT}`,
          [t.workspaceId, cursorKey, segmentId, change, t.publishedAt],
        );
      });
      if (!rows.length) break;
      const result = await deps.enroll(
        t.workspaceId,
        t.journeyId,
        rows.map((r) => ({
          customerId: r.customerId,
          entryKey: `segment:${segmentId}:${change}:${r.id}`,
          trigger: { kind: 'segment' as const, data: { segmentId, change } },
        })),
      );
      enrolled += result.enrolled.length;
      await deps.db.query(
        `INSERT INTO "RuntimeCounter" ("workspaceId", key, value) VALUES ($1, $2, $3)
         ON CONFLICT ("workspaceId", key) DO UPDATE SET value = GREATEST("RuntimeCounter".value, EXCLUDED.value), "updatedAt" = now()`,
        [t.workspaceId, cursorKey, rows[rows.length - 1]!.id],
      );
      if (rows.length < SEGMENT_SWEEP_LIMIT) break;
    }
  }
  return enrolled;
}

/** Whether any of the deltas concerns a segment that starts a journey of the workspace. */
export async function startsJourneys(index: TriggerIndex, workspaceId: string, deltas: MembershipDelta[]): Promise<boolean> {
  const segments = new Set((await index.of(workspaceId)).flatMap((t) => (t.source.kind === 'segment' ? [t.source.segmentId] : [])));
  return deltas.some((d) => segments.has(d.segmentId));
}

/**
 * Runs schedule and date triggers that are due at `now`: each version keeps a cursor (the last
 * run it made) in RuntimeCounter, and entry keys name the run, so running twice enrolls once.
 */
export async function runScheduledTriggers(deps: TriggerDeps, index: TriggerIndex, now: Date, workspaces: ReadonlySet<string> | null = null): Promise<number> {
  let enrolled = 0;
  for (const kind of ['schedule', 'date'] as const) {
    for (const t of await index.all(kind)) {
      if (workspaces && !workspaces.has(t.workspaceId)) continue;
      const workspace = await deps.versions.workspace(t.workspaceId);
      const cursorKey = `trigger:${t.versionId}`;
      const [cursor] = await deps.db.query<{ value: string }>(`SELECT value::text AS value FROM "RuntimeCounter" WHERE "workspaceId" = $1 AND key = $2`, [t.workspaceId, cursorKey]);
      const last = cursor ? new Date(Number(cursor.value)) : new Date(t.publishedAt);
      const run = dueRun(t.source, last, now, workspace.timeZone, !cursor);
      if (!run) continue;
      const customers = await audience(deps.db, t.workspaceId, t.source, run, workspace.timeZone);
      const runKey = run.toISOString();
      const result = await deps.enroll(
        t.workspaceId,
        t.journeyId,
        customers.map((customerId) => ({ customerId, entryKey: `${kind}:${runKey}:${customerId}`, trigger: { kind, data: { runAt: runKey } } })),
      );
      enrolled += result.enrolled.length;
      await deps.db.query(
        `INSERT INTO "RuntimeCounter" ("workspaceId", key, value) VALUES ($1, $2, $3) ON CONFLICT ("workspaceId", key) DO UPDATE SET value = EXCLUDED.value, "updatedAt" = now()`,
        [t.workspaceId, cursorKey, run.getTime()],
      );
    }
  }
  return enrolled;
}

/** The run due at `now` after the last one, if any. */
function dueRun(source: TriggerSource, last: Date, now: Date, timeZone: string, first: boolean): Date | null {
  if (source.kind === 'schedule') {
    if (source.at) {
      const at = new Date(source.at);
      return at <= now && (first || last < at) ? at : null;
    }
    if (source.cron) {
      const next = new Cron(source.cron, { timezone: source.timeZone ?? timeZone }).nextRun(last);
      return next && next <= now ? next : null;
    }
    return null;
  }
  if (source.kind === 'date') {
    const local = new TZDate(now.getTime(), timeZone);
    const [h, m] = source.time.split(':').map(Number);
    const today = new TZDate(local.getFullYear(), local.getMonth(), local.getDate(), h!, m!, 0, timeZone);
    const at = new Date(today.getTime());
    return at <= now && last < at ? at : null;
  }
  return null;
}

async function audience(db: Db, workspaceId: string, source: TriggerSource, run: Date, timeZone: string): Promise<string[]> {
  const segmentId = source.kind === 'schedule' || source.kind === 'date' ? source.segmentId : null;
  const inSegment = segmentId ? `AND EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."segmentId" = $2::uuid AND m."customerId" = c.id)` : `AND $2::uuid IS NULL`;
  if (source.kind === 'schedule') {
    return (await db.query<{ id: string }>(`SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1 ${inSegment}`, [workspaceId, segmentId])).map((r) => r.id);
  }
  if (source.kind !== 'date') return [];
  // The customer's date plus offsetDays is the run's local day, so the date is that day minus offsetDays.
  const day = format(subDays(new TZDate(run.getTime(), timeZone), source.offsetDays), 'yyyy-MM-dd');
  const local = (col: string) => `(${col} AT TIME ZONE $4)::date = $3::date`;
  const condition = {
    birthday: `to_char(c.birthday, 'MM-DD') = to_char($3::date, 'MM-DD') AND $4::text IS NOT NULL`,
    createdAt: local('c."createdAt"'),
    lastOrderAt: local('c."lastOrderAt"'),
    firstOrderAt: local(`(SELECT min(o."placedAt") FROM "Order" o WHERE o."customerId" = c.id AND o.status::text IN ${PAID_ORDER_STATUSES_SQL})`),
  }[source.field];
  return (await db.query<{ id: string }>(`SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1 ${inSegment} AND ${condition}`, [workspaceId, segmentId, day, timeZone])).map((r) => r.id);
}
