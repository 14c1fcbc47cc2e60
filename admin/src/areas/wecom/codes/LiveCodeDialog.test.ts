import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import { NSelect } from 'naive-ui';
import type { WeComLiveCodeFieldsFragment } from '@/gql/graphql';
import LiveCodeDialog from './LiveCodeDialog.vue';
import { input, mountWith, testid, type, until } from '../test-support';

const staff = [
  { __typename: 'Staff', id: 'S1', staffId: 's1', name: '张三', wecomUserId: 'zhangsan', active: true },
  { __typename: 'Staff', id: 'S2', staffId: 's2', name: '李四', wecomUserId: 'lisi', active: true },
  { __typename: 'Staff', id: 'S3', staffId: 's3', name: '没有企微', wecomUserId: null, active: true },
];
const tag = { __typename: 'Tag', id: 'T1', name: '包裹卡', color: '#E6A23C', group: { __typename: 'TagGroup', id: 'G1', name: '渠道', kind: 'basic' } };
const code: WeComLiveCodeFieldsFragment = {
  __typename: 'WeComLiveCode', id: 'C1', liveCodeId: 'c1', name: '包裹卡 · 6 月', channel: 'parcel_card', assignment: 'round_robin', backupUserIds: [], currentUserIds: ['zhangsan'],
  dailyAddLimit: null, skipVerify: true, tagIds: ['T1'], state: 'cy_1', configId: 'cfg1', qrCodeUrl: null, createdAt: '2025-06-01T00:00:00Z',
  staff: [{ __typename: 'WeComLiveCodeStaff', userId: 'zhangsan', schedule: [] }],
  welcome: { __typename: 'WeComWelcomeMessage', text: '您好', coupon: null, link: null, miniprogram: null },
} as unknown as WeComLiveCodeFieldsFragment;
const base = {
  WeComStaff: () => ({ staff }),
  PickerTags: () => ({ tags: { __typename: 'QueryTagsConnection', edges: [{ __typename: 'QueryTagsConnectionEdge', node: tag }] } }),
  PickedTags: () => ({ nodes: [tag] }),
};
const result = (input: Record<string, unknown>) => ({ ...code, name: input.name });

let unmount = () => {};
afterEach(() => unmount());

/** The Naive UI select with this test id (its dropdown does not open in happy-dom). */
const select = (wrapper: VueWrapper, id: string) => wrapper.findAllComponents(NSelect).find((c) => c.attributes('data-testid') === id)!;

