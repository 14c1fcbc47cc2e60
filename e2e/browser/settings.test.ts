// The settings area in a real browser against the real API: workspace rules kept across a reload,
// an API key whose secret is shown once and works until revoked, staff limits, members and channels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, newWorkspace, openBrowser, signIn, startCourtyard, type BrowserSession, type Courtyard, type Workspace } from './harness.ts';

describe.skipIf(!browserAvailable())('settings in the browser', () => {
  let app: Courtyard;
  let b: BrowserSession;

  beforeAll(async () => {
    app = await startCourtyard('settings');
    b = await openBrowser(import.meta.filename, app.url);
  });
  afterAll(async () => {
    await b?.close();
    await app?.stop();
  });

  /** Signs in as the workspace's owner, dropping the previous test's session first. */
  async function signInFresh(ws: Workspace) {
    await b.page.goto('/login');
    await b.page.evaluate(() => localStorage.clear());
    await signIn(b.page, ws);
  }

  /** Calls the API with a bearer secret, returning the HTTP status and body. */
  async function callWith(secret: string, query: string) {
    const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
  }

  it('changes the time zone, frequency cap and quiet hours, and they are kept after a reload', async () => {
    const ws = await newWorkspace(app, '小院咖啡');
    const { page } = b;
    await signInFresh(ws);
    await page.getByTestId('menu-settings').click();
    await page.waitForURL((u) => u.pathname === '/settings/general');
    await expect(page.getByTestId('settings-time-zone').textContent()).resolves.toContain('Asia/Shanghai');

    await page.getByTestId('settings-time-zone').click();
    await page.keyboard.type('tokyo');
    await page.locator('.n-base-select-option', { hasText: 'Asia/Tokyo' }).click();
    await page.getByTestId('settings-cap-enabled').click();
    await page.getByTestId('settings-cap').locator('input').fill('5');
    await page.getByTestId('settings-cap-mode-skip').click();
    await page.getByTestId('settings-quiet-enabled').click();
    // The default window 22:00–08:00 crosses midnight, and the page says so.
    await expect(page.getByTestId('settings-quiet-summary').textContent()).resolves.toContain('跨越午夜');
    await expect(page.getByTestId('settings-unsaved').isVisible()).resolves.toBe(true);
    await b.shot('general-edited');
    await page.getByTestId('settings-save').click();
    await page.getByText('设置已保存').waitFor();

    await page.reload();
    await expect(page.getByTestId('settings-time-zone').textContent()).resolves.toContain('(UTC+09:00) Asia/Tokyo');
    await expect(page.getByTestId('settings-cap').locator('input').inputValue()).resolves.toBe('5');
    await expect(page.getByTestId('settings-cap-mode-skip').locator('input').isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('settings-quiet-summary').textContent()).resolves.toContain('22:00 至 08:00');
    await expect(page.getByTestId('settings-unsaved').count()).resolves.toBe(0);
    await b.shot('general-after-reload');
    const saved = await ws.gql('{ workspace { timeZone frequencyCapPerDay frequencyCapMode quietHours { start end } } }');
    expect(saved.workspace).toEqual({ timeZone: 'Asia/Tokyo', frequencyCapPerDay: 5, frequencyCapMode: 'skip', quietHours: { start: '22:00', end: '08:00' } });
    expect(b.consoleErrors).toEqual([]);
  });

  it('creates an API key whose secret is shown once and works, then revokes it and the API refuses it', async () => {
    const ws = await newWorkspace(app);
    const { page } = b;
    await signInFresh(ws);
    await page.goto('/settings/api-keys');
    await page.getByTestId('keys-table').waitFor();
    await page.getByTestId('key-create').click();
    await page.getByTestId('key-name').locator('input').fill('ERP 订单同步');
    await page.getByTestId('scope-preset-ingest').click();
    await page.getByTestId('scope-TAGS_READ').click();
    await b.shot('key-scopes');
    await page.getByTestId('key-submit').click();

    const secretInput = page.getByTestId('key-secret').locator('input');
    await secretInput.waitFor();
    const secret = await secretInput.inputValue();
    expect(secret).toMatch(/^cy_/);
    await expect(page.getByTestId('key-secret-warning').textContent()).resolves.toContain('唯一一次');
    await expect(page.getByTestId('key-done').isDisabled()).resolves.toBe(true);
    await b.shot('key-secret-once');

    // The secret works against the API with exactly the scopes chosen.
    const used = await callWith(secret, '{ viewer { scopes apiKey { name } } }');
    expect(used.body.data.viewer.apiKey.name).toBe('ERP 订单同步');
    expect([...used.body.data.viewer.scopes].sort()).toEqual(['CUSTOMERS_READ', 'CUSTOMERS_WRITE', 'EVENTS_WRITE', 'ORDERS_WRITE', 'TAGS_READ']);

    await page.getByTestId('key-secret-stored').click();
    await page.getByTestId('key-done').click();
    await page.getByTestId('create-key-dialog').waitFor({ state: 'detached' });
    // Once closed, the secret is nowhere on the page; the list shows the key with its scopes.
    await page.reload();
    await page.getByTestId('key-status-ERP 订单同步').waitFor();
    expect(await page.content()).not.toContain(secret);
    await expect(page.getByTestId('keys-table').textContent()).resolves.toContain('客户 · 读写');

    await page.getByTestId('key-revoke-ERP 订单同步').click();
    await page.getByTestId('confirm-revoke').click();
    await page.getByText('密钥“ERP 订单同步”已撤销').waitFor();
    await page.getByTestId('keys-show-revoked').click();
    await expect(page.getByTestId('key-status-ERP 订单同步').textContent()).resolves.toContain('撤销');
    await b.shot('key-revoked');

    const refused = await callWith(secret, '{ viewer { scopes } }');
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(b.consoleErrors).toEqual([]);
  });

  it('adds a staff sub-account with limits, edits them and deactivates it', async () => {
    const ws = await newWorkspace(app);
    const { page } = b;
    await signInFresh(ws);
    await page.goto('/settings/staff');
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('staff-create').click();
    await page.getByTestId('staff-name').locator('input').fill('李娜');
    await page.getByTestId('staff-wecom').locator('input').fill('LiNa');
    await page.getByTestId('staff-per-minute').locator('input').fill('10');
    await page.getByTestId('staff-per-day').locator('input').fill('300');
    await b.shot('staff-form');
    await page.getByTestId('staff-submit').click();
    await expect(page.getByTestId('staff-limits-李娜').textContent()).resolves.toBe('10 条 / 分钟 · 300 条 / 天');

    // A taken WeCom userid is refused next to the field.
    await page.getByTestId('staff-create').click();
    await page.getByTestId('staff-name').locator('input').fill('另一个李娜');
    await page.getByTestId('staff-wecom').locator('input').fill('LiNa');
    await page.getByTestId('staff-submit').click();
    await page.getByTestId('staff-dialog').getByText('WeCom userid "LiNa" exists').waitFor();
    await b.shot('staff-conflict');
    await page.getByTestId('staff-dialog').getByRole('button', { name: '取消' }).click();

    await page.getByTestId('staff-edit-李娜').click();
    await page.getByTestId('staff-per-day').locator('input').fill('150');
    await page.getByTestId('staff-submit').click();
    await page.getByText('已保存 李娜').waitFor();
    await expect.poll(() => page.getByTestId('staff-limits-李娜').textContent()).toBe('10 条 / 分钟 · 150 条 / 天');
    await b.shot('staff-list');

    await page.getByTestId('staff-active-李娜').click();
    await page.getByTestId('confirm-deactivate').click();
    await page.getByText('李娜 已停用').waitFor();
    const staff = await ws.gql('{ staff { name wecomUserId active perMinuteLimit perDayLimit } }');
    expect(staff.staff).toEqual([{ name: '李娜', wecomUserId: 'LiNa', active: false, perMinuteLimit: 10, perDayLimit: 150 }]);
    expect(b.consoleErrors).toEqual([]);
  });

  it('invites a member with the code shown once, changes a role, and keeps a webhook secret masked', async () => {
    const ws = await newWorkspace(app);
    const { page } = b;
    await signInFresh(ws);
    await page.goto('/settings/members');
    await page.getByTestId('members-table').waitFor();
    await page.getByTestId('invite-open').click();
    await page.getByTestId('invite-email').locator('input').fill('analyst@brand.test');
    await page.getByTestId('invite-role-analyst').click();
    await page.getByTestId('invite-submit').click();
    const code = await page.getByTestId('invite-token').locator('input').inputValue();
    expect(code).toMatch(/^cyi_/);
    await b.shot('invite-code');
    await page.getByTestId('invite-done').click();
    await page.getByTestId('invitations').getByText('analyst@brand.test').waitFor();

    // The invitee opens the link in their own browser, picks a name and password, and lands in the
    // workspace; the owner's member list shows them after a reload (accepting moves the cache on).
    const link = await page.getByTestId('invite-link').locator('input').inputValue();
    expect(link).toBe(`${app.url}/accept-invitation?token=${encodeURIComponent(code)}`);
    const invitee = await b.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const inviteePage = await invitee.newPage();
    inviteePage.on('pageerror', (e) => b.consoleErrors.push(String(e)));
    inviteePage.on('console', (m) => { if (m.type() === 'error') b.consoleErrors.push(m.text()); });
    await inviteePage.goto(link);
    await inviteePage.getByTestId('accept-name').locator('input').fill('分析师小周');
    await inviteePage.getByTestId('accept-password').locator('input').fill('short');
    await inviteePage.getByTestId('accept-submit').click();
    await inviteePage.getByText('密码至少需要 10 个字符').waitFor();
    await inviteePage.getByTestId('accept-password').locator('input').fill('long-enough-pass');
    await inviteePage.getByTestId('accept-submit').click();
    await inviteePage.getByTestId('workspace-switch').waitFor();
    await expect(inviteePage.getByTestId('workspace-switch').textContent()).resolves.toContain('分析师小周');
    await inviteePage.screenshot({ path: 'e2e/artifacts/settings/invitee-joined.png' });
    await invitee.close();
    const role = page.getByTestId('member-role-analyst@brand.test');
    await page.reload();
    await page.getByTestId('members-table').waitFor();
    await role.waitFor();
    expect(await role.count()).toBe(1);
    await expect(role.textContent()).resolves.toContain('分析师');
    // The only owner cannot be demoted or removed.
    await expect(page.getByTestId(`member-remove-${ws.email}`).isDisabled()).resolves.toBe(true);
    await role.click();
    await page.locator('.n-base-select-option', { hasText: '运营' }).click();
    await page.getByText('分析师小周 的角色已改为“运营”').waitFor();
    await b.shot('members');
    const members = await ws.gql('{ workspace { members { edges { node { role member { email } } } } } }');
    expect(members.workspace.members.edges.map((e: any) => e.node.role)).toEqual(['owner', 'marketer']);

    await page.getByTestId('settings-tab-channels').click();
    await page.getByTestId('channel-create').click();
    await page.getByTestId('channel-name').locator('input').fill('订单回调');
    await page.getByTestId('channel-config-url').locator('input').fill('not a url');
    await page.getByTestId('channel-config-secret').locator('input').fill('s3cret-value');
    await page.getByTestId('channel-submit').click();
    // The API names the bad field; the form shows it next to the URL.
    await page.getByTestId('channel-dialog').getByText('give an http:// or https:// address').waitFor();
    await page.getByTestId('channel-config-url').locator('input').fill('https://hooks.brand.test/courtyard');
    await page.getByTestId('channel-submit').click();
    await page.getByTestId('channel-edit-订单回调').waitFor();
    await page.getByTestId('channel-edit-订单回调').click();
    await expect(page.getByTestId('channel-config-secret').locator('input').inputValue()).resolves.toBe('');
    await expect(page.getByTestId('channel-config-secret').locator('input').getAttribute('placeholder')).resolves.toContain('已保存');
    await b.shot('channel-edit');
    await page.getByTestId('channel-config-timeoutMs').locator('input').fill('5000');
    await page.getByTestId('channel-submit').click();
    await page.getByText('已保存渠道“订单回调”').waitFor();
    const channels = await ws.gql('{ channels { name type enabled config } }');
    expect(channels.channels).toEqual([{ name: '订单回调', type: 'webhook', enabled: true, config: { url: 'https://hooks.brand.test/courtyard', secret: '********', timeoutMs: 5000, batch: false } }]);
    expect(b.consoleErrors).toEqual([]);
  });
});
