// One per-customer quota for WeCom mass messages, shared by campaigns and journeys. WeCom lets a
// customer receive at most N mass messages a period (notes §7: days-in-month a month by default;
// admins may set 7 a week or 1 a day), and refuses the rest per customer (send_result 3). Courtyard
// counts the same way before it asks: a send over the quota is skipped or delayed to the next
// period, as the workspace says, and reported on the delivery.
import type { Db } from '@courtyard/db';

export type QuotaPeriod = 'day' | 'week' | 'month';
export type QuotaAction = 'skip' | 'delay';

export interface QuotaSettings {
  period: QuotaPeriod;
  /** null: WeCom's own number for the period. */
  limit: number | null;
  action: QuotaAction;
}

// WeCom counts natural days, weeks and months in China time (the stand-in's reading, notes §7).
const CHINA_OFFSET_MS = 8 * 3_600_000;

export interface QuotaWindow {
  start: Date;
  end: Date;
  limit: number;
}

/** The period containing `at` and the limit that applies in it. */
export function quotaWindow(settings: Pick<QuotaSettings, 'period' | 'limit'>, at: Date): QuotaWindow {
  const china = new Date(at.getTime() + CHINA_OFFSET_MS);
  const y = china.getUTCFullYear();
  const m = china.getUTCMonth();
  const d = china.getUTCDate();
  let start: number;
  let end: number;
  let wecomLimit: number;
  if (settings.period === 'day') {
    start = Date.UTC(y, m, d);
    end = Date.UTC(y, m, d + 1);
    wecomLimit = 1;
  } else if (settings.period === 'week') {
    start = Date.UTC(y, m, d - ((china.getUTCDay() + 6) % 7));
    end = start + 7 * 86_400_000;
    wecomLimit = 7;
  } else {
    start = Date.UTC(y, m, 1);
    end = Date.UTC(y, m + 1, 1);
    wecomLimit = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  }
  return { start: new Date(start - CHINA_OFFSET_MS), end: new Date(end - CHINA_OFFSET_MS), limit: settings.limit ?? wecomLimit };
}

export async function loadQuotaSettings(db: Db, workspaceId: string): Promise<QuotaSettings> {
  const [row] = await db.query<{ period: QuotaPeriod; limit: number | null; action: QuotaAction }>(
    `SELECT "wecomQuotaPeriod"::text AS period, "wecomQuotaLimit" AS limit, "wecomQuotaAction"::text AS action FROM "Workspace" WHERE id = $1`,
    [workspaceId],
  );
  return row ?? { period: 'month', limit: null, action: 'skip' };
}

/**
 * WeCom mass messages each customer has in the window: handed to WeCom and not known to have
 * failed or gone unsent (waiting for their staff member, or sent). Reads the (customer, sentAt) index.
 */
export async function quotaUsed(db: Db, customerIds: string[], window: Pick<QuotaWindow, 'start' | 'end'>): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  const rows = await db.query<{ customerId: string; n: number }>(
    `SELECT "customerId", count(*)::int AS n FROM "Delivery"
      WHERE "customerId" = ANY($1::uuid[]) AND "sentAt" >= $2 AND "sentAt" < $3
        AND "wecomTaskId" IS NOT NULL AND confirmation IN ('waiting', 'sent')
      GROUP BY 1`,
    [[...new Set(customerIds)], window.start, window.end],
  );
  return new Map(rows.map((r) => [r.customerId, r.n]));
}

export function quotaReason(settings: QuotaSettings, window: QuotaWindow): string {
  return `over WeCom quota: ${window.limit} mass message${window.limit === 1 ? '' : 's'} a ${settings.period} per customer`;
}
