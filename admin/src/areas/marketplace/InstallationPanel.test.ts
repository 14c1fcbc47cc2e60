import { afterEach, describe, expect, it } from 'vitest';
import InstallationPanel from './InstallationPanel.vue';
import { mountWith, testid, until } from './test-support';

const call = (over: Record<string, unknown>) => ({
  startedAt: '2025-05-01T08:00:00.000Z', kind: 'batch', nodeId: 'acme-coupons.issue-coupon', eventType: null, pluginVersion: '1.0.0',
  batchSize: 100, ok: true, httpStatus: 200, latencyMs: 87, attempts: 1, errorCode: null, error: null, ...over,
});
const callbacks = [
  { type: 'installation.secret_rotated', status: 'pending', attempts: 2, lastError: 'partner answered 503', createdAt: '2025-05-01T09:00:00.000Z', deliveredAt: null, nextAttemptAt: '2025-05-01T09:05:00.000Z' },
  { type: 'installation.upgraded', status: 'failed', attempts: 12, lastError: 'timeout after 10000 ms', createdAt: '2025-04-20T09:00:00.000Z', deliveredAt: null, nextAttemptAt: null },
  { type: 'installation.created', status: 'delivered', attempts: 1, lastError: null, createdAt: '2025-04-01T09:00:00.000Z', deliveredAt: '2025-04-01T09:00:01.000Z', nextAttemptAt: null },
];
function answers() {
  return {
    MarketplaceInstallationActivity: (v: Record<string, unknown>) => ({
      node: {
        __typename: 'Installation', id: v.id, tokenPrefix: 'cyt_ab12',
        calls: v.after
          ? { edges: [{ cursor: 'c3', node: call({ startedAt: '2025-04-30T08:00:00.000Z', batchSize: 3 }) }], pageInfo: { hasNextPage: false, endCursor: 'c3' } }
          : {
            edges: [
              { cursor: 'c1', node: call({ ok: false, httpStatus: null, latencyMs: 10012, attempts: 3, errorCode: 'timeout', error: 'the partner did not answer within 10000 ms' }) },
              { cursor: 'c2', node: call({ kind: 'install-callback', nodeId: null, eventType: 'installation.created', batchSize: 0, latencyMs: 41 }) },
            ],
            pageInfo: { hasNextPage: true, endCursor: 'c2' },
          },
        callbacks,
      },
    }),
    MarketplaceRotateInstallationSecret: (v: Record<string, unknown>) => ({ rotateInstallationSecret: { __typename: 'Installation', id: v.id, tokenPrefix: 'cyt_cd34', callbacks } }),
  };
}
let unmount = () => {};
afterEach(() => unmount());

describe('InstallationPanel', () => {
  it('shows each callback as pending, failed or delivered with when and why, and the call log with result, latency and error', async () => {
    const m = await mountWith(InstallationPanel, { installationId: 'I1', pluginName: '满减券发放' }, answers());
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('call-log')?.querySelectorAll('[data-testid="call-row"]')).toHaveLength(2));

    const pending = testid('callback-pending')!.textContent!;
    expect(pending).toContain('轮换密钥');
    expect(pending).toContain('待送达');
    expect(pending).toContain('下次重试');
    expect(pending).toContain('partner answered 503');
    expect(testid('callback-failed')!.textContent).toContain('送达失败');
    expect(testid('callback-failed')!.textContent).toContain('timeout after 10000 ms');
    expect(testid('callback-delivered')!.textContent).toMatch(/安装.*已送达.*送达/);

    const [failed, ok] = [...document.querySelectorAll('[data-testid="call-row"]')].map((r) => r.textContent!);
    expect(failed).toContain('节点 acme-coupons.issue-coupon');
    expect(failed).toContain('失败 · timeout');
    expect(failed).toContain('10,012 毫秒');
    expect(failed).toContain('the partner did not answer within 10000 ms');
    expect(ok).toContain('通知：安装');
    expect(ok).toContain('成功');
    expect(ok).toContain('HTTP 200');
    expect(testid('installation-token-prefix')!.textContent).toContain('cyt_ab12');
  });

  it('pages back through older calls with the end cursor and returns to the newest', async () => {
    const m = await mountWith(InstallationPanel, { installationId: 'I1', pluginName: 'Coupons' }, answers(), 'en');
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('call-log-older')).not.toBeNull());
    expect((testid('call-log-newer') as HTMLButtonElement).disabled).toBe(true);
    testid('call-log-older')!.click();
    await until(() => expect(document.querySelectorAll('[data-testid="call-row"]')).toHaveLength(1));
    expect(m.gql.named('MarketplaceInstallationActivity').at(-1)!.variables).toMatchObject({ id: 'I1', after: 'c2', first: 20 });
    expect(m.text()).toContain('Page 2');
    testid('call-log-newer')!.click();
    await until(() => expect(document.querySelectorAll('[data-testid="call-row"]')).toHaveLength(2));
    expect(m.gql.named('MarketplaceInstallationActivity').at(-1)!.variables).toMatchObject({ after: null });
  });

  it('explains what rotating does and rotates only once confirmed', async () => {
    const m = await mountWith(InstallationPanel, { installationId: 'I1', pluginName: '满减券发放' }, answers());
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('callbacks')).not.toBeNull());
    testid('installation-rotate')!.click();
    await until(() => expect(testid('rotate-dialog')).not.toBeNull());
    const dialog = testid('rotate-dialog')!;
    expect(dialog.textContent).toContain('轮换「满减券发放」的签名密钥和令牌？');
    expect(dialog.textContent).toContain('发送给服务商');
    expect(dialog.textContent).toContain('旧令牌立即失效');
    expect(dialog.textContent).toContain('24 小时');
    expect(m.gql.named('MarketplaceRotateInstallationSecret')).toHaveLength(0);

    const confirm = [...dialog.querySelectorAll('button')].find((b) => b.textContent?.trim() === '轮换')!;
    confirm.click();
    await until(() => expect(m.gql.named('MarketplaceRotateInstallationSecret')).toHaveLength(1));
    expect(m.gql.named('MarketplaceRotateInstallationSecret')[0]!.variables).toEqual({ id: 'I1' });
    await until(() => expect(m.text()).toContain('已轮换'));
  });
});
