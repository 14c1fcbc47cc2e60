import { afterEach, describe, expect, it } from 'vitest';
import ConnectionPage from './ConnectionPage.vue';
import { input, mountWith, testid, type, until, viewer } from '../test-support';

const stored = { __typename: 'WeComConnection', corpId: 'wwcourtyardtest0001', agentSecretHint: '••••••cret', baseUrl: 'http://127.0.0.1:9999', callbackPath: '/wecom/callback/ws-1', status: 'failing', lastError: '40001 invalid credential', lastCheckedAt: '2025-06-01T08:00:00Z', updatedAt: '2025-06-01T08:00:00Z' };
let unmount = () => {};
afterEach(() => unmount());

describe('WeCom connection settings', () => {
  it('never shows stored secrets: the secret fields start empty with a masked hint, and saving without typing them leaves them out', async () => {
    let sent: Record<string, unknown> | null = null;
    const m = await mountWith(ConnectionPage, {}, {
      ...viewer(),
      WeComConnection: () => ({ wecomConnection: stored }),
      ConnectWeCom: (v) => ((sent = v.input as Record<string, unknown>), { connectWeCom: { ...stored, status: 'connected', lastError: null } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(input('wecom-corp-id')!.value).toBe('wwcourtyardtest0001'));
    for (const id of ['wecom-agent-secret', 'wecom-callback-token', 'wecom-aes-key']) {
      expect(input(id)!.value).toBe('');
      expect(input(id)!.type).toBe('password');
    }
    expect(input('wecom-agent-secret')!.placeholder).toContain('••••••cret');
    expect(m.text()).not.toContain('standin-secret');
    expect(testid('wecom-status-tag')!.textContent).toBe('连接异常');
    expect(testid('wecom-last-error')!.textContent).toContain('40001 invalid credential');
    expect(input('wecom-callback-url')!.value).toBe(`${window.location.origin}/wecom/callback/ws-1`);

    testid('wecom-connect-save')!.click();
    await until(() => expect(sent).not.toBeNull());
    expect(sent).toEqual({ corpId: 'wwcourtyardtest0001' });
    await until(() => expect(m.text()).toContain('已连接企业微信'));
  });

  it('first connect sends every credential; WeCom refusing the secret shows its message on the secret field', async () => {
    const sent: Array<Record<string, unknown>> = [];
    const m = await mountWith(ConnectionPage, {}, {
      ...viewer(),
      WeComConnection: () => ({ wecomConnection: null }),
      ConnectWeCom: (v) => {
        sent.push(v.input as Record<string, unknown>);
        return { connectWeCom: { __typename: 'WeComRejectedError', message: 'WeCom refused the secret (40001 invalid credential)', code: 'WECOM_REJECTED', field: 'input.agentSecret', wecomCode: 40001 } };
      },
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('wecom-corp-id')).not.toBeNull());
    expect(m.text()).toContain('保存连接后显示回调地址');
    type('wecom-corp-id', 'wwcourtyardtest0001');
    type('wecom-agent-secret', 'wrong-secret');
    type('wecom-callback-token', 'courtyardToken');
    type('wecom-aes-key', 'Q291cnR5YXJkVGVzdEtleUNvdXJ0eWFyZFRlc3RLZXk');
    testid('wecom-advanced')!.querySelector<HTMLElement>('.n-collapse-item__header-main')!.click();
    await until(() => expect(input('wecom-base-url')).not.toBeNull());
    type('wecom-base-url', 'http://127.0.0.1:9999');
    await until(() => expect(testid('wecom-connect-save')!.hasAttribute('disabled')).toBe(false));
    testid('wecom-connect-save')!.click();
    await until(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({ corpId: 'wwcourtyardtest0001', agentSecret: 'wrong-secret', callbackToken: 'courtyardToken', encodingAesKey: 'Q291cnR5YXJkVGVzdEtleUNvdXJ0eWFyZFRlc3RLZXk', baseUrl: 'http://127.0.0.1:9999' });
    const secretItem = () => testid('wecom-agent-secret')!.closest('.n-form-item')!;
    await until(() => expect(secretItem().textContent).toContain('企业微信拒绝了这些凭证：WeCom refused the secret (40001 invalid credential)'));
    expect(testid('wecom-connection-error')).toBeNull();
  });

  it('a validation error lands on the field it names (in English too)', async () => {
    const m = await mountWith(ConnectionPage, {}, {
      ...viewer(),
      WeComConnection: () => ({ wecomConnection: null }),
      ConnectWeCom: () => ({ connectWeCom: { __typename: 'ValidationError', message: 'Invalid input', code: 'INVALID_INPUT', fields: [{ field: 'input.encodingAesKey', message: 'must be 43 letters and digits' }] } }),
    }, { locale: 'en' });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('wecom-corp-id')).not.toBeNull());
    type('wecom-corp-id', 'ww1');
    type('wecom-aes-key', 'short');
    await until(() => expect(testid('wecom-connect-save')!.hasAttribute('disabled')).toBe(false));
    testid('wecom-connect-save')!.click();
    await until(() => expect(testid('wecom-aes-key')!.closest('.n-form-item')!.textContent).toContain('must be 43 letters and digits'));
    expect(m.text()).toContain('Required to connect');
  });

  it('a reader sees the form disabled', async () => {
    const m = await mountWith(ConnectionPage, {}, { ...viewer(['WECOM_READ']), WeComConnection: () => ({ wecomConnection: stored }) });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(m.text()).toContain('你只有查看权限'));
    expect(testid('wecom-connect-save')!.hasAttribute('disabled')).toBe(true);
  });
});
