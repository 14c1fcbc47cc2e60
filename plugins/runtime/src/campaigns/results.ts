// What a campaign earned, per variant, sender or day: planned, sent, delivered, failed, replied,
// clicked, and the paid orders attributed to its messages — an order counts for the last message
// the customer was sent before it (across campaigns and journeys: last touch), when it came within
// the campaign's attribution window of that message. With a control group: its order rate beside
// the audience's and the uplift with a 95% confidence interval.
import { PAID_ORDER_STATUSES_SQL, type Db } from '@courtyard/db';

export type ResultsGroupBy = 'TOTAL' | 'VARIANT' | 'SENDER' | 'DAY';

export interface CampaignResultRow {
  /** The variant key, sender staff id, day (YYYY-MM-DD, workspace time zone) or null for TOTAL / not yet sent. */
  key: string | null;
  planned: number;
  sent: number;
  delivered: number;
  failed: number;
  replied: number;
  clicked: number;
  customersOrdered: number;
  orders: number;
  /** customersOrdered / sent (0 when nothing was sent). */
  orderRate: number;
  orderAmountCents: number;
  paidAmountCents: number;
  /** WeCom mass sends: handed to WeCom and waiting for the staff member to confirm. */
  confirmationWaiting: number;
  /** WeCom mass sends the staff member confirmed and WeCom sent. */
  confirmationSent: number;
  /** WeCom mass sends not confirmed before the task expired. */
  confirmationNotSent: number;
  /** WeCom mass sends WeCom could not send (not a friend, over the receive limit). */
  confirmationFailed: number;
  /** confirmationSent / every WeCom mass send of the row (0 when there is none). */
  confirmationRate: number;
}

export interface HoldoutResult {
  treatment: { customers: number; ordered: number; rate: number };
  control: { customers: number; ordered: number; rate: number };
  /** treatment.rate − control.rate (absolute, 0.012 = 1.2 points). */
  uplift: number;
  /** 95% confidence interval of the uplift (normal approximation); null when a group is empty. */
  ci95: [number, number] | null;
}

export interface ResultsScope {
  workspaceId: string;
  campaignId: string;
  /** One run only; default every run. */
  runId?: string | null;
}

async function campaignSettings(db: Db, scope: ResultsScope): Promise<{ hours: number; timeZone: string; variants: string[] }> {
  const [row] = await db.query<{ hours: number | null; timeZone: string; variants: string[] | null }>(
    `SELECT (c.definition->>'attributionHours')::int AS hours, w."timeZone",
            ARRAY(SELECT v->>'key' FROM jsonb_array_elements(COALESCE(c.definition->'content'->'variants', '[]'::jsonb)) v) AS variants
       FROM "Campaign" c JOIN "Workspace" w ON w.id = c."workspaceId"
      WHERE c.id = $1 AND c."workspaceId" = $2`,
    [scope.campaignId, scope.workspaceId],
  );
  if (!row) throw new Error(`campaign ${scope.campaignId} not found in this workspace`);
  return { hours: row.hours ?? 72, timeZone: row.timeZone, variants: (row.variants ?? []).filter((k): k is string => typeof k === 'string') };
}

const emptyRow = (key: string | null): CampaignResultRow => ({
  key, planned: 0, sent: 0, delivered: 0, failed: 0, replied: 0, clicked: 0,
  customersOrdered: 0, orders: 0, orderRate: 0, orderAmountCents: 0, paidAmountCents: 0,
  confirmationWaiting: 0, confirmationSent: 0, confirmationNotSent: 0, confirmationFailed: 0, confirmationRate: 0,
});

