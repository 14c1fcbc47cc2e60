import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  checkRemoteResponse, customerForScopes, InstallCallback, installCallbackUrl, RemoteBatchRequest, RemoteError,
  remoteNodeUrl, signedHeaders, type BatchItem, type Json, type NodeDescription, type PluginScope, type RemoteResult,
} from '@courtyard/plugin-sdk';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, sleep, type RetryPolicy } from './backoff.ts';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerOptions, type BreakerState } from './breaker.ts';
import { RemoteCallError } from './errors.ts';
import { DEFAULT_RATE_LIMIT, TokenBucket, type RateLimitOptions } from './rate-limit.ts';
import { checkEndpointUrl, guardedLookup, postJson, systemLookup, type HostLookup } from './transport.ts';

/** What the caller needs of a brand's installation of a partner plugin (the database holds more). */
export interface RemoteInstallation {
  /** The installation's id; the partner picks the signing secret by it. */
  id: string;
  workspace: { id: string; timeZone: string };
  /** The plugin and the version that runs. */
  plugin: { id: string; version: string };
  /** The version's manifest endpoints: batches go to `<baseUrl>/nodes/<node id>`. */
  endpoints: { baseUrl: string; installCallback?: string | undefined };
  /** The installation's Standard Webhooks secret (`whsec_…`). */
  signingSecret: string;
  /** The secret before a rotation, still signed with (a second signature) while the partner learns the new one. */
  previousSigningSecret?: string | null;
  /** The scopes the brand granted: which customer fields the partner sees. */
  grantedScopes: readonly PluginScope[];
  /** The version's node declarations (manifest `nodes`): which ports an answer may use. */
  nodes: readonly Pick<NodeDescription, 'id' | 'version' | 'kind' | 'ports'>[];
  /** This installation's own rate limit. Default: the caller's `rateLimit`. */
  rateLimit?: RateLimitOptions;
}

/** One batch for one partner node. */
export interface RemoteNodeCall {
  /** The node type, e.g. `example-coupons.issue-coupon`. */
  nodeId: string;
  /** The journey version and the node's id in its graph. */
  journey: RemoteBatchRequest['journey'];
  /** The node's config as the journey author wrote it. */
  config: Json;
  /** Stable for this batch across retries; also the `webhook-id`. */
  idempotencyKey: string;
  /** The customers (full profiles: the caller strips them to the granted scopes), 1 to 500. */
  items: readonly BatchItem[];
  /** The runtime's clock (a simulation's own). Default: now. */
  now?: Date;
  /** The GraphQL endpoint and installation token for the partner's calls back, when there is one. */
  callback?: { url: string; token: string };
}

export interface RemoteNodeAnswer {
  /** One per item, in order, each on a declared port or a per-customer error. */
  results: RemoteResult[];
  attempts: number;
  latencyMs: number;
}

/** One call to a partner, as the call log keeps it. */
export interface RemoteCallRecord {
  kind: 'batch' | 'install-callback';
  installationId: string;
  workspaceId: string;
  pluginId: string;
  pluginVersion: string;
  /** The node type of a batch; null for an installation callback. */
  nodeId: string | null;
  /** The callback's type (`installation.created`…); null for a batch. */
  eventType: string | null;
  /** The `webhook-id` sent. */
  idempotencyKey: string;
  url: string;
  startedAt: Date;
  /** Customers in the batch; 0 for a callback. */
  batchSize: number;
  outcome: 'ok' | 'failed';
  /** The partner's last HTTP status; null when it never answered. */
  httpStatus: number | null;
  /** From the first attempt to the end, waits between attempts included. */
  latencyMs: number;
  attempts: number;
  error: { code: RemoteCallError['code']; message: string } | null;
}

export interface RemoteCallerOptions {
  /** Most time one attempt may take (connect, send, answer), in ms. Default 10,000. */
  timeoutMs?: number;
  /** Retries of network errors, timeouts, 5xx and 429. Default 4 attempts, full-jitter backoff from 500 ms up to 10 s. */
  retry?: Partial<RetryPolicy>;
  /** The per-installation circuit breaker. Default: opens after 5 failed attempts in a row, for 30 s. */
  breaker?: Partial<BreakerOptions>;
  /** The per-installation rate limit; null for none. Default 50 calls/s, bursts of 50, 10 s longest wait. */
  rateLimit?: RateLimitOptions | null;
  /** Lets endpoints be http:// and private or loopback addresses (development and tests only). Default: `COURTYARD_PLUGIN_DEV_ENDPOINTS=1`. */
  allowPrivateEndpoints?: boolean;
  /** Resolves endpoint host names. Default: the system resolver. */
  lookup?: HostLookup;
  /** Told about every call when it ends (the call log); its errors are ignored. */
  onCall?: (record: RemoteCallRecord) => void;
  /** Largest answer read, in bytes. Default 4 MiB. */
  maxResponseBytes?: number;
  /** The jitter's randomness, 0 ≤ x < 1. Default Math.random. */
  random?: () => number;
}

