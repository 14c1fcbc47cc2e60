import type { Db } from '@courtyard/db';
import {
  type BatchItem,
  type EnrollmentTrigger,
  type JourneyCustomer,
  type JourneyNode,
  type JsonObject,
  type NodeContext,
  type SendOutcome,
  type StepResult,
  type TriggerNode,
} from '@courtyard/plugin-sdk';
import { dayStart } from '../engine/clock.ts';
import { createNodeContext } from '../engine/context.ts';
import { loadCustomers } from '../engine/customers.ts';
import { propertiesMatch } from '../engine/triggers.ts';
import { refusal, timing } from '../engine/send-rules.ts';
import { type LoadedVersion, loadWorkspaceSettings, type WorkspaceSettings } from '../engine/versions.ts';
import { JourneySettings } from '../journey/definition.ts';
import { type JourneyIssue, validateJourney } from '../journey/validate.ts';
import type { NodeRegistry } from '../registry.ts';
import { isInstalledNode } from '../installed.ts';
import { declaredPorts } from '../remote/caller.ts';

/** An event that happens to the customer during the simulation. */
export interface SimulatedEvent {
  type: string;
  properties?: JsonObject;
  at: Date;
}

export interface SimulatedStep {
  nodeId: string;
  nodeType: string;
  /** When the customer reached the node (sandbox time). */
  at: Date;
  /** When the customer left it: later than `at` for waits. */
  leftAt: Date;
  outcome: 'next' | 'waited' | 'event' | 'timeout' | 'deferred' | 'failed' | 'exited' | 'goal';
  port: string | null;
  note: string | null;
}

export interface SimulatedEffect {
  at: Date;
  nodeId: string;
  kind: 'tagsAdded' | 'tagsRemoved' | 'attributes' | 'owner' | 'message' | 'webhook' | 'enroll';
  detail: JsonObject;
}

export interface SimulationResult {
  issues: JourneyIssue[];
  steps: SimulatedStep[];
  effects: SimulatedEffect[];
  /** completed: left through an unconnected port; exited: exit node or goal; failed; unfinished: step or time limit reached. */
  outcome: 'completed' | 'exited' | 'failed' | 'unfinished' | 'invalid';
  endedAt: Date | null;
}

export interface SimulateOptions {
  db: Db;
  registry: NodeRegistry;
  workspaceId: string;
  definition: unknown;
  settings?: unknown;
  customerId: string;
  events?: SimulatedEvent[];
  /** Sandbox time at which the customer enters. Default: now. */
  start?: Date;
  /** Stop after this many steps (loops through waits). Default 200. */
  maxSteps?: number;
  /** Stop once sandbox time passes start + this. Default 365 days. */
  horizonMs?: number;
}

/**
 * Runs a journey for one customer in a sandbox whose clock jumps over waits: nothing is written
 * and nothing is sent. Reads (segments, past events and orders, staff) see the real workspace;
 * writes (tags, attributes, owner) change only the sandbox's copy of the customer, so later
 * conditions see them. Events listed in `events` happen at their times.
 */
