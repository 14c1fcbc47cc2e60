import type { Db } from '@courtyard/db';
import type { BatchItem, EnrollmentTrigger, JourneyCustomer, JourneyNode, JsonObject, StepResult } from '@courtyard/plugin-sdk';
import { type ContextDeps, createNodeContext } from './context.ts';
import { loadCustomers } from './customers.ts';
import { goalReached } from './goal.ts';
import { type LoadedVersion, target, type VersionCache } from './versions.ts';
import { isInstalledNode } from '../installed.ts';

export interface ClaimedEnrollment {
  id: string;
  workspaceId: string;
  journeyId: string;
  versionId: string;
  customerId: string;
  nodeId: string;
  visit: number;
  attempt: number;
  wait: WaitState | null;
  trigger: EnrollmentTrigger;
  enteredAt: Date;
  leaseUntil: Date;
}

export type WaitState =
  | { kind: 'time'; port: string; until: string; resolvedPort?: string }
  | { kind: 'event'; eventType: string; properties: JsonObject; port: string; timeoutPort: string; timeoutAt: string; resolvedPort?: string; event?: JsonObject };

/** A wake-up to schedule: the enrollments (id, visit) whose wait ends at `at`. */
export interface WakeJob {
  workspaceId: string;
  at: Date;
  items: [string, number][];
}

interface Transition {
  id: string;
  lease: string;
  oldVisit: number;
  status: 'active' | 'waiting' | 'completed' | 'exited' | 'failed';
  node: string;
  visit: number;
  attempt: number;
  ready: string;
  wait: WaitState | null;
  err: string | null;
  reason: string | null;
  ended: string | null;
  /** The lease to leave on the enrollment (a partner call still holds it); null frees it. */
  keep?: string | null;
  stepStatus: 'completed' | 'retrying' | 'failed' | 'exited' | null;
  port: string | null;
  stepError: string | null;
  output: JsonObject | null;
  stepNode: string;
  stepAttempt: number;
  started: string;
}

export interface StepDeps {
  db: Db;
  versions: VersionCache;
  context: ContextDeps;
  /** How long a claimed step belongs to this worker before another may take it over. */
  leaseMs: number;
  /** Most enrollments claimed per pass. */
  claimLimit: number;
  /** Only these workspaces' enrollments (tests sharing one database); null: all. */
  workspaces: ReadonlySet<string> | null;
  scheduleWakes(jobs: WakeJob[]): Promise<void>;
  onProgress(workspaceId: string, journeyId: string): void;
  /**
   * How long a pass waits for a partner plugin's batch before leaving it to finish on its own
   * (its customers keep their lease and move when the partner answers), so a slow partner never
   * holds up the other journeys of the pass. Default: wait for it.
   */
  remotePatienceMs?: number;
  /** Takes a partner batch the pass left running; resolves once its customers moved on. */
  detach?(work: Promise<void>): void;
  /**
   * Claim only these enrollments (those this process just enrolled): looked up by id rather than
   * found in the due range, so a fresh customer is picked at once whatever else is due.
   */
  only?: string[];
}

/** What a pass hands a partner batch it stopped waiting for. */
interface Detached {
  ids: Set<string>;
}

const DEFAULT_BATCH = 500;
const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_RETRY = { attempts: 3, backoffMs: 1000 };

/** Most nodes one claimed enrollment goes through in one pass (a guard against loops of conditions). */
const MAX_HOPS = 32;

/**
 * One pass of the step worker: claims due enrollments (skipping ones other workers hold), runs
 * each node once per batch of customers that reached it, and records every outcome in one
 * statement that also moves the enrollments on. An enrollment that a step sends straight on to
 * another node (no wait, no retry) is run there in the same pass under the lease it already
 * holds, so a journey of conditions and instant actions costs one claim and one write per batch.
 * Re-running a pass after a crash repeats no effect twice: visits, and so idempotency keys, are
 * the same, and nothing is recorded unless the whole pass is. Returns how many enrollments it
 * handled.
 */
