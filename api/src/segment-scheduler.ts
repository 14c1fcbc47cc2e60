// Segments whose membership moves with the clock ("in the last 30 days") are refreshed on a
// schedule. Any number of API nodes may run this: a PostgreSQL advisory lock lets one node at a
// time do a round, and a refresh is idempotent anyway.
import type { Db } from '@courtyard/db';
import { refreshSegment, type SegmentDefinition } from '@courtyard/db/segments';
import type { CourtyardPubSub } from '@courtyard/schema';

export interface SegmentSchedulerOptions {
  /** Minutes between rounds. Default: COURTYARD_SEGMENT_REFRESH_MINUTES, else 15. */
  intervalMinutes?: number;
}

const LOCK_KEY = 'courtyard:segment-scheduler';

/** Refreshes every time-dependent dynamic segment of every workspace once; returns how many it refreshed. */
export async function refreshTimeDependentSegments(db: Db, pubsub?: CourtyardPubSub): Promise<number> {
  const refreshAll = async () => {
    const segments = await db.prisma.segment.findMany({
      where: { type: 'dynamic', dependsOn: { has: 'time' } },
      select: { id: true, workspaceId: true, definition: true, dependsOn: true },
    });
    for (const segment of segments) {
      const delta = await refreshSegment(db, { ...segment, definition: segment.definition as unknown as SegmentDefinition });
      if (delta.entered.length || delta.exited.length) pubsub?.publish('segmentChanged', segment.workspaceId, delta);
    }
    return segments.length;
  };
  // An embedded database has one process; PostgreSQL may have many nodes, and one round at a time is enough.
  if (db.kind === 'pglite') return refreshAll();
  return db.transaction(async (query) => {
    const [lock] = await query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok`, [LOCK_KEY]);
    return lock?.ok ? refreshAll() : 0;
  });
}

export function startSegmentScheduler(db: Db, pubsub: CourtyardPubSub, options: SegmentSchedulerOptions = {}): () => void {
  const minutes = options.intervalMinutes ?? Number(process.env.COURTYARD_SEGMENT_REFRESH_MINUTES ?? 15);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    refreshTimeDependentSegments(db, pubsub)
      .catch((error: unknown) => console.error('Scheduled segment refresh failed:', error))
      .finally(() => (running = false));
  }, minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
