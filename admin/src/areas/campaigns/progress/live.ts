// A campaign's live counts: the campaignProgress subscription (a message at once, then at most one a
// second while messages go out), paused while the caller does not need it.
import { computed, type MaybeRefOrGetter, toValue } from 'vue';
import { useSubscription } from '@urql/vue';
import { graphql } from '@/gql';

export const CampaignLiveProgress = graphql(`
  subscription CampaignLiveProgress($id: ID!) {
    campaignProgress(id: $id) {
      campaignId
      rate
      at
      campaign { id status lastError }
      counts { total queued sent delivered failed skipped replied clicked heldOut cancelled }
    }
  }
`);

export function useLiveProgress(id: MaybeRefOrGetter<string>, active: MaybeRefOrGetter<boolean> = true) {
  const sub = useSubscription({
    query: CampaignLiveProgress,
    variables: computed(() => ({ id: toValue(id) })),
    pause: computed(() => !toValue(active)),
  });
  return {
    data: computed(() => sub.data.value?.campaignProgress ?? null),
    error: sub.error,
  };
}
