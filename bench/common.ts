// Pieces shared by the benchmarks: formatting of figures and tables, the machine line, and the
// benchmark database (drop, migrate, seed the demo workspace, generate N customers; or reuse it).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import os from 'node:os';
import { createDb, type Db } from '@courtyard/db';
import { migrate } from '@courtyard/db/migrate';
import { generateCustomers, seedDemo } from '@courtyard/db/seed';

/** A bad option: printed with the usage, exit 2. */
export class UsageError extends Error {}
/** The benchmark itself is invalid (errors, disagreeing results): exit 1. */
export class BenchmarkError extends Error {}

// ─── formatting ──────────────────────────────────────────────────────────────────────────────────

export const int = (n: number) => Math.round(n).toLocaleString('en');
export const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
export const seconds = (msValue: number) => `${(msValue / 1000).toFixed(1)} s`;
/** The p-th percentile (0–1) of an ascending list: the value at rank ⌈p·n⌉. */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
export const sleep = (msValue: number) => new Promise((resolve) => setTimeout(resolve, msValue));

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function section(title: string) {
  console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 96 - title.length))}`);
}

export function printMachine() {
  const cpus = os.cpus();
  console.log(`Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()})`);
  console.log(`Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${new Date().toISOString()}`);
}

/** Parses a count option ("1,000,000" and "1_000_000" allowed). */
export function parseNumber(name: string, raw: string, min: number): number {
  const n = Number(raw.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got "${raw}"`);
  return n;
}

// ─── database ────────────────────────────────────────────────────────────────────────────────────

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Runs `fn` on the server's `postgres` database (the one that is always there to manage others). */
async function onServer(url: URL, fn: (db: Db) => Promise<void>): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const db = await createDb({ databaseUrl: admin.toString(), poolSize: 1 });
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

async function demoWorkspaceWithCustomers(db: Db): Promise<{ workspaceId: string; customers: number } | null> {
  try {
    const [row] = await db.query<{ id: string; n: number }>(
      `SELECT w.id, (SELECT count(*)::int FROM "Customer" c WHERE c."workspaceId" = w.id) AS n
         FROM "Workspace" w JOIN "ApiKey" k ON k."workspaceId" = w.id
        WHERE k.name = '演示密钥 Demo key' ORDER BY w."createdAt" LIMIT 1`,
    );
    return row ? { workspaceId: row.id, customers: row.n } : null;
  } catch {
    return null; // no such database or not migrated
  }
}

export interface PrepareOptions {
  customers: number;
  reuse: boolean;
  /** The demo workspace's API key secret. */
  demoApiKey: string;
  /** On a reused database: removes what earlier runs left behind; returns a note for the log line. */
  cleanReused?: (db: Db, workspaceId: string) => Promise<string>;
}

/**
 * The opening every benchmark shares: its title and the machine, then its database (BENCH_DATABASE_URL
 * or `defaultUrl`) prepared as `prepareDatabase` does. `started` is when preparing began.
 */
export async function openBenchmark(title: string, defaultUrl: string, options: PrepareOptions) {
  const databaseUrl = process.env.BENCH_DATABASE_URL || defaultUrl;
  console.log(title);
  printMachine();
  section('Database');
  const started = performance.now();
  return { ...(await prepareDatabase(databaseUrl, options)), databaseUrl, started };
}

