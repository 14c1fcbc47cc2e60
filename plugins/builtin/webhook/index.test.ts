import { describe, expect, it } from 'vitest';
import { portsOf, secretFields } from '@courtyard/plugin-sdk';
import { configIssues, runNode } from '../testing.ts';
import { callWebhookAction, webhookResult } from './index.ts';

const config = { url: 'https://erp.example.cn/hooks/courtyard', secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=', data: { campaign: '618' } };

describe('call webhook action', () => {
  it('posts each customer signed with the step’s idempotency key and goes on after a 2xx', async () => {
    const { results, ctx, items } = await runNode(callWebhookAction, config, [{ id: 'a', name: '王芳', phone: '13800000000', tagIds: ['vip'] }, { id: 'b' }], { visit: 4 });
    expect(results).toEqual([
      { kind: 'next', port: 'next', output: { status: 200 } },
      { kind: 'next', port: 'next', output: { status: 200 } },
    ]);
    expect(ctx.httpRequests.map((r) => r.idempotencyKey)).toEqual(['enr-a:node-1:4', 'enr-b:node-1:4']);
    expect(ctx.httpRequests[0]).toMatchObject({ url: config.url, secret: config.secret, timeoutMs: 10_000 });
    expect(ctx.httpRequests[0]!.body).toMatchObject({
      type: 'journey.step',
      enrollmentId: items[0]!.enrollmentId,
      journey: { id: 'journey-1', nodeId: 'node-1' },
      customer: { id: 'a', name: '王芳', phone: '13800000000', tagIds: ['vip'] },
      data: { campaign: '618' },
    });
  });

  it('a 4xx fails the customer through the failed port, a 5xx or a network error retries', async () => {
    const answers: Record<string, number> = { a: 422, b: 503 };
    const { results } = await runNode(callWebhookAction, config, [{ id: 'a' }, { id: 'b' }, { id: 'c' }], {
      http: (request) => {
        const id = (request.body as { customer: { id: string } }).customer.id;
        if (id === 'c') throw new Error('ECONNRESET');
        return { status: answers[id]! };
      },
    });
    expect(results).toEqual([
      { kind: 'fail', error: 'the receiver answered 422' },
      { kind: 'retry', error: 'the receiver answered 503' },
      { kind: 'retry', error: 'the request failed: ECONNRESET' },
    ]);
  });

  it('rate limits and request timeouts are retried, redirects are not followed', () => {
    expect(webhookResult(429).kind).toBe('retry');
    expect(webhookResult(408).kind).toBe('retry');
    expect(webhookResult(301).kind).toBe('fail');
    expect(webhookResult(204).kind).toBe('next');
  });

  it('declares its signing secret write-only (x-secret), so journeys store it sealed and never read it back', () => {
    expect(secretFields(callWebhookAction)).toEqual(['secret']);
  });

  it('declares next and failed ports', () => {
    expect(portsOf(callWebhookAction, config)).toEqual(['next', 'failed']);
  });

  it('a plain http address is rejected on url, a short secret on secret', () => {
    expect(configIssues(callWebhookAction, { ...config, url: 'http://erp.example.cn/hook' }).map((i) => i.path)).toEqual(['url']);
    expect(configIssues(callWebhookAction, { ...config, secret: 'short' }).map((i) => i.path)).toEqual(['secret']);
  });
});
