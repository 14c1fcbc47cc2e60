// The marketplace end to end: a partner publishes, an operator approves in the review queue, a brand
// installs granting the scopes in the consent dialog and finds the plugin's node in the journey builder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, newWorkspace, openBrowser, signIn, startCourtyard, type BrowserSession, type Courtyard } from './harness.ts';

const OPERATOR = { email: `ops-${Date.now()}@e2e.test`, password: 'e2e-operator-123' };

async function gql(app: Courtyard, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

function manifest(id: string) {
  return {
    id,
    version: '1.0.0',
    name: { 'zh-CN': '满减券发放', en: 'Coupon issuer' },
    description: { 'zh-CN': '在旅程中给客户发放有赞满减券，按是否领到分流', en: 'Issues coupons to customers in journeys' },
    publisher: { name: '阿克米科技', email: 'dev@acme.example' },
    icon: 'ticket',
    categories: ['coupons'],
    scopes: ['customers:read', 'tags:write'],
    endpoints: { baseUrl: 'https://plugins.acme.example/coupons' },
    nodes: [{
      id: `${id}.issue-coupon`,
      version: '1.0.0',
      kind: 'action',
      title: { 'zh-CN': '发放满减券', en: 'Issue a coupon' },
      description: { 'zh-CN': '发一张券', en: 'Issues one coupon' },
      icon: 'ticket',
      configSchema: { type: 'object', properties: { batchId: { type: 'string' } }, required: ['batchId'] },
      ports: [{ id: 'issued', title: { 'zh-CN': '已发放', en: 'Issued' } }, { id: 'out_of_stock', title: { 'zh-CN': '已领完', en: 'Out of stock' } }],
      scopes: ['customers:read', 'tags:write'],
    }],
  };
}

describe.skipIf(!browserAvailable())('marketplace in the browser', () => {
  let app: Courtyard;
  let b: BrowserSession;

  beforeAll(async () => {
    process.env.COURTYARD_PLATFORM_ADMINS = OPERATOR.email;
    app = await startCourtyard('marketplace');
    b = await openBrowser(import.meta.filename, app.url);
  });
  afterAll(async () => {
    delete process.env.COURTYARD_PLATFORM_ADMINS;
    await b?.close();
    await app?.stop();
  });

  it('a partner publishes, an operator approves, a brand installs with consent and finds the node in the journey builder', async () => {
    const pluginId = `acme-coupons-${Date.now()}`;
    const { page } = b;

    // The partner signs up and publishes in the partner center; the version waits for review.
    await gql(app, `mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }`, { input: { workspaceName: '平台运营', name: '审核员', ...OPERATOR } });
    await signIn(page, OPERATOR);
    await page.goto('/marketplace/partner');
    await page.getByTestId('partner-mode-up').click();
    await page.getByTestId('partner-org').locator('input').fill(`阿克米 ${pluginId}`);
    await page.getByTestId('partner-person').locator('input').fill('阿克');
    await page.getByTestId('partner-email').locator('input').fill(`dev-${pluginId}@acme.example`);
    await page.getByTestId('partner-password').locator('input').fill('partner password 1');
    await page.getByTestId('partner-submit').click();
    // A manifest with a broken node id is refused, the problem named by its JSON path.
    const broken = manifest(pluginId);
    broken.nodes[0]!.id = 'wrong';
    await page.getByTestId('partner-manifest').locator('textarea').fill(JSON.stringify(broken, null, 2));
    await page.getByTestId('partner-publish').click();
    await expect(page.getByTestId('publish-problems').textContent()).resolves.toContain('nodes.0.id');
    await b.shot('partner-publish-error');
    await page.getByTestId('partner-manifest').locator('textarea').fill(JSON.stringify(manifest(pluginId), null, 2));
    await page.getByTestId('partner-changelog').locator('textarea').fill('首个版本：发放满减券');
    await page.getByTestId('partner-publish').click();
    await expect(page.getByTestId(`partner-version-${pluginId}-1.0.0`).textContent()).resolves.toBe('待审核');
    await b.shot('partner-submitted');

    // The operator approves it in the review queue.
    await page.goto('/marketplace?tab=review');
    const card = page.getByTestId(`review-${pluginId}`);
    await expect(card.textContent()).resolves.toContain('tags:write');
    await expect(card.getByTestId('review-approve').isVisible()).resolves.toBe(true);
    await b.shot('review-queue');
    await card.getByTestId('review-approve').click();
    await card.waitFor({ state: 'detached' });

    // A brand finds it, installs granting each scope, and uses its node in a journey.
    const ws = await newWorkspace(app, '花漾美妆');
    await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
    await signIn(page, ws);
    await page.getByTestId('menu-marketplace').click();
    await expect(page.getByText('审核队列').count()).resolves.toBe(0);
    await page.getByTestId('marketplace-search').locator('input').fill('满减券');
    const pluginCard = page.getByTestId(`plugin-card-${pluginId}`);
    await expect(pluginCard.textContent()).resolves.toContain('阿克米科技');
    await b.shot('browse');
    await pluginCard.click();
    await expect(page.getByTestId('plugin-nodes').textContent()).resolves.toContain('发放满减券');
    await expect(page.getByTestId('plugin-scopes').textContent()).resolves.toContain('tags:write');
    await b.shot('plugin-page');

    await page.getByTestId('plugin-install').click();
    const grant = page.getByTestId('consent-grant');
    await page.getByTestId('consent-customers:read').click();
    await expect(grant.isDisabled()).resolves.toBe(true);
    await page.getByTestId('consent-tags:write').click();
    await expect(grant.isEnabled()).resolves.toBe(true);
    await b.shot('consent');
    await grant.click();
    await expect(page.getByTestId('plugin-installed').textContent()).resolves.toContain('1.0.0');
    await expect(page.getByTestId('install-token').textContent()).resolves.toContain('cyt_');
    await b.shot('installed');

    const installed = await ws.gql(`{ installations { edges { node { grantedScopes { name } } } } }`);
    expect(installed.installations.edges[0].node.grantedScopes.map((s: { name: string }) => s.name).sort()).toEqual(['customers:read', 'tags:write']);

    await page.getByTestId('menu-journeys').click();
    await page.getByTestId('journey-create').click();
    await page.getByTestId('journey-name').locator('input').fill('领券旅程');
    await page.getByTestId('journey-create-submit').click();
    await page.waitForURL(/\/journeys\/.+/);
    await expect(page.getByTestId(`palette-${pluginId}.issue-coupon`).textContent()).resolves.toContain('发放满减券');
    await page.getByTestId(`palette-${pluginId}.issue-coupon`).scrollIntoViewIfNeeded();
    await b.shot('palette');
    expect(b.consoleErrors).toEqual([]);
  });
});
