// The Customers area in a real browser against the real API: a CSV import with a bad row, the
// filtered table, tagging everyone the filter matches, and one customer's drawer with their activity.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, newWorkspace, openBrowser, signIn, startCourtyard, type BrowserSession, type Courtyard } from './harness.ts';

const CSV = [
  '手机号,姓名,性别,来源渠道,标签',
  '13900000001,林小姐,女,天猫,"VIP,护发"',
  '13900000002,王先生,男,京东,VIP',
  '12345,坏号码,男,天猫,VIP',
  '13900000004,陈女士,女,天猫,',
].join('\r\n');

describe.skipIf(!browserAvailable())('customers in the browser', () => {
  let app: Courtyard;
  let b: BrowserSession;

  beforeAll(async () => {
    app = await startCourtyard('customers');
    b = await openBrowser(import.meta.filename, app.url);
  });
  afterAll(async () => {
    await b?.close();
    await app?.stop();
  });

  it('imports a CSV with a bad row, filters, tags the whole filtered set and shows a customer\'s activity', async () => {
    const ws = await newWorkspace(app, '小院花艺');
    const group = await ws.gql(`mutation { createTagGroup(input: { name: "意向", kind: intent }) { ... on TagGroup { id } } }`);
    await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "高潜", color: "#D03050" }) { ... on Tag { id } } }`, { g: group.createTagGroup.id });
    const { page } = b;
    await signIn(page, ws);
    await page.getByTestId('menu-customers').click();
    await page.getByTestId('empty-state').waitFor();
    await expect(page.getByTestId('page-title').textContent()).resolves.toBe('客户');

    // Import: the columns map themselves from the Chinese headers; the bad phone is caught on its line.
    const file = join(mkdtempSync(join(tmpdir(), 'cy-csv-')), '客户名单.csv');
    writeFileSync(file, `\uFEFF${CSV}\r\n`);
    await page.getByTestId('import-open').click();
    await page.getByTestId('import-file').locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('import-mapping').waitFor();
    await expect(page.getByTestId('map-0').textContent()).resolves.toContain('手机号');
    await expect(page.getByTestId('map-4').textContent()).resolves.toContain('标签');
    const summary = await page.getByTestId('import-summary').textContent();
    expect(summary).toContain('3 行可导入');
    expect(summary).toContain('1 行有问题');
    expect(summary).toContain('将新建标签：VIP、护发');
    await b.shot('import-mapping');
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-report').waitFor();
    await expect(page.getByTestId('import-progress').textContent()).resolves.toContain('100%');
    await expect(page.getByTestId('import-created').textContent()).resolves.toBe('3');
    await expect(page.getByTestId('import-failed').textContent()).resolves.toBe('1');
    const problems = await page.getByTestId('import-problems').textContent();
    expect(problems).toContain('4');
    expect(problems).toContain('手机号');
    expect(problems).toContain('“12345”不是有效的手机号');
    await b.shot('import-report');
    await page.getByTestId('import-close').click();

    // The good rows are in the table, with their imported tags as chips.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="customer-row"]').length === 3);
    const names = await page.getByTestId('customer-name').allTextContents();
    expect(names.sort()).toEqual(['林小姐', '王先生', '陈女士']);
    await expect(page.getByTestId('page-title').locator('..').textContent()).resolves.toContain('共 3 位客户');
    const stored = await ws.gql(`{ customers(first: 10) { totalCount edges { node { name tags { name } } } } }`);
    expect(stored.customers.totalCount).toBe(3);
    expect(stored.customers.edges.find((e: any) => e.node.name === '林小姐').node.tags.map((t: any) => t.name)).toEqual(['VIP', '护发']);

    // Filter by source channel: the two from Tmall.
    await page.getByTestId('filter-more').click();
    await page.getByTestId('filter-channels').click();
    await page.getByText('天猫 · tmall', { exact: true }).click();
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => u.searchParams.get('sourceChannels') === 'tmall');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="customer-row"]').length === 2);
    expect((await page.getByTestId('customer-name').allTextContents()).sort()).toEqual(['林小姐', '陈女士']);
    await expect(page.getByTestId('page-title').locator('..').textContent()).resolves.toContain('筛选出 2 位客户');
    await page.locator('.n-base-select-menu').waitFor({ state: 'hidden' });
    await b.shot('filtered');

    // Tag everyone the filter matches.
    await page.getByTestId('bulk-tag').click();
    await page.getByTestId('bulk-dialog').waitFor();
    await expect(page.getByTestId('bulk-target-all').textContent()).resolves.toContain('全部 2 位匹配当前筛选的客户');
    await page.getByTestId('bulk-tags').locator('.n-base-selection').click();
    await page.keyboard.type('高潜');
    await page.locator('.n-base-select-option', { hasText: '高潜' }).click();
    await expect(page.getByTestId('bulk-confirm-text').textContent()).resolves.toBe('确定为 2 位客户添加 1 个标签？');
    await b.shot('bulk-tag');
    await page.getByTestId('bulk-apply').click();
    await page.getByText('已为 2 位客户添加标签，新增 2 个标签关系').waitFor();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="row-tags"]')).filter((e) => e.textContent?.includes('高潜')).length === 2);
    const tagged = await ws.gql(`{ customers(first: 10, filter: { text: "王先生" }) { edges { node { tags { name } } } } }`);
    expect(tagged.customers.edges[0].node.tags.map((t: any) => t.name)).toEqual(['VIP']);
    await b.shot('tagged');

    // Live: a tmall customer added through the API joins the filtered page without a reload, the filter kept.
    await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { __typename } }`, { c: [{ phone: '13900000009', name: '周女士', sourceChannel: 'tmall' }] });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="customer-row"]').length === 3, undefined, { timeout: 10_000 });
    expect((await page.getByTestId('customer-name').allTextContents()).sort()).toEqual(['周女士', '林小姐', '陈女士']);
    expect(new URL(page.url()).searchParams.get('sourceChannels')).toBe('tmall');
    await expect(page.getByTestId('customers-live-updated').textContent()).resolves.toContain('已更新');
    await b.shot('live-updated');

    // An event sent through the API shows in the customer's timeline; the drawer has its own URL.
    await ws.gql(`mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { ... on IngestEventsPayload { storedCount } } }`, {
      e: [{ customer: { phone: '13900000001' }, type: 'order_paid', properties: { orderId: 'TM20240501', amount: 19900 }, idempotencyKey: 'e2e-1' }],
    });
    await page.getByTestId('customer-name').filter({ hasText: '林小姐' }).click();
    await page.getByTestId('customer-drawer').waitFor();
    await page.waitForURL((u) => /^\/customers\/[^/]+$/.test(u.pathname) && u.searchParams.get('sourceChannels') === 'tmall');
    await expect(page.getByTestId('drawer-name').textContent()).resolves.toContain('林小姐');
    const chips = await page.getByTestId('drawer-tags').textContent();
    expect(chips).toContain('VIP');
    expect(chips).toContain('高潜');
    await b.shot('drawer-profile');
    await page.locator('.n-tabs-tab[data-name="timeline"]').click();
    await page.getByTestId('timeline-event').first().waitFor();
    const timeline = await page.getByTestId('timeline').textContent();
    expect(timeline).toContain('支付了订单');
    expect(timeline).toContain('TM20240501');
    await b.shot('drawer-timeline');

    await page.reload();
    await page.getByTestId('customer-drawer').waitFor();
    await expect(page.getByTestId('drawer-name').textContent()).resolves.toContain('林小姐');
    expect(b.consoleErrors).toEqual([]);
  });
});
