// WeCom in the browser: an operator connects the workspace to a WeCom stand-in (a real HTTP server
// speaking WeCom's API and pushing signed, encrypted callbacks), pastes the callback URL the admin
// shows into it, and creates a live QR code with staff, a channel tag and a welcome message. A scan
// pushed by the stand-in then shows on the code's page — today's adds and the new customer with the
// channel tag — without a reload. Then phone-number outreach: an operator hands an uploaded list to
// two staff members as add-friend tasks, and each number's outcome follows on the page as staff add
// customers in their WeCom app (pushed by the stand-in), matched by the remark mobile.
import { startWeComStandIn, type WeComStandIn } from '@courtyard/wecom/standin';
import { TEST_CORP } from '@courtyard/wecom/standin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, newWorkspace, openBrowser, signIn, startCourtyard, type BrowserSession, type Courtyard } from './harness.ts';

describe.skipIf(!browserAvailable())('WeCom in the browser', () => {
  let app: Courtyard;
  let b: BrowserSession;
  let standIn: WeComStandIn;

  beforeAll(async () => {
    // This test brings its own stand-in; the API process must not connect a demo one.
    process.env.COURTYARD_WECOM_STANDIN = 'false';
    process.env.COURTYARD_SECRET_KEY ??= 'courtyard-e2e-secret-key';
    standIn = await startWeComStandIn({ ...TEST_CORP });
    standIn.addStaff({ userid: 'zhangsan', name: '张三' });
    standIn.addStaff({ userid: 'lisi', name: '李四' });
    app = await startCourtyard('wecom');
    b = await openBrowser(import.meta.filename, app.url);
  });
  afterAll(async () => {
    delete process.env.COURTYARD_WECOM_STANDIN;
    await b?.close();
    await app?.stop();
    await standIn?.close();
  });

  it('an operator connects WeCom and creates a live code; a scan shows in its stats and the customer gets the channel tag, without a reload', async () => {
    const { page } = b;
    const ws = await newWorkspace(app, '花漾美妆');
    for (const [name, wecomUserId] of [['张三', 'zhangsan'], ['李四', 'lisi']]) {
      await ws.gql(`mutation($input: StaffInput!) { createStaff(input: $input) { __typename } }`, { input: { name, wecomUserId } });
    }
    const group = await ws.gql(`mutation { createTagGroup(input: { name: "渠道", kind: basic }) { ... on TagGroup { id } } }`);
    await ws.gql(`mutation($g: ID!) { createTag(input: { groupId: $g, name: "包裹卡" }) { __typename } }`, { g: group.createTagGroup.id });

    await signIn(page, ws);
    await page.getByTestId('menu-wecom').click();
    await page.getByTestId('wecom-not-connected').waitFor();
    await page.getByTestId('wecom-tab-connection').click();

    // A wrong secret: WeCom's refusal shows on the secret field and nothing is stored.
    await page.getByTestId('wecom-corp-id').locator('input').fill(TEST_CORP.corpId);
    await page.getByTestId('wecom-agent-secret').locator('input').fill('wrong-secret');
    await page.getByTestId('wecom-callback-token').locator('input').fill(TEST_CORP.token);
    await page.getByTestId('wecom-aes-key').locator('input').fill(TEST_CORP.encodingAesKey);
    await page.getByTestId('wecom-advanced').getByText('高级').click();
    await page.getByTestId('wecom-base-url').locator('input').fill(standIn.url);
    await page.getByTestId('wecom-connect-save').click();
    const secretItem = page.locator('.n-form-item', { has: page.getByTestId('wecom-agent-secret') });
    await expect.poll(() => secretItem.textContent()).toContain('企业微信拒绝了这些凭证');
    await b.shot('connection-refused');

    await page.getByTestId('wecom-agent-secret').locator('input').fill('standin-secret');
    await page.getByTestId('wecom-connect-save').click();
    await expect.poll(() => page.getByTestId('wecom-status-tag').textContent()).toBe('已连接');
    // The secrets are gone from the form; the stored one shows only as a hint.
    await expect(page.getByTestId('wecom-agent-secret').locator('input').inputValue()).resolves.toBe('');
    await expect(page.getByTestId('wecom-agent-secret').locator('input').getAttribute('placeholder')).resolves.toContain('••••••cret');
    // The callback URL the admin shows is the one WeCom gets.
    const callbackUrl = await page.getByTestId('wecom-callback-url').locator('input').inputValue();
    expect(callbackUrl).toMatch(new RegExp(`^${app.url}/wecom/callback/[\\w-]+$`));
    standIn.setCallbackUrl(callbackUrl);
    await expect(standIn.verifyCallbackUrl()).resolves.toBe(true);
    await b.shot('connected');

    // A live code for parcel cards: both staff in turn, the channel tag and a welcome message.
    await page.getByTestId('wecom-tab-codes').click();
    await page.getByTestId('code-create').click();
    const dialog = page.getByTestId('code-dialog');
    await dialog.getByTestId('code-name').locator('input').fill('包裹卡 · 6 月');
    await dialog.getByTestId('code-channel-parcel_card').click();
    await dialog.getByTestId('code-staff').click();
    await page.locator('.n-base-select-option', { hasText: '张三 (zhangsan)' }).click();
    await page.locator('.n-base-select-option', { hasText: '李四 (lisi)' }).click();
    await dialog.getByTestId('code-name').click();
    await dialog.getByTestId('code-staff-lisi').waitFor();
    await dialog.getByTestId('tag-picker').click();
    await dialog.getByTestId('tag-picker').locator('input').fill('包裹');
    await page.locator('.n-base-select-option', { hasText: '包裹卡' }).click();
    await dialog.getByTestId('code-name').click();
    const text = dialog.getByTestId('code-welcome-text').locator('textarea');
    await text.fill('');
    await dialog.getByTestId('code-insert-customer_name').click();
    await text.press('End');
    await text.pressSequentially('您好，我是');
    await dialog.getByTestId('code-insert-staff_name').click();
    await text.press('End');
    await text.pressSequentially('。新人券：');
    await dialog.getByTestId('code-insert-coupon').click();
    await dialog.getByTestId('code-welcome-coupon').locator('input').fill('NEW20');
    await expect.poll(() => dialog.getByTestId('welcome-preview').textContent()).toContain('林小姐您好，我是张三。新人券：NEW20');
    await b.shot('code-dialog');
    await dialog.getByTestId('code-submit').click();

    // The code's page: its QR, no adds yet.
    await page.getByTestId('code-qr').waitFor();
    await expect(page.getByTestId('code-qr').getAttribute('src')).resolves.toMatch(/^data:image\/png;base64,/);
    await expect(page.getByTestId('code-download').getAttribute('download')).resolves.toMatch(/\.png$/);
    await expect(page.getByTestId('code-today-adds').textContent()).resolves.toBe('0');
    const codes = await ws.gql(`{ wecomLiveCodes(first: 5) { edges { node { name configId tagIds staff { userId } welcome { text coupon } } } } }`);
    const code = codes.wecomLiveCodes.edges[0].node;
    expect(code).toMatchObject({ name: '包裹卡 · 6 月', staff: [{ userId: 'zhangsan' }, { userId: 'lisi' }], welcome: { text: '{{customer_name}}您好，我是{{staff_name}}。新人券：{{coupon}}', coupon: 'NEW20' } });
    expect(code.tagIds).toHaveLength(1);
    await b.shot('code-page');

    // A customer scans the printed code: WeCom pushes the add; the page follows without a reload.
    const url = page.url();
    const scan = await standIn.simulateScan({ config_id: code.configId, name: '林小姐' });
    expect(scan.callback.attempts).toEqual([200]);
    await expect.poll(() => page.getByTestId('code-today-adds').textContent(), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => page.getByTestId('code-customer-林小姐').textContent(), { timeout: 15_000 }).toContain('包裹卡');
    expect(page.url()).toBe(url);
    expect(standIn.state.welcomeMessages.map((m) => m.text)).toEqual(['林小姐您好，我是张三。新人券：NEW20']);
    await b.shot('after-scan');

    // The list and the welcome-message library show it too.
    await page.getByRole('link', { name: '‹' }).click();
    await expect.poll(() => page.getByTestId('code-today-adds-包裹卡 · 6 月').textContent()).toBe('1');
    await page.getByTestId('wecom-tab-welcome').click();
    await expect.poll(() => page.getByTestId('welcome-of-包裹卡 · 6 月').textContent()).toContain('新人券：NEW20');
    // The new customer counts against the shared mass-send quota from now on: none used yet.
    await page.getByTestId('wecom-tab-quota').click();
    await expect.poll(() => page.getByTestId('quota-usage-林小姐').textContent()).toMatch(/^0 \/ \d+$/);
    await page.getByTestId('wecom-tab-massSends').click();
    await page.getByTestId('empty-state').waitFor();
    await b.shot('quota');
    // The staff tab: both staff on the code, no transfers yet.
    await page.getByTestId('wecom-tab-staff').click();
    await expect.poll(() => page.getByTestId('staff-codes-zhangsan').textContent()).toContain('包裹卡 · 6 月');
    await page.getByText('还没有转移记录').waitFor();

    expect(b.consoleErrors).toEqual([]);
  });

  it('an operator creates add-friend tasks from an uploaded list; each number shows pending, then added when staff add it in WeCom, without a reload', async () => {
    const { page } = b;
    b.consoleErrors.length = 0;
    const ws = await newWorkspace(app, '花漾美妆');
    for (const [name, wecomUserId] of [['张三', 'zhangsan'], ['李四', 'lisi']]) {
      await ws.gql(`mutation($input: StaffInput!) { createStaff(input: $input) { __typename } }`, { input: { name, wecomUserId } });
    }
    const connected = await ws.gql(
      `mutation($input: ConnectWeComInput!) { connectWeCom(input: $input) { __typename ... on WeComConnection { callbackPath } ... on Error { message } } }`,
      { input: { corpId: TEST_CORP.corpId, agentSecret: 'standin-secret', callbackToken: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, baseUrl: standIn.url } },
    );
    expect(connected.connectWeCom.__typename).toBe('WeComConnection');
    standIn.setCallbackUrl(`${app.url}${connected.connectWeCom.callbackPath}`);

    // Signed out of the first scenario's workspace.
    await page.goto('/login');
    await page.evaluate(() => localStorage.clear());
    await signIn(page, ws);
    await page.getByTestId('menu-wecom').click();
    await page.getByTestId('wecom-tab-outreach').click();
    await page.getByTestId('outreach-create').waitFor();

    // Five lines: three numbers, one that is not a number, one repeated.
    await page.getByTestId('outreach-create').click();
    const dialog = page.getByTestId('outreach-dialog');
    await dialog.getByTestId('outreach-phones').locator('textarea').fill('13800138001\n13800138002\n13800138003\n12345\n138 0013 8001');
    await dialog.getByTestId('outreach-staff').click();
    await page.locator('.n-base-select-option', { hasText: '张三 (zhangsan)' }).click();
    await page.locator('.n-base-select-option', { hasText: '李四 (lisi)' }).click();
    await dialog.getByTestId('outreach-phones').click();
    await expect.poll(() => dialog.getByTestId('outreach-spread').textContent()).toContain('5 个号码分给 2 位员工，约需 1 天');
    await b.shot('outreach-dialog');
    await dialog.getByTestId('outreach-submit').click();
    await expect.poll(() => dialog.getByTestId('outreach-result').textContent()).toBe('已创建 3 个任务，2 个号码未创建');
    await expect.poll(() => dialog.getByTestId('outreach-rejected').textContent()).toContain('12345不是有效的手机号');
    expect(await dialog.getByTestId('outreach-rejected').textContent()).toContain('138 0013 8001与列表中前面的号码重复');
    await b.shot('outreach-result');
    await dialog.getByTestId('outreach-done').click();

    // Every number is pending with a staff member.
    for (const phone of ['13800138001', '13800138002', '13800138003']) {
      await expect.poll(() => page.getByTestId(`outreach-status-${phone}`).textContent()).toBe('待添加');
    }
    const tasks = await ws.gql(`{ wecomOutreachTasks(first: 10) { edges { node { phone staff { wecomUserId } } } } }`);
    const owner = new Map<string, string>(tasks.wecomOutreachTasks.edges.map((e: any) => [e.node.phone, e.node.staff.wecomUserId]));
    expect(new Set(owner.values())).toEqual(new Set(['zhangsan', 'lisi']));

    // The staff member with 13800138002 adds it in WeCom and keeps it as the remark mobile; the other
    // staff member adds someone by phone without it, which matches no task.
    const url = page.url();
    const userid = owner.get('13800138002')!;
    const other = userid === 'zhangsan' ? 'lisi' : 'zhangsan';
    const add = await standIn.addByPhone({ userid, mobile: '13800138002', name: '林小姐', remark_mobiles: ['13800138002'] });
    expect(add.callback.attempts).toEqual([200]);
    await standIn.addByPhone({ userid: other, mobile: '13900000000', name: '王先生' });
    await expect.poll(() => page.getByTestId('outreach-status-13800138002').textContent(), { timeout: 20_000 }).toBe('已添加');
    expect(await page.getByTestId('outreach-status-13800138001').textContent()).toBe('待添加');
    await expect.poll(() => page.getByTestId(`outreach-progress-${userid}`).textContent(), { timeout: 15_000 }).toMatch(/^1\/\d（\d+%）$/);
    await expect.poll(() => page.getByTestId('outreach-summary').locator('tr', { hasText: other === 'zhangsan' ? '张三' : '李四' }).locator('td').last().textContent(), { timeout: 15_000 }).toBe('1');
    expect(page.url()).toBe(url);
    await b.shot('outreach-added');

    // Narrowed to added tasks: just that number, linked to the customer WeCom's add made.
    await page.getByTestId('outreach-filter-status').click();
    await page.locator('.n-base-select-option', { hasText: '已添加' }).click();
    await expect.poll(() => page.getByTestId('outreach-tasks').locator('tbody tr').count()).toBe(1);
    await page.getByTestId('outreach-tasks').getByRole('link', { name: '查看客户' }).click();
    await expect.poll(() => page.url()).toMatch(/\/customers\/[^/]+$/);

    expect(b.consoleErrors).toEqual([]);
  });
});
