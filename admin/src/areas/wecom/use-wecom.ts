// What every WeCom screen asks first: may the viewer change things, and is WeCom connected.
import { computed, onBeforeUnmount, onMounted } from 'vue';
import { useQuery } from '@urql/vue';
import type { Scope } from '@/gql/graphql';
import { WeComConnectionQuery, WeComViewerQuery } from './operations';

export function useWeComAccess() {
  const q = useQuery({ query: WeComViewerQuery });
  const scopes = computed(() => new Set<Scope>(q.data.value?.viewer.scopes ?? []));
  return { loaded: computed(() => !!q.data.value), canWrite: computed(() => scopes.value.has('WECOM_WRITE')) };
}

export function useWeComConnection() {
  const q = useQuery({ query: WeComConnectionQuery });
  return {
    query: q,
    connection: computed(() => q.data.value?.wecomConnection ?? null),
    loaded: computed(() => !!q.data.value),
    refresh: () => q.executeQuery({ requestPolicy: 'network-only' }),
  };
}

/**
 * Calls `tick` every `ms` while the tab is visible: WeCom callbacks are processed by the API's
 * worker and announce nothing on the subscriptions, so the live screens poll.
 */
export function usePolling(tick: () => void, ms: number) {
  let timer: ReturnType<typeof setInterval> | null = null;
  onMounted(() => {
    timer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') tick();
    }, ms);
  });
  onBeforeUnmount(() => {
    if (timer) clearInterval(timer);
  });
}

/** Today in the browser's calendar as YYYY-MM-DD (the stats' `day` is the workspace's; the last row is today). */
export function lastDay<T extends { day: string }>(days: readonly T[]): T | null {
  return days.length ? days[days.length - 1]! : null;
}
