import { describe, expect, it } from 'vitest';
import { configIssues, runNode, type FakeEvent, type FakeOrder } from '../testing.ts';
import { performedEventCondition, placedOrderCondition } from './index.ts';

const NOW = '2024-06-10T00:00:00.000Z';
const view = (customerId: string, occurredAt: string, sku = 'A100'): FakeEvent => ({ customerId, type: 'product.viewed', properties: { sku }, occurredAt });

const events = [
  view('a', '2024-06-09T00:00:00.000Z'),
  view('a', '2024-06-08T00:00:00.000Z'),
  view('a', '2024-06-07T00:00:00.000Z'),
  view('b', '2024-06-09T00:00:00.000Z'),
  view('b', '2024-05-01T00:00:00.000Z'),
  view('c', '2024-06-09T00:00:00.000Z', 'B200'),
];

const ports = (results: { kind: string; port?: string }[]) => results.map((r) => r.port ?? r.kind);

describe('performed event condition', () => {
  it('counts matching events in the last N days against at least N', async () => {
    const { results, ctx } = await runNode(
      performedEventCondition,
      { eventType: 'product.viewed', properties: { sku: 'A100' }, comparison: 'atLeast', count: 2, window: { kind: 'lastDays', days: 7 } },
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
      { now: NOW, events },
    );
    expect(ports(results)).toEqual(['yes', 'no', 'no']);
    expect(ctx.callCount('query.eventCounts')).toBe(1);
  });

  it('at most 0 means the customer did not do it', async () => {
    const { results } = await runNode(
      performedEventCondition,
      { eventType: 'product.viewed', comparison: 'atMost', count: 0, window: { kind: 'lastDays', days: 30 } },
      [{ id: 'a' }, { id: 'nobody' }],
      { now: NOW, events },
    );
    expect(ports(results)).toEqual(['no', 'yes']);
  });

  it('exactly matches the count and nothing else', async () => {
    const { results } = await runNode(
      performedEventCondition,
      { eventType: 'product.viewed', comparison: 'exactly', count: 3, window: { kind: 'lastDays', days: 7 } },
      [{ id: 'a' }, { id: 'b' }],
      { now: NOW, events },
    );
    expect(ports(results)).toEqual(['yes', 'no']);
  });

  it('since enrollment counts from each customer’s own entry, in one query', async () => {
    const { results, ctx } = await runNode(performedEventCondition, { eventType: 'product.viewed' }, [{ id: 'a' }, { id: 'b' }], {
      now: NOW,
      events,
      // a entered after all their views; b entered before one of theirs.
      enteredAt: (c) => (c.id === 'a' ? '2024-06-09T12:00:00.000Z' : '2024-06-08T00:00:00.000Z'),
    });
    expect(ports(results)).toEqual(['no', 'yes']);
    expect(ctx.callCount('query.eventCounts')).toBe(1);
    expect(ctx.calls[0]!.args[1]).toMatchObject({ since: new Date('2024-06-08T00:00:00.000Z'), until: new Date(NOW) });
  });

  it('a negative count is rejected on count, a zero-day window on window.days', () => {
    expect(configIssues(performedEventCondition, { eventType: 'x', count: -1 }).map((i) => i.path)).toEqual(['count']);
    expect(configIssues(performedEventCondition, { eventType: 'x', window: { kind: 'lastDays', days: 0 } }).map((i) => i.path)).toEqual(['window.days']);
  });
});

const order = (customerId: string, paidAt: string, amountCents: number, platform = 'tmall'): FakeOrder => ({ customerId, paidAt, amountCents, platform });
const orders = [order('a', '2024-06-09T00:00:00.000Z', 19_900), order('a', '2024-06-05T00:00:00.000Z', 5_000, 'jd'), order('b', '2024-04-01T00:00:00.000Z', 99_900)];

describe('placed order condition', () => {
  it('by default asks whether the customer ordered since entering the journey', async () => {
    const { results, ctx } = await runNode(placedOrderCondition, {}, [{ id: 'a' }, { id: 'b' }], { now: NOW, orders, enteredAt: '2024-06-01T00:00:00.000Z' });
    expect(ports(results)).toEqual(['yes', 'no']);
    expect(ctx.callCount('query.orderStats')).toBe(1);
  });

  it('compares the total amount in cents', async () => {
    const config = { measure: 'totalAmount', comparison: 'atLeast', value: 20_000, window: { kind: 'lastDays', days: 90 } };
    const { results } = await runNode(placedOrderCondition, config, [{ id: 'a' }, { id: 'b' }], { now: NOW, orders });
    expect(ports(results)).toEqual(['yes', 'yes']);
  });

  it('counts only the listed platforms and orders above the minimum', async () => {
    const config = { platforms: ['jd'], comparison: 'atLeast', value: 1, window: { kind: 'lastDays', days: 30 } };
    expect(ports((await runNode(placedOrderCondition, config, [{ id: 'a' }], { now: NOW, orders })).results)).toEqual(['yes']);
    const bigOnly = { ...config, minOrderAmountCents: 10_000 };
    expect(ports((await runNode(placedOrderCondition, bigOnly, [{ id: 'a' }], { now: NOW, orders })).results)).toEqual(['no']);
  });

  it('a fractional amount is rejected on value', () => {
    expect(configIssues(placedOrderCondition, { measure: 'totalAmount', value: 99.5 }).map((i) => i.path)).toEqual(['value']);
  });
});
