// createDb(): one entry to the database. PostgreSQL when DATABASE_URL is set, otherwise embedded
// PGlite in COURTYARD_DATA_DIR (default ./.courtyard/data). Both sides speak through Prisma's
// driver adapters, so the rest of Courtyard never knows which one it runs on.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export { PrismaClient };

export interface DbOptions {
  /** PostgreSQL connection string. Default: `DATABASE_URL`; when neither is set, embedded PGlite. */
  databaseUrl?: string | undefined;
  /** Folder of the embedded database. Default: `COURTYARD_DATA_DIR`, else `./.courtyard/data`. `memory://` keeps it in memory. */
  dataDir?: string | undefined;
  /** Maximum PostgreSQL connections of this process. Default: `DATABASE_POOL_SIZE`, else 10. */
  poolSize?: number | undefined;
  /** Called with every SQL statement Prisma sends (tests count them). Default: none. */
  onQuery?: ((sql: string) => void) | undefined;
}

export interface QueryOptions {
  /**
   * Keep the statement prepared on its connection (named by a hash of its text): PostgreSQL parses
   * it once per connection and, after a few runs, may reuse one plan instead of planning each time.
   * Only for hot statements whose text comes from a bounded set (values as parameters, never
   * spliced in): every distinct text stays prepared for the connection's life. PGlite ignores it.
   */
  prepare?: boolean;
}

export type QueryFn = <T = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions) => Promise<T[]>;

const statementNames = new Map<string, string>();
/** The prepared statement's name for a text: stable, so every connection shares the name. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `cy_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    if (statementNames.size < 10_000) statementNames.set(sql, name);
  }
  return name;
}

function pgQuery(sql: string, params: unknown[], options?: QueryOptions): pg.QueryConfig {
  return options?.prepare ? { name: statementName(sql), text: sql, values: params } : { text: sql, values: params };
}

export interface Db {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
  /** The adapter factory, for tools (the migrate tool) that talk to the same database. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Runs raw SQL with positional parameters ($1 …) outside Prisma, for set-based bulk work. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<T[]>;
  /** Runs `fn` in one transaction on one connection; rolled back when it throws. */
  transaction<T>(fn: (query: QueryFn) => Promise<T>): Promise<T>;
  /** The embedded instance, when kind is 'pglite'. */
  pglite?: PGlite;
  /** The connection pool, when kind is 'postgres': for work that needs one connection (COPY, transactions). */
  pgPool?: pg.Pool;
  close(): Promise<void>;
}

export function defaultDataDir(): string {
  return resolve(process.env.COURTYARD_DATA_DIR ?? './.courtyard/data');
}

export async function createDb(options: DbOptions = {}): Promise<Db> {
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  const log = options.onQuery ? ([{ emit: 'event', level: 'query' }] as const) : undefined;
  if (databaseUrl) {
    // Each side loads only its own driver: a PostgreSQL process never carries PGlite, and back.
    const [{ default: pgModule }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
    const max = options.poolSize ?? Number(process.env.DATABASE_POOL_SIZE ?? 10);
    const pool = new pgModule.Pool({ connectionString: databaseUrl, max });
    // An idle connection the server ends (restart, failover) must not crash the process; pg reconnects.
    pool.on('error', (error) => console.warn(`PostgreSQL connection lost: ${error.message}`));
    const adapterFactory = new PrismaPg(pool);
    const prisma = new PrismaClient({ adapter: adapterFactory, ...(log ? { log: [...log] } : {}) });
    if (options.onQuery) {
      const onQuery = options.onQuery;
      (prisma as unknown as { $on(e: 'query', cb: (e: { query: string }) => void): void }).$on('query', (e) => onQuery(e.query));
    }
    return {
      prisma,
      kind: 'postgres',
      adapterFactory,
      pgPool: pool,
      async query<T>(sql: string, params: unknown[] = [], options?: QueryOptions) {
        const result = await pool.query(pgQuery(sql, params, options));
        return result.rows as T[];
      },
      async transaction(fn) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(async (sql, params = [], options) => (await client.query(pgQuery(sql, params, options))).rows);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      },
      async close() {
        await prisma.$disconnect();
        await pool.end().catch(() => undefined);
      },
    };
  }
  const dataDir = options.dataDir ?? defaultDataDir();
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const [{ PGlite }, { pg_trgm }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('pglite-prisma-adapter'),
  ]);
  const pglite = new PGlite(dataDir, { extensions: { pg_trgm } });
  await pglite.waitReady;
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory, ...(log ? { log: [...log] } : {}) });
  if (options.onQuery) {
    const onQuery = options.onQuery;
    (prisma as unknown as { $on(e: 'query', cb: (e: { query: string }) => void): void }).$on('query', (e) => onQuery(e.query));
  }
  let closed = false;
  return {
    prisma,
    kind: 'pglite',
    adapterFactory,
    pglite,
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await pglite.query(sql, params);
      return result.rows as T[];
    },
    transaction(fn) {
      return pglite.transaction((tx) => fn(async (sql, params = []) => (await tx.query(sql, params)).rows as never[]));
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
