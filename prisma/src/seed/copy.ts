// Bulk loading in PostgreSQL's COPY text format, on both kinds of database: PostgreSQL through
// pg-copy-streams, PGlite through `COPY … FROM '/dev/blob'`. The generator builds one text block
// per table and chunk, so the two sides share everything but the last call.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from '../client.ts';

/** One open transaction that rows can be copied into. */
export interface CopySink {
  kind: Db['kind'];
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Loads rows in COPY text format (tab-separated, `\N` for null, one row per line, UTF-8) into `table`. */
  copy(table: string, columns: readonly string[], rows: readonly Buffer[]): Promise<void>;
}

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM ${source}`;
}

function pgSink(client: pg.PoolClient): CopySink {
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async copy(table, columns, rows) {
      if (rows.length === 0) return;
      const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
      await pipeline(Readable.from(rows), stream);
    },
  };
}

function pgliteSink(tx: Transaction): CopySink {
  return {
    kind: 'pglite',
    async query<T>(sql: string, params: unknown[] = []) {
      return (await tx.query<T>(sql, params)).rows;
    },
    async copy(table, columns, rows) {
      if (rows.length === 0) return;
      await tx.query(copyStatement(table, columns, `'/dev/blob'`), [], { blob: new Blob(rows.map((r) => new Uint8Array(r))) });
    },
  };
}

/** Runs `fn` in one transaction of `db` (its own pooled connection on PostgreSQL); rolls back if it throws. */
export async function inTransaction<T>(db: Db, fn: (sink: CopySink) => Promise<T>): Promise<T> {
  if (db.kind === 'pglite') {
    if (!db.pglite) throw new Error('inTransaction: a PGlite Db without its pglite instance');
    return db.pglite.transaction((tx) => fn(pgliteSink(tx)));
  }
  if (!db.pgPool) throw new Error('inTransaction: a PostgreSQL Db without its pgPool');
  const client = await db.pgPool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    // Bulk data: losing the last commits in a server crash is acceptable, waiting for each flush is not.
    await client.query('SET LOCAL synchronous_commit = off');
    // Customer's trigram (GIN) indexes take new rows into a pending list; a bigger list is merged
    // into the index less often and in larger sorted batches, which is much cheaper for bulk loads.
    await client.query(`SET LOCAL gin_pending_list_limit = '64MB'`);
    const result = await fn(pgSink(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Escapes one value for COPY text format. */
export function copyText(value: string): string {
  // Fast path: most generated values need no escaping.
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

export const NULL = '\\N';

/**
 * Rows of one table in COPY text format, encoded to UTF-8 every few hundred lines: the short-lived
 * line strings then die young, and the bulk lives outside the JS heap (keeps GC cheap).
 */
export class CopyRows {
  private readonly blocks: Buffer[] = [];
  private lines: string[] = [];
  count = 0;

  push(line: string): void {
    this.lines.push(line);
    this.count++;
    if (this.lines.length >= 512) this.flush();
  }

  finish(): Buffer[] {
    this.flush();
    return this.blocks;
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    this.blocks.push(Buffer.from(this.lines.join(''), 'utf8'));
    this.lines = [];
  }
}

const DAY = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const dayCache = new Map<number, string>();

/** `new Date(ms).toISOString()` without a Date per call: a run formats tens of millions of timestamps. */
export function iso(ms: number): string {
  const day = Math.floor(ms / DAY);
  let date = dayCache.get(day);
  if (date === undefined) {
    date = new Date(day * DAY).toISOString().slice(0, 11);
    dayCache.set(day, date);
  }
  let rest = ms - day * DAY;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  const hour = (rest - min) / 60;
  return `${date}${PAD2[hour]}:${PAD2[min]}:${PAD2[sec]}.${PAD3[milli]}Z`;
}
