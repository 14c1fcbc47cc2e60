// `pnpm bench journeys`: the journey runtime on PostgreSQL with a generated workspace (default
// 100,000 customers).
//
//  1. Recreates the benchmark database (BENCH_DATABASE_URL, default courtyard_bench_journeys),
//     migrates it, seeds the demo workspace and generates the customers (--reuse keeps a database
//     that already holds exactly that many; the journeys of earlier runs are removed).
//  2. Throughput: publishes trigger (api) → has-tags → add-tags → wait 0 → send-message (log
//     channel), enrolls every customer through enrollByApi (timed on its own), then runs the
//     runtime's workers (--workers N child processes, or 0: in this process) until every enrollment
//     has completed and every delivery is sent. Steps/s counts StepRun rows, the trigger's included.
//     Baseline, same run: the same pipeline over --sample customers with claimLimit 1.
//  3. Latency: an event-triggered journey (cart.abandoned → has-tags → add-tags → wait 0 → send)
//     with the workers running; events at a steady --rate for --seconds, stored and handed to the
//     runtime the way the API does it. Latency = when the add-tags node wrote its tag − when the
//     event was sent.
// Prints the figures next to the targets and exits 0 whether or not they are met; exits 1 only
// when the benchmark itself is invalid (a customer not completed, a delivery not sent).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Db } from '@courtyard/db';
import { JourneyRuntime } from '../plugins/runtime/src/index.ts';
import { publishJourney } from '../plugins/runtime/src/journey/index.ts';
import { builtinRegistry } from '../plugins/runtime/src/registry.ts';
import { ApiServer, freePort } from './api-server.ts';
import { childWorkers, inProcessWorkers, type WorkerConfig, type Workers } from './journeys-workers.ts';
import {
  BenchmarkError, int, mb, ms, parseNumber, percentile, seconds, section, sleep, table, UsageError,
  openBenchmark,
  runBenchmark, parseOptionValues
} from './common.ts';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/courtyard_bench_journeys';
const DEMO_API_KEY = 'cy_bench_journeys_demo_key_do_not_use';
/** Names of what this benchmark creates, so a --reuse run can remove the last run's. */
const PREFIX = 'bench-journeys: ';
const EVENT_TYPE = 'cart.abandoned';

const TARGETS = { stepsPerSecond: 5_000, latencyP99Ms: 500 };

const USAGE = `Usage: pnpm bench journeys [options]
  --customers N   customers in the workspace, all enrolled in the throughput journey (default 100000)
  --sample N      customers of the claimLimit-1 baseline (default 2000)
  --workers N     worker processes (default 2; 0: the workers run in the benchmark's own process)
  --concurrency N step passes at once per worker (default 2, the runtime's default)
  --claim N       enrollments claimed per step pass (default 1000, the runtime's default)
  --rate N        events per second in the latency run (default 1000)
  --seconds S     how long to send them (default 20)
  --ingest HOW    api (default): through the API's ingestEvents; direct: INSERT, then
                  runtime.onEvents in the benchmark process (the runtime without the API)
  --latency-workers WHERE  api (default): the API node that ingests the events runs the journey
                  workers too, as every node does unless COURTYARD_WORKERS=0; processes: the API
                  only serves, the --workers processes run the journeys
  --only LIST     throughput, baseline, latency (comma-separated; default all)
  --reuse         keep the benchmark database when it already holds the demo workspace with
                  exactly N customers (default: drop and regenerate it)
Database: BENCH_DATABASE_URL, default ${DEFAULT_DATABASE_URL}.
It is dropped and recreated, so its name must contain "bench".`;

