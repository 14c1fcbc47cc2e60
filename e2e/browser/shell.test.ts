// Signing in, the workspace switcher and the language switch, in a real browser against the real API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, newWorkspace, openBrowser, signIn, startCourtyard, type BrowserSession, type Courtyard } from './harness.ts';

describe.skipIf(!browserAvailable())('admin shell in the browser', () => {
  let app: Courtyard;
  let b: BrowserSession;

  beforeAll(async () => {
    app = await startCourtyard('shell');
    b = await openBrowser(import.meta.filename, app.url);
  });
  afterAll(async () => {
    await b?.close();
    await app?.stop();
  });

  it('a wrong password is refused on the page, the right one opens the dashboard in Chinese', async () => {
    const ws = await newWorkspace(app, '小院咖啡');
    const { page } = b;
    await page.goto('/customers');
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/customers');
    await page.getByTestId('sign-in-email').locator('input').fill(ws.email);
    await page.getByTestId('sign-in-password').locator('input').fill('not-the-password');
    await page.getByTestId('sign-in-submit').click();
    await expect(page.getByTestId('sign-in-error').textContent()).resolves.toContain('邮箱或密码不正确');
    await b.shot('wrong-password');

    await signIn(page, ws);
    await expect(page.getByTestId('workspace-switch').textContent()).resolves.toContain('小院咖啡');
    await expect(page.getByTestId('menu-dashboard').textContent()).resolves.toBe('概览');
    await b.shot('signed-in');
    expect(b.consoleErrors).toEqual([]);
  });

  it('switches the language to English and back, and the choice survives a reload', async () => {
    const ws = await newWorkspace(app);
    const { page } = b;
    await page.evaluate(() => localStorage.clear());
    await signIn(page, ws);
    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-en').click();
    await expect(page.getByTestId('menu-dashboard').textContent()).resolves.toBe('Dashboard');
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
    await b.shot('english');

    await page.reload();
    await expect(page.getByTestId('menu-dashboard').textContent()).resolves.toBe('Dashboard');

    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-zh-CN').click();
    await expect(page.getByTestId('menu-dashboard').textContent()).resolves.toBe('概览');
    await b.shot('chinese-again');
    expect(b.consoleErrors).toEqual([]);
  });

  it('a member of two workspaces switches between them from the header', async () => {
    const first = await newWorkspace(app, '一号店');
    const second = await newWorkspace(app, '二号店');
    // Add the first owner to the second workspace directly (existing members are added at once).
    const invited = await second.gql(`mutation($input: InviteMemberInput!) { inviteMember(input: $input) { __typename ... on InvitationPayload { addedDirectly } } }`, {
      input: { email: first.email, role: 'marketer' },
    });
    expect(invited.inviteMember.addedDirectly).toBe(true);
    const { page } = b;
    await page.evaluate(() => localStorage.clear());
    await signIn(page, first);
    await expect(page.getByTestId('workspace-switch').textContent()).resolves.toContain('一号店');
    await page.getByTestId('workspace-switch').click();
    await page.getByText('二号店', { exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="workspace-switch"]')?.textContent?.includes('二号店'));
    await b.shot('switched');
    expect(b.consoleErrors).toEqual([]);
  });
});
