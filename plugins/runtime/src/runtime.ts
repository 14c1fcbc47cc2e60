import type { Db } from '@courtyard/db';
import { oneAtATime } from '@courtyard/db/one-at-a-time';
import { onMembershipChange } from '@courtyard/db/segments';
import type { Json } from '@courtyard/plugin-sdk';
import type PgBoss from 'pg-boss';
import { builtinRegistry, type NodeRegistry } from './registry.ts';
import type { RuntimeOptions } from './runtime-options.ts';
import { createBoss, TICK_QUEUE, WAKE_QUEUE } from './engine/boss.ts';
import type { ContextDeps } from './engine/context.ts';
import { ChannelPool, dispatchDeliveries } from './engine/dispatch.ts';
import { type EnrollEntry, enrollCustomers, type EnrollResult } from './engine/enroll.ts';
import { runDueSteps, type WakeJob } from './engine/steps.ts';
import { enrollFromEvents, type IngestedEvent, resumeWaitingOnEvents, runScheduledTriggers, startsJourneys, sweepSegmentTriggers, TriggerIndex } from './engine/triggers.ts';
import { VersionCache } from './engine/versions.ts';
import { RemoteNodes } from './engine/remote-nodes.ts';
import { CallLog } from './engine/call-log.ts';
import { pruneWeComReceipts } from './engine/wecom-receipts-prune.ts';
import { InstallCallbacks } from './engine/install-callbacks.ts';
import { RemoteNodeCaller } from './remote/caller.ts';
import { dispatchCampaigns } from './campaigns/dispatch.ts';
import { runDueCampaigns } from './campaigns/lifecycle.ts';
import { linkReceipts } from './campaigns/receipts.ts';
import { pollMassSends, type WeComPollDeps } from './engine/wecom-mass-sends.ts';
import { pollWeComFollowUps } from './engine/wecom-followups.ts';
import { Lanes, type Lane } from './engine/lanes.ts';

export { runtimeOptionsFromEnv, type RuntimeOptions } from './runtime-options.ts';

/**
 * The journey engine of one process. `start()` runs the step worker, the outbox dispatcher, the
 * wake-up jobs and the scheduler; without it, tests and tools drive it pass by pass (`drain`).
 * Every piece of state is in PostgreSQL, so any number of processes can run it side by side.
 */
const FRESH_LIMIT = 50_000;

export class JourneyRuntime {
  readonly db: Db;
  readonly registry: NodeRegistry;
  readonly versions: VersionCache;
  /** Calls installed partner plugins' nodes; every call ends in `callLog`. */
  readonly remote: RemoteNodeCaller;
  readonly callLog: CallLog;
  /** The outbox of installation callbacks to partners. */
  readonly installCallbacks: InstallCallbacks;
  /** Where partners call back (installation credentials carry it). */
  readonly graphqlUrl: string;
  readonly triggers: TriggerIndex;
  /** The workspaces this runtime works for (null: every one); other workers of the process (WeCom callbacks) keep to them too. */
  get workspaces(): ReadonlySet<string> | null {
    return this.options.workspaces ?? null;
  }
  private readonly channels: ChannelPool;
  private readonly options: Required<Pick<RuntimeOptions, 'claimLimit' | 'leaseMs' | 'pollMs' | 'concurrency' | 'gatherMs'>> & RuntimeOptions;
  private boss: PgBoss | null = null;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly lanes: Lanes;
  /** Enrollments made by this process that no step pass has taken yet (see step()). */
  private readonly fresh = new Set<string>();
  private lastDuePass = 0;
  private stopListening: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** Partner batches still running after their pass ended. */
  private readonly detached = new Set<Promise<void>>();