/** The benchmark database, ready: migrated, demo workspace with exactly `customers` customers, VACUUM ANALYZEd. */
export async function prepareDatabase(url: string, options: PrepareOptions): Promise<{ db: Db; workspaceId: string; reused: boolean }> {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  if (!/bench/i.test(name)) throw new UsageError(`BENCH_DATABASE_URL names the database "${name}"; the benchmark drops it, so its name must contain "bench"`);

  if (options.reuse) {
    let db: Db | undefined;
    try {
      db = await createDb({ databaseUrl: url, poolSize: 4 });
      const found = await demoWorkspaceWithCustomers(db);
      if (found && found.customers === options.customers) {
        await migrate(db); // a migration added since: apply it, data stays
        await seedDemo(db, { demoApiKey: options.demoApiKey, customers: 0 });
        const note = options.cleanReused ? ` (${await options.cleanReused(db, found.workspaceId)})` : '';
        console.log(`Reusing ${name}: demo workspace ${found.workspaceId} with ${int(found.customers)} customers${note}`);
        await db.query('VACUUM ANALYZE');
        return { db, workspaceId: found.workspaceId, reused: true };
      }
      console.log(`--reuse: ${name} ${found ? `has ${int(found.customers)} customers, not ${int(options.customers)}` : 'has no demo workspace'}; recreating it`);
    } catch (error) {
      console.log(`--reuse: cannot use ${name} (${(error as Error).message.split('\n')[0]}); recreating it`);
    }
    await db?.close();
  }

  const started = performance.now();
  await onServer(parsed, async (admin) => {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
  const db = await createDb({ databaseUrl: url, poolSize: 4 });
  try {
    const { applied } = await migrate(db);
    const demo = await seedDemo(db, { demoApiKey: options.demoApiKey, customers: 0 });
    console.log(`Created ${name}: ${applied.length} migration(s), demo workspace ${demo.workspaceId}`);
    console.log(`Generating ${int(options.customers)} customers (~10 events, ~2 orders each, tagged) …`);
    let lastPrint = 0;
    const result = await generateCustomers(db, {
      workspaceId: demo.workspaceId,
      customers: options.customers,
      seed: 1,
      onProgress(p) {
        if (p.elapsedMs - lastPrint < 5_000 && p.customers < p.target) return;
        lastPrint = p.elapsedMs;
        console.log(`  ${((p.customers / p.target) * 100).toFixed(0).padStart(3)}%  ${int(p.customers)} customers, ${int(p.events)} events, ${int(p.orders)} orders, ${seconds(p.elapsedMs)}`);
      },
    });
    console.log(
      `Generated ${int(result.customers)} customers, ${int(result.orders)} orders, ${int(result.orderItems)} order items, ` +
        `${int(result.events)} events, ${int(result.customerTags)} tag assignments in ${seconds(result.elapsedMs)}`,
    );
    // A production database has statistics and a visibility map; a freshly loaded one has neither.
    const vacuumStarted = performance.now();
    await db.query('VACUUM ANALYZE');
    console.log(`VACUUM ANALYZE in ${seconds(performance.now() - vacuumStarted)}; database ready in ${seconds(performance.now() - started)}`);
    return { db, workspaceId: demo.workspaceId, reused: false };
  } catch (error) {
    await db.close();
    throw error;
  }
}

// ─── running ─────────────────────────────────────────────────────────────────────────────────────

export interface RunOptions {
  usage: string;
  /** Releases what the benchmark holds (database, child processes); called once, on every way out. */
  cleanup(): Promise<void>;
  /** What to print besides the message when the run turns out invalid (e.g. a server's output). */
  onInvalid?(): void;
  /** Told on Ctrl-C before cleaning up. Default: "stopping …". */
  stopping?: string;
}

/**
 * Runs a benchmark's main and exits with its code: 2 for a bad option (with the usage), 1 for an
 * invalid run or a crash. Exits explicitly, as the schema engine of migrate() and pg-boss leave
 * timers behind; Ctrl-C cleans up and exits 130.
 */
export function runBenchmark(main: () => Promise<number>, options: RunOptions) {
  let signalled = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (signalled) return;
      signalled = true;
      console.error(`\n${signal}: ${options.stopping ?? 'stopping …'}`);
      void options.cleanup().catch(() => undefined).finally(() => process.exit(130));
    });
  }
  main()
    .catch((error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n\n${options.usage}`);
        return 2;
      }
      if (error instanceof BenchmarkError) {
        console.error(`\nBENCHMARK INVALID: ${error.message}`);
        options.onInvalid?.();
      } else {
        console.error(error);
      }
      return 1;
    })
    .then(async (code) => {
      await options.cleanup().catch(() => undefined);
      process.exit(code);
    });
}

/** The values of the command line's options per `spec` (node:util parseArgs); a bad option is a UsageError. */
export function parseOptionValues<const O extends NonNullable<ParseArgsConfig['options']>>(spec: O) {
  try {
    return parseArgs({ options: spec }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
