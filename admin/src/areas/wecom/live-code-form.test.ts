import { describe, expect, it } from 'vitest';
import type { WeComLiveCodeFieldsFragment } from '@/gql/graphql';
import { emptyForm, formFromCode, toInput, withStaff } from './live-code-form';

const stored: WeComLiveCodeFieldsFragment = {
  id: 'C1', liveCodeId: 'c1', name: '门店', channel: 'store', assignment: 'least_loaded', backupUserIds: ['wangwu'], currentUserIds: ['lisi'],
  dailyAddLimit: 50, skipVerify: false, tagIds: ['T1'], state: 'cy_1', configId: 'cfg', qrCodeUrl: 'https://wecom.example/qr.png', createdAt: '2025-06-01T00:00:00Z',
  staff: [{ userId: 'lisi', schedule: [{ weekdays: [5, 1], start: '09:00', end: '18:00' }] }],
  welcome: { text: '{{customer_name}}您好', coupon: null, link: null, miniprogram: { title: '小程序', appId: 'wx1', page: 'pages/index', picMediaId: 'm1' } },
};

describe('live code form', () => {
  it('a stored code round-trips to the same input (an update replaces every field)', () => {
    expect(toInput(formFromCode(stored))).toEqual({
      name: '门店', channel: 'store', assignment: 'least_loaded', backupUserIds: ['wangwu'], dailyAddLimit: 50, skipVerify: false, tagIds: ['T1'],
      staff: [{ userId: 'lisi', schedule: [{ weekdays: [1, 5], start: '09:00', end: '18:00' }] }],
      welcome: { text: '{{customer_name}}您好', coupon: null, link: null, miniprogram: { title: '小程序', appId: 'wx1', page: 'pages/index', picMediaId: 'm1' } },
    });
  });

  it('welcome off sends null; the card not chosen is not sent', () => {
    const form = { ...emptyForm(), name: ' 包裹卡 ', text: '你好', attachment: 'link' as const, link: { title: 'T', url: ' https://x.cn ', desc: '', picUrl: '' }, miniprogram: { title: 'M', appId: 'a', page: 'p', picMediaId: 'm' } };
    expect(toInput(form).welcome).toEqual({ text: '你好', coupon: null, link: { title: 'T', url: 'https://x.cn', desc: null, picUrl: null }, miniprogram: null });
    expect(toInput(form).name).toBe('包裹卡');
    expect(toInput({ ...form, welcomeOn: false }).welcome).toBeNull();
  });

  it('picking staff keeps the schedules of those still picked', () => {
    const now = withStaff([{ userId: 'a', schedule: [{ weekdays: [1], start: '09:00', end: '10:00' }] }, { userId: 'b', schedule: [] }], ['c', 'a']);
    expect(now).toEqual([{ userId: 'c', schedule: [] }, { userId: 'a', schedule: [{ weekdays: [1], start: '09:00', end: '10:00' }] }]);
  });
});
