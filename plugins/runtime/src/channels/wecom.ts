import type { Json } from '@courtyard/plugin-sdk';
import { z } from 'zod';
import { mapWithConcurrency } from './concurrency.ts';
import { createWecomClient, type WecomCallResult } from './wecom-client.ts';
import type { ChannelDriver, ChannelSendResult, OutboundMessage } from './types.ts';

export const WecomChannelConfig = z.object({
  /** The company's CorpID (企业ID). */
  corpId: z.string().trim().min(1, 'give the CorpID (企业ID)'),
  /** Secret of a self-built app allowed to call customer-contact (客户联系) APIs. */
  secret: z.string().trim().min(1, "give the app's secret"),
  /** The app's AgentId; not needed for customer messages, kept for app notifications. */
  agentId: z.number().int().positive().optional(),
  /** API host; https://qyapi.weixin.qq.com by default (a proxy or a test stand-in otherwise). */
  baseUrl: z.url({ protocol: /^https?$/, error: 'give an http:// or https:// address' }).default('https://qyapi.weixin.qq.com'),
  /** How long to wait for each WeCom call; 10 seconds by default. */
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
});
export type WecomChannelConfig = z.infer<typeof WecomChannelConfig>;

/** add_msg_template limits (doc 92135): customers per task, bytes of text, attachments. */
export const WECOM_MAX_RECIPIENTS = 10_000;
const MAX_TEXT_BYTES = 4000;
const MAX_ATTACHMENTS = 9;
/** Tasks created at once; WeCom limits calls per minute, not per message, so this stays small. */
const CONCURRENCY = 4;

/** Attachments reach WeCom as they are, so each must already be one of its kinds. */
const WecomAttachment = z.object({ msgtype: z.enum(['image', 'link', 'miniprogram', 'video', 'file']) }).loose();

interface Addressed {
  index: number;
  externalUserId: string;
}

/** One add_msg_template call: the same sender and content for every listed customer. */
interface Task {
  sender: string;
  content: string;
  attachments: Json[];
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
 * A task carries one text for all its customers, so messages share a task only when sender, text
 * and attachments are all equal; a customer appears once per task so each delivery keeps its own
 * result.
 */
export function planTasks(messages: OutboundMessage[], skip: ReadonlySet<number>): Task[] {
  const groups = new Map<string, { task: Task; ids: Set<string> }[]>();
  const tasks: Task[] = [];
  messages.forEach((m, index) => {
    if (skip.has(index)) return;
    const sender = m.customer.ownerStaff!.wecomUserId!;
    const externalUserId = m.customer.wecomExternalId!;
    const key = JSON.stringify([sender, m.body, m.attachments]);
    const open = groups.get(key) ?? [];
    groups.set(key, open);
    let slot = open.find((s) => s.task.recipients.length < WECOM_MAX_RECIPIENTS && !s.ids.has(externalUserId));
    if (!slot) {
      slot = { task: { sender, content: m.body, attachments: m.attachments, recipients: [] }, ids: new Set() };
      open.push(slot);
      tasks.push(slot.task);
    }
    slot.task.recipients.push({ index, externalUserId });
    slot.ids.add(externalUserId);
  });
  return tasks;
}

function taskBody(task: Task) {
  return {
    chat_type: 'single',
    external_userid: task.recipients.map((r) => r.externalUserId),
    sender: task.sender,
    ...(task.content ? { text: { content: task.content } } : {}),
    ...(task.attachments.length ? { attachments: task.attachments } : {}),
  };
}

function resultsOf(task: Task, result: WecomCallResult): ChannelSendResult[] {
  if (!result.ok) return task.recipients.map(() => ({ status: 'failed', error: result.error, retryable: result.retryable }));
  const msgid = typeof result.data.msgid === 'string' ? result.data.msgid : undefined;
  const rejected = new Set(Array.isArray(result.data.fail_list) ? result.data.fail_list : []);
  return task.recipients.map((r): ChannelSendResult => rejected.has(r.externalUserId)
    ? { status: 'failed', error: `WeCom cannot send to this customer from ${task.sender} (not their contact, or not reachable)`, retryable: false }
    : { status: 'sent', providerMessageId: msgid });
}

export const wecomDriver: ChannelDriver<typeof WecomChannelConfig> = {
  type: 'wecom',
  title: { 'zh-CN': '企业微信（客户群发）', en: 'WeCom (customer message)' },
  address: 'wecomExternalId',
  config: WecomChannelConfig,
  open(config) {
    const client = createWecomClient(config);
    return {
      async send(messages) {
        const results = new Array<ChannelSendResult>(messages.length);
        const skip = new Set<number>();
        messages.forEach((m, index) => {
          const problem = problemOf(m);
          if (problem) {
            results[index] = { status: 'failed', error: problem, retryable: false };
            skip.add(index);
          }
        });
        // add_msg_template only queues a task in the sender's WeCom app; the customer gets the
        // message once the staff member confirms it. "sent" here means WeCom accepted the task
        // (providerMessageId = its msgid); confirmation is read back separately. WeCom has no
        // idempotency key, so a retry after a lost answer can queue a second task for the staff
        // member to confirm.
        await mapWithConcurrency(planTasks(messages, skip), CONCURRENCY, async (task) => {
          const taskResults = resultsOf(task, await client.post('/cgi-bin/externalcontact/add_msg_template', taskBody(task)));
          task.recipients.forEach((r, i) => {
            results[r.index] = taskResults[i]!;
          });
        });
        return results;
      },
    };
  },
};
