import { afterEach, describe, expect, it, vi } from 'vitest';
import CallbackSecret from './CallbackSecret.vue';
import { setPartnerKey } from './partner';
import { fakeGraphql, mountWith, testid, until } from './test-support';

const SECRET = 'whsec_c2VjcmV0LW9uZS1mb3ItdGVzdGluZw==';
let unmount = () => {};
afterEach(() => {
  unmount();
  vi.unstubAllGlobals();
  setPartnerKey(null);
});

describe('CallbackSecret', () => {
  it('keeps the secret masked until revealed and copies it whole', async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const m = await mountWith(CallbackSecret, { pluginId: 'P1', pluginName: '满减券发放', secret: SECRET });
    unmount = () => m.wrapper.unmount();
    expect(testid('callback-secret-value')!.textContent).toMatch(/^whsec_•+$/);
    expect(m.text()).not.toContain(SECRET);
    testid('callback-secret-reveal')!.click();
    await until(() => expect(testid('callback-secret-value')!.textContent).toBe(SECRET));
    testid('callback-secret-copy')!.click();
    await until(() => expect(writeText).toHaveBeenCalledWith(SECRET));
    await until(() => expect(m.text()).toContain('已复制回调密钥'));
  });

  it('rotates with the partner key only after the confirmation, and shows the new secret', async () => {
    const gql = fakeGraphql({ MarketplaceRotateCallbackSecret: (v) => ({ rotatePluginCallbackSecret: { __typename: 'Plugin', id: v.pluginId, callbackSecret: 'whsec_bmV3' } }) });
    vi.stubGlobal('fetch', gql.fetch);
    setPartnerKey('cyp_partner-key');
    const m = await mountWith(CallbackSecret, { pluginId: 'P1', pluginName: 'Coupons', secret: SECRET }, {}, 'en');
    unmount = () => m.wrapper.unmount();
    testid('callback-secret-rotate')!.click();
    await until(() => expect(testid('callback-secret-dialog')?.textContent).toContain('Rotate the callback secret of “Coupons”?'));
    expect(gql.requests).toHaveLength(0);
    testid('callback-secret-confirm')!.click();
    await until(() => expect(m.wrapper.findComponent(CallbackSecret).emitted('rotated')).toEqual([['whsec_bmV3']]));
    expect(gql.requests).toEqual([{ operationName: 'MarketplaceRotateCallbackSecret', variables: { pluginId: 'P1' }, authorization: 'Bearer cyp_partner-key' }]);
  });

  it('offers no rotation to a developer, who still reads the secret', async () => {
    const m = await mountWith(CallbackSecret, { pluginId: 'P1', pluginName: 'Coupons', secret: SECRET, canRotate: false });
    unmount = () => m.wrapper.unmount();
    expect(testid('callback-secret-value')).toBeTruthy();
    expect(testid('callback-secret-rotate')).toBeNull();
  });
});
