import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../client.ts';
import { createTestDb } from '../testing.ts';
import { DEMO_STAFF, DEMO_TAXONOMY } from './catalog.ts';
import { generateCustomers } from './generate.ts';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

const NOW = new Date('2026-06-20T04:00:00.000Z');

/** A workspace with the demo taxonomy and staff, as a brand would have set it up. */
async function brandWorkspace(name: string): Promise<string> {
  const [ws] = await db.query<{ id: string }>(`INSERT INTO "Workspace" (name) VALUES ($1) RETURNING id`, [name]);
  const workspaceId = ws!.id;
  for (const staff of DEMO_STAFF) {
    await db.query(`INSERT INTO "Staff" ("workspaceId", name, "wecomUserId") VALUES ($1, $2, $3)`, [workspaceId, staff.name, staff.wecomUserId]);
  }
  for (const group of DEMO_TAXONOMY) {
    const [g] = await db.query<{ id: string }>(
      `INSERT INTO "TagGroup" ("workspaceId", name, kind) VALUES ($1, $2, $3::"TagGroupKind") RETURNING id`,
      [workspaceId, group.name, group.kind],
    );
    for (const tag of group.tags) await db.query(`INSERT INTO "Tag" ("workspaceId", "groupId", name) VALUES ($1, $2, $3)`, [workspaceId, g!.id, tag]);
  }
  return workspaceId;
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT (${sql})::int AS n`, params);
  return row!.n;
}

describe('generateCustomers', () => {
  let workspaceId: string;
  beforeAll(async () => {
    workspaceId = await brandWorkspace('生成测试');
    const result = await generateCustomers(db, { workspaceId, customers: 300, seed: 3, now: NOW, chunkSize: 120 });
    expect(result.customers).toBe(300);
  });

  it('makes N customers with unique, valid mainland mobile numbers and Chinese names', async () => {
    const rows = await db.query<{ name: string; phone: string }>(`SELECT name, phone FROM "Customer" WHERE "workspaceId" = $1`, [workspaceId]);
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((r) => r.phone)).size).toBe(300);
    for (const row of rows) {
      expect(row.phone).toMatch(/^1[3-9]\d{9}$/);
      expect(row.name).toMatch(/^[\u4e00-\u9fff]{2,4}$/);
    }
  });

  it("keeps each customer's order count, total spent and last order time equal to their paid, shipped and completed orders", async () => {
    const mismatched = await db.query(
      `SELECT c.id FROM "Customer" c
       LEFT JOIN (
         SELECT "customerId", count(*)::int AS n, sum("paidCents") AS spent, max("placedAt") AS last
         FROM "Order" WHERE "workspaceId" = $1 AND status IN ('paid', 'shipped', 'completed') GROUP BY "customerId"
       ) o ON o."customerId" = c.id
       WHERE c."workspaceId" = $1
         AND (c."orderCount" <> coalesce(o.n, 0) OR c."totalSpentCents" <> coalesce(o.spent, 0)
              OR c."lastOrderAt" IS DISTINCT FROM o.last)`,
      [workspaceId],
    );
    expect(mismatched).toEqual([]);
    expect(await count(`SELECT sum("totalSpentCents") FROM "Customer" WHERE "workspaceId" = $1`, [workspaceId])).toBeGreaterThan(0);
  });

  it('gives every order items that add up to its total, and paid amounts only to paid orders', async () => {
    const bad = await db.query(
      `SELECT o.id FROM "Order" o
       JOIN (SELECT "orderId", sum(quantity * "unitCents") AS total FROM "OrderItem" GROUP BY "orderId") i ON i."orderId" = o.id
       WHERE o."workspaceId" = $1
         AND (o."totalCents" <> i.total
              OR (o.status IN ('pending', 'cancelled') AND (o."paidCents" <> 0 OR o."paidAt" IS NOT NULL))
              OR (o.status NOT IN ('pending', 'cancelled') AND (o."paidCents" <> o."totalCents" - o."discountCents" OR o."paidAt" IS NULL)))`,
      [workspaceId],
    );
    expect(bad).toEqual([]);
    const orders = await count(`SELECT count(*) FROM "Order" WHERE "workspaceId" = $1`, [workspaceId]);
    expect(await count(`SELECT count(DISTINCT "orderId") FROM "OrderItem" WHERE "workspaceId" = $1`, [workspaceId])).toBe(orders);
    expect(orders / 300).toBeGreaterThan(1.5);
    expect(orders / 300).toBeLessThan(2.5);
  });

  it('sets lifecycle stages that agree with the order counts', async () => {
    const stages = await db.query<{ stage: string; min: number; max: number }>(
      `SELECT "lifecycleStage" AS stage, min("orderCount")::int AS min, max("orderCount")::int AS max
       FROM "Customer" WHERE "workspaceId" = $1 GROUP BY 1`,
      [workspaceId],
    );
    const byStage = Object.fromEntries(stages.map((s) => [s.stage, s]));
    expect(byStage.lead?.max ?? 0).toBe(0);
    expect(byStage.prospect?.max ?? 0).toBe(0);
    expect(byStage.customer).toMatchObject({ min: 1, max: 1 });
    expect(byStage.repeat?.min).toBeGreaterThanOrEqual(2);
    expect(byStage.vip?.min).toBeGreaterThanOrEqual(2);
    expect(byStage.churned?.min ?? 1).toBeGreaterThanOrEqual(1);
  });

  it('writes about ten events per customer with unique idempotency keys', async () => {
    const [events] = await db.query<{ n: number; keys: number; types: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT "idempotencyKey")::int AS keys, count(DISTINCT type)::int AS types FROM "Event" WHERE "workspaceId" = $1`,
      [workspaceId],
    );
    expect(events!.keys).toBe(events!.n);
    expect(events!.n / 300).toBeGreaterThan(8);
    expect(events!.n / 300).toBeLessThan(13);
    expect(events!.types).toBeGreaterThanOrEqual(8);
    // Every paid order has its order_paid event.
    expect(await count(`SELECT count(*) FROM "Event" WHERE "workspaceId" = $1 AND type = 'order_paid'`, [workspaceId])).toBe(
      await count(`SELECT count(*) FROM "Order" WHERE "workspaceId" = $1 AND "paidAt" IS NOT NULL`, [workspaceId]),
    );
  });

  it("links everything it writes to the workspace's own customers, staff and tags", async () => {
    const foreign = await count(
      `SELECT (SELECT count(*) FROM "Event" e JOIN "Customer" c ON c.id = e."customerId" WHERE e."workspaceId" = $1 AND c."workspaceId" <> $1)
            + (SELECT count(*) FROM "Order" o JOIN "Customer" c ON c.id = o."customerId" WHERE o."workspaceId" = $1 AND c."workspaceId" <> $1)
            + (SELECT count(*) FROM "OrderItem" i JOIN "Order" o ON o.id = i."orderId" WHERE i."workspaceId" = $1 AND o."workspaceId" <> $1)
            + (SELECT count(*) FROM "CustomerTag" ct JOIN "Tag" t ON t.id = ct."tagId" WHERE ct."workspaceId" = $1 AND t."workspaceId" <> $1)
            + (SELECT count(*) FROM "Customer" c JOIN "Staff" s ON s.id = c."ownerStaffId" WHERE c."workspaceId" = $1 AND s."workspaceId" <> $1)`,
      [workspaceId],
    );
    expect(foreign).toBe(0);
    const tagged = await db.query<{ kind: string }>(
      `SELECT DISTINCT g.kind::text AS kind FROM "CustomerTag" ct JOIN "Tag" t ON t.id = ct."tagId" JOIN "TagGroup" g ON g.id = t."groupId" WHERE ct."workspaceId" = $1`,
      [workspaceId],
    );
    expect(tagged.map((t) => t.kind).sort()).toEqual(['basic', 'behaviour', 'intent', 'risk']);
    expect(await count(`SELECT count(*) FROM "Customer" WHERE "workspaceId" = $1 AND "wecomExternalId" IS NOT NULL AND "ownerStaffId" IS NULL`, [workspaceId])).toBe(0);
  });

  it('adds a second batch to the same workspace without reusing phones, e-mails or keys', async () => {
    await generateCustomers(db, { workspaceId, customers: 40, seed: 3, now: NOW });
    const [row] = await db.query<{ n: number; phones: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT phone)::int AS phones FROM "Customer" WHERE "workspaceId" = $1`,
      [workspaceId],
    );
    expect(row).toEqual({ n: 340, phones: 340 });
  });
});

describe('generateCustomers with a seed', () => {
  async function snapshot(workspaceId: string) {
    const customers = await db.query(
      `SELECT name, phone, email, gender, birthday::text, city, "sourceChannel", "lifecycleStage", "wecomExternalId", attributes,
              "orderCount", "totalSpentCents"::text, "lastOrderAt", "createdAt"
       FROM "Customer" WHERE "workspaceId" = $1 ORDER BY phone`,
      [workspaceId],
    );
    const orders = await db.query(
      `SELECT platform, "externalId", status, "totalCents"::text, "paidCents"::text, "placedAt" FROM "Order" WHERE "workspaceId" = $1 ORDER BY platform, "externalId"`,
      [workspaceId],
    );
    const events = await db.query(
      `SELECT type, "idempotencyKey", "occurredAt" FROM "Event" WHERE "workspaceId" = $1 ORDER BY "idempotencyKey"`,
      [workspaceId],
    );
    const tags = await db.query(
      `SELECT c.phone, t.name FROM "CustomerTag" ct JOIN "Customer" c ON c.id = ct."customerId" JOIN "Tag" t ON t.id = ct."tagId"
       WHERE ct."workspaceId" = $1 ORDER BY 1, 2`,
      [workspaceId],
    );
    return { customers, orders, events, tags };
  }

  it('generates the same data for the same seed, and different data for another', async () => {
    const [a, b, c] = [await brandWorkspace('种子 A'), await brandWorkspace('种子 B'), await brandWorkspace('种子 C')];
    await generateCustomers(db, { workspaceId: a, customers: 60, seed: 42, now: NOW });
    await generateCustomers(db, { workspaceId: b, customers: 60, seed: 42, now: NOW, chunkSize: 7 });
    await generateCustomers(db, { workspaceId: c, customers: 60, seed: 43, now: NOW });
    const [sa, sb, sc] = [await snapshot(a), await snapshot(b), await snapshot(c)];
    expect(sa.customers).toHaveLength(60);
    expect(sb).toEqual(sa);
    expect(sc.customers.map((x) => x.name)).not.toEqual(sa.customers.map((x) => x.name));
  });

  it('rejects an unknown workspace', async () => {
    await expect(generateCustomers(db, { workspaceId: '00000000-0000-4000-8000-000000000000', customers: 1 })).rejects.toThrow(/no workspace/);
  });
});
