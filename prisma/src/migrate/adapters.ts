// Driver adapters for the schema engine. The stock adapters are fine for Prisma Client, but two
// things they do would break migrations, so the engine gets its own, fixed ones:
// - adapter-pg's executeScript splits the script on every ';' and sends each piece to whichever
//   pool connection is free: a ';' inside a string or function body breaks, and the engine's
//   session advisory lock ends up on an arbitrary pooled connection that is never released.
// - pglite-prisma-adapter's executeScript does not await `exec`: a failing migration is recorded as
//   applied and its error surfaces later as an unhandled rejection.
// Both now send the whole script as one simple query (one implicit transaction, as the native engine does).
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import type { Db } from '../client.ts';

/** The key `prisma migrate deploy` locks on, so our tool and stock Prisma exclude each other. */
export const MIGRATE_LOCK_KEY = 72707369;

export interface EngineConnection {
  factory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

function toAdapterError(error: unknown): unknown {
  const e = error as Partial<Record<'code' | 'severity' | 'message' | 'detail' | 'column' | 'hint', string>>;
  if (typeof e?.code !== 'string') return error;
  return new DriverAdapterError({
    kind: 'postgres',
    code: e.code,
    severity: e.severity ?? 'ERROR',
    message: e.message ?? String(error),
    detail: e.detail,
    column: e.column,
    hint: e.hint,
  });
}

function withWholeScripts(adapter: SqlDriverAdapter, run: (script: string) => Promise<unknown>): SqlDriverAdapter {
  adapter.executeScript = async (script) => {
    await run(script).catch((error: unknown) => {
      throw toAdapterError(error);
    });
  };
  return adapter;
}

/**
 * A connection for the engine to `db`. On PostgreSQL it is one dedicated session holding the
 * migrate advisory lock (waiting for it without a time limit, unlike the engine's 10 s), released
 * when the session closes.
 */
export async function engineConnection(db: Db): Promise<EngineConnection> {
  if (db.kind === 'pglite') {
    const pglite = db.pglite!;
    const base = db.adapterFactory;
    const shadow = scratchConnection();
    return {
      factory: {
        provider: base.provider,
        adapterName: base.adapterName,
        connect: async () => withWholeScripts(await base.connect(), (s) => pglite.exec(s)),
        connectToShadowDb: () => shadow.factory.connectToShadowDb(),
      },
      close: () => shadow.close(),
    };
  }
  if (!(db.adapterFactory instanceof PrismaPg)) throw new Error('migrate: unsupported PostgreSQL adapter');
  const probe = await db.adapterFactory.connect();
  const options = probe.underlyingDriver().options;
  await probe.dispose();
  // max 1 and no idle timeout: every statement, and the lock, stay on one session until close().
  const session = new pg.Pool({ ...options, max: 1, idleTimeoutMillis: 0 });
  try {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
  } catch (error) {
    await session.end();
    throw error;
  }
  const base = new PrismaPg(session);
  const shadow = scratchConnection();
  return {
    factory: {
      provider: base.provider,
      adapterName: base.adapterName,
      connect: async () => withWholeScripts(await base.connect(), (s) => session.query(s)),
      connectToShadowDb: () => shadow.factory.connectToShadowDb(),
    },
    close: async () => {
      await shadow.close();
      await session.end();
    },
  };
}

let blankImage: Promise<Blob> | undefined;

/**
 * A new empty in-memory PGlite with pg_trgm. Creating one takes seconds (initdb); loading a copy of
 * an empty one takes a fraction of that, so the first is kept as an image for the rest.
 */
export async function newMemoryPglite(image?: Blob): Promise<PGlite> {
  // Loaded here, not at the top: migrating PostgreSQL needs no PGlite in memory.
  const [{ PGlite }, { pg_trgm }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/contrib/pg_trgm')]);
  if (!image) {
    blankImage ??= (async () => {
      const first = new PGlite('memory://', { extensions: { pg_trgm } });
      const dump = await first.dumpDataDir('none');
      await first.close();
      return dump;
    })();
  }
  const pglite = new PGlite('memory://', { extensions: { pg_trgm }, loadDataDir: image ?? (await blankImage!) });
  await pglite.waitReady;
  return pglite;
}

/**
 * Throw-away in-memory databases for the engine: one for each connection it opens (the main one
 * and its shadow databases), all closed by close() whether or not the engine disposed of them.
 */
export function scratchConnection(): EngineConnection {
  const opened: PGlite[] = [];
  const open = async (): Promise<SqlDriverAdapter> => {
    const pglite = await newMemoryPglite();
    opened.push(pglite);
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    return withWholeScripts(await new PrismaPGlite(pglite).connect(), (s) => pglite.exec(s));
  };
  return {
    factory: { provider: 'postgres', adapterName: 'courtyard-scratch-pglite', connect: open, connectToShadowDb: open },
    close: async () => {
      await Promise.all(opened.splice(0).map((p) => (p.closed ? undefined : p.close())));
    },
  };
}
