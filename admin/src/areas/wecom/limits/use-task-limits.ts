// The staff-task limits as one shared read (urql's cache answers every screen asking for them).
import { computed } from 'vue';
import { useQuery } from '@urql/vue';
import { TaskLimitsQuery } from './operations';

export type TaskLimitKey = 'outreachPerStaffDay' | 'outreachExpiryDays' | 'momentsPerCustomerDay';

export function useTaskLimits() {
  const q = useQuery({ query: TaskLimitsQuery });
  return { query: q, limits: computed(() => q.data.value?.wecomStaffTaskSettings ?? null) };
}
