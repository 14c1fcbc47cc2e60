import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import { NInputNumber, NSelect } from 'naive-ui';
import OutreachDialog from './OutreachDialog.vue';
import { mountWith, testid, type, until } from '../test-support';

const staffRow = (id: string, name: string, wecomUserId: string | null, active = true) => ({ __typename: 'Staff', id, staffId: id.toLowerCase(), name, wecomUserId, active });
const base = {
  WeComStaff: () => ({ staff: [staffRow('S1', '张三', 'zhangsan'), staffRow('S2', '李四', 'lisi'), staffRow('S3', '没有企微', null)] }),
  WeComTaskLimits: () => ({ wecomStaffTaskSettings: { __typename: 'WeComStaffTaskSettings', outreachPerStaffDay: 2, outreachExpiryDays: 7, momentsPerCustomerDay: 3, confirmHours: 24 } }),
};
const made = (index: number, phone: string, staff: [string, string], day: string) => ({ __typename: 'WeComOutreachItem', index, phone, errorCode: null, errorMessage: null, task: { __typename: 'WeComOutreachTask', id: `T${index}`, day, staff: { __typename: 'Staff', id: staff[0], name: staff[1] } } });
const refused = (index: number, phone: string, errorCode: string) => ({ __typename: 'WeComOutreachItem', index, phone, errorCode, errorMessage: 'x', task: null });
const select = (wrapper: VueWrapper, id: string) => wrapper.findAllComponents(NSelect).find((c) => c.attributes('data-testid') === id)!;

let unmount = () => {};
afterEach(() => unmount());

describe('creating add-friend tasks', () => {
  it('sends an uploaded list to the chosen staff, says how many days the daily limit spreads it over, and lists each refused number with its reason', async () => {
    const sent: unknown[] = [];
    const m = await mountWith(OutreachDialog, { show: true }, {
      ...base,
      CreateWeComOutreachTasks: (v) => (sent.push(v.input), { createWeComOutreachTasks: { __typename: 'CreateWeComOutreachTasksPayload', created: 3, rejected: 2, items: [
        made(0, '13800000001', ['S1', '张三'], '2025-06-01'), made(1, '13800000002', ['S1', '张三'], '2025-06-01'), made(2, '13800000003', ['S1', '张三'], '2025-06-02'),
        refused(3, '12345', 'invalid_phone'), refused(4, '13800000001', 'duplicate'),
      ] } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('outreach-phones')).not.toBeNull());
    type('outreach-phones', '13800000001\n13800000002\n13800000003\n12345\n13800000001');
    await until(() => expect(testid('outreach-phones-item')!.textContent).toContain('共 5 个号码'));
    // Only active staff with a WeCom userid, by Staff id.
    await until(() => expect(select(m.wrapper, 'outreach-staff').props('options')).toEqual([{ value: 'S1', label: '张三 (zhangsan)' }, { value: 'S2', label: '李四 (lisi)' }]));
    select(m.wrapper, 'outreach-staff').vm.$emit('update:value', ['S1']);
    await until(() => expect(testid('outreach-spread')!.textContent).toContain('每位员工每天最多 2 个任务，7 天内未添加则过期。5 个号码分给 1 位员工，约需 3 天'));
    testid('outreach-submit')!.click();
    await until(() => expect(sent).toEqual([{ phones: ['13800000001', '13800000002', '13800000003', '12345', '13800000001'], staffIds: ['S1'] }]));
    await until(() => expect(testid('outreach-result')?.textContent).toBe('已创建 3 个任务，2 个号码未创建'));
    expect(testid('outreach-result-staff')!.textContent).toContain('张三：3 个，2025-06-01 至 2025-06-02');
    const rejected = testid('outreach-rejected')!.textContent!;
    expect(rejected).toContain('12345不是有效的手机号');
    expect(rejected).toContain('13800000001与列表中前面的号码重复');
    expect(m.wrapper.findComponent(OutreachDialog).emitted('created')).toEqual([[3]]);
  });

  it('takes customers from imported orders; a refusal naming a field shows under that field', async () => {
    const sent: unknown[] = [];
    const m = await mountWith(OutreachDialog, { show: true }, {
      ...base,
      CreateWeComOutreachTasks: (v) => (sent.push(v.input), { createWeComOutreachTasks: { __typename: 'ValidationError', message: 'invalid input', code: 'INVALID_INPUT', fields: [{ __typename: 'FieldError', field: 'input.staffIds.0', message: '李四 is deactivated' }, { __typename: 'FieldError', field: 'input.fromOrders.limit', message: 'Too big: expected number to be <=5000' }] } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('outreach-source-orders')).not.toBeNull());
    testid('outreach-source-orders')!.querySelector('input')!.click();
    await until(() => expect(testid('outreach-limit')).not.toBeNull());
    m.wrapper.findAllComponents(NInputNumber).find((c) => c.attributes('data-testid') === 'outreach-limit')!.vm.$emit('update:value', 300);
    await until(() => expect(select(m.wrapper, 'outreach-staff').props('options')).toHaveLength(2));
    select(m.wrapper, 'outreach-staff').vm.$emit('update:value', ['S2']);
    testid('outreach-submit')!.click();
    await until(() => expect(sent).toEqual([{ fromOrders: { orderedSince: null, limit: 300 }, staffIds: ['S2'] }]));
    await until(() => expect(testid('outreach-staff-item')!.textContent).toContain('李四 is deactivated'));
    expect(testid('outreach-limit-item')!.textContent).toContain('Too big');
    expect(testid('outreach-dialog-error')).toBeNull();
    expect(testid('outreach-result')).toBeNull();
  });
});
