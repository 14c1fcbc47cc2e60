// The marketplace end to end: a partner publishes, an operator approves in the review queue, a brand
// installs granting the scopes in the consent dialog and finds the plugin's node in the journey builder;
// then an installation's callbacks and call log, rotating its secret, and uninstalling with the
// journeys that use it listed before confirming.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** The partner's server: takes every callback (2xx), so the platform marks them delivered. */
async function partnerServer() {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function manifest(id: string, baseUrl = 'https://plugins.acme.example/coupons') {
  return {
    id,
    version: '1.0.0',
    name: { 'zh-CN': '满减券发放', en: 'Coupon issuer' },
    description: { 'zh-CN': '在旅程中给客户发放有赞满减券，按是否领到分流', en: 'Issues coupons to customers in journeys' },
    publisher: { name: '阿克米科技', email: 'dev@acme.example' },
    icon: 'ticket',
    categories: ['coupons'],
    scopes: ['customers:read', 'tags:write'],
    endpoints: { baseUrl },
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
  let partner: Awaited<ReturnType<typeof partnerServer>>;
  let operatorToken: string;

  beforeAll(async () => {
    process.env.COURTYARD_PLATFORM_ADMINS = OPERATOR.email;
    // The partner's server runs on loopback here, which only a development platform may call.
    process.env.COURTYARD_PLUGIN_DEV_ENDPOINTS = '1';
    partner = await partnerServer();
    app = await startCourtyard('marketplace');
    b = await openBrowser(import.meta.filename, app.url);
    const signUp = await gql(app, `mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on SessionPayload { token } } }`, { input: { workspaceName: '平台运营', name: '审核员', ...OPERATOR } });
    operatorToken = signUp.signUp.token;
  });
  afterAll(async () => {
    delete process.env.COURTYARD_PLATFORM_ADMINS;
    delete process.env.COURTYARD_PLUGIN_DEV_ENDPOINTS;
    await b?.close();
    await app?.stop();
    await partner?.close();
  });

  it('a partner publishes, an operator approves, a brand installs with consent and finds the node in the journey builder', async () => {
    const pluginId = `acme-coupons-${Date.now()}`;
    const { page } = b;

    // The partner signs up and publishes in the partner center; the version waits for review.
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
    // Only its partner sees the callback secret: masked until revealed.
    const partnerPlugin = page.getByTestId(`partner-plugin-${pluginId}`);
    const secret = partnerPlugin.getByTestId('callback-secret-value');
    await expect(secret.textContent()).resolves.toMatch(/^whsec_•+$/);
    await partnerPlugin.getByTestId('callback-secret-reveal').click();
    await expect.poll(() => secret.textContent()).toMatch(/^whsec_[^•]{16,}$/);

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

  it('a brand sees the partner told of its install and rotation in the call log, and the journeys using the plugin before uninstalling', async () => {
    const pluginId = `acme-points-${Date.now()}`;
    const { page } = b;

    // Arranged through the API: a listed plugin whose server is the test's, installed in a brand
    // whose journey draft uses its node.
    const partnerKey = (await gql(app, `mutation($input: SignUpPartnerInput!) { signUpPartner(input: $input) { ... on PartnerCredential { key } } }`, {
      input: { partnerName: `阿克米 ${pluginId}`, name: '阿克', email: `dev-${pluginId}@acme.example`, password: 'partner password 1' },
    })).signUpPartner.key as string;
    const version = (await gql(app, `mutation($m: JSON!) { publishPluginVersion(manifest: $m) { __typename ... on PluginVersion { id } } }`, { m: manifest(pluginId, partner.url) }, partnerKey)).publishPluginVersion;
    await gql(app, `mutation($id: ID!) { reviewPluginVersion(id: $id, decision: approve) { __typename } }`, { id: version.id }, operatorToken);
    const ws = await newWorkspace(app, '悦己咖啡');
    const installed = await ws.gql(`mutation($input: InstallPluginInput!) { installPlugin(input: $input) { __typename ... on InstalledPlugin { installation { id } } } }`, {
      input: { pluginId, grantedScopes: ['CUSTOMERS_READ', 'TAGS_WRITE'] },
    });
    expect(installed.installPlugin.__typename).toBe('InstalledPlugin');
    const journey = await ws.gql(`mutation($input: JourneyInput!) { createJourney(input: $input) { __typename ... on Journey { id } } }`, {
      input: {
        name: '新客领券',
        definition: {
          nodes: [
            { id: 'start', type: 'courtyard.api', version: '1.0.0', config: {} },
            { id: 'coupon', type: `${pluginId}.issue-coupon`, version: '1.0.0', config: { batchId: 'B1' } },
          ],
          edges: [{ from: 'start', port: 'next', to: 'coupon' }],
        },
      },
    });
    const journeyId = journey.createJourney.id as string;

    await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
    await signIn(page, ws);
    await page.goto('/marketplace?tab=installed');
    const row = page.getByTestId(`installation-${pluginId}`);
    await row.getByTestId('installation-activity').click();
    await page.waitForURL(/#installation$/);

    // The install callback reaches the partner's server: delivered, and logged as a call.
    const panel = page.getByTestId('installation-panel');
    await expect.poll(async () => {
      await panel.getByTestId('installation-refresh').click();
      return panel.getByTestId('callback-delivered').count();
    }, { timeout: 15_000 }).toBe(1);
    await expect(panel.getByTestId('callback-delivered').textContent()).resolves.toContain('已送达');
    await expect(panel.getByTestId('call-log').textContent()).resolves.toContain('通知：安装');
    await expect(panel.getByTestId('call-status').first().textContent()).resolves.toContain('成功');
    await b.shot('installation-activity');

    // Rotating says what happens first, then the partner is told of it too.
    await panel.getByTestId('installation-rotate').click();
    const rotate = page.getByTestId('rotate-dialog');
    await expect(rotate.textContent()).resolves.toContain('旧令牌立即失效');
    await expect(rotate.textContent()).resolves.toContain('24 小时');
    await b.shot('rotate-confirm');
    await rotate.getByRole('button', { name: '轮换', exact: true }).click();
    await rotate.waitFor({ state: 'detached' });
    await expect.poll(async () => {
      await panel.getByTestId('installation-refresh').click();
      return panel.getByTestId('callback-delivered').count();
    }, { timeout: 15_000 }).toBe(2);
    await expect(panel.getByTestId('callbacks').textContent()).resolves.toContain('轮换密钥');
    await expect(panel.getByTestId('call-log').textContent()).resolves.toContain('通知：轮换密钥');
    expect(partner.received.some((body) => body.includes('installation.secret_rotated'))).toBe(true);

    // Uninstalling names the journey that uses the plugin before anything happens.
    await page.goto('/marketplace?tab=installed');
    await row.getByTestId('installation-uninstall').click();
    const dialog = page.getByTestId('uninstall-dialog');
    await expect(dialog.getByTestId('uninstall-journeys').textContent()).resolves.toContain('新客领券');
    const href = await dialog.getByTestId(`uninstall-journey-${journeyId}`).getAttribute('href');
    expect(decodeURIComponent(href ?? '')).toBe(`/journeys/${journeyId}`);
    await expect(ws.gql(`{ installations { edges { node { status } } } }`)).resolves.toMatchObject({ installations: { edges: [{ node: { status: 'active' } }] } });
    await b.shot('uninstall-confirm');
    await dialog.getByTestId('uninstall-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    await expect(page.getByTestId('empty-state').textContent()).resolves.toContain('还没有安装插件');
    expect(b.consoleErrors).toEqual([]);
  });
});
