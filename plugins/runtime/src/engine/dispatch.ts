import { type Db, isUuid } from '@courtyard/db';
import { openChannel } from '../channels/index.ts';
import type { ChannelConnection, ChannelContext, ChannelSendResult, OutboundMessage } from '../channels/types.ts';

interface ClaimedDelivery {
  id: string;
  workspaceId: string;
  key: string;
  channel: string;
  subject: string | null;
  body: string;
  attachments: unknown[];
  attempts: number;
  leaseUntil: Date;
  customer: OutboundMessage['customer'];
  channelType: string | null;
  channelConfig: unknown;
  channelUpdatedAt: Date | null;
  channelEnabled: boolean | null;
}

export interface DispatchDeps {
  db: Db;
  leaseMs: number;
  claimLimit: number;
  /** Attempts before a retryable failure is final. Default 6 (about a minute of backoff). */
  maxAttempts: number;
  /** Only these workspaces' deliveries (tests sharing one database); null: all. */
  workspaces: ReadonlySet<string> | null;
  log(message: string): void;
}

/**
 * Opened channel connections, one per channel config version, so SMTP pools and WeCom tokens are
 * reused across batches.
 */
export class ChannelPool {
  private readonly open = new Map<string, ChannelConnection>();
  constructor(private readonly context?: ChannelContext) {}

  get(key: string, type: string, config: unknown): ChannelConnection {
    let connection = this.open.get(key);
    if (!connection) {
      connection = openChannel(type as never, config, this.context);
      this.open.set(key, connection);
    }
    return connection;
  }

  async close() {
    await Promise.all([...this.open.values()].map((c) => c.close?.().catch(() => undefined)));
    this.open.clear();
  }
}

/**
 * One pass of the outbox dispatcher: claims queued deliveries that are due, sends them through
 * their channels in batches, and records the outcome. A worker that dies after a channel accepted
 * a message but before this pass recorded it leaves the lease to expire; the next pass sends the
 * message again with the same idempotency key, which the receiver uses to drop the repeat.
 */
