import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '../client.ts';
import { hashSecret, verifyPassword } from '../credentials.ts';
import { ALL_SCOPES } from '../scopes.ts';
import { createTestDb } from '../testing.ts';
import { DEMO_TAXONOMY } from './catalog.ts';
import { DEMO_LOGIN, DEMO_WORKSPACE_NAME, seedDemo } from './demo.ts';

const opened: Db[] = [];
async function testDb(): Promise<Db> {
  const db = await createTestDb();
  opened.push(db);
  return db;
}
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
});

// A shared TEST_DATABASE_URL may already hold the demo workspace from another test file.
const fresh = !process.env.TEST_DATABASE_URL;

async function apiKeyScopes(db: Db, workspaceId: string, secret: string): Promise<string[] | undefined> {
  const [key] = await db.query<{ scopes: string[] }>(
    `SELECT scopes FROM "ApiKey" WHERE "workspaceId" = $1 AND "secretHash" = $2 AND "revokedAt" IS NULL`,
    [workspaceId, hashSecret(secret)],
  );
  return key?.scopes;
}

describe('seedDemo', () => {
  it('creates the demo workspace once: login, staff, tag taxonomy, an all-scope API key and customers', async () => {
    const db = await testDb();
    const first = await seedDemo(db, { customers: 40 });
    if (fresh) expect(first.created).toBe(true);
    expect(first.login).toEqual({ email: 'demo@courtyard.local', password: 'courtyard-demo' });

    const [workspace] = await db.query<{ name: string; timeZone: string }>(`SELECT name, "timeZone" FROM "Workspace" WHERE id = $1`, [first.workspaceId]);
    expect(workspace).toEqual({ name: DEMO_WORKSPACE_NAME, timeZone: 'Asia/Shanghai' });

    const [member] = await db.query<{ passwordHash: string; role: string }>(
      `SELECT m."passwordHash", ms.role::text AS role FROM "Member" m JOIN "Membership" ms ON ms."memberId" = m.id
       WHERE m.email = $1 AND ms."workspaceId" = $2`,
      [DEMO_LOGIN.email, first.workspaceId],
    );
    expect(member?.role).toBe('owner');
    expect(member!.passwordHash).toMatch(/^\$argon2/);
    expect(await verifyPassword(member!.passwordHash, 'courtyard-demo')).toBe(true);

    const groups = await db.query<{ name: string; kind: string; tags: string[] }>(
      `SELECT g.name, g.kind::text AS kind, array_agg(t.name ORDER BY t.name) AS tags
       FROM "TagGroup" g JOIN "Tag" t ON t."groupId" = g.id WHERE g."workspaceId" = $1 GROUP BY g.name, g.kind ORDER BY g.kind`,
      [first.workspaceId],
    );
    expect(groups.map((g) => g.kind)).toEqual(['basic', 'intent', 'behaviour', 'risk']);
    const risk = groups.find((g) => g.kind === 'risk')!;
    expect(risk.name).toBe('风控');
    expect(risk.tags).toEqual(expect.arrayContaining(['营销敏感', '低信用', '投诉倾向', '差评用户', '黑名单']));
    expect(groups.find((g) => g.kind === 'basic')!.tags).toEqual(expect.arrayContaining(['学生', '上班族', '宝妈', '一线城市']));
    expect(groups.find((g) => g.kind === 'intent')!.tags).toEqual(expect.arrayContaining(['护发', '生发', '染发']));
    expect(groups.find((g) => g.kind === 'behaviour')!.tags).toEqual(expect.arrayContaining(['稳定复购', '品牌粉丝', '大促敏感']));
    expect(groups.flatMap((g) => g.tags)).toHaveLength(DEMO_TAXONOMY.reduce((n, g) => n + g.tags.length, 0));

    const staff = await db.query<{ name: string }>(`SELECT name FROM "Staff" WHERE "workspaceId" = $1`, [first.workspaceId]);
    expect(staff.length).toBeGreaterThanOrEqual(3);
    for (const s of staff) expect(s.name).toMatch(/[\u4e00-\u9fff]/);

    if (fresh) {
      expect(first.apiKey).toMatch(/^cy_/);
      expect((await apiKeyScopes(db, first.workspaceId, first.apiKey!))?.sort()).toEqual([...ALL_SCOPES].sort());
      const [customers] = await db.query<{ n: number; tagged: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM "CustomerTag" ct WHERE ct."customerId" = c.id))::int AS tagged
         FROM "Customer" c WHERE "workspaceId" = $1`,
        [first.workspaceId],
      );
      expect(customers!.n).toBe(40);
      expect(customers!.tagged).toBeGreaterThan(20);
    }

    const before = await db.query(`SELECT (SELECT count(*) FROM "Customer")::int AS c, (SELECT count(*) FROM "ApiKey")::int AS k, (SELECT count(*) FROM "Tag")::int AS t`);
    const second = await seedDemo(db, { customers: 40 });
    expect(second).toEqual({ created: false, workspaceId: first.workspaceId, login: first.login });
    expect(await db.query(`SELECT (SELECT count(*) FROM "Customer")::int AS c, (SELECT count(*) FROM "ApiKey")::int AS k, (SELECT count(*) FROM "Tag")::int AS t`)).toEqual(before);
    expect(await db.query(`SELECT id FROM "Workspace" WHERE name = $1`, [DEMO_WORKSPACE_NAME])).toHaveLength(1);
  });

  it('stores exactly the demoApiKey it is given, on creation and when added later, once', async () => {
    const db = await testDb();
    const key = `cy_demo_${Math.random().toString(36).slice(2)}`;
    const created = await seedDemo(db, { demoApiKey: key, customers: 10 });
    expect(created.apiKey).toBe(key);
    expect((await apiKeyScopes(db, created.workspaceId, key))?.sort()).toEqual([...ALL_SCOPES].sort());

    const later = `cy_later_${Math.random().toString(36).slice(2)}`;
    const again = await seedDemo(db, { demoApiKey: later });
    expect(again).toMatchObject({ created: false, workspaceId: created.workspaceId, apiKey: later });
    expect(await apiKeyScopes(db, created.workspaceId, later)).toHaveLength(ALL_SCOPES.length);
    await seedDemo(db, { demoApiKey: later });
    expect(await db.query(`SELECT id FROM "ApiKey" WHERE "secretHash" = $1`, [hashSecret(later)])).toHaveLength(1);
    // The first key still works too.
    expect(await apiKeyScopes(db, created.workspaceId, key)).toHaveLength(ALL_SCOPES.length);
  });
});