const OPTION_SPEC = {
  customers: { type: 'string', default: '100000' },
  sample: { type: 'string', default: '2000' },
  workers: { type: 'string', default: '2' },
  concurrency: { type: 'string', default: '2' },
  claim: { type: 'string', default: '1000' },
  rate: { type: 'string', default: '1000' },
  seconds: { type: 'string', default: '20' },
  ingest: { type: 'string', default: 'api' },
  only: { type: 'string', default: 'throughput,baseline,latency' },
  'latency-workers': { type: 'string', default: 'api' },
  reuse: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const PARTS = ['throughput', 'baseline', 'latency'] as const;

function parseOptions() {
  const values = parseOptionValues(OPTION_SPEC);
  if (!['api', 'direct'].includes(values.ingest)) throw new UsageError(`--ingest takes api or direct; got "${values.ingest}"`);
  if (!['api', 'processes'].includes(values['latency-workers'])) throw new UsageError(`--latency-workers takes api or processes; got "${values['latency-workers']}"`);
  const only = values.only.split(',').map((p) => p.trim()).filter(Boolean);
  if (!only.length || only.some((p) => !(PARTS as readonly string[]).includes(p))) throw new UsageError(`--only takes a comma-separated list of ${PARTS.join(', ')}; got "${values.only}"`);
  return {
    help: values.help,
    customers: Math.floor(parseNumber('customers', values.customers, 100)),
    sample: Math.floor(parseNumber('sample', values.sample, 10)),
    workers: Math.floor(parseNumber('workers', values.workers, 0)),
    concurrency: Math.floor(parseNumber('concurrency', values.concurrency, 1)),
    claim: Math.floor(parseNumber('claim', values.claim, 1)),
    rate: parseNumber('rate', values.rate, 1),
    seconds: parseNumber('seconds', values.seconds, 1),
    ingest: values.ingest as 'api' | 'direct',
    latencyWorkers: values['latency-workers'] as 'api' | 'processes',
    only: new Set(only as (typeof PARTS)[number][]),
    reuse: values.reuse,
  };
}

type Options = ReturnType<typeof parseOptions>;


// ─── journeys ────────────────────────────────────────────────────────────────────────────────────

interface BenchTags {
  /** Nobody has it: the condition "has none of them" sends everyone on. */
  never: string;
  /** What the add-tags node adds. */
  welcomed: string;
  /** What the latency journey's add-tags node adds: nobody has it before, so its time is the action's. */
  arrived: string;
}

async function benchTags(db: Db, workspaceId: string): Promise<BenchTags> {
  const [group] = await db.query<{ id: string }>(
    `INSERT INTO "TagGroup" ("workspaceId", name, kind) VALUES ($1, $2, 'behaviour')
     ON CONFLICT ("workspaceId", name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    [workspaceId, `${PREFIX}tags`],
  );
  const tag = async (name: string) =>
    (
      await db.query<{ id: string }>(
        `INSERT INTO "Tag" ("workspaceId", "groupId", name) VALUES ($1, $2, $3) ON CONFLICT ("workspaceId", "groupId", name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
        [workspaceId, group!.id, `${PREFIX}${name}`],
      )
    )[0]!.id;
  return { never: await tag('never given'), welcomed: await tag('welcomed'), arrived: await tag('latency: cart reminder queued') };
}

/** trigger → has none of `never` → add `welcomed` → wait 0 → send (log): every customer runs every node. */
async function publishPipeline(db: Db, workspaceId: string, name: string, trigger: { type: string; config: Record<string, unknown> }, tags: BenchTags) {
  const n = (id: string, type: string, config: Record<string, unknown>) => ({ id, type: `courtyard.${type}`, version: '1.0.0', config });
  const definition = {
    nodes: [
      n('trigger', trigger.type, trigger.config),
      n('check', 'has-tags', { tagIds: [tags.never], match: 'none' }),
      n('tag', 'add-tags', { tagIds: [tags.welcomed] }),
      n('pause', 'wait', { duration: { amount: 0, unit: 'minutes' } }),
      n('send', 'send-message', { channel: 'log', body: '{{customer.name}}，您的购物车还有商品', marketing: false }),
    ],
    edges: [
      { from: 'trigger', port: 'next', to: 'check' },
      { from: 'check', port: 'yes', to: 'tag' },
      { from: 'tag', port: 'next', to: 'pause' },
      { from: 'pause', port: 'next', to: 'send' },
    ],
  };
  const [journey] = await db.query<{ id: string }>(
    `INSERT INTO "Journey" ("workspaceId", name, draft, settings) VALUES ($1, $2, $3::jsonb, $4::jsonb) RETURNING id`,
    [workspaceId, `${PREFIX}${name} ${randomUUID().slice(0, 8)}`, JSON.stringify(definition), JSON.stringify({ reentry: { mode: 'always' } })],
  );
  const published = await publishJourney(db, builtinRegistry, workspaceId, journey!.id);
  if (!('versionId' in published)) throw new BenchmarkError(`the ${name} journey did not publish: ${JSON.stringify(published)}`);
  return journey!.id;
}

// ─── throughput ──────────────────────────────────────────────────────────────────────────────────

interface PipelineRun {
  customers: number;
  enrollMs: number;
  runMs: number;
  stepRuns: number;
  stepsByNode: Map<string, number>;
  deliveries: number;
  peakRssBytes: number;
}

async function runPipeline(db: Db, workspaceId: string, customerIds: string[], tags: BenchTags, workers: Workers, label: string): Promise<PipelineRun> {
  const journeyId = await publishPipeline(db, workspaceId, label, { type: 'api', config: {} }, tags);
  // Enrolling goes through a runtime that runs no workers: only its enroll path.
  const enroller = new JourneyRuntime({ db, workspaces: new Set([workspaceId]) });
  const enrollStarted = performance.now();
  let enrolled = 0;
  for (let i = 0; i < customerIds.length; i += 10_000) {
    enrolled += (await enroller.enrollByApi(workspaceId, journeyId, customerIds.slice(i, i + 10_000), `${label}-${i}`)).enrolled.length;
  }
  const enrollMs = performance.now() - enrollStarted;
  if (enrolled !== customerIds.length) throw new BenchmarkError(`${label}: enrolled ${enrolled} of ${customerIds.length} customers`);
  console.log(`enrolled ${int(enrolled)} customers (enrollByApi, 10,000 a call) in ${seconds(enrollMs)}: ${int(enrolled / (enrollMs / 1000))}/s`);

  const started = Date.now();
  await workers.start();
  let lastPrint = performance.now();
  for (;;) {
    const [left] = await db.query<{ inside: number; queued: number }>(
      `SELECT (SELECT count(*)::int FROM "Enrollment" WHERE "journeyId" = $1 AND status IN ('active', 'waiting')) AS inside,
              (SELECT count(*)::int FROM "Delivery" WHERE "journeyId" = $1 AND status = 'queued') AS queued`,
      [journeyId],
    );
    if (left!.inside === 0 && left!.queued === 0) break;
    if (performance.now() - lastPrint > 5_000) {
      lastPrint = performance.now();
      console.log(`  ${seconds(Date.now() - started)}: ${int(left!.inside)} inside the journey, ${int(left!.queued)} deliveries queued`);
    }
    if (Date.now() - started > 30 * 60_000) throw new BenchmarkError(`${label}: not done after 30 minutes`);
    await sleep(100);
  }
  const peakRssBytes = await workers.stop();
  const [done] = await db.query<{ completed: number; deliveries: number; sent: number; end: Date }>(
    `SELECT (SELECT count(*)::int FROM "Enrollment" WHERE "journeyId" = $1 AND status = 'completed') AS completed,
            (SELECT count(*)::int FROM "Delivery" WHERE "journeyId" = $1) AS deliveries,
            (SELECT count(*)::int FROM "Delivery" WHERE "journeyId" = $1 AND status = 'sent') AS sent,
            GREATEST((SELECT max("finishedAt") FROM "StepRun" WHERE "journeyId" = $1), (SELECT max("sentAt") FROM "Delivery" WHERE "journeyId" = $1)) AS "end"`,
    [journeyId],
  );
  const nodes = await db.query<{ nodeId: string; n: number }>(`SELECT "nodeId", count(*)::int AS n FROM "StepRun" WHERE "journeyId" = $1 GROUP BY "nodeId"`, [journeyId]);
  const stepsByNode = new Map(nodes.map((r) => [r.nodeId, r.n]));
  const stepRuns = nodes.reduce((sum, r) => sum + r.n, 0);
  if (done!.completed !== enrolled) throw new BenchmarkError(`${label}: ${done!.completed} of ${enrolled} enrollments completed`);
  if (done!.sent !== done!.deliveries) throw new BenchmarkError(`${label}: ${done!.sent} of ${done!.deliveries} deliveries sent`);
  if (stepRuns !== enrolled * 5) throw new BenchmarkError(`${label}: ${stepRuns} step runs for ${enrolled} customers through 5 nodes`);
  const runMs = new Date(done!.end).getTime() - started;
  return { customers: enrolled, enrollMs, runMs, stepRuns, stepsByNode, deliveries: done!.sent, peakRssBytes };
}

function printPipeline(run: PipelineRun) {
  const order = ['trigger', 'check', 'tag', 'pause', 'send'];
  console.log(
    `${int(run.stepRuns)} StepRun rows (${order.map((n) => `${n} ${int(run.stepsByNode.get(n) ?? 0)}`).join(', ')}) and ${int(run.deliveries)} deliveries sent ` +
      `in ${seconds(run.runMs)} of workers: ${int(run.stepRuns / (run.runMs / 1000))} steps/s, ${int(run.deliveries / (run.runMs / 1000))} deliveries/s; ` +
      `with enrolling: ${int(run.stepRuns / ((run.runMs + run.enrollMs) / 1000))} steps/s; workers' peak RSS ${mb(run.peakRssBytes)}`,
  );
}

// ─── latency ─────────────────────────────────────────────────────────────────────────────────────

const INGEST_MUTATION =
  'mutation Ingest($events: [EventInput!]!) { ingestEvents(events: $events) { __typename ... on IngestEventsPayload { storedCount failedCount } } }';

interface LatencyRun {
  via: string;
  sent: number;
  sendMs: number;
  latencies: number[];
  /** Where the time goes: stored, enrolled, picked up by a step pass (since sent). */
  breakdown: string;
  peakRssBytes: number;
}

async function runLatency(db: Db, databaseUrl: string, workspaceId: string, tags: BenchTags, workers: Workers, options: Options): Promise<LatencyRun> {
  const journeyId = await publishPipeline(db, workspaceId, 'latency', { type: 'event', config: { eventType: EVENT_TYPE, properties: {} } }, { ...tags, welcomed: tags.arrived });
  const total = Math.round(options.rate * options.seconds);
  const viaApi = options.ingest === 'api';
  const customers = await db.query<{ id: string; phone: string }>(
    `SELECT id, phone FROM "Customer" WHERE "workspaceId" = $1 AND phone IS NOT NULL AND phone NOT LIKE '149%' ORDER BY random() LIMIT $2`,
    [workspaceId, total],
  );
  if (!customers.length) throw new BenchmarkError('No customer with a phone in the workspace');
  const runId = randomUUID().slice(0, 8);
  const sentAt = new Map<string, number>();

  let server: ApiServer | undefined;
  let send: (batch: number[]) => Promise<void>;
  // Stores the events and starts journeys from them: through the API, or as its resolver does.
  const direct = new JourneyRuntime({ db, workspaces: new Set([workspaceId]) });
  // With the API's own workers (how every node runs by default), an enrollment wakes an idle
  // worker loop in the same process at once; otherwise the worker processes poll for it.
  const apiWorkers = viaApi && options.latencyWorkers === 'api';
  if (viaApi) {
    process.env.COURTYARD_WORKERS = apiWorkers ? '1' : '0';
    server = new ApiServer(await freePort(), databaseUrl, DEMO_API_KEY);
    await server.ready();
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${DEMO_API_KEY}` };
    send = async (batch) => {
      const events = batch.map((i) => ({ customer: { phone: customers[i % customers.length]!.phone }, type: EVENT_TYPE, properties: { items: 2 }, idempotencyKey: `${PREFIX}${runId}:${i}` }));
      const response = await fetch(server!.url, { method: 'POST', headers, body: JSON.stringify({ query: INGEST_MUTATION, variables: { events } }) });
      const json = (await response.json()) as { data?: { ingestEvents: { storedCount?: number } }; errors?: unknown };
      if (json.errors || json.data?.ingestEvents.storedCount !== batch.length) throw new BenchmarkError(`ingestEvents: ${JSON.stringify(json).slice(0, 500)}`);
    };
  } else {
    send = async (batch) => {
      const rows = await db.query<{ id: string; customerId: string; occurredAt: Date }>(
        `INSERT INTO "Event" ("workspaceId", "customerId", type, properties, "occurredAt", "idempotencyKey")
         SELECT $1, c, $2, '{"items":2}'::jsonb, now(), k FROM unnest($3::uuid[], $4::text[]) AS x(c, k)
         RETURNING id, "customerId", "occurredAt"`,
        [workspaceId, EVENT_TYPE, batch.map((i) => customers[i % customers.length]!.id), batch.map((i) => `${PREFIX}${runId}:${i}`)],
      );
      await direct.onEvents(workspaceId, rows.map((r) => ({ id: r.id, customerId: r.customerId, type: EVENT_TYPE, properties: { items: 2 }, occurredAt: r.occurredAt })));
    };
  }
  const via = viaApi
    ? apiWorkers
      ? `the API's ingestEvents (its own process, which runs the journey workers too, as every node does by default)`
      : `the API's ingestEvents (its own process, workers off there: COURTYARD_WORKERS=0; the worker processes run the journeys)`
    : `INSERT into "Event", then runtime.onEvents in the benchmark process`;

  try {
    if (!apiWorkers) await workers.start();
    // Batches every 20 ms (20 events at 1,000/s), at most 8 requests in flight.
    const tickMs = 20;
    let next = 0;
    let inFlight = 0;
    let failure: unknown;
    const started = performance.now();
    while (next < total && failure === undefined) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.rate) + 1);
      if (due > next && inFlight < 8) {
        const batch = Array.from({ length: due - next }, (_, k) => next + k);
        next = due;
        const now = Date.now();
        for (const i of batch) sentAt.set(`${PREFIX}${runId}:${i}`, now);
        inFlight++;
        send(batch)
          .catch((error: unknown) => (failure = error))
          .finally(() => inFlight--);
      }
      await sleep(tickMs);
    }
    while (inFlight > 0) await sleep(5);
    const sendMs = performance.now() - started;
    if (failure !== undefined) throw failure;

    // Wait for every enrollment to pass the add-tags node (or 60 s).
    const waitStarted = Date.now();
    for (;;) {
      const [r] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "StepRun" WHERE "journeyId" = $1 AND "nodeId" = 'tag'`, [journeyId]);
      if (r!.n >= total || Date.now() - waitStarted > 60_000) break;
      await sleep(100);
    }
    const peakRssBytes = apiWorkers ? server!.peakRssBytes : await workers.stop();
    // The action's time is when its tag was written (committed at once, visible to everyone);
    // its StepRun is written when the pass ends, after the nodes that follow in the same pass.
    const rows = await db.query<{ key: string; stored: Date; enrolled: Date; picked: Date; applied: Date; finishedAt: Date }>(
      `SELECT ev."idempotencyKey" AS key, ev."receivedAt" AS stored, e."enteredAt" AS enrolled, c."startedAt" AS picked, ct."createdAt" AS applied, s."finishedAt"
         FROM "Enrollment" e
         JOIN "Event" ev ON ev.id = substr(e."entryKey", length('event:') + 1)::uuid AND ev."workspaceId" = $1
         JOIN "StepRun" c ON c."enrollmentId" = e.id AND c."nodeId" = 'check'
         JOIN "StepRun" s ON s."enrollmentId" = e.id AND s."nodeId" = 'tag'
         JOIN "CustomerTag" ct ON ct."customerId" = e."customerId" AND ct."tagId" = $3
        WHERE e."journeyId" = $2`,
      [workspaceId, journeyId, tags.arrived],
    );
    if (rows.length !== total) throw new BenchmarkError(`latency: ${rows.length} of ${total} events reached the add-tags node within 60 s of the last one`);
    const since = (at: Date, key: string) => new Date(at).getTime() - sentAt.get(key)!;
    const sorted = (pick: (r: (typeof rows)[number]) => Date) => rows.map((r) => since(pick(r), r.key)).sort((a, b) => a - b);
    const breakdown = (['stored', 'enrolled', 'picked', 'finishedAt'] as const).map((k) => {
      const l = sorted((r) => r[k]);
      return `${k === 'finishedAt' ? 'step recorded' : k} p50 ${ms(percentile(l, 0.5))} / p99 ${ms(percentile(l, 0.99))}`;
    });
    return { via, sent: total, sendMs, latencies: sorted((r) => r.applied), breakdown: breakdown.join(', '), peakRssBytes };
  } finally {
    await server?.stop();
  }
}

// ─── main ────────────────────────────────────────────────────────────────────────────────────────

let db: Db | undefined;

async function main(): Promise<number> {
  const options = parseOptions();
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const prepared = await openBenchmark('Courtyard journeys benchmark (pnpm bench journeys)', DEFAULT_DATABASE_URL, {
    customers: options.customers,
    reuse: options.reuse,
    demoApiKey: DEMO_API_KEY,
    async cleanReused(db, workspaceId) {
      // Enrollments and step runs go with the journeys (ON DELETE CASCADE); deliveries and tags do not.
      const [deliveries] = await db.query<{ n: number }>(
        `WITH d AS (DELETE FROM "Delivery" WHERE "journeyId" IN (SELECT id FROM "Journey" WHERE "workspaceId" = $1 AND name LIKE $2) RETURNING 1) SELECT count(*)::int AS n FROM d`,
        [workspaceId, `${PREFIX}%`],
      );
      const [journeys] = await db.query<{ n: number }>(
        `WITH d AS (DELETE FROM "Journey" WHERE "workspaceId" = $1 AND name LIKE $2 RETURNING 1) SELECT count(*)::int AS n FROM d`,
        [workspaceId, `${PREFIX}%`],
      );
      await db.query(`DELETE FROM "CustomerTag" WHERE "tagId" IN (SELECT id FROM "Tag" WHERE "workspaceId" = $1 AND name LIKE $2)`, [workspaceId, `${PREFIX}%`]);
      await db.query(`DELETE FROM "Event" WHERE "workspaceId" = $1 AND "idempotencyKey" LIKE $2`, [workspaceId, `${PREFIX}%`]);
      // Vacuum what the deletes left now, or autovacuum does it in the middle of the measurements.
      // The tables the journeys fill again are rewritten to their size (VACUUM FULL): a plain
      // vacuum leaves their pages, statistics that say "no rows in thousands of pages", and
      // PostgreSQL then estimates zero rows however many the run writes, until autovacuum's next
      // analyze, a minute later (step writes joined against a sequential scan of Enrollment:
      // 9 s a pass, p99 of 30–45 s). Rewritten, the estimate grows with the pages, as on a fresh
      // database.
      for (const table of ['Enrollment', 'StepRun', 'Delivery']) await db.query(`VACUUM FULL ANALYZE "${table}"`);
      for (const table of ['CustomerTag', 'Event']) await db.query(`VACUUM ANALYZE "${table}"`);
      return `removed ${int(journeys!.n)} journeys and ${int(deliveries!.n)} deliveries of earlier runs`;
    },
  });
  const { databaseUrl, started } = prepared;
  db = prepared.db;
  const { workspaceId } = prepared;
  const [pg] = await db.query<{ version: string; shared_buffers: string; segments: number }>(
    `SELECT split_part(version(), ' ', 2) AS version, current_setting('shared_buffers') AS shared_buffers,
            (SELECT count(*)::int FROM "Segment" WHERE "workspaceId" = $1 AND type = 'dynamic') AS segments`,
    [workspaceId],
  );
  console.log(`PostgreSQL ${pg!.version} (shared_buffers ${pg!.shared_buffers}); ${pg!.segments} dynamic segments in the workspace`);
  const tags = await benchTags(db, workspaceId);
  const customerIds = (await db.query<{ id: string }>(`SELECT id FROM "Customer" WHERE "workspaceId" = $1 ORDER BY id`, [workspaceId])).map((r) => r.id);
  const workerConfig = (claimLimit: number): WorkerConfig => ({ databaseUrl, workspaceId, claimLimit, concurrency: options.concurrency });
  const workersFor = (claimLimit: number) => (options.workers === 0 ? inProcessWorkers(workerConfig(claimLimit)) : childWorkers(options.workers, workerConfig(claimLimit)));

  let full: PipelineRun | undefined;
  let baseline: PipelineRun | undefined;
  if (options.only.has('throughput')) {
    section(`1. Throughput: ${int(customerIds.length)} customers through api → has-tags → add-tags → wait 0 → send (log)`);
    const workers = workersFor(options.claim);
    console.log(`Workers: ${workers.describe}`);
    full = await runPipeline(db, workspaceId, customerIds, tags, workers, 'throughput');
    printPipeline(full);
  }
  if (options.only.has('baseline')) {
    const sample = customerIds.filter((_, i) => i % Math.max(1, Math.floor(customerIds.length / options.sample)) === 0).slice(0, options.sample);
    section(`Baseline: ${int(sample.length)} customers, the same pipeline, claimLimit 1 (one customer per batch)`);
    const workers = workersFor(1);
    console.log(`Workers: ${workers.describe}`);
    baseline = await runPipeline(db, workspaceId, sample, tags, workers, 'baseline');
    printPipeline(baseline);
  }

  let latency: LatencyRun | undefined;
  if (options.only.has('latency')) {
    section(`2. Latency: ${EVENT_TYPE} → has-tags → add-tags (first action) → wait 0 → send, ${int(options.rate)} events/s for ${options.seconds} s`);
    if (full || baseline) {
      // The runs above wrote ~600,000 rows and left as many dead ones: vacuum them now, as
      // autovacuum would have by the time a deployment sees its next burst, rather than in the
      // middle of the measurement.
      const t = performance.now();
      for (const table of ['Enrollment', 'StepRun', 'Delivery', 'CustomerTag', 'Event']) await db.query(`VACUUM ANALYZE "${table}"`);
      console.log(`VACUUM ANALYZE after the runs above: ${seconds(performance.now() - t)}`);
    }
    const workers = workersFor(options.claim);
    console.log(`Workers: ${workers.describe}`);
    latency = await runLatency(db, databaseUrl, workspaceId, tags, workers, options);
    const l = latency.latencies;
    console.log(`Events via ${latency.via}`);
    console.log(`Since sent: ${latency.breakdown}`);
    console.log(
      `${int(latency.sent)} events in ${seconds(latency.sendMs)}: ${int(latency.sent / (latency.sendMs / 1000))} events/s achieved; event → tag written by the add-tags step: ` +
        `p50 ${ms(percentile(l, 0.5))}, p90 ${ms(percentile(l, 0.9))}, p99 ${ms(percentile(l, 0.99))}, max ${ms(l[l.length - 1]!)}; workers' peak RSS ${mb(latency.peakRssBytes)}`,
    );
  }

  section('Results');
  const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const rows: string[][] = [];
  if (full) {
    const rate = full.stepRuns / (full.runMs / 1000);
    rows.push([`steps/s, ${int(full.customers)} customers (StepRun rows / worker time)`, `${int(rate)} (${seconds(full.runMs)})`, `≥ ${int(TARGETS.stepsPerSecond)}`, mark(rate >= TARGETS.stepsPerSecond)]);
    rows.push(['enrolling them (enrollByApi)', `${seconds(full.enrollMs)}, ${int(full.customers / (full.enrollMs / 1000))}/s`, '—', '']);
    rows.push(['deliveries/s', int(full.deliveries / (full.runMs / 1000)), '—', '']);
    rows.push(["workers' peak RSS", mb(full.peakRssBytes), '—', '']);
  }
  if (baseline) {
    const rate = baseline.stepRuns / (baseline.runMs / 1000);
    rows.push([`baseline: claimLimit 1, ${int(baseline.customers)} customers`, `${int(rate)} steps/s`, '—', full ? `batching: ${(full.stepRuns / full.runMs / (rate / 1000)).toFixed(1)}×` : '']);
  }
  if (latency) {
    const l = latency.latencies;
    const p99 = percentile(l, 0.99);
    rows.push([`event → first action, ${int(latency.sent / (latency.sendMs / 1000))} events/s: p50 / p99 / max`, `${ms(percentile(l, 0.5))} / ${ms(p99)} / ${ms(l[l.length - 1]!)}`, `p99 < ${ms(TARGETS.latencyP99Ms)}`, mark(p99 < TARGETS.latencyP99Ms)]);
  }
  console.log(table(['figure', 'measured', 'target', 'result'], rows));
  const cpus = os.cpus();
  console.log(
    `\n${cpus.length} × ${cpus[0]?.model.trim()}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${pg!.version} on the same machine; ` +
      `workers: ${options.workers === 0 ? 'in the benchmark process' : `${options.workers} processes`}; ${int(customerIds.length)} customers${prepared.reused ? ' (reused database)' : ''}; ` +
      `total ${seconds(performance.now() - started)}`,
  );
  const load = os.loadavg();
  if (load[0]! > cpus.length) console.log(`Warning: load average ${load.map((x) => x.toFixed(2)).join(' ')} on ${cpus.length} cores at the end: other work shared the machine.`);
  return 0;
}

runBenchmark(main, { usage: USAGE, cleanup: async () => void (await db?.close()) });
