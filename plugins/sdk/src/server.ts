import type { IncomingMessage, ServerResponse } from 'node:http';
import semver from 'semver';
import type { z } from 'zod';
import type { PluginManifest } from './manifest.ts';
import { parseConfig, portsOf, type ActionNode, type ConditionNode, type JourneyNode } from './node.ts';
import type { StepResult } from './outcome.ts';
import { checkRemoteResponse, InstallCallback, RemoteBatchRequest, type RemoteError, type RemoteResult } from './remote.ts';
import { batchItemsOf, createRemoteContext } from './remote-context.ts';
import { verifySignature, type VerifyFailure } from './signing.ts';
import type { JsonObject } from './text.ts';

type Awaitable<T> = T | Promise<T>;
type CallbackOf<T extends InstallCallback['type']> = Extract<InstallCallback, { type: T }>;

/** What a partner serves: its nodes, and optionally its manifest (answered at `GET <basePath>/manifest`). */
export interface PartnerPlugin {
  nodes: readonly JourneyNode[];
  manifest?: PluginManifest;
}

export interface PluginServerOptions {
  /** One secret that verifies every request, batches and installation callbacks alike. Give this or `secrets`. */
  secret?: string;
  /**
   * The signing secret(s) of an installation, as received in its `installation.created` callback;
   * undefined for an unknown installation (answered 401). Several are accepted while a secret rotates.
   */
  secrets?: (installationId: string) => Awaitable<string | readonly string[] | undefined>;
  /**
   * The GraphQL URL and installation token of an installation, as its `installation.created` (or
   * `.secret_rotated`) callback delivered them: `ctx.customers` and `ctx.graphql` call back with
   * them when a batch carries no `callback` of its own. Undefined: no calls back for it.
   */
  credentials?: (installationId: string) => Awaitable<{ graphqlUrl: string; token: string } | undefined>;
  /** The plugin's own secret, which signs installation callbacks. Default: `secret`. Without either, callbacks are refused. */
  callbackSecret?: string;
  /** Told when a brand installs, upgrades or uninstalls the plugin, or rotates an installation's secret; a hook that throws answers 500 and Courtyard retries. */
  hooks?: {
    installed?: (event: CallbackOf<'installation.created'>) => Awaitable<void>;
    upgraded?: (event: CallbackOf<'installation.upgraded'>) => Awaitable<void>;
    secretRotated?: (event: CallbackOf<'installation.secret_rotated'>) => Awaitable<void>;
    uninstalled?: (event: CallbackOf<'installation.deleted'>) => Awaitable<void>;
  };
  /** The clock signatures are checked against. Default: the system clock. */
  now?: () => Date;
  /** Largest body accepted, in bytes; larger ones are answered 413. Default 4 MiB (500 customers with large attributes). */
  maxBodyBytes?: number;
  /** Path prefix the handler is mounted under, e.g. `/courtyard`. Default: none. */
  basePath?: string;
  /** Where `ctx.log` writes. Default: one JSON line per message on stdout. */
  log?: (message: string, data: JsonObject) => void;
  /** The fetch used for GraphQL callbacks and `ctx.http.postSigned`. Default: the global fetch. */
  fetch?: typeof fetch;
  /** Most time a GraphQL call back into Courtyard may take, in ms. Default 10,000. */
  callbackTimeoutMs?: number;
}

/** A refusal: the status and the error body (`RemoteError`). */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const REASONS: Record<VerifyFailure | 'unknown-installation', string> = {
  'missing-headers': 'the request lacks the webhook-id, webhook-timestamp or webhook-signature header',
  'timestamp-too-old': 'the webhook-timestamp is more than 5 minutes old: a replay, or a clock far behind',
  'timestamp-in-future': 'the webhook-timestamp is more than 5 minutes in the future: check the sender\'s clock',
  'bad-signature': 'the webhook-signature does not match the body with any secret of this installation',
  'unknown-installation': 'no signing secret is known for this installation',
};

const zodIssues = (error: z.ZodError, prefix: string[] = []) => error.issues.map((i) => ({ path: [...prefix, ...i.path.map(String)].join('.') || '(body)', message: i.message }));

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => new Refusal(413, 'body-too-large', `the body is larger than ${limit} bytes: send fewer customers per batch`, undefined, { connection: 'close' });
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Refusal(400, 'invalid-json', 'the body is not JSON');
  }
}

