// The API server process of `pnpm bench api`, and the CPU and memory figures read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Db } from '@courtyard/db';
import { parseEventLoopReport, type EventLoopReport } from '../api/src/event-loop-report.ts';
import { seconds } from './common.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// ─── processes: the API server, CPU and memory ───────────────────────────────────────────────────

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The V8 heap flags of `pnpm start` (api/package.json): old space COURTYARD_MAX_HEAP_MB (200), semi-spaces of 8 MB. */
export function apiHeapFlags(): string[] {
  return [`--max-old-space-size=${process.env.COURTYARD_MAX_HEAP_MB ?? 200}`, '--max-semi-space-size=8'];
}

const CLOCK_TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

/** utime + stime of a process, in ms; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Busy CPU time of the whole machine (all processes, all cores), in ms. */
export function machineBusyMs(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as number[];
  void idle;
  void iowait;
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / CLOCK_TICKS;
}

export interface CpuSnapshot {
  at: number;
  server: number;
  /** CPU ms of each PostgreSQL process serving the benchmark database (backends and WAL/checkpoint writers). */
  postgres: Map<number, number>;
  bench: number;
  machine: number;
}

export async function cpuSnapshot(serverPid: number, db: Db): Promise<CpuSnapshot> {
  // The server may serve other databases too (other work on this machine): count ours only.
  const pids = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR backend_type IN ('walwriter', 'checkpointer', 'background writer')`,
  );
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    server: processCpuMs(serverPid),
    postgres: new Map(pids.map(({ pid }) => [pid, processCpuMs(pid)])),
    bench: (own.user + own.system) / 1000,
    machine: machineBusyMs(),
  };
}

export interface CpuSplit {
  text: string;
  serverCores: number;
  postgresCores: number;
  benchCores: number;
  otherCores: number;
}

/** "API 1.00, PostgreSQL 0.35, load generator 0.40, other processes 0.10 cores busy (of 2)". */
export function cpuSplit(from: CpuSnapshot, to: CpuSnapshot): CpuSplit {
  const wall = to.at - from.at;
  let postgresMs = 0;
  // Connections opened during the interval count in full; ones closed during it are lost (rare: pools keep them).
  for (const [pid, ms] of to.postgres) postgresMs += ms - (from.postgres.get(pid) ?? 0);
  const serverCores = (to.server - from.server) / wall;
  const postgresCores = postgresMs / wall;
  const benchCores = (to.bench - from.bench) / wall;
  const otherCores = Math.max(0, (to.machine - from.machine) / wall - serverCores - postgresCores - benchCores);
  return {
    serverCores,
    postgresCores,
    benchCores,
    otherCores,
    text:
      `CPU cores busy (of ${os.cpus().length}): API ${serverCores.toFixed(2)}, PostgreSQL ${postgresCores.toFixed(2)}, ` +
      `load generator ${benchCores.toFixed(2)}, other processes ${otherCores.toFixed(2)}`,
  };
}

export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export class ApiServer {
  readonly url: string;
  private readonly child: ChildProcess;
  private output = '';
  private exited: Promise<void>;
  private exitInfo: string | null = null;
  private rssTimer: NodeJS.Timeout;
  peakRssBytes = 0;
  peakHwmBytes = 0;

  /** What the server said of its event loop, when asked to (`loopReportMs`), each with when it came (performance.now()). */
  readonly loopReports: (EventLoopReport & { at: number })[] = [];
  private partialLine = '';

  /** `redisUrl`: the server uses Redis for its pub/sub and WeCom's call budgets, as one of several nodes would. */
  constructor(port: number, databaseUrl: string, demoApiKey: string, cpuProfDir?: string, loopReportMs?: number, redisUrl?: string) {
    this.url = `http://127.0.0.1:${port}/graphql`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      COURTYARD_DEMO_API_KEY: demoApiKey,
      NODE_ENV: 'production',
      ...(loopReportMs ? { COURTYARD_EVENT_LOOP_REPORT_MS: String(loopReportMs) } : {}),
    };
    delete env.INIT_CWD; // main.ts changes to INIT_CWD; run from the repository root
    // One node: in-process pub/sub and budgets, unless asked to go through Redis.
    if (redisUrl) env.REDIS_URL = redisUrl;
    else delete env.REDIS_URL;
    // node itself, not pnpm or the tsx CLI: this pid is the server's, so its RSS and CPU are the server's.
    const profile = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
    // The same heap flags as `pnpm start` (api/package.json).
    const heap = apiHeapFlags();
    this.child = spawn(process.execPath, [...profile, ...heap, '--import', 'tsx', 'api/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    // Event loop reports are collected, not kept in the output that errors show.
    this.child.stdout!.on('data', (chunk: Buffer) => {
      if (!loopReportMs) return keep(chunk);
      const lines = (this.partialLine + chunk.toString()).split('\n');
      this.partialLine = lines.pop()!;
      const at = performance.now();
      const rest: string[] = [];
      for (const line of lines) {
        const report = parseEventLoopReport(line);
        if (report) this.loopReports.push({ ...report, at });
        else rest.push(line);
      }
      if (rest.length) keep(Buffer.from(`${rest.join('\n')}\n`));
    });
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
        resolve();
      });
      this.child.once('error', (error) => {
        this.exitInfo = error.message;
        resolve();
      });
    });
    this.rssTimer = setInterval(() => this.sampleMemory(), 100);
    this.rssTimer.unref();
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** What the server printed (the last 20,000 characters). */
  get log(): string {
    return this.output;
  }

  /**
   * The reports that came between `from` and `to` (performance.now()): the share of that time the
   * server's event loop was busy, and the median and worst of its delay percentiles; null without reports.
   */
  loopBusy(from: number, to: number): { busy: number; delayP50Ms: number; delayP99Ms: number } | null {
    const within = this.loopReports.filter((r) => r.at > from && r.at <= to);
    if (!within.length) return null;
    const time = within.reduce((sum, r) => sum + r.intervalMs, 0);
    const p50s = within.map((r) => r.delayP50Ms).sort((a, b) => a - b);
    return { busy: within.reduce((sum, r) => sum + r.busy * r.intervalMs, 0) / time, delayP50Ms: p50s[Math.floor(p50s.length / 2)]!, delayP99Ms: Math.max(...within.map((r) => r.delayP99Ms)) };
  }

  sampleMemory(): void {
    if (this.exitInfo) return;
    this.peakRssBytes = Math.max(this.peakRssBytes, statusKb(this.pid, 'VmRSS') * 1024);
    this.peakHwmBytes = Math.max(this.peakHwmBytes, statusKb(this.pid, 'VmHWM') * 1024);
  }

  /** Resolves when POST /graphql answers `{ __typename }` with 200. */
  async ready(timeoutMs = 120_000): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < timeoutMs) {
      if (this.exitInfo) throw new Error(`The API process ended (${this.exitInfo}) before it answered. Its output:\n${this.output}`);
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
          signal: AbortSignal.timeout(2_000),
        });
        if (response.status === 200) {
          await response.arrayBuffer();
          return performance.now() - started;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`The API did not answer on ${this.url} within ${seconds(timeoutMs)}. Its output:\n${this.output}`);
  }

  async stop(): Promise<void> {
    clearInterval(this.rssTimer);
    if (this.exitInfo) return;
    this.sampleMemory();
    this.child.kill('SIGTERM');
    const killed = await Promise.race([this.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000).unref())]);
    if (!killed) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

