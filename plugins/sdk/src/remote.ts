import { z } from 'zod';
import type { JourneyCustomer } from './context.ts';
import { ALL_PLUGIN_SCOPES, type PluginScope } from './scopes.ts';

// The wire format between Courtyard's runtime and a partner plugin's server. Both sides parse with
// these schemas: the runtime (`@courtyard/runtime`) to call partners and check their answers, the
// SDK's `createPluginServer` to receive the calls. Every request is a JSON POST signed per
// Standard Webhooks (see signing.ts); the `webhook-id` header equals the body's idempotency key.

const Scope = z.enum(ALL_PLUGIN_SCOPES as [PluginScope, ...PluginScope[]]);
const Json = z.json();
const JsonObject = z.record(z.string(), z.json());
const IsoTime = z.iso.datetime({ offset: true });

/**
 * The customer as a remote node receives it: `id` always, every other field only when a granted
 * scope covers it (`REMOTE_CUSTOMER_FIELDS`); absent fields were not granted, null ones are empty.
 */
export const RemoteCustomer = z.object({
  id: z.string().min(1),
  name: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  gender: z.string().nullable().optional(),
  /** `YYYY-MM-DD` */
  birthday: z.string().nullable().optional(),
  city: z.string().nullable().optional(),
  sourceChannel: z.string().nullable().optional(),
  lifecycleStage: z.string().nullable().optional(),
  wecomExternalId: z.string().nullable().optional(),
  unionId: z.string().nullable().optional(),
  attributes: JsonObject.optional(),
  marketingConsent: z.boolean().optional(),
  blacklisted: z.boolean().optional(),
  ownerStaffId: z.string().nullable().optional(),
  createdAt: IsoTime.optional(),
  tagIds: z.array(z.string()).optional(),
  orderCount: z.number().int().min(0).optional(),
  totalSpentCents: z.number().int().optional(),
  firstOrderAt: IsoTime.nullable().optional(),
  lastOrderAt: IsoTime.nullable().optional(),
});
export type RemoteCustomer = z.infer<typeof RemoteCustomer>;

/** Which customer fields each scope lets a remote node see (besides `id`, always sent). */
export const REMOTE_CUSTOMER_FIELDS = {
  'customers:read': ['name', 'phone', 'email', 'gender', 'birthday', 'city', 'sourceChannel', 'lifecycleStage', 'wecomExternalId', 'unionId', 'attributes', 'marketingConsent', 'blacklisted', 'ownerStaffId', 'createdAt'],
  'tags:read': ['tagIds'],
  'orders:read': ['orderCount', 'totalSpentCents', 'firstOrderAt', 'lastOrderAt'],
} as const satisfies Partial<Record<PluginScope, readonly (keyof JourneyCustomer)[]>>;

/** The part of a customer the granted scopes allow a remote node to see. */
export function customerForScopes(customer: JourneyCustomer, scopes: readonly PluginScope[]): RemoteCustomer {
  const out: Record<string, unknown> = { id: customer.id };
  for (const scope of scopes) {
    for (const field of (REMOTE_CUSTOMER_FIELDS as Partial<Record<PluginScope, readonly (keyof JourneyCustomer)[]>>)[scope] ?? []) out[field] = customer[field];
  }
  return out as RemoteCustomer;
}

/** One customer reaching the remote node. */
export const RemoteBatchItem = z.object({
  /** The enrollment (one customer's way through one journey). */
  enrollmentId: z.string().min(1),
  /** Stable for this enrollment, node and visit across retries: drop repeats by it. */
  idempotencyKey: z.string().min(1),
  /** Steps the enrollment took before this one. */
  visit: z.number().int().min(0),
  /** 1 on the first try, more on retries. */
  attempt: z.number().int().min(1),
  /** When the customer entered the journey. */
  enteredAt: IsoTime,
  /** What started the enrollment (`EnrollmentTrigger`), as JSON. */
  trigger: z.object({
    kind: z.enum(['event', 'segment', 'schedule', 'date', 'api', 'journey']),
    event: z.object({ id: z.string(), type: z.string(), properties: JsonObject, occurredAt: IsoTime }).optional(),
    data: JsonObject.optional(),
  }),
  /** The customer, limited to the fields the granted scopes allow. */
  customer: RemoteCustomer,
});
export type RemoteBatchItem = z.infer<typeof RemoteBatchItem>;

/** The body of `POST <baseUrl>/nodes/<node id>`: every customer that reached the node together. */
export const RemoteBatchRequest = z.object({
  /** Stable for this batch across retries (also the `webhook-id` header): answer a repeat the same way. */
  idempotencyKey: z.string().min(1).max(200),
  /** The brand's installation of the plugin; picks the signing secret on the partner's side. */
  installationId: z.string().min(1),
  /** The brand's workspace; its time zone is where times of day belong. */
  workspace: z.object({ id: z.string().min(1), timeZone: z.string().min(1) }),
  /** The journey version and the node (its id in the journey graph) the customers are at. */
  journey: z.object({ id: z.string().min(1), versionId: z.string().min(1), version: z.number().int().min(1), nodeId: z.string().min(1) }),
  /** The node type and the version the journey pinned. */
  node: z.object({ id: z.string().min(1), version: z.string().min(1) }),
  /** The node's config as the journey author wrote it; the partner parses it with the node's schema. */
  config: Json,
  /** The scopes the brand granted the installation: what the customers' fields and the token allow. */
  scopes: z.array(Scope),
  /** The runtime's clock when the batch was sent (a simulation runs on its own clock). */
  now: IsoTime,
  /** The customers, 1 to 500. */
  items: z.array(RemoteBatchItem).min(1, 'send at least one customer').max(500, 'send at most 500 customers in one batch'),
  /** Where and how to call back into Courtyard's GraphQL API; absent when the installation has no token (e.g. a simulation). */
  callback: z
    .object({
      /** The GraphQL endpoint, e.g. `https://api.courtyard.example/graphql`. */
      url: z.url(),
      /** The installation token (`Authorization: Bearer …`): only the granted scopes, only this workspace. */
      token: z.string().min(1),
    })
    .optional(),
});
export type RemoteBatchRequest = z.infer<typeof RemoteBatchRequest>;