interface Exchange {
  kind: RemoteCallRecord['kind'];
  url: string;
  body: string;
  id: string;
  /** Each gives a signature; the first is the current secret. */
  secrets: readonly string[];
  /** The installation's breaker and rate limit; none for installation callbacks. */
  guard?: { breaker: CircuitBreaker; bucket: TokenBucket | undefined };
  /** Problems with a 2xx answer's JSON; empty when fine. */
  check?: (answer: unknown) => { path: string; message: string }[];
}

const STATUS_PROBLEM = /^([^:]+): (.*)$/s;

/** The port ids a node declaration allows for a config (fixed, or one per entry of a config list). */
export function declaredPorts(node: Pick<NodeDescription, 'ports'>, config: unknown): string[] {
  if (Array.isArray(node.ports)) return node.ports.map((p) => p.id);
  const list = (config as Record<string, unknown> | null)?.[node.ports.field];
  return Array.isArray(list) ? list.map((entry) => String((entry as Record<string, unknown>)?.[(node.ports as { id: string }).id])) : [];
}

/**
 * Calls partner plugins' nodes and installation endpoints: signed (Standard Webhooks), each
 * attempt bounded by the timeout, retried with full-jitter exponential backoff on network errors,
 * timeouts, 5xx and 429 (after its Retry-After) but never on other 4xx, behind a circuit breaker
 * and a token-bucket rate limit per installation, to public HTTPS addresses only (checked on the
 * address actually connected to). A 2xx answer that does not fit the batch is the partner's bug,
 * not bad luck: it fails the call at once (`invalid-answer`), and counts against the breaker.
 * Calls are independent: a slow or failing installation holds up only its own calls.
 */
export class RemoteNodeCaller {
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly breakerOptions: BreakerOptions;
  private readonly rateLimit: RateLimitOptions | null;
  private readonly allowPrivate: boolean;
  private readonly lookup: LookupFunction | undefined;
  private readonly maxResponseBytes: number;
  private readonly random: () => number;
  private readonly onCall: ((record: RemoteCallRecord) => void) | undefined;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  constructor(options: RemoteCallerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.breakerOptions = { ...DEFAULT_BREAKER, ...options.breaker };
    this.rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
    this.allowPrivate = options.allowPrivateEndpoints ?? process.env.COURTYARD_PLUGIN_DEV_ENDPOINTS === '1';
    this.lookup = this.allowPrivate ? undefined : guardedLookup(options.lookup ?? systemLookup);
    this.maxResponseBytes = options.maxResponseBytes ?? 4 * 1024 * 1024;
    this.random = options.random ?? Math.random;
    this.onCall = options.onCall;
  }

  /** The installation's breaker: `open` while its calls fail fast. */
  breakerState(installationId: string): BreakerState {
    return this.breakers.get(installationId)?.state() ?? 'closed';
  }

