import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMigrations, createMigration, defaultMigrationsDir, defaultSchemaPath } from './index.ts';

const noteModel = `
model Note {
  id   String @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid
  body String
}
`;

let scratch: string | undefined;

/** A copy of schema.prisma and an empty migrations folder, so the real ones are never touched. */
function sandbox() {
  scratch = mkdtempSync(join(tmpdir(), 'courtyard-check-'));
  const schemaPath = join(scratch, 'schema.prisma');
  cpSync(defaultSchemaPath, schemaPath);
  return { schemaPath, migrationsDir: join(scratch, 'migrations') };
}

afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('checkMigrations', () => {
  it('finds the committed migrations up to date with schema.prisma', async () => {
    const { upToDate, sql } = await checkMigrations();
    expect(upToDate, `schema.prisma has changes no migration contains: run pnpm db:migration:new <name>\n${sql}`).toBe(true);
  });

  it('reports the SQL a schema change needs when no migration has it yet', async () => {
    const { schemaPath } = sandbox();
    writeFileSync(schemaPath, readFileSync(schemaPath, 'utf8') + noteModel);
    const { upToDate, sql } = await checkMigrations({ schemaPath, migrationsDir: defaultMigrationsDir });
    expect(upToDate).toBe(false);
    expect(sql).toContain('CREATE TABLE "Note"');
    // Only what is missing, not the whole schema again.
    expect(sql).not.toContain('CREATE TABLE "Workspace"');
  });
});

describe('createMigration', () => {
  it('writes the whole schema, pg_trgm included, as the first migration, with the lock file', async () => {
    const paths = sandbox();
    const folder = await createMigration('init', paths);
    expect(folder).toMatch(/[/\\]\d{14}_init$/);
    const sql = readFileSync(join(folder!, 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE EXTENSION IF NOT EXISTS "pg_trgm"');
    expect(sql).toContain('CREATE TABLE "Workspace"');
    // The function a default calls is defined before the table that uses it.
    const defined = sql.indexOf('CREATE OR REPLACE FUNCTION uuid_v7()');
    expect(defined).toBeGreaterThanOrEqual(0);
    expect(defined).toBeLessThan(sql.indexOf('DEFAULT uuid_v7()'));
    expect(readFileSync(join(paths.migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    expect(await checkMigrations(paths)).toEqual({ upToDate: true, sql: '' });
  });

  it('writes nothing and returns null when schema.prisma has no change', async () => {
    const paths = sandbox();
    await createMigration('init', paths);
    const before = readdirSync(paths.migrationsDir);
    expect(await createMigration('nothing_new', paths)).toBeNull();
    expect(readdirSync(paths.migrationsDir)).toEqual(before);
  });

  it('writes only the change as the next migration, named with a UTC timestamp', async () => {
    const paths = sandbox();
    await createMigration('init', paths);
    writeFileSync(paths.schemaPath, readFileSync(paths.schemaPath, 'utf8') + noteModel);
    const startedAt = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const folder = await createMigration('Add notes', paths);
    expect(folder).toMatch(/[/\\]\d{14}_add_notes$/);
    expect(folder!.split(/[/\\]/).pop()!.slice(0, 14) >= startedAt).toBe(true);
    const sql = readFileSync(join(folder!, 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "Note"');
    expect(sql).not.toContain('CREATE TABLE "Workspace"');
    expect(await checkMigrations(paths)).toEqual({ upToDate: true, sql: '' });
  });

  it('refuses a name that cannot become a folder name', async () => {
    const paths = sandbox();
    await expect(createMigration('  !!  ', paths)).rejects.toThrow(/not a usable migration name/);
    expect(existsSync(paths.migrationsDir)).toBe(false);
  });
});
