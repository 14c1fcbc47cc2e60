import {
  parseConfig,
  type BatchItem,
  type ConfigIssue,
  type EnrollmentTrigger,
  type Json,
  type JourneyCustomer,
  type JourneyNode,
  type JsonObject,
  type MessageContent,
  type NodeContext,
  type SendOutcome,
  type StaffLoad,
  type StepResult,
  type TriggerNode,
  type TriggerSource,
} from '@courtyard/plugin-sdk';

// An in-memory NodeContext and a runner, so a node's test reads as "these customers, this config,
// these results" and can count how often the node reached for the context.

export function customer(overrides: Partial<JourneyCustomer> & { id: string }): JourneyCustomer {
  return {
    name: null,
    phone: null,
    email: null,
    gender: null,
    birthday: null,
    city: null,
    sourceChannel: null,
    lifecycleStage: null,
    wecomExternalId: null,
    unionId: null,
    attributes: {},
    marketingConsent: true,
    blacklisted: false,
    ownerStaffId: null,
    tagIds: [],
    orderCount: 0,
    totalSpentCents: 0,
    firstOrderAt: null,
    lastOrderAt: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export interface FakeEvent {
  customerId: string;
  type: string;
  properties?: JsonObject;
  occurredAt: string;
}

export interface FakeOrder {
  customerId: string;
  platform: string;
  amountCents: number;
  paidAt: string;
}

export interface FakeStaff {
  id: string;
  name?: string;
  active?: boolean;
  /** Customers owned outside this fake; the fake's own customers are counted on top. */
  customers?: number;
}

export interface HttpRequest {
  url: string;
  secret: string;
  idempotencyKey: string;
  body: Json;
  timeoutMs?: number;
}

export interface FakeWorld {
  now?: Date | string;
  timeZone?: string;
  customers?: JourneyCustomer[];
  events?: FakeEvent[];
  orders?: FakeOrder[];
  /** Segment id → member customer ids. */
  segments?: Record<string, string[]>;
  staff?: FakeStaff[];
  /** Overrides the outbox's decision for one message; default queues unless consent or blacklist say no. */
  send?: (message: { item: BatchItem; content: MessageContent }) => SendOutcome | undefined;
  /** The remote end of `http.postSigned`; default answers 200. Throw to simulate a network error. */
  http?: (request: HttpRequest) => { status: number; body?: string };
  journeyId?: string;
  nodeId?: string;
}

/** The fake context plus what the node did to it. */
export interface FakeContext extends NodeContext {
  /** One entry per context method call, e.g. `query.inSegment`, with its arguments. */
  calls: { method: string; args: unknown[] }[];
  customerById: Map<string, JourneyCustomer>;
  outbox: { item: BatchItem; content: MessageContent; outcome: SendOutcome }[];
  httpRequests: HttpRequest[];
  enrollments: { journeyId: string; customerId: string; data?: JsonObject }[];
  counters: Map<string, number>;
  logs: { message: string; data?: JsonObject }[];
  setNow(now: Date | string): void;
  /** How many times a method was called, e.g. `callCount('customers.addTags')`. */
  callCount(method: string): number;
}

function matches(properties: JsonObject | undefined, filter: JsonObject | undefined): boolean {
  return Object.entries(filter ?? {}).every(([k, v]) => JSON.stringify(properties?.[k] ?? null) === JSON.stringify(v));
}

function inRange(at: string, since: Date | undefined, until: Date | undefined): boolean {
  const t = new Date(at).getTime();
  return (!since || t >= since.getTime()) && (!until || t < until.getTime());
}

export function fakeContext(world: FakeWorld = {}): FakeContext {
  let now = new Date(world.now ?? '2024-06-03T02:00:00.000Z');
  const calls: FakeContext['calls'] = [];
  const customerById = new Map((world.customers ?? []).map((c) => [c.id, structuredClone(c)]));
  const counters = new Map<string, number>();
  const record = (method: string, ...args: unknown[]) => calls.push({ method, args });
  const each = (changes: { customerId: string }[], apply: (c: JourneyCustomer, change: any) => void) => {
    for (const change of changes) {
      const found = customerById.get(change.customerId);
      if (found) apply(found, change);
    }
  };
  const ctx: FakeContext = {
    calls,
    customerById,
    outbox: [],
    httpRequests: [],
    enrollments: [],
    counters,
    logs: [],
    workspace: { id: 'ws-1', timeZone: world.timeZone ?? 'Asia/Shanghai' },
    journey: { id: world.journeyId ?? 'journey-1', versionId: 'journey-1-v1', version: 1, nodeId: world.nodeId ?? 'node-1' },
    now: () => new Date(now.getTime()),
    setNow: (next) => {
      now = new Date(next);
    },
    callCount: (method) => calls.filter((c) => c.method === method).length,
    log(message, data) {
      ctx.logs.push(data ? { message, data } : { message });
    },
    customers: {
      async addTags(changes) {
        record('customers.addTags', changes);
        each(changes, (c, ch) => (c.tagIds = [...new Set([...c.tagIds, ...ch.tagIds])]));
      },
      async removeTags(changes) {
        record('customers.removeTags', changes);
        each(changes, (c, ch) => (c.tagIds = c.tagIds.filter((t) => !ch.tagIds.includes(t))));
      },
      async updateAttributes(changes) {
        record('customers.updateAttributes', changes);
        each(changes, (c, ch) => {
          for (const [key, value] of Object.entries(ch.set as JsonObject)) {
            if (key === 'city' || key === 'lifecycleStage') c[key] = value as string | null;
            else if (value === null) delete c.attributes[key];
            else c.attributes[key] = value;
          }
        });
      },
      async assignOwner(changes) {
        record('customers.assignOwner', changes);
        each(changes, (c, ch) => (c.ownerStaffId = ch.staffId));
      },
    },
    query: {
      async inSegment(segmentId, customerIds) {
        record('query.inSegment', segmentId, customerIds);
        const members = new Set(world.segments?.[segmentId] ?? []);
        return new Set(customerIds.filter((id) => members.has(id)));
      },
      async eventCounts(customerIds, query) {
        record('query.eventCounts', customerIds, query);
        return new Map(
          customerIds.map((id) => {
            const since = query.sinceByCustomer?.[id] ?? query.since;
            const n = (world.events ?? []).filter(
              (e) => e.customerId === id && e.type === query.type && matches(e.properties, query.properties) && inRange(e.occurredAt, since, query.until),
            ).length;
            return [id, n];
          }),
        );
      },
      async orderStats(customerIds, query) {
        record('query.orderStats', customerIds, query);
        return new Map(
          customerIds.map((id) => {
            const since = query.sinceByCustomer?.[id] ?? query.since;
            const orders = (world.orders ?? []).filter(
              (o) =>
                o.customerId === id &&
                inRange(o.paidAt, since, query.until) &&
                (!query.platforms?.length || query.platforms.includes(o.platform)) &&
                o.amountCents >= (query.minAmountCents ?? 0),
            );
            return [id, { count: orders.length, totalCents: orders.reduce((sum, o) => sum + o.amountCents, 0) }];
          }),
        );
      },
      async staff(staffIds) {
        record('query.staff', staffIds);
        const owned = (id: string) => [...customerById.values()].filter((c) => c.ownerStaffId === id).length;
        return (world.staff ?? [])
          .filter((s) => !staffIds || staffIds.includes(s.id))
          .map((s): StaffLoad => ({ id: s.id, name: s.name ?? s.id, active: s.active ?? true, customers: (s.customers ?? 0) + owned(s.id) }));
      },
    },
    messages: {
      async send(messages) {
        record('messages.send', messages);
        return messages.map((message) => {
          const c = customerById.get(message.item.customer.id) ?? message.item.customer;
          const outcome: SendOutcome =
            world.send?.(message) ??
            (c.blacklisted
              ? { status: 'skipped', reason: 'blacklisted' }
              : message.content.marketing !== false && !c.marketingConsent
                ? { status: 'skipped', reason: 'no-consent' }
                : { status: 'queued', deliveryId: `delivery-${ctx.outbox.length + 1}` });
          ctx.outbox.push({ ...message, outcome });
          return outcome;
        });
      },
    },
    journeys: {
      async enroll(journeyId, items) {
        record('journeys.enroll', journeyId, items);
        for (const { item, data } of items) ctx.enrollments.push(data ? { journeyId, customerId: item.customer.id, data } : { journeyId, customerId: item.customer.id });
        return items.length;
      },
    },
    http: {
      async postSigned(request) {
        record('http.postSigned', request);
        ctx.httpRequests.push(request);
        const answer = world.http ? world.http(request) : { status: 200 };
        return { status: answer.status, body: answer.body ?? '' };
      },
    },
    async counter(name, increment) {
      record('counter', name, increment);
      const value = (counters.get(name) ?? 0) + increment;
      counters.set(name, value);
      return value;
    },
  };
  return ctx;
}

export interface RunOptions extends FakeWorld {
  /** Reuse a context, e.g. to run a second batch against the same counters. */
  ctx?: FakeContext;
  /** The trigger of every enrollment, or one per customer. */
  trigger?: EnrollmentTrigger | ((c: JourneyCustomer) => EnrollmentTrigger);
  enteredAt?: string | ((c: JourneyCustomer) => string);
  /** How many steps each enrollment took before; changes the idempotency key. */
  visit?: number;
  attempt?: number;
}

/** The config issues a raw config has for a node; empty when it is valid. */
export function configIssues(node: JourneyNode, raw: unknown): ConfigIssue[] {
  const parsed = parseConfig(node, raw);
  return parsed.ok ? [] : parsed.issues;
}

function parsedOrThrow(node: JourneyNode, raw: unknown): any {
  const parsed = parseConfig(node, raw);
  if (!parsed.ok) throw new Error(`invalid config for ${node.id}: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return parsed.config;
}

/** A trigger's source for a raw config. */
export function sourceOf(node: TriggerNode<any>, raw: unknown): TriggerSource {
  return node.source(parsedOrThrow(node, raw));
}

/**
 * Runs a node on one batch: parses the config as the runtime would, builds one item per customer
 * (enrollment `enr-<customer id>`), and returns the results with bare ports spelled out.
 */
export async function runNode(
  node: JourneyNode,
  rawConfig: unknown,
  customers: (JourneyCustomer | (Partial<JourneyCustomer> & { id: string }))[],
  options: RunOptions = {},
): Promise<{ results: StepResult[]; ctx: FakeContext; items: BatchItem[] }> {
  if (node.kind === 'trigger') throw new Error(`${node.id} is a trigger: test its source with sourceOf`);
  const config = parsedOrThrow(node, rawConfig);
  const full = customers.map((c) => customer(c));
  const ctx = options.ctx ?? fakeContext({ ...options, customers: [...(options.customers ?? []), ...full] });
  for (const c of full) if (!ctx.customerById.has(c.id)) ctx.customerById.set(c.id, structuredClone(c));
  const at = <T>(value: T | ((c: JourneyCustomer) => T) | undefined, c: JourneyCustomer): T | undefined =>
    typeof value === 'function' ? (value as (c: JourneyCustomer) => T)(c) : value;
  const visit = options.visit ?? 0;
  const items = full.map((c): BatchItem => {
    const enrollmentId = `enr-${c.id}`;
    return {
      enrollmentId,
      customer: c,
      idempotencyKey: `${enrollmentId}:${ctx.journey.nodeId}:${visit}`,
      visit,
      attempt: options.attempt ?? 1,
      enteredAt: at(options.enteredAt, c) ?? ctx.now().toISOString(),
      trigger: at(options.trigger, c) ?? { kind: 'api' },
    };
  });
  const raw = await node.run({ items, config, ctx });
  if (raw.length !== items.length) throw new Error(`${node.id} returned ${raw.length} results for ${items.length} items`);
  const results = raw.map((r: StepResult | string): StepResult => (typeof r === 'string' ? { kind: 'next', port: r } : r));
  return { results, ctx, items };
}
