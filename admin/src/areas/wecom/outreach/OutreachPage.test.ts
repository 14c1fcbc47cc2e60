import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import { NSelect } from 'naive-ui';
import OutreachPage from './OutreachPage.vue';
import { mountWith, testid, until, viewer } from '../test-support';

const staffRow = (id: string, name: string, wecomUserId: string) => ({ __typename: 'Staff', id, staffId: id.toLowerCase(), name, wecomUserId, active: true });
const task = (id: string, phone: string, status: string, more: Record<string, unknown> = {}) => ({
  __typename: 'WeComOutreachTask', id, phone, source: 'upload', day: '2025-06-01', status, expiresAt: '2025-06-08T02:00:00Z', addedAt: null, matchedExternalUserId: null, matchedCustomerId: null, createdAt: '2025-06-01T02:00:00Z',
  staff: { __typename: 'Staff', id: 'S1', name: '张三', wecomUserId: 'zhangsan' }, ...more,
});
const page = (nodes: unknown[], hasNextPage = false) => ({
  wecomOutreachTasks: { __typename: 'QueryWecomOutreachTasksConnection', edges: nodes.map((node) => ({ __typename: 'QueryWecomOutreachTasksConnectionEdge', node })), pageInfo: { __typename: 'PageInfo', hasNextPage, endCursor: hasNextPage ? 'c50' : null } },
});
const answers = {
  ...viewer(),
  WeComStaff: () => ({ staff: [staffRow('S1', '张三', 'zhangsan'), staffRow('S2', '李四', 'lisi')] }),
  WeComTaskLimits: () => ({ wecomStaffTaskSettings: { __typename: 'WeComStaffTaskSettings', outreachPerStaffDay: 20, outreachExpiryDays: 7, momentsPerCustomerDay: 3, confirmHours: 24 } }),
  WeComOutreachSummary: () => ({ wecomOutreachSummary: [
    { __typename: 'WeComOutreachStaffSummary', staffUserId: 'zhangsan', pending: 2, added: 1, expired: 1, today: 3, unmatchedAdds: 2, staff: { __typename: 'Staff', id: 'S1', name: '张三' } },
  ] }),
};
const select = (wrapper: VueWrapper, id: string) => wrapper.findAllComponents(NSelect).find((c) => c.attributes('data-testid') === id)!;

let unmount = () => {};
afterEach(() => unmount());

describe('phone-number outreach', () => {
  it("shows each staff member's progress and each number's outcome: pending with its expiry, added with its customer, expired", async () => {
    const m = await mountWith(OutreachPage, {}, {
      ...answers,
      WeComOutreachTasks: () => page([
        task('T1', '13800000001', 'pending'),
        task('T2', '13800000002', 'added', { addedAt: '2025-06-02T03:00:00Z', matchedExternalUserId: 'wm1', matchedCustomerId: '0b5d3c1e-0000-4000-8000-000000000001' }),
        task('T3', '13800000003', 'expired', { source: 'orders' }),
      ]),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('outreach-status-13800000001')?.textContent).toBe('待添加'));
    expect(testid('outreach-status-13800000002')!.textContent).toBe('已添加');
    expect(testid('outreach-status-13800000003')!.textContent).toBe('已过期');
    const table = testid('outreach-tasks')!;
    expect(table.textContent).toContain('订单客户');
    const link = [...table.querySelectorAll('a')].find((a) => a.textContent === '查看客户')!;
    expect(link.getAttribute('href')).toBe(`/customers/${encodeURIComponent(btoa('Customer:0b5d3c1e-0000-4000-8000-000000000001'))}`);
    // Progress: added of all tasks, and phone-search adds that matched no task.
    await until(() => expect(testid('outreach-progress-zhangsan')?.textContent).toBe('1/4（25%）'));
    expect(testid('outreach-summary')!.textContent).toContain('张三');
    // The daily limit and expiry the tasks are spread by.
    await until(() => expect(testid('limit-outreachPerStaffDay')!.querySelector('input')!.value).toBe('20'));
    expect(testid('limit-outreachExpiryDays')!.querySelector('input')!.value).toBe('7');
  });

  it('filters by staff member and state, and pages on with the cursor', async () => {
    const m = await mountWith(OutreachPage, {}, { ...answers, WeComOutreachTasks: () => page([task('T1', '13800000001', 'pending')], true) });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('outreach-status-13800000001')).not.toBeNull());
    await until(() => expect(select(m.wrapper, 'outreach-filter-staff').props('options')).toEqual([{ value: 'S1', label: '张三' }, { value: 'S2', label: '李四' }]));
    select(m.wrapper, 'outreach-filter-staff').vm.$emit('update:value', 'S2');
    select(m.wrapper, 'outreach-filter-status').vm.$emit('update:value', 'added');
    await until(() => expect(m.gql.named('WeComOutreachTasks').at(-1)!.variables).toEqual({ staffId: 'S2', status: 'added', day: null, after: null }));
    await until(() => expect(testid('outreach-next')!.hasAttribute('disabled')).toBe(false));
    testid('outreach-next')!.click();
    await until(() => expect(m.gql.named('WeComOutreachTasks').at(-1)!.variables).toEqual({ staffId: 'S2', status: 'added', day: null, after: 'c50' }));
  });

  it('reads in English too', async () => {
    const m = await mountWith(OutreachPage, {}, { ...answers, WeComOutreachTasks: () => page([task('T1', '13800000001', 'pending'), task('T2', '13800000002', 'expired')]) }, { locale: 'en' });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('outreach-status-13800000001')?.textContent).toBe('Pending'));
    expect(testid('outreach-status-13800000002')!.textContent).toBe('Expired');
    await until(() => expect(testid('outreach-progress-zhangsan')?.textContent).toBe('1/4 (25%)'));
    expect(m.text()).toContain('WeCom has no API that sends a friend request by phone number');
  });
});
