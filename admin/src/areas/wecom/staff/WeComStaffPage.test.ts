import { afterEach, describe, expect, it } from 'vitest';
import WeComStaffPage from './WeComStaffPage.vue';
import { NSelect } from 'naive-ui';
import { mountWith, testid, until, viewer } from '../test-support';

let unmount = () => {};
afterEach(() => unmount());

describe('WeCom staff', () => {
  it('lists each staff member with their userid and the live codes they are on, marking the one handing them the next customer', async () => {
    const node = (id: string, name: string, staff: string[], current: string[]) => ({
      __typename: 'WeComLiveCode', id, liveCodeId: id, name, channel: 'store', assignment: 'round_robin', currentUserIds: current, createdAt: '2025-06-01T00:00:00Z',
      staff: staff.map((userId) => ({ __typename: 'WeComLiveCodeStaff', userId })), welcome: null, stats: [],
    });
    const m = await mountWith(WeComStaffPage, {}, {
      ...viewer(),
      WeComTransfers: () => ({ wecomTransfers: { __typename: 'QueryWecomTransfersConnection', edges: [] } }),
      WeComStaffCustomers: () => ({ customers: { __typename: 'QueryCustomersConnection', totalCount: 1, edges: [{ __typename: 'QueryCustomersConnectionEdge', node: {
        __typename: 'Customer', id: 'U1', name: '林小姐', phone: null, wecomExternalId: 'wm1', sourceChannel: 'wecom:parcel_card', createdAt: '2025-06-01T02:00:00Z', tags: [{ __typename: 'Tag', id: 'T1', name: '包裹卡' }],
      } }] } }),
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
    // A member's row opens onto their customers, asked for by their staff id.
    document.body.querySelector<HTMLElement>('.n-data-table-expand-trigger')!.click();
    await until(() => expect(testid('staff-customers-S1')?.textContent).toContain('林小姐'));
    expect(testid('staff-customers-S1')!.textContent).toContain('共 1 位客户');
    expect(testid('staff-customers-S1')!.textContent).toContain('包裹卡');
    expect(m.gql.named('WeComStaffCustomers').map((r) => r.variables)).toEqual([{ staffId: 'S1', first: 20 }]);
  });

  it('transfers every customer of a staff member to another, and lists the transfers with WeCom’s reason for a failed one', async () => {
    const sent: unknown[] = [];
    const staff = (id: string, name: string, wecomUserId: string | null, active = true) => ({ __typename: 'Staff', id, staffId: id.toLowerCase(), name, wecomUserId, active });
    const transfer = (id: string, status: string, failReason: string | null) => ({
      __typename: 'WeComTransfer', id, status, mode: 'in_service', createdAt: '2025-06-01T02:00:00Z', takeoverAt: null, settledAt: null, failReason, lastError: null,
      customer: { __typename: 'Customer', id: `U${id}`, name: `客户${id}`, wecomExternalId: null }, fromStaff: { __typename: 'Staff', id: 'S1', name: '张三' }, toStaff: { __typename: 'Staff', id: 'S2', name: '李四' },
    });
    const m = await mountWith(WeComStaffPage, {}, {
      ...viewer(),
      WeComStaff: () => ({ staff: [staff('S1', '张三', 'zhangsan'), staff('S2', '李四', 'lisi'), staff('S3', '王五', 'wangwu', false)] }),
      WeComLiveCodes: () => ({ wecomLiveCodes: { __typename: 'QueryWecomLiveCodesConnection', edges: [] } }),
      WeComTransfers: () => ({ wecomTransfers: { __typename: 'QueryWecomTransfersConnection', edges: [{ __typename: 'QueryWecomTransfersConnectionEdge', node: transfer('1', 'failed', 'customer_refused') }, { __typename: 'QueryWecomTransfersConnectionEdge', node: transfer('2', 'waiting', null) }] } }),
      TransferWeComCustomers: (v) => (sent.push(v.input), { transferCustomers: { __typename: 'TransferCustomersPayload', waiting: 12, failed: 1 } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('transfer-status-1')?.textContent).toBe('失败'));
    expect(testid('transfers-table')!.textContent).toContain('客户拒绝');
    expect(testid('transfer-status-2')!.textContent).toBe('等待中');

    await until(() => expect(testid('staff-transfer-zhangsan')).not.toBeNull());
    testid('staff-transfer-zhangsan')!.click();
    await until(() => expect(testid('transfer-dialog')).not.toBeNull());
    const to = m.wrapper.findAllComponents(NSelect).find((c) => c.attributes('data-testid') === 'transfer-to')!;
    // Only active staff with a WeCom userid, not the one handing over.
    expect(to.props('options')).toEqual([{ value: 'S2', label: '李四 (lisi)' }]);
    to.vm.$emit('update:value', 'S2');
    const message = testid('transfer-message')!.querySelector('textarea')!;
    message.value = '您好，之后由李四为您服务';
    message.dispatchEvent(new Event('input', { bubbles: true }));
    await until(() => expect(testid('transfer-submit')!.hasAttribute('disabled')).toBe(false));
    testid('transfer-submit')!.click();
    await until(() => expect(sent).toEqual([{ fromStaffId: 'S1', toStaffId: 'S2', mode: 'in_service', message: '您好，之后由李四为您服务' }]));
    await until(() => expect(m.text()).toContain('已提交 12 位客户的转移，1 位被企业微信拒绝'));
  });

  it('a WeCom limit (twice in 90 days) is said in the dialog, which stays open', async () => {
    const m = await mountWith(WeComStaffPage, {}, {
      ...viewer(),
      WeComStaff: () => ({ staff: [{ __typename: 'Staff', id: 'S1', staffId: 's1', name: '张三', wecomUserId: 'zhangsan', active: true }, { __typename: 'Staff', id: 'S2', staffId: 's2', name: '李四', wecomUserId: 'lisi', active: true }] }),
      WeComLiveCodes: () => ({ wecomLiveCodes: { __typename: 'QueryWecomLiveCodesConnection', edges: [] } }),
      WeComTransfers: () => ({ wecomTransfers: { __typename: 'QueryWecomTransfersConnection', edges: [] } }),
      TransferWeComCustomers: () => ({ transferCustomers: { __typename: 'WeComLimitError', message: '2 customers were already transferred twice in 90 days', code: 'WECOM_LIMIT', field: 'input.customerIds', rule: 'transfer_twice_in_90_days', limit: 2, over: ['U1', 'U2'] } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('staff-transfer-zhangsan')).not.toBeNull());
    testid('staff-transfer-zhangsan')!.click();
    await until(() => expect(testid('transfer-dialog')).not.toBeNull());
    m.wrapper.findAllComponents(NSelect).find((c) => c.attributes('data-testid') === 'transfer-to')!.vm.$emit('update:value', 'S2');
    await until(() => expect(testid('transfer-submit')!.hasAttribute('disabled')).toBe(false));
    testid('transfer-submit')!.click();
    await until(() => expect(testid('transfer-error')?.textContent).toContain('2 customers were already transferred twice in 90 days'));
    expect(testid('transfer-dialog')).not.toBeNull();
  });
});
