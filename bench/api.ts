// `pnpm bench api`: the GraphQL API on PostgreSQL with a realistic workspace (100,000 generated
// customers with ~10 events, ~2 orders and tags each).
//
//  1. Recreates the benchmark database (BENCH_DATABASE_URL, default courtyard_bench), migrates it,
//     seeds the demo workspace with a known API key and generates the customers (--reuse keeps a
//     database that already holds them).
//  2. Starts the API (api/src/main.ts) as its own node process with NODE_ENV=production.
//  3. autocannon, 20 connections: (a) `{ __typename }`, (a′) the same with the API key (shows the
//     cost of authentication), (b) a page of 50 customers with tags, last 3 orders and last 5 events,
//     as any client asks for it (answered from the query cache while the workspace does not change),
//     and (b′) the same page with `Cache-Control: no-cache`, so every request executes.
//     Each is checked once before (no errors, real data) and every response during the run is
//     checked for GraphQL errors.
//  4. ingestEvents: batches of 5,000 events for existing customers by phone, several in flight.
//  5. Peak RSS of the API process over the whole run; CPU split between the API process,
//     PostgreSQL and the load generator (they share the machine).
// Prints the figures next to the targets and exits 0 whether or not they are met; exits 1 only
// when the benchmark itself could not run or the API answered with errors.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Db } from '@courtyard/db';
import autocannon from 'autocannon';
import {
  BenchmarkError, int, mb, ms, parseNumber, pct, seconds, section, table, UsageError,
  openBenchmark,
  parseOptionValues,
  runBenchmark,
} from './common.ts';
import { ApiServer, apiHeapFlags, cpuSnapshot, cpuSplit, freePort, statusKb, type CpuSplit } from './api-server.ts';
import { summariseProfile } from './cpu-profile.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/courtyard_bench';
/** The demo workspace's API key in the benchmark database (any string is a valid key secret). */
const DEMO_API_KEY = 'cy_bench_demo_key_do_not_use_in_production';
/** Prefix of the idempotency keys of ingested events, so a --reuse run can remove the last run's. */
const EVENT_KEY_PREFIX = 'bench-ingest:';

const TARGETS = {
  pageShareOfTrivial: 0.25,
  pageP99Ms: 50,
  eventsPerSecond: 20_000,
  peakRssMb: 400,
};

const USAGE = `Usage: pnpm bench api [options]
  --customers N     customers in the workspace (default 100000)
  --duration S      seconds of each measured HTTP run (default 10)
  --warmup S        seconds of warm-up before each HTTP run (default 3)
  --connections C   concurrent HTTP connections (default 20)
  --events N        events to ingest (default 200000)
  --batch N         events per ingestEvents call (default 5000, the API's maximum)
  --in-flight N     ingestEvents calls in flight at once (default 4)
  --reuse           keep the benchmark database when it already holds the demo workspace with
                    exactly N customers (default: drop and regenerate it)
  --only LIST       run only these parts, comma-separated: trivial, key, page, page-uncached, ingest
                    (default all)
  --cpu-prof        profile the API process (node --cpu-prof) and summarise where its CPU time went;
                    the .cpuprofile file (open it in Chrome DevTools) is kept in .courtyard/bench-profiles
Database: BENCH_DATABASE_URL, default ${DEFAULT_DATABASE_URL}.
It is dropped and recreated, so its name must contain "bench".`;

// ─── options ─────────────────────────────────────────────────────────────────────────────────────

const OPTION_SPEC = {
  customers: { type: 'string', default: '100000' },
  duration: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '3' },
  connections: { type: 'string', default: '20' },
  events: { type: 'string', default: '200000' },
  batch: { type: 'string', default: '5000' },
  'in-flight': { type: 'string', default: '4' },
  reuse: { type: 'boolean', default: false },
  only: { type: 'string', default: 'trivial,key,page,page-uncached,ingest' },
  'cpu-prof': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseOptions() {
  const values = parseOptionValues(OPTION_SPEC);
  const num = parseNumber;
  return {
    help: values.help,
    customers: Math.floor(num('customers', values.customers, 50)),
    durationS: num('duration', values.duration, 1),
    warmupS: num('warmup', values.warmup, 0),
    connections: Math.floor(num('connections', values.connections, 1)),
    events: Math.floor(num('events', values.events, 1)),
    batch: Math.min(5_000, Math.floor(num('batch', values.batch, 1))),
    inFlight: Math.floor(num('in-flight', values['in-flight'], 1)),
    reuse: values.reuse,
    only: parseOnly(values.only),
    cpuProf: values['cpu-prof'],
  };
}

