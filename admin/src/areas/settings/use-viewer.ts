// Who is looking at the settings: their scopes (to hide or disable what they may not do) and their
// member id (to mark "you" in the member list).
import { computed } from 'vue';
import { useQuery } from '@urql/vue';
import { graphql } from '@/gql';
import type { Scope } from '@/gql/graphql';

const SettingsViewer = graphql(`
  query SettingsViewer {
    viewer { scopes member { id email } }
  }
`);

export function useViewer() {
  const q = useQuery({ query: SettingsViewer });
  const scopes = computed(() => new Set<Scope>(q.data.value?.viewer.scopes ?? []));
  return {
    loaded: computed(() => !!q.data.value),
    scopes,
    memberId: computed(() => q.data.value?.viewer.member?.id ?? null),
    can: (scope: Scope) => scopes.value.has(scope),
  };
}
