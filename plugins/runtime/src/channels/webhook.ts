import { createHash } from 'node:crypto';
import { signedHeaders } from '@courtyard/plugin-sdk';
import { z } from 'zod';
import { mapWithConcurrency } from './concurrency.ts';
import { describeFetchError, isRetryableStatus, snippetOf } from './http.ts';
import type { ChannelDriver, ChannelSendResult, OutboundMessage } from './types.ts';

const WHSEC = 'whsec_';

export const WebhookChannelConfig = z.object({
  /** Where the messages are POSTed (http or https). */
  url: z.url({ protocol: /^https?$/, error: 'give an http:// or https:// address' }),
  /** Signing secret, "whsec_" + base64 (Standard Webhooks) or any plain string. */
  secret: z.string().min(1, 'give the signing secret').refine(
    (s) => !s.startsWith(WHSEC) || /^[A-Za-z0-9+/]+={0,2}$/.test(s.slice(WHSEC.length)),
    'a secret starting with whsec_ must continue in base64',
  ),
  /** How long to wait for the receiver's answer; 10 seconds by default. */
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** POST each send call's messages as one request instead of one request per message; off by default. */
  batch: z.boolean().default(false),
});
export type WebhookChannelConfig = z.infer<typeof WebhookChannelConfig>;

/** Requests in flight at once when each message is its own request. */
const CONCURRENCY = 8;

function messageBody(m: OutboundMessage) {
  return {
    type: 'message' as const,
    idempotencyKey: m.idempotencyKey,
    deliveryId: m.deliveryId,
    workspaceId: m.workspaceId,
    customer: m.customer,
    subject: m.subject,
    body: m.body,
    attachments: m.attachments,
  };
}

/**
 * A batch is retried as the same set of messages, so its id derives from their keys: a receiver
 * that stored the batch once drops the repeat just as it would a single message.
 */
export function batchWebhookId(messages: OutboundMessage[]): string {
  const hash = createHash('sha256');
  for (const m of messages) hash.update(m.idempotencyKey).update('\n');
  return `batch_${hash.digest('base64url')}`;
}

async function post(config: WebhookChannelConfig, id: string, body: string): Promise<ChannelSendResult> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Courtyard-Webhook/1', ...signedHeaders(config.secret, id, body) },
      body,
      // A redirected POST turns into a GET on most servers: the receiver should fix its address.
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return { status: 'failed', error: describeFetchError(error, config.timeoutMs), retryable: true };
  }
  if (response.status >= 200 && response.status < 300) return { status: 'sent' };
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get('location');
    return { status: 'failed', error: `HTTP ${response.status}: the receiver redirects${location ? ` to ${location}` : ''}; redirects are not followed, update the channel's url`, retryable: false };
  }
  const snippet = snippetOf(text);
  return { status: 'failed', error: `HTTP ${response.status} from the receiver${snippet ? `: ${snippet}` : ''}`, retryable: isRetryableStatus(response.status) };
}

export const webhookDriver: ChannelDriver<typeof WebhookChannelConfig> = {
  type: 'webhook',
  title: { 'zh-CN': 'Webhook（签名 HTTP 回调）', en: 'Webhook (signed HTTP POST)' },
  address: 'none',
  config: WebhookChannelConfig,
  open(config) {
    return {
      async send(messages) {
        if (messages.length === 0) return [];
        if (config.batch) {
          const body = JSON.stringify({ type: 'messages', messages: messages.map(messageBody) });
          const result = await post(config, batchWebhookId(messages), body);
          return messages.map(() => result);
        }
        // webhook-id is the idempotency key, so a receiver drops a message retried after a lost answer.
        return mapWithConcurrency(messages, CONCURRENCY, (m) => post(config, m.idempotencyKey, JSON.stringify(messageBody(m))));
      },
    };
  },
};
