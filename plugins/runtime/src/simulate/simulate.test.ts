import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../registry.ts';
import { createRuntimeFixture, edge, node } from '../testing.ts';
import { simulateJourney } from './simulate.ts';

let fx: Awaited<ReturnType<typeof createRuntimeFixture>>;
beforeAll(async () => {
  fx = await createRuntimeFixture();
});
afterAll(async () => fx?.close());

const hours = (start: Date, h: number) => new Date(start.getTime() + h * 3_600_000);

async function abandonedCart() {
  const ws = await fx.workspace();
  const converted = await ws.tag('converted');
  const [c] = await ws.customers(1);
  const definition = {
    nodes: [
      node('t', 'event', { eventType: 'cart.abandoned' }),
      node('w', 'wait', { duration: { amount: 1, unit: 'hours' } }),
      node('paid', 'wait-for-event', { eventType: 'order.paid', matchTriggerProperty: 'cartId', timeout: { amount: 1, unit: 'days' } }),
      node('tag', 'add-tags', { tagIds: [converted] }),
      node('nudge', 'send-message', { channel: 'log', body: '{{customer.name}}，购物车里的宝贝还在等你' }),
    ],
    edges: [edge('t', 'w'), edge('w', 'paid'), edge('paid', 'tag', 'event'), edge('paid', 'nudge', 'timeout')],
  };
  return { ws, converted, customerId: c!, definition };
}

describe('simulateJourney', () => {
  it('without the follow-up order the customer waits, times out a day later and gets the reminder, with sandbox timestamps', async () => {
    const { ws, customerId, definition } = await abandonedCart();
    const start = new Date('2026-06-18T04:00:00Z'); // 12:00 in Shanghai
    const result = await simulateJourney({
      db: fx.db,
      registry: builtinRegistry,
      workspaceId: ws.id,
      definition,
      customerId,
      start,
      events: [{ type: 'cart.abandoned', properties: { cartId: 'A' }, at: start }],
    });
    expect(result.outcome).toBe('completed');
    expect(result.steps.map((s) => [s.nodeId, s.outcome, s.port])).toEqual([
      ['t', 'next', 'next'],
      ['w', 'waited', 'next'],
      ['paid', 'timeout', 'timeout'],
      ['nudge', 'next', 'next'],
    ]);
    expect(result.steps[2]!.at).toEqual(hours(start, 1));
    expect(result.steps[3]!.at).toEqual(hours(start, 25));
    expect(result.effects).toEqual([expect.objectContaining({ kind: 'message', nodeId: 'nudge', detail: expect.objectContaining({ body: '客户0，购物车里的宝贝还在等你' }) })]);
    // Nothing real happened.
    expect(await ws.deliveries()).toHaveLength(0);
  });

  it('an order for the same cart three hours later takes the event port; the tag is added in the sandbox only', async () => {
    const { ws, converted, customerId, definition } = await abandonedCart();
    const start = new Date('2026-06-18T04:00:00Z');
    const result = await simulateJourney({
      db: fx.db,
      registry: builtinRegistry,
      workspaceId: ws.id,
      definition,
      customerId,
      start,
      events: [
        { type: 'cart.abandoned', properties: { cartId: 'A' }, at: start },
        { type: 'order.paid', properties: { cartId: 'B' }, at: hours(start, 2) },
        { type: 'order.paid', properties: { cartId: 'A' }, at: hours(start, 3) },
      ],
    });
    expect(result.steps.map((s) => [s.nodeId, s.port])).toEqual([
      ['t', 'next'],
      ['w', 'next'],
      ['paid', 'event'],
      ['tag', 'next'],
    ]);
    expect(result.steps[3]!.at).toEqual(hours(start, 3));
    expect(result.effects.map((e) => e.kind)).toEqual(['tagsAdded']);
    expect(await ws.tagsOf(customerId)).not.toContain(converted);
  });

  it('a marketing message in quiet hours is deferred to when they end', async () => {
    const ws = await fx.workspace({ quietHoursStart: '22:00', quietHoursEnd: '08:00' });
    const [c] = await ws.customers(1);
    const start = new Date('2026-06-18T15:00:00Z'); // 23:00 in Shanghai
    const result = await simulateJourney({
      db: fx.db,
      registry: builtinRegistry,
      workspaceId: ws.id,
      definition: { nodes: [node('t', 'api'), node('s', 'send-message', { channel: 'log', body: '早上好' })], edges: [edge('t', 's')] },
      customerId: c!,
      start,
    });
    expect(result.steps.map((s) => s.outcome)).toEqual(['next', 'deferred', 'next']);
    expect(result.effects[0]!.at).toEqual(new Date('2026-06-19T00:00:00Z')); // 08:00 in Shanghai
  });

  it('an invalid journey is not simulated; its issues come back', async () => {
    const ws = await fx.workspace();
    const [c] = await ws.customers(1);
    const result = await simulateJourney({ db: fx.db, registry: builtinRegistry, workspaceId: ws.id, definition: { nodes: [node('x', 'exit', { reason: 'r' })], edges: [] }, customerId: c! });
    expect(result.outcome).toBe('invalid');
    expect(result.issues.map((i) => i.code)).toContain('MISSING_TRIGGER');
  });

  it('a loop through a wait stops at the step limit as unfinished', async () => {
    const ws = await fx.workspace();
    const [c] = await ws.customers(1);
    const result = await simulateJourney({
      db: fx.db,
      registry: builtinRegistry,
      workspaceId: ws.id,
      definition: { nodes: [node('t', 'api'), node('w', 'wait', { duration: { amount: 1, unit: 'days' } })], edges: [edge('t', 'w'), edge('w', 'w')] },
      customerId: c!,
      maxSteps: 10,
    });
    expect(result.outcome).toBe('unfinished');
    expect(result.steps).toHaveLength(10);
  });
});
