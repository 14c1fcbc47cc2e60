import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount } from '@vue/test-utils';
import urql, { Client, subscriptionExchange } from '@urql/vue';
import { defineComponent, h } from 'vue';
import { throttle, useLiveCustomers } from './live';

describe('the live customer list', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('throttles to one call at once and at most one more per interval, however many changes come', () => {
    const fn = vi.fn();
    const call = throttle(fn, 2000);
    call();
    expect(fn).toHaveBeenCalledTimes(1);
    for (const ms of [100, 400, 1000]) {
      vi.advanceTimersByTime(ms);
      call();
    }
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(499);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(2);
    call();
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('refreshes the page when the workspace\'s customers change, at most once every 2 s, and stops when unmounted', async () => {
    const sinks: Array<{ next: (v: { data: unknown }) => void }> = [];
    const queries: string[] = [];
    const client = new Client({
      url: 'http://localhost/graphql',
      exchanges: [
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => {
              queries.push(request.query ?? '');
              sinks.push(sink as never);
              return { unsubscribe: () => {} };
            },
          }),
        }),
      ],
    });
    const refresh = vi.fn();
    let updatedAt: { value: number | null } | undefined;
    const Host = defineComponent({
      setup() {
        updatedAt = useLiveCustomers(refresh).updatedAt;
        return () => h('div');
      },
    });
    const wrapper = mount(Host, { global: { plugins: [[urql, client]] } });
    await vi.advanceTimersByTimeAsync(0);
    expect(queries.join()).toContain('customerUpdated');
    const change = (n: number) => sinks[0]!.next({ data: { customerUpdated: { __typename: 'CustomerUpdate', customerId: `c${n}`, change: 'updated' } } });

    change(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(updatedAt!.value).toBe(Date.now());
    for (let n = 2; n < 50; n++) change(n);
    await vi.advanceTimersByTimeAsync(1999);
    expect(refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(2);

    change(99);
    wrapper.unmount();
    await vi.advanceTimersByTimeAsync(5000);
    expect(refresh).toHaveBeenCalledTimes(2);
  });
});
