import { afterEach, describe, expect, it } from 'vitest';
import { mountInApp, testid, until } from '@/testing/mount';
import CampaignProgressPage from './CampaignProgressPage.vue';

let unmount = () => {};
afterEach(() => unmount());

const progress = { total: 3, queued: 0, sent: 3, delivered: 0, failed: 0, skipped: 0, replied: 0, clicked: 0, heldOut: 0, cancelled: 0 };
function answers(status: string, deleted: unknown = { __typename: 'Deleted', deletedId: 'C1' }) {
  return {
    CampaignOverview: () => ({
      campaign: {
        __typename: 'Campaign', id: 'C1', name: '会员日', description: null, status, kind: 'one_off', cron: null, scheduledAt: null, nextRunAt: null, lastError: null,
        definition: {}, createdAt: '2026-11-01T08:00:00.000Z', progress: { __typename: 'DeliveryCounts', ...progress },
        runs: { __typename: 'CampaignRunConnection', totalCount: 0, edges: [] },
      },
      workspace: { __typename: 'Workspace', id: 'W1', timeZone: 'Asia/Shanghai' },
    }),
    CampaignDeliveries: () => ({ deliveries: { __typename: 'DeliveryConnection', totalCount: 0, edges: [] } }),
    ProgressDeleteCampaign: () => ({ deleteCampaign: deleted }),
  };
}
const confirm = () => document.body.querySelector<HTMLElement>('[data-testid="confirm-delete"]');

describe('deleting a campaign from its page', () => {
  it('asks first, says the sent messages stay, deletes, and goes back to the list', async () => {
    const m = await mountInApp(CampaignProgressPage, { id: 'C1' }, answers('completed'), { path: '/campaigns/C1', locale: 'en' });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('campaign-delete')).toBeTruthy());
    testid('campaign-delete')!.click();
    await until(() => expect(confirm()).toBeTruthy());
    expect(m.text()).toContain('Messages already sent stay in each customer\'s message log');
    expect(m.gql.named('ProgressDeleteCampaign')).toHaveLength(0);
    confirm()!.click();
    await until(() => expect(m.router.currentRoute.value.path).toBe('/campaigns'));
    expect(m.gql.named('ProgressDeleteCampaign').map((r) => r.variables)).toEqual([{ id: 'C1' }]);
    expect(m.text()).toContain('Campaign deleted');
  });

  it('offers no delete while a campaign sends, and shows the API\'s refusal when the state changed meanwhile', async () => {
    const running = await mountInApp(CampaignProgressPage, { id: 'C1' }, answers('running'), { path: '/campaigns/C1' });
    await until(() => expect(testid('campaign-cancel')).toBeTruthy());
    expect(testid('campaign-delete')).toBeNull();
    running.wrapper.unmount();

    const refusal = { __typename: 'CampaignStateError', message: 'A running campaign cannot be deleted; cancel it first (cancelCampaign).', code: 'CAMPAIGN_STATE' };
    const m = await mountInApp(CampaignProgressPage, { id: 'C1' }, answers('scheduled', refusal), { path: '/campaigns/C1' });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('campaign-delete')).toBeTruthy());
    testid('campaign-delete')!.click();
    await until(() => expect(confirm()).toBeTruthy());
    confirm()!.click();
    await until(() => expect(m.text()).toContain('cancel it first'));
    expect(m.router.currentRoute.value.path).toBe('/campaigns/C1');
  });
});
