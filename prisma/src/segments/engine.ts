// Keeping segment membership true: full refreshes (set-based, one statement), re-checks of the few
// customers a change touched (point mode), previews, and the entry/exit log behind daily stats.
import type { Db, QueryFn } from '../client.ts';
import { compileSegment, type CompileMode } from './compile.ts';
import type { SegmentDefinition } from './definition.ts';
import { decodeRef } from '../ids.ts';
import { oneAtATime } from '../one-at-a-time.ts';
import { conditionsOf } from './validate.ts';

/** What a change touched; segments whose dependencies meet it are re-checked. */
export type SegmentChangeCause = 'created' | 'attributes' | 'tags' | 'orders' | `event:${string}` | `segment:${string}`;

export interface StoredSegment {
  id: string;
  workspaceId: string;
  definition: SegmentDefinition;
  dependsOn: string[];
}

export interface MembershipDelta {
  segmentId: string;
  entered: string[];
  exited: string[];
}

export type MembershipListener = (db: Db, workspaceId: string, deltas: MembershipDelta[]) => void;
const listeners = new Set<MembershipListener>();

/**
 * Hears every committed membership change of this process (journeys start on segment entry and
 * exit). Returns the function that stops listening.
 */
export function onMembershipChange(listener: MembershipListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Tells the listeners about membership changes written outside this engine (static segments). */
export function announceMembershipChange(db: Db, workspaceId: string, deltas: MembershipDelta[]) {
  const moved = deltas.filter((d) => d.entered.length || d.exited.length);
  if (!moved.length) return;
  for (const listener of listeners) {
    try {
      listener(db, workspaceId, moved);
    } catch (error) {
      console.warn(`segment membership listener failed: ${(error as Error).message}`);
    }
  }
}

/**
 * Memberships that moved by this many rows at once (a refresh, an import) get their table's
 * statistics renewed right away. Until autovacuum gets to it (10% of the table must change first)
 * PostgreSQL would believe a freshly filled segment has no members and read a re-check's
 * (segment, customer) pair by segment alone, filtering all of its members: 100–300 ms a re-check
 * on a segment of 160,000 instead of well under 1 ms.
 */
export const BULK_CHANGE = 5_000;
/** How many rows of SegmentMember the deltas wrote or removed. */
export const movedRows = (deltas: MembershipDelta[]) => deltas.reduce((n, d) => n + d.entered.length + d.exited.length, 0);
const analyzing = oneAtATime<Db>();

/**
 * Runs ANALYZE "SegmentMember", one at a time per database: a request while one runs makes it run
 * once more after (the rows that request saw may have come after its sample). Resolves when the
 * statistics include every change made before the call; never rejects (autovacuum is the fallback).
 */
export function analyzeMembership(db: Db): Promise<void> {
  return analyzing(db, () => db.query('ANALYZE "SegmentMember"').then(() => undefined)).catch(() => {
    // The database went away (shutting down) or is busy: autovacuum will get to it.
  });
}

function resolveId(kind: 'Tag' | 'Segment', id: string): string {
  const uuid = decodeRef(kind, id);
  if (!uuid) throw new Error(`${id} is not a ${kind} id`);
  return uuid;
}

/** The changes a definition's membership depends on, and 'time' when it moves with the clock. */
export function dependenciesOf(definition: SegmentDefinition): string[] {
  const deps = new Set<string>();
  for (const c of conditionsOf(definition.root)) {
    switch (c.kind) {
      case 'attribute':
      case 'channel':
      case 'consent':
      case 'blacklisted':
        deps.add('attributes');
        if (c.kind === 'attribute' && (c.operator === 'withinLastDays' || c.operator === 'notWithinLastDays')) deps.add('time');
        if (c.kind === 'attribute' && ['orderCount', 'totalSpent', 'lastOrderAt'].includes(c.field)) deps.add('orders');
        break;
      case 'tags':
        deps.add('tags');
        break;
      case 'event':
        deps.add(`event:${c.type}`);
        if (c.window && 'lastDays' in c.window) deps.add('time');
        break;
      case 'notPerformedSince':
        deps.add(`event:${c.type}`);
        if ('lastDays' in c.since) deps.add('time');
        break;
      case 'orders':
      case 'purchased':
        deps.add('orders');
        if (c.window && 'lastDays' in c.window) deps.add('time');
        if (c.kind === 'orders' && (c.operator === 'withinLastDays' || c.operator === 'notWithinLastDays')) deps.add('time');
        break;
      case 'firstOrderAfterEvent':
        deps.add('orders');
        deps.add(`event:${c.eventType}`);
        break;
      case 'segment':
        deps.add(`segment:${resolveId('Segment', c.segmentId)}`);
        break;
      case 'randomBucket':
        break;
    }
  }
  return [...deps].sort();
}

/** The SELECT of a segment's customers, for counts, previews and `explain`. */
export function segmentQuery(workspaceId: string, definition: SegmentDefinition, mode: CompileMode = 'set', now?: Date) {
  const { where, params } = compileSegment(definition, { workspaceId, mode, now, resolveId }, [workspaceId]);
  return { sql: `SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1::uuid AND ${where}`, params };
}

/**
 * Planner costs for set-mode segment statements, set for their transaction only. A segment reads
 * indexes that are in memory (or on SSD), where a random page costs about what a sequential one
 * does; at the default random_page_cost of 4 the planner reads the whole order table and hashes it
 * instead of walking the covering indexes in customer order (1M customers, 5 conditions: 1.6 s
 * against 0.9 s).
 */
const SET_MODE_PLANNER = `SET LOCAL random_page_cost = 1.1`;

export async function countSegment(db: Db, workspaceId: string, definition: SegmentDefinition): Promise<number> {
  const { sql, params } = segmentQuery(workspaceId, definition);
  const [row] = await db.transaction(async (query) => {
    await query(SET_MODE_PLANNER);
    return query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) s`, params);
  });
  return row!.n;
}

function diffStatement(targetSql: string, restrictTo: string | null): string {
  return `
    WITH target AS MATERIALIZED (${targetSql}),
    entered AS (
      INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId")
      SELECT $2::uuid, t.id, $1::uuid FROM target t
      WHERE NOT EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."segmentId" = $2::uuid AND m."customerId" = t.id)
      ON CONFLICT DO NOTHING
      RETURNING "customerId"),
    exited AS (
      DELETE FROM "SegmentMember" m
      WHERE m."segmentId" = $2::uuid ${restrictTo ? `AND m."customerId" = ANY(${restrictTo})` : ''}
        AND NOT EXISTS (SELECT 1 FROM target t WHERE t.id = m."customerId")
      RETURNING "customerId"),
    logged AS (
      INSERT INTO "SegmentChange" ("workspaceId", "segmentId", "customerId", "kind")
      SELECT $1::uuid, $2::uuid, "customerId", 'entered'::"SegmentChangeKind" FROM entered
      UNION ALL
      SELECT $1::uuid, $2::uuid, "customerId", 'exited'::"SegmentChangeKind" FROM exited
      RETURNING "customerId", "kind")
    SELECT "customerId" AS id, "kind"::text AS kind FROM logged`;
}

function toDelta(segmentId: string, rows: { id: string; kind: string }[]): MembershipDelta {
  return {
    segmentId,
    entered: rows.filter((r) => r.kind === 'entered').map((r) => r.id),
    exited: rows.filter((r) => r.kind === 'exited').map((r) => r.id),
  };
}

async function locked<T>(db: Db, segmentId: string, fn: (query: QueryFn) => Promise<T>): Promise<T> {
  return db.transaction(async (query) => {
    // One writer per segment at a time, so two refreshes never log the same entry twice.
    await query(`SELECT pg_advisory_xact_lock(hashtext('segment:' || $1::text))`, [segmentId]);
    return fn(query);
  });
}

/**
 * The re-check's statements run on every change: prepared once per connection (their text is fixed
 * per segment definition; values are parameters), so PostgreSQL neither parses nor, once it settles
 * on a generic plan, plans them again.
 */
const PREPARE = { prepare: true } as const;

/**
 * Part of the statement that takes a re-check's locks: the re-check statements after it in the same
 * transaction run on their generic plan. Left to choose, PostgreSQL kept planning them for each
 * customer (a custom plan looked cheaper than the generic one for the arrays of ids), ~0.9 ms of
 * planning for ~0.3 ms of execution; a point re-check's plan does not depend on the values (it
 * starts from the customers' ids either way). Re-check after one event: 1.10 → 0.39 ms of
 * PostgreSQL CPU.
 */
const GENERIC_PLANS = `set_config('plan_cache_mode', 'force_generic_plan', true)`;

/** Above this many segment × customer pairs a re-check locks whole segments instead. */
const PAIR_LOCKS = 256;

/**
 * The SQL expression that takes a re-check's locks, over `segments` (a relation with a text `id`)
 * and `customers` (a text[]): for a few pairs, each segment shared (a refresh, which takes it
 * exclusively, waits) and each (segment, customer) pair exclusively, so re-checks of different
 * customers run side by side while two re-checks of one customer never log the same entry twice;
 * above PAIR_LOCKS pairs, the segments exclusively. Always in id order, so two re-checks never
 * deadlock. The expression's value is the number of locks taken.
 */
function recheckLocks(segments: string, customers: string): string {
  return `CASE WHEN (SELECT count(*) FROM ${segments}) * cardinality(${customers}) > ${PAIR_LOCKS}
    THEN (SELECT count(pg_advisory_xact_lock(hashtext('segment:' || id))) FROM (SELECT id FROM ${segments} ORDER BY id) o)
    ELSE (SELECT count(pg_advisory_xact_lock_shared(hashtext('segment:' || id))) FROM (SELECT id FROM ${segments} ORDER BY id) o)
       + (SELECT count(pg_advisory_xact_lock(hashtext('segment:' || p.id || ':' || p.c))) FROM (SELECT s.id, c FROM ${segments} s, unnest(${customers}) AS c ORDER BY 1, 2) p)
    END`;
}

/** Takes the locks for re-checking `customerIds` against `segmentIds` (see recheckLocks), in one round trip. */
async function lockForRecheck(query: QueryFn, segmentIds: string[], customerIds: string[]) {
  await query(`WITH ids AS (SELECT unnest($1::text[]) AS id) SELECT ${recheckLocks('ids', '$2::text[]')} AS n, ${GENERIC_PLANS} AS plans`, [segmentIds, customerIds], PREPARE);
}

/** Recomputes the whole membership of a dynamic segment in one statement; returns who entered and left. */
export async function refreshSegment(db: Db, segment: StoredSegment, now?: Date): Promise<MembershipDelta> {
  const { where, params } = compileSegment(segment.definition, { workspaceId: segment.workspaceId, mode: 'set', now, resolveId }, [segment.workspaceId, segment.id]);
  const target = `SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1::uuid AND ${where}`;
  const rows = await locked(db, segment.id, async (query) => {
    await query(SET_MODE_PLANNER);
    const result = await query<{ id: string; kind: string }>(diffStatement(target, null), params);
    await query(`UPDATE "Segment" SET "lastRefreshedAt" = now() WHERE id = $1::uuid`, [segment.id]);
    return result;
  });
  const delta = toDelta(segment.id, rows);
  // The next statements on this segment (its re-checks, a second refresh, a campaign's audience)
  // are planned on statistics that know its new size.
  if (movedRows([delta]) >= BULK_CHANGE) await analyzeMembership(db);
  announceMembershipChange(db, segment.workspaceId, [delta]);
  return delta;
}

async function recheckIn(query: QueryFn, segment: StoredSegment, customerIds: string[], now?: Date): Promise<MembershipDelta> {
  const { where, params } = compileSegment(segment.definition, { workspaceId: segment.workspaceId, mode: 'point', now, resolveId }, [segment.workspaceId, segment.id, customerIds]);
  const target = `SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1::uuid AND c.id = ANY($3::uuid[]) AND ${where}`;
  return toDelta(segment.id, await query<{ id: string; kind: string }>(diffStatement(target, '$3::uuid[]'), params, PREPARE));
}

/** Re-checks only `customerIds` against one segment (after a change that concerns them). */
export async function recheckSegment(db: Db, segment: StoredSegment, customerIds: string[], now?: Date): Promise<MembershipDelta> {
  if (!customerIds.length) return { segmentId: segment.id, entered: [], exited: [] };
  const delta = await db.transaction(async (query) => {
    await lockForRecheck(query, [segment.id], customerIds);
    return recheckIn(query, segment, customerIds, now);
  });
  announceMembershipChange(db, segment.workspaceId, [delta]);
  return delta;
}

/**
 * The dynamic segments a change may move, with their locks taken (see recheckLocks), in one
 * statement: a segment depends on one of the causes, or on another segment (which may move). The
 * statement reads the segments before it waits for the locks; the re-check reads the data after.
 */
async function candidatesLocked(query: QueryFn, workspaceId: string, customerIds: string[], causes: string[]): Promise<StoredSegment[]> {
  return query<StoredSegment>(
    `WITH segs AS MATERIALIZED (
       SELECT id, "workspaceId", definition, "dependsOn", "createdAt" FROM "Segment"
       WHERE "workspaceId" = $1::uuid AND type = 'dynamic'
         AND ($3::bool OR "dependsOn" && $2::text[] OR EXISTS (SELECT 1 FROM unnest("dependsOn") d WHERE d LIKE 'segment:%'))),
     ids AS (SELECT id::text AS id FROM segs),
     locks AS MATERIALIZED (SELECT ${recheckLocks('ids', '$4::text[]')} AS n, ${GENERIC_PLANS} AS plans)
     SELECT segs.id, segs."workspaceId", segs.definition, segs."dependsOn" FROM segs, locks WHERE locks.n >= 0 ORDER BY segs."createdAt", segs.id`,
    [workspaceId, causes, causes.includes('created'), customerIds],
    PREPARE,
  );
}

/**
 * Re-checks `customerIds` against segments that do not depend on each other, in one statement: per
 * segment, who passes, who enters, who exits; then one insert into the change log for all of them.
 */
async function recheckTogether(query: QueryFn, workspaceId: string, segments: StoredSegment[], customerIds: string[], now?: Date): Promise<MembershipDelta[]> {
  if (segments.length === 1) return [await recheckIn(query, segments[0]!, customerIds, now)];
  let params: unknown[] = [workspaceId, customerIds];
  const ctes: string[] = [];
  const changes: string[] = [];
  segments.forEach((segment, k) => {
    params.push(segment.id);
    const id = `$${params.length}::uuid`;
    const compiled = compileSegment(segment.definition, { workspaceId, mode: 'point', now, resolveId }, params);
    params = compiled.params;
    ctes.push(
      `t${k} AS MATERIALIZED (SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1::uuid AND c.id = ANY($2::uuid[]) AND ${compiled.where})`,
      `e${k} AS (INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId")
         SELECT ${id}, t.id, $1::uuid FROM t${k} t
         WHERE NOT EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."segmentId" = ${id} AND m."customerId" = t.id)
         ON CONFLICT DO NOTHING RETURNING "customerId")`,
      `x${k} AS (DELETE FROM "SegmentMember" m
         WHERE m."segmentId" = ${id} AND m."customerId" = ANY($2::uuid[]) AND NOT EXISTS (SELECT 1 FROM t${k} t WHERE t.id = m."customerId")
         RETURNING "customerId")`,
    );
    changes.push(`SELECT ${id} AS s, "customerId", 'entered'::"SegmentChangeKind" AS kind FROM e${k}`, `SELECT ${id}, "customerId", 'exited'::"SegmentChangeKind" FROM x${k}`);
  });
  const rows = await query<{ segmentId: string; id: string; kind: string }>(
    `WITH ${ctes.join(',\n')},
     logged AS (
       INSERT INTO "SegmentChange" ("workspaceId", "segmentId", "customerId", "kind")
       SELECT $1::uuid, s, "customerId", kind FROM (${changes.join('\n UNION ALL ')}) l
       RETURNING "segmentId", "customerId", "kind")
     SELECT "segmentId", "customerId" AS id, "kind"::text AS kind FROM logged`,
    params,
    PREPARE,
  );
  return segments.map((segment) => toDelta(segment.id, rows.filter((r) => r.segmentId === segment.id)));
}

/**
 * After a change to some customers, re-checks every dynamic segment that depends on it, then the
 * segments that depend on those whose membership moved. Returns every non-empty delta. All of it
 * runs in one transaction that takes its locks up front (see recheckLocks): four round trips
 * whatever the number of segments — BEGIN, the segments with their locks, one statement for all
 * the segments that do not depend on each other, COMMIT (segments that depend on segments add one
 * statement per level).
 */
export async function recheckCustomers(db: Db, workspaceId: string, customerIds: string[], causes: SegmentChangeCause[]): Promise<MembershipDelta[]> {
  if (!customerIds.length) return [];
  const result = await db.transaction(async (query) => {
    const candidates = dependencyOrder(await candidatesLocked(query, workspaceId, customerIds, causes));
    if (!candidates.length) return [];
    const deltas: MembershipDelta[] = [];
    const touched = new Set<string>(causes);
    const candidateIds = new Set(candidates.map((s) => s.id));
    const done = new Set<string>();
    // Level by level: a segment goes once every candidate it references has been re-checked, and
    // only if something it depends on was touched (a cause, or a segment whose membership moved).
    let pending = candidates;
    while (pending.length) {
      const ready = pending.filter((s) => s.dependsOn.every((d) => !d.startsWith('segment:') || !candidateIds.has(d.slice(8)) || done.has(d.slice(8))));
      if (!ready.length) throw new Error(`segments ${pending.map((s) => s.id).join(', ')} reference each other in a cycle`);
      pending = pending.filter((s) => !ready.includes(s));
      const due = ready.filter((s) => touched.has('created') || s.dependsOn.some((d) => touched.has(d)));
      for (const s of ready) done.add(s.id);
      if (!due.length) continue;
      for (const delta of await recheckTogether(query, workspaceId, due, customerIds)) {
        if (delta.entered.length || delta.exited.length) {
          deltas.push(delta);
          touched.add(`segment:${delta.segmentId}`);
        }
      }
    }
    return deltas;
  });
  announceMembershipChange(db, workspaceId, result);
  return result;
}

/** Segments ordered so that each comes after the segments it references (cycles are rejected on save). */
export function dependencyOrder<T extends { id: string; dependsOn: string[] }>(segments: T[]): T[] {
  const byId = new Map(segments.map((s) => [s.id, s]));
  const ordered: T[] = [];
  const seen = new Set<string>();
  const visit = (s: T) => {
    if (seen.has(s.id)) return;
    seen.add(s.id);
    for (const dep of s.dependsOn) {
      const other = dep.startsWith('segment:') ? byId.get(dep.slice('segment:'.length)) : undefined;
      if (other) visit(other);
    }
    ordered.push(s);
  };
  segments.forEach(visit);
  return ordered;
}
