// `pnpm bench wecom`: WeCom callbacks through Courtyard on PostgreSQL.
//
//  1. Creates `courtyard_bench_wecom` (or BENCH_DATABASE_URL), starts Courtyard as its own process
//     (`pnpm start`'s main) on a free port and, in this process, a WeCom stand-in (its rate limits
//     raised: WeCom's own budget is 10,000 calls a minute per API) that pushes signed, encrypted
//     callbacks to it; connects the demo workspace and creates a live
//     code with a channel tag and a welcome message.
//  2. Throughput: after --warm scans (default 2,000, prepared and pushed as the measured ones are:
//     V8 compiles the hot code, as in a server that has run a while; measured cold, the first
//     seconds run at ~60% of the rate), --callbacks scans
//     (default 5,000), --in-flight at once (default 32): each is an
//     add_external_contact callback, made in the stand-in (customer, follow, welcome code) and
//     signed and encrypted before the clock starts (WeCom's servers do that elsewhere; on this
//     machine it would take the cores Courtyard is measured on), that Courtyard acknowledges, then processes (customer, owner,
//     channel tag, daily stats, the welcome message through send_welcome_msg, the profile through
//     externalcontact/get, an event). Callbacks/s = scans ÷ the time until the last one is
//     processed. Baseline, same run: --baseline scans (default 1,000) on a second API server whose
//     worker claims and processes one callback at a time (no batch, nothing side by side). The
//     server reports how busy its event loop was (COURTYARD_EVENT_LOOP_REPORT_MS) over the burst.
//  3. Latency: --rate scans a second (default 100) for --seconds (default 10): from the moment the
//     stand-in pushes a callback to the moment its send_welcome_msg reaches the stand-in, p50/p99.
//     The figure includes the stand-in's own service time on loopback (well under a millisecond per
//     call), so it is an upper bound of the latency Courtyard adds.
// Every scan must end with one customer, one event and one welcome message or, past WeCom's budget of
// 10,000 calls a minute per API, an event that records it over budget; or the run is invalid.
process.env.COURTYARD_SECRET_KEY ??= 'courtyard-bench-secret-key';

import { ApiServer, cpuSnapshot, cpuSplit, freePort } from './api-server.ts';
import { startWeComStandIn, type WeComStandIn } from '../plugins/wecom/src/standin/index.ts';
import { TEST_CORP } from '../plugins/wecom/src/standin/testing.ts';
import { buildWeComXml, createCallbackCrypto } from '../plugins/wecom/src/index.ts';
import { undiciHttpSend } from '../plugins/wecom/src/http.ts';
import { createDb, type Db } from '../prisma/src/index.ts';
import { BenchmarkError, int, mb, ms, openBenchmark, parseNumber, parseOptionValues, pct, percentile, runBenchmark, seconds, section, sleep, table, UsageError } from './common.ts';

const TARGETS = { callbacksPerSecond: 2_000, p99Ms: 200 };
/** A corp of this run's own: with --redis, no call budget an earlier run spent is counted against it. */
const CORP = { ...TEST_CORP, corpId: `wwbench${Date.now().toString(36)}` };
const DEMO_API_KEY = 'cy_bench_wecom_demo_key_do_not_use';

const USAGE = `Usage: pnpm bench wecom [options]
  --callbacks N   scans pushed for the throughput figure (default 5000; with --warm, past 10,000 in a
                  minute WeCom's budget per API is spent: later welcome messages are over budget)
  --in-flight N   scans pushed at once (default 32)
  --warm N        scans before the throughput figure, so both processes run compiled code (default 2000)
  --baseline N    scans for the one-at-a-time baseline (default 1000)
  --rate N        scans a second for the latency figure (default 100)
  --seconds N     how long the latency phase runs (default 10)
  --cpu-prof DIR  write a V8 CPU profile of each Courtyard process into DIR (node --cpu-prof)
  --redis URL     Courtyard uses this Redis for its pub/sub and WeCom's call budgets, as one of several
                  nodes does (every WeCom call then reserves its place in Redis)`;

