import type { Db } from '@courtyard/db';
import type { RemoteCallRecord } from '../remote/caller.ts';

/** How long calls to partners stay in the log. */
export const CALL_LOG_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * The call log of partner plugins: every call the remote caller ends (batches and installation
 * callbacks) becomes a `PluginCall` row of its installation. Rows are written in small batches off
 * the call's path (a log that cannot be written never fails a step) and pruned after 7 days.
 */
export class CallLog {
  private pending: RemoteCallRecord[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Pick<Db, 'query'>,
    private readonly log: (message: string) => void,
  ) {}

  record(record: RemoteCallRecord) {
    this.pending.push(record);
    if (!this.flushing) this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.write());
  }

  /** Writes what is pending (tests and `drain` wait for it). */
  async flush(): Promise<void> {
    while (this.flushing || this.pending.length) await (this.flushing ?? (this.flushing = this.write()));
  }

  private async write(): Promise<void> {
    const rows = this.pending.splice(0, this.pending.length);
    try {
      if (rows.length) {
        await this.db.query(
          `INSERT INTO "PluginCall" ("workspaceId", "installationId", kind, "nodeId", "eventType", "pluginVersion", "idempotencyKey", "startedAt", "batchSize", ok, "httpStatus", "latencyMs", attempts, "errorCode", error)
           SELECT r."workspaceId", r."installationId", r.kind, r."nodeId", r."eventType", r."pluginVersion", r."idempotencyKey", r."startedAt", r."batchSize", r.ok, r."httpStatus", r."latencyMs", r.attempts, r."errorCode", r.error
             FROM jsonb_to_recordset($1::jsonb) AS r("workspaceId" uuid, "installationId" uuid, kind text, "nodeId" text, "eventType" text, "pluginVersion" text, "idempotencyKey" text,
                  "startedAt" timestamptz, "batchSize" int, ok boolean, "httpStatus" int, "latencyMs" int, attempts int, "errorCode" text, error text)
            WHERE EXISTS (SELECT 1 FROM "Installation" i WHERE i.id = r."installationId" AND i."workspaceId" = r."workspaceId")`,
          [
            JSON.stringify(
              rows.map((r) => ({
                workspaceId: r.workspaceId,
                installationId: r.installationId,
                kind: r.kind,
                nodeId: r.nodeId,
                eventType: r.eventType,
                pluginVersion: r.pluginVersion,
                idempotencyKey: r.idempotencyKey,
                startedAt: r.startedAt.toISOString(),
                batchSize: r.batchSize,
                ok: r.outcome === 'ok',
                httpStatus: r.httpStatus,
                latencyMs: Math.round(r.latencyMs),
                attempts: r.attempts,
                errorCode: r.error?.code ?? null,
                error: r.error?.message.slice(0, 2000) ?? null,
              })),
            ),
          ],
        );
      }
    } catch (error) {
      this.log(`call log: ${rows.length} call(s) not recorded: ${(error as Error).message}`);
    } finally {
      this.flushing = null;
      if (this.pending.length) this.flushing = this.write();
    }
  }

  /** Deletes calls older than the retention (the minute tick runs it); returns how many. */
  async prune(now = new Date()): Promise<number> {
    const deleted = await this.db.query<{ n: number }>(
      `WITH gone AS (DELETE FROM "PluginCall" WHERE "startedAt" < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [new Date(now.getTime() - CALL_LOG_RETENTION_MS)],
    );
    return deleted[0]?.n ?? 0;
  }
}