/** The node's results as wire results, or a 500 naming the first item the node got wrong. */
function toWire(node: JourneyNode, results: unknown, customerIds: string[], ports: string[]): RemoteResult[] {
  const bug = (message: string) => new Refusal(500, 'invalid-node-answer', `node ${node.id} answered wrongly: ${message}`);
  if (!Array.isArray(results)) throw bug('run did not return an array');
  if (results.length !== customerIds.length) throw bug(`run returned ${results.length} results for ${customerIds.length} customers`);
  return results.map((raw: StepResult | string, i): RemoteResult => {
    const customerId = customerIds[i]!;
    const result: StepResult = typeof raw === 'string' ? { kind: 'next', port: raw } : raw;
    switch (result?.kind) {
      case 'next':
        if (!ports.includes(result.port)) throw bug(`item ${i} went to port "${result.port}", which the node does not declare (${ports.join(', ')})`);
        return result.output ? { customerId, port: result.port, outputs: result.output } : { customerId, port: result.port };
      case 'fail':
        return { customerId, error: result.error, retryable: false };
      case 'retry':
        return { customerId, error: result.error, retryable: true };
      default:
        throw bug(`item ${i} answered ${JSON.stringify(result?.kind ?? raw)}: a remote node answers a port, step.fail or step.retry; put waits in the journey after it`);
    }
  });
}

/**
 * A Node `http` request handler serving a partner plugin's nodes to Courtyard:
 * `POST <basePath>/nodes/<node id>` runs a batch (`RemoteBatchRequest` → `RemoteBatchResponse`),
 * `POST <basePath>/installations` receives `InstallCallback`s, `GET <basePath>/manifest` answers the
 * manifest. Every POST must be signed (Standard Webhooks, at most 5 minutes off); refusals answer
 * `RemoteError` JSON. Mount it before any body parser: it verifies the raw body.
 */
