// Test databases for every package's Vitest tests.
// With TEST_DATABASE_URL: that PostgreSQL database, recreated and migrated once per run by the
// global setup. Without: a private embedded database per createTestDb() call.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDb, type Db } from './client.ts';
import { migrate, readMigrations } from './migrate/index.ts';

export interface TestDbOptions {
  /** Called with every SQL statement Prisma sends. */
  onQuery?: (sql: string) => void;
}

const cacheRoot = fileURLToPath(new URL('../node_modules/.cache/courtyard-test-db/', import.meta.url));

/** Changes whenever a template built earlier would differ from one built now. */
function templateKey(): string {
  const hash = createHash('sha256');
  const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pglite = JSON.parse(readFileSync(join(dirname(pgliteEntry), '..', 'package.json'), 'utf8')) as { version: string };
  hash.update(`template v1\n${pglite.version}\n`);
  for (const m of readMigrations().migrationDirectories) {
    hash.update(`${m.path}\n${m.migrationFile.content.value}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

let template: Promise<string> | undefined;

/**
 * A migrated PGlite data folder to copy from. Creating a PGlite database runs initdb (seconds);
 * opening a copy of a migrated one takes well under one, so the template is built once per change
 * of the migrations and shared by all test processes through node_modules/.cache.
 */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = join(cacheRoot, templateKey());
    if (existsSync(dir)) return dir;
    mkdirSync(cacheRoot, { recursive: true });
    const building = mkdtempSync(join(cacheRoot, 'building-'));
    const db = await createDb({ dataDir: building });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    try {
      renameSync(building, dir);
    } catch (error) {
      // Another test process finished its identical template first: use that one.
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(dir)) throw error;
    }
    for (const old of readdirSync(cacheRoot)) {
      if (old !== basename(dir) && !old.startsWith('building-')) rmSync(join(cacheRoot, old), { recursive: true, force: true });
    }
    return dir;
  })();
  template.catch(() => (template = undefined));
  return template;
}

const live = new Set<string>();

/**
 * Where the per-test copies go. On tmpfs a copy is made and removed several times faster than on
 * disk; /dev/shm is tmpfs on Linux but only 64 MB in a default Docker container, so it is used
 * only when it has room. Copies a crashed run left behind are removed after a day.
 */
const copiesRoot = (() => {
  let root = tmpdir();
  try {
    const shm = statfsSync('/dev/shm');
    if (shm.bavail * shm.bsize > 2 ** 30) root = '/dev/shm';
  } catch {
    // No /dev/shm: the system's temp folder it is.
  }
  for (const name of readdirSync(root).filter((n) => n.startsWith('courtyard-test-db-'))) {
    const path = join(root, name);
    const age = Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 86_400_000) rmSync(path, { recursive: true, force: true });
  }
  process.on('exit', () => live.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return root;
})();

/**
 * A migrated database for one test file or test. Close it when done (afterAll): an open PGlite
 * keeps the process alive. Embedded databases are private; the PostgreSQL one is shared by every
 * test of the run, so tests must not depend on what others wrote (use a fresh workspace each).
 */
export async function createTestDb(options: TestDbOptions = {}): Promise<Db> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return createDb({ databaseUrl: url, poolSize: 5, onQuery: options.onQuery });
  const template = await migratedTemplate();
  const copy = mkdtempSync(join(copiesRoot, 'courtyard-test-db-'));
  live.add(copy);
  cpSync(template, copy, { recursive: true });
  const db = await createDb({ dataDir: copy, onQuery: options.onQuery });
  const close = db.close.bind(db);
  db.close = async () => {
    await close();
    rmSync(copy, { recursive: true, force: true });
    live.delete(copy);
  };
  return db;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Runs `fn` on the server's `postgres` database, the one that is always there to manage others. */
async function onServer(url: URL, fn: (client: pg.Client) => Promise<void>): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/**
 * Vitest global setup: with TEST_DATABASE_URL, drops and recreates that database and migrates it;
 * the returned teardown drops it again. Without, does nothing.
 */
export async function setupTestDatabase(): Promise<() => Promise<void>> {
  const raw = process.env.TEST_DATABASE_URL;
  if (!raw) return async () => undefined;
  const url = new URL(raw);
  const name = decodeURIComponent(url.pathname.slice(1));
  // It is dropped without asking: refuse anything that does not look like a test database.
  if (!/test/i.test(name)) {
    throw new Error(`TEST_DATABASE_URL names the database "${name}"; test databases are dropped, so their name must contain "test"`);
  }
  await onServer(url, async (client) => {
    await dropDatabase(client, name);
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
  const db = await createDb({ databaseUrl: raw, poolSize: 2 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return () => onServer(url, (client) => dropDatabase(client, name));
}
