import { isUuid, type QueryFn } from '@courtyard/db';
import type { BatchItem, MessageContent, SendOutcome } from '@courtyard/plugin-sdk';
import { channelDrivers } from '../channels/index.ts';
import { toUuid } from '../journey/refs.ts';
import { dayStart } from './clock.ts';
import { refusal, timing } from './send-rules.ts';
import type { WorkspaceSettings } from './versions.ts';

export interface OutboxRequest {
  workspace: WorkspaceSettings;
  journeyId: string | null;
  nodeId: string | null;
  /** The journey's quiet hours when set, else the workspace's. */
  quietHours: { start: string; end: string } | null;
  now: Date;
  messages: { item: BatchItem; content: MessageContent }[];
}

const ADDRESS_FIELD = { email: 'email', phone: 'phone', wecomExternalId: 'wecomExternalId' } as const;

/**
 * Puts a batch of messages into the Delivery outbox, once per idempotency key. Before queuing it
 * applies, in order: an existing delivery with the key (queued again is a no-op), consent and
 * blacklist, the channel's address, quiet hours (deferred) and the frequency cap (deferred to the
 * next day or skipped, as the workspace chose). Set-based: a handful of statements per batch.
 */
export async function queueMessages(query: QueryFn, request: OutboxRequest): Promise<SendOutcome[]> {
  const { workspace, now } = request;
  let { messages } = request;
  if (messages.length === 0) return [];
  const keys = messages.map((m) => m.item.idempotencyKey);
  const existing = new Map(
    (await query<{ key: string; id: string }>(`SELECT key, id FROM "Delivery" WHERE "workspaceId" = $1 AND key = ANY($2::text[])`, [workspace.id, keys])).map((r) => [r.key, r.id]),
  );

  messages = messages.map((m) => ({ ...m, content: { ...m.content, channel: toUuid(m.content.channel) } }));
  const channelIds = [...new Set(messages.map((m) => m.content.channel).filter(isUuid))];
  const channels = new Map(
    (channelIds.length
      ? await query<{ id: string; type: string; enabled: boolean }>(`SELECT id, type, enabled FROM "Channel" WHERE "workspaceId" = $1 AND id = ANY($2::uuid[])`, [workspace.id, channelIds])
      : []
    ).map((c) => [c.id, c]),
  );

  const capped = workspace.frequencyCapPerDay != null && messages.some((m) => m.content.marketing !== false);
  const sentToday = new Map<string, number>();
  if (capped) {
    const ids = [...new Set(messages.map((m) => m.item.customer.id))];
    const rows = await query<{ customerId: string; n: number }>(
      `SELECT "customerId", count(*)::int AS n FROM "Delivery"
        WHERE "workspaceId" = $1 AND "customerId" = ANY($2::uuid[]) AND marketing AND status NOT IN ('skipped', 'failed') AND "createdAt" >= $3
        GROUP BY "customerId"`,
      [workspace.id, ids, dayStart(now, workspace.timeZone)],
    );
    for (const r of rows) sentToday.set(r.customerId, r.n);
  }

  const outcomes: SendOutcome[] = new Array(messages.length);
  const toInsert: { index: number; key: string; customerId: string; channel: string; content: MessageContent }[] = [];
  messages.forEach(({ item, content }, index) => {
    const found = existing.get(item.idempotencyKey);
    if (found) return void (outcomes[index] = { status: 'queued', deliveryId: found });
    const marketing = content.marketing !== false;
    const customer = item.customer;
    const refused = refusal(customer, marketing);
    if (refused) return void (outcomes[index] = refused);
    const channel = channels.get(content.channel);
    const type = channel ? channel.type : content.channel;
    const driver = channelDrivers[type as keyof typeof channelDrivers];
    if (!driver || (channel && !channel.enabled)) return void (outcomes[index] = { status: 'skipped', reason: `channel ${content.channel} is not configured or is disabled` });
    if (driver.address !== 'none' && !customer[ADDRESS_FIELD[driver.address]]) {
      return void (outcomes[index] = { status: 'skipped', reason: `customer has no ${driver.address} for the ${type} channel` });
    }
    const count = sentToday.get(customer.id) ?? 0;
    const notNow = timing(marketing, workspace, request.quietHours, now, count);
    if (notNow) return void (outcomes[index] = notNow);
    if (marketing) sentToday.set(customer.id, count + 1);
    toInsert.push({ index, key: item.idempotencyKey, customerId: customer.id, channel: content.channel, content });
  });

  if (toInsert.length) {
    const enrollmentOf = new Map(messages.map((m) => [m.item.idempotencyKey, m.item.enrollmentId]));
    const rows = await query<{ key: string; id: string }>(
      `INSERT INTO "Delivery" ("workspaceId", key, "customerId", "journeyId", "enrollmentId", "nodeId", channel, subject, body, attachments, marketing)
       SELECT $1, t.key, t.customer, $2, t.enrollment, $3, t.channel, t.subject, t.body, t.attachments, t.marketing
         FROM jsonb_to_recordset($4::jsonb) AS t(key text, customer uuid, enrollment uuid, channel text, subject text, body text, attachments jsonb, marketing boolean)
       ON CONFLICT ("workspaceId", key) DO NOTHING
       RETURNING key, id`,
      [
        workspace.id,
        request.journeyId,
        request.nodeId,
        JSON.stringify(
          toInsert.map((t) => ({
            key: t.key,
            customer: t.customerId,
            enrollment: enrollmentOf.get(t.key) ?? null,
            channel: t.channel,
            subject: t.content.subject ?? null,
            body: t.content.body,
            attachments: t.content.attachments ?? [],
            marketing: t.content.marketing !== false,
          })),
        ),
      ],
    );
    const ids = new Map(rows.map((r) => [r.key, r.id]));
    const missing = toInsert.filter((t) => !ids.has(t.key)).map((t) => t.key);
    if (missing.length) {
      // Queued by a concurrent run of the same step: same key, same message.
      for (const r of await query<{ key: string; id: string }>(`SELECT key, id FROM "Delivery" WHERE "workspaceId" = $1 AND key = ANY($2::text[])`, [workspace.id, missing])) ids.set(r.key, r.id);
    }
    for (const t of toInsert) outcomes[t.index] = { status: 'queued', deliveryId: ids.get(t.key)! };
  }
  return outcomes;
}