  /**
   * Runs a batch on a partner node; resolves with one result per item, or rejects with a
   * `RemoteCallError` (its `retryable` and `retryAt` say whether and when to try again).
   */
  async callNode(installation: RemoteInstallation, call: RemoteNodeCall): Promise<RemoteNodeAnswer> {
    const started = performance.now();
    const startedAt = new Date();
    const url = remoteNodeUrl(installation.endpoints.baseUrl, call.nodeId);
    const record = (attempts: number, httpStatus: number | null, error: RemoteCallError | null) =>
      this.log({
        kind: 'batch', installationId: installation.id, workspaceId: installation.workspace.id, pluginId: installation.plugin.id,
        pluginVersion: installation.plugin.version, nodeId: call.nodeId, eventType: null, idempotencyKey: call.idempotencyKey, url, startedAt,
        batchSize: call.items.length, outcome: error ? 'failed' : 'ok', httpStatus, latencyMs: performance.now() - started, attempts,
        error: error ? { code: error.code, message: error.message } : null,
      });
    try {
      const node = installation.nodes.find((n) => n.id === call.nodeId);
      if (!node || node.kind === 'trigger') {
        throw new RemoteCallError('unknown-node', `${installation.plugin.id}@${installation.plugin.version} has no ${node ? 'runnable ' : ''}node ${call.nodeId}${node ? ' (a trigger is not called)' : ''}`);
      }
      const request: RemoteBatchRequest = {
        idempotencyKey: call.idempotencyKey,
        installationId: installation.id,
        workspace: { id: installation.workspace.id, timeZone: installation.workspace.timeZone },
        journey: call.journey,
        node: { id: node.id, version: node.version },
        config: call.config,
        scopes: [...installation.grantedScopes],
        now: (call.now ?? new Date()).toISOString(),
        items: call.items.map((item) => ({
          enrollmentId: item.enrollmentId,
          idempotencyKey: item.idempotencyKey,
          visit: item.visit,
          attempt: item.attempt,
          enteredAt: item.enteredAt,
          trigger: item.trigger,
          customer: customerForScopes(item.customer, installation.grantedScopes),
        })),
        ...(call.callback ? { callback: call.callback } : {}),
      };
      const parsed = RemoteBatchRequest.safeParse(request);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
        throw new RemoteCallError('invalid-request', `the batch for ${call.nodeId} does not fit the wire format: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
      }
      const ports = declaredPorts(node, call.config);
      const answer = await this.exchange({
        kind: 'batch',
        url,
        body: JSON.stringify(request),
        id: call.idempotencyKey,
        secrets: installation.previousSigningSecret ? [installation.signingSecret, installation.previousSigningSecret] : [installation.signingSecret],
        guard: this.guardOf(installation),
        check: (json) =>
          checkRemoteResponse(request, json, ports).map((problem) => {
            const [, path, message] = STATUS_PROBLEM.exec(problem) ?? [undefined, '(body)', problem];
            return { path: path!, message: message! };
          }),
      });
      record(answer.attempts, answer.status, null);
      return { results: (answer.json as { results: RemoteResult[] }).results, attempts: answer.attempts, latencyMs: performance.now() - started };
    } catch (error) {
      if (error instanceof RemoteCallError) record(error.attempts, error.status ?? null, error);
      throw error;
    }
  }

  /**
   * Tells the partner about an installation change (`installation.created`, `.upgraded`,
   * `.secret_rotated`, `.deleted`), signed with the plugin's callback secret, with the same
   * timeout, retries and SSRF guard as batches (no breaker or rate limit: these are rare and must
   * not be skipped). `deliveryId` (the `webhook-id`) defaults to one derived from the event, so a
   * repeat of the same event carries the same id.
   */
  async sendInstallCallback(
    target: { endpoints: RemoteInstallation['endpoints']; callbackSecret: string },
    event: InstallCallback,
    options: { deliveryId?: string } = {},
  ): Promise<{ status: number; attempts: number; latencyMs: number }> {
    const started = performance.now();
    const startedAt = new Date();
    const url = installCallbackUrl(target.endpoints);
    const id = options.deliveryId ?? `${event.type}:${event.installationId}:${event.occurredAt}`;
    const record = (attempts: number, httpStatus: number | null, error: RemoteCallError | null) =>
      this.log({
        kind: 'install-callback', installationId: event.installationId, workspaceId: event.workspace.id, pluginId: event.plugin.id,
        pluginVersion: event.plugin.version, nodeId: null, eventType: event.type, idempotencyKey: id, url, startedAt, batchSize: 0,
        outcome: error ? 'failed' : 'ok', httpStatus, latencyMs: performance.now() - started, attempts,
        error: error ? { code: error.code, message: error.message } : null,
      });
    try {
      const parsed = InstallCallback.safeParse(event);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
        throw new RemoteCallError('invalid-request', `the ${event.type} callback does not fit the wire format: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
      }
      const answer = await this.exchange({ kind: 'install-callback', url, body: JSON.stringify(parsed.data), id, secrets: [target.callbackSecret] });
      record(answer.attempts, answer.status, null);
      return { status: answer.status, attempts: answer.attempts, latencyMs: performance.now() - started };
    } catch (error) {
      if (error instanceof RemoteCallError) record(error.attempts, error.status ?? null, error);
      throw error;
    }
  }