export function createPluginServer(plugin: PartnerPlugin, options: PluginServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  if (!options.secret && !options.secrets) throw new Error('createPluginServer: give `secret` or `secrets(installationId)` to verify requests');
  const runnable = new Map<string, ActionNode | ConditionNode>();
  for (const node of plugin.nodes) {
    // Triggers run nowhere: the partner fires them with fireTrigger.
    if (node.kind === 'trigger') continue;
    if (runnable.has(node.id)) throw new Error(`createPluginServer: node ${node.id} is listed twice`);
    runnable.set(node.id, node);
  }
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const now = options.now ?? (() => new Date());
  const callbackSecret = options.callbackSecret ?? options.secret;
  const log = options.log ?? ((message: string, data: JsonObject) => console.log(JSON.stringify({ message, ...data })));

  async function verify(req: IncomingMessage, body: string, secrets: readonly string[]) {
    let reason: VerifyFailure = 'bad-signature';
    for (const secret of secrets) {
      const result = verifySignature(secret, req.headers, body, { now: now(), toleranceSeconds: 300 });
      if (result.ok) return;
      reason = result.reason;
      if (reason !== 'bad-signature') break; // the same for every secret
    }
    throw new Refusal(401, reason, REASONS[reason]);
  }

  async function runBatch(req: IncomingMessage, nodeId: string) {
    const text = await readBody(req, maxBodyBytes);
    let secrets: readonly string[];
    if (options.secrets) {
      const installationId = (parseJson(text) as { installationId?: unknown } | null)?.installationId;
      const found = typeof installationId === 'string' ? await options.secrets(installationId) : undefined;
      if (!found || !found.length) throw new Refusal(401, 'unknown-installation', REASONS['unknown-installation']);
      secrets = typeof found === 'string' ? [found] : found;
    } else {
      secrets = [options.secret!];
    }
    await verify(req, text, secrets);
    const parsed = RemoteBatchRequest.safeParse(parseJson(text));
    if (!parsed.success) throw new Refusal(400, 'invalid-request', 'the batch does not have the shape of a RemoteBatchRequest', zodIssues(parsed.error));
    const request = parsed.data;
    if (request.node.id !== nodeId) throw new Refusal(400, 'invalid-request', `the body is for node ${request.node.id} but was sent to ${nodeId}`, [{ path: 'node.id', message: `expected ${nodeId}` }]);
    const node = runnable.get(nodeId);
    if (!node) throw new Refusal(404, 'unknown-node', `this server has no node ${nodeId}; it serves ${[...runnable.keys()].join(', ')}`);
    const pinned = semver.valid(request.node.version);
    if (!pinned || semver.major(pinned) !== semver.major(node.version)) {
      throw new Refusal(404, 'unknown-node-version', `node ${nodeId} is served at version ${node.version}, not compatible with ${request.node.version}`, [{ path: 'node.version', message: `use a ${semver.major(node.version)}.x version` }]);
    }
    const config = parseConfig(node, request.config);
    if (!config.ok) throw new Refusal(400, 'invalid-config', `the config does not fit node ${nodeId}`, config.issues.map((i) => ({ path: ['config', i.path].filter(Boolean).join('.'), message: i.message })));

    if (!request.callback && options.credentials) {
      const stored = await options.credentials(request.installationId);
      if (stored) request.callback = { url: stored.graphqlUrl, token: stored.token };
    }
    const ctx = createRemoteContext(request, { log, fetch: options.fetch ?? fetch, callbackTimeoutMs: options.callbackTimeoutMs ?? 10_000 });
    let results: unknown;
    try {
      results = await node.run({ items: batchItemsOf(request), config: config.config, ctx });
    } catch (error) {
      throw new Refusal(500, 'node-failed', `node ${nodeId} failed: ${(error as Error)?.message ?? String(error)}`);
    }
    const ports = portsOf(node, config.config);
    const answer = { idempotencyKey: request.idempotencyKey, results: toWire(node, results, request.items.map((i) => i.customer.id), ports) };
    const problems = checkRemoteResponse(request, answer, ports);
    if (problems.length) throw new Refusal(500, 'invalid-node-answer', `node ${nodeId} answered wrongly: ${problems.join('; ')}`);
    return answer;
  }

  async function receiveCallback(req: IncomingMessage) {
    const text = await readBody(req, maxBodyBytes);
    if (!callbackSecret) throw new Refusal(401, 'unknown-installation', 'this server takes no installation callbacks: it has no callbackSecret');
    await verify(req, text, [callbackSecret]);
    const parsed = InstallCallback.safeParse(parseJson(text));
    if (!parsed.success) throw new Refusal(400, 'invalid-request', 'the body does not have the shape of an InstallCallback', zodIssues(parsed.error));
    const event = parsed.data;
    const hooks = options.hooks ?? {};
    try {
      if (event.type === 'installation.created') await hooks.installed?.(event);
      else if (event.type === 'installation.upgraded') await hooks.upgraded?.(event);
      else if (event.type === 'installation.secret_rotated') await hooks.secretRotated?.(event);
      else await hooks.uninstalled?.(event);
    } catch (error) {
      throw new Refusal(500, 'hook-failed', `the ${event.type} hook failed: ${(error as Error)?.message ?? String(error)}`);
    }
    return { ok: true, type: event.type };
  }

  function route(req: IncomingMessage, path: string): Promise<unknown> {
    const method = req.method ?? 'GET';
    const only = (allowed: string, run: () => Promise<unknown>) =>
      method === allowed ? run() : Promise.reject(new Refusal(405, 'method-not-allowed', `use ${allowed} for ${path}`, undefined, { allow: allowed }));
    if (path === `${basePath}/manifest` && plugin.manifest) return only('GET', async () => plugin.manifest);
    if (path === `${basePath}/installations`) return only('POST', () => receiveCallback(req));
    const nodeId = path.startsWith(`${basePath}/nodes/`) ? path.slice(`${basePath}/nodes/`.length) : '';
    if (nodeId && !nodeId.includes('/')) return only('POST', () => runBatch(req, decodeURIComponent(nodeId)));
    return Promise.reject(new Refusal(404, 'not-found', `nothing is served at ${path}: batches go to POST ${basePath}/nodes/<node id>`));
  }

  return (req, res) => {
    route(req, new URL(req.url ?? '/', 'http://plugin').pathname).then(
      (body) => send(res, 200, body),
      (error: unknown) => {
        if (error instanceof Refusal) {
          const body: RemoteError = { error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } };
          if (error.status >= 500) log(error.message, { code: error.code });
          send(res, error.status, body, error.headers);
        } else {
          log('the plugin server failed', { error: String(error) });
          send(res, 500, { error: { code: 'internal', message: 'the plugin server failed' } } satisfies RemoteError);
        }
      },
    );
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