/** What happened to one customer at the remote node. */
export const RemoteResult = z.union([
  z.object({
    /** The customer it is about (`items[].customer.id`). */
    customerId: z.string().min(1),
    /** The port to go on through: one the node declares. */
    port: z.string().min(1),
    /** Recorded in the journey log and shown on the step (coupon code, remote ids…). */
    outputs: JsonObject.optional(),
  }),
  z.object({
    /** The customer it is about. */
    customerId: z.string().min(1),
    /** Why the node could not handle the customer, in English. */
    error: z.string().min(1),
    /** True when trying again later may work (the runtime retries with backoff); false takes the `failed` port or dead-letters. */
    retryable: z.boolean(),
  }),
]);
export type RemoteResult = z.infer<typeof RemoteResult>;

/** The body of a 200 answer to a batch: one result per item, in the order of `items`. */
export const RemoteBatchResponse = z.object({
  /** Echoes the request's idempotency key. */
  idempotencyKey: z.string().min(1),
  /** One per item, same order. */
  results: z.array(RemoteResult),
});
export type RemoteBatchResponse = z.infer<typeof RemoteBatchResponse>;

/** Checks an answer against the request and the node's ports; returns the problems, empty when fine. */
export function checkRemoteResponse(request: Pick<RemoteBatchRequest, 'idempotencyKey' | 'items'>, answer: unknown, ports: readonly string[]): string[] {
  const parsed = RemoteBatchResponse.safeParse(answer);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  const problems: string[] = [];
  const { results, idempotencyKey } = parsed.data;
  if (idempotencyKey !== request.idempotencyKey) problems.push(`idempotencyKey: answered "${idempotencyKey}" to a request with "${request.idempotencyKey}"`);
  if (results.length !== request.items.length) problems.push(`results: ${results.length} results for ${request.items.length} customers`);
  results.forEach((r, i) => {
    const expected = request.items[i]?.customer.id;
    if (expected !== undefined && r.customerId !== expected) problems.push(`results.${i}.customerId: "${r.customerId}" where customer "${expected}" was sent`);
    if ('port' in r && !ports.includes(r.port)) problems.push(`results.${i}.port: "${r.port}" is not a port of the node (${ports.join(', ') || 'none'})`);
  });
  return problems;
}

/** Why a partner server refused a request; the body of every non-2xx answer. */
export const RemoteError = z.object({
  error: z.object({
    /** Stable, machine-readable: `bad-signature`, `timestamp-too-old`, `unknown-node`, `invalid-config`, `node-failed`… */
    code: z.string().min(1),
    /** What went wrong, in English. */
    message: z.string().min(1),
    /** Each wrong field of the body or config, with its path (`items.3.customer.id`, `config.stock`). */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type RemoteError = z.infer<typeof RemoteError>;

const InstallationCommon = {
  /** The brand's installation of the plugin. */
  installationId: z.string().min(1),
  /** The brand's workspace; nothing of one installation is valid for another. */
  workspace: z.object({ id: z.string().min(1), name: z.string() }),
  /** The plugin and the version installed now. */
  plugin: z.object({ id: z.string().min(1), version: z.string().min(1) }),
  /** The scopes the brand granted. */
  scopes: z.array(Scope),
  /** When it happened. */
  occurredAt: IsoTime,
};

/** What a partner needs to verify and call back for one installation; sent when it changes. */
const InstallationCredentials = z.object({
  /** Signs every batch for this installation from now on (`whsec_…`): keep it, look it up by installationId. */
  signingSecret: z.string().min(1),
  /** The installation token for calls back into GraphQL: only the granted scopes, only this workspace. */
  token: z.string().min(1),
  /** Courtyard's GraphQL endpoint. */
  graphqlUrl: z.url(),
});

/**
 * The body of `POST <installCallback>` (default `<baseUrl>/installations`), signed with the
 * plugin's callback secret: a brand installed, upgraded or uninstalled the plugin, or rotated the
 * installation's secret.
 */
export const InstallCallback = z.discriminatedUnion('type', [
  z.object({ type: z.literal('installation.created'), ...InstallationCommon, credentials: InstallationCredentials }),
  z.object({
    type: z.literal('installation.upgraded'),
    ...InstallationCommon,
    /** The version that ran before. */
    previousVersion: z.string().min(1),
    /** Present when the upgrade granted new scopes and so issued a new token. */
    credentials: InstallationCredentials.optional(),
  }),
  z.object({ type: z.literal('installation.secret_rotated'), ...InstallationCommon, credentials: InstallationCredentials }),
  /** The token is already revoked; drop the installation's secret and data. */
  z.object({ type: z.literal('installation.deleted'), ...InstallationCommon }),
]);
export type InstallCallback = z.infer<typeof InstallCallback>;

/** Where the runtime POSTs a node's batches. */
export function remoteNodeUrl(baseUrl: string, nodeId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/nodes/${encodeURIComponent(nodeId)}`;
}

/** Where installation callbacks go: the manifest's `installCallback`, else `<baseUrl>/installations`. */
export function installCallbackUrl(endpoints: { baseUrl: string; installCallback?: string | undefined }): string {
  return endpoints.installCallback ?? `${endpoints.baseUrl.replace(/\/+$/, '')}/installations`;
}
