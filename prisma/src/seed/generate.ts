// generateCustomers(): realistic fake customers, orders, events and tags for a Chinese hair-care
// brand, in bulk. Rows are built in chunks in COPY text format (chunk.ts) and loaded one
// transaction per chunk, several chunks in flight on PostgreSQL, so memory stays bounded and a
// million customers take minutes. Given a seed, the same `now` and the same existing customers in
// the workspace, the output is the same except for row ids (time-ordered UUIDs, for index locality).
import type { Db } from '../client.ts';
import {
  type Chunk, ChunkBuilder, CUSTOMER_COLUMNS, CUSTOMER_TAG_COLUMNS, EVENT_COLUMNS, ITEM_COLUMNS, ORDER_COLUMNS,
  RULE_TAG_NAMES, type ChunkCounts, type WorkspaceContext,
} from './chunk.ts';
import { type CopySink, inTransaction } from './copy.ts';

export { phoneForIndex } from './chunk.ts';

export interface GenerateOptions {
  workspaceId: string;
  /** How many customers to add. */
  customers: number;
  /** Mean events per customer. Default 10. */
  eventsPerCustomer?: number | undefined;
  /** Mean orders per customer (about a third of customers never order). Default 2. */
  ordersPerCustomer?: number | undefined;
  /** PRNG seed: the same seed gives the same data. Default 1. */
  seed?: number | undefined;
  /** The generated history ends here (customers joined over the three years before). Default: now. */
  now?: Date | undefined;
  /** Customers per chunk (one transaction each). Default 5,000 on PostgreSQL, 2,000 on PGlite. */
  chunkSize?: number | undefined;
  /** Chunks loaded at once on PostgreSQL, each on its own pooled connection. Default 2; PGlite: always 1. */
  concurrency?: number | undefined;
  /** Called after each chunk is committed. Default: none. */
  onProgress?: ((progress: GenerateProgress) => void) | undefined;
}

export type GenerateCounts = ChunkCounts;

export interface GenerateProgress extends GenerateCounts {
  /** Customers asked for in total. */
  target: number;
  elapsedMs: number;
}

export interface GenerateResult extends GenerateCounts {
  elapsedMs: number;
}

type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

async function loadContext(query: Query, workspaceId: string): Promise<WorkspaceContext> {
  const [workspace] = await query<{ id: string }>('SELECT id FROM "Workspace" WHERE id = $1', [workspaceId]);
  if (!workspace) throw new Error(`generateCustomers: no workspace ${workspaceId}`);
  const tags = await query<{ id: string; name: string }>(
    `SELECT t.id, t.name FROM "Tag" t JOIN "TagGroup" g ON g.id = t."groupId"
     WHERE t."workspaceId" = $1 ORDER BY g.kind, g.name, t.name, t.id`,
    [workspaceId],
  );
  const tagByName = new Map<string, string>();
  const otherTagIds: string[] = [];
  for (const tag of tags) {
    if (RULE_TAG_NAMES.has(tag.name) && !tagByName.has(tag.name)) tagByName.set(tag.name, tag.id);
    else otherTagIds.push(tag.id);
  }
  const staff = await query<{ id: string; wecomUserId: string | null }>(
    `SELECT id, "wecomUserId" FROM "Staff" WHERE "workspaceId" = $1 AND active ORDER BY "createdAt", id`,
    [workspaceId],
  );
  const [count] = await query<{ n: number }>('SELECT count(*)::int AS n FROM "Customer" WHERE "workspaceId" = $1', [workspaceId]);
  const firstIndex = count?.n ?? 0;
  const takenPhones = new Set<string>();
  const takenEmails = new Set<string>();
  if (firstIndex > 0) {
    // Customers made by hand or by earlier batches: never hand out their phone or e-mail again.
    const rows = await query<{ phone: string | null; email: string | null }>(
      'SELECT phone, email FROM "Customer" WHERE "workspaceId" = $1 AND (phone IS NOT NULL OR email IS NOT NULL)',
      [workspaceId],
    );
    for (const row of rows) {
      if (row.phone) takenPhones.add(row.phone);
      if (row.email) takenEmails.add(row.email);
    }
  }
  return { workspaceId, tagByName, otherTagIds, staff, firstIndex, takenPhones, takenEmails };
}

async function writeChunk(sink: CopySink, chunk: Chunk): Promise<void> {
  // Parents before children: the foreign keys are checked row by row.
  await sink.copy('Customer', CUSTOMER_COLUMNS, chunk.customers);
  await sink.copy('Order', ORDER_COLUMNS, chunk.orders);
  await sink.copy('OrderItem', ITEM_COLUMNS, chunk.orderItems);
  await sink.copy('Event', EVENT_COLUMNS, chunk.events);
  await sink.copy('CustomerTag', CUSTOMER_TAG_COLUMNS, chunk.customerTags);
}

async function run(
  ctx: WorkspaceContext,
  options: GenerateOptions,
  defaultChunkSize: number,
  concurrency: number,
  write: (chunk: Chunk) => Promise<void>,
): Promise<GenerateResult> {
  const started = performance.now();
  const builder = new ChunkBuilder(ctx, {
    seed: options.seed ?? 1,
    nowMs: (options.now ?? new Date()).getTime(),
    ordersPerCustomer: options.ordersPerCustomer ?? 2,
    eventsPerCustomer: options.eventsPerCustomer ?? 10,
  });
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? defaultChunkSize));
  const totals: GenerateCounts = { customers: 0, orders: 0, orderItems: 0, events: 0, customerTags: 0 };
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let produced = 0;
  // Building a chunk is synchronous CPU work; it overlaps with the database loading the previous ones.
  while (produced < options.customers && !failure) {
    const chunk = builder.build(Math.min(chunkSize, options.customers - produced));
    produced += chunk.counts.customers;
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) break;
    const pending: Promise<void> = write(chunk)
      .then(
        () => {
          for (const k of Object.keys(totals) as Array<keyof GenerateCounts>) totals[k] += chunk.counts[k];
          options.onProgress?.({ ...totals, target: options.customers, elapsedMs: performance.now() - started });
        },
        (error: unknown) => {
          failure ??= { error };
        },
      )
      .finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return { ...totals, elapsedMs: performance.now() - started };
}

function validate(options: GenerateOptions): void {
  if (!Number.isInteger(options.customers) || options.customers < 0) {
    throw new RangeError(`generateCustomers: customers must be a whole number ≥ 0, got ${options.customers}`);
  }
}

/**
 * Adds `customers` generated customers (with orders, items, events and tags) to a workspace.
 * Each chunk is its own transaction: a failure leaves the chunks already committed, each complete.
 */
export async function generateCustomers(db: Db, options: GenerateOptions): Promise<GenerateResult> {
  validate(options);
  const ctx = await loadContext((sql, params) => db.query(sql, params), options.workspaceId);
  const write = (chunk: Chunk) => inTransaction(db, (sink) => writeChunk(sink, chunk));
  if (db.kind === 'pglite') return run(ctx, options, 2_000, 1, write);
  return run(ctx, options, 5_000, Math.max(1, Math.floor(options.concurrency ?? 2)), write);
}

/** Same as generateCustomers, inside a transaction the caller holds (all or nothing). */
export async function generateCustomersIn(sink: CopySink, options: GenerateOptions): Promise<GenerateResult> {
  validate(options);
  const ctx = await loadContext((sql, params) => sink.query(sql, params), options.workspaceId);
  return run(ctx, options, sink.kind === 'pglite' ? 2_000 : 5_000, 1, (chunk) => writeChunk(sink, chunk));
}