const OPTION_SPEC = {
  callbacks: { type: 'string', default: '5000' },
  'in-flight': { type: 'string', default: '32' },
  warm: { type: 'string', default: '2000' },
  baseline: { type: 'string', default: '1000' },
  rate: { type: 'string', default: '100' },
  seconds: { type: 'string', default: '10' },
  'cpu-prof': { type: 'string' },
  redis: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const held: { servers: ApiServer[]; standIns: WeComStandIn[]; db?: Db } = { servers: [], standIns: [] };

interface Setup {
  server: ApiServer;
  standIn: WeComStandIn;
  configId: string;
  workspaceId: string;
  /** performance.now() of each welcome message by external contact id. */
  welcomed: Map<string, number>;
  callbackUrl: string;
}

/**
 * Courtyard as its own process (`pnpm start`'s main, its callback worker at `concurrency` and
 * `batch`), a stand-in in this process pushing to it, the workspace connected, a live code.
 */
async function setUp(db: Db, databaseUrl: string, workspaceId: string, key: string, concurrency: number, batch: number, cpuProfDir?: string, redisUrl?: string): Promise<Setup> {
  const port = await freePort();
  process.env.COURTYARD_WECOM_STANDIN = 'false';
  process.env.COURTYARD_WECOM_CALLBACK_CONCURRENCY = String(concurrency);
  process.env.COURTYARD_WECOM_CALLBACK_BATCH = String(batch);
  // The server reports how busy its event loop is, 4 times a second.
  const server = new ApiServer(port, databaseUrl, key, cpuProfDir, 250, redisUrl);
  held.servers.push(server);
  await server.ready();
  const callbackUrl = `http://127.0.0.1:${port}/wecom/callback/${workspaceId}`;
  const standIn = await startWeComStandIn({ ...CORP, perMinute: 100_000_000, perHour: 1_000_000_000, callbackUrl });
  held.standIns.push(standIn);
  for (const userid of ['zhangsan', 'lisi', 'wangwu']) standIn.addStaff({ userid });
  const welcomed = new Map<string, number>();
  const push = standIn.state.welcomeMessages.push.bind(standIn.state.welcomeMessages);
  standIn.state.welcomeMessages.push = (...items) => {
    const now = performance.now();
    for (const item of items) welcomed.set(item.external_userid, now);
    return push(...items);
  };

  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: { message: string }[] };
    if (body.errors?.length) throw new BenchmarkError(body.errors.map((e) => e.message).join('; '));
    return body.data;
  };
  const connected = await gql(`mutation ($input: ConnectWeComInput!) { connectWeCom(input: $input) { __typename ... on Error { message } } }`, {
    input: { corpId: CORP.corpId, agentSecret: 'standin-secret', callbackToken: CORP.token, encodingAesKey: CORP.encodingAesKey, baseUrl: standIn.url },
  });
  if (connected.connectWeCom.__typename !== 'WeComConnection') throw new BenchmarkError(`connectWeCom: ${connected.connectWeCom.message}`);
  await db.prisma.staff.createMany({ data: ['zhangsan', 'lisi', 'wangwu'].map((u) => ({ workspaceId, name: u, wecomUserId: u })), skipDuplicates: true });
  const group = await gql(`mutation { createTagGroup(input: { name: "渠道 ${Date.now()}", kind: basic }) { ... on TagGroup { id } } }`);
  const tag = await gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "包裹卡" }) { ... on Tag { id } } }`, { g: group.createTagGroup.id });
  const code = await gql(`mutation ($input: WeComLiveCodeInput!) { createWeComLiveCode(input: $input) { __typename ... on WeComLiveCode { configId } ... on Error { message } } }`, {
    input: {
      name: `包裹卡 ${Date.now()}`,
      channel: 'parcel_card',
      staff: [{ userId: 'zhangsan' }, { userId: 'lisi' }, { userId: 'wangwu' }],
      assignment: 'round_robin',
      tagIds: [tag.createTag.id],
      welcome: { text: '您好，我是{{staff_name}}，感谢扫码！新人券：{{coupon}}', coupon: 'NEW20', link: { title: '新人专享', url: 'https://shop.example.com/new' } },
    },
  });
  if (code.createWeComLiveCode.__typename !== 'WeComLiveCode') throw new BenchmarkError(`createWeComLiveCode: ${code.createWeComLiveCode.message}`);
  // The callback path reads a workspace's connection at most every 2 s: let it see this one.
  await sleep(2100);
  return { server, standIn, configId: code.createWeComLiveCode.configId, workspaceId, welcomed, callbackUrl };
}

async function processedCount(db: Db, workspaceId: string): Promise<{ processed: number; failed: number }> {
  const [row] = await db.query<{ processed: number; failed: number }>(
    `SELECT count(*) FILTER (WHERE status = 'processed')::int AS processed, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM "WeComCallback" WHERE "workspaceId" = $1`,
    [workspaceId],
  );
  return row!;
}

/** Callbacks ready to push: each scan's add_external_contact as WeCom sends it (signed, encrypted). */
interface Prepared {
  url: URL;
  body: Buffer;
}

/**
 * `count` scans made in the stand-in (its customers, follows and welcome codes) with their callbacks
 * held back, then signed and encrypted: WeCom's servers do that work elsewhere, so it is done before
 * the clock starts and the machine's 2 cores go to Courtyard, PostgreSQL and the stand-in's API.
 */
async function prepareScans(s: Setup, prefix: string, count: number): Promise<Prepared[]> {
  const crypto = createCallbackCrypto({ token: CORP.token, encodingAesKey: CORP.encodingAesKey, receiveId: CORP.corpId });
  s.standIn.setCallbackUrl(undefined);
  try {
    const prepared: Prepared[] = [];
    for (let i = 0; i < count; i++) {
      const scan = await s.standIn.simulateScan({ config_id: s.configId, external_userid: `${prefix}-${i}` });
      const { body, query } = crypto.encryptCallback(buildWeComXml(scan.callback.fields));
      prepared.push({ url: new URL(`${s.callbackUrl}?${new URLSearchParams({ ...query })}`), body: Buffer.from(body) });
    }
    return prepared;
  } finally {
    s.standIn.setCallbackUrl(s.callbackUrl);
  }
}

/**
 * Pushes `count` scans, `inFlight` at a time (the `prepared` callbacks, else scans the stand-in makes
 * and pushes as it goes); resolves when every callback is processed. Returns the elapsed ms, when the
 * last callback was acknowledged, and each scan's push → 200 time (sorted).
 */
async function burst(db: Db, s: Setup, prefix: string, count: number, inFlight: number, prepared?: Prepared[]): Promise<{ elapsed: number; pushedMs: number; acks: number[] }> {
  const send = undiciHttpSend(5000);
  const before = (await processedCount(db, s.workspaceId)).processed;
  const started = performance.now();
  const acks: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < count; i = next++) {
        const at = performance.now();
        if (prepared) {
          const answer = await send(prepared[i]!.url, 'POST', { contentType: 'text/xml', data: prepared[i]!.body }, { once: true });
          if (answer.status !== 200) throw new BenchmarkError(`a callback was answered ${answer.status} ${answer.body}`);
        } else await s.standIn.simulateScan({ config_id: s.configId, external_userid: `${prefix}-${i}` });
        acks.push(performance.now() - at);
      }
    }),
  );
  const pushedMs = performance.now() - started;
  acks.sort((a, b) => a - b);
  for (;;) {
    const { processed, failed } = await processedCount(db, s.workspaceId);
    if (failed) throw new BenchmarkError(`${failed} callback(s) failed`);
    if (processed - before >= count) return { elapsed: performance.now() - started, pushedMs, acks };
    if (performance.now() - started > 600_000) throw new BenchmarkError(`only ${processed - before} of ${count} callbacks processed in 10 minutes`);
    await sleep(20);
  }
}

/**
 * Every scan of `prefix` made one customer and one contact_added event, and one welcome message or,
 * past WeCom's budget for send_welcome_msg (10,000 a minute per corp), an event that says it was
 * over budget. Returns how many were over budget, and how many profiles wait in the read queue.
 */
async function check(db: Db, s: Setup, prefix: string, count: number): Promise<{ overBudget: number; profilesQueued: number }> {
  const [row] = await db.query<{ customers: number; events: number; sent: number; over: number; queued: number }>(
    `SELECT (SELECT count(*)::int FROM "Customer" WHERE "workspaceId" = $1 AND "wecomExternalId" LIKE $2) AS customers,
            count(*)::int AS events,
            count(*) FILTER (WHERE e.properties->>'welcome' = 'sent')::int AS sent,
            count(*) FILTER (WHERE e.properties->>'welcome' = 'over_budget')::int AS over,
            (SELECT count(*)::int FROM "WeComProfileRead" WHERE "workspaceId" = $1 AND "externalUserId" LIKE $2) AS queued
       FROM "Event" e JOIN "Customer" c ON c.id = e."customerId"
      WHERE e."workspaceId" = $1 AND e.type = 'wecom.contact_added' AND c."wecomExternalId" LIKE $2`,
    [s.workspaceId, `${prefix}-%`],
  );
  const welcomes = s.standIn.state.welcomeMessages.filter((w) => w.external_userid.startsWith(`${prefix}-`)).length;
  const { customers, events, sent, over, queued } = row!;
  if (customers !== count || events !== count || welcomes !== sent || sent + over !== count) {
    throw new BenchmarkError(`${prefix}: ${count} scans made ${customers} customers, ${events} events, ${welcomes} welcome messages (${sent} recorded sent, ${over} over budget)`);
  }
  return { overBudget: over, profilesQueued: queued };
}

/** `rate` scans a second for `duration` seconds: each one's time from push to welcome message, sorted. `before`: callbacks processed until now. */
async function latency(db: Db, s: Setup, run: string, rate: number, duration: number, before: number): Promise<number[]> {
  const sent = new Map<string, number>();
  const scans: Promise<unknown>[] = [];
  const total = Math.round(rate * duration);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const id = `${run}-steady-${i}`;
    sent.set(id, performance.now());
    scans.push(s.standIn.simulateScan({ config_id: s.configId, external_userid: id }));
  }
  await Promise.all(scans);
  const missing = () => [...sent.keys()].filter((id) => !s.welcomed.has(id));
  for (const waited = performance.now(); missing().length && performance.now() - waited < 30_000; ) await sleep(20);
  if (missing().length) throw new BenchmarkError(`no welcome message for ${missing().length} of ${total} scans`);
  const latencies = [...sent].map(([id, at]) => s.welcomed.get(id)! - at).sort((a, b) => a - b);
  for (const waited = performance.now(); (await processedCount(db, s.workspaceId)).processed < before + total && performance.now() - waited < 30_000; ) await sleep(20);
  await check(db, s, `${run}-steady`, total);
  console.log(`${int(total)} scans at ${int(rate)}/s over ${seconds(performance.now() - started)}`);
  return latencies;
}

async function main(): Promise<number> {
  const values = parseOptionValues(OPTION_SPEC);
  if (values.help) throw new UsageError('');
  const callbacks = parseNumber('callbacks', values.callbacks, 1);
  const inFlight = parseNumber('in-flight', values['in-flight'], 1);
  const warm = parseNumber('warm', values.warm, 0);
  const baselineCount = parseNumber('baseline', values.baseline, 1);
  const rate = parseNumber('rate', values.rate, 1);
  const duration = parseNumber('seconds', values.seconds, 1);

  const opened = await openBenchmark('pnpm bench wecom: WeCom callbacks → customer, channel tag, welcome message, event', 'postgresql://postgres@127.0.0.1:5432/courtyard_bench_wecom', {
    customers: 1000,
    reuse: false,
    demoApiKey: DEMO_API_KEY,
  });
  await opened.db.close();
  // The API's own pool size (DATABASE_POOL_SIZE, default 10), not the preparation's.
  const db = await createDb({ databaseUrl: opened.databaseUrl });
  held.db = db;
  const workspaceId = opened.workspaceId;
  const run = `r${Date.now().toString(36)}`;

  section('Throughput');
  const cpuProfDir = values['cpu-prof'];
  const redisUrl = values.redis;
  if (redisUrl) console.log(`Courtyard's pub/sub and WeCom call budgets go through Redis (${redisUrl})`);
  const fast = await setUp(db, opened.databaseUrl, workspaceId, DEMO_API_KEY, 16, 200, cpuProfDir, redisUrl);
  // Warmed up the way it is measured: callbacks prepared beforehand, pushed by this process.
  if (warm) await burst(db, fast, `${run}-warm`, warm, inFlight, await prepareScans(fast, `${run}-warm`, warm));
  const prepared = await prepareScans(fast, `${run}-burst`, callbacks);
  const cpuFrom = await cpuSnapshot(fast.server.pid, db);
  const { elapsed, pushedMs, acks } = await burst(db, fast, `${run}-burst`, callbacks, inFlight, prepared);
  const cpuTo = await cpuSnapshot(fast.server.pid, db);
  const cpu = cpuSplit(cpuFrom, cpuTo);
  const loop = fast.server.loopBusy(cpuFrom.at, cpuTo.at);
  const burstChecked = await check(db, fast, `${run}-burst`, callbacks);
  const perSecond = (callbacks / elapsed) * 1000;
  console.log(`${int(callbacks)} callbacks processed in ${seconds(elapsed)}: ${int(perSecond)}/s (passes of up to 200, 16 customers side by side)`);
  console.log(`all acknowledged after ${seconds(pushedMs)}; push → 200 (callbacks prepared beforehand) p50 ${ms(percentile(acks, 0.5))}, p99 ${ms(percentile(acks, 0.99))}`);
  // The load generator is this process: the stand-in's HTTP server (the welcome messages and the profiles) and the pushes.
  console.log(`${cpu.text.replace('load generator', 'stand-in + load generator')}`);
  // Courtyard's one JavaScript thread: near 100% busy, it is the limit (requests wait their turn), whatever cores are left.
  if (loop) console.log(`Courtyard's event loop busy ${pct(loop.busy)} of the time; timers fired late by p50 ${ms(loop.delayP50Ms)}, worst p99 ${ms(loop.delayP99Ms)}`);
  fast.server.sampleMemory();
  console.log(`Courtyard's peak memory so far: ${mb(fast.server.peakRssBytes)} RSS`);
  // Past WeCom's 10,000 calls a minute per API the welcome messages are not sent (their codes expire
  // first) and the profiles wait in the read queue: recorded, not held in memory.
  if (burstChecked.overBudget || burstChecked.profilesQueued) {
    console.log(`past WeCom's budget (10,000 calls a minute per API): ${int(burstChecked.overBudget)} welcome messages not sent (welcome: over_budget), ${int(burstChecked.profilesQueued)} profiles queued for a later read`);
  }

  section('Latency: callback pushed → welcome message at WeCom');
  // After a burst past the budget, no welcome message can go for a minute: nothing to time.
  const latencies = burstChecked.overBudget ? null : await latency(db, fast, run, rate, duration, warm + callbacks);
  if (!latencies) console.log("not measured: the burst spent WeCom's budget for send_welcome_msg for the next minute");
  // The baseline's server must be the only one working on the workspace's callbacks.
  await fast.server.stop();

  section('Baseline: one callback at a time');
  const slow = await setUp(db, opened.databaseUrl, workspaceId, DEMO_API_KEY, 1, 1, undefined, redisUrl);
  const baselineMs = (await burst(db, slow, `${run}-base`, baselineCount, inFlight)).elapsed;
  await check(db, slow, `${run}-base`, baselineCount);
  const baselinePerSecond = (baselineCount / baselineMs) * 1000;
  console.log(`${int(baselineCount)} callbacks one at a time in ${seconds(baselineMs)}: ${int(baselinePerSecond)}/s`);

  section('Figures');
  console.log(
    table(
      ['figure', 'target', 'measured'],
      [
        ['callbacks processed per second', `≥ ${int(TARGETS.callbacksPerSecond)}/s`, `${int(perSecond)}/s${perSecond >= TARGETS.callbacksPerSecond ? '' : ' — missed'}`],
        ['baseline: one callback at a time', '—', `${int(baselinePerSecond)}/s (side by side is ${(perSecond / baselinePerSecond).toFixed(1)}×)`],
        ['callback → welcome message, p50', '—', latencies ? ms(percentile(latencies, 0.5)) : 'not measured'],
        ['callback → welcome message, p99', `< ${TARGETS.p99Ms} ms`, latencies ? `${ms(percentile(latencies, 0.99))}${percentile(latencies, 0.99) < TARGETS.p99Ms ? '' : ' — missed'}` : 'not measured'],
      ],
    ),
  );
  return 0;
}

runBenchmark(main, {
  usage: USAGE,
  async cleanup() {
    await Promise.all(held.servers.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(held.standIns.map((s) => s.close().catch(() => undefined)));
    await held.db?.close();
  },
});