export async function campaignResults(db: Db, scope: ResultsScope, groupBy: ResultsGroupBy): Promise<CampaignResultRow[]> {
  const { hours, timeZone, variants } = await campaignSettings(db, scope);
  const key = {
    TOTAL: 'NULL::text',
    VARIANT: 'd.variant',
    SENDER: `d."senderStaffId"::text`,
    DAY: `to_char(d."sentAt" AT TIME ZONE $4, 'YYYY-MM-DD')`,
  }[groupBy];
  const rows = await db.query<Record<keyof CampaignResultRow, number> & { key: string | null }>(
    `WITH d AS (
       SELECT id, "customerId", variant, "senderStaffId", "sentAt", status, "deliveredAt", "repliedAt", "clickedAt", confirmation
         FROM "Delivery"
        WHERE "campaignId" = $1 AND "workspaceId" = $2 AND status NOT IN ('held_out', 'cancelled')
          AND ($3::uuid IS NULL OR "campaignRunId" = $3::uuid) AND $4::text IS NOT NULL),
     att AS (
       SELECT d.id, count(*)::int AS orders, sum(o."totalCents")::float8 AS amount, sum(o."paidCents")::float8 AS paid
         FROM d JOIN "Order" o ON o."customerId" = d."customerId" AND o."placedAt" > d."sentAt"
                              AND o."placedAt" <= d."sentAt" + $5 * interval '1 hour'
                              AND o.status::text IN ${PAID_ORDER_STATUSES_SQL}
        WHERE d."sentAt" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "Delivery" x WHERE x."customerId" = d."customerId" AND x."sentAt" > d."sentAt" AND x."sentAt" < o."placedAt")
        GROUP BY d.id)
     SELECT ${key} AS key,
            count(*)::int AS planned,
            count(d."sentAt")::int AS sent,
            count(d."deliveredAt")::int AS delivered,
            count(*) FILTER (WHERE d.status = 'failed')::int AS failed,
            count(d."repliedAt")::int AS replied,
            count(d."clickedAt")::int AS clicked,
            count(DISTINCT d."customerId") FILTER (WHERE att.orders > 0)::int AS "customersOrdered",
            COALESCE(sum(att.orders), 0)::int AS orders,
            COALESCE(sum(att.amount), 0)::float8 AS "orderAmountCents",
            COALESCE(sum(att.paid), 0)::float8 AS "paidAmountCents",
            count(*) FILTER (WHERE d.confirmation = 'waiting')::int AS "confirmationWaiting",
            count(*) FILTER (WHERE d.confirmation = 'sent')::int AS "confirmationSent",
            count(*) FILTER (WHERE d.confirmation = 'not_sent')::int AS "confirmationNotSent",
            count(*) FILTER (WHERE d.confirmation = 'failed')::int AS "confirmationFailed"
       FROM d LEFT JOIN att ON att.id = d.id
      GROUP BY 1 ORDER BY 1 NULLS LAST`,
    [scope.campaignId, scope.workspaceId, scope.runId ?? null, timeZone, hours],
  );
  const result: CampaignResultRow[] = rows.map((r) => {
    const handed = r.confirmationWaiting + r.confirmationSent + r.confirmationNotSent + r.confirmationFailed;
    return { ...r, orderRate: r.sent ? r.customersOrdered / r.sent : 0, confirmationRate: handed ? r.confirmationSent / handed : 0 };
  });
  if (groupBy === 'VARIANT') {
    // Every variant of the definition has its row, a variant no customer fell into included
    // (a small audience can leave one empty): the report shows it at zero instead of hiding it.
    const seen = new Set(result.map((r) => r.key));
    for (const v of variants) if (!seen.has(v)) result.push(emptyRow(v));
    result.sort((a, b) => (a.key ?? '\uffff').localeCompare(b.key ?? '\uffff'));
  }
  return result;
}

/**
 * The control group against the rest of the audience (intent to treat: everyone planned, sent
 * or not): who placed a paid order within the attribution window of their run's start.
 */
export async function holdoutResults(db: Db, scope: ResultsScope): Promise<HoldoutResult | null> {
  const { hours } = await campaignSettings(db, scope);
  const rows = await db.query<{ control: boolean; customers: number; ordered: number }>(
    `SELECT d.status = 'held_out' AS control, count(*)::int AS customers,
            count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM "Order" o WHERE o."customerId" = d."customerId" AND o.status::text IN ${PAID_ORDER_STATUSES_SQL}
                 AND o."placedAt" > r."startedAt" AND o."placedAt" <= r."startedAt" + $4 * interval '1 hour'))::int AS ordered
       FROM "Delivery" d JOIN "CampaignRun" r ON r.id = d."campaignRunId"
      WHERE d."campaignId" = $1 AND d."workspaceId" = $2 AND d.status <> 'cancelled' AND ($3::uuid IS NULL OR d."campaignRunId" = $3::uuid)
      GROUP BY 1`,
    [scope.campaignId, scope.workspaceId, scope.runId ?? null, hours],
  );
  const control = rows.find((r) => r.control);
  if (!control) return null;
  const treatment = rows.find((r) => !r.control) ?? { customers: 0, ordered: 0 };
  const rate = (g: { customers: number; ordered: number }) => (g.customers ? g.ordered / g.customers : 0);
  const t = { customers: treatment.customers, ordered: treatment.ordered, rate: rate(treatment) };
  const c = { customers: control.customers, ordered: control.ordered, rate: rate(control) };
  const uplift = t.rate - c.rate;
  const ci95: [number, number] | null =
    t.customers && c.customers
      ? (() => {
          const se = Math.sqrt((t.rate * (1 - t.rate)) / t.customers + (c.rate * (1 - c.rate)) / c.customers);
          return [uplift - 1.96 * se, uplift + 1.96 * se];
        })()
      : null;
  return { treatment: t, control: c, uplift, ci95 };
}
