// What every WeCom screen asks first: may the viewer change things, and is WeCom connected.
import { computed, onBeforeUnmount, onMounted, ref, watch } from 'vue';
import { useQuery, useSubscription } from '@urql/vue';
import type { Scope } from '@/gql/graphql';
import { WeComConnectionQuery, WeComViewerQuery, WorkspaceChangedSubscription } from './operations';

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
 * Calls `tick` when the workspace changes (the workspaceChanged subscription: a WeCom callback
 * processed, a task read back, at most once a second), and every `ms` while the tab is visible in
 * case the subscription's connection is down.
 */
export function usePolling(tick: () => void, ms: number) {
  const changes = useSubscription({ query: WorkspaceChangedSubscription });
  watch(() => changes.data.value?.workspaceChanged.at, (at) => {
    if (at) tick();
  });
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

/** Relay pages walked forward and back: the cursors of the pages before this one, and this page's (`after`). */
export function useCursorPages() {
  const before = ref<Array<string | null>>([]);
  const after = ref<string | null>(null);
  return {
    after,
    hasPrevious: computed(() => before.value.length > 0),
    next(endCursor: string | null | undefined) {
      if (!endCursor) return;
      before.value = [...before.value, after.value];
      after.value = endCursor;
    },
    previous() {
      after.value = before.value.at(-1) ?? null;
      before.value = before.value.slice(0, -1);
    },
    /** Back to the first page (filters changed, or something new was created). */
    reset() {
      before.value = [];
      after.value = null;
    },
  };
}
