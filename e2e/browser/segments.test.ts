// Segments and tags in a real browser against the real API: a marketer builds a segment with the
// rule builder and sees the same count the API gives for that definition, saves it and opens it;
// then manages the tag taxonomy and merges two tags.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, newWorkspace, openBrowser, signIn, startCourtyard, type BrowserSession, type Courtyard, type Workspace } from './harness.ts';

async function arrange(ws: Workspace) {
  const group = await ws.gql(`mutation ($input: TagGroupInput!) { createTagGroup(input: $input) { ... on TagGroup { id } } }`, { input: { name: '意向品类', kind: 'intent' } });
  const groupId = group.createTagGroup.id as string;
  const tag = async (name: string, color: string) =>
    (await ws.gql(`mutation ($input: TagInput!) { createTag(input: $input) { ... on Tag { id } } }`, { input: { groupId, name, color } })).createTag.id as string;
  const hair = await tag('护发', '#18A058');
  const hair2 = await tag('护发类', '#2080F0');
  const people = [
    { phone: '13900000001', name: '林小姐', city: '上海' },
    { phone: '13900000002', name: '王先生', city: '上海' },
    { phone: '13900000003', name: '陈女士', city: '上海' },
    { phone: '13900000004', name: '赵先生', city: '北京' },
    { phone: '13900000005', name: '孙小姐', city: '北京' },
  ];
  const r = await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { results { customer { id } } } } }`, { c: people });
  const ids: string[] = r.upsertCustomers.results.map((x: any) => x.customer.id);
  const tagging = `mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename } }`;
  // 护发: 林 王 赵 (two in 上海); 护发类: 王 陈.
  await ws.gql(tagging, { input: { tagIds: [hair], customerIds: [ids[0], ids[1], ids[3]] } });
  await ws.gql(tagging, { input: { tagIds: [hair2], customerIds: [ids[1], ids[2]] } });
  return { groupId, hair, hair2, ids };
}

/** Picks an option of a Naive UI select by its visible text. */
async function choose(b: BrowserSession, select: ReturnType<BrowserSession['page']['locator']>, text: string, type?: string) {
  await select.click();
  if (type) await b.page.keyboard.type(type);
  await b.page.locator('.n-base-select-option:visible', { hasText: text }).first().click();
}

describe.skipIf(!browserAvailable())('segments and tags in the browser', () => {
  let app: Courtyard;
  let b: BrowserSession;

  beforeAll(async () => {
    app = await startCourtyard('segments');
    b = await openBrowser(import.meta.filename, app.url);
  });
  afterAll(async () => {
    await b?.close();
    await app?.stop();
  });

  it('a marketer builds a segment with the rule builder, sees the count the API gives for it, saves it and opens it', async () => {
    const ws = await newWorkspace(app, '小院护发');
    const { hair, ids } = await arrange(ws);
    const { page } = b;
    await page.evaluate(() => localStorage.clear()).catch(() => undefined);
    await signIn(page, ws);
    await page.getByTestId('menu-segments').click();
    await page.getByTestId('empty-state').waitFor();
    await b.shot('empty-list');

    await page.getByTestId('segment-create').click();
    await page.locator('.n-dropdown-option', { hasText: '按规则圈选（动态）' }).click();
    await page.waitForURL('**/segments/new');
    // A new segment starts with one tag condition waiting for its tags: the estimate waits too.
    await page.getByTestId('preview-invalid').waitFor();

    const first = page.locator('[data-testid="rule-condition"][data-path="root.conditions.0"]');
    await choose(b, first.getByTestId('tag-picker'), '护发  ·  意向品类', '护发');
    await page.keyboard.press('Escape');
    await page.getByTestId('rule-add-condition').first().click();
    const second = page.locator('[data-testid="rule-condition"][data-path="root.conditions.1"]');
    await choose(b, second.getByTestId('rule-kind'), '客户属性');
    await second.getByTestId('rule-value').locator('input').fill('上海');

    const definition = { version: 1, root: { op: 'and', conditions: [{ kind: 'tags', match: 'any', tagIds: [hair] }, { kind: 'attribute', field: 'city', operator: 'equals', value: '上海' }] } };
    const api = await ws.gql(`query ($d: JSON!) { previewSegment(definition: $d) { ... on SegmentPreview { count } } }`, { d: definition });
    expect(api.previewSegment.count).toBe(2);
    await page.waitForFunction((n) => document.querySelector('[data-testid="preview-count"]')?.textContent?.trim() === String(n), api.previewSegment.count);
    await expect(page.getByTestId('preview-customers').locator('li').count()).resolves.toBe(2);
    await expect(page.getByTestId('preview-customers').textContent()).resolves.toMatch(/林小姐[\s\S]*|王先生/);
    await page.getByTestId('segment-name').locator('input').fill('上海护发意向');
    await b.shot('builder-with-preview');

    // Widening the rule to "or" counts everyone with the tag or in 上海.
    await page.locator('[data-testid="rule-group"][data-path="root"] [data-testid="rule-op-or"]').first().click();
    const widened = await ws.gql(`query ($d: JSON!) { previewSegment(definition: $d) { ... on SegmentPreview { count } } }`, { d: { ...definition, root: { ...definition.root, op: 'or' } } });
    expect(widened.previewSegment.count).toBe(4);
    await page.waitForFunction((n) => document.querySelector('[data-testid="preview-count"]')?.textContent?.trim() === String(n), widened.previewSegment.count);
    await page.locator('[data-testid="rule-group"][data-path="root"] [data-testid="rule-op-and"]').first().click();
    await page.waitForFunction(() => document.querySelector('[data-testid="preview-count"]')?.textContent?.trim() === '2');

    await page.getByTestId('segment-save').click();
    await page.waitForURL((u) => /^\/segments\/[^/]+$/.test(u.pathname) && u.pathname !== "/segments/new");
    await expect(page.getByTestId('page-title').textContent()).resolves.toBe('上海护发意向');
    await expect(page.getByTestId('segment-size').textContent()).resolves.toBe('2');
    await page.getByTestId('segment-members').locator('tbody tr').first().waitFor();
    await expect(page.getByTestId('segment-members').locator('tbody tr').count()).resolves.toBe(2);
    await page.getByTestId('segment-trend').locator('canvas').waitFor();
    const saved = await ws.gql(`{ segments(first: 5) { edges { node { name size definition } } } }`);
    expect(saved.segments.edges).toEqual([{ node: { name: '上海护发意向', size: 2, definition } }]);
    await b.shot('segment-detail');

    // Live: tagging another customer in 上海 through the API moves the size on the open page.
    await ws.gql(`mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename } }`, { input: { tagIds: [hair], customerIds: [ids[2]] } });
    await page.waitForFunction(() => document.querySelector('[data-testid="segment-size"]')?.textContent === '3');
    await expect(page.getByTestId('segment-live').textContent()).resolves.toContain('+1');
    await page.getByTestId('segment-members').locator('tbody tr').nth(2).waitFor();

    // Archive (with its notice), restore.
    await page.getByTestId('segment-archive').click();
    await page.locator('.n-popconfirm__action .n-button--primary-type').click();
    await page.getByTestId('segment-archived-notice').waitFor();
    await page.getByTestId('segment-restore').click();
    await page.getByTestId('segment-archived-notice').waitFor({ state: 'detached' });

    // Editing the rules: the saved definition is loaded, a change is estimated and saved.
    await page.getByTestId('segment-edit').click();
    await page.waitForURL('**/edit');
    await expect(page.getByTestId('segment-name').locator('input').inputValue()).resolves.toBe('上海护发意向');
    await page.waitForFunction(() => document.querySelector('[data-testid="preview-count"]')?.textContent?.trim() === '3');
    await page.locator('[data-testid="rule-condition"][data-path="root.conditions.1"]').getByTestId('rule-value').locator('input').fill('北京');
    await page.waitForFunction(() => document.querySelector('[data-testid="preview-count"]')?.textContent?.trim() === '1');
    await page.getByTestId('segment-save').click();
    await page.waitForURL((u) => !u.pathname.endsWith('/edit'));
    await page.waitForFunction(() => document.querySelector('[data-testid="segment-size"]')?.textContent === '1');

    // The list shows it with its size.
    await page.getByTestId('menu-segments').click();
    await page.getByTestId('segment-row-link').waitFor();
    await expect(page.getByTestId('segment-row-size').textContent()).resolves.toBe('1');
    await b.shot('list');

    // Delete, after confirming.
    await page.getByTestId('segment-row-link').click();
    await page.getByTestId('segment-delete').click();
    await page.getByTestId('segment-delete-confirm').click();
    await page.waitForURL((u) => u.pathname === '/segments');
    await page.getByTestId('empty-state').waitFor();
    expect((await ws.gql(`{ segments(first: 5) { totalCount } }`)).segments.totalCount).toBe(0);
    expect(b.consoleErrors).toEqual([]);
  });

  it('a static segment from an uploaded list reports the rows it could not use; the repurchase form makes a time-based segment', async () => {
    const ws = await newWorkspace(app, '小院护发');
    await arrange(ws);
    const { page } = b;
    await page.evaluate(() => localStorage.clear()).catch(() => undefined);
    await signIn(page, ws);
    await page.goto('/segments/import');
    const csv = '手机号,备注\n13900000001,老客\n13900000004,\n13911111111,陌生号码\n13900000001,重复\n';
    await page.getByTestId('csv-file').locator('input[type=file]').setInputFiles({ name: '618回访名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect(page.getByTestId('csv-name').locator('input').inputValue()).resolves.toBe('618回访名单');
    await page.getByTestId('csv-submit').click();
    const report = page.getByTestId('csv-report');
    await report.waitFor();
    const text = await report.textContent();
    expect(text).toMatch(/读取行数\s*4/);
    expect(text).toMatch(/匹配客户\s*2/);
    expect(text).toMatch(/未匹配\s*1/);
    expect(text).toContain('13911111111');
    await b.shot('csv-report');
    await report.getByRole('button').click();
    await page.waitForURL((u) => /^\/segments\/[^/]+$/.test(u.pathname) && !['/segments/import', '/segments/new'].includes(u.pathname));
    await expect(page.getByTestId('segment-size').textContent()).resolves.toBe('2');

    await page.goto('/segments/repurchase');
    await page.getByTestId('repurchase-name').locator('input').fill('洗发水复购提醒');
    await page.locator('.n-base-selection', { hasText: '输入后回车' }).click();
    await page.keyboard.type('SHAMPOO-500');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.getByTestId('repurchase-submit').click();
    await page.waitForURL((u) => /^\/segments\/[^/]+$/.test(u.pathname) && u.pathname !== '/segments/repurchase');
    await expect(page.getByTestId('page-title').textContent()).resolves.toBe('洗发水复购提醒');
    await expect(page.locator('.n-tag', { hasText: '随时间变化' }).count()).resolves.toBe(1);
    const created = await ws.gql(`{ segments(first: 5, type: dynamic) { edges { node { name timeDependent definition } } } }`);
    expect(created.segments.edges[0].node).toMatchObject({ name: '洗发水复购提醒', timeDependent: true, definition: { root: { op: 'and' } } });
    await b.shot('repurchase-detail');
    expect(b.consoleErrors).toEqual([]);
  });

  it('creates a tag in a group and merges two tags: the counts shown follow', async () => {
    const ws = await newWorkspace(app, '小院护发');
    const { hair, hair2 } = await arrange(ws);
    const { page } = b;
    await page.evaluate(() => localStorage.clear()).catch(() => undefined);
    await signIn(page, ws);
    await page.getByTestId('menu-tags').click();
    const group = page.locator('[data-testid="tag-group"][data-group-name="意向品类"]');
    const count = (name: string) => group.locator(`[data-tag-name="${name}"] [data-testid="tag-count"]`).textContent();
    await expect(count('护发')).resolves.toBe('3');
    await expect(count('护发类')).resolves.toBe('2');

    await group.getByTestId('tag-add').click();
    await page.getByTestId('tag-name').locator('input').fill('头皮护理');
    await page.getByTestId('tag-save').click();
    await group.locator('[data-tag-name="头皮护理"]').waitFor();
    await expect(count('头皮护理')).resolves.toBe('0');
    await b.shot('tag-created');

    await page.getByTestId('tags-merge').click();
    await choose(b, page.getByTestId('merge-sources'), '护发类（2）');
    await page.keyboard.press('Escape');
    await choose(b, page.getByTestId('merge-target'), '护发（3）');
    await expect(page.getByTestId('merge-estimate').textContent()).resolves.toContain('最多 2 位客户将获得“护发”');
    await b.shot('merge-dialog');
    await page.getByTestId('merge-submit').click();
    await group.locator('[data-tag-name="护发类"]').waitFor({ state: 'detached' });
    // 王 carried both: 林 王 赵 + 陈 = 4.
    await page.waitForFunction(() => document.querySelector('[data-tag-name="护发"] [data-testid="tag-count"]')?.textContent === '4');
    const after = await ws.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Tag { name customerCount } } }`, { ids: [hair, hair2] });
    expect(after.nodes).toEqual([{ name: '护发', customerCount: 4 }, null]);
    await b.shot('merged');
    expect(b.consoleErrors).toEqual([]);
  });
});
