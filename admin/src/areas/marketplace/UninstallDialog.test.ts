import { afterEach, describe, expect, it } from 'vitest';
import UninstallDialog from './UninstallDialog.vue';
import { mountWith, testid, until } from './test-support';

const usage = (usedBy: unknown[]) => ({ MarketplaceInstallationUsage: (v: Record<string, unknown>) => ({ node: { __typename: 'Installation', id: v.id, usedBy } }) });
let unmount = () => {};
afterEach(() => unmount());

describe('UninstallDialog', () => {
  it('lists the journeys using the plugin, each linked, before anything is uninstalled', async () => {
    const m = await mountWith(UninstallDialog, { installationId: 'SW5zdDox', pluginName: '满减券发放' }, usage([
      { journey: { __typename: 'Journey', id: 'J1' }, name: '领券旅程', inDraft: true, publishedVersions: [] },
      { journey: { __typename: 'Journey', id: 'J2' }, name: '复购提醒', inDraft: false, publishedVersions: [1, 3] },
    ]));
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('uninstall-journeys')?.textContent).toContain('领券旅程'));
    expect(m.gql.named('MarketplaceInstallationUsage')[0]!.variables).toEqual({ id: 'SW5zdDox' });
    expect(m.gql.named('MarketplaceUninstall')).toHaveLength(0);
    expect(m.text()).toContain('卸载「满减券发放」？');
    expect(m.text()).toContain('卸载后无法发布');
    expect(testid('uninstall-journeys')!.textContent).toContain('草稿');
    expect(testid('uninstall-journeys')!.textContent).toContain('已发布版本 v1, v3');
    expect(testid('uninstall-journey-J2')!.getAttribute('href')).toBe('/journeys/J2');
    expect(m.wrapper.findComponent(UninstallDialog).emitted('confirm')).toBeUndefined();

    testid('uninstall-confirm')!.click();
    expect(m.wrapper.findComponent(UninstallDialog).emitted('confirm')).toHaveLength(1);
  });

  it('says no journey is affected when none uses it (in English too)', async () => {
    const m = await mountWith(UninstallDialog, { installationId: 'SW5zdDox', pluginName: 'Coupons' }, usage([]), 'en');
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('uninstall-usage-none')?.textContent).toBe("No journey uses this plugin's nodes."));
    expect(testid('uninstall-journeys')).toBeNull();
    testid('uninstall-cancel')!.click();
    expect(m.wrapper.findComponent(UninstallDialog).emitted('cancel')).toHaveLength(1);
  });

  it('asks nothing while closed', async () => {
    const m = await mountWith(UninstallDialog, { installationId: null, pluginName: '' }, usage([]));
    unmount = () => m.wrapper.unmount();
    await new Promise((r) => setTimeout(r, 30));
    expect(m.gql.requests).toHaveLength(0);
    expect(testid('uninstall-dialog')).toBeNull();
  });
});
