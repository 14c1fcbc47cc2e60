// `pnpm bench campaigns`: a campaign to a large audience on PostgreSQL (default 1,000,000
// generated customers), through the webhook channel in batch mode to a receiver on this machine.
//
//  1. Recreates the benchmark database (BENCH_DATABASE_URL, default courtyard_bench_campaigns),
//     migrates it, seeds the demo workspace and generates the customers (--reuse keeps a database
//     that already holds exactly that many; the campaigns, segments and channels of earlier runs
//     are removed).
//  2. A static segment holding every customer (INSERT … SELECT into SegmentMember), a webhook
//     channel with `batch: true` pointing at the sink (bench/campaigns-sink.ts, a child process
//     that answers 200 and records every idempotency key), and a one-off campaign to the segment
//     (no senders, no windows, marketing false).
//  3. Snapshot: startRun(db, campaignId, now), the audience INSERT … SELECT into Delivery rows.
//  4. Dispatch: --loops concurrent loops in this process, each calling runtime.campaigns() of a
//     JourneyRuntime with campaignBatch --batch, until no planned delivery is left.
//     Deliveries/s = planned / time from the first pass to the last. Where the pass time goes
//     (claim, customers, HTTP, outcomes, the rest in JavaScript) is measured around db.query and fetch.
//  5. Check: the sink saw every planned key exactly once (distinct keys = planned, same set as the
//     database's by digest, each key `campaign:<run>:<customer>`), raw repeats counted apart; the
//     database has every delivery sent and the run completed.
//  6. Naive baseline over --sample customers: one INSERT and one HTTP POST (one message per
//     request) per customer, one after another; extrapolated to deliveries/s.
// Prints the figures next to the targets and exits 0 whether or not they are met; exits 1 only when
// the benchmark itself is invalid (a customer missed, a delivery not sent).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Db, QueryFn } from '@courtyard/db';
import { JourneyRuntime } from '../plugins/runtime/src/index.ts';
import { CampaignDefinition, loadAudienceSettings, snapshotAudience, startRun, type CampaignDefinitionInput } from '../plugins/runtime/src/campaigns/index.ts';
import { webhookDriver } from '../plugins/runtime/src/channels/webhook.ts';
import type { OutboundMessage } from '../plugins/runtime/src/channels/types.ts';
import { renderTemplate } from '../plugins/sdk/src/index.ts';
import { machineBusyMs, processCpuMs } from './api-server.ts';
import {
  BenchmarkError, int, ms, parseNumber, percentile, seconds, section, sleep, table,
  openBenchmark,
  runBenchmark, parseOptionValues
} from './common.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/courtyard_bench_campaigns';
const DEMO_API_KEY = 'cy_bench_campaigns_demo_key_do_not_use';
/** Names of what this benchmark creates, so a --reuse run can remove the last run's. */
const PREFIX = 'bench-campaigns: ';
/** Key prefix of the baseline's Delivery rows. */
const BASELINE_KEY_PREFIX = 'bench-campaigns-baseline:';
const BODY = '{{customer.name}}，您好：会员日全场 8 折，回复 1 领券';

const TARGETS = { snapshotMs: 10_000, deliveriesPerSecond: 10_000 };

const USAGE = `Usage: pnpm bench campaigns [options]
  --customers N   customers in the workspace, all in the campaign's segment (default 1000000)
  --batch N       campaign deliveries one dispatch pass claims (the runtime's campaignBatch; default 5000)
  --loops N       dispatch loops at once in this process, each calling runtime.campaigns() (default 2)
  --sample N      customers of the naive baseline, one INSERT and one POST each (default 5000)
  --explain       print EXPLAIN ANALYZE of the snapshot INSERT (rolled back); done anyway when the
                  snapshot misses its target
  --reuse         keep the benchmark database when it already holds the demo workspace with
                  exactly N customers (default: drop and regenerate it; 1M takes ~10 minutes)
Database: BENCH_DATABASE_URL, default ${DEFAULT_DATABASE_URL}.
It is dropped and recreated, so its name must contain "bench".`;