  constructor(options: RuntimeOptions) {
    this.options = { claimLimit: 1000, leaseMs: 60_000, pollMs: 200, concurrency: 2, gatherMs: 20, ...options };
    this.db = options.db;
    this.lanes = new Lanes(this.options.gatherMs);
    this.channels = new ChannelPool({ db: this.db, wecom: options.wecom ?? {}, log: (m) => this.log(m) });
    this.registry = options.registry ?? builtinRegistry;
    this.callLog = new CallLog(this.db, (m) => this.log(m));
    const onCall = options.remote?.onCall;
    this.remote = new RemoteNodeCaller({
      ...options.remote,
      retry: { attempts: 1, ...options.remote?.retry },
      onCall: (record) => {
        this.callLog.record(record);
        onCall?.(record);
      },
    });
    this.versions = new VersionCache(this.db, this.registry, new RemoteNodes(this.db, this.remote));
    this.graphqlUrl = options.graphqlUrl ?? 'http://localhost:4000/graphql';
    this.installCallbacks = new InstallCallbacks(this.db, this.remote, {
      workspaces: options.workspaces ?? null,
      log: (m) => this.log(m),
      leaseMs: this.options.leaseMs,
      onChange: (ws) => options.onInstallCallback?.(ws),
    });
    this.triggers = new TriggerIndex({ db: this.db, versions: this.versions, enroll: (ws, j, e) => this.enroll(ws, j, e) });
    // Segment entries and exits made in this process start segment-triggered journeys at once;
    // the minute tick sweeps the change log for those made elsewhere or lost in a crash.
    this.stopListening = onMembershipChange((db, workspaceId, deltas) => {
      if (db !== this.db) return;
      startsJourneys(this.triggers, workspaceId, deltas)
        .then((starts) => (starts ? this.sweepSegments(workspaceId) : undefined))
        .catch((error) => this.log(`segment trigger failed: ${(error as Error).message}`));
    });
  }

  private readonly sweeping = oneAtATime<string>();

  /**
   * Sweeps the segment change log into segment-triggered journeys (see sweepSegmentTriggers), one
   * sweep at a time per workspace: a request while one runs makes it run once more after.
   */
  sweepSegments(workspaceId: string): Promise<void> {
    return this.sweeping(workspaceId, async () => void (await sweepSegmentTriggers(this.triggerDeps(), this.triggers, [workspaceId])));
  }

  private log(message: string, data?: unknown) {
    (this.options.log ?? ((m: string) => console.warn(m)))(message, data);
  }

  private triggerDeps() {
    return { db: this.db, versions: this.versions, enroll: (ws: string, j: string, e: EnrollEntry[]) => this.enroll(ws, j, e) };
  }

  private contextDeps(): ContextDeps {
    return {
      db: this.db,
      fetch: this.options.fetch ?? fetch,
      log: (m, d) => this.log(m, d),
      enroll: async (ws, journeyId, entries) =>
        (await this.enroll(ws, journeyId, entries.map((e) => ({ customerId: e.customerId, entryKey: e.entryKey, trigger: { kind: 'journey', data: (e.data ?? {}) as never } })))).enrolled.length,
    };
  }

  /** Enrolls customers into a journey's accepting version; see enrollCustomers. */
  async enroll(workspaceId: string, journeyId: string, entries: EnrollEntry[]): Promise<EnrollResult> {
    const result = await enrollCustomers(this.db, this.versions, workspaceId, journeyId, entries);
    if (result.enrolled.length) {
      // Remembered for this process's next step pass (bounded: past it, the due range finds them).
      if (this.fresh.size < FRESH_LIMIT) for (const e of result.enrolled) this.fresh.add(e.enrollmentId);
      this.lanes.nudge('step');
      this.options.onProgress?.(workspaceId, journeyId);
    }
    return result;
  }

  /** Enrolls through an `api` trigger: `requestKey` makes a repeated call enroll nobody twice. */
  enrollByApi(workspaceId: string, journeyId: string, customerIds: string[], requestKey: string, data?: Json) {
    return this.enroll(
      workspaceId,
      journeyId,
      customerIds.map((customerId) => ({ customerId, entryKey: `api:${requestKey}:${customerId}`, trigger: { kind: 'api', data: (data ?? {}) as never } })),
    );
  }

