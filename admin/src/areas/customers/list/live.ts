// The customer list follows the workspace: every creation, change, tagging or deletion of a
// customer (the customerUpdated subscription) refreshes the visible page, at most once every two
// seconds, so an import of thousands of rows costs a handful of reads, not thousands.
import { onBeforeUnmount, ref, toValue, computed, type MaybeRefOrGetter } from 'vue';
import { useSubscription } from '@urql/vue';
import { graphql } from '@/gql';

export const CustomersChanged = graphql(`
  subscription CustomersListChanged {
    customerUpdated { customerId change }
  }
`);

/** Default least time between two refreshes of the list. */
export const LIVE_INTERVAL_MS = 2000;

/**
 * `fn` at once when it last ran at least `ms` ago, else once when the `ms` are up (however many
 * calls came meanwhile). `cancel` drops a pending call.
 */
export function throttle(fn: () => void, ms: number) {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    last = Date.now();
    fn();
  };
  const call = () => {
    if (timer) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  call.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return call;
}

export interface LiveOptions {
  /** Least time between two refreshes; default LIVE_INTERVAL_MS (2 s). */
  intervalMs?: number;
  /** While true, changes are not followed (e.g. the page is hidden); default false. */
  paused?: MaybeRefOrGetter<boolean>;
}

/** Calls `refresh` as the workspace's customers change; `updatedAt` is when it last did (epoch ms). */
export function useLiveCustomers(refresh: () => void, options: LiveOptions = {}) {
  const updatedAt = ref<number | null>(null);
  const throttled = throttle(() => {
    updatedAt.value = Date.now();
    refresh();
  }, options.intervalMs ?? LIVE_INTERVAL_MS);
  const sub = useSubscription(
    { query: CustomersChanged, pause: computed(() => !!toValue(options.paused)) },
    (_previous, data) => {
      throttled();
      return data;
    },
  );
  onBeforeUnmount(() => throttled.cancel());
  return { updatedAt, connected: computed(() => !sub.error.value && !toValue(options.paused)) };
}
