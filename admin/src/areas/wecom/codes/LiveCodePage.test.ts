import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import LiveCodePage from './LiveCodePage.vue';
import { mountWith, testid, until, viewer } from '../test-support';

// happy-dom has no canvas: the chart stands in as a list of its days' adds.
vi.mock('./StatsChart.vue', () => ({
  default: defineComponent({ props: { days: { type: Array, required: true } }, setup: (p) => () => h('ol', { 'data-testid': 'code-stats-chart' }, (p.days as Array<{ adds: number }>).map((d) => h('li', String(d.adds)))) }),
}));

const days = (adds: number) => Array.from({ length: 30 }, (_, i) => ({ __typename: 'WeComLiveCodeDay', day: `2025-06-${String(i + 1).padStart(2, '0')}`, adds: i === 29 ? adds : 0, deletes: 0, netAdds: i === 29 ? adds : 0 }));
const code = {
  __typename: 'WeComLiveCode', id: 'C1', liveCodeId: 'c1', name: '包裹卡 · 6 月', channel: 'parcel_card', assignment: 'round_robin', backupUserIds: [], currentUserIds: ['zhangsan'],
  dailyAddLimit: null, skipVerify: true, tagIds: ['T1'], state: 'cy_1', configId: 'cfg1', qrCodeUrl: 'https://wecom.example/qr/cfg1.png', createdAt: '2025-06-01T00:00:00Z',
  staff: [{ __typename: 'WeComLiveCodeStaff', userId: 'zhangsan', schedule: [] }],
  welcome: { __typename: 'WeComWelcomeMessage', text: '{{customer_name}}您好，我是{{staff_name}}', coupon: null, link: null, miniprogram: null },
  qrImage: 'data:image/png;base64,iVBORw0KGgo=',
};
const tag = { __typename: 'Tag', id: 'T1', name: '包裹卡', color: '#E6A23C' };

let unmount = () => {};
afterEach(() => unmount());

describe('a live code page', () => {
  it('offers the QR as a PNG download and WeCom’s own image, and shows a new add and the customer’s channel tag without a reload', async () => {
    let scanned = false;
    const filters: unknown[] = [];
    const m = await mountWith(LiveCodePage, { pollMs: 50 }, {
      ...viewer(),
      WeComStaff: () => ({ staff: [{ __typename: 'Staff', id: 'S1', staffId: 's1', name: '张三', wecomUserId: 'zhangsan', active: true }] }),
      WeComLiveCode: (v) => ({ node: v.id === 'C1' ? { ...code, stats: days(0) } : null }),
      WeComLiveCodeStats: () => ({ node: { __typename: 'WeComLiveCode', id: 'C1', currentUserIds: scanned ? ['lisi'] : ['zhangsan'], stats: days(scanned ? 1 : 0) } }),
      WeComChannelCustomers: (v) => {
        filters.push(v.filter);
        return { customers: { __typename: 'QueryCustomersConnection', totalCount: scanned ? 1 : 0, edges: scanned ? [{ __typename: 'QueryCustomersConnectionEdge', node: { __typename: 'Customer', id: 'U1', name: '林小姐', wecomExternalId: 'wm1', createdAt: new Date().toISOString(), tags: [tag] } }] : [] } };
      },
    }, { path: '/wecom/codes/C1' });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('code-qr')?.getAttribute('src')).toBe(code.qrImage));
    expect(testid('code-download')!.getAttribute('href')).toBe(code.qrImage);
    expect(testid('code-download')!.getAttribute('download')).toBe('包裹卡_·_6_月.png');
    expect(testid('code-wecom-image')!.getAttribute('href')).toBe('https://wecom.example/qr/cfg1.png');
    expect(testid('welcome-preview')!.textContent).toBe('林小姐您好，我是张三');
    expect(testid('code-today-adds')!.textContent).toBe('0');
    expect(filters[0]).toEqual({ sourceChannels: ['wecom:parcel_card'], identities: ['wecom'] });

    scanned = true;
    await until(() => expect(testid('code-today-adds')!.textContent).toBe('1'));
    await until(() => expect(testid('code-customer-林小姐')?.textContent).toContain('包裹卡'));
    expect(testid('code-total-adds')!.textContent).toBe('1');
    expect(testid('code-stats-chart')!.querySelectorAll('li')).toHaveLength(30);
    expect(testid('code-stats-chart')!.lastElementChild!.textContent).toBe('1');
  });

  it('says so when the code is gone', async () => {
    const m = await mountWith(LiveCodePage, {}, { ...viewer(), WeComStaff: () => ({ staff: [] }), WeComLiveCode: () => ({ node: null }) }, { path: '/wecom/codes/nope' });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(m.text()).toContain('活码不存在或已删除'));
  });
});
