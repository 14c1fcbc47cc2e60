// `pnpm bench plugins`: the runtime's remote caller against a partner plugin on loopback.
//
//  1. Starts the example coupons plugin (plugins/examples/coupons, built on the SDK alone) as its
//     own process on 127.0.0.1, reads its manifest and installs it through a signed
//     `installation.created` callback, as the platform does, so it verifies every batch with the
//     installation's own secret.
//  2. Throughput: --customers customers (default 20,000) through the coupon action via
//     RemoteNodeCaller.callNode, in batches of --batch (default 100), --concurrency calls in flight
//     (default 4). Baseline, same run: the same customers one call each (the naive way), same
//     concurrency. Every customer must come back with a coupon, or the run is invalid.
//  3. Latency: --latency-calls sequential batches of --batch (after 20 of warm-up): the time
//     callNode takes, i.e. what one journey step at a partner node adds (signing, HTTP on loopback,
//     the partner's verification and run, checking the answer), p50 / p99.
// The caller runs with its production policy (timeout, retries, breaker) except the rate limit,
// which is off so the naive baseline is not throttled, and the development flag that lets it call
// a loopback http:// endpoint. Prints the figures next to the targets; exits 0 whether or not they
// are met, 1 when the run is invalid (a customer without a coupon, a failed call).
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createSigningSecret, type BatchItem, type JourneyCustomer, type PluginManifest } from '../plugins/sdk/src/index.ts';
import { RemoteNodeCaller, type RemoteInstallation } from '../plugins/runtime/src/remote/index.ts';
import { BenchmarkError, int, ms, parseNumber, parseOptionValues, percentile, printMachine, runBenchmark, seconds, section, table } from './common.ts';

const TARGETS = { batchedCustomersPerSecond: 10_000, ratio: 20, p99Ms: 50 };
const NODE_ID = 'example-coupons.issue-coupon';

const USAGE = `Usage: pnpm bench plugins [options]
  --customers N      customers through the remote action, batched and one by one (default 20000)
  --batch N          customers per batch (default 100; at most 500)
  --concurrency N    calls in flight at once, for both ways (default 4)
  --latency-calls N  sequential batches timed for the latency figure (default 300)`;

