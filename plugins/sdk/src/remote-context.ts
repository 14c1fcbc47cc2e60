import type { BatchItem, JourneyCustomer, NodeContext } from './context.ts';
import type { RemoteBatchItem, RemoteBatchRequest } from './remote.ts';
import type { PluginScope } from './scopes.ts';
import { signedHeaders } from './signing.ts';
import type { Json, JsonObject } from './text.ts';

/** What a node run by `createPluginServer` knows about the call; `remoteCallOf(ctx)` returns it. */
export interface RemoteCall {
  /** The brand's installation of the plugin. */
  installationId: string;
  /** The batch's idempotency key, stable across retries of the same batch. */
  idempotencyKey: string;
  /** The scopes the brand granted. */
  scopes: readonly PluginScope[];
  /** Courtyard's GraphQL endpoint and the installation token, when the request carried them. */
  callback: { url: string; token: string } | null;
  /**
   * Runs a GraphQL operation against Courtyard with the installation token; returns `data`, or
   * throws with the errors' messages (and when the request carried no callback).
   */
  graphql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

const calls = new WeakMap<NodeContext, RemoteCall>();

/** The call behind a remote node's context, or undefined when the node runs inside Courtyard. */
export function remoteCallOf(ctx: NodeContext): RemoteCall | undefined {
  return calls.get(ctx);
}

/** The customer as a node expects it; fields the brand did not grant read as empty. */
function fullCustomer(c: RemoteBatchItem['customer']): JourneyCustomer {
  return {
    id: c.id,
    name: c.name ?? null,
    phone: c.phone ?? null,
    email: c.email ?? null,
    gender: c.gender ?? null,
    birthday: c.birthday ?? null,
    city: c.city ?? null,
    sourceChannel: c.sourceChannel ?? null,
    lifecycleStage: c.lifecycleStage ?? null,
    wecomExternalId: c.wecomExternalId ?? null,
    unionId: c.unionId ?? null,
    attributes: (c.attributes ?? {}) as JsonObject,
    marketingConsent: c.marketingConsent ?? false,
    blacklisted: c.blacklisted ?? false,
    ownerStaffId: c.ownerStaffId ?? null,
    tagIds: c.tagIds ?? [],
    orderCount: c.orderCount ?? 0,
    totalSpentCents: c.totalSpentCents ?? 0,
    firstOrderAt: c.firstOrderAt ?? null,
    lastOrderAt: c.lastOrderAt ?? null,
    createdAt: c.createdAt ?? '',
  };
}

export function batchItemsOf(request: RemoteBatchRequest): BatchItem[] {
  return request.items.map((item) => ({
    enrollmentId: item.enrollmentId,
    idempotencyKey: item.idempotencyKey,
    visit: item.visit,
    attempt: item.attempt,
    enteredAt: item.enteredAt,
    trigger: item.trigger as BatchItem['trigger'],
    customer: fullCustomer(item.customer),
  }));
}

function unavailable(member: string): () => never {
  return () => {
    throw new Error(`ctx.${member} is not available to a remote plugin: call Courtyard's GraphQL API with remoteCallOf(ctx).graphql()`);
  };
}

const TAGGING = `mutation Tagging($input: TaggingInput!, $add: Boolean!) {
  tagCustomers(input: $input) @include(if: $add) { __typename ... on TaggingResult { changedAssignments } ... on ValidationError { message } }
  untagCustomers(input: $input) @skip(if: $add) { __typename ... on TaggingResult { changedAssignments } ... on ValidationError { message } }
}`;

export interface RemoteContextOptions {
  log: (message: string, data: JsonObject) => void;
  fetch: typeof fetch;
  /** Most time a GraphQL call back into Courtyard may take. */
  callbackTimeoutMs: number;
}

/**
 * The context a node's `run` gets on the partner's server. Tagging goes through GraphQL with the
 * installation token (`tagCustomers` / `untagCustomers`, recorded with source `plugin`); the rest of
 * Courtyard is reached through `remoteCallOf(ctx).graphql`.
 */
export function createRemoteContext(request: RemoteBatchRequest, options: RemoteContextOptions): NodeContext {
  const now = new Date(request.now);
  const callback = request.callback ?? null;

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    if (!callback) throw new Error('the request carried no callback: Courtyard sent no GraphQL URL and installation token for this batch');
    const response = await options.fetch(callback.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${callback.token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(options.callbackTimeoutMs),
    });
    const text = await response.text();
    let body: { data?: T; errors?: { message: string }[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`Courtyard's GraphQL answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    if (body.errors?.length) throw new Error(`Courtyard's GraphQL refused the call: ${body.errors.map((e) => e.message).join('; ')}`);
    if (!response.ok || body.data === undefined) throw new Error(`Courtyard's GraphQL answered ${response.status}`);
    return body.data;
  }

  // Batches and journey configs name customers and tags by their database ids; the API takes
  // global IDs. Either is accepted here.
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const globalId = (type: string, id: string) => (UUID.test(id) ? Buffer.from(`${type}:${id}`).toString('base64') : id);

  async function changeTags(changes: { customerId: string; tagIds: string[] }[], add: boolean) {
    // One call per distinct tag set: a batch tagged alike costs one request.
    const byTags = new Map<string, { tagIds: string[]; customerIds: string[] }>();
    for (const change of changes) {
      if (!change.tagIds.length) continue;
      const tagIds = [...new Set(change.tagIds)].sort();
      const group = byTags.get(tagIds.join(',')) ?? { tagIds, customerIds: [] };
      group.customerIds.push(change.customerId);
      byTags.set(tagIds.join(','), group);
    }
    for (const { tagIds, customerIds } of byTags.values()) {
      const input = { customerIds: customerIds.map((id) => globalId('Customer', id)), tagIds: tagIds.map((id) => globalId('Tag', id)), source: 'plugin' };
      const data = await graphql<Record<string, { __typename: string; message?: string }>>(TAGGING, { input, add });
      const result = data[add ? 'tagCustomers' : 'untagCustomers'];
      if (result?.__typename !== 'TaggingResult') throw new Error(`Courtyard refused to ${add ? 'tag' : 'untag'} the customers: ${result?.message ?? 'no answer'}`);
    }
  }

  const ctx: NodeContext = {
    workspace: request.workspace,
    journey: request.journey,
    now: () => new Date(now),
    log: (message, data) => options.log(message, { installationId: request.installationId, idempotencyKey: request.idempotencyKey, nodeId: request.journey.nodeId, ...(data ?? {}) }),
    customers: {
      addTags: (changes) => changeTags(changes, true),
      removeTags: (changes) => changeTags(changes, false),
      updateAttributes: unavailable('customers.updateAttributes'),
      assignOwner: unavailable('customers.assignOwner'),
    },
    query: {
      inSegment: unavailable('query.inSegment'),
      eventCounts: unavailable('query.eventCounts'),
      orderStats: unavailable('query.orderStats'),
      staff: unavailable('query.staff'),
    },
    messages: { send: unavailable('messages.send') },
    journeys: { enroll: unavailable('journeys.enroll') },
    http: {
      async postSigned({ url, secret, idempotencyKey, body, timeoutMs = 10_000 }: { url: string; secret: string; idempotencyKey: string; body: Json; timeoutMs?: number }) {
        const text = JSON.stringify(body);
        const response = await options.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signedHeaders(secret, idempotencyKey, text) },
          body: text,
          signal: AbortSignal.timeout(timeoutMs),
        });
        return { status: response.status, body: await response.text() };
      },
    },
    counter: unavailable('counter'),
  };
  calls.set(ctx, { installationId: request.installationId, idempotencyKey: request.idempotencyKey, scopes: request.scopes, callback, graphql });
  return ctx;
}