export async function runDueSteps(deps: StepDeps): Promise<number> {
  const claimed = await deps.db.query<ClaimedEnrollment>(
    `WITH due AS (
       SELECT id FROM "Enrollment"
        WHERE ${deps.only ? 'id = ANY($4::uuid[]) AND ' : ''}status = 'active' AND "readyAt" <= now() AND ("leaseUntil" IS NULL OR "leaseUntil" < now())
          AND EXISTS (SELECT 1 FROM "Journey" j WHERE j.id = "Enrollment"."journeyId" AND j.status = 'active')
          AND ($3::uuid[] IS NULL OR "workspaceId" = ANY($3::uuid[]))
        ORDER BY "readyAt" LIMIT $1 FOR UPDATE SKIP LOCKED)
     UPDATE "Enrollment" e SET "leaseUntil" = now() + $2 * interval '1 millisecond'
       FROM due WHERE e.id = due.id
     RETURNING e.id, e."workspaceId", e."journeyId", e."versionId", e."customerId", e."nodeId", e.visit, e.attempt, e.wait, e.trigger, e."enteredAt", e."leaseUntil"`,
    [deps.claimLimit, deps.leaseMs, deps.workspaces ? [...deps.workspaces] : null, ...(deps.only ? [deps.only] : [])],
  );
  if (claimed.length === 0) return 0;
  const started = Date.now();
  const claimedVisit = new Map(claimed.map((e) => [e.id, e.visit]));
  const final = new Map<string, Transition>();
  const steps: Transition[] = [];
  const wakes: WakeJob[] = [];
  const customers = new Map<string, JourneyCustomer>();
  let current = claimed;
  // Partner batches the pass stopped waiting for finish after the pass has written its own moves.
  let passWritten!: () => void;
  const written = new Promise<void>((resolve) => (passWritten = resolve));
  const detached: Detached = { ids: new Set() };
  const groupDeps = { ...deps, written, detached };
  try {
    for (let hop = 0; current.length && hop < MAX_HOPS && Date.now() - started < deps.leaseMs / 4; hop++) {
      const groups = new Map<string, ClaimedEnrollment[]>();
      for (const e of current) {
        const key = `${e.versionId}\u0000${e.nodeId}`;
        const list = groups.get(key);
        if (list) list.push(e);
        else groups.set(key, [e]);
      }
      const transitions: Transition[] = [];
      // Nodes change customers only through the context, which applies each change to the loaded
      // customers as well: the next node sees them as stored, without a reload.
      await Promise.all([...groups.values()].map((group) => processGroup(groupDeps, group, transitions, wakes, customers)));
      const byId = new Map(current.map((e) => [e.id, e]));
      current = [];
      for (const t of transitions) {
        final.set(t.id, t);
        if (t.stepStatus) steps.push(t);
        // Sent straight on (a port to another node, due now): run it there in this pass.
        if (t.status === 'active' && t.visit === t.oldVisit + 1) current.push({ ...byId.get(t.id)!, nodeId: t.node, visit: t.visit, attempt: t.attempt, wait: null });
      }
    }
    // A customer whose partner batch still runs keeps its lease: nobody else takes it meanwhile.
    const moves = [...final.values()].map((t) => ({ ...t, oldVisit: claimedVisit.get(t.id)!, ...(detached.ids.has(t.id) ? { keep: t.lease } : {}) }));
    const moved = await applyTransitions(deps.db, moves, steps);
    const journeys = new Map<string, string>();
    for (const e of claimed) journeys.set(e.journeyId, e.workspaceId);
    if (wakes.length) {
      const kept = wakes.map((w) => ({ ...w, items: w.items.filter(([id]) => moved.has(id)) })).filter((w) => w.items.length);
      if (kept.length) await deps.scheduleWakes(kept);
    }
    for (const [journeyId, workspaceId] of journeys) deps.onProgress(workspaceId, journeyId);
    return claimed.length;
  } finally {
    passWritten();
  }
}

type GroupDeps = StepDeps & { written: Promise<void>; detached: Detached };

/**
 * Runs a partner node's batches, waiting at most `remotePatienceMs`: results in time join the
 * pass; otherwise the batch finishes on its own and moves its customers itself, after the pass
 * wrote its moves (the customers hold their lease until then).
 */
