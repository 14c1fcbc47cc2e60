import { defineAction, FAILED, NEXT, renderTemplate, step, templateProblems, z, type BatchItem, type JsonObject } from '@courtyard/plugin-sdk';
import { doc } from '../fields.ts';

export const SendMessageConfig = z
  .object({
    channel: z.string().min(1, 'pick a channel').meta(doc('发送渠道（已配置渠道的 id，或渠道类型如 wecom、sms）', 'Channel to send through: a configured channel id, or a channel type such as wecom or sms')),
    subject: z.string().min(1).optional().meta(doc('标题（邮件等渠道使用，可含变量）', 'Subject, for channels that have one; may use variables')),
    body: z
      .string()
      .min(1, 'write the message')
      .max(4000)
      .meta(doc('消息内容，可用 {{customer.name}}、{{links.coupon}} 等变量', 'Message text; may use variables such as {{customer.name}} or {{links.coupon}}')),
    links: z
      .record(z.string().regex(/^[A-Za-z0-9_]+$/, 'use letters, digits and _ in link names'), z.url({ protocol: /^https?$/, message: 'use an http(s) address' }))
      .default({})
      .meta(doc('消息中引用的链接，如 {"coupon": "https://…"}，正文中写 {{links.coupon}}', 'Links the message refers to, e.g. {"coupon": "https://…"}, used as {{links.coupon}}')),
    marketing: z
      .boolean()
      .default(true)
      .meta(doc('营销消息：需客户同意，受免打扰时段和频次限制', 'Marketing message: needs consent and respects quiet hours and the frequency cap')),
  })
  .superRefine((config, ctx) => {
    for (const field of ['body', 'subject'] as const) {
      const template = config[field];
      const problem = template === undefined ? undefined : templateProblems(template, { links: config.links, linksPath: 'links', trigger: true })[0];
      if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
    }
  });
export type SendMessageConfig = z.infer<typeof SendMessageConfig>;

function templateTrigger(item: BatchItem): JsonObject {
  return item.trigger as unknown as JsonObject;
}

export const sendMessageAction = defineAction({
  id: 'courtyard.send-message',
  version: '1.0.0',
  title: { 'zh-CN': '发送消息', en: 'Send a message' },
  description: {
    'zh-CN': '通过企业微信、短信等渠道给客户发送个性化消息，遵守营销同意、免打扰和频次限制',
    en: 'Sends a personalised message through WeCom, SMS or another channel, honouring consent, quiet hours and the frequency cap',
  },
  icon: 'message',
  config: SendMessageConfig,
  ports: [...NEXT, FAILED],
  scopes: ['customers:read', 'messages:send'],
  async run({ items, config, ctx }) {
    const outcomes = await ctx.messages.send(
      items.map((item) => {
        const scope = { customer: item.customer, trigger: templateTrigger(item), links: config.links };
        return {
          item,
          content: {
            channel: config.channel,
            ...(config.subject ? { subject: renderTemplate(config.subject, scope) } : {}),
            body: renderTemplate(config.body, scope),
            marketing: config.marketing,
          },
        };
      }),
    );
    if (outcomes.length !== items.length) throw new Error(`the outbox answered ${outcomes.length} outcomes for ${items.length} messages`);
    return outcomes.map((outcome) => {
      if (outcome.status === 'queued') return step.next('next', { deliveryId: outcome.deliveryId });
      // A skipped message is the brand's rules working (no consent, capped), not a failure.
      if (outcome.status === 'skipped') return step.next('next', { skipped: outcome.reason });
      return step.again(outcome.until, outcome.reason);
    });
  },
});

export const messageNodes = [sendMessageAction];