const OPTION_SPEC = {
  customers: { type: 'string', default: '1000000' },
  batch: { type: 'string', default: '5000' },
  loops: { type: 'string', default: '2' },
  sample: { type: 'string', default: '5000' },
  explain: { type: 'boolean', default: false },
  reuse: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseOptions() {
  const values = parseOptionValues(OPTION_SPEC);
  return {
    help: values.help,
    customers: Math.floor(parseNumber('customers', values.customers, 100)),
    batch: Math.floor(parseNumber('batch', values.batch, 1)),
    loops: Math.floor(parseNumber('loops', values.loops, 1)),
    sample: Math.floor(parseNumber('sample', values.sample, 10)),
    explain: values.explain,
    reuse: values.reuse,
  };
}

type Options = ReturnType<typeof parseOptions>;

// ─── the sink ────────────────────────────────────────────────────────────────────────────────────

interface SinkStats {
  requests: number;
  messages: number;
  unique: number;
  duplicates: number;
  badKeys: number;
  digest: string;
}

interface Sink {
  url: string;
  pid: number;
  stats(): Promise<SinkStats>;
  reset(prefix: string | null): Promise<void>;
  stop(): void;
}

async function startSink(): Promise<Sink> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/campaigns-sink.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  sinkProcess = child;
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /sink listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new BenchmarkError(`the sink process ended (code ${code}) before it listened: ${out}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/hook`,
    pid: child.pid!,
    async stats() {
      return (await (await fetch(`${base}/stats`)).json()) as SinkStats;
    },
    async reset(prefix) {
      await (await fetch(`${base}/reset${prefix === null ? '' : `?prefix=${encodeURIComponent(prefix)}`}`, { method: 'POST' })).text();
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}

// ─── where the time goes ─────────────────────────────────────────────────────────────────────────

/** Busy time per part of a dispatch pass, summed over the loops (they overlap). */
const spent = new Map<string, { ms: number; calls: number }>();
function note(part: string, msValue: number) {
  const s = spent.get(part) ?? spent.set(part, { ms: 0, calls: 0 }).get(part)!;
  s.ms += msValue;
  s.calls++;
}

/** The dispatch's statements, told apart by their text. */
function partOf(sql: string): string {
  if (sql.includes('WITH want AS')) return 'claim (UPDATE … FOR UPDATE SKIP LOCKED)';
  if (sql.includes('FROM "Customer" c WHERE c.id = ANY')) return 'load customers';
  if (sql.includes('jsonb_to_recordset')) return 'record outcomes (UPDATE … jsonb_to_recordset)';
  if (sql.includes('UPDATE "CampaignRun" r SET status')) return 'finish check';
  if (sql.includes('FROM "CampaignRun" r JOIN "Workspace"')) return 'running runs';
  if (sql.includes('FROM "Campaign" c JOIN "Workspace"')) return 'due scheduled campaigns';
  if (sql.includes('FROM "Channel"')) return 'load channel';
  return 'other SQL';
}

/** The database as the dispatch sees it, every statement timed. */
function timedDb(db: Db): Db {
  const timed = Object.create(db) as Db;
  timed.query = async <T,>(sql: string, params?: unknown[]) => {
    const t = performance.now();
    try {
      return await db.query<T>(sql, params);
    } finally {
      note(partOf(sql), performance.now() - t);
    }
  };
  return timed;
}

/** The webhook's POSTs, timed (request out, sink parses, answer back). */
function timeFetch() {
  const original = globalThis.fetch;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const t = performance.now();
    try {
      return await original(...args);
    } finally {
      note('HTTP POST to the sink (batch)', performance.now() - t);
    }
  };
  return () => void (globalThis.fetch = original);
}

interface Cpu {
  at: number;
  sink: number;
  postgres: Map<number, number>;
  bench: number;
  machine: number;
}

async function cpuSnapshot(db: Db, sinkPid: number): Promise<Cpu> {
  const pids = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR backend_type IN ('walwriter', 'checkpointer', 'background writer')`,
  );
  const own = process.cpuUsage();
  return { at: performance.now(), sink: processCpuMs(sinkPid), postgres: new Map(pids.map(({ pid }) => [pid, processCpuMs(pid)])), bench: (own.user + own.system) / 1000, machine: machineBusyMs() };
}

function cpuSplit(from: Cpu, to: Cpu): string {
  const wall = to.at - from.at;
  let postgresMs = 0;
  for (const [pid, cpuMs] of to.postgres) postgresMs += cpuMs - (from.postgres.get(pid) ?? 0);
  const bench = (to.bench - from.bench) / wall;
  const sink = (to.sink - from.sink) / wall;
  const postgres = postgresMs / wall;
  const other = Math.max(0, (to.machine - from.machine) / wall - bench - sink - postgres);
  return `CPU cores busy (of ${os.cpus().length}): dispatch (this process) ${bench.toFixed(2)}, PostgreSQL ${postgres.toFixed(2)}, sink ${sink.toFixed(2)}, other processes ${other.toFixed(2)}`;
}

// ─── setup ───────────────────────────────────────────────────────────────────────────────────────

async function createCampaign(db: Db, workspaceId: string, sinkUrl: string, tag: string) {
  const [segment] = await db.query<{ id: string }>(
    `INSERT INTO "Segment" ("workspaceId", name, type, "dependsOn") VALUES ($1, $2, 'static', '{}') RETURNING id`,
    [workspaceId, `${PREFIX}everyone ${tag}`],
  );
  const t = performance.now();
  const [members] = await db.query<{ n: number }>(
    `WITH ins AS (INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId") SELECT $1, id, "workspaceId" FROM "Customer" WHERE "workspaceId" = $2 RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [segment!.id, workspaceId],
  );
  console.log(`static segment ${segment!.id}: ${int(members!.n)} members (INSERT … SELECT in ${seconds(performance.now() - t)})`);
  await db.query('ANALYZE "SegmentMember"');
  const [channel] = await db.query<{ id: string }>(
    `INSERT INTO "Channel" ("workspaceId", type, name, config) VALUES ($1, 'webhook', $2, $3::jsonb) RETURNING id`,
    [workspaceId, `${PREFIX}sink ${tag}`, JSON.stringify({ url: sinkUrl, secret: 'bench-campaigns-signing-secret', batch: true, timeoutMs: 60_000 })],
  );
  const definition: CampaignDefinitionInput = {
    audience: { segmentIds: [segment!.id] },
    content: { channelId: channel!.id, variants: [{ key: 'A', weight: 100, body: BODY }], marketing: false },
  };
  const [campaign] = await db.query<{ id: string }>(
    `INSERT INTO "Campaign" ("workspaceId", name, definition) VALUES ($1, $2, $3::jsonb) RETURNING id`,
    [workspaceId, `${PREFIX}member day ${tag}`, JSON.stringify(CampaignDefinition.parse(definition))],
  );
  console.log(`webhook channel ${channel!.id} (batch: true) → ${sinkUrl}; campaign ${campaign!.id} (one variant, no senders, no windows, marketing false)`);
  return { segmentId: segment!.id, channelId: channel!.id, campaignId: campaign!.id, members: members!.n };
}

/** EXPLAIN ANALYZE of the snapshot INSERT for a fresh run of the campaign, rolled back. */
async function explainSnapshot(db: Db, workspaceId: string, campaignId: string): Promise<string[]> {
  const plan: string[] = [];
  const rollback = new Error('rollback');
  await db
    .transaction(async (query) => {
      const [campaign] = await query<{ definition: unknown }>(`SELECT definition FROM "Campaign" WHERE id = $1`, [campaignId]);
      const [run] = await query<{ id: string }>(
        `INSERT INTO "CampaignRun" ("workspaceId", "campaignId", number, definition, occurrence, "startedAt") VALUES ($1, $2, 999999, $3::jsonb, now(), now()) RETURNING id`,
        [workspaceId, campaignId, JSON.stringify(campaign!.definition)],
      );
      const explain: QueryFn = async <T,>(sql: string, params?: unknown[]) => {
        if (!/INSERT INTO "Delivery"/.test(sql)) return query<T>(sql, params);
        const rows = await query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        plan.push(...rows.map((r) => r['QUERY PLAN']));
        return [] as T[];
      };
      await snapshotAudience(explain, await loadAudienceSettings(query, workspaceId), { id: run!.id, campaignId }, CampaignDefinition.parse(campaign!.definition));
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  return plan;
}

// ─── main ────────────────────────────────────────────────────────────────────────────────────────

let db: Db | undefined;
let sinkProcess: ChildProcess | undefined;
let runtime: JourneyRuntime | undefined;

async function main(): Promise<number> {
  const options: Options = parseOptions();
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const prepared = await openBenchmark('Courtyard campaigns benchmark (pnpm bench campaigns)', DEFAULT_DATABASE_URL, {
    customers: options.customers,
    reuse: options.reuse,
    demoApiKey: DEMO_API_KEY,
    async cleanReused(db, workspaceId) {
      const t = performance.now();
      // Messages outlive their campaigns (the log keeps them): remove this benchmark's first. Runs go
      // with the campaigns, members with the segments (ON DELETE CASCADE).
      await db.query(
        `DELETE FROM "Delivery" WHERE "workspaceId" = $1 AND "campaignId" IN (SELECT id FROM "Campaign" WHERE "workspaceId" = $1 AND name LIKE $2)`,
        [workspaceId, `${PREFIX}%`],
      );
      const [campaigns] = await db.query<{ n: number }>(
        `WITH d AS (DELETE FROM "Campaign" WHERE "workspaceId" = $1 AND name LIKE $2 RETURNING 1) SELECT count(*)::int AS n FROM d`,
        [workspaceId, `${PREFIX}%`],
      );
      const [baseline] = await db.query<{ n: number }>(
        `WITH d AS (DELETE FROM "Delivery" WHERE "workspaceId" = $1 AND key LIKE $2 RETURNING 1) SELECT count(*)::int AS n FROM d`,
        [workspaceId, `${BASELINE_KEY_PREFIX}%`],
      );
      const [segments] = await db.query<{ n: number }>(
        `WITH d AS (DELETE FROM "Segment" WHERE "workspaceId" = $1 AND name LIKE $2 RETURNING 1) SELECT count(*)::int AS n FROM d`,
        [workspaceId, `${PREFIX}%`],
      );
      await db.query(`DELETE FROM "Channel" WHERE "workspaceId" = $1 AND name LIKE $2`, [workspaceId, `${PREFIX}%`]);
      // Leftovers (messages of runs from before this cleanup existed) and the dead rows of the
      // deletes above would weigh on this run: clear them and refresh the statistics.
      await db.query(`DELETE FROM "Delivery" WHERE "workspaceId" = $1 AND "campaignId" IS NOT NULL AND "campaignId" NOT IN (SELECT id FROM "Campaign")`, [workspaceId]);
      await db.query(`VACUUM ANALYZE "Delivery"`);
      return `removed ${int(campaigns!.n)} campaigns with their deliveries, ${int(segments!.n)} segments, ${int(baseline!.n)} baseline deliveries of earlier runs in ${seconds(performance.now() - t)}`;
    },
  });
  const { started, workspaceId } = prepared;
  db = prepared.db;
  const [pg] = await db.query<{ version: string; shared_buffers: string; work_mem: string; customers: number; blacklisted: number }>(
    `SELECT split_part(version(), ' ', 2) AS version, current_setting('shared_buffers') AS shared_buffers, current_setting('work_mem') AS work_mem,
            (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1) AS customers,
            (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1 AND blacklisted) AS blacklisted`,
    [workspaceId],
  );
  console.log(`PostgreSQL ${pg!.version} (shared_buffers ${pg!.shared_buffers}, work_mem ${pg!.work_mem}); ${int(pg!.customers)} customers, ${int(pg!.blacklisted)} of them blacklisted`);

  // ── setup ──
  section('Setup: segment of everyone, webhook channel (batch) to the sink, campaign');
  const sink = await startSink();
  const tag = randomUUID().slice(0, 8);
  const setup = await createCampaign(db, workspaceId, sink.url, tag);

  // ── 1. snapshot ──
  section('1. Audience snapshot: startRun (checks, INSERT … SELECT into Delivery, one transaction)');
  let t = performance.now();
  const run = await startRun(db, setup.campaignId, new Date());
  const snapshotMs = performance.now() - t;
  if (!run) throw new BenchmarkError('startRun returned null for a new occurrence');
  console.log(`run ${run.id}: ${int(run.planned)} deliveries planned, ${int(run.heldOut)} held out, in ${seconds(snapshotMs)} (${int(run.planned / (snapshotMs / 1000))} rows/s)`);
  const expected = pg!.customers - pg!.blacklisted;
  if (run.planned !== expected) throw new BenchmarkError(`planned ${run.planned}, but ${expected} customers are not blacklisted`);
  await db.query('ANALYZE "Delivery"');

  // ── 2. dispatch ──
  section(`2. Dispatch: ${options.loops} loop(s) of runtime.campaigns(), campaignBatch ${int(options.batch)}, webhook batch mode`);
  await sink.reset(`campaign:${run.id}:`);
  runtime = new JourneyRuntime({ db: timedDb(db), workspaces: new Set([workspaceId]), campaignBatch: options.batch, log: (m) => console.warn(`  runtime: ${m}`) });
  const restoreFetch = timeFetch();
  const passTimes: number[] = [];
  let handled = 0;
  const remaining = async () =>
    (await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Delivery" WHERE "campaignRunId" = $1 AND status IN ('planned', 'sending')`, [run.id]))[0]!.n;
  const cpuFrom = await cpuSnapshot(db, sink.pid);
  const dispatchStarted = performance.now();
  let done = false;
  const loop = async () => {
    while (!done) {
      const p = performance.now();
      const n = await runtime!.campaigns();
      if (n > 0) {
        passTimes.push(performance.now() - p);
        handled += n;
        continue;
      }
      if ((await remaining()) === 0) done = true;
      else await sleep(20);
    }
  };
  const progress = setInterval(() => {
    const elapsed = performance.now() - dispatchStarted;
    console.log(`  ${seconds(elapsed)}: ${int(handled)} of ${int(run.planned)} handled, ${int(handled / (elapsed / 1000))}/s`);
  }, 5_000);
  try {
    await Promise.all(Array.from({ length: options.loops }, loop));
  } finally {
    clearInterval(progress);
    restoreFetch();
  }
  const dispatchMs = performance.now() - dispatchStarted;
  const cpuTo = await cpuSnapshot(db, sink.pid);
  const rate = run.planned / (dispatchMs / 1000);
  passTimes.sort((a, b) => a - b);
  console.log(
    `${int(run.planned)} deliveries in ${seconds(dispatchMs)}: ${int(rate)} deliveries/s; ${int(passTimes.length)} passes, ` +
      `p50 ${ms(percentile(passTimes, 0.5))}, p90 ${ms(percentile(passTimes, 0.9))}, max ${ms(passTimes[passTimes.length - 1] ?? 0)}`,
  );
  console.log(cpuSplit(cpuFrom, cpuTo));
  const passTotal = passTimes.reduce((a, b) => a + b, 0);
  const measured = [...spent.values()].reduce((a, s) => a + s.ms, 0);
  const parts = [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms);
  console.log(`Where a pass's time goes (summed over the ${options.loops} loops; ${seconds(passTotal)} in passes that handled deliveries):`);
  console.log(
    table(
      ['part', 'calls', 'total', 'per call', 'share'],
      [
        ...parts.map(([part, s]) => [part, int(s.calls), seconds(s.ms), ms(s.ms / s.calls), `${((s.ms / passTotal) * 100).toFixed(0)}%`]),
        ['rest: parse, render, JSON, sign (JavaScript)', '', seconds(Math.max(0, passTotal - measured)), '', `${((Math.max(0, passTotal - measured) / passTotal) * 100).toFixed(0)}%`],
      ],
    ),
  );
  await runtime.stop();
  runtime = undefined;

  // ── 3. check ──
  section('3. Exactly once: the sink against the database');
  const stats = await sink.stats();
  const [dbState] = await db.query<{ sent: number; other: number; digest: string; status: string }>(
    `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
            count(*) FILTER (WHERE status NOT IN ('sent', 'held_out'))::int AS other,
            COALESCE(sum(('x' || substr(encode(sha256(convert_to(key, 'UTF8')), 'hex'), 1, 15))::bit(60)::bigint) FILTER (WHERE status = 'sent'), 0)::text AS digest,
            (SELECT status::text FROM "CampaignRun" WHERE id = $1) AS status
       FROM "Delivery" WHERE "campaignRunId" = $1`,
    [run.id],
  );
  console.log(
    `sink: ${int(stats.requests)} requests, ${int(stats.messages)} messages, ${int(stats.unique)} distinct keys, ${int(stats.duplicates)} raw repeats, ` +
      `${int(stats.badKeys)} keys not campaign:<run>:<customer>`,
  );
  console.log(`database: ${int(dbState!.sent)} sent, ${int(dbState!.other)} not sent; run ${dbState!.status}; digest of keys: sink ${stats.digest}, database ${dbState!.digest}`);
  const exactlyOnce = stats.unique === run.planned && stats.digest === dbState!.digest && stats.badKeys === 0;
  if (stats.unique !== run.planned) throw new BenchmarkError(`the sink saw ${stats.unique} distinct keys for ${run.planned} planned deliveries`);
  if (stats.digest !== dbState!.digest) throw new BenchmarkError('the sink saw a different set of keys than the database sent');
  if (stats.badKeys) throw new BenchmarkError(`${stats.badKeys} messages carried a key that is not campaign:<run>:<their customer>`);
  if (dbState!.sent !== run.planned || dbState!.other) throw new BenchmarkError(`${dbState!.sent} of ${run.planned} deliveries sent, ${dbState!.other} in another state`);
  if (dbState!.status !== 'completed') throw new BenchmarkError(`the run is ${dbState!.status}, not completed`);
  console.log('every customer exactly once; every delivery sent; run completed');

  // ── 4. baseline ──
  section(`4. Naive baseline: ${int(options.sample)} customers, one INSERT and one POST (single message) each, in sequence`);
  await sink.reset(`${BASELINE_KEY_PREFIX}${tag}:`);
  const sample = await db.query<{ id: string; name: string; phone: string | null; email: string | null; wecomExternalId: string | null }>(
    `SELECT id, name, phone, email, "wecomExternalId" FROM "Customer" WHERE "workspaceId" = $1 AND NOT blacklisted ORDER BY id LIMIT $2`,
    [workspaceId, options.sample],
  );
  const single = webhookDriver.open({ url: sink.url, secret: 'bench-campaigns-signing-secret', batch: false, timeoutMs: 10_000 });
  const baselineCpuFrom = await cpuSnapshot(db, sink.pid);
  t = performance.now();
  for (const c of sample) {
    const key = `${BASELINE_KEY_PREFIX}${tag}:${c.id}`;
    const body = renderTemplate(BODY, { customer: c, links: {} } as never);
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO "Delivery" ("workspaceId", key, "customerId", channel, body, marketing, status, "sentAt") VALUES ($1, $2, $3, $4, $5, false, 'sent', now()) RETURNING id`,
      [workspaceId, key, c.id, setup.channelId, body],
    );
    const message: OutboundMessage = {
      deliveryId: row!.id,
      idempotencyKey: key,
      workspaceId,
      customer: { id: c.id, name: c.name, phone: c.phone, email: c.email, wecomExternalId: c.wecomExternalId, ownerStaff: null },
      subject: null,
      body,
      attachments: [],
    };
    const [result] = await single.send([message]);
    if (result?.status !== 'sent') throw new BenchmarkError(`baseline POST failed: ${JSON.stringify(result)}`);
  }
  const baselineMs = performance.now() - t;
  const baselineCpuTo = await cpuSnapshot(db, sink.pid);
  const baselineStats = await sink.stats();
  if (baselineStats.unique !== sample.length || baselineStats.badKeys) throw new BenchmarkError(`baseline: the sink saw ${baselineStats.unique} distinct keys for ${sample.length} customers`);
  const baselineRate = sample.length / (baselineMs / 1000);
  const ratio = rate / baselineRate;
  console.log(`${int(sample.length)} customers in ${seconds(baselineMs)}: ${int(baselineRate)} deliveries/s; 1,000,000 would take ${seconds((1_000_000 / baselineRate) * 1000)}`);
  console.log(cpuSplit(baselineCpuFrom, baselineCpuTo));
  console.log(`campaign dispatch / naive: ${ratio.toFixed(1)}×`);
  await db.query(`DELETE FROM "Delivery" WHERE "workspaceId" = $1 AND key LIKE $2`, [workspaceId, `${BASELINE_KEY_PREFIX}${tag}:%`]);

  // ── profile of the snapshot ──
  if (options.explain || snapshotMs > TARGETS.snapshotMs) {
    section(`Snapshot INSERT: EXPLAIN (ANALYZE, BUFFERS) for a new run, rolled back${options.explain ? '' : ' (the snapshot missed its target)'}`);
    t = performance.now();
    for (const line of await explainSnapshot(db, workspaceId, setup.campaignId)) console.log(line);
    console.log(`(EXPLAIN ANALYZE took ${seconds(performance.now() - t)})`);
  }

  // ── results ──
  section('Results');
  const mark = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  const rows: string[][] = [
    ['audience snapshot (startRun)', `${seconds(snapshotMs)} for ${int(run.planned)} deliveries`, `< ${seconds(TARGETS.snapshotMs)}`, mark(snapshotMs < TARGETS.snapshotMs)],
    ['dispatch through the webhook (batch)', `${int(rate)} deliveries/s (${seconds(dispatchMs)})`, `≥ ${int(TARGETS.deliveriesPerSecond)}/s`, mark(rate >= TARGETS.deliveriesPerSecond)],
    ['naive: one INSERT + one POST each', `${int(baselineRate)} deliveries/s, dispatch ${ratio.toFixed(1)}× faster`, '—', ''],
    ['sink: distinct keys = planned', `${int(stats.unique)} of ${int(run.planned)}, ${int(stats.duplicates)} raw repeats`, 'each customer once', mark(exactlyOnce)],
  ];
  console.log(table(['figure', 'measured', 'target', 'result'], rows));
  const cpus = os.cpus();
  console.log(
    `\n${cpus.length} × ${cpus[0]?.model.trim()}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${pg!.version} on the same machine; ` +
      `${int(pg!.customers)} customers${prepared.reused ? ' (reused database)' : ''}; total ${seconds(performance.now() - started)}`,
  );
  const load = os.loadavg();
  if (load[0]! > cpus.length) {
    console.log(`Warning: load average ${load.map((l) => l.toFixed(2)).join(' ')} on ${cpus.length} cores at the end: other work shared the machine; these figures are lower than it can do.`);
  }
  const missed = rows.filter((r) => r[3] === 'FAIL').length;
  console.log(missed ? `${missed} target(s) missed.` : 'All targets met.');
  return 0;
}

runBenchmark(main, {
  usage: USAGE,
  async cleanup() {
    await runtime?.stop().catch(() => undefined);
    sinkProcess?.kill('SIGTERM');
    await db?.close();
  },
});
