import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../client.ts';
import { defaultMigrationsDir, migrate, migrationsNeedEngine, readMigrations } from './index.ts';

const committed = readMigrations().migrationDirectories.map((m) => m.path);

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  logs: string | null;
}

async function expectRecordedLikePrisma(db: Db) {
  const rows = await db.query<MigrationRow>('SELECT migration_name, checksum, finished_at, logs FROM _prisma_migrations ORDER BY migration_name');
  expect(rows.map((r) => r.migration_name)).toEqual(committed);
  for (const row of rows) {
    const sql = readFileSync(join(defaultMigrationsDir, row.migration_name, 'migration.sql'));
    // `prisma migrate deploy` compares this checksum to the file; a mismatch would block it.
    expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(row.finished_at).not.toBeNull();
  }
}

describe('migrate on an embedded database', () => {
  it('binds arrays of the enums it just created in the same process (importing orders right after the first start)', async () => {
    const db = await createDb({ dataDir: 'memory://' });
    try {
      await migrate(db);
      expect(await db.query(`SELECT $1::"OrderStatus"[] AS statuses`, [['paid', 'refunded']])).toEqual([{ statuses: ['paid', 'refunded'] }]);
    } finally {
      await db.close();
    }
  });

  it('applies the committed migrations, starting with init, and a second run applies nothing', async () => {
    const db = await createDb({ dataDir: 'memory://' });
    try {
      expect(committed[0]).toMatch(/^\d{14}_init$/);
      expect(await migrate(db)).toEqual({ applied: committed });
      expect(await migrate(db)).toEqual({ applied: [] });
      await expectRecordedLikePrisma(db);
    } finally {
      await db.close();
    }
  });

  it('skips the schema engine only when every migration is applied unchanged', async () => {
    const db = await createDb({ dataDir: 'memory://' });
    try {
      const list = readMigrations();
      expect(await migrationsNeedEngine(db, list)).toBe(true); // no _prisma_migrations yet
      await migrate(db);
      expect(await migrationsNeedEngine(db, list)).toBe(false);
      const last = list.migrationDirectories.at(-1)!;
      // A file edited after it was applied: the engine must see it (and warn, as Prisma does).
      const edited = structuredClone(list);
      edited.migrationDirectories.at(-1)!.migrationFile.content = { tag: 'ok', value: '-- edited\n' };
      expect(await migrationsNeedEngine(db, edited)).toBe(true);
      // A new migration in the folder.
      const grown = structuredClone(list);
      grown.migrationDirectories.push({ path: '29991231000000_next', migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: 'SELECT 1;' } } });
      expect(await migrationsNeedEngine(db, grown)).toBe(true);
      // A migration recorded as started but never finished (a failed one).
      await db.query(`UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = $1`, [last.path]);
      expect(await migrationsNeedEngine(db, list)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('fails on a broken migration and records it as failed instead of applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'courtyard-migrations-'));
    mkdirSync(join(dir, '20200101000000_broken'));
    writeFileSync(join(dir, '20200101000000_broken', 'migration.sql'), 'CREATE TABLE "Half" (id int);\nSELECT * FROM "Missing";\n');
    const db = await createDb({ dataDir: 'memory://' });
    try {
      await expect(migrate(db, { migrationsDir: dir })).rejects.toThrow(/Missing/);
      const [row] = await db.query<MigrationRow>('SELECT migration_name, checksum, finished_at, logs FROM _prisma_migrations');
      expect(row).toMatchObject({ migration_name: '20200101000000_broken', finished_at: null });
      // The whole script ran as one transaction: nothing of it is left behind.
      expect(await db.query(`SELECT to_regclass('"Half"') AS t`)).toEqual([{ t: null }]);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const testUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!testUrl)('migrate on PostgreSQL', () => {
  // A database of its own: the run's shared test database is already migrated by the global setup.
  const url = new URL(testUrl ?? 'postgresql://localhost/unused');
  const name = `${decodeURIComponent(url.pathname.slice(1))}_fresh`;
  url.pathname = `/${name}`;
  const admin = new URL(testUrl ?? 'postgresql://localhost/unused');
  admin.pathname = '/postgres';
  const opened: Db[] = [];

  async function recreate() {
    // Close what earlier tests opened first: dropping the database ends their pooled connections.
    await Promise.all(opened.splice(0).map((db) => db.close()));
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
    await client.end();
  }

  async function open() {
    const db = await createDb({ databaseUrl: url.toString(), poolSize: 3 });
    opened.push(db);
    return db;
  }

  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  });

  it('applies the committed migrations, and a second run applies nothing', async () => {
    await recreate();
    const db = await open();
    expect(await migrate(db)).toEqual({ applied: committed });
    expect(await migrate(db)).toEqual({ applied: [] });
    await expectRecordedLikePrisma(db);
  });

  it('applies each migration once when two processes migrate at the same time', async () => {
    await recreate();
    const [a, b] = [await open(), await open()];
    const results = await Promise.all([migrate(a), migrate(b)]);
    expect(results.map((r) => r.applied).sort()).toEqual([[], committed]);
    await expectRecordedLikePrisma(a);
  });

  it('releases its lock when done, so another process migrates while the first keeps its connections', async () => {
    const [a, b] = [await open(), await open()];
    await migrate(a);
    const started = Date.now();
    expect(await migrate(b)).toEqual({ applied: [] });
    // The engine's own lock would wait 10 s for a's pool and then fail.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
