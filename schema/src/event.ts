// Customer events: the node and batch ingestion, idempotent by key.
import type { IngestedEvent } from '@courtyard/runtime';
import { z } from 'zod';
import { builder } from './builder.ts';
import { CustomerRefInput, prepareCustomerBatch } from './customer-ref.ts';
import { InputError } from './errors.ts';
import { BatchItemErrorRef, resultUnion, type BatchItemError } from './error-types.ts';
import { InvalidValue, zDate, zJSONObject } from './scalars.ts';
import { recheckAfterChange } from './segment-membership.ts';

export const MAX_EVENT_BATCH = 5_000;

builder.prismaNode('Event', {
  // Select mode: only the columns a query asks for are read.
  select: { id: true },
  // A global ID of another workspace, or of nothing, makes node/nodes return null instead of failing.
  nullable: true,
  id: { field: 'id' },
  description: 'Something a customer did: added a staff account, replied, paid, used a coupon …',
  authScopes: { 'events:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    type: t.exposeString('type', { description: 'Event type, e.g. friend_added, message_replied, order_paid, coupon_used.' }),
    properties: t.expose('properties', { type: 'JSONObject', description: 'Details of the event.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When it happened.' }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime', description: 'When Courtyard stored it.' }),
    idempotencyKey: t.exposeString('idempotencyKey', { description: 'The sender\'s key; a second event with the same key is not stored.' }),
    customer: t.relation('customer', { description: 'Who did it.' }),
  }),
});

const EventInput = builder.inputType('EventInput', {
  description: 'One event to ingest.',
  fields: (t) => ({
    customer: t.field({ type: CustomerRefInput, required: true, description: 'Who did it.' }),
    type: t.string({ required: true, description: 'Event type: lower-case letters, digits, _ . : - (at most 64), e.g. order_paid.' }),
    properties: t.field({ type: 'JSONObject', description: 'Details, at most 8 KiB of JSON.' }),
    occurredAt: t.field({ type: 'DateTime', description: 'When it happened; default now. At most 5 minutes in the future.' }),
    idempotencyKey: t.string({ required: true, description: 'Unique per event within the workspace (at most 200 characters); re-sending the same key stores nothing twice.' }),
  }),
});

const EVENT_TYPE = /^[a-z][a-z0-9_.:-]{0,63}$/;
const MAX_PROPERTIES_JSON = 8_192;
const MAX_AHEAD_MS = 300_000;

const zEvent = z.object({
  type: z.string().regex(EVENT_TYPE, { message: 'must start with a letter and use lower-case letters, digits, _ . : - (at most 64), e.g. order_paid' }),
  properties: zJSONObject()
    .refine((p) => JSON.stringify(p).length <= MAX_PROPERTIES_JSON, { message: 'must be at most 8 KiB of JSON' })
    .nullish(),
  occurredAt: zDate()
    .refine((d) => d.getTime() <= Date.now() + MAX_AHEAD_MS, { message: 'must not be more than 5 minutes in the future' })
    .nullish(),
  idempotencyKey: z.string().min(1, { message: 'must not be empty' }).max(200, { message: 'must be at most 200 characters' }),
});

