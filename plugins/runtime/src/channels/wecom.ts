// The wecom channel: messages become WeCom mass-send tasks (add_msg_template), one per sender staff
// member and content, recorded in WeComMassSend. A task only asks the staff member to confirm in
// their WeCom app; the delivery is "sent" to WeCom with confirmation `waiting`, and the mass-send
// poller (engine/wecom-mass-sends.ts) reads back what the staff member actually sent.
import { isUuid, type Db } from '@courtyard/db';
import type { Json } from '@courtyard/plugin-sdk';
import { WeComError, type WeComClient } from '@courtyard/wecom';
import { z } from 'zod';
import { mapWithConcurrency } from './concurrency.ts';
import { explicitWeComClient, workspaceWeComClient } from './wecom-connection.ts';
import { loadQuotaSettings, quotaReason, quotaUsed, quotaWindow } from './wecom-quota.ts';
import type { ChannelContext, ChannelDriver, ChannelSendResult, OutboundMessage } from './types.ts';

/**
 * By default the channel sends through the workspace's WeCom connection (credentials sealed, set
 * up under WeCom settings). Channels created before connections carry their own corpId and secret;
 * those still work, and the mass-send poller reads their tasks with the same credentials.
 */
export const WecomChannelConfig = z
  .object({
    /** The company's CorpID (企业ID); only for a channel with its own credentials. */
    corpId: z.string().trim().min(1, 'give the CorpID (企业ID)').optional(),
    /** Secret of a self-built app allowed to call customer-contact (客户联系) APIs; with corpId. */
    secret: z.string().trim().min(1, "give the app's secret").optional(),
    /** The app's AgentId; not needed for customer messages, kept for app notifications. */
    agentId: z.number().int().positive().optional(),
    /** API host, with corpId and secret; https://qyapi.weixin.qq.com by default. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'give an http:// or https:// address' }).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.corpId && !config.secret) ctx.addIssue({ code: 'custom', path: ['secret'], message: "give the app's secret with the CorpID, or neither to use the workspace's WeCom connection" });
    if (config.secret && !config.corpId) ctx.addIssue({ code: 'custom', path: ['corpId'], message: "give the CorpID with the secret, or neither to use the workspace's WeCom connection" });
  });
export type WecomChannelConfig = z.infer<typeof WecomChannelConfig>;

/** add_msg_template limits (notes §7): customers per task, bytes of text, attachments. */
export const WECOM_MAX_RECIPIENTS = 10_000;
const MAX_TEXT_BYTES = 4000;
const MAX_ATTACHMENTS = 9;
/** Tasks created at once; WeCom limits calls per minute, not per message, so this stays small. */
const CONCURRENCY = 4;
const DEFAULT_POLL_MS = 5 * 60_000;
/**
 * How long a task whose add_msg_template answer was lost is looked for in WeCom's list before it
 * is created again. WeCom takes no idempotency key for it and documents no delay before
 * get_groupmsg_list_v2 lists a new task; creating it again too early reaches the customer twice and
 * spends a second slot of their receive limit (one a day in the strictest mode). Waiting costs
 * little: the task only asks a staff member to confirm it within the workspace's confirm hours (24
 * h by default), and 10 minutes covers a list that lags by seconds or minutes. A task WeCom lists
 * only after the window is still created twice (its msgid is then unknown to Courtyard).
 */
export const RECONCILE_WINDOW_MS = 10 * 60_000;
/**
 * While reconciling, the list is searched again this often. Each search is an attempt of the
 * deliveries (the dispatchers allow 6): the lost call, searches at +1 s, +4 and +8 minutes, and the
 * new creation at +10 minutes leave that creation one retry.
 */
export const RECONCILE_EVERY_MS = 4 * 60_000;

/** Attachments reach WeCom as they are, so each must already be one of its kinds. */
const WecomAttachment = z.object({ msgtype: z.enum(['image', 'link', 'miniprogram', 'video', 'file']) }).loose();

/** What asked for the message: a campaign run, or a journey node. One task never mixes two. */
interface Source {
  campaignId: string | null;
  campaignRunId: string | null;
  journeyId: string | null;
  nodeId: string | null;
}
const NO_SOURCE: Source = { campaignId: null, campaignRunId: null, journeyId: null, nodeId: null };

interface Addressed {
  index: number;
  externalUserId: string;
}

/** One add_msg_template call: the same sender and content for every listed customer. */
export interface PlannedTask {
  workspaceId: string;
  sender: string;
  content: string;
  attachments: Json[];
  source: Source;
  recipients: Addressed[];
}

/** Why the message cannot go out through WeCom at all, or null when it can. */
function problemOf(m: OutboundMessage): string | null {
  if (!m.customer.wecomExternalId) return 'customer has no WeCom external contact id (not added on WeCom)';
  if (!m.customer.ownerStaff) return 'customer has no owner staff to send from on WeCom';
  if (!m.customer.ownerStaff.wecomUserId) return `owner staff ${m.customer.ownerStaff.name} has no WeCom user id`;
  if (!m.body && m.attachments.length === 0) return 'the message has neither text nor attachments';
  if (Buffer.byteLength(m.body, 'utf8') > MAX_TEXT_BYTES) return `the text is longer than WeCom's ${MAX_TEXT_BYTES} bytes`;
  if (m.attachments.length > MAX_ATTACHMENTS) return `WeCom takes at most ${MAX_ATTACHMENTS} attachments, the message has ${m.attachments.length}`;
  const bad = m.attachments.findIndex((a) => !WecomAttachment.safeParse(a).success);
  if (bad >= 0) return `attachment ${bad + 1} is not a WeCom attachment (msgtype image, link, miniprogram, video or file)`;
  return null;
}

/**
 * A task carries one text for all its customers, so messages share a task only when workspace,
 * source, sender, text and attachments are all equal; a customer appears once per task so each
 * delivery keeps its own result.
 */
export function planTasks(messages: OutboundMessage[], skip: ReadonlySet<number>, sources: ReadonlyMap<string, Source> = new Map()): PlannedTask[] {
  const groups = new Map<string, { task: PlannedTask; ids: Set<string> }[]>();
  const tasks: PlannedTask[] = [];
  messages.forEach((m, index) => {
    if (skip.has(index)) return;
    const sender = m.customer.ownerStaff!.wecomUserId!;
    const externalUserId = m.customer.wecomExternalId!;
    const source = sources.get(m.deliveryId) ?? NO_SOURCE;
    const key = JSON.stringify([m.workspaceId, source, sender, m.body, m.attachments]);
    const open = groups.get(key) ?? [];
    groups.set(key, open);
    let slot = open.find((s) => s.task.recipients.length < WECOM_MAX_RECIPIENTS && !s.ids.has(externalUserId));
    if (!slot) {
      slot = { task: { workspaceId: m.workspaceId, sender, content: m.body, attachments: m.attachments, source, recipients: [] }, ids: new Set() };
      open.push(slot);
      tasks.push(slot.task);
    }
    slot.task.recipients.push({ index, externalUserId });
    slot.ids.add(externalUserId);
  });
  return tasks;
}

export function taskBody(task: Pick<PlannedTask, 'sender' | 'content' | 'attachments'> & { recipients: { externalUserId: string }[] }) {
  return {
    chat_type: 'single' as const,
    external_userid: task.recipients.map((r) => r.externalUserId),
    sender: task.sender,
    ...(task.content ? { text: { content: task.content } } : {}),
    ...(task.attachments.length ? { attachments: task.attachments as never[] } : {}),
  };
}

interface DeliveryState extends Source {
  id: string;
  wecomTaskId: string | null;
  taskStatus: string | null;
  msgid: string | null;
  taskCreatedAt: Date | null;
  taskContent: string | null;
  taskStaff: string | null;
  reconcileUntil: Date | null;
}

async function deliveryStates(db: Db, ids: string[]): Promise<Map<string, DeliveryState>> {
  const uuids = ids.filter(isUuid);
  if (!uuids.length) return new Map();
  const rows = await db.query<DeliveryState>(
    `SELECT d.id, d."campaignId", d."campaignRunId", d."journeyId", d."nodeId", d."wecomTaskId",
            t.status::text AS "taskStatus", t.msgid, t."createdAt" AS "taskCreatedAt", t.content AS "taskContent", t."staffUserId" AS "taskStaff",
            t."reconcileUntil"
       FROM "Delivery" d LEFT JOIN "WeComMassSend" t ON t.id = d."wecomTaskId"
      WHERE d.id = ANY($1::uuid[])`,
    [uuids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * add_msg_template has no idempotency key. A task is recorded (status `creating`, its deliveries
 * linked) before WeCom is asked; when the answer is lost the row turns `uncertain` with a
 * reconciliation window, and each retry of its deliveries looks for the task in
 * get_groupmsg_list_v2 (same text, created since the row, a task for the same staff member, msgid
 * not yet known): found, it is adopted; not found, the deliveries wait for the next search until
 * the window ends, and only then is the task created again (RECONCILE_WINDOW_MS says why).
 */
async function reconcile(db: Db, client: WeComClient, workspaceId: string, task: { id: string; createdAt: Date; content: string; staff: string }): Promise<string | null> {
  return findLostTask(client, { chatType: 'single', ...task }, heldMsgids(db, 'WeComMassSend', workspaceId));
}

/** Which of WeCom's msgids the workspace's tasks in `table` already hold (findLostTask skips those). */
export function heldMsgids(db: Db, table: 'WeComMassSend' | 'WeComGroupSend', workspaceId: string) {
  return async (msgids: string[]) =>
    new Set((await db.query<{ msgid: string }>(`SELECT msgid FROM "${table}" WHERE "workspaceId" = $1 AND msgid = ANY($2::text[])`, [workspaceId, msgids])).map((r) => r.msgid));
}

/**
 * The msgid of a task whose add_msg_template answer was lost, from get_groupmsg_list_v2: same
 * chat type and text, created since the task was recorded (a minute of clock skew allowed), a
 * msgid Courtyard does not hold yet (`known` names those among a page's candidates), and a task
 * for the same sender. Null when WeCom does not list it (yet).
 */
export async function findLostTask(
  client: WeComClient,
  task: { chatType: 'single' | 'group'; createdAt: Date; content: string; staff: string },
  known: (msgids: string[]) => Promise<Set<string>>,
): Promise<string | null> {
  const start = Math.floor(new Date(task.createdAt).getTime() / 1000) - 60;
  const end = Math.floor(Date.now() / 1000) + 60;
  let cursor: string | undefined;
  do {
    const page = await client.call('externalcontact/get_groupmsg_list_v2', { chat_type: task.chatType, start_time: start, end_time: end, filter_type: 0, limit: 100, ...(cursor ? { cursor } : {}) });
    const candidates = page.group_msg_list.filter((g) => (g.text?.content ?? '') === task.content);
    if (candidates.length) {
      const held = await known(candidates.map((c) => c.msgid));
      for (const candidate of candidates) {
        if (held.has(candidate.msgid)) continue;
        const tasks = await client.call('externalcontact/get_groupmsg_task', { msgid: candidate.msgid, limit: 1000 });
        if (tasks.task_list.some((t) => t.userid === task.staff)) return candidate.msgid;
      }
    }
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return null;
}

export const wecomDriver: ChannelDriver<typeof WecomChannelConfig> = {
  type: 'wecom',
  title: { 'zh-CN': '企业微信（客户群发）', en: 'WeCom (customer message)' },
  address: 'wecomExternalId',
  config: WecomChannelConfig,
  open(config, context?: ChannelContext) {
    const overrides = context?.wecom?.client;
    const pollMs = context?.wecom?.pollMs ?? DEFAULT_POLL_MS;
    const reconcileWindowMs = context?.wecom?.reconcileWindowMs ?? RECONCILE_WINDOW_MS;
    const reconcileEveryMs = context?.wecom?.reconcileEveryMs ?? RECONCILE_EVERY_MS;
    const clientFor = async (workspaceId: string): Promise<WeComClient | null> =>
      config.corpId && config.secret
        ? explicitWeComClient({ corpId: config.corpId, secret: config.secret, baseUrl: config.baseUrl }, overrides)
        : context
          ? workspaceWeComClient(context.db, workspaceId, overrides)
          : null;
    return {
      async send(messages) {
        if (!context) throw Object.assign(new Error('the wecom channel needs the runtime (it records mass-send tasks)'), { final: true });
        const db = context.db;
        const results = new Array<ChannelSendResult>(messages.length);
        const skip = new Set<number>();
        const done = (index: number, result: ChannelSendResult) => {
          results[index] = result;
          skip.add(index);
        };
        messages.forEach((m, index) => {
          const problem = problemOf(m);
          if (problem) done(index, { status: 'failed', error: problem, retryable: false });
        });
        const states = await deliveryStates(db, messages.map((m) => m.deliveryId));

        // Deliveries a previous attempt already handed to WeCom: the task exists (sent), or its
        // answer was lost (reconcile, else create again).
        const creating = new Map<string, { task: { id: string; createdAt: Date; content: string; staff: string; reconcileUntil: Date | null }; workspaceId: string; indexes: number[] }>();
        messages.forEach((m, index) => {
          const state = states.get(m.deliveryId);
          if (skip.has(index) || !state?.wecomTaskId) return;
          if (state.msgid) return done(index, { status: 'sent', providerMessageId: state.msgid });
          // `creating` here: an earlier attempt stopped between recording the task and WeCom's answer.
          if (state.taskStatus === 'uncertain' || state.taskStatus === 'creating') {
            const task = { id: state.wecomTaskId, createdAt: state.taskCreatedAt!, content: state.taskContent ?? '', staff: state.taskStaff ?? '', reconcileUntil: state.reconcileUntil };
            const entry = creating.get(state.wecomTaskId) ?? { task, workspaceId: m.workspaceId, indexes: [] };
            entry.indexes.push(index);
            creating.set(state.wecomTaskId, entry);
          }
        });
        for (const entry of creating.values()) {
          const client = await clientFor(entry.workspaceId);
          if (!client) continue;
          try {
            const msgid = await reconcile(db, client, entry.workspaceId, entry.task);
            const until = new Date(entry.task.reconcileUntil ?? new Date(new Date(entry.task.createdAt).getTime() + reconcileWindowMs));
            const now = Date.now();
            if (msgid) {
              await acceptTask(db, entry.task.id, msgid, [], pollMs);
              for (const index of entry.indexes) done(index, { status: 'sent', providerMessageId: msgid });
            } else if (now < until.getTime()) {
              // Not listed (yet): WeCom's list may lag its writes. Look again later, create nothing.
              await db.query(`UPDATE "WeComMassSend" SET status = 'uncertain', "reconcileUntil" = $2 WHERE id = $1 AND msgid IS NULL`, [entry.task.id, until]);
              const next = new Date(Math.min(until.getTime(), now + reconcileEveryMs));
              const error = `WeCom's answer to add_msg_template was lost; looking for the task in WeCom's list until ${until.toISOString()} before creating it again`;
              for (const index of entry.indexes) done(index, { status: 'deferred', error, until: next });
            } else {
              // Not listed within the window: WeCom did not create it. Forget the row and plan these deliveries afresh.
              await dropTask(db, entry.task.id);
            }
          } catch (error) {
            for (const index of entry.indexes) done(index, { status: 'failed', error: `checking a task whose creation answer was lost: ${(error as Error).message}`, retryable: true });
          }
        }

        // The shared per-customer quota, per workspace, counting this batch as it goes.
        const byWorkspace = new Map<string, number[]>();
        messages.forEach((m, index) => {
          if (skip.has(index) || !isUuid(m.customer.id)) return;
          byWorkspace.set(m.workspaceId, [...(byWorkspace.get(m.workspaceId) ?? []), index]);
        });
        const now = new Date();
        for (const [workspaceId, indexes] of byWorkspace) {
          const settings = await loadQuotaSettings(db, workspaceId);
          const window = quotaWindow(settings, now);
          const used = await quotaUsed(db, indexes.map((i) => messages[i]!.customer.id), window);
          for (const index of indexes) {
            const customerId = messages[index]!.customer.id;
            const count = used.get(customerId) ?? 0;
            if (count >= window.limit) {
              const reason = quotaReason(settings, window);
              done(index, settings.action === 'skip' ? { status: 'skipped', error: reason } : { status: 'deferred', error: reason, until: window.end });
            } else used.set(customerId, count + 1);
          }
        }

        const sources = new Map([...states].map(([id, s]) => [id, { campaignId: s.campaignId, campaignRunId: s.campaignRunId, journeyId: s.journeyId, nodeId: s.nodeId }]));
        await mapWithConcurrency(planTasks(messages, skip, sources), CONCURRENCY, async (task) => {
          const set = (result: ChannelSendResult | ((r: Addressed) => ChannelSendResult)) => task.recipients.forEach((r) => (results[r.index] = typeof result === 'function' ? result(r) : result));
          const client = await clientFor(task.workspaceId);
          if (!client) return set({ status: 'failed', error: 'WeCom is not connected in this workspace (connect it under WeCom settings)', retryable: false });
          const deliveryIds = task.recipients.map((r) => messages[r.index]!.deliveryId).filter(isUuid);
          const taskId = await recordTask(db, task, deliveryIds);
          try {
            const answer = await client.call('externalcontact/add_msg_template', taskBody(task));
            const rejected = new Set(answer.fail_list ?? []);
            const rejectedIds = task.recipients.filter((r) => rejected.has(r.externalUserId)).map((r) => messages[r.index]!.deliveryId);
            await acceptTask(db, taskId, answer.msgid, rejectedIds, pollMs);
            set((r) =>
              rejected.has(r.externalUserId)
                ? { status: 'failed', error: `WeCom cannot send to this customer from ${task.sender} (not their contact, or not reachable)`, retryable: false }
                : { status: 'sent', providerMessageId: answer.msgid },
            );
          } catch (error) {
            if (error instanceof WeComError) {
              // WeCom answered: no task was created. 41048: none of the customers can be sent to.
              await dropTask(db, taskId);
              const message = error.code === 41048 ? `WeCom has no customer to send to from ${task.sender} (${error.code})` : error.message;
              return set({ status: 'failed', error: message, retryable: error.retryable });
            }
            // No answer: WeCom may or may not have created it. The row turns `uncertain`; the retry reconciles.
            await db.query(`UPDATE "WeComMassSend" SET status = 'uncertain', "reconcileUntil" = now() + $3 * interval '1 millisecond', "lastError" = $2 WHERE id = $1`, [
              taskId,
              (error as Error).message,
              reconcileWindowMs,
            ]);
            set({ status: 'failed', error: `WeCom did not answer add_msg_template: ${(error as Error).message}`, retryable: true });
          }
        });
        return results;
      },
    };
  },
};

/** Records the task (`creating`) and links its deliveries before WeCom is asked. */
async function recordTask(db: Db, task: PlannedTask, deliveryIds: string[]): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `WITH t AS (
       INSERT INTO "WeComMassSend" ("workspaceId", "staffUserId", "campaignId", "campaignRunId", "journeyId", "nodeId", recipients, content, "expiresAt")
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, now() + w."wecomMassSendHours" * interval '1 hour' FROM "Workspace" w WHERE w.id = $1
       RETURNING id),
     linked AS (UPDATE "Delivery" d SET "wecomTaskId" = t.id FROM t WHERE d.id = ANY($9::uuid[]) RETURNING d.id)
     SELECT id, (SELECT count(*) FROM linked) AS linked FROM t`,
    [task.workspaceId, task.sender, task.source.campaignId, task.source.campaignRunId, task.source.journeyId, task.source.nodeId, task.recipients.length, task.content, deliveryIds],
  );
  if (!row) throw new Error(`workspace ${task.workspaceId} not found`);
  return row.id;
}

/** WeCom created the task: it waits for its staff member; customers WeCom refused at once have failed. */
async function acceptTask(db: Db, taskId: string, msgid: string, rejectedDeliveryIds: string[], pollMs: number): Promise<void> {
  await db.query(
    `WITH d AS (
       UPDATE "Delivery" SET confirmation = CASE WHEN id = ANY($3::uuid[]) THEN 'failed'::"WeComConfirmation" ELSE 'waiting'::"WeComConfirmation" END
        WHERE "wecomTaskId" = $1 RETURNING confirmation)
     UPDATE "WeComMassSend" SET msgid = $2, status = 'waiting', "lastError" = NULL, "reconcileUntil" = NULL,
            failed = (SELECT count(*) FROM d WHERE confirmation = 'failed'),
            "nextPollAt" = LEAST("expiresAt", now() + $4 * interval '1 millisecond')
      WHERE id = $1`,
    [taskId, msgid, rejectedDeliveryIds.filter(isUuid), pollMs],
  );
}

async function dropTask(db: Db, taskId: string): Promise<void> {
  await db.query(
    `WITH d AS (UPDATE "Delivery" SET "wecomTaskId" = NULL, confirmation = NULL WHERE "wecomTaskId" = $1)
     DELETE FROM "WeComMassSend" WHERE id = $1`,
    [taskId],
  );
}
