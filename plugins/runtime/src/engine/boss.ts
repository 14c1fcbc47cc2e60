import type { Db } from '@courtyard/db';
import PgBoss from 'pg-boss';

/**
 * pg-boss over the Db's own connections: the pg pool on PostgreSQL, the PGlite instance when
 * embedded. pg-boss sends some multi-statement queries and reads the rows of every statement, so
 * results of all statements are concatenated.
 */
export function createBoss(db: Db): PgBoss {
  const executeSql = async (text: string, values: unknown[] = []): Promise<{ rows: unknown[] }> => {
    if (db.pgPool) {
      const result = (await db.pgPool.query(text, values)) as unknown as { rows: unknown[] } | { rows: unknown[] }[];
      return Array.isArray(result) ? { rows: result.flatMap((r) => r.rows) } : result;
    }
    if (db.pglite) {
      if (values.length) return { rows: (await db.pglite.query(text, values)).rows };
      const results = await db.pglite.exec(text);
      return { rows: results.flatMap((r) => r.rows) };
    }
    return { rows: await db.query(text, values) };
  };
  return new PgBoss({
    db: { executeSql },
    schema: 'pgboss',
    // Completed wake-ups are of no further use; keep the tables small.
    archiveCompletedAfterSeconds: 3600,
    deleteAfterDays: 2,
  });
}

export const WAKE_QUEUE = 'journey-wake';
export const TICK_QUEUE = 'journey-tick';