const QUOTE_OR_BACKSLASH = /["\\]/;

/** A PostgreSQL array literal of strings: each quoted (so that none reads as NULL) and escaped. */
function textArray(values: string[]): string {
  if (!values.length) return '{}';
  const quoted = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    quoted[i] = QUOTE_OR_BACKSLASH.test(v) ? v.replace(/["\\]/g, '\\$&') : v;
  }
  return `{"${quoted.join('","')}"}`;
}

/** A checked event; `propertiesJson` is its properties as JSON when the quick check serialised them. */
type EventData = z.output<typeof zEvent> & { propertiesJson?: string };

/**
 * zEvent's checks without zod, for the events that pass them (nearly all): returns what zEvent
 * would, plus the properties' JSON made for the size check, or null when any check fails, in which
 * case zEvent checks the event again and names what is wrong.
 */
function quickEvent(event: typeof EventInput.$inferInput): EventData | null {
  const { type, properties, occurredAt, idempotencyKey } = event;
  if (typeof type !== 'string' || !EVENT_TYPE.test(type)) return null;
  if (typeof idempotencyKey !== 'string' || idempotencyKey.length < 1 || idempotencyKey.length > 200) return null;
  let propertiesJson: string | undefined;
  if (properties != null) {
    if (properties instanceof InvalidValue || typeof properties !== 'object' || Array.isArray(properties)) return null;
    propertiesJson = JSON.stringify(properties);
    if (propertiesJson.length > MAX_PROPERTIES_JSON) return null;
  }
  if (occurredAt != null && !(occurredAt instanceof Date && occurredAt.getTime() <= Date.now() + MAX_AHEAD_MS)) return null;
  return { type, properties, occurredAt, idempotencyKey, propertiesJson };
}

const IngestEventsPayload = builder
  .objectRef<{ storedCount: number; duplicateCount: number; failedCount: number; errors: BatchItemError[] }>('IngestEventsPayload')
  .implement({
    description: 'What a batch of events did. Re-sending the same batch stores nothing twice.',
    fields: (t) => ({
      storedCount: t.exposeInt('storedCount', { description: 'Events stored now.' }),
      duplicateCount: t.exposeInt('duplicateCount', { description: 'Events whose idempotency key was already stored (also within this batch); skipped.' }),
      failedCount: t.exposeInt('failedCount', { description: 'Events rejected; see errors.' }),
      errors: t.field({ type: [BatchItemErrorRef], description: 'One entry per rejected event, with its index and the fields that were wrong.', resolve: (p) => p.errors }),
    }),
  });

builder.mutationFields((t) => ({
  ingestEvents: t.field({
    type: IngestEventsPayload,
    description: `Stores up to ${MAX_EVENT_BATCH.toLocaleString('en')} customer events. Idempotent by key; valid events are stored even when others are rejected.`,
    authScopes: { 'events:write': true },
    args: { events: t.arg({ type: [EventInput], required: true, description: `The events, at most ${MAX_EVENT_BATCH}.` }) },
    errors: { types: [InputError], union: resultUnion('ingesting events') },
    resolve: async (_root, args, ctx) => {
      if (args.events.length > MAX_EVENT_BATCH) {
        throw new InputError({ path: ['events'], message: `at most ${MAX_EVENT_BATCH} events per call; got ${args.events.length}. Split the batch.`, code: 'too_big' });
      }
      const workspaceId = ctx.workspaceId();
      const { items, errors } = await prepareCustomerBatch(ctx.db.query, workspaceId, 'events', args.events, zEvent, { quick: quickEvent });
      const now = new Date();
      // A key sent twice in one batch is stored once, from its first occurrence; the later ones
      // count as duplicates without reaching the database.
      const byKey = new Map<string, (typeof items)[number]>();
      for (const item of items) if (!byKey.has(item.data.idempotencyKey)) byKey.set(item.data.idempotencyKey, item);
      const n = byKey.size;
      const customerIds = new Array<string>(n);
      const types = new Array<string>(n);
      const properties = new Array<string>(n);
      const occurredAt = new Array<number>(n);
      const keys = new Array<string>(n);
      let i = 0;
      for (const { customerId, data } of byKey.values()) {
        customerIds[i] = customerId;
        types[i] = data.type;
        properties[i] = data.propertiesJson ?? JSON.stringify(data.properties ?? {});
        occurredAt[i] = (data.occurredAt ?? now).getTime();
        keys[i++] = data.idempotencyKey;
      }
      // Only the events stored now come back: a re-sent key neither counts nor triggers twice.
      // The database answers with the id and key of each row it stored; the rest of the stored
      // event is what was sent, so it is not read back. The columns travel as one array literal
      // each, written here in one pass (the driver would build them value by value), the
      // properties as one JSON array of the JSON already made, the times as Unix milliseconds
      // (to_timestamp of milliseconds / 1000 is exact to the millisecond).
      const inserted = n
        ? await ctx.db.query<{ id: string; k: string }>(
            `INSERT INTO "Event" ("workspaceId", "customerId", "type", "properties", "occurredAt", "idempotencyKey")
             SELECT $1::uuid, c, t, p, to_timestamp(o / 1000), k
             FROM ROWS FROM (unnest($2::uuid[]), unnest($3::text[]), jsonb_array_elements($4::jsonb), unnest($5::float8[]), unnest($6::text[])) AS x(c, t, p, o, k)
             ON CONFLICT ("workspaceId", "idempotencyKey") DO NOTHING
             RETURNING id, "idempotencyKey" AS k`,
            [workspaceId, textArray(customerIds), textArray(types), `[${properties.join(',')}]`, `{${occurredAt.join(',')}}`, textArray(keys)],
          )
        : [];
      const stored: IngestedEvent[] = inserted.map(({ id, k }) => {
        const { customerId, data } = byKey.get(k)!;
        return { id, customerId, type: data.type, properties: (data.properties ?? {}) as IngestedEvent['properties'], occurredAt: data.occurredAt ?? now };
      });
      const storedCount = stored.length;
      if (storedCount) {
        const causes = [...new Set(types)].map((type) => `event:${type}` as const);
        await recheckAfterChange(ctx, workspaceId, [...new Set(customerIds)], causes);
        // Event-triggered journeys start, and customers waiting for these events move on. The
        // events are stored either way: a journey hiccup must not report them as lost.
        await ctx.runtime.onEvents(workspaceId, stored).catch((error: Error) => console.warn(`journey triggers for ${stored.length} event(s) failed: ${error.message}`));
      }
      return { storedCount, duplicateCount: items.length - storedCount, failedCount: errors.length, errors };
    },
  }),
}));
