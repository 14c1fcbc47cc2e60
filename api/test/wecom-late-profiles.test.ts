// A new contact whose profile WeCom is slow to give (here: "system busy" once, and the client tries
// externalcontact/get again after its 500 ms back-off, longer than the pass waits): the customer and
// its event are written without it, and the name and the corp tags it carries follow when it comes.
import { describe, expect, it } from 'vitest';
import { useWeComHarness } from './wecom-fixtures.ts';

const harness = useWeComHarness({ profileWaitMs: 100 });

describe('late WeCom profiles', () => {
  it('a profile later than the pass waits is written when it comes: the name and the linked corp tags, one read in all', async () => {
    const { ws, s } = await harness.connected(['zhangsan', 'lisi']);
    s.state.tagGroups.push({ group_id: 'etGroupIntent', group_name: '意向', create_time: 1_700_000_000, order: 0, tags: [{ id: 'etHigh', name: '高意向', create_time: 1_700_000_000, order: 0 }] });
    s.state.customers.set('wm_late', { external_userid: 'wm_late', name: '周女士', type: 1, gender: 2 });
    s.state.follows.push({ userid: 'zhangsan', external_userid: 'wm_late', createtime: s.state.nowSeconds() - 86_400, add_way: 1, tags: new Set(['etHigh']) });
    s.failNext({ api: 'externalcontact/get', errcode: -1 });

    await s.addByPhone({ userid: 'lisi', mobile: '13600136001', external_userid: 'wm_late' });
    await harness.server.wecom.drain();
    const customer = await harness.app.db.prisma.customer.findFirstOrThrow({ where: { workspaceId: ws.id, wecomExternalId: 'wm_late' } });
    expect(customer.name).toBeNull();
    expect(await harness.app.db.prisma.event.count({ where: { customerId: customer.id, type: 'wecom.contact_added' } })).toBe(1);
    // Also queued, in case the read under way never lands (the process may stop): tried after 30 s.
    const queued = await harness.app.db.prisma.weComProfileRead.findFirstOrThrow({ where: { customerId: customer.id } });
    expect(queued.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);

    const seen = async () => {
      const c = await harness.app.db.prisma.customer.findUniqueOrThrow({ where: { id: customer.id }, include: { tags: { include: { tag: true } } } });
      return { name: c.name, gender: c.gender, tags: c.tags.map((t) => [t.tag.name, t.source]) };
    };
    await expect.poll(seen, { timeout: 5_000 }).toEqual({ name: '周女士', gender: 'female', tags: [['高意向', 'wecom']] });
    // Written: no longer queued.
    await expect.poll(() => harness.app.db.prisma.weComProfileRead.count({ where: { customerId: customer.id } })).toBe(0);
    // The refused read and the one that answered: the profile is not read again for the late write.
    expect(s.state.counters.calls.get('externalcontact/get')).toBe(2);
  });
});
