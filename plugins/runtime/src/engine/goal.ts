import type { Db } from '@courtyard/db';
import { PAID_ORDER_STATUSES_SQL } from '@courtyard/db';
import type { LoadedVersion } from './versions.ts';

/**
 * Which enrollments have reached the journey's goal since they entered: checked before every
 * step, for the whole batch in one statement.
 */
export async function goalReached(db: Db, version: LoadedVersion, enrollments: { id: string; customerId: string; enteredAt: Date }[]): Promise<Set<string>> {
  const goal = version.settings.goal;
  if (!goal || !enrollments.length) return new Set();
  const rows = JSON.stringify(enrollments.map((e) => ({ id: e.id, c: e.customerId, at: new Date(e.enteredAt).toISOString() })));
  let sql: string;
  let params: unknown[];
  if (goal.kind === 'event') {
    sql = `SELECT r.id FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, c uuid, at timestamptz)
            WHERE EXISTS (SELECT 1 FROM "Event" ev WHERE ev."workspaceId" = $2 AND ev."customerId" = r.c AND ev.type = $3
                             AND ev."occurredAt" >= r.at AND ev.properties @> $4::jsonb)`;
    params = [rows, version.workspaceId, goal.eventType, JSON.stringify(goal.properties ?? {})];
  } else if (goal.kind === 'order') {
    sql = `SELECT r.id FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, c uuid, at timestamptz)
            WHERE EXISTS (SELECT 1 FROM "Order" o WHERE o."workspaceId" = $2 AND o."customerId" = r.c AND o."placedAt" >= r.at
                             AND o.status::text IN ${PAID_ORDER_STATUSES_SQL} AND o."paidCents" >= $3)`;
    params = [rows, version.workspaceId, goal.minAmountCents];
  } else {
    sql = `SELECT r.id FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, c uuid, at timestamptz)
            WHERE EXISTS (SELECT 1 FROM "SegmentMember" m WHERE m."workspaceId" = $2 AND m."segmentId" = $3::uuid AND m."customerId" = r.c)`;
    params = [rows, version.workspaceId, goal.segmentId];
  }
  return new Set((await db.query<{ id: string }>(sql, params)).map((r) => r.id));
}