const OPTION_SPEC = {
  customers: { type: 'string', default: '20000' },
  batch: { type: 'string', default: '100' },
  concurrency: { type: 'string', default: '4' },
  'latency-calls': { type: 'string', default: '300' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

let plugin: ChildProcess | undefined;
let caller: RemoteNodeCaller | undefined;
let pluginOutput = '';

/** Starts the example plugin's main.ts on a free loopback port; resolves with its address. */
function startPlugin(callbackSecret: string): Promise<string> {
  const cwd = fileURLToPath(new URL('../plugins/examples/coupons/', import.meta.url));
  plugin = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', COURTYARD_CALLBACK_SECRET: callbackSecret, COURTYARD_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchmarkError(`the example plugin did not start within 30 s`)), 30_000);
    let started = false;
    const read = (chunk: Buffer) => {
      // It logs one line per batch; keep only the start and the last lines for a failure report.
      pluginOutput = (pluginOutput + chunk.toString()).slice(-4_000);
      const match = !started && /listening on (\S+)/.exec(pluginOutput);
      if (match) {
        started = true;
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    plugin!.stdout!.on('data', read);
    plugin!.stderr!.on('data', read);
    plugin!.on('exit', (code) => {
      if (!started) reject(new BenchmarkError(`the example plugin exited with ${code}`));
    });
  });
}

function customer(i: number): JourneyCustomer {
  return {
    id: `bench-customer-${i}`, name: `客户 ${i}`, phone: `138${String(i).padStart(8, '0')}`, email: null, gender: null, birthday: null, city: '杭州',
    sourceChannel: 'wecom', lifecycleStage: 'customer', wecomExternalId: null, unionId: null, attributes: { level: i % 5 }, marketingConsent: true,
    blacklisted: false, ownerStaffId: null, tagIds: ['vip'], orderCount: i % 7, totalSpentCents: (i % 7) * 9_900, firstOrderAt: null, lastOrderAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

function itemsFor(count: number, run: string): BatchItem[] {
  const enteredAt = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => ({
    enrollmentId: `${run}-enr-${i}`,
    idempotencyKey: `${run}-enr-${i}:coupon:1`,
    visit: 1,
    attempt: 1,
    enteredAt,
    trigger: { kind: 'api' as const, data: {} },
    customer: customer(i),
  }));
}

/** Runs `tasks` with at most `concurrency` in flight; resolves when all are done. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  }));
}

async function main(): Promise<number> {
  const values = parseOptionValues(OPTION_SPEC);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const customers = parseNumber('customers', values.customers, 1);
  const batchSize = parseNumber('batch', values.batch, 1);
  if (batchSize > 500) throw new BenchmarkError('--batch: the wire format takes at most 500 customers per batch');
  const concurrency = parseNumber('concurrency', values.concurrency, 1);
  const latencyCalls = parseNumber('latency-calls', values['latency-calls'], 10);

  console.log('Courtyard benchmark: remote plugin calls (RemoteNodeCaller → example coupons plugin, its own process, on loopback)');
  printMachine();

  section('Partner plugin');
  const callbackSecret = createSigningSecret();
  const baseUrl = await startPlugin(callbackSecret);
  const manifest = (await (await fetch(`${baseUrl}/manifest`)).json()) as PluginManifest;
  caller = new RemoteNodeCaller({ allowPrivateEndpoints: true, rateLimit: null });
  const installation: RemoteInstallation = {
    id: 'bench-installation',
    workspace: { id: 'bench-workspace', timeZone: 'Asia/Shanghai' },
    plugin: { id: manifest.id, version: manifest.version },
    endpoints: { baseUrl },
    signingSecret: createSigningSecret(),
    grantedScopes: manifest.scopes,
    nodes: manifest.nodes,
  };
  await caller.sendInstallCallback(
    { endpoints: installation.endpoints, callbackSecret },
    {
      type: 'installation.created', installationId: installation.id, workspace: { id: installation.workspace.id, name: 'bench' }, plugin: installation.plugin,
      scopes: [...installation.grantedScopes], occurredAt: new Date().toISOString(),
      credentials: { signingSecret: installation.signingSecret, token: 'unused', graphqlUrl: 'https://api.courtyard.example/graphql' },
    },
  );
  console.log(`${manifest.id}@${manifest.version} at ${baseUrl} (pid ${plugin!.pid}); installed through a signed installation.created callback; scopes granted: ${installation.grantedScopes.join(', ')}`);

  /** One call of `items`, checked: every customer issued a coupon. */
  const call = async (run: string, items: BatchItem[], key: string) => {
    const answer = await caller!.callNode(installation, {
      nodeId: NODE_ID,
      journey: { id: 'bench-journey', versionId: 'bench-journey-v1', version: 1, nodeId: 'coupon' },
      config: { batchCode: run.toUpperCase(), valueCents: 1_000, stock: 1_000_000 },
      idempotencyKey: key,
      items,
    });
    const missed = answer.results.filter((r) => !('port' in r) || r.port !== 'issued');
    if (missed.length) throw new BenchmarkError(`${missed.length} customers of ${key} got no coupon: ${JSON.stringify(missed[0])}`);
    return answer;
  };

  section(`Throughput: ${int(customers)} customers, batches of ${batchSize} vs one call per customer, ${concurrency} calls in flight`);
  // Warm-up: both processes compile their hot paths and the connections are opened before timing.
  const warmItems = itemsFor(Math.max(batchSize, concurrency) * 4, 'warmup');
  await pool(4, concurrency, async (b) => void (await call('warmup', warmItems.slice(b * batchSize, (b + 1) * batchSize), `warmup-batch-${b}`)));
  await pool(200, concurrency, async (i) => void (await call('warmup', [warmItems[i % warmItems.length]!], `warmup-single-${i}`)));
  const batchedItems = itemsFor(customers, 'batched');
  const batches = Math.ceil(customers / batchSize);
  let started = performance.now();
  await pool(batches, concurrency, async (b) => void (await call('batched', batchedItems.slice(b * batchSize, (b + 1) * batchSize), `batched-${b}`)));
  const batchedMs = performance.now() - started;
  const batchedRate = customers / (batchedMs / 1000);
  console.log(`batched: ${int(batches)} calls in ${seconds(batchedMs)}: ${int(batchedRate)} customers/s`);

  const naiveItems = itemsFor(customers, 'naive');
  started = performance.now();
  await pool(customers, concurrency, async (i) => void (await call('naive', [naiveItems[i]!], `naive-${i}`)));
  const naiveMs = performance.now() - started;
  const naiveRate = customers / (naiveMs / 1000);
  console.log(`one call per customer: ${int(customers)} calls in ${seconds(naiveMs)}: ${int(naiveRate)} customers/s`);

  section(`Latency: ${int(latencyCalls)} batches of ${batchSize}, one at a time (after 20 of warm-up)`);
  const latencyItems = itemsFor(batchSize, 'latency');
  const latencies: number[] = [];
  for (let i = -20; i < latencyCalls; i++) {
    const t = performance.now();
    await call('latency', latencyItems.map((item) => ({ ...item, idempotencyKey: `${item.idempotencyKey}:${i}` })), `latency-${i}`);
    if (i >= 0) latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  console.log(`callNode, ${batchSize} customers: p50 ${ms(p50)}, p90 ${ms(percentile(latencies, 0.9))}, p99 ${ms(p99)}, max ${ms(latencies.at(-1)!)}`);

  section('Results');
  const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const ratio = batchedRate / naiveRate;
  console.log(
    table(
      ['figure', 'measured', 'target', 'result'],
      [
        [`batched (${batchSize} a call), ${int(customers)} customers`, `${int(batchedRate)} customers/s (${seconds(batchedMs)})`, `≥ ${int(TARGETS.batchedCustomersPerSecond)}/s`, mark(batchedRate >= TARGETS.batchedCustomersPerSecond)],
        ['baseline: one call per customer', `${int(naiveRate)} customers/s (${seconds(naiveMs)})`, '—', ''],
        ['batching gives', `${ratio.toFixed(1)}×`, `≥ ${TARGETS.ratio}×`, mark(ratio >= TARGETS.ratio)],
        [`added latency per step (a batch of ${batchSize}), p50 / p99`, `${ms(p50)} / ${ms(p99)}`, `p99 < ${ms(TARGETS.p99Ms)}`, mark(p99 < TARGETS.p99Ms)],
        ['  per customer, p50', `${(p50 / batchSize).toFixed(3)} ms`, '—', ''],
      ],
    ),
  );
  const cpus = os.cpus();
  console.log(`\n${cpus.length} × ${cpus[0]?.model.trim()}, Node ${process.version}; the plugin in its own process; caller: 10 s timeout, 4 attempts, breaker on, no rate limit.`);
  const load = os.loadavg();
  if (load[0]! > cpus.length) console.log(`Warning: load average ${load.map((x) => x.toFixed(2)).join(' ')} on ${cpus.length} cores at the end: other work shared the machine.`);
  return 0;
}

runBenchmark(main, {
  usage: USAGE,
  cleanup: async () => {
    caller?.close();
    if (plugin && plugin.exitCode === null) {
      const exited = new Promise((resolve) => plugin!.once('exit', resolve));
      plugin.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
    }
  },
  onInvalid: () => console.error(`The plugin's last output:\n${pluginOutput}`),
});
