import { createHash } from 'node:crypto';
import { defineAction, step, z, type BatchItem, type StaffLoad } from '@courtyard/plugin-sdk';
import { doc, RecordId } from '../fields.ts';

export const AssignOwnerConfig = z.object({
  staffIds: z
    .array(RecordId)
    .min(1, 'pick at least one staff member')
    .refine((ids) => new Set(ids).size === ids.length, 'a staff member is picked twice')
    .meta(doc('可分配的员工', 'Staff members to assign from')),
  strategy: z
    .enum(['round-robin', 'least-loaded', 'random'])
    .default('round-robin')
    .meta(doc('分配方式：轮流分配、分给客户最少的员工、随机分配', 'How to pick: take turns, the one with the fewest customers, or at random')),
  reassign: z.boolean().default(false).meta(doc('已有归属员工的客户也重新分配', 'Also reassign customers who already have an owner')),
});
export type AssignOwnerConfig = z.infer<typeof AssignOwnerConfig>;

/** Stable per step, so a retry picks the same staff member as the first try. */
function randomIndex(item: BatchItem, n: number): number {
  return createHash('sha256').update(item.idempotencyKey).digest().readUInt32BE(0) % n;
}

export const assignOwnerAction = defineAction({
  id: 'courtyard.assign-owner',
  version: '1.0.0',
  title: { 'zh-CN': '分配归属员工', en: 'Assign an owner' },
  description: {
    'zh-CN': '把客户分配给员工跟进，可轮流分配、分给客户最少的员工或随机分配；停用的员工不参与',
    en: 'Assigns the customer to a staff member: in turns, to the least loaded, or at random; inactive staff are left out',
  },
  icon: 'user-plus',
  config: AssignOwnerConfig,
  scopes: ['customers:read', 'customers:write', 'staff:read'],
  async run({ items, config, ctx }) {
    const due = items.filter((item) => config.reassign || !item.customer.ownerStaffId);
    if (due.length === 0) return items.map(() => step.next('next', { skipped: 'already-owned' }));

    const loads = new Map((await ctx.query.staff(config.staffIds)).filter((s) => s.active).map((s): [string, StaffLoad] => [s.id, s]));
    // In the configured order, so round-robin turns and least-loaded ties follow the form.
    const candidates = config.staffIds.filter((id) => loads.has(id));
    if (candidates.length === 0) {
      ctx.log('no active staff member to assign', { staffIds: config.staffIds });
      return items.map(() => step.next('next', { skipped: 'no-active-staff' }));
    }

    const chosen = new Map<BatchItem, string>();
    if (config.strategy === 'round-robin') {
      // The counter returns its value after the increment: this batch owns the turns before it.
      const end = await ctx.counter('round-robin', due.length);
      const start = end - due.length;
      due.forEach((item, i) => chosen.set(item, candidates[(start + i) % candidates.length]!));
    } else if (config.strategy === 'random') {
      for (const item of due) chosen.set(item, candidates[randomIndex(item, candidates.length)]!);
    } else {
      const count = new Map(candidates.map((id) => [id, loads.get(id)!.customers]));
      for (const item of due) {
        const previous = item.customer.ownerStaffId;
        if (previous && count.has(previous)) count.set(previous, count.get(previous)! - 1);
        const pick = candidates.reduce((best, id) => (count.get(id)! < count.get(best)! ? id : best));
        count.set(pick, count.get(pick)! + 1);
        chosen.set(item, pick);
      }
    }

    const changes = due.filter((item) => chosen.get(item) !== item.customer.ownerStaffId).map((item) => ({ customerId: item.customer.id, staffId: chosen.get(item)! }));
    if (changes.length > 0) await ctx.customers.assignOwner(changes);
    return items.map((item) => {
      const staffId = chosen.get(item);
      return staffId ? step.next('next', { ownerStaffId: staffId }) : step.next('next', { skipped: 'already-owned' });
    });
  },
});

export const ownerNodes = [assignOwnerAction];
