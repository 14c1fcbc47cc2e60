import { describe, expect, it } from 'vitest';
import { portsOf, type EnrollmentTrigger } from '@courtyard/plugin-sdk';
import { configIssues, runNode } from '../testing.ts';
import { sendMessageAction } from './index.ts';

const config = {
  channel: 'wecom',
  body: '{{customer.name}}，您的购物车里还有 {{trigger.event.properties.productName}}，领券：{{links.coupon}}',
  links: { coupon: 'https://shop.example.cn/c/618' },
};

const trigger: EnrollmentTrigger = {
  kind: 'event',
  event: { id: 'ev-1', type: 'cart.abandoned', properties: { productName: '龙井礼盒' }, occurredAt: '2024-06-03T01:00:00.000Z' },
};

describe('send message action', () => {
  it('renders the template per customer and sends the batch in one call', async () => {
    const { results, ctx } = await runNode(sendMessageAction, config, [{ id: 'a', name: '王芳' }, { id: 'b', name: '李雷' }], { trigger });
    expect(ctx.callCount('messages.send')).toBe(1);
    expect(ctx.outbox.map((m) => m.content)).toEqual([
      { channel: 'wecom', body: '王芳，您的购物车里还有 龙井礼盒，领券：https://shop.example.cn/c/618', marketing: true },
      { channel: 'wecom', body: '李雷，您的购物车里还有 龙井礼盒，领券：https://shop.example.cn/c/618', marketing: true },
    ]);
    expect(results).toEqual([
      { kind: 'next', port: 'next', output: { deliveryId: 'delivery-1' } },
      { kind: 'next', port: 'next', output: { deliveryId: 'delivery-2' } },
    ]);
  });

  it('renders the subject too', async () => {
    const { ctx } = await runNode(sendMessageAction, { channel: 'email', subject: '{{customer.name}} 的专属礼遇', body: 'hi' }, [{ id: 'a', name: '王芳' }]);
    expect(ctx.outbox[0]!.content.subject).toBe('王芳 的专属礼遇');
  });

  it('a customer without marketing consent or on the blacklist is skipped and goes on', async () => {
    const { results } = await runNode(sendMessageAction, config, [{ id: 'no', marketingConsent: false }, { id: 'black', blacklisted: true }], { trigger });
    expect(results).toEqual([
      { kind: 'next', port: 'next', output: { skipped: 'no-consent' } },
      { kind: 'next', port: 'next', output: { skipped: 'blacklisted' } },
    ]);
  });

  it('a service message reaches a customer without marketing consent', async () => {
    const { results } = await runNode(sendMessageAction, { ...config, marketing: false }, [{ id: 'no', marketingConsent: false }], { trigger });
    expect(results[0]).toMatchObject({ kind: 'next', output: { deliveryId: 'delivery-1' } });
  });

  it('a message deferred by quiet hours runs the node again when they end', async () => {
    const morning = new Date('2024-06-04T00:00:00.000Z');
    const { results } = await runNode(sendMessageAction, config, [{ id: 'a' }], { trigger, send: () => ({ status: 'deferred', until: morning, reason: 'quiet-hours' }) });
    expect(results).toEqual([{ kind: 'again', at: morning, reason: 'quiet-hours' }]);
  });

  it('declares next and failed ports', () => {
    expect(portsOf(sendMessageAction, config)).toEqual(['next', 'failed']);
  });

  it('an unclosed tag is rejected on body', () => {
    expect(configIssues(sendMessageAction, { channel: 'wecom', body: '你好 {{customer.name' }).map((i) => i.path)).toEqual(['body']);
  });

  it('a link the body uses but the config lacks is rejected on body', () => {
    const issues = configIssues(sendMessageAction, { channel: 'wecom', body: '{{links.coupon}}' });
    expect(issues.map((i) => i.path)).toEqual(['body']);
    expect(issues[0]!.message).toMatch(/links\.coupon/);
  });

  it('an unknown variable is rejected on subject', () => {
    expect(configIssues(sendMessageAction, { channel: 'email', subject: '{{shop.name}}', body: 'hi' }).map((i) => i.path)).toEqual(['subject']);
  });

  it('a link that is not a web address is rejected on its name', () => {
    expect(configIssues(sendMessageAction, { ...config, links: { coupon: 'javascript:alert(1)' } }).map((i) => i.path)).toEqual(['links.coupon']);
  });
});
