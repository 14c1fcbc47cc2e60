// Live counts per node from the journeyProgress subscription (a message at once, then as customers
// move), falling back to the counts read with the journey until the first message arrives.
import { computed, type Ref } from 'vue';
import { useSubscription } from '@urql/vue';
import { JourneyProgressSubscription } from '../operations';
import type { NodeCounts } from './model';

type Stats = Array<NodeCounts & { nodeId: string }>;

export function useJourneyLive(journeyId: Ref<string>, initial: Ref<Stats | undefined>) {
  const sub = useSubscription({ query: JourneyProgressSubscription, variables: computed(() => ({ journeyId: journeyId.value })) });
  const latest = computed(() => sub.data.value?.journeyProgress ?? null);
  const counts = computed(() => {
    const list: Stats = latest.value?.nodes ?? initial.value ?? [];
    return new Map(list.map((s) => [s.nodeId, { entered: s.entered, waiting: s.waiting, completed: s.completed, failed: s.failed, exited: s.exited }]));
  });
  return { counts, journey: computed(() => latest.value?.journey ?? null), at: computed(() => latest.value?.at ?? null) };
}