const PARTS = ['trivial', 'key', 'page', 'page-uncached', 'ingest'] as const;
type Part = (typeof PARTS)[number];

function parseOnly(raw: string): Set<Part> {
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length || !parts.length) throw new UsageError(`--only takes a comma-separated list of ${PARTS.join(', ')}; got "${raw}"`);
  return new Set(parts as Part[]);
}

type Options = ReturnType<typeof parseOptions>;

// ─── HTTP: verification and autocannon ───────────────────────────────────────────────────────────

const TRIVIAL_QUERY = '{ __typename }';
const PAGE_QUERY =
  'query CustomersPage { customers(first: 50) { edges { node { id name phone tags { name } ' +
  'orders(first: 3) { edges { node { id paid placedAt } } } events(first: 5) { edges { node { type occurredAt } } } } } } }';

interface PageResponse {
  data?: {
    customers: {
      edges: Array<{
        node: {
          id: string;
          name: string | null;
          phone: string | null;
          tags: Array<{ name: string }>;
          orders: { edges: Array<{ node: { id: string; paid: number; placedAt: string } }> };
          events: { edges: Array<{ node: { type: string; occurredAt: string } }> };
        };
      }>;
    };
  };
  errors?: Array<{ message: string }>;
}


async function postGraphQL<T>(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: T; bytes: number }> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let json: T;
  try {
    json = JSON.parse(text) as T;
  } catch {
    throw new BenchmarkError(`POST ${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 500)}`);
  }
  return { status: response.status, json, bytes: Buffer.byteLength(text) };
}

function checkNoErrors(label: string, status: number, json: { errors?: Array<{ message: string }> }): void {
  if (status !== 200 || json.errors?.length) {
    throw new BenchmarkError(`${label}: expected 200 without errors, got ${status}: ${JSON.stringify(json).slice(0, 1_000)}`);
  }
}

/** Checks the customers page once: 50 customers, with tags, orders and events among them. */
async function verifyPage(url: string, headers: Record<string, string>): Promise<string> {
  const { status, json, bytes } = await postGraphQL<PageResponse>(url, JSON.stringify({ query: PAGE_QUERY }), headers);
  checkNoErrors('(b) customers page', status, json);
  const edges = json.data?.customers.edges ?? [];
  const nodes = edges.map((e) => e.node);
  const orders = nodes.reduce((n, c) => n + c.orders.edges.length, 0);
  const events = nodes.reduce((n, c) => n + c.events.edges.length, 0);
  const tags = nodes.reduce((n, c) => n + c.tags.length, 0);
  const withPhone = nodes.filter((c) => c.phone).length;
  if (edges.length !== 50 || orders === 0 || events === 0 || tags === 0 || withPhone === 0) {
    throw new BenchmarkError(
      `(b) customers page: expected 50 customers with phones, tags, orders and events; got ${edges.length} customers, ` +
        `${withPhone} phones, ${tags} tags, ${orders} orders, ${events} events`,
    );
  }
  return `50 customers, ${tags} tags, ${orders} orders, ${events} events, ${int(bytes)} bytes`;
}

interface HttpRun {
  label: string;
  part: Part;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  non2xx: number;
  withErrors: number;
  connectionErrors: number;
  timeouts: number;
  cpu: CpuSplit;
}

function isGraphQLSuccess(body: string | Buffer | undefined): boolean {
  // A 200 with `errors` is still a failed request; a successful body never contains the key.
  return body !== undefined && !(typeof body === 'string' ? body : body.toString()).includes('"errors"');
}

async function cannon(url: string, body: string, headers: Record<string, string>, connections: number, durationS: number): Promise<autocannon.Result> {
  return autocannon({ url, method: 'POST', headers, body, connections, duration: durationS, verifyBody: isGraphQLSuccess });
}

interface Bench {
  server: ApiServer;
  db: Db;
  workspaceId: string;
  options: Options;
}

