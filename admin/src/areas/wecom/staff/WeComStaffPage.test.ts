import { afterEach, describe, expect, it } from 'vitest';
import WeComStaffPage from './WeComStaffPage.vue';
import { mountWith, testid, until } from '../test-support';

let unmount = () => {};
afterEach(() => unmount());

describe('WeCom staff', () => {
  it('lists each staff member with their userid and the live codes they are on, marking the one handing them the next customer', async () => {
    const node = (id: string, name: string, staff: string[], current: string[]) => ({
      __typename: 'WeComLiveCode', id, liveCodeId: id, name, channel: 'store', assignment: 'round_robin', currentUserIds: current, createdAt: '2025-06-01T00:00:00Z',
      staff: staff.map((userId) => ({ __typename: 'WeComLiveCodeStaff', userId })), welcome: null, stats: [],
    });
    const m = await mountWith(WeComStaffPage, {}, {
      WeComStaff: () => ({ staff: [
        { __typename: 'Staff', id: 'S1', staffId: 's1', name: '张三', wecomUserId: 'zhangsan', active: true },
        { __typename: 'Staff', id: 'S2', staffId: 's2', name: '王五', wecomUserId: null, active: false },
      ] }),
      WeComLiveCodes: () => ({ wecomLiveCodes: { __typename: 'QueryWecomLiveCodesConnection', edges: [
        { __typename: 'QueryWecomLiveCodesConnectionEdge', node: node('C1', '门店', ['zhangsan', 'lisi'], ['zhangsan']) },
        { __typename: 'QueryWecomLiveCodesConnectionEdge', node: node('C2', '直播', ['lisi'], ['lisi']) },
      ] } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('staff-codes-zhangsan')?.textContent).toBe('门店 · 当前接待中'));
    expect(testid('wecom-staff-table')!.textContent).toContain('王五已停用');
    expect(testid('wecom-staff-table')!.textContent).toContain('未填写');
    expect(testid('wecom-missing')!.textContent).toContain('在职 / 离职继承');
  });
});