  /** After events were stored: starts event-triggered journeys and resumes customers waiting for them. */
  async onEvents(workspaceId: string, events: IngestedEvent[]): Promise<{ enrolled: number; resumed: number }> {
    if (!events.length) return { enrolled: 0, resumed: 0 };
    const [enrolled, resumed] = await Promise.all([
      enrollFromEvents(this.triggerDeps(), this.triggers, workspaceId, events),
      resumeWaitingOnEvents(this.db, workspaceId, events),
      linkReceipts(this.db, workspaceId, events),
    ]);
    if (resumed) this.lanes.nudge('step');
    return { enrolled, resumed };
  }

  /** A WeCom task was withdrawn (or its campaign cancelled): read it back now rather than at the next poll. */
  wecomTaskChanged() {
    this.lanes.nudge('wecom');
  }

  /** An installation callback was queued: deliver it now rather than at the next poll. */
  callbackQueued() {
    this.lanes.nudge('callbacks');
  }

  /** Drops cached trigger lists (after a journey was published, paused or archived). */
  journeysChanged(workspaceId: string) {
    this.triggers.forget(workspaceId);
  }

  /** One step pass; returns how many enrollments it handled. */
  async step(): Promise<number> {
    // Customers this process just enrolled go first, claimed by id: the due range may be long
    // (and, between vacuums, full of index entries of rows that moved on). A pass over the due
    // range still runs at least every poll interval, so waits and retries are never starved.
    if (this.fresh.size && Date.now() - this.lastDuePass < this.options.pollMs) {
      const only: string[] = [];
      for (const id of this.fresh) {
        this.fresh.delete(id);
        only.push(id);
        if (only.length >= this.options.claimLimit) break;
      }
      const handled = await this.stepPass(only);
      if (handled > 0) return handled;
    }
    this.lastDuePass = Date.now();
    return this.stepPass();
  }

  private stepPass(only?: string[]): Promise<number> {
    return runDueSteps({
      ...(only ? { only } : {}),
      db: this.db,
      versions: this.versions,
      context: this.contextDeps(),
      leaseMs: this.options.leaseMs,
      claimLimit: this.options.claimLimit,
      workspaces: this.options.workspaces ?? null,
      scheduleWakes: (jobs) => this.scheduleWakes(jobs),
      onProgress: (ws, j) => this.options.onProgress?.(ws, j),
      remotePatienceMs: this.options.remotePatienceMs ?? 1000,
      detach: (work) => {
        const tracked = work
          .catch((error) => this.log(`partner batch failed after its pass: ${(error as Error).message}`))
          .finally(() => {
            this.detached.delete(tracked);
            this.lanes.nudge('step');
          });
        this.detached.add(tracked);
      },
    });
  }

  /** Waits for the partner batches that outlived their passes. */
  private async settleDetached(): Promise<void> {
    while (this.detached.size) await Promise.all([...this.detached]);
  }

  /** One outbox pass; returns how many deliveries it handled. */
  dispatch(): Promise<number> {
    return dispatchDeliveries({ db: this.db, leaseMs: this.options.leaseMs, claimLimit: 500, maxAttempts: 6, workspaces: this.options.workspaces ?? null, log: (m) => this.log(m) }, this.channels);
  }

  /** Starts the runs of scheduled and recurring campaigns that are due (the minute tick does it). */
  runDueCampaigns(now = new Date()): Promise<number> {
    return runDueCampaigns(this.db, now, this.options.workspaces ?? null, (m) => this.log(m));
  }

  /** One campaign pass: dispatches every running run once. */
  campaigns(now = new Date()): Promise<number> {
    const workspaces = this.options.workspaces ?? null;
    return dispatchCampaigns(
      {
        db: this.db,
        leaseMs: this.options.leaseMs,
        claimLimit: this.options.campaignBatch ?? 2000,
        maxAttempts: 6,
        workspaces,
        now: () => now,
        log: (m) => this.log(m),
        onProgress: (ws, c) => this.options.onCampaignProgress?.(ws, c),
      },
      this.channels,
    );
  }

