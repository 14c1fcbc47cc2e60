// The journey workers the benchmark runs: the production worker command as child processes, or a
// runtime inside the benchmark's own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDb, type Db } from '@courtyard/db';
import { JourneyRuntime } from '../plugins/runtime/src/index.ts';
import { statusKb } from './api-server.ts';
import { BenchmarkError } from './common.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface WorkerConfig {
  databaseUrl: string;
  workspaceId: string;
  claimLimit: number;
  concurrency: number;
}

/** The runtime's workers for the benchmark workspace: child processes, or a runtime in this process. */
export interface Workers {
  describe: string;
  start(): Promise<void>;
  /** Stops them; returns their peak RSS (the largest of the processes). */
  stop(): Promise<number>;
}

/** The production worker command (plugins/runtime/src/worker.ts), `count` of them, scoped to the workspace. */
export function childWorkers(count: number, config: WorkerConfig): Workers {
  const children: ChildProcess[] = [];
  let peak = 0;
  const sample = () => {
    for (const c of children) peak = Math.max(peak, statusKb(c.pid ?? -1, 'VmHWM') * 1024);
  };
  return {
    describe: `${count} worker processes (plugins/runtime/src/worker.ts; concurrency ${config.concurrency}, claimLimit ${config.claimLimit})`,
    async start() {
      // One after another: on a fresh database the first one creates the job queues.
      for (let i = 0; i < count; i++) {
        const child = spawn(process.execPath, ['--import', 'tsx', 'plugins/runtime/src/worker.ts'], {
          cwd: ROOT,
          env: {
            ...process.env,
            DATABASE_URL: config.databaseUrl,
            COURTYARD_WORKSPACES: config.workspaceId,
            COURTYARD_CLAIM_LIMIT: String(config.claimLimit),
            COURTYARD_WORKER_CONCURRENCY: String(config.concurrency),
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        children.push(child);
        await new Promise<void>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('journey worker running')) resolve();
          });
          child.once('exit', (code) => reject(new BenchmarkError(`worker process ${child.pid} ended (code ${code}) before it ran: ${out}`)));
        });
      }
    },
    async stop() {
      sample();
      await Promise.all(
        children.map(async (child) => {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          await exited;
          clearTimeout(timer);
        }),
      );
      children.length = 0;
      return peak;
    },
  };
}

export function inProcessWorkers(config: WorkerConfig): Workers {
  let db: Db | undefined;
  let runtime: JourneyRuntime | undefined;
  return {
    describe: `the benchmark's own process (concurrency ${config.concurrency}, claimLimit ${config.claimLimit})`,
    async start() {
      db = await createDb({ databaseUrl: config.databaseUrl, poolSize: config.concurrency + 4 });
      runtime = new JourneyRuntime({ db, workspaces: new Set([config.workspaceId]), claimLimit: config.claimLimit, concurrency: config.concurrency });
      await runtime.start();
    },
    async stop() {
      await runtime?.stop();
      await db?.close();
      return process.resourceUsage().maxRSS * 1024;
    },
  };
}
