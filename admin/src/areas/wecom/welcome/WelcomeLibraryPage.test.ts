import { afterEach, describe, expect, it } from 'vitest';
import WelcomeLibraryPage from './WelcomeLibraryPage.vue';
import { mountWith, testid, until } from '../test-support';

const code = (id: string, name: string, welcome: unknown) => ({
  __typename: 'WeComLiveCode', id, liveCodeId: id, name, channel: 'store', assignment: 'random', currentUserIds: [], createdAt: '2025-06-01T00:00:00Z', staff: [], stats: [], welcome,
});

let unmount = () => {};
afterEach(() => unmount());

describe('welcome message library', () => {
  it("lists every live code's welcome message, filled in for a preview and linked to its code; codes without one are left out", async () => {
    const m = await mountWith(WelcomeLibraryPage, {}, {
      WeComLiveCodes: () => ({
        wecomLiveCodes: {
          __typename: 'QueryWecomLiveCodesConnection',
          edges: [
            { __typename: 'QueryWecomLiveCodesConnectionEdge', node: code('C1', '门店海报', { __typename: 'WeComWelcomeMessage', text: '欢迎来到{{live_code}}，券：{{coupon}}', coupon: 'STORE10', link: { __typename: 'WeComLinkCard', title: '门店地图', url: 'https://x.cn' }, miniprogram: null }) },
            { __typename: 'QueryWecomLiveCodesConnectionEdge', node: code('C2', '直播间', null) },
          ],
        },
      }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('welcome-of-门店海报')).not.toBeNull());
    expect(testid('welcome-of-门店海报')!.textContent).toContain('欢迎来到门店海报，券：STORE10');
    expect(testid('welcome-of-门店海报')!.textContent).toContain('门店地图');
    expect(testid('welcome-of-门店海报')!.querySelector('a')!.getAttribute('href')).toBe('/wecom/codes/C1');
    expect(testid('welcome-of-直播间')).toBeNull();
    expect(m.text()).toContain('欢迎语随活码保存');
  });
});