async function httpRun(bench: Bench, part: Part, label: string, query: string, headers: Record<string, string>): Promise<HttpRun> {
  const { server, db, options } = bench;
  const body = JSON.stringify({ query });
  if (options.warmupS > 0) await cannon(server.url, body, headers, options.connections, options.warmupS);
  const before = await cpuSnapshot(server.pid, db);
  const result = await cannon(server.url, body, headers, options.connections, options.durationS);
  const cpu = cpuSplit(before, await cpuSnapshot(server.pid, db));
  const run: HttpRun = {
    label,
    part,
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    non2xx: result.non2xx,
    withErrors: result.mismatches,
    connectionErrors: result.errors,
    timeouts: result.timeouts,
    cpu,
  };
  console.log(
    `${label}: ${int(run.requestsPerSecond)} req/s, p50 ${ms(run.p50)}, p99 ${ms(run.p99)}, max ${ms(run.max)}; ` +
      `${int(run.total)} requests, ${int(run.non2xx)} non-2xx, ${int(run.withErrors)} with GraphQL errors, ` +
      `${int(run.connectionErrors)} connection errors (${int(run.timeouts)} timeouts)`,
  );
  console.log(
    `    ${cpu.text}; per request: API ${ms((cpu.serverCores * 1000) / run.requestsPerSecond)}, ` +
      `PostgreSQL ${ms((cpu.postgresCores * 1000) / run.requestsPerSecond)} CPU`,
  );
  return run;
}

// ─── event ingestion ─────────────────────────────────────────────────────────────────────────────

const INGEST_MUTATION =
  'mutation Ingest($events: [EventInput!]!) { ingestEvents(events: $events) { ' +
  '__typename ... on IngestEventsPayload { storedCount duplicateCount failedCount errors { index message } } ' +
  '... on ValidationError { message fields { field message } } } }';

interface IngestResponse {
  data?: {
    ingestEvents:
      | { __typename: 'IngestEventsPayload'; storedCount: number; duplicateCount: number; failedCount: number; errors: Array<{ index: number; message: string }> }
      | { __typename: 'ValidationError'; message: string; fields: Array<{ field: string; message: string }> };
  };
  errors?: Array<{ message: string }>;
}

const EVENT_TYPES = ['page_viewed', 'coupon_received', 'message_replied', 'live_stream_watched', 'moments_liked'] as const;
const PAGES = ['/pages/index/index', '/pages/goods/detail', '/pages/goods/list', '/pages/cart/cart', '/pages/member/center'] as const;

function batchBody(phones: string[], runId: string, first: number, size: number, nowMs: number): string {
  const events = [];
  for (let i = first; i < first + size; i++) {
    events.push({
      customer: { phone: phones[i % phones.length]! },
      type: EVENT_TYPES[i % EVENT_TYPES.length]!,
      occurredAt: new Date(nowMs - ((i * 7_919) % (30 * 86_400)) * 1_000).toISOString(),
      properties: { page: PAGES[i % PAGES.length]!, source: 'bench', n: i },
      idempotencyKey: `${EVENT_KEY_PREFIX}${runId}:${i}`,
    });
  }
  return JSON.stringify({ query: INGEST_MUTATION, variables: { events } });
}

async function sendBatch(url: string, headers: Record<string, string>, body: string, expected: number, label: string): Promise<number> {
  const started = performance.now();
  const { status, json } = await postGraphQL<IngestResponse>(url, body, headers);
  checkNoErrors(label, status, json);
  const result = json.data!.ingestEvents;
  if (result.__typename !== 'IngestEventsPayload') throw new BenchmarkError(`${label}: ${result.message} ${JSON.stringify(result.fields).slice(0, 500)}`);
  if (result.storedCount !== expected || result.failedCount !== 0 || result.duplicateCount !== 0) {
    throw new BenchmarkError(
      `${label}: sent ${expected} events, stored ${result.storedCount}, ${result.duplicateCount} duplicates, ${result.failedCount} failed` +
        (result.errors.length ? ` (first: #${result.errors[0]!.index} ${result.errors[0]!.message})` : ''),
    );
  }
  return performance.now() - started;
}

interface IngestRun {
  events: number;
  eventsPerSecond: number;
  batchP50: number;
  batchMax: number;
  elapsedMs: number;
  cpu: CpuSplit;
}

