import type { Db } from '@courtyard/db';
import type { InstallCallback, PluginManifest } from '@courtyard/plugin-sdk';
import { RemoteCallError } from '../remote/errors.ts';
import type { RemoteNodeCaller } from '../remote/caller.ts';

/**
 * Waits before attempt n+1 of a callback (n = attempts made): half a minute at first, then longer,
 * about 13 hours in all before giving up. A partner deploying a fix overnight still gets it.
 */
export const CALLBACK_BACKOFF_MS = [30_000, 120_000, 600_000, 1_800_000, 3_600_000, 3 * 3_600_000, 8 * 3_600_000];
/** Attempts before a callback is given up (`failed`). */
export const CALLBACK_MAX_ATTEMPTS = CALLBACK_BACKOFF_MS.length + 1;

interface Claimed {
  id: string;
  workspaceId: string;
  installationId: string;
  type: string;
  payload: InstallCallback;
  attempts: number;
  callbackSecret: string | null;
  manifest: PluginManifest;
}

/**
 * The installation callbacks' outbox (`PluginCallback`): rows are written in the transaction that
 * installed, upgraded, rotated or uninstalled, and delivered here, signed with the plugin's callback
 * secret, one attempt a pass, oldest first per installation (a partner never hears of an uninstall
 * before the install). The row id is the `webhook-id` of every attempt, so a partner can drop
 * repeats. Credentials leave the row once delivered or given up.
 */
export class InstallCallbacks {
  constructor(
    private readonly db: Pick<Db, 'query'>,
    private readonly caller: Pick<RemoteNodeCaller, 'sendInstallCallback'>,
    private readonly options: { workspaces: ReadonlySet<string> | null; log: (message: string) => void; leaseMs: number; onChange?: (workspaceId: string) => void },
  ) {}

  /** Delivers the callbacks due at `now`, at most `limit`; returns how many were tried. */
  async deliverDue(now = new Date(), limit = 50): Promise<number> {
    const claimed = await this.db.query<Claimed>(
      `WITH due AS (
         SELECT c.id FROM "PluginCallback" c
          WHERE c.status = 'pending' AND c."nextAttemptAt" <= $1
            AND ($4::uuid[] IS NULL OR c."workspaceId" = ANY($4::uuid[]))
            AND NOT EXISTS (SELECT 1 FROM "PluginCallback" o WHERE o."installationId" = c."installationId" AND o.status = 'pending'
                               AND (o."createdAt", o.id) < (c."createdAt", c.id))
          ORDER BY c."nextAttemptAt" LIMIT $2 FOR UPDATE SKIP LOCKED),
       taken AS (
         UPDATE "PluginCallback" c SET attempts = c.attempts + 1, "nextAttemptAt" = $1::timestamptz + $3 * interval '1 millisecond'
           FROM due WHERE c.id = due.id
         RETURNING c.id, c."workspaceId", c."installationId", c.type, c.payload, c.attempts)
       SELECT t.*, l."callbackSecret", v.manifest
         FROM taken t JOIN "Installation" i ON i.id = t."installationId"
         JOIN "PluginListing" l ON l.id = i."listingId" JOIN "PluginVersion" v ON v.id = i."versionId"`,
      [now, limit, this.options.leaseMs, this.options.workspaces ? [...this.options.workspaces] : null],
    );
    await Promise.all(claimed.map((c) => this.deliver(c, now)));
    for (const workspaceId of new Set(claimed.map((c) => c.workspaceId))) this.options.onChange?.(workspaceId);
    return claimed.length;
  }

  private async deliver(c: Claimed, now: Date) {
    let error: string | null = null;
    if (!c.callbackSecret) error = 'the plugin has no callback secret yet: its partner must rotate one (rotatePluginCallbackSecret)';
    else if (!c.manifest.endpoints) error = 'the installed version has no endpoints';
    else {
      try {
        await this.caller.sendInstallCallback({ endpoints: c.manifest.endpoints, callbackSecret: c.callbackSecret }, c.payload, { deliveryId: c.id });
      } catch (e) {
        error = e instanceof RemoteCallError ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? e);
      }
    }
    if (error === null) {
      await this.db.query(`UPDATE "PluginCallback" SET status = 'delivered', "deliveredAt" = $2, "lastError" = NULL, payload = payload - 'credentials' WHERE id = $1`, [c.id, new Date()]);
      return;
    }
    const giveUp = c.attempts >= CALLBACK_MAX_ATTEMPTS;
    const next = new Date(now.getTime() + (CALLBACK_BACKOFF_MS[c.attempts - 1] ?? 0));
    await this.db.query(
      `UPDATE "PluginCallback" SET status = $2::"PluginCallbackStatus", "nextAttemptAt" = $3, "lastError" = $4,
              payload = CASE WHEN $2 = 'failed' THEN payload - 'credentials' ELSE payload END
        WHERE id = $1`,
      [c.id, giveUp ? 'failed' : 'pending', next, error.slice(0, 2000)],
    );
    if (giveUp) this.options.log(`installation callback ${c.type} of ${c.installationId} given up after ${c.attempts} attempts: ${error}`);
  }
}
