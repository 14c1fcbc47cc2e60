// The workspace's staff who can take customers from a live code (or a staff task): active, with a
// WeCom userid. Live codes name staff by userid, staff tasks by Staff id: both option lists are here.
import { computed } from 'vue';
import { useQuery } from '@urql/vue';
import { WeComStaffQuery } from '../operations';

export function useWeComStaff() {
  const q = useQuery({ query: WeComStaffQuery });
  const all = computed(() => q.data.value?.staff ?? []);
  const withUserId = computed(() => all.value.filter((s) => !!s.wecomUserId));
  const names = computed(() => new Map(withUserId.value.map((s) => [s.wecomUserId!, s.name])));
  const options = computed(() => withUserId.value.filter((s) => s.active).map((s) => ({ value: s.wecomUserId!, label: `${s.name} (${s.wecomUserId})` })));
  const idOptions = computed(() => withUserId.value.filter((s) => s.active).map((s) => ({ value: s.id, label: `${s.name} (${s.wecomUserId})` })));
  return { query: q, all, withUserId, names, options, idOptions, loaded: computed(() => !!q.data.value) };
}