export async function dispatchDeliveries(deps: DispatchDeps, channels: ChannelPool): Promise<number> {
  const claimed = await deps.db.query<ClaimedDelivery>(
    `WITH due AS (
       SELECT id FROM "Delivery"
        WHERE status = 'queued' AND "nextAttemptAt" <= now() AND ("leaseUntil" IS NULL OR "leaseUntil" < now())
          AND ($3::uuid[] IS NULL OR "workspaceId" = ANY($3::uuid[]))
        ORDER BY "nextAttemptAt" LIMIT $1 FOR UPDATE SKIP LOCKED)
     UPDATE "Delivery" d SET "leaseUntil" = now() + $2 * interval '1 millisecond', attempts = d.attempts + 1
       FROM due WHERE d.id = due.id
     RETURNING d.id, d."workspaceId", d.key, d.channel, d.subject, d.body, d.attachments, d.attempts, d."leaseUntil",
       (SELECT json_build_object('id', c.id, 'name', c.name, 'phone', c.phone, 'email', c.email, 'wecomExternalId', c."wecomExternalId",
                 'ownerStaff', (SELECT json_build_object('id', s.id, 'name', s.name, 'wecomUserId', s."wecomUserId") FROM "Staff" s WHERE s.id = c."ownerStaffId"))
          FROM "Customer" c WHERE c.id = d."customerId") AS customer,
       NULL::text AS "channelType", NULL::jsonb AS "channelConfig", NULL::timestamptz AS "channelUpdatedAt", NULL::boolean AS "channelEnabled"`,
    [deps.claimLimit, deps.leaseMs, deps.workspaces ? [...deps.workspaces] : null],
  );
  if (!claimed.length) return 0;
  await attachChannels(deps.db, claimed);

  const groups = new Map<string, ClaimedDelivery[]>();
  for (const d of claimed) {
    const key = d.channelType ? `${d.channel}@${new Date(d.channelUpdatedAt!).getTime()}` : d.channel;
    const list = groups.get(key);
    if (list) list.push(d);
    else groups.set(key, [d]);
  }
  const outcomes: { id: string; lease: string; status: string; error: string | null; provider: string | null; next: string | null }[] = [];
  await Promise.all(
    [...groups].map(async ([key, list]) => {
      const first = list[0]!;
      const type = first.channelType ?? first.channel;
      let results: ChannelSendResult[];
      try {
        if (first.channelEnabled === false) throw Object.assign(new Error(`channel ${first.channel} is disabled`), { final: true });
        const connection = channels.get(key, type, first.channelType ? first.channelConfig : {});
        results = await connection.send(
          list.map((d) => ({
            deliveryId: d.id,
            idempotencyKey: d.key,
            workspaceId: d.workspaceId,
            customer: d.customer,
            subject: d.subject,
            body: d.body,
            attachments: (d.attachments ?? []) as never[],
          })),
        );
      } catch (error) {
        const final = (error as { final?: boolean; issues?: unknown }).final === true || (error as { issues?: unknown }).issues !== undefined;
        results = list.map(() => ({ status: 'failed', error: (error as Error).message, retryable: !final }));
      }
      list.forEach((d, i) => {
        const r = results[i] ?? { status: 'failed', error: 'channel returned no result', retryable: true };
        const lease = new Date(d.leaseUntil).toISOString();
        if (r.status === 'sent') return void outcomes.push({ id: d.id, lease, status: 'sent', error: null, provider: r.providerMessageId ?? null, next: null });
        if (r.status === 'skipped') return void outcomes.push({ id: d.id, lease, status: 'skipped', error: r.error, provider: null, next: null });
        if (r.status === 'deferred') return void outcomes.push({ id: d.id, lease, status: 'queued', error: r.error, provider: null, next: r.until.toISOString() });
        if (r.retryable && d.attempts < deps.maxAttempts) {
          const delay = 1000 * 2 ** (d.attempts - 1);
          return void outcomes.push({ id: d.id, lease, status: 'queued', error: r.error, provider: null, next: new Date(Date.now() + delay).toISOString() });
        }
        outcomes.push({ id: d.id, lease, status: 'failed', error: r.error, provider: null, next: null });
      });
    }),
  );
  await deps.db.query(
    `UPDATE "Delivery" d SET status = o.status::"DeliveryStatus", error = o.error, "providerMessageId" = COALESCE(o.provider, d."providerMessageId"),
            "sentAt" = CASE WHEN o.status = 'sent' THEN now() ELSE d."sentAt" END,
            "nextAttemptAt" = COALESCE(o.next, d."nextAttemptAt"), "leaseUntil" = NULL
       FROM jsonb_to_recordset($1::jsonb) AS o(id uuid, lease timestamptz, status text, error text, provider text, next timestamptz)
      WHERE d.id = o.id AND d."leaseUntil" = o.lease`,
    [JSON.stringify(outcomes)],
  );
  return claimed.length;
}

async function attachChannels(db: Db, deliveries: ClaimedDelivery[]) {
  const ids = [...new Set(deliveries.map((d) => d.channel).filter(isUuid))];
  if (!ids.length) return;
  const rows = await db.query<{ id: string; workspaceId: string; type: string; config: unknown; updatedAt: Date; enabled: boolean }>(
    `SELECT id, "workspaceId", type, config, "updatedAt", enabled FROM "Channel" WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const d of deliveries) {
    const ch = byId.get(d.channel);
    // A channel of another workspace is never used, whatever the delivery row says.
    if (ch && ch.workspaceId === d.workspaceId) {
      d.channelType = ch.type;
      d.channelConfig = ch.config;
      d.channelUpdatedAt = ch.updatedAt;
      d.channelEnabled = ch.enabled;
    }
  }
}
