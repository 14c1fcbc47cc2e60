// The query result cache: a read that nothing has changed since is answered from memory.
//
// Every workspace has a data version in each API process. Whatever writes to a workspace moves it
// on: a mutation (when it has finished, so after its commit), the journey runtime after a step
// batch, a segment membership change; other nodes hear of it through the pub/sub (Redis when
// set). A cached result is keyed by workspace, data version, caller, scopes, document and
// variables, so after a write the next read executes again — no entity bookkeeping to get wrong.
// Values that move with time alone (relative windows, "waiting until") are bounded by the TTL.
//
// Only successful query operations of an authenticated caller are kept. Identical reads that
// arrive while one is executing wait for it instead of executing too. A request with
// `Cache-Control: no-cache` (or `no-store`) is always executed.
import type { DefinitionNode, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createHash } from 'node:crypto';
import type { Context } from '@courtyard/schema';

export interface QueryCacheOptions {
  /** How long a result may be served when nothing wrote to its workspace, in ms. 0 turns the cache off. */
  ttlMs: number;
  /** Memory for cached results (their JSON size), in bytes; least recently used go first. */
  maxBytes: number;
  /** Results larger than this are not kept, in bytes. */
  maxEntryBytes: number;
}

export const DEFAULT_QUERY_CACHE: QueryCacheOptions = { ttlMs: 5_000, maxBytes: 32 * 1024 * 1024, maxEntryBytes: 1024 * 1024 };

export function queryCacheOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<QueryCacheOptions> {
  const options: Partial<QueryCacheOptions> = {};
  const ttl = env.COURTYARD_QUERY_CACHE_MS;
  if (ttl !== undefined && ttl !== '') {
    const value = Number(ttl);
    if (!Number.isFinite(value) || value < 0) throw new Error(`COURTYARD_QUERY_CACHE_MS must be a number of milliseconds (0 turns the cache off); got "${ttl}"`);
    options.ttlMs = value;
  }
  const mb = env.COURTYARD_QUERY_CACHE_MB;
  if (mb !== undefined && mb !== '') {
    const value = Number(mb);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`COURTYARD_QUERY_CACHE_MB must be a positive number of megabytes; got "${mb}"`);
    options.maxBytes = value * 1024 * 1024;
  }
  return options;
}

interface Entry {
  workspaceId: string;
  expires: number;
  bytes: number;
  result: ExecutionResult;
}

export interface QueryCacheStats {
  hits: number;
  misses: number;
  /** Reads that waited for an identical read already executing. */
  joined: number;
  entries: number;
  bytes: number;
}

export class QueryCache {
  readonly options: QueryCacheOptions;
  private readonly versions = new Map<string, number>();
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private readonly executing = new Map<string, Promise<unknown>>();
  private bytes = 0;
  private counters = { hits: 0, misses: 0, joined: 0 };

  constructor(options: Partial<QueryCacheOptions> = {}) {
    this.options = { ...DEFAULT_QUERY_CACHE, ...options };
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** Something in the workspace changed: no read from before serves a read from now on. */
  changed(workspaceId: string): void {
    this.versions.set(workspaceId, (this.versions.get(workspaceId) ?? 0) + 1);
  }

  version(workspaceId: string): number {
    return this.versions.get(workspaceId) ?? 0;
  }

  stats(): QueryCacheStats {
    return { ...this.counters, entries: this.entries.size, bytes: this.bytes };
  }

  get(key: string, now = Date.now()): ExecutionResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires <= now) {
      this.bytes -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.result;
  }

  set(key: string, workspaceId: string, executed: ExecutionResult, now = Date.now()): void {
    const json = JSON.stringify(executed);
    // JSON size in UTF-16 units bounds its UTF-8 size within ×3; close enough for a memory budget.
    const bytes = json.length * 2;
    if (bytes > this.options.maxEntryBytes) return;
    // Kept as its JSON only (Yoga writes a result with a `stringify` function through it); the
    // rare reader of the object gets it parsed on demand.
    let parsed: ExecutionResult | undefined;
    const result = {
      stringify: () => json,
      get data() {
        return (parsed ??= JSON.parse(json) as ExecutionResult).data;
      },
      get extensions() {
        return (parsed ??= JSON.parse(json) as ExecutionResult).extensions;
      },
    } as ExecutionResult;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    this.entries.set(key, { workspaceId, expires: now + this.options.ttlMs, bytes, result });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  /**
   * The result for `key`: from the cache, from an identical read already executing, or from
   * `execute` (kept when it has no errors and its workspace did not change meanwhile).
   */
  async read(key: string, workspaceId: string, execute: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
    const cached = this.get(key);
    if (cached) {
      this.counters.hits++;
      return cached;
    }
    const running = this.executing.get(key);
    if (running) {
      this.counters.joined++;
      return running as Promise<ExecutionResult>;
    }
    this.counters.misses++;
    const promise = execute().then((result) => {
      // A streamed result (an async iterable) is passed through, never kept.
      if (!result.errors?.length && !(Symbol.asyncIterator in Object(result))) this.set(key, workspaceId, result);
      return result;
    });
    this.executing.set(key, promise);
    try {
      return await promise;
    } finally {
      this.executing.delete(key);
    }
  }
}

type YogaContext = Context & { request?: Request; params?: { query?: string; variables?: unknown; operationName?: string | null } };

function bypasses(request: Request | undefined): boolean {
  const header = request?.headers.get('cache-control');
  return !!header && /\b(no-cache|no-store)\b/i.test(header);
}

function actorKey(ctx: Context): string {
  const actor = ctx.auth!.actor;
  return actor.kind === 'apiKey' ? `k:${actor.apiKeyId}` : actor.kind === 'installation' ? `i:${actor.installationId}` : `m:${actor.memberId}`;
}

/**
 * The envelop plugin: answers queries from `cache`, and moves a workspace's data version on when a
 * mutation in it has finished (`onChange` tells the other nodes).
 */
export function useQueryCache(cache: QueryCache, onChange: (workspaceId: string) => void): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const ctx = args.contextValue as unknown as YogaContext;
      const workspaceId = ctx.auth?.workspaceId;
      if (!workspaceId) return;
      const operation = args.document.definitions.find(
        (d: DefinitionNode) => d.kind === 'OperationDefinition' && (!args.operationName || d.name?.value === args.operationName),
      );
      if (!operation || operation.kind !== 'OperationDefinition') return;
      if (operation.operation === 'mutation') {
        // Moved on after the mutation's writes committed, so a read that starts later never finds
        // a result from before them; the other nodes hear of it too.
        return {
          onExecuteDone() {
            cache.changed(workspaceId);
            onChange(workspaceId);
          },
        };
      }
      if (operation.operation !== 'query' || !cache.enabled || bypasses(ctx.request)) return;
      // The version is read before executing: a write that lands during execution moves it on,
      // so this result is stored under a key no later read asks for.
      const document = ctx.params?.query;
      if (typeof document !== 'string') return;
      const digest = createHash('sha1')
        .update(document)
        .update('\0')
        .update(args.operationName ?? '')
        .update('\0')
        .update(JSON.stringify(args.variableValues ?? {}))
        .digest('base64url');
      const scopes = [...ctx.auth!.scopes].sort().join(',');
      // '*' moves on when data every workspace reads changes (the marketplace's listed plugins).
      const key = `${workspaceId}|${cache.version(workspaceId)}.${cache.version('*')}|${actorKey(ctx)}|${scopes}|${digest}`;
      setExecuteFn((executionArgs) => cache.read(key, workspaceId, () => Promise.resolve(executeFn(executionArgs)) as Promise<ExecutionResult>));
    },
  };
}