  private wecomPollDeps(): WeComPollDeps {
    return {
      db: this.db,
      wecom: this.options.wecom ?? {},
      workspaces: this.options.workspaces ?? null,
      leaseMs: this.options.leaseMs,
      log: (m) => this.log(m),
      onEvents: (ws, events) => this.onEvents(ws, events),
    };
  }

  /** One pass of the WeCom mass-send poller: reads due tasks back from WeCom and settles their customers. */
  wecomMassSends(now = new Date()): Promise<number> {
    return pollMassSends(
      {
        ...this.wecomPollDeps(),
        onCampaignProgress: (ws, c) => this.options.onCampaignProgress?.(ws, c),
      },
      now,
    );
  }

  /** One pass over what WeCom finishes later: transfers, moments, group-chat sends, phone-number outreach. */
  wecomFollowUps(now = new Date()): Promise<number> {
    return pollWeComFollowUps(
      {
        ...this.wecomPollDeps(),
        onChange: (ws) => this.options.onWeComChange?.(ws),
      },
      now,
    );
  }

  /** Runs step, outbox and campaign passes until nothing is due now (tests, tools, the benchmark). */
  async drain(now?: Date): Promise<void> {
    for (;;) {
      await this.wakeDue();
      const steps = await this.step();
      const sent = await this.dispatch();
      await this.runDueCampaigns(now ?? new Date());
      const campaigns = await this.campaigns(now ?? new Date());
      const callbacks = await this.installCallbacks.deliverDue(now ?? new Date());
      const polled = await this.wecomMassSends(now ?? new Date());
      const detached = this.detached.size;
      await this.settleDetached();
      if (steps === 0 && sent === 0 && campaigns === 0 && callbacks === 0 && polled === 0 && detached === 0) return await this.callLog.flush();
    }
  }

  /** Schedule and date triggers due at `now`. */
  runScheduledTriggers(now = new Date()) {
    return runScheduledTriggers(this.triggerDeps(), this.triggers, now, this.options.workspaces ?? null);
  }

  /** Sweeps the segment change log of every workspace (this runtime's, when it is limited to some). */
  sweepAllSegmentTriggers() {
    return sweepSegmentTriggers(this.triggerDeps(), this.triggers, null, this.options.workspaces ?? null);
  }

