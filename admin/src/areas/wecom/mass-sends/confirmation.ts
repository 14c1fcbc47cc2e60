// Confirmation rates per staff member: of their settled tasks (sent, partly sent, not sent), the
// share they confirmed (anything sent). Tasks still waiting or being created do not count yet.
// Group-chat sends go through the same states, confirmed by the group owner.
import type { WeComGroupSendStatus, WeComMassSendStatus } from '@/gql/graphql';

export interface TaskState { staffUserId: string; status: WeComMassSendStatus | WeComGroupSendStatus }
export interface StaffConfirmation { staffUserId: string; tasks: number; confirmed: number; rate: number | null }

export function confirmationByStaff(tasks: readonly TaskState[]): StaffConfirmation[] {
  const by = new Map<string, { tasks: number; confirmed: number }>();
  for (const task of tasks) {
    if (task.status === 'waiting' || task.status === 'creating') continue;
    const row = by.get(task.staffUserId) ?? { tasks: 0, confirmed: 0 };
    row.tasks += 1;
    if (task.status === 'sent' || task.status === 'partly_sent') row.confirmed += 1;
    by.set(task.staffUserId, row);
  }
  return [...by].map(([staffUserId, r]) => ({ staffUserId, ...r, rate: r.tasks ? r.confirmed / r.tasks : null }));
}
