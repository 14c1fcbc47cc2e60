import { describe, expect, it } from 'vitest';
import { configIssues, fakeContext, runNode } from '../testing.ts';
import { assignOwnerAction } from './index.ts';

const staff = [{ id: 'li' }, { id: 'wang' }, { id: 'zhao' }];
const ids = (n: number, prefix = 'c') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));
const owners = (results: { kind: string; output?: Record<string, unknown> }[]) => results.map((r) => r.output?.ownerStaffId ?? r.output?.skipped);

describe('assign owner action', () => {
  it('round-robin takes turns across batches, with one counter and one write per batch', async () => {
    const ctx = fakeContext({ staff });
    const first = await runNode(assignOwnerAction, { staffIds: ['li', 'wang', 'zhao'] }, ids(2, 'a'), { ctx });
    const second = await runNode(assignOwnerAction, { staffIds: ['li', 'wang', 'zhao'] }, ids(3, 'b'), { ctx });
    expect(owners(first.results)).toEqual(['li', 'wang']);
    expect(owners(second.results)).toEqual(['zhao', 'li', 'wang']);
    expect(ctx.callCount('counter')).toBe(2);
    expect(ctx.callCount('customers.assignOwner')).toBe(2);
    expect(ctx.customerById.get('b0')!.ownerStaffId).toBe('zhao');
  });

  it('least-loaded gives each customer to whoever has fewest, counting the ones just assigned', async () => {
    const loaded = [{ id: 'li', customers: 5 }, { id: 'wang', customers: 3 }, { id: 'zhao', customers: 4 }];
    const { results, ctx } = await runNode(assignOwnerAction, { staffIds: ['li', 'wang', 'zhao'], strategy: 'least-loaded' }, ids(4), { staff: loaded });
    // wang 3→4; wang and zhao tie at 4, wang comes first in the form (→5); zhao 4→5; all at 5: li.
    expect(owners(results)).toEqual(['wang', 'wang', 'zhao', 'li']);
    expect(ctx.callCount('query.staff')).toBe(1);
  });

  it('random picks the same staff member for a step on a retry', async () => {
    const config = { staffIds: ['li', 'wang', 'zhao'], strategy: 'random' };
    const first = await runNode(assignOwnerAction, config, ids(30), { staff });
    const retry = await runNode(assignOwnerAction, config, ids(30), { staff, attempt: 2 });
    expect(owners(retry.results)).toEqual(owners(first.results));
    expect(new Set(owners(first.results)).size).toBe(3);
  });

  it('skips customers who already have an owner unless reassign is on', async () => {
    const customers = [{ id: 'owned', ownerStaffId: 'boss' }, { id: 'free' }];
    const kept = await runNode(assignOwnerAction, { staffIds: ['li'] }, customers, { staff });
    expect(owners(kept.results)).toEqual(['already-owned', 'li']);
    expect(kept.ctx.calls.find((c) => c.method === 'customers.assignOwner')!.args[0]).toEqual([{ customerId: 'free', staffId: 'li' }]);
    const moved = await runNode(assignOwnerAction, { staffIds: ['li'], reassign: true }, customers, { staff });
    expect(owners(moved.results)).toEqual(['li', 'li']);
  });

  it('makes no call at all when everyone is already owned', async () => {
    const { ctx } = await runNode(assignOwnerAction, { staffIds: ['li'] }, [{ id: 'owned', ownerStaffId: 'boss' }], { staff });
    expect(ctx.calls).toEqual([]);
  });

  it('leaves inactive staff out, and goes on unassigned when nobody is active', async () => {
    const someInactive = [{ id: 'li', active: false }, { id: 'wang' }];
    expect(owners((await runNode(assignOwnerAction, { staffIds: ['li', 'wang'] }, ids(2), { staff: someInactive })).results)).toEqual(['wang', 'wang']);
    const { results, ctx } = await runNode(assignOwnerAction, { staffIds: ['li'] }, ids(2), { staff: someInactive });
    expect(owners(results)).toEqual(['no-active-staff', 'no-active-staff']);
    expect(ctx.callCount('customers.assignOwner')).toBe(0);
  });

  it('an unknown strategy is rejected on strategy, a repeated staff member on staffIds', () => {
    expect(configIssues(assignOwnerAction, { staffIds: ['li'], strategy: 'fastest' }).map((i) => i.path)).toEqual(['strategy']);
    expect(configIssues(assignOwnerAction, { staffIds: ['li', 'li'] }).map((i) => i.path)).toEqual(['staffIds']);
  });
});