  /**
   * Wakes waiting enrollments whose wait is over: what the pg-boss wake-up jobs do, and the safety
   * net for a wake-up lost between committing a wait and queuing its job. `graceMs` leaves recent
   * ones to their jobs.
   */
  async wakeDue(graceMs = 0, items?: [string, number][]): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE "Enrollment" e SET status = 'active', "readyAt" = now(),
              wait = e.wait || jsonb_build_object('resolvedPort', CASE WHEN e.wait->>'kind' = 'time' THEN e.wait->>'port' ELSE e.wait->>'timeoutPort' END)
        WHERE e.status = 'waiting' AND e."readyAt" <= now() - $1 * interval '1 millisecond'
          AND ($2::jsonb IS NULL OR (e.id, e.visit) IN (SELECT (x->>0)::uuid, (x->>1)::int FROM jsonb_array_elements($2::jsonb) x))
          AND ($3::uuid[] IS NULL OR e."workspaceId" = ANY($3::uuid[]))
        RETURNING e.id`,
      [graceMs, items ? JSON.stringify(items) : null, this.options.workspaces ? [...this.options.workspaces] : null],
    );
    if (rows.length) this.lanes.nudge('step');
    return rows.length;
  }

  /**
   * A runtime limited to some workspaces (tests sharing a database) may take a wake-up job that is
   * another runtime's; it queues the enrollments it may not touch again for their own runtime.
   */
  private async handBack(items: [string, number][]) {
    const scope = this.options.workspaces;
    if (!scope || !this.boss || !items.length) return;
    const foreign = await this.db.query<{ id: string; visit: number }>(
      `SELECT id, visit FROM "Enrollment" WHERE status = 'waiting' AND NOT ("workspaceId" = ANY($2::uuid[]))
          AND (id, visit) IN (SELECT (x->>0)::uuid, (x->>1)::int FROM jsonb_array_elements($1::jsonb) x)`,
      [JSON.stringify(items), [...scope]],
    );
    if (foreign.length) await this.boss.send(WAKE_QUEUE, { items: foreign.map((f) => [f.id, f.visit]) }, { startAfter: 1 });
  }

  private async scheduleWakes(jobs: WakeJob[]) {
    if (!this.boss) return; // Not started: drain() and the safety net wake them.
    await this.boss.insert(jobs.map((j) => ({ name: WAKE_QUEUE, data: { items: j.items }, startAfter: j.at })));
  }

  private loop(pass: () => Promise<number>, name: string, lane: Lane): Promise<void> {
    return (async () => {
      while (this.running) {
        let handled = 0;
        try {
          handled = await pass();
        } catch (error) {
          this.log(`${name} pass failed: ${(error as Error).message}`);
          await new Promise((r) => setTimeout(r, 1000));
        }
        // A step pass that moved customers may have queued messages: the outbox goes now.
        if (handled > 0 && lane === 'step') this.lanes.nudge('outbox');
        if (handled === 0 && this.running) await this.lanes.idle(lane, this.options.pollMs);
      }
    })();
  }

  /** Starts the workers: step passes, outbox, wake-up jobs (pg-boss), the minute scheduler. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.boss = createBoss(this.db);
    this.boss.on('error', (error) => this.log(`job queue: ${error.message}`));
    const boss = this.boss;
    // Nodes starting together on a fresh database can deadlock while pg-boss installs its schema
    // and queues; the loser simply tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        await boss.start();
        await boss.createQueue(WAKE_QUEUE);
        await boss.createQueue(TICK_QUEUE);
        break;
      } catch (error) {
        if (attempt >= 5) throw error;
        this.log(`job queue start failed (${(error as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 300));
      }
    }
    await boss.work<{ items: [string, number][] }>(WAKE_QUEUE, { batchSize: 50, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      const items = jobs.flatMap((j) => j.data.items);
      await this.wakeDue(0, items);
      await this.handBack(items);
    });
    // Entries and exits committed while no process was listening (a crash, a restart) start their journeys now.
    void this.sweepAllSegmentTriggers().catch((error) => this.log(`segment trigger sweep failed: ${(error as Error).message}`));
    await this.boss.schedule(TICK_QUEUE, '* * * * *');
    await this.boss.work(TICK_QUEUE, async () => {
      await this.runScheduledTriggers();
      await this.sweepAllSegmentTriggers().catch((error) => this.log(`segment trigger sweep failed: ${(error as Error).message}`));
      await this.runDueCampaigns();
      await this.callLog.prune().catch((error) => this.log(`call log prune failed: ${(error as Error).message}`));
      await pruneWeComReceipts(this.db, this.options.workspaces ?? null).catch((error) => this.log(`WeCom receipt prune failed: ${(error as Error).message}`));
    });
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop(() => this.step(), 'step', 'step'));
    this.loops.push(this.loop(() => this.dispatch(), 'outbox', 'outbox'));
    this.loops.push(this.loop(() => this.installCallbacks.deliverDue(), 'install callbacks', 'callbacks'));
    this.loops.push(this.loop(() => this.wecomMassSends(), 'wecom mass sends', 'wecom'));
    this.loops.push(this.loop(() => this.wecomFollowUps(), 'wecom follow-ups', 'wecom'));
    // Campaign passes run side by side like step passes: each claims its own rows (SKIP LOCKED).
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop(() => this.campaigns(), 'campaigns', 'campaigns'));
    this.timers.push(setInterval(() => void this.wakeDue(60_000).catch(() => undefined), 30_000));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.lanes.wakeAll();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all(this.loops);
    await this.settleDetached();
    await this.callLog.flush();
    this.loops = [];
    // A job that hangs must not keep the process alive: give pg-boss 10 s, then let go.
    if (this.boss) await Promise.race([this.boss.stop({ graceful: true, wait: true }).catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
    this.boss = null;
    this.stopListening?.();
    this.stopListening = null;
    await this.channels.close();
  }
}
