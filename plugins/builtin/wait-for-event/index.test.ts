import { describe, expect, it } from 'vitest';
import { portsOf, type EnrollmentTrigger, type JourneyCustomer } from '@courtyard/plugin-sdk';
import { configIssues, runNode } from '../testing.ts';
import { waitForEventAction } from './index.ts';

const cartAbandoned = (c: JourneyCustomer): EnrollmentTrigger => ({
  kind: 'event',
  event: { id: `ev-${c.id}`, type: 'cart.abandoned', properties: c.id === 'no-cart' ? {} : { cartId: `cart-${c.id}` }, occurredAt: '2024-06-03T01:00:00.000Z' },
});

const abandonedCart = { eventType: 'order.paid', matchTriggerProperty: 'cartId', properties: { channel: 'miniapp' }, timeout: { amount: 24, unit: 'hours' } };

describe('wait for event action', () => {
  it('waits for the order of the same cart, timing out after the duration', async () => {
    const { results, ctx } = await runNode(waitForEventAction, abandonedCart, [{ id: 'a' }, { id: 'b' }], { now: '2024-06-03T02:00:00.000Z', trigger: cartAbandoned });
    expect(results).toEqual([
      {
        kind: 'waitForEvent',
        eventType: 'order.paid',
        properties: { channel: 'miniapp', cartId: 'cart-a' },
        timeoutAt: new Date('2024-06-04T02:00:00.000Z'),
        port: 'event',
        timeoutPort: 'timeout',
      },
      expect.objectContaining({ properties: { channel: 'miniapp', cartId: 'cart-b' } }),
    ]);
    expect(ctx.calls).toEqual([]);
  });

  it('without a filter waits for any event of the type', async () => {
    const { results } = await runNode(waitForEventAction, { eventType: 'coupon.redeemed', timeout: { amount: 3, unit: 'days' } }, [{ id: 'a' }]);
    expect(results[0]).not.toHaveProperty('properties');
  });

  it('fails a customer whose trigger lacks the property to match, instead of waiting for any order', async () => {
    const { results } = await runNode(waitForEventAction, abandonedCart, [{ id: 'no-cart' }, { id: 'a' }], { trigger: cartAbandoned });
    expect(results[0]).toEqual({ kind: 'fail', error: expect.stringContaining('cartId') });
    expect(results[1]!.kind).toBe('waitForEvent');
  });

  it('declares the event and timeout ports', () => {
    expect(portsOf(waitForEventAction, abandonedCart)).toEqual(['event', 'timeout']);
  });

  it('a timeout of 0 is rejected on timeout.amount', () => {
    expect(configIssues(waitForEventAction, { eventType: 'order.paid', timeout: { amount: 0, unit: 'hours' } }).map((i) => i.path)).toEqual(['timeout.amount']);
  });
});