async function ingestRun(bench: Bench, headers: Record<string, string>): Promise<IngestRun> {
  const { server, db, workspaceId, options } = bench;
  // The generator hands out 149… numbers, which the API's phone validation (libphonenumber) rejects,
  // so events could not name those customers by phone: leave them out.
  const phones = (
    await db.query<{ phone: string }>(
      `SELECT phone FROM "Customer" WHERE "workspaceId" = $1 AND phone IS NOT NULL AND phone NOT LIKE '149%' ORDER BY random() LIMIT 20000`,
      [workspaceId],
    )
  ).map((r) => r.phone);
  if (!phones.length) throw new BenchmarkError('No customer with a phone in the workspace');
  const runId = randomUUID().slice(0, 8);
  const nowMs = Date.now();
  const batches: Array<{ body: string; size: number }> = [];
  for (let first = 0; first < options.events; first += options.batch) {
    const size = Math.min(options.batch, options.events - first);
    batches.push({ body: batchBody(phones, runId, first, size, nowMs), size });
  }
  const warmSize = Math.min(options.batch, 1_000);
  const warmBody = batchBody(phones, `${runId}-warm`, 0, warmSize, nowMs);
  console.log(
    `${int(options.events)} events for ${int(Math.min(phones.length, options.events))} customers by phone: ${batches.length} batches of ≤ ${int(options.batch)}, ` +
      `${options.inFlight} in flight (${mb(Buffer.byteLength(batches[0]!.body))} per request)`,
  );
  await sendBatch(server.url, headers, warmBody, warmSize, 'ingestEvents warm-up');

  const before = await cpuSnapshot(server.pid, db);
  const started = performance.now();
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const index = next++;
      const batch = batches[index]!;
      latencies.push(await sendBatch(server.url, headers, batch.body, batch.size, `ingestEvents batch ${index}`));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.inFlight, batches.length) }, worker));
  const elapsedMs = performance.now() - started;
  const cpu = cpuSplit(before, await cpuSnapshot(server.pid, db));

  const [stored] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Event" WHERE "workspaceId" = $1 AND "idempotencyKey" LIKE $2`, [
    workspaceId,
    `${EVENT_KEY_PREFIX}${runId}:%`,
  ]);
  if (stored!.n !== options.events) throw new BenchmarkError(`ingestEvents: sent ${options.events} events, the database holds ${stored!.n}`);
  latencies.sort((a, b) => a - b);
  const run: IngestRun = {
    events: options.events,
    eventsPerSecond: options.events / (elapsedMs / 1000),
    batchP50: latencies[Math.floor(latencies.length / 2)]!,
    batchMax: latencies[latencies.length - 1]!,
    elapsedMs,
    cpu,
  };
  console.log(
    `ingestEvents: ${int(run.eventsPerSecond)} events/s (${int(run.events)} in ${seconds(elapsedMs)}; all stored, verified in the database); ` +
      `per batch p50 ${ms(run.batchP50)}, max ${ms(run.batchMax)}`,
  );
  console.log(
    `    ${cpu.text}; per 1,000 events: API ${ms((cpu.serverCores * elapsedMs) / (run.events / 1000))}, ` +
      `PostgreSQL ${ms((cpu.postgresCores * elapsedMs) / (run.events / 1000))} CPU`,
  );
  return run;
}

// ─── main ────────────────────────────────────────────────────────────────────────────────────────

