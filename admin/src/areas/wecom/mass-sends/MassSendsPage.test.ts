import { afterEach, describe, expect, it } from 'vitest';
import MassSendsPage from './MassSendsPage.vue';
import { mountWith, testid, until, viewer } from '../test-support';

const campaign = { __typename: 'Campaign', id: 'K1', name: '618 预热' };
const task = (id: string, staffUserId: string, status: string, counts: Partial<Record<'recipients' | 'sent' | 'failed' | 'notSent' | 'waiting', number>>, c: unknown, journey: unknown = null) => ({
  __typename: 'WeComMassSend', id, staffUserId, status, reconciling: false, reconcileUntil: null, recipients: 0, sent: 0, failed: 0, notSent: 0, waiting: 0, createdAt: '2025-06-01T02:00:00Z', expiresAt: '2025-06-02T02:00:00Z', settledAt: null, lastError: null, withdrawnAt: null, nodeId: journey ? 'send' : null, campaign: c, journey, ...counts,
});
let unmount = () => {};
afterEach(() => unmount());

describe('mass sends', () => {
  it("shows each staff member's task state and confirmation rate, and reminds a waiting one; grouped by campaign or journey", async () => {
    const reminded: unknown[] = [];
    const withdrawn: unknown[] = [];
    const m = await mountWith(MassSendsPage, {}, {
      ...viewer(),
      WithdrawWeComMassSend: (v) => (withdrawn.push(v.id), { withdrawWeComMassSend: { __typename: 'WeComMassSend', id: v.id, status: 'waiting', withdrawnAt: '2025-06-01T03:00:00Z' } }),
      RemindWeComMassSend: (v) => (reminded.push(v.id), { remindWeComMassSend: { __typename: 'WeComRejectedError', message: 'WeCom allows 3 reminders a task in 24 h (45009)', code: 'WECOM_REJECTED', wecomCode: 45009 } }),
      WeComStaff: () => ({ staff: [{ __typename: 'Staff', id: 'S1', staffId: 's1', name: '张三', wecomUserId: 'zhangsan', active: true }, { __typename: 'Staff', id: 'S2', staffId: 's2', name: '李四', wecomUserId: 'lisi', active: true }] }),
      WeComMassSends: () => ({
        wecomMassSends: {
          __typename: 'QueryWecomMassSendsConnection',
          edges: [
            task('T1', 'zhangsan', 'sent', { recipients: 10, sent: 10 }, campaign),
            task('T2', 'lisi', 'waiting', { recipients: 8, waiting: 8 }, campaign),
            task('T3', 'zhangsan', 'not_sent', { recipients: 3, notSent: 3 }, null, { __typename: 'Journey', id: 'J1', name: '加好友旅程' }),
            { ...task('T4', 'lisi', 'creating', { recipients: 5 }, campaign), reconciling: true, reconcileUntil: '2025-06-01T02:10:00Z' },
            { ...task('T5', 'zhangsan', 'waiting', { recipients: 2, waiting: 2 }, campaign), withdrawnAt: '2025-06-01T03:00:00Z' },
          ].map((node) => ({ __typename: 'QueryWecomMassSendsConnectionEdge', node })),
        },
      }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('mass-send-status-T2')?.textContent).toBe('等待员工确认'));
    expect(testid('mass-send-status-T1')!.textContent).toBe('已发送');
    // A creation whose answer was lost says it is being checked with WeCom, not just "creating".
    expect(testid('mass-send-status-T4')!.textContent).toBe('正在向企业微信核对');
    const campaignCard = () => testid('mass-sends-618 预热')!;
    await until(() => expect(campaignCard().querySelector('[data-testid="mass-sends-rate-zhangsan"]')!.textContent).toContain('张三 · 确认率 100'));
    expect(campaignCard().querySelector('[data-testid="mass-sends-rate-lisi"]')).toBeNull();
    expect(campaignCard().querySelector('a')!.getAttribute('href')).toBe('/campaigns/K1');
    // A journey's sends are their own group, linked to the journey.
    expect(testid('mass-sends-加好友旅程')!.textContent).toContain('未发送');
    expect(testid('mass-sends-加好友旅程')!.querySelector('a')!.getAttribute('href')).toBe('/journeys/J1');
    // Only a waiting task can be reminded; WeCom's refusal of a fourth reminder is said.
    expect(testid('mass-send-remind-T1')).toBeNull();
    await until(() => expect(testid('mass-send-remind-T2')).not.toBeNull());
    testid('mass-send-remind-T2')!.click();
    await until(() => expect(reminded).toEqual(['T2']));
    await until(() => expect(m.text()).toContain('WeCom allows 3 reminders a task in 24 h (45009)'));

    // Withdrawing asks first (naming the staff member), then withdraws; a task already withdrawn shows so and offers neither.
    expect(testid('mass-send-status-T5')!.textContent).toBe('撤回中');
    expect(testid('mass-send-withdraw-T5')).toBeNull();
    expect(testid('mass-send-withdraw-T1')).toBeNull();
    testid('mass-send-withdraw-T2')!.click();
    await until(() => expect(document.body.textContent).toContain('撤回这个任务？李四尚未发送的客户将不再收到'));
    expect(withdrawn).toEqual([]);
    const confirm = [...document.querySelectorAll('.n-popconfirm__action button')].find((b) => b.textContent?.includes('撤回')) as HTMLButtonElement;
    confirm.click();
    await until(() => expect(withdrawn).toEqual(['T2']));
    await until(() => expect(document.body.textContent).toContain('已撤回，尚未发送的客户记为未发送'));

    // The workspace changed (a task read back from WeCom): the list is read again at once, not at the next poll.
    const reads = m.gql.named('WeComMassSends').length;
    m.push('WorkspaceChanged', { workspaceChanged: { __typename: 'WorkspaceChanged', at: new Date().toISOString() } });
    await until(() => expect(m.gql.named('WeComMassSends').length).toBeGreaterThan(reads), 1000);
  });
});
