// Receipts: `message_delivered`, `message_replied` and `message_clicked` events, ingested like any
// other event, mark the delivery they are about — the one named by `properties.deliveryId` (or
// `properties.deliveryKey`), else the customer's latest sent message within the last 72 hours.
import { decodeRef, type Db } from '@courtyard/db';
import type { IngestedEvent } from '../engine/triggers.ts';

export const RECEIPT_EVENTS = {
  message_delivered: 'deliveredAt',
  message_replied: 'repliedAt',
  message_clicked: 'clickedAt',
} as const;

const LAST_TOUCH_HOURS = 72;

/** Links receipt events to deliveries of the workspace; returns how many deliveries changed. */
export async function linkReceipts(db: Db, workspaceId: string, events: IngestedEvent[]): Promise<number> {
  const receipts = events
    .filter((e) => e.type in RECEIPT_EVENTS)
    .map((e) => {
      const p = e.properties ?? {};
      const ref = typeof p.deliveryId === 'string' ? p.deliveryId : null;
      return {
        customer: e.customerId,
        kind: e.type,
        at: new Date(e.occurredAt).toISOString(),
        id: ref ? decodeRef('Delivery', ref) : null,
        key: typeof p.deliveryKey === 'string' ? p.deliveryKey : null,
      };
    });
  if (!receipts.length) return 0;
  // The receipt's delivery: by id or key when given (within the workspace and of that customer),
  // else the customer's latest message sent before the receipt, at most 72 hours before.
  // Statuses only move forward: sent → delivered → replied / clicked.
  const rows = await db.query<{ id: string }>(
    `WITH r AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(customer uuid, kind text, at timestamptz, id uuid, key text)),
     hit AS (
       SELECT d.id, r.kind, r.at FROM r
       JOIN LATERAL (
         SELECT d.id FROM "Delivery" d
          WHERE d."workspaceId" = $1 AND d."customerId" = r.customer AND d."sentAt" IS NOT NULL
            AND (r.id IS NULL OR d.id = r.id) AND (r.key IS NULL OR d.key = r.key)
            AND (r.id IS NOT NULL OR r.key IS NOT NULL OR (d."sentAt" <= r.at AND d."sentAt" > r.at - $3 * interval '1 hour'))
          ORDER BY d."sentAt" DESC LIMIT 1) d ON true),
     t AS (
       SELECT id, min(at) AS delivered,
              min(at) FILTER (WHERE kind = 'message_replied') AS replied,
              min(at) FILTER (WHERE kind = 'message_clicked') AS clicked
         FROM hit GROUP BY id)
     UPDATE "Delivery" d SET
       "deliveredAt" = COALESCE(d."deliveredAt", t.delivered),
       "repliedAt" = COALESCE(d."repliedAt", t.replied),
       "clickedAt" = COALESCE(d."clickedAt", t.clicked),
       status = CASE
         WHEN t.replied IS NOT NULL OR d.status = 'replied' THEN 'replied'::"DeliveryStatus"
         WHEN t.clicked IS NOT NULL OR d.status = 'clicked' THEN 'clicked'::"DeliveryStatus"
         WHEN d.status = 'sent' THEN 'delivered'::"DeliveryStatus"
         ELSE d.status END
       FROM t WHERE d.id = t.id
     RETURNING d.id`,
    [workspaceId, JSON.stringify(receipts), LAST_TOUCH_HOURS],
  );
  return rows.length;
}