async function runPartnerBatches(deps: GroupDeps, group: ClaimedEnrollment[], work: (out: Transition[], wakes: WakeJob[]) => Promise<void>, out: Transition[], wakes: WakeJob[]) {
  const own: Transition[] = [];
  const ownWakes: WakeJob[] = [];
  const running = work(own, ownWakes);
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([
    running.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deps.remotePatienceMs))),
  ]).finally(() => clearTimeout(timer));
  if (inTime) {
    out.push(...own);
    wakes.push(...ownWakes);
    return;
  }
  for (const e of group) deps.detached.ids.add(e.id);
  deps.detach!(
    (async () => {
      await Promise.all([running, deps.written]);
      const moved = await applyTransitions(deps.db, own, own.filter((t) => t.stepStatus));
      const kept = ownWakes.map((w) => ({ ...w, items: w.items.filter(([id]) => moved.has(id)) })).filter((w) => w.items.length);
      if (kept.length) await deps.scheduleWakes(kept);
      deps.onProgress(group[0]!.workspaceId, group[0]!.journeyId);
    })(),
  );
}

/** Runs one node for the enrollments at it. */
async function processGroup(deps: GroupDeps, group: ClaimedEnrollment[], out: Transition[], wakes: WakeJob[], cache: Map<string, JourneyCustomer>): Promise<void> {
  const first = group[0]!;
  const now = new Date();
  let version: LoadedVersion;
  try {
    version = await deps.versions.version(first.versionId);
  } catch (error) {
    for (const e of group) out.push(finish(e, now, 'failed', { stepStatus: 'failed', err: `journey version could not be loaded: ${(error as Error).message}` }));
    return;
  }
  const entry = version.nodes.get(first.nodeId);
  const t = new Transitions(version, now, out, wakes);
  if (!entry) {
    for (const e of group) t.fail(e, `node ${first.nodeId} is not in journey version ${version.version}`, null);
    return;
  }

  // The goal is checked before every step, leaving a wait included.
  const reached = version.settings.goal ? await goalReached(deps.db, version, group) : new Set<string>();
  const running: ClaimedEnrollment[] = [];
  for (const e of group) {
    if (reached.has(e.id)) t.exit(e, 'goal');
    // A resolved wait leaves by the port it resolved to, without running the node again.
    else if (e.wait?.resolvedPort) t.next(e, e.wait.resolvedPort, e.wait.kind === 'event' && e.wait.event ? { event: e.wait.event } : null);
    else running.push(e);
  }
  if (!running.length) return;

  const workspace = await deps.versions.workspace(first.workspaceId);
  const missing = [...new Set(running.filter((e) => !cache.has(e.customerId)).map((e) => e.customerId))];
  if (missing.length) for (const [id, customer] of await loadCustomers(deps.db.query.bind(deps.db), first.workspaceId, missing)) cache.set(id, customer);
  const customers = cache;
  const items: { e: ClaimedEnrollment; item: BatchItem }[] = [];
  for (const e of running) {
    const customer = customers.get(e.customerId);
    if (!customer) {
      t.exit(e, 'customer no longer exists');
      continue;
    }
    items.push({
      e,
      item: {
        enrollmentId: e.id,
        customer,
        idempotencyKey: `${e.id}:${e.nodeId}:${e.visit}`,
        visit: e.visit,
        attempt: e.attempt,
        enteredAt: new Date(e.enteredAt).toISOString(),
        trigger: e.trigger,
      },
    });
  }
  const node = entry.node as JourneyNode & { run?: (input: unknown) => Promise<Array<StepResult | string>>; batchSize?: number; timeoutMs?: number };
  if (node.kind === 'trigger' || !node.run) {
    for (const { e } of items) t.next(e, 'next', null);
    return;
  }
  const ctx = createNodeContext(deps.context, version, first.nodeId, node, workspace, now, cache);
  const size = node.batchSize ?? DEFAULT_BATCH;
  const work = async (into: Transitions) => {
    for (let i = 0; i < items.length; i += size) {
      const chunk = items.slice(i, i + size);
      const results = await runIsolated(node, entry.config, chunk.map((c) => c.item), ctx);
      chunk.forEach(({ e }, j) => into.apply(e, node, results[j]!));
    }
  };
  if (isInstalledNode(node) && deps.remotePatienceMs !== undefined && deps.detach) {
    const running = items.map((i) => i.e);
    return runPartnerBatches(deps, running, (o, w) => work(new Transitions(version, now, o, w)), out, wakes);
  }
  await work(t);
}

type RunnableNode = JourneyNode & { run: (input: unknown) => Promise<Array<StepResult | string>>; timeoutMs?: number };

