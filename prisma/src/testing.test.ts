import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from './client.ts';
import { createTestDb, setupTestDatabase } from './testing.ts';

const opened: Db[] = [];
async function testDb(options?: Parameters<typeof createTestDb>[0]) {
  const db = await createTestDb(options);
  opened.push(db);
  return db;
}

afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
});

describe('createTestDb', () => {
  it('gives a migrated database that Prisma can write to and read back from', async () => {
    const db = await testDb();
    const workspace = await db.prisma.workspace.create({ data: { name: 'Harbour Tea' } });
    await db.prisma.customer.create({ data: { workspaceId: workspace.id, name: 'Lin Wei', phone: '13800000000' } });
    const found = await db.prisma.customer.findMany({ where: { workspaceId: workspace.id, name: { contains: 'Wei' } } });
    expect(found.map((c) => c.name)).toEqual(['Lin Wei']);
    expect(await db.query(`SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`)).toHaveLength(1);
  });

  it('passes every SQL statement Prisma sends to onQuery', async () => {
    const seen: string[] = [];
    const db = await testDb({ onQuery: (sql) => seen.push(sql) });
    await db.prisma.workspace.count();
    expect(seen.some((sql) => /SELECT COUNT/i.test(sql) && sql.includes('Workspace'))).toBe(true);
  });

  it.skipIf(!!process.env.TEST_DATABASE_URL)('gives each caller its own embedded database', async () => {
    const [a, b] = [await testDb(), await testDb()];
    await a.prisma.workspace.create({ data: { name: 'Only in a' } });
    expect(await b.prisma.workspace.count({ where: { name: 'Only in a' } })).toBe(0);
  });

  it.skipIf(!!process.env.TEST_DATABASE_URL)('removes the embedded database from disk when closed', async () => {
    const db = await createTestDb();
    const dir = db.pglite!.dataDir!;
    await db.close();
    expect(existsSync(dir)).toBe(false);
  });
});

describe('setupTestDatabase', () => {
  it('refuses to drop a database whose name does not say it is for tests', async () => {
    const saved = process.env.TEST_DATABASE_URL;
    process.env.TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/courtyard';
    try {
      await expect(setupTestDatabase()).rejects.toThrow(/must contain "test"/);
    } finally {
      if (saved === undefined) delete process.env.TEST_DATABASE_URL;
      else process.env.TEST_DATABASE_URL = saved;
    }
  });

  it('does nothing without TEST_DATABASE_URL', async () => {
    const saved = process.env.TEST_DATABASE_URL;
    delete process.env.TEST_DATABASE_URL;
    try {
      const teardown = await setupTestDatabase();
      await expect(teardown()).resolves.toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.TEST_DATABASE_URL = saved;
    }
  });
});
