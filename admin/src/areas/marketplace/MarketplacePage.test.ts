import { afterEach, describe, expect, it } from 'vitest';
import MarketplacePage from './MarketplacePage.vue';
import { mountWith, until } from './test-support';

const answers = (platformOperator: boolean) => ({
  MarketplaceViewerOperator: () => ({ viewer: { __typename: 'Viewer', platformOperator } }),
  MarketplacePlugins: () => ({ marketplace: { __typename: 'MarketplaceConnection', totalCount: 0, edges: [] }, marketplaceCategories: [] }),
  MarketplaceReviewQueue: () => ({ pluginReviewQueue: { __typename: 'PluginReviewQueueConnection', edges: [] } }),
});
let unmount = () => {};
afterEach(() => unmount());

describe('MarketplacePage', () => {
  it('shows the review queue tab to a platform operator', async () => {
    const m = await mountWith(MarketplacePage, {}, answers(true));
    unmount = () => m.wrapper.unmount();
    await until(() => expect(m.text()).toContain('审核队列'));
  });

  it('hides the review queue from anyone else without asking for it', async () => {
    const m = await mountWith(MarketplacePage, {}, answers(false));
    unmount = () => m.wrapper.unmount();
    await until(() => expect(m.gql.named('MarketplaceViewerOperator')).toHaveLength(1));
    await until(() => expect(m.text()).toContain('浏览'));
    await new Promise((r) => setTimeout(r, 50));
    expect(m.text()).not.toContain('审核队列');
    expect(m.gql.named('MarketplaceReviewQueue')).toHaveLength(0);
  });
});
