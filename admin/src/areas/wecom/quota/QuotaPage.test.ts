import { afterEach, describe, expect, it } from 'vitest';
import QuotaPage from './QuotaPage.vue';
import { mountWith, testid, until, viewer } from '../test-support';

const settings = { __typename: 'WeComQuotaSettings', period: 'month', limit: null, effectiveLimit: 30, action: 'skip', massSendHours: 24 };
let unmount = () => {};
afterEach(() => unmount());

describe('WeCom quota', () => {
  it('saves the period, limit and action; a limit over WeCom’s is shown on the limit field', async () => {
    const sent: unknown[] = [];
    const m = await mountWith(QuotaPage, {}, {
      ...viewer(),
      WeComQuotaSettings: () => ({ wecomQuotaSettings: settings }),
      WeComCustomerQuotas: () => ({ customers: { __typename: 'QueryCustomersConnection', totalCount: 1, edges: [{ __typename: 'QueryCustomersConnectionEdge', node: { __typename: 'Customer', id: 'U1', name: '林小姐', wecomExternalId: 'wm1', wecomQuota: { __typename: 'WeComQuotaUsage', used: 4, limit: 4, remaining: 0, period: 'week', periodEnd: '2025-06-09T00:00:00Z' } } }] } }),
      UpdateWeComQuotaSettings: (v) => (sent.push(v.input), { updateWeComQuotaSettings: { __typename: 'ValidationError', message: 'Invalid input', code: 'INVALID_INPUT', fields: [{ field: 'input.limit', message: 'WeCom allows at most 7 a week' }] } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(m.text()).toContain('当前生效：30 条'));
    await until(() => expect(testid('quota-usage-林小姐')?.textContent).toContain('4 / 4'));
    testid('quota-period-week')!.querySelector('input')!.click();
    testid('quota-action-delay')!.querySelector('input')!.click();
    await until(() => expect(testid('quota-save')!.hasAttribute('disabled')).toBe(false));
    testid('quota-save')!.click();
    await until(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({ period: 'week', limit: null, action: 'delay', massSendHours: 24 });
    await until(() => expect(testid('quota-limit')!.closest('.n-form-item')!.textContent).toContain('WeCom allows at most 7 a week'));
  });
});
