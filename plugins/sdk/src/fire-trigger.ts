// A partner's trigger fires by recording events of its own type in the brand's workspace, with the
// installation token: every published journey that starts with the trigger (and whose config
// matches the event's properties) enrolls the customer.
import type { JsonObject } from './text.ts';

/** One customer's occurrence of the trigger. */
export interface TriggerOccurrence {
  /** Who: Courtyard's customer id, or a phone, email or WeCom external id (a new customer is created). */
  customer: { id?: string; phone?: string; email?: string; wecomExternalId?: string };
  /** Unique per occurrence: sending it again enrolls nobody twice. */
  idempotencyKey: string;
  /** Matched against each journey's trigger config (plain values of the same name must be equal). */
  properties?: JsonObject;
  /** When it happened (ISO time); default now. */
  occurredAt?: string;
}

export interface FireTriggerResult {
  stored: number;
  duplicates: number;
  /** Occurrences Courtyard refused, by position, with the reason. */
  rejected: { index: number; message: string }[];
}

const INGEST = `mutation ($events: [EventInput!]!) { ingestEvents(events: $events) {
  __typename ... on IngestEventsPayload { storedCount duplicateCount errors { index message } } ... on Error { message } } }`;

/**
 * Fires trigger `triggerId` (`<plugin id>.<node>`) for customers of the installation's workspace,
 * with the credentials its `installation.created` callback delivered (the plugin must ask for the
 * `events:write` scope). At most 5,000 occurrences a call.
 */
export async function fireTrigger(
  credentials: { graphqlUrl: string; token: string },
  triggerId: string,
  occurrences: readonly TriggerOccurrence[],
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<FireTriggerResult> {
  const events = occurrences.map((o) => ({ type: triggerId, customer: o.customer, idempotencyKey: o.idempotencyKey, properties: o.properties ?? {}, ...(o.occurredAt ? { occurredAt: o.occurredAt } : {}) }));
  const response = await (options.fetch ?? fetch)(credentials.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${credentials.token}` },
    body: JSON.stringify({ query: INGEST, variables: { events } }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: { ingestEvents?: { __typename: string; message?: string; storedCount?: number; duplicateCount?: number; errors?: { index: number; message: string }[] } }; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`Courtyard refused the trigger: ${body.errors.map((e) => e.message).join('; ')}`);
  const result = body.data?.ingestEvents;
  if (!result || result.__typename !== 'IngestEventsPayload') throw new Error(`Courtyard refused the trigger: ${result?.message ?? `HTTP ${response.status}`}`);
  return { stored: result.storedCount ?? 0, duplicates: result.duplicateCount ?? 0, rejected: result.errors ?? [] };
}