let server: ApiServer | undefined;
let db: Db | undefined;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
  })();
  return cleaning;
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const prepared = await openBenchmark('Courtyard API benchmark (pnpm bench api)', DEFAULT_DATABASE_URL, {
    customers: options.customers,
    reuse: options.reuse,
    demoApiKey: DEMO_API_KEY,
    async cleanReused(db, workspaceId) {
      const removed = await db.query<{ n: number }>(
        `WITH d AS (DELETE FROM "Event" WHERE "workspaceId" = $1 AND "idempotencyKey" LIKE $2 RETURNING 1) SELECT count(*)::int AS n FROM d`,
        [workspaceId, `${EVENT_KEY_PREFIX}%`],
      );
      return `removed ${int(removed[0]!.n)} events of earlier runs`;
    },
  });
  const { databaseUrl, started } = prepared;
  db = prepared.db;
  const [pg] = await db.query<{ version: string; shared_buffers: string }>(`SELECT split_part(version(), ' ', 2) AS version, current_setting('shared_buffers') AS shared_buffers`);
  const [counts] = await db.query<{ customers: number; events: number; orders: number; tags: number; size: string }>(
    `SELECT (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1) AS customers,
            (SELECT count(*)::int FROM "Event" WHERE "workspaceId" = $1) AS events,
            (SELECT count(*)::int FROM "Order" WHERE "workspaceId" = $1) AS orders,
            (SELECT count(*)::int FROM "CustomerTag" WHERE "workspaceId" = $1) AS tags,
            pg_size_pretty(pg_database_size(current_database())) AS size`,
    [prepared.workspaceId],
  );
  console.log(
    `PostgreSQL ${pg!.version} (shared_buffers ${pg!.shared_buffers}); workspace: ${int(counts!.customers)} customers, ${int(counts!.events)} events, ` +
      `${int(counts!.orders)} orders, ${int(counts!.tags)} tag assignments; database ${counts!.size}`,
  );

  section('API process');
  const port = await freePort();
  let profileDir: string | undefined;
  if (options.cpuProf) {
    profileDir = join(ROOT, '.courtyard', 'bench-profiles', new Date().toISOString().replace(/[:.]/g, '-'));
    mkdirSync(profileDir, { recursive: true });
  }
  server = new ApiServer(port, databaseUrl, DEMO_API_KEY, profileDir);
  const readyMs = await server.ready();
  console.log(
    `node ${profileDir ? '--cpu-prof ' : ''}${apiHeapFlags().join(' ')} --import tsx api/src/main.ts (pid ${server.pid}, NODE_ENV=production, ` +
      `DATABASE_POOL_SIZE ${process.env.DATABASE_POOL_SIZE ?? '10 (default)'}) answered on ${server.url} after ${seconds(readyMs)}`,
  );
  console.log(`RSS after start: ${mb(statusKb(server.pid, 'VmRSS') * 1024)}`);
  const bench: Bench = { server, db, workspaceId: prepared.workspaceId, options };
  const { only } = options;

  const runs: HttpRun[] = [];
  if (only.has('trivial') || only.has('key') || only.has('page')) {
    section(`HTTP: ${options.connections} connections, ${options.warmupS} s warm-up + ${options.durationS} s each`);
    const json = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
    const authed = { ...json, authorization: `Bearer ${DEMO_API_KEY}` };
    for (const [label, headers] of [['(a)', json], ['(a′)', authed]] as const) {
      const { status, json: body } = await postGraphQL<{ errors?: Array<{ message: string }> }>(server.url, JSON.stringify({ query: TRIVIAL_QUERY }), headers);
      checkNoErrors(`${label} { __typename }`, status, body);
    }
    console.log(`Checked: (a) and (a′) answer { __typename }; (b) customers page: ${await verifyPage(server.url, authed)}`);
    if (only.has('trivial')) runs.push(await httpRun(bench, 'trivial', '(a)  { __typename }, no credentials', TRIVIAL_QUERY, json));
    if (only.has('key')) runs.push(await httpRun(bench, 'key', '(a′) { __typename } with the API key', TRIVIAL_QUERY, authed));
    if (only.has('page')) runs.push(await httpRun(bench, 'page', '(b)  customers page with the API key', PAGE_QUERY, authed));
    if (only.has('page-uncached')) {
      runs.push(await httpRun(bench, 'page-uncached', '(b′) customers page, Cache-Control: no-cache', PAGE_QUERY, { ...authed, 'cache-control': 'no-cache' }));
    }
    const bad = runs.filter((r) => r.non2xx || r.withErrors || r.connectionErrors);
    if (bad.length) {
      throw new BenchmarkError(
        `Failed requests during the run: ${bad.map((r) => `${r.label.trim()}: ${r.non2xx} non-2xx, ${r.withErrors} with errors, ${r.connectionErrors} connection errors`).join('; ')}`,
      );
    }
  }

  let ingest: IngestRun | undefined;
  if (only.has('ingest')) {
    section('Event ingestion (ingestEvents)');
    ingest = await ingestRun(bench, { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${DEMO_API_KEY}` });
  }

  server.sampleMemory();
  const peakRss = Math.max(server.peakRssBytes, server.peakHwmBytes);
  section('API process memory');
  console.log(`Peak RSS ${mb(peakRss)} (VmHWM ${mb(server.peakHwmBytes)}, highest VmRSS sampled every 100 ms ${mb(server.peakRssBytes)})`);
  await cleanup();

  if (profileDir) {
    section('API CPU profile');
    const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    const file = files.map((f) => join(profileDir, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (file) console.log(`${relative(ROOT, file)} (whole run, including start-up and warm-ups)\n${summariseProfile(file)}`);
    else console.log(`No profile in ${relative(ROOT, profileDir)}: the API process did not exit cleanly.`);
  }

  section('Results');
  const mark = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  const notRun = (figure: string, target: string) => [figure, 'not run', target, ''];
  const trivial = runs.find((r) => r.part === 'trivial');
  const keyed = runs.find((r) => r.part === 'key');
  const page = runs.find((r) => r.part === 'page');
  const uncached = runs.find((r) => r.part === 'page-uncached');
  const rows: string[][] = [];
  if (trivial) rows.push(['(a) { __typename } throughput', `${int(trivial.requestsPerSecond)} req/s`, '—', ''], ['(a) { __typename } p50 / p99', `${ms(trivial.p50)} / ${ms(trivial.p99)}`, '—', '']);
  if (keyed) rows.push(['(a′) same with the API key', `${int(keyed.requestsPerSecond)} req/s, p50 ${ms(keyed.p50)}, p99 ${ms(keyed.p99)}`, '—', '']);
  if (page) rows.push(['(b) customers page throughput', `${int(page.requestsPerSecond)} req/s`, '—', ''], ['(b) customers page p50', ms(page.p50), '—', '']);
  if (uncached) {
    rows.push([
      '(b′) page executed every time',
      `${int(uncached.requestsPerSecond)} req/s${trivial ? ` (${pct(uncached.requestsPerSecond / trivial.requestsPerSecond)} of (a))` : ''}, p50 ${ms(uncached.p50)}, p99 ${ms(uncached.p99)}`,
      '—',
      '',
    ]);
  }
  const ratioTarget = `≥ ${pct(TARGETS.pageShareOfTrivial)}`;
  if (trivial && page) {
    const ratio = page.requestsPerSecond / trivial.requestsPerSecond;
    rows.push(['(b) / (a) throughput', pct(ratio), ratioTarget, mark(ratio >= TARGETS.pageShareOfTrivial)]);
  } else rows.push(notRun('(b) / (a) throughput', ratioTarget));
  const p99Figure = `(b) p99 at ${options.connections} connections`;
  if (page) rows.push([p99Figure, ms(page.p99), `< ${TARGETS.pageP99Ms} ms`, mark(page.p99 < TARGETS.pageP99Ms)]);
  else rows.push(notRun(p99Figure, `< ${TARGETS.pageP99Ms} ms`));
  const ingestTarget = `≥ ${int(TARGETS.eventsPerSecond)} events/s`;
  if (ingest) rows.push(['ingestEvents', `${int(ingest.eventsPerSecond)} events/s`, ingestTarget, mark(ingest.eventsPerSecond >= TARGETS.eventsPerSecond)]);
  else rows.push(notRun('ingestEvents', ingestTarget));
  rows.push(['API peak RSS', mb(peakRss), `< ${TARGETS.peakRssMb} MB`, mark(peakRss < TARGETS.peakRssMb * 1024 * 1024)]);
  rows.push(['failed requests (non-2xx, errors)', '0', '0', 'pass']);
  console.log(table(['figure', 'measured', 'target', 'result'], rows));
  const cpus = os.cpus();
  console.log(
    `\n${cpus.length} × ${cpus[0]?.model.trim()}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${pg!.version} on the same machine; ` +
      `${int(counts!.customers)} customers${prepared.reused ? ' (reused database)' : ''}; ${options.connections} connections; total ${seconds(performance.now() - started)}`,
  );
  if (options.cpuProf) console.log('Profiled run (--cpu-prof): the profiler slows the API down; do not compare these figures with unprofiled ones.');
  const busiest = Math.max(0, ...[...runs.map((r) => r.cpu), ...(ingest ? [ingest.cpu] : [])].map((c) => c.otherCores));
  if (busiest > 0.25) {
    console.log(`Warning: other processes kept up to ${busiest.toFixed(2)} of ${cpus.length} cores busy during a measurement; these figures are lower than the machine can do.`);
  }
  const missed = rows.filter((r) => r[3] === 'FAIL').length;
  console.log(missed ? `${missed} target(s) missed.` : 'All targets met.');
  return 0;
}

runBenchmark(main, {
  usage: USAGE,
  cleanup,
  stopping: 'stopping the API process …',
  onInvalid: () => {
    if (server) console.error(`\nAPI output (last lines):\n${server.log.split('\n').slice(-30).join('\n')}`);
  },
});