  /** Closes kept-alive connections (at shutdown, and after tests). */
  close() {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private guardOf(installation: RemoteInstallation) {
    let breaker = this.breakers.get(installation.id);
    if (!breaker) this.breakers.set(installation.id, (breaker = new CircuitBreaker(this.breakerOptions)));
    const limit = installation.rateLimit ?? this.rateLimit;
    let bucket = limit ? this.buckets.get(installation.id) : undefined;
    if (limit && !bucket) this.buckets.set(installation.id, (bucket = new TokenBucket(limit)));
    return { breaker, bucket };
  }

  private log(record: RemoteCallRecord) {
    try {
      this.onCall?.(record);
    } catch {
      // The call log must never change a call's outcome.
    }
  }

  /** The attempts of one call: admission, the request, the verdict on the answer, the wait before the next. */
  private async exchange(x: Exchange): Promise<{ status: number; json: unknown; attempts: number }> {
    const url = checkEndpointUrl(x.url, this.allowPrivate);
    const target = `${x.kind === 'batch' ? 'node' : 'installation callback'} at ${url.origin}${url.pathname}`;
    let last: RemoteCallError | undefined;
    let attempts = 0;
    for (let attempt = 1; ; attempt++) {
      if (x.guard) {
        const admitted = x.guard.breaker.admit();
        if (!admitted.ok) {
          const why = last ? ` (last failure: ${last.message})` : '';
          throw new RemoteCallError('circuit-open', `the ${target} failed repeatedly; calls pause until ${new Date(admitted.retryAt).toISOString()}${why}`, { retryAt: new Date(admitted.retryAt), attempts, ...(last?.status ? { status: last.status } : {}) });
        }
        const turn = x.guard.bucket?.reserve();
        if (turn && 'refused' in turn) {
          x.guard.breaker.released();
          throw new RemoteCallError('rate-limited', `the installation's rate limit leaves no turn for the ${target} before ${new Date(turn.retryAt).toISOString()}`, { retryAt: new Date(turn.retryAt), attempts });
        }
        if (turn?.waitMs) await sleep(turn.waitMs);
      }
      attempts = attempt;
      let retryAfterMs: number | undefined;
      let answer: Awaited<ReturnType<typeof postJson>> | undefined;
      try {
        answer = await postJson(url, x.body, {
          headers: signedHeaders(x.secrets, x.id, x.body),
          timeoutMs: this.timeoutMs,
          maxResponseBytes: this.maxResponseBytes,
          agent: url.protocol === 'https:' ? this.agents.https : this.agents.http,
          lookup: this.lookup,
        });
      } catch (error) {
        if (!(error instanceof RemoteCallError)) throw error;
        error.attempts = attempts;
        if (error.code === 'endpoint-refused') {
          x.guard?.breaker.released();
          throw error;
        }
        x.guard?.breaker.failed();
        if (error.code === 'invalid-answer') throw error; // an over-long answer
        last = error; // timeout or network: retried
      }
      if (answer) {
        const { status } = answer;
        if (status >= 200 && status < 300) {
          if (!x.check) {
            x.guard?.breaker.succeeded();
            return { status, json: undefined, attempts };
          }
          const json = safeJson(answer.body);
          const issues = json === undefined ? [{ path: '(body)', message: 'not JSON' }] : x.check(json);
          if (!issues.length) {
            x.guard?.breaker.succeeded();
            return { status, json, attempts };
          }
          x.guard?.breaker.failed();
          throw new RemoteCallError('invalid-answer', `the ${target} answered ${status} with a body that does not fit the batch (the partner's bug; not retried): ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { status, issues, attempts });
        }
        const partnerError = RemoteError.safeParse(safeJson(answer.body)).data?.error;
        const said = partnerError ? ` (${partnerError.code}: ${partnerError.message})` : '';
        if (status < 500 && status !== 429) {
          // The partner is up and refuses this request: the same request would be refused again.
          x.guard?.breaker.succeeded();
          const redirect = status >= 300 && status < 400 ? ' (redirects are not followed: publish the final address)' : '';
          throw new RemoteCallError('partner-refused', `the ${target} refused the request with ${status}${said}${redirect}`, { status, attempts, ...(partnerError ? { partnerError } : {}), ...(partnerError?.issues ? { issues: partnerError.issues } : {}) });
        }
        // 429 says the partner is up but busy: not a failure for the breaker, yet retried after its Retry-After.
        if (status === 429) x.guard?.breaker.released();
        else x.guard?.breaker.failed();
        retryAfterMs = parseRetryAfter(answer.headers['retry-after']);
        last = new RemoteCallError('partner-unavailable', `the ${target} answered ${status}${said}`, { status, attempts, ...(partnerError ? { partnerError } : {}) });
      }
      if (!last) throw new Error('unreachable: an attempt ended without an answer or an error');
      if (attempt >= this.retry.attempts) {
        last.message = `${last.message}; gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
        last.attempts = attempts;
        throw last;
      }
      if (retryAfterMs !== undefined && retryAfterMs > this.retry.maxRetryAfterMs) {
        throw new RemoteCallError(last.code, `${last.message}; it asked to wait ${Math.ceil(retryAfterMs / 1000)} s (Retry-After), longer than a call waits`, {
          attempts, retryAt: new Date(Date.now() + retryAfterMs), ...(last.status ? { status: last.status } : {}), ...(last.partnerError ? { partnerError: last.partnerError } : {}),
        });
      }
      await sleep(retryAfterMs ?? backoffDelay(attempt, this.retry, this.random));
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