export async function simulateJourney(options: SimulateOptions): Promise<SimulationResult> {
  const { db, registry, workspaceId } = options;
  const validated = validateJourney(options.definition, registry);
  const errors = validated.issues.filter((i) => i.severity === 'error');
  const settings = JourneySettings.safeParse(options.settings ?? {});
  if (errors.length || !settings.success) {
    const issues = [...errors];
    if (!settings.success) for (const i of settings.error.issues) issues.push({ code: 'INVALID_SHAPE', severity: 'error', nodeId: null, field: `settings.${i.path.join('.')}`, message: i.message });
    return { issues, steps: [], effects: [], outcome: 'invalid', endedAt: null };
  }
  const customer = (await loadCustomers(db.query.bind(db), workspaceId, [options.customerId])).get(options.customerId);
  if (!customer) throw new Error('customer not found in this workspace');
  const workspace = await loadWorkspaceSettings(db, workspaceId);
  const edges = new Map<string, string>();
  for (const e of validated.definition.edges) edges.set(`${e.from}\u0000${e.port}`, e.to);
  const version: LoadedVersion = {
    id: '00000000-0000-0000-0000-000000000000',
    workspaceId,
    journeyId: '00000000-0000-0000-0000-000000000000',
    version: 0,
    definition: validated.definition,
    settings: settings.data,
    nodes: validated.nodes,
    edges,
    triggerId: validated.triggerId,
  };
  const events = [...(options.events ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
  const start = options.start ?? new Date();
  let clock = start;
  const steps: SimulatedStep[] = [];
  const effects: SimulatedEffect[] = [];
  const sandbox = structuredClone(customer);
  const trigger: EnrollmentTrigger = triggerOf(version, events, start);
  const typeOf = (id: string) => validated.definition.nodes.find((n) => n.id === id)?.type ?? '';
  steps.push({ nodeId: validated.triggerId!, nodeType: typeOf(validated.triggerId!), at: start, leftAt: start, outcome: 'next', port: 'next', note: null });

  let current = edges.get(`${validated.triggerId}\u0000next`) ?? null;
  let visit = 1;
  const limit = options.maxSteps ?? 200;
  const horizon = start.getTime() + (options.horizonMs ?? 365 * 86_400_000);
  const finish = (outcome: SimulationResult['outcome']) => ({ issues: validated.issues, steps, effects, outcome, endedAt: outcome === 'unfinished' ? null : clock });

  while (current) {
    if (steps.length >= limit || clock.getTime() > horizon) return finish('unfinished');
    const entry = validated.nodes.get(current)!;
    const at = clock;
    if (goalReached(settings.data, events, start, clock)) {
      steps.push({ nodeId: current, nodeType: entry.node.id, at, leftAt: at, outcome: 'goal', port: null, note: 'the journey goal was reached' });
      return finish('exited');
    }
    const item: BatchItem = { enrollmentId: 'simulation', customer: sandbox, idempotencyKey: `simulation:${current}:${visit}`, visit, attempt: 1, enteredAt: start.toISOString(), trigger };
    const ctx = sandboxContext(db, version, current, entry.node, workspace, clock, sandbox, events, effects);
    const node = entry.node as JourneyNode & { run?: (input: unknown) => Promise<Array<StepResult | string>> };
    let result: StepResult;
    // A partner's node is not called from a sandbox (it could issue a real coupon): the simulation
    // assumes its first port and says so.
    if (isInstalledNode(node) && node.kind !== 'trigger') {
      const port = declaredPorts(node as unknown as Parameters<typeof declaredPorts>[0], entry.config)[0] ?? 'next';
      steps.push({ nodeId: current, nodeType: entry.node.id, at, leftAt: clock, outcome: 'next', port, note: `partner plugin ${node.installed.pluginId} is not called in a simulation: assumed port "${port}"` });
      current = edges.get(`${current}\u0000${port}`) ?? null;
      visit++;
      continue;
    }
    try {
      const [raw] = node.run ? await node.run({ items: [item], config: entry.config, ctx }) : ['next'];
      result = typeof raw === 'string' ? { kind: 'next', port: raw } : raw!;
    } catch (error) {
      result = { kind: 'fail', error: (error as Error).message };
    }
    const go = (port: string, outcome: SimulatedStep['outcome'], note: string | null = null) => {
      steps.push({ nodeId: current!, nodeType: entry.node.id, at, leftAt: clock, outcome, port, note });
      current = edges.get(`${current}\u0000${port}`) ?? null;
      visit++;
    };
    switch (result.kind) {
      case 'next':
        go(result.port, 'next');
        break;
      case 'wait':
        if (result.until > clock) clock = result.until;
        go(result.port, 'waited');
        break;
      case 'waitForEvent': {
        const hit = events.find((e) => e.at >= clock && e.at <= result.timeoutAt && e.type === result.eventType && propertiesMatch(e.properties ?? {}, result.properties ?? {}));
        if (hit) {
          clock = hit.at;
          go(result.port, 'event', `${hit.type} at ${hit.at.toISOString()}`);
        } else {
          clock = result.timeoutAt;
          go(result.timeoutPort, 'timeout');
        }
        break;
      }
      case 'again':
        steps.push({ nodeId: current, nodeType: entry.node.id, at, leftAt: result.at, outcome: 'deferred', port: null, note: result.reason });
        clock = result.at;
        break;
      case 'retry':
      case 'fail': {
        const failedTo = edges.get(`${current}\u0000failed`);
        if (failedTo) go('failed', 'failed', result.error);
        else {
          steps.push({ nodeId: current, nodeType: entry.node.id, at, leftAt: clock, outcome: 'failed', port: null, note: result.error });
          return finish('failed');
        }
        break;
      }
      case 'exit':
        steps.push({ nodeId: current, nodeType: entry.node.id, at, leftAt: clock, outcome: 'exited', port: null, note: result.reason });
        return finish('exited');
    }
  }
  return finish('completed');
}

function triggerOf(version: LoadedVersion, events: SimulatedEvent[], start: Date): EnrollmentTrigger {
  const entry = version.nodes.get(version.triggerId!)!;
  const source = (entry.node as TriggerNode).source(entry.config);
  if (source.kind === 'event') {
    const event = events.find((e) => e.type === source.eventType && propertiesMatch(e.properties ?? {}, source.properties ?? {}) && e.at <= start) ?? events.find((e) => e.type === source.eventType);
    return { kind: 'event', event: { id: 'simulated', type: source.eventType, properties: event?.properties ?? {}, occurredAt: (event?.at ?? start).toISOString() } };
  }
  return { kind: source.kind === 'segment' ? 'segment' : source.kind === 'schedule' ? 'schedule' : source.kind === 'date' ? 'date' : 'api', data: {} };
}

function goalReached(settings: JourneySettings, events: SimulatedEvent[], start: Date, now: Date) {
  const goal = settings.goal;
  if (!goal || goal.kind !== 'event') return false;
  return events.some((e) => e.type === goal.eventType && e.at >= start && e.at <= now && propertiesMatch(e.properties ?? {}, (goal.properties ?? {}) as JsonObject));
}

/** A NodeContext that reads the real workspace and writes only to the sandbox. */
function sandboxContext(
  db: Db,
  version: LoadedVersion,
  nodeId: string,
  node: JourneyNode,
  workspace: WorkspaceSettings,
  now: Date,
  customer: JourneyCustomer,
  events: SimulatedEvent[],
  effects: SimulatedEffect[],
): NodeContext {
  const real = createNodeContext({ db, fetch, log: () => undefined, enroll: async () => 0 }, version, nodeId, { ...node, scopes: ['segments:read', 'events:read', 'orders:read', 'staff:read'] } as JourneyNode, workspace, now);
  const effect = (kind: SimulatedEffect['kind'], detail: JsonObject) => effects.push({ at: now, nodeId, kind, detail });
  return {
    ...real,
    customers: {
      async addTags(changes) {
        for (const c of changes) customer.tagIds = [...new Set([...customer.tagIds, ...c.tagIds])];
        effect('tagsAdded', { tagIds: changes.flatMap((c) => c.tagIds) });
      },
      async removeTags(changes) {
        const gone = new Set(changes.flatMap((c) => c.tagIds));
        customer.tagIds = customer.tagIds.filter((t) => !gone.has(t));
        effect('tagsRemoved', { tagIds: [...gone] });
      },
      async updateAttributes(changes) {
        for (const c of changes) {
          for (const [k, v] of Object.entries(c.set)) {
            if (k === 'lifecycleStage' || k === 'city') (customer as unknown as Record<string, unknown>)[k] = v;
            else if (v === null) delete customer.attributes[k];
            else customer.attributes[k] = v;
          }
        }
        effect('attributes', { set: Object.assign({}, ...changes.map((c) => c.set)) });
      },
      async assignOwner(changes) {
        customer.ownerStaffId = changes[0]?.staffId ?? customer.ownerStaffId;
        effect('owner', { staffId: customer.ownerStaffId });
      },
    },
    query: {
      ...real.query,
      async eventCounts(ids, q) {
        const counts = await real.query.eventCounts(ids, { ...q, until: q.until && q.until < now ? q.until : now });
        const since = q.sinceByCustomer?.[customer.id] ?? q.since;
        const extra = events.filter((e) => e.type === q.type && e.at <= now && (!since || e.at >= since) && (!q.until || e.at < q.until) && propertiesMatch(e.properties ?? {}, q.properties ?? {})).length;
        if (extra) counts.set(customer.id, (counts.get(customer.id) ?? 0) + extra);
        return counts;
      },
    },
    messages: {
      async send(messages) {
        // The outbox's own rules, with the frequency cap counting this simulation's messages.
        return messages.map(({ content }): SendOutcome => {
          const marketing = content.marketing !== false;
          const day = dayStart(now, workspace.timeZone).getTime();
          const sentToday = effects.filter((e) => e.kind === 'message' && e.detail.marketing !== false && dayStart(e.at, workspace.timeZone).getTime() === day).length;
          const notNow = refusal(customer, marketing) ?? timing(marketing, workspace, version.settings.quietHours ?? workspace.quietHours, now, sentToday);
          if (notNow) return notNow;
          effect('message', { channel: content.channel, body: content.body, ...(content.subject ? { subject: content.subject } : {}), ...(marketing ? {} : { marketing: false }) });
          return { status: 'queued', deliveryId: 'simulated' };
        });
      },
    },
    journeys: {
      async enroll(journeyId, items) {
        effect('enroll', { journeyId });
        return items.length;
      },
    },
    http: {
      async postSigned(request) {
        effect('webhook', { url: request.url });
        return { status: 200, body: 'simulated' };
      },
    },
    async counter(_name, increment) {
      return increment;
    },
  };
}