/** Runs a batch; if it throws or times out, runs each customer alone so one bad row fails alone. */
async function runIsolated(node: RunnableNode, config: unknown, items: BatchItem[], ctx: unknown): Promise<StepResult[]> {
  const attempt = async (batch: BatchItem[]): Promise<StepResult[]> => {
    const timeoutMs = node.timeoutMs ?? DEFAULT_TIMEOUT;
    let timer: NodeJS.Timeout | undefined;
    try {
      const results = await Promise.race([
        node.run({ items: batch, config, ctx }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`node ${node.id} took longer than ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (!Array.isArray(results) || results.length !== batch.length) {
        throw new Error(`node ${node.id} returned ${Array.isArray(results) ? results.length : 'no'} results for ${batch.length} customers`);
      }
      return results.map((r) => (typeof r === 'string' ? { kind: 'next', port: r } : r));
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    return await attempt(items);
  } catch (error) {
    if (items.length === 1) return [{ kind: 'retry', error: (error as Error).message }];
    const single: StepResult[] = [];
    for (const item of items) {
      try {
        single.push((await attempt([item]))[0]!);
      } catch (e) {
        single.push({ kind: 'retry', error: (e as Error).message });
      }
    }
    return single;
  }
}

function finish(e: ClaimedEnrollment, now: Date, status: 'completed' | 'exited' | 'failed', extra: Partial<Transition>): Transition {
  return {
    ...base(e, now),
    status,
    ended: now.toISOString(),
    stepStatus: status === 'completed' ? 'completed' : status === 'exited' ? 'exited' : 'failed',
    ...extra,
  };
}

function base(e: ClaimedEnrollment, now: Date): Transition {
  return {
    id: e.id,
    lease: new Date(e.leaseUntil).toISOString(),
    oldVisit: e.visit,
    status: 'active',
    node: e.nodeId,
    visit: e.visit,
    attempt: e.attempt,
    ready: now.toISOString(),
    wait: null,
    err: null,
    reason: null,
    ended: null,
    stepStatus: null,
    port: null,
    stepError: null,
    output: null,
    stepNode: e.nodeId,
    stepAttempt: e.attempt,
    started: now.toISOString(),
  };
}

/** Turns step results into enrollment transitions (and wake-ups), one rule per result kind. */
class Transitions {
  constructor(
    private readonly version: LoadedVersion,
    private readonly now: Date,
    private readonly out: Transition[],
    private readonly wakes: WakeJob[],
  ) {}

  next(e: ClaimedEnrollment, port: string, output: JsonObject | null, stepStatus: 'completed' | 'failed' = 'completed', stepError: string | null = null) {
    const to = target(this.version, e.nodeId, port);
    const step = { stepStatus, port, output, stepError } as const;
    if (!to) this.out.push(finish(e, this.now, 'completed', step));
    else this.out.push({ ...base(e, this.now), ...step, node: to, visit: e.visit + 1, attempt: 1 });
  }

  exit(e: ClaimedEnrollment, reason: string) {
    this.out.push(finish(e, this.now, 'exited', { reason }));
  }

  fail(e: ClaimedEnrollment, error: string, node: JourneyNode | null) {
    const hasFailedPort = node && Array.isArray(node.ports) && (node.ports as { id: string }[]).some((p) => p.id === 'failed');
    if (hasFailedPort && target(this.version, e.nodeId, 'failed')) return this.next(e, 'failed', null, 'failed', error);
    this.out.push(finish(e, this.now, 'failed', { err: error, stepError: error }));
  }

  private wake(e: ClaimedEnrollment, at: Date) {
    const second = new Date(Math.ceil(at.getTime() / 1000) * 1000);
    let job = this.wakes.find((w) => w.workspaceId === e.workspaceId && w.at.getTime() === second.getTime());
    if (!job) this.wakes.push((job = { workspaceId: e.workspaceId, at: second, items: [] }));
    job.items.push([e.id, e.visit]);
  }

  apply(e: ClaimedEnrollment, node: JourneyNode, result: StepResult) {
    const now = this.now;
    switch (result?.kind) {
      case 'next':
        return this.next(e, result.port, result.output ?? null);
      case 'wait':
        if (result.until.getTime() <= now.getTime()) return this.next(e, result.port, null);
        this.out.push({ ...base(e, now), status: 'waiting', ready: result.until.toISOString(), wait: { kind: 'time', port: result.port, until: result.until.toISOString() } });
        return this.wake(e, result.until);
      case 'waitForEvent':
        this.out.push({
          ...base(e, now),
          status: 'waiting',
          ready: result.timeoutAt.toISOString(),
          wait: { kind: 'event', eventType: result.eventType, properties: result.properties ?? {}, port: result.port, timeoutPort: result.timeoutPort, timeoutAt: result.timeoutAt.toISOString() },
        });
        return this.wake(e, result.timeoutAt);
      case 'again':
        return void this.out.push({ ...base(e, now), ready: result.at.toISOString(), err: `deferred: ${result.reason}` });
      case 'retry': {
        const retry = (node as { retry?: { attempts: number; backoffMs: number } }).retry ?? DEFAULT_RETRY;
        if (e.attempt > retry.attempts) return this.fail(e, result.error, node);
        const delay = retry.backoffMs * 2 ** (e.attempt - 1);
        return void this.out.push({
          ...base(e, now),
          attempt: e.attempt + 1,
          ready: new Date(now.getTime() + delay).toISOString(),
          err: result.error,
          stepStatus: 'retrying',
          stepError: result.error,
        });
      }
      case 'fail':
        return this.fail(e, result.error, node);
      case 'exit':
        return this.exit(e, result.reason);
      default:
        return this.fail(e, `node ${node.id} returned an unknown result ${JSON.stringify(result)}`, node);
    }
  }
}

/**
 * Records every step of the pass and moves the enrollments to where their last step left them, in
 * one statement. Only enrollments this worker still holds (the visit it claimed, the same lease)
 * move, and only their steps are recorded: a pass whose lease expired and was taken over
 * elsewhere is left to that worker.
 */
async function applyTransitions(db: Db, moves: Transition[], steps: Transition[]): Promise<Set<string>> {
  if (!moves.length) return new Set();
  const rows = await db.query<{ id: string }>(
    `WITH t AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
         id uuid, lease timestamptz, "oldVisit" int, status text, node text, visit int, attempt int, ready timestamptz,
         wait jsonb, err text, reason text, ended timestamptz, keep timestamptz)
     ), s AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS s(
         n int, id uuid, "stepStatus" text, port text, "stepError" text, output jsonb, "stepNode" text, "oldVisit" int, "stepAttempt" int, started timestamptz)
     ), moved AS (
       UPDATE "Enrollment" e
          SET status = t.status::"EnrollmentStatus", "nodeId" = t.node, visit = t.visit, attempt = t.attempt, "readyAt" = t.ready,
              "leaseUntil" = t.keep, wait = t.wait, "lastError" = t.err,
              "exitReason" = COALESCE(t.reason, e."exitReason"), "endedAt" = t.ended
         FROM t
        WHERE e.id = t.id AND e.visit = t."oldVisit" AND e."leaseUntil" = t.lease
       RETURNING e.id, e."workspaceId", e."journeyId"
     ), steps AS (
       INSERT INTO "StepRun" ("workspaceId", "enrollmentId", "journeyId", "nodeId", visit, attempt, status, port, error, output, "startedAt")
       SELECT m."workspaceId", m.id, m."journeyId", s."stepNode", s."oldVisit", s."stepAttempt", s."stepStatus"::"StepRunStatus", s.port, s."stepError", s.output, s.started
         FROM moved m JOIN s ON s.id = m.id ORDER BY s.n
     )
     SELECT id FROM moved`,
    [
      JSON.stringify(moves.map((t) => ({
        id: t.id, lease: t.lease, oldVisit: t.oldVisit, status: t.status, node: t.node, visit: t.visit, attempt: t.attempt, ready: t.ready,
        wait: t.wait, err: t.err, reason: t.reason, ended: t.ended, keep: t.keep ?? null,
      }))),
      JSON.stringify(steps.map((t, n) => ({
        n, id: t.id, stepStatus: t.stepStatus, port: t.port, stepError: t.stepError, output: t.output, stepNode: t.stepNode, oldVisit: t.oldVisit, stepAttempt: t.stepAttempt, started: t.started,
      }))),
    ],
  );
  return new Set(rows.map((r) => r.id));
}
