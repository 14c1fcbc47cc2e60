import type { Db } from '@courtyard/db';
import { isUuid, PAID_ORDER_STATUSES_SQL } from '@courtyard/db';
import { recheckCustomers } from '@courtyard/db/segments';
import { type Json, type JourneyCustomer, type JourneyNode, type NodeContext, type PluginScope, signedHeaders } from '@courtyard/plugin-sdk';
import { toUuid } from '../journey/refs.ts';
import { queueMessages } from './messages.ts';
import type { LoadedVersion, WorkspaceSettings } from './versions.ts';

export interface ContextDeps {
  db: Db;
  fetch: typeof fetch;
  /** Enrolls customers into another journey (the runtime's enroll, bound). */
  enroll(workspaceId: string, journeyId: string, entries: { customerId: string; entryKey: string; data?: Json }[]): Promise<number>;
  log(message: string, data?: unknown): void;
}

const uuids = (ids: string[]) => ids.map(toUuid).filter((id) => isUuid(id));

/** The database-backed NodeContext for one node of one version; refuses undeclared scopes. */
export function createNodeContext(
  deps: ContextDeps,
  version: LoadedVersion,
  nodeId: string,
  node: JourneyNode,
  workspace: WorkspaceSettings,
  now: Date,
  /** The batch's customers as nodes see them: writes are applied to them too, so the next node sees them without a reload. */
  loaded?: Map<string, JourneyCustomer>,
): NodeContext {
  const { db } = deps;
  const ws = workspace.id;
  const declared = new Set<PluginScope>(node.scopes ?? []);
  const need = (scope: PluginScope) => {
    if (!declared.has(scope)) throw new Error(`node ${node.id} used ${scope} without declaring it in its scopes`);
  };
  const recheck = (ids: string[], cause: 'tags' | 'attributes') => (ids.length ? recheckCustomers(db, ws, [...new Set(ids)], [cause]).then(() => undefined) : Promise.resolve());

  return {
    workspace: { id: ws, timeZone: workspace.timeZone },
    journey: { id: version.journeyId, versionId: version.id, version: version.version, nodeId },
    now: () => now,
    log: (message, data) => deps.log(`[journey ${version.journeyId} node ${nodeId}] ${message}`, data),
    customers: {
      async addTags(changes) {
        need('tags:write');
        const pairs = changes.flatMap((c) => uuids(c.tagIds).map((tagId) => ({ c: c.customerId, t: tagId })));
        if (!pairs.length) return;
        const added = await db.query<{ customerId: string; tagId: string }>(
          `INSERT INTO "CustomerTag" ("customerId", "tagId", "workspaceId", source)
           SELECT c.id, t.id, $1, 'journey' FROM jsonb_to_recordset($2::jsonb) AS p(c uuid, t uuid)
             JOIN "Customer" c ON c.id = p.c AND c."workspaceId" = $1
             JOIN "Tag" t ON t.id = p.t AND t."workspaceId" = $1
           ON CONFLICT DO NOTHING RETURNING "customerId", "tagId"`,
          [ws, JSON.stringify(pairs)],
        );
        for (const r of added) {
          const c = loaded?.get(r.customerId);
          if (c && !c.tagIds.includes(r.tagId)) c.tagIds.push(r.tagId);
        }
        await recheck(changes.map((c) => c.customerId), 'tags');
      },
      async removeTags(changes) {
        need('tags:write');
        const pairs = changes.flatMap((c) => uuids(c.tagIds).map((tagId) => ({ c: c.customerId, t: tagId })));
        if (!pairs.length) return;
        const removed = await db.query<{ customerId: string; tagId: string }>(
          `DELETE FROM "CustomerTag" ct USING jsonb_to_recordset($2::jsonb) AS p(c uuid, t uuid)
            WHERE ct."customerId" = p.c AND ct."tagId" = p.t AND ct."workspaceId" = $1
            RETURNING ct."customerId", ct."tagId"`,
          [ws, JSON.stringify(pairs)],
        );
        for (const r of removed) {
          const c = loaded?.get(r.customerId);
          if (c) c.tagIds = c.tagIds.filter((t) => t !== r.tagId);
        }
        await recheck(changes.map((c) => c.customerId), 'tags');
      },
      async updateAttributes(changes) {
        need('customers:write');
        if (!changes.length) return;
        const rows = changes.map((c) => {
          const set = { ...c.set };
          const builtin: Record<string, unknown> = {};
          for (const key of ['lifecycleStage', 'city'] as const) {
            if (key in set) {
              builtin[key] = set[key];
              delete set[key];
            }
          }
          const unset = Object.keys(set).filter((k) => set[k] === null);
          for (const k of unset) delete set[k];
          return { c: c.customerId, set, unset, stage: builtin.lifecycleStage ?? null, hasStage: 'lifecycleStage' in builtin, city: builtin.city ?? null, hasCity: 'city' in builtin };
        });
        const updated = await db.query<{ id: string; attributes: JourneyCustomer['attributes']; lifecycleStage: string; city: string | null }>(
          `UPDATE "Customer" c SET attributes = (c.attributes || u.set) - u.unset,
                  "lifecycleStage" = CASE WHEN u."hasStage" AND u.stage IS NOT NULL THEN u.stage::"LifecycleStage" ELSE c."lifecycleStage" END,
                  city = CASE WHEN u."hasCity" THEN u.city ELSE c.city END,
                  "updatedAt" = now()
             FROM jsonb_to_recordset($2::jsonb) AS u(c uuid, set jsonb, unset text[], stage text, "hasStage" boolean, city text, "hasCity" boolean)
            WHERE c.id = u.c AND c."workspaceId" = $1
            RETURNING c.id, c.attributes, c."lifecycleStage"::text AS "lifecycleStage", c.city`,
          [ws, JSON.stringify(rows)],
        );
        for (const r of updated) {
          const c = loaded?.get(r.id);
          if (c) Object.assign(c, { attributes: r.attributes, lifecycleStage: r.lifecycleStage, city: r.city });
        }
        await recheck(changes.map((c) => c.customerId), 'attributes');
      },
      async assignOwner(changes) {
        need('customers:write');
        if (!changes.length) return;
        const owned = await db.query<{ id: string; ownerStaffId: string }>(
          `UPDATE "Customer" c SET "ownerStaffId" = s.id, "updatedAt" = now()
             FROM jsonb_to_recordset($2::jsonb) AS a(c uuid, s uuid)
             JOIN "Staff" s ON s.id = a.s AND s."workspaceId" = $1
            WHERE c.id = a.c AND c."workspaceId" = $1
            RETURNING c.id, c."ownerStaffId"`,
          [ws, JSON.stringify(changes.map((c) => ({ c: c.customerId, s: toUuid(c.staffId) })))],
        );
        for (const r of owned) {
          const c = loaded?.get(r.id);
          if (c) c.ownerStaffId = r.ownerStaffId;
        }
      },
    },
    query: {
      async inSegment(segmentId, customerIds) {
        need('segments:read');
        segmentId = toUuid(segmentId);
        if (!isUuid(segmentId) || !customerIds.length) return new Set();
        const rows = await db.query<{ customerId: string }>(
          `SELECT "customerId" FROM "SegmentMember" WHERE "workspaceId" = $1 AND "segmentId" = $2 AND "customerId" = ANY($3::uuid[])`,
          [ws, segmentId, customerIds],
        );
        return new Set(rows.map((r) => r.customerId));
      },
      async eventCounts(customerIds, q) {
        need('events:read');
        const rows = await db.query<{ customerId: string; n: number }>(
          `SELECT "customerId", count(*)::int AS n FROM "Event"
            WHERE "workspaceId" = $1 AND "customerId" = ANY($2::uuid[]) AND type = $3 AND properties @> $4::jsonb
              AND "occurredAt" >= COALESCE(($7::jsonb ->> "customerId"::text)::timestamptz, $5::timestamptz, '-infinity')
              AND ($6::timestamptz IS NULL OR "occurredAt" < $6)
            GROUP BY "customerId"`,
          [ws, customerIds, q.type, JSON.stringify(q.properties ?? {}), q.since ?? null, q.until ?? null, JSON.stringify(q.sinceByCustomer ?? {})],
        );
        return new Map(rows.map((r) => [r.customerId, r.n]));
      },
      async orderStats(customerIds, q) {
        need('orders:read');
        const rows = await db.query<{ customerId: string; n: number; total: number }>(
          `SELECT "customerId", count(*)::int AS n, coalesce(sum("paidCents"), 0)::float8 AS total FROM "Order"
            WHERE "workspaceId" = $1 AND "customerId" = ANY($2::uuid[]) AND status::text IN ${PAID_ORDER_STATUSES_SQL}
              AND "placedAt" >= COALESCE(($7::jsonb ->> "customerId"::text)::timestamptz, $3::timestamptz, '-infinity')
              AND ($4::timestamptz IS NULL OR "placedAt" < $4)
              AND ($5::text[] IS NULL OR platform = ANY($5::text[])) AND "paidCents" >= $6
            GROUP BY "customerId"`,
          [ws, customerIds, q.since ?? null, q.until ?? null, q.platforms?.length ? q.platforms : null, q.minAmountCents ?? 0, JSON.stringify(q.sinceByCustomer ?? {})],
        );
        return new Map(rows.map((r) => [r.customerId, { count: r.n, totalCents: r.total }]));
      },
      async staff(staffIds) {
        need('staff:read');
        const rows = await db.query<{ id: string; name: string; active: boolean; customers: number }>(
          `SELECT s.id, s.name, s.active, (SELECT count(*)::int FROM "Customer" c WHERE c."ownerStaffId" = s.id) AS customers
             FROM "Staff" s WHERE s."workspaceId" = $1 AND ($2::uuid[] IS NULL OR s.id = ANY($2::uuid[])) ORDER BY s."createdAt", s.id`,
          [ws, staffIds ? uuids(staffIds) : null],
        );
        return rows;
      },
    },
    messages: {
      async send(messages) {
        need('messages:send');
        return queueMessages(db.query.bind(db), {
          workspace,
          journeyId: version.journeyId,
          nodeId,
          quietHours: version.settings.quietHours ?? workspace.quietHours,
          now,
          messages,
        });
      },
    },
    journeys: {
      async enroll(journeyId, items) {
        need('journeys:write');
        journeyId = toUuid(journeyId);
        if (!isUuid(journeyId)) return 0;
        return deps.enroll(
          ws,
          journeyId,
          items.map(({ item, data }) => ({ customerId: item.customer.id, entryKey: `journey:${item.idempotencyKey}`, data: { ...(data ?? {}), fromJourney: version.journeyId } })),
        );
      },
    },
    http: {
      async postSigned({ url, secret, idempotencyKey, body, timeoutMs = 10_000 }) {
        need('http:outbound');
        const text = JSON.stringify(body);
        const response = await deps.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signedHeaders(secret, idempotencyKey, text, now) },
          body: text,
          signal: AbortSignal.timeout(timeoutMs),
        });
        return { status: response.status, body: (await response.text()).slice(0, 4096) };
      },
    },
    async counter(name, increment) {
      const [row] = await db.query<{ value: string }>(
        `INSERT INTO "RuntimeCounter" ("workspaceId", key, value) VALUES ($1, $2, $3)
         ON CONFLICT ("workspaceId", key) DO UPDATE SET value = "RuntimeCounter".value + EXCLUDED.value, "updatedAt" = now()
         RETURNING value::text AS value`,
        [ws, `journey:${version.journeyId}:${nodeId}:${name}`, increment],
      );
      return Number(row!.value);
    },
  };
}
