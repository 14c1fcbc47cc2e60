import { afterEach, describe, expect, it } from 'vitest';
import LiveCodesPage from './LiveCodesPage.vue';
import { mountWith, testid, until, viewer } from '../test-support';

const day = (adds: number, deletes: number) => ({ __typename: 'WeComLiveCodeDay', day: '2025-06-30', adds, deletes, netAdds: adds - deletes });
const node = { __typename: 'WeComLiveCode', id: 'C1', liveCodeId: 'c1', name: '包裹卡 · 6 月', channel: 'parcel_card', assignment: 'round_robin', currentUserIds: ['lisi'], createdAt: '2025-06-01T00:00:00Z', staff: [{ __typename: 'WeComLiveCodeStaff', userId: 'zhangsan' }, { __typename: 'WeComLiveCodeStaff', userId: 'lisi' }], welcome: null, stats: [day(0, 0), day(3, 1)] };
const answers = (deleted: string[]) => ({
  ...viewer(),
  WeComStaff: () => ({ staff: [{ __typename: 'Staff', id: 'S1', staffId: 's1', name: '张三', wecomUserId: 'zhangsan', active: true }, { __typename: 'Staff', id: 'S2', staffId: 's2', name: '李四', wecomUserId: 'lisi', active: true }] }),
  WeComLiveCodes: () => ({ wecomLiveCodes: { __typename: 'QueryWecomLiveCodesConnection', edges: deleted.length ? [] : [{ __typename: 'QueryWecomLiveCodesConnectionEdge', node }] } }),
  DeleteWeComLiveCode: (v: Record<string, unknown>) => (deleted.push(String(v.id)), { deleteWeComLiveCode: { __typename: 'Deleted', deletedId: v.id } }),
});

let unmount = () => {};
afterEach(() => unmount());

describe('live code list', () => {
  it("shows each code's channel, staff by name, who takes the next customer and today's adds", async () => {
    const m = await mountWith(LiveCodesPage, {}, answers([]));
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('code-today-adds-包裹卡 · 6 月')?.textContent).toBe('3'));
    expect(testid('code-today-net-包裹卡 · 6 月')!.textContent).toBe('2');
    const row = testid('code-table')!.querySelector('tbody tr')!.textContent!;
    expect(row).toContain('包裹卡');
    await until(() => expect(testid('code-table')!.querySelector('tbody tr')!.textContent).toContain('张三、李四'));
    await until(() => expect(testid('code-create')).not.toBeNull());
  });

  it('deletes only after a confirmation that names the code', async () => {
    const deleted: string[] = [];
    const m = await mountWith(LiveCodesPage, {}, answers(deleted));
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('code-delete-包裹卡 · 6 月')).not.toBeNull());
    testid('code-delete-包裹卡 · 6 月')!.click();
    await until(() => expect(m.text()).toContain('删除“包裹卡 · 6 月”后，企业微信里的联系我二维码同时失效'));
    expect(deleted).toEqual([]);
    testid('confirm-delete-code')!.click();
    await until(() => expect(deleted).toEqual(['C1']));
    await until(() => expect(m.text()).toContain('活码“包裹卡 · 6 月”已删除'));
  });

  it('a reader gets no create, edit or delete', async () => {
    const m = await mountWith(LiveCodesPage, {}, { ...answers([]), ...viewer(['WECOM_READ']) });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('code-today-adds-包裹卡 · 6 月')).not.toBeNull());
    await new Promise((r) => setTimeout(r, 30));
    expect(testid('code-create')).toBeNull();
    expect(testid('code-delete-包裹卡 · 6 月')).toBeNull();
  });
});
