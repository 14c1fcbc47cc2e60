#!/usr/bin/env node
// `pnpm bench <name> [options]`: runs one benchmark. Each prints its figures next to its targets and
// the machine it ran on, and exits 0 whether or not the targets are met (benchmarks report; they do
// not fail CI). Options after the name go to the benchmark (`pnpm bench api --help`).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** name → the TypeScript file it runs (with tsx) and one line on what it measures. */
const BENCHES = {
  api: {
    file: 'bench/api.ts',
    description: 'GraphQL API on PostgreSQL with 100k customers: request rate and latency of a trivial query and a customers page, event ingestion rate, peak RSS',
  },
  segments: {
    file: 'bench/segments.ts',
    description: 'Segment engine on PostgreSQL with 1M customers: 5-condition count vs a naive JS filter, full refresh, re-check latency per ingested event',
  },
  journeys: {
    file: 'bench/journeys.ts',
    description: 'Journey runtime on PostgreSQL with 100k customers: steps/s through a 5-node journey vs one customer per batch, event-to-first-action latency at 1,000 events/s',
  },
  campaigns: {
    file: 'bench/campaigns.ts',
    description: 'Campaign to 1M customers on PostgreSQL through the webhook channel (batch) to a local sink: audience snapshot time, deliveries/s vs one INSERT + one POST per customer, each customer exactly once',
  },
  admin: {
    file: 'bench/admin.ts',
    description: 'Journey builder in headless Chromium, 200 nodes vs a 20-node baseline: first render, frame times while dragging a node, panning and zooming, JS heap',
  },
  wecom: {
    file: 'bench/wecom.ts',
    description: 'WeCom callbacks from a stand-in on PostgreSQL: callbacks processed per second vs one at a time, callback-to-welcome-message latency p50/p99',
  },
  plugins: {
    file: 'bench/plugins.ts',
    description: 'Remote partner plugin on loopback (the example coupons plugin, its own process): customers/s in batches of 100 vs one call per customer, added latency per step p50/p99',
  },
};

function list(stream) {
  stream.write('Usage: pnpm bench <name> [options]   (pnpm bench <name> --help for its options)\n\nBenchmarks:\n');
  const width = Math.max(...Object.keys(BENCHES).map((n) => n.length));
  for (const [name, { description }] of Object.entries(BENCHES)) stream.write(`  ${name.padEnd(width)}  ${description}\n`);
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || name === 'list') {
  list(process.stdout);
  process.exit(name === undefined ? 1 : 0);
}
if (!Object.hasOwn(BENCHES, name)) {
  process.stderr.write(`Unknown benchmark "${name}".\n\n`);
  list(process.stderr);
  process.exit(1);
}

// TypeScript through tsx's loader in this same node, not `pnpm exec tsx`: no wrapper processes in
// between, so a signal sent to this process reaches the benchmark, which then stops its servers.
const child = spawn(process.execPath, ['--import', 'tsx', BENCHES[name].file, ...args], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the benchmark too (same process group); wait for it to stop its server and clean up.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  console.error(`Could not start ${BENCHES[name].file}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + ({ SIGINT: 2, SIGTERM: 15 }[signal] ?? 1) : 1)));
