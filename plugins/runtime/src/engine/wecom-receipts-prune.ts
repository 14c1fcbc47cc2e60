// WeCom callback receipts (WeComCallback) are kept while they can still matter, then deleted: a
// processed one until WeCom can no longer retry it (it retries within seconds; the event it made
// stays, with its own idempotency key), a failed one a month for an operator to look at. Without
// it the table grows by every callback's payload (~1 KB) forever.
import type { Db } from '@courtyard/db';

/** How long a processed callback's receipt is kept. */
export const PROCESSED_RECEIPT_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** How long a callback given up as failed is kept. */
export const FAILED_RECEIPT_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** Rows one DELETE takes: short statements, so receipts being written never wait long. */
const CHUNK = 5000;
/** Most rows one run deletes; the next minute's run goes on. */
const MAX_PER_RUN = 100_000;

/** Deletes receipts past their retention (the runtime's minute tick runs it); returns how many. */
export async function pruneWeComReceipts(db: Db, workspaces: ReadonlySet<string> | null, now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM "WeComCallback" WHERE id IN (
           SELECT id FROM "WeComCallback"
            WHERE "processedAt" < $1 AND status = 'processed' AND ($4::uuid[] IS NULL OR "workspaceId" = ANY($4::uuid[]))
           UNION ALL
           SELECT id FROM "WeComCallback"
            WHERE status = 'failed' AND "receivedAt" < $2 AND ($4::uuid[] IS NULL OR "workspaceId" = ANY($4::uuid[]))
           LIMIT $3)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [new Date(now.getTime() - PROCESSED_RECEIPT_RETENTION_MS), new Date(now.getTime() - FAILED_RECEIPT_RETENTION_MS), CHUNK, workspaces ? [...workspaces] : null],
    );
    total += row!.n;
    if (row!.n < CHUNK || total >= MAX_PER_RUN) return total;
  }
}