describe('LiveCodeDialog', () => {
  it('creates with the staff picked (only those with a WeCom userid), a schedule, the assignment and a welcome message with inserted variables and a link card', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const m = await mountWith(LiveCodeDialog, { show: true, code: null }, {
      ...base,
      CreateWeComLiveCode: (v) => (sent.push(v.input as Record<string, unknown>), { createWeComLiveCode: result(v.input as Record<string, unknown>) }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('code-name')).not.toBeNull());
    type('code-name', '门店海报');
    testid('code-channel-store')!.querySelector('input')!.click();
    await until(() => expect(select(m.wrapper, 'code-staff').props('options')).toEqual([{ value: 'zhangsan', label: '张三 (zhangsan)' }, { value: 'lisi', label: '李四 (lisi)' }]));
    select(m.wrapper, 'code-staff').vm.$emit('update:value', ['zhangsan']);
    await until(() => expect(select(m.wrapper, 'code-backup').props('options')).toEqual([{ value: 'lisi', label: '李四 (lisi)' }]));
    select(m.wrapper, 'code-backup').vm.$emit('update:value', ['lisi']);
    await until(() => expect(testid('code-staff-zhangsan')).not.toBeNull());
    testid('code-staff-zhangsan-add-window')!.click();
    await until(() => expect(input('code-staff-zhangsan-start-0')).not.toBeNull());
    type('code-staff-zhangsan-end-0', '21:00');
    testid('code-assignment-least_loaded')!.querySelector('input')!.click();

    type('code-welcome-text', '您好，我是');
    testid('code-insert-staff_name')!.click();
    await until(() => expect(input('code-welcome-text')!.value).toBe('您好，我是{{staff_name}}'));
    testid('code-insert-coupon')!.click();
    type('code-welcome-coupon', 'NEW20');
    testid('code-attachment-link')!.querySelector('input')!.click();
    await until(() => expect(testid('code-link-title')).not.toBeNull());
    type('code-link-title', '{{live_code}}专享');
    type('code-link-url', 'https://shop.example.com/new');
    await until(() => expect(testid('welcome-preview')!.textContent).toContain('您好，我是张三NEW20'));
    expect(testid('welcome-preview')!.textContent).toContain('门店海报专享');

    await until(() => expect(testid('code-submit')!.hasAttribute('disabled')).toBe(false));
    testid('code-submit')!.click();
    await until(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({
      name: '门店海报', channel: 'store', assignment: 'least_loaded', backupUserIds: ['lisi'], dailyAddLimit: null, skipVerify: true, tagIds: [],
      staff: [{ userId: 'zhangsan', schedule: [{ weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '21:00' }] }],
      welcome: { text: '您好，我是{{staff_name}}{{coupon}}', coupon: 'NEW20', link: { title: '{{live_code}}专享', url: 'https://shop.example.com/new', desc: null, picUrl: null }, miniprogram: null },
    });
    await until(() => expect(m.wrapper.findComponent(LiveCodeDialog).emitted('saved')).toHaveLength(1));
  });

  it("shows the API's unknown variable on the welcome field, and keeps the dialog open", async () => {
    const m = await mountWith(LiveCodeDialog, { show: true, code }, {
      ...base,
      UpdateWeComLiveCode: () => ({ updateWeComLiveCode: { __typename: 'UnknownVariableError', message: 'Unknown variable {{nickname}}', code: 'UNKNOWN_VARIABLE', field: 'input.welcome.text', variable: 'nickname', known: ['customer_name', 'staff_name', 'live_code', 'coupon'] } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(input('code-welcome-text')!.value).toBe('您好'));
    type('code-welcome-text', '您好 {{nickname}}');
    await until(() => expect(testid('welcome-preview-unknown')?.textContent).toBe('{{nickname}}'));
    testid('code-submit')!.click();
    const item = () => testid('code-welcome-text-item')!;
    await until(() => expect(item().textContent).toContain('欢迎语里的变量“{{nickname}}”不存在'));
    expect(item().textContent).toContain('{{customer_name}} {{staff_name}} {{live_code}} {{coupon}}');
    expect(testid('code-dialog-error')).toBeNull();
    expect(m.wrapper.findComponent(LiveCodeDialog).emitted('saved')).toBeUndefined();
  });

  it('an edit sends the whole code back with its tags; a WeCom refusal about a staff member shows on that staff row', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const m = await mountWith(LiveCodeDialog, { show: true, code }, {
      ...base,
      UpdateWeComLiveCode: (v) => (sent.push(v as Record<string, unknown>), { updateWeComLiveCode: { __typename: 'WeComRejectedError', message: '60111 userid not found', code: 'WECOM_REJECTED', field: 'input.staff.0.userId', wecomCode: 60111 } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('code-staff-zhangsan')).not.toBeNull());
    await until(() => expect(testid('tag-picker')!.textContent).toContain('包裹卡'));
    testid('code-submit')!.click();
    await until(() => expect(testid('code-staff-zhangsan')!.textContent).toContain('企业微信拒绝了请求：60111 userid not found'));
    expect(sent[0]).toMatchObject({ id: 'C1', input: { name: '包裹卡 · 6 月', tagIds: ['T1'], staff: [{ userId: 'zhangsan', schedule: [] }], welcome: { text: '您好', coupon: null, link: null, miniprogram: null } } });
  });
});
