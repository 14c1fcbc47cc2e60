import { defineAction, FAILED, NEXT, secretString, step, z, type BatchItem, type Json, type NodeContext, type StepResult } from '@courtyard/plugin-sdk';
import { doc } from '../fields.ts';

export const CallWebhookConfig = z.object({
  url: z
    .url({ protocol: /^https$/, message: 'use an https:// address: the request carries customer data' })
    .meta(doc('接收地址（https）', 'Address to POST to (https)')),
  // Write-only: sealed when the journey is saved, shown as set / not set, opened only for run.
  secret: secretString(
    z
      .string()
      .min(16, 'use a secret of at least 16 characters, e.g. one starting with whsec_')
      .meta(doc('签名密钥（Standard Webhooks，whsec_ 开头），对方用它验证请求', 'Signing secret (Standard Webhooks, whsec_…) the receiver verifies requests with')),
  ),
  data: z
    .record(z.string(), z.json())
    .default({})
    .meta(doc('随请求一起发送的固定数据，如 {"campaign": "618"}', 'Fixed data sent along, e.g. {"campaign": "618"}')),
  timeoutMs: z.number().int().min(1000).max(30_000).default(10_000).meta(doc('超时（毫秒），超时会重试', 'Timeout in milliseconds; a timeout is retried')),
});
export type CallWebhookConfig = z.infer<typeof CallWebhookConfig>;

/** What the receiver gets for one customer. */
export function webhookPayload(item: BatchItem, config: CallWebhookConfig, ctx: NodeContext): Json {
  const c = item.customer;
  return {
    type: 'journey.step',
    journey: { id: ctx.journey.id, versionId: ctx.journey.versionId, nodeId: ctx.journey.nodeId },
    enrollmentId: item.enrollmentId,
    customer: {
      id: c.id,
      name: c.name,
      phone: c.phone,
      email: c.email,
      gender: c.gender,
      birthday: c.birthday,
      city: c.city,
      lifecycleStage: c.lifecycleStage,
      wecomExternalId: c.wecomExternalId,
      unionId: c.unionId,
      ownerStaffId: c.ownerStaffId,
      tagIds: c.tagIds,
      attributes: c.attributes,
      orderCount: c.orderCount,
      totalSpentCents: c.totalSpentCents,
    },
    trigger: item.trigger as unknown as Json,
    data: config.data,
  };
}

/** How a receiver's answer moves the customer on. */
export function webhookResult(status: number): StepResult<'next' | 'failed'> {
  if (status >= 200 && status < 300) return step.next('next', { status });
  // Timeouts and rate limits are 4xx but pass with time.
  if (status >= 500 || status === 408 || status === 429) return step.retry(`the receiver answered ${status}`);
  return step.fail(`the receiver answered ${status}`);
}

/** Requests in flight at once per batch, so one batch cannot flood the receiver. */
const CONCURRENCY = 10;

export const callWebhookAction = defineAction({
  id: 'courtyard.call-webhook',
  version: '1.0.0',
  title: { 'zh-CN': '调用 Webhook', en: 'Call a webhook' },
  description: {
    'zh-CN': '把客户资料签名后推送到外部系统（如 ERP、CRM），对方返回失败时走“失败”分支',
    en: 'POSTs the customer, signed, to an outside system (ERP, CRM); a rejection takes the failed port',
  },
  icon: 'webhook',
  config: CallWebhookConfig,
  ports: [...NEXT, FAILED],
  scopes: ['customers:read', 'http:outbound'],
  batchSize: 100,
  async run({ items, config, ctx }) {
    // One request per customer is the contract with the receiver (each carries its own
    // idempotency key); they go out concurrently, a few at a time.
    const results: StepResult<'next' | 'failed'>[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        const item = items[i]!;
        try {
          const answer = await ctx.http.postSigned({
            url: config.url,
            secret: config.secret,
            idempotencyKey: item.idempotencyKey,
            body: webhookPayload(item, config, ctx),
            timeoutMs: config.timeoutMs,
          });
          results[i] = webhookResult(answer.status);
        } catch (error) {
          results[i] = step.retry(`the request failed: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
    return results;
  },
});

export const webhookNodes = [callWebhookAction];
