import type { Db } from '@courtyard/db';

/** What happened at one node of a journey, over all its versions. */
export interface NodeStats {
  /** The journey (for fields resolved per node, such as its messages). */
  journeyId: string;
  nodeId: string;
  /** Customers who reached the node (finished there, or inside it now). */
  entered: number;
  /** Inside the node now: waiting, or due to run. */
  waiting: number;
  completed: number;
  failed: number;
  exited: number;
  /** Completed steps by the port they left through. */
  byPort: { port: string; count: number }[];
}

/** Per-node counts from the step log and the enrollments inside, in two grouped statements. */
export async function journeyNodeStats(db: Db, journeyId: string): Promise<NodeStats[]> {
  const [steps, inside] = await Promise.all([
    db.query<{ nodeId: string; status: string; port: string | null; n: number }>(
      `SELECT "nodeId", status::text AS status, port, count(*)::int AS n FROM "StepRun"
        WHERE "journeyId" = $1 AND status <> 'retrying' GROUP BY 1, 2, 3`,
      [journeyId],
    ),
    db.query<{ nodeId: string; n: number }>(
      `SELECT "nodeId", count(*)::int AS n FROM "Enrollment" WHERE "journeyId" = $1 AND status IN ('active', 'waiting') GROUP BY 1`,
      [journeyId],
    ),
  ]);
  const stats = new Map<string, NodeStats>();
  const of = (nodeId: string) => {
    let s = stats.get(nodeId);
    if (!s) stats.set(nodeId, (s = { journeyId, nodeId, entered: 0, waiting: 0, completed: 0, failed: 0, exited: 0, byPort: [] }));
    return s;
  };
  for (const row of steps) {
    const s = of(row.nodeId);
    s.entered += row.n;
    if (row.status === 'completed') s.completed += row.n;
    else if (row.status === 'failed') s.failed += row.n;
    else if (row.status === 'exited') s.exited += row.n;
    if (row.port && row.status !== 'exited') {
      const p = s.byPort.find((b) => b.port === row.port);
      if (p) p.count += row.n;
      else s.byPort.push({ port: row.port, count: row.n });
    }
  }
  for (const row of inside) {
    const s = of(row.nodeId);
    s.entered += row.n;
    s.waiting += row.n;
  }
  return [...stats.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

/** An enrollment's path: every step it took, in order. */
export async function enrollmentPath(db: Db, enrollmentId: string) {
  return db.query<{ nodeId: string; visit: number; attempt: number; status: string; port: string | null; error: string | null; startedAt: Date; finishedAt: Date }>(
    `SELECT "nodeId", visit, attempt, status::text AS status, port, error, "startedAt", "finishedAt" FROM "StepRun" WHERE "enrollmentId" = $1 ORDER BY id`,
    [enrollmentId],
  );
}

/** A journey node's messages by state, with WeCom confirmations and quota skips. */
export interface NodeMessageStats {
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
  /** Of the skipped and the waiting, those held back by the shared WeCom quota. */
  overWeComQuota: number;
  confirmationWaiting: number;
  confirmationSent: number;
  confirmationNotSent: number;
  confirmationFailed: number;
}

/** One grouped statement over the node's messages (the journey/node index). */
export async function journeyNodeMessages(db: Db, journeyId: string, nodeId: string): Promise<NodeMessageStats> {
  const [row] = await db.query<NodeMessageStats>(
    `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
            count("sentAt")::int AS sent,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
            count(*) FILTER (WHERE status IN ('skipped', 'queued') AND error LIKE 'over WeCom quota%')::int AS "overWeComQuota",
            count(*) FILTER (WHERE confirmation = 'waiting')::int AS "confirmationWaiting",
            count(*) FILTER (WHERE confirmation = 'sent')::int AS "confirmationSent",
            count(*) FILTER (WHERE confirmation = 'not_sent')::int AS "confirmationNotSent",
            count(*) FILTER (WHERE confirmation = 'failed')::int AS "confirmationFailed"
       FROM "Delivery" WHERE "journeyId" = $1 AND "nodeId" = $2`,
    [journeyId, nodeId],
  );
  return row!;
}
