// What a journey runtime is given: its options, and the ones a node takes from its environment.
import type { Db } from '@courtyard/db';
import type { WeComRuntimeOptions } from './channels/types.ts';
import type { NodeRegistry } from './registry.ts';
import type { RemoteCallerOptions } from './remote/caller.ts';

export interface RuntimeOptions {
  db: Db;
  /** Node types available to journeys. Default: the built-ins. */
  registry?: NodeRegistry;
  /** Called after steps moved enrollments of a journey (the API publishes progress from it). */
  onProgress?: (workspaceId: string, journeyId: string) => void;
  /** Called after a campaign's deliveries moved on (sent, failed, its run finished). */
  onCampaignProgress?: (workspaceId: string, campaignId: string) => void;
  /** Called after installation callbacks of a workspace were delivered, retried or given up. */
  onInstallCallback?: (workspaceId: string) => void;
  /** Called after WeCom follow-ups (transfers, moments, group sends, outreach) of a workspace changed state. */
  onWeComChange?: (workspaceId: string) => void;
  /** Campaign deliveries one pass claims per run and sender. Default 2,000. */
  campaignBatch?: number;
  /** HTTP client for webhook nodes. Default: global fetch. */
  fetch?: typeof fetch;
  /**
   * How long a step pass waits for a partner plugin's batch before leaving it to finish on its own,
   * so a slow partner never holds up other journeys or workspaces. Default 1,000 ms.
   */
  remotePatienceMs?: number;
  /** Enrollments claimed per step pass. Default 1,000. */
  claimLimit?: number;
  /** How long a worker holds a claimed step or delivery. Default 60,000 ms. */
  leaseMs?: number;
  /** Idle wait between passes when nothing is due. Default 200 ms. */
  pollMs?: number;
  /** Step passes run at once in this process. Default 2. */
  concurrency?: number;
  /** After new work wakes an idle worker, how long it gathers more before its pass. Default 20 ms. */
  gatherMs?: number;
  log?: (message: string, data?: unknown) => void;
  /**
   * How partner nodes are called. Default: one attempt per step (the engine retries with its own
   * backoff), a 10 s timeout, the per-installation breaker and rate limit, public HTTPS only unless
   * `COURTYARD_PLUGIN_DEV_ENDPOINTS=1`.
   */
  remote?: RemoteCallerOptions;
  /**
   * Where partners reach this platform's GraphQL API: sent with installation credentials.
   * Default `COURTYARD_PUBLIC_URL` + `/graphql` (runtimeOptionsFromEnv), else http://localhost:4000/graphql.
   */
  graphqlUrl?: string;
  /**
   * Work only for these workspaces (tests that share one database run a runtime each). Add to the
   * set as workspaces are created. Default: every workspace.
   */
  workspaces?: Set<string>;
  /** WeCom channel and mass-send poller tuning; see WeComRuntimeOptions for the defaults. */
  wecom?: WeComRuntimeOptions;
}

/**
 * The tuning a node takes from its environment (worker nodes and API nodes alike); unset
 * variables keep the defaults of RuntimeOptions.
 */
export function runtimeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<RuntimeOptions, 'leaseMs' | 'concurrency' | 'claimLimit' | 'pollMs' | 'workspaces' | 'campaignBatch' | 'graphqlUrl'> {
  const number = (name: string) => (env[name] ? Number(env[name]) : undefined);
  const scoped = env.COURTYARD_WORKSPACES?.split(',').filter(Boolean);
  const options = {
    leaseMs: number('COURTYARD_LEASE_MS'),
    concurrency: number('COURTYARD_WORKER_CONCURRENCY'),
    claimLimit: number('COURTYARD_CLAIM_LIMIT'),
    pollMs: number('COURTYARD_POLL_MS'),
    campaignBatch: number('COURTYARD_CAMPAIGN_BATCH'),
    workspaces: scoped?.length ? new Set(scoped) : undefined,
    graphqlUrl: env.COURTYARD_PUBLIC_URL ? `${env.COURTYARD_PUBLIC_URL.replace(/\/+$/, '')}/graphql` : undefined,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
