// Editing a journey on the canvas, in the browser: the simulated path drawn on the canvas with its
// timeline, undo/redo and copy/paste from the keyboard, auto-layout pulling overlapping nodes apart,
// and "fit" bringing every node into view. The journey is arranged through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserAvailable, newWorkspace, openBrowser, signIn, startCourtyard, type BrowserSession, type Courtyard, type Workspace } from './harness.ts';

interface Box { id: string; x: number; y: number; width: number; height: number }

const node = (page: Page, id: string) => page.locator(`.vue-flow__node[data-id="${id}"]`);
const nodeIds = (page: Page) => page.locator('.vue-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!).sort());
const edgeIds = (page: Page) => page.locator('.vue-flow__edge').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')!).sort());

/** Where each node is drawn on the screen. */
async function boxes(page: Page): Promise<Box[]> {
  return page.locator('.vue-flow__node').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { id: e.getAttribute('data-id')!, x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  );
}

function overlapping(list: Box[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) out.push([a.id, b.id]);
    }
  return out;
}

async function waitForCount(page: Page, selector: string, n: number) {
  await page.waitForFunction(([s, n]) => document.querySelectorAll(s as string).length === n, [selector, n] as const);
}

/** A journey: order paid → VIP? yes: add tag "复购客户" / no: wait 2 days. */
async function arrangeJourney(ws: Workspace) {
  const group = await ws.gql(`mutation($i: TagGroupInput!) { createTagGroup(input: $i) { ... on TagGroup { id } } }`, { i: { name: '会员等级', kind: 'behaviour' } });
  const tag = async (name: string) =>
    (await ws.gql(`mutation($i: TagInput!) { createTag(input: $i) { ... on Tag { id } } }`, { i: { name, groupId: group.createTagGroup.id } })).createTag.id as string;
  const vip = await tag('VIP');
  const repeat = await tag('复购客户');
  const customer = await ws.gql(`mutation($i: CustomerInput!) { upsertCustomer(input: $i) { ... on UpsertCustomerPayload { customer { id } } } }`, { i: { name: '林小姐', phone: '13800000002' } });
  const v = '1.0.0';
  const definition = {
    nodes: [
      { id: 'paid', type: 'courtyard.event', version: v, config: { eventType: 'order.paid' } },
      { id: 'vip', type: 'courtyard.has-tags', version: v, config: { tagIds: [vip], match: 'any' } },
      { id: 'tag', type: 'courtyard.add-tags', version: v, config: { tagIds: [repeat] } },
      { id: 'wait', type: 'courtyard.wait', version: v, config: { duration: { amount: 2, unit: 'days' } } },
    ],
    edges: [
      { from: 'paid', port: 'next', to: 'vip' },
      { from: 'vip', port: 'yes', to: 'tag' },
      { from: 'vip', port: 'no', to: 'wait' },
    ],
  };
  const layout = { paid: { x: 150, y: 0 }, vip: { x: 150, y: 160 }, tag: { x: 0, y: 330 }, wait: { x: 300, y: 330 } };
  const created = await ws.gql(`mutation($i: JourneyInput!) { createJourney(input: $i) { __typename ... on Journey { id } ... on Error { message } } }`, {
    i: { name: '复购培育', definition, layout },
  });
  expect(created.createJourney.__typename).toBe('Journey');
  return { journeyId: created.createJourney.id as string, customerName: '林小姐', customerId: customer.upsertCustomer.customer.id as string };
}

async function draft(ws: Workspace, id: string) {
  const r = await ws.gql(`query($id: ID!) { journey(id: $id) { draft layout } }`, { id });
  return r.journey as { draft: { nodes: Array<{ id: string; type: string; config: unknown }>; edges: Array<{ from: string; port: string; to: string }> }; layout: Record<string, { x: number; y: number }> };
}

describe.skipIf(!browserAvailable())('journey builder editing in the browser', () => {
  let app: Courtyard;
  let b: BrowserSession;

  beforeAll(async () => {
    app = await startCourtyard('journeys-editing');
    b = await openBrowser(import.meta.filename, app.url);
  });
  afterAll(async () => {
    await b?.close();
    await app?.stop();
  });

  it('simulates a customer with the path marked on the canvas, undoes and redoes a deletion, pastes connected nodes, lays them out apart and fits them in view', async () => {
    const ws = await newWorkspace(app, '小院茶饮');
    const { journeyId, customerName } = await arrangeJourney(ws);
    const { page } = b;
    await signIn(page, ws);
    await page.goto(`/journeys/${encodeURIComponent(journeyId)}`);
    await waitForCount(page, '.vue-flow__node', 4);
    await waitForCount(page, '.vue-flow__edge', 3);
    const allEdges = await edgeIds(page);
    expect(allEdges).toEqual(['paid.next>vip', 'vip.no>wait', 'vip.yes>tag']);
    await b.shot('opened');

    // Simulate: not a VIP, so the customer goes paid → vip → (no) → wait; the path is marked.
    await page.getByTestId('simulate').click();
    await page.getByTestId('simulate-customer').click();
    await page.getByTestId('simulate-customer').locator('input').fill('林');
    await page.locator('.n-base-select-option', { hasText: customerName }).first().click();
    await page.getByTestId('simulate-run').click();
    await page.getByTestId('simulate-steps').waitFor();
    await expect(page.getByTestId('simulate-outcome').textContent()).resolves.toContain('走完旅程');
    const timeline = page.getByTestId('simulate-steps').locator('.n-timeline-item');
    await expect(timeline.count()).resolves.toBe(3);
    await expect(timeline.nth(0).textContent()).resolves.toContain('1. 发生事件时');
    await expect(timeline.nth(2).textContent()).resolves.toContain('等待后继续');
    await expect(page.getByTestId('visit-paid').textContent()).resolves.toBe('1');
    await expect(page.getByTestId('visit-vip').textContent()).resolves.toBe('2');
    await expect(page.getByTestId('visit-wait').textContent()).resolves.toBe('3');
    await expect(page.getByTestId('visit-tag').count()).resolves.toBe(0);
    await expect(page.locator('.jnode.visited').count()).resolves.toBe(3);
    const simEdges = await page.locator('.vue-flow__edge.sim-edge').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    expect(simEdges).toEqual(['paid.next>vip', 'vip.no>wait']);
    await b.shot('simulated');
    await page.getByTestId('simulate-clear').click();
    await expect(page.locator('.jnode.visited').count()).resolves.toBe(0);
    await page.locator('.n-drawer .n-base-close').click();
    await page.locator('.n-drawer').waitFor({ state: 'detached' });

    // Delete the condition: its three edges go with it; Ctrl+Z brings all back, Ctrl+Shift+Z deletes again.
    await node(page, 'vip').click();
    await page.keyboard.press('Delete');
    await waitForCount(page, '.vue-flow__node', 3);
    await expect(edgeIds(page)).resolves.toEqual([]);
    await b.shot('deleted');
    await page.keyboard.press('Control+z');
    await waitForCount(page, '.vue-flow__node', 4);
    await expect(edgeIds(page)).resolves.toEqual(allEdges);
    await b.shot('undone');
    await page.keyboard.press('Control+Shift+z');
    await waitForCount(page, '.vue-flow__node', 3);
    await expect(edgeIds(page)).resolves.toEqual([]);
    await page.keyboard.press('Control+z');
    await waitForCount(page, '.vue-flow__node', 4);
    await expect(edgeIds(page)).resolves.toEqual(allEdges);

    // Copy the condition with its "yes" action and paste: two new nodes with their connection between them.
    await node(page, 'vip').click();
    await node(page, 'tag').click({ modifiers: ['Shift'] });
    await expect(page.locator('.vue-flow__node.selected').count()).resolves.toBe(2);
    await page.keyboard.press('Control+c');
    await page.getByText('已复制 2 个节点').waitFor();
    await page.keyboard.press('Control+v');
    await waitForCount(page, '.vue-flow__node', 6);
    const pasted = (await nodeIds(page)).filter((id) => !['paid', 'vip', 'tag', 'wait'].includes(id));
    expect(pasted).toHaveLength(2);
    const pastedCondition = pasted.find((id) => id.startsWith('has-tags-'))!;
    const pastedAction = pasted.find((id) => id.startsWith('add-tags-'))!;
    expect(pastedCondition && pastedAction).toBeTruthy();
    await expect(edgeIds(page)).resolves.toEqual([...allEdges, `${pastedCondition}.yes>${pastedAction}`].sort());
    // Pasted a little off the originals: they overlap them.
    expect(overlapping(await boxes(page)).length).toBeGreaterThan(0);
    await b.shot('pasted');

    // Auto-layout: every node moves to a place of its own.
    const before = await draftPositions(page);
    await page.getByTestId('auto-layout').click();
    await page.waitForTimeout(500);
    const after = await draftPositions(page);
    expect(Object.keys(after).filter((id) => after[id]!.x !== before[id]!.x || after[id]!.y !== before[id]!.y).length).toBeGreaterThan(0);
    expect(overlapping(await boxes(page))).toEqual([]);
    await b.shot('laid-out');

    // Saved: the API holds the pasted nodes, their connection and the new layout, with no overlap.
    await page.keyboard.press('Control+s');
    await page.getByTestId('save-state').filter({ hasText: '已保存' }).waitFor();
    const saved = await draft(ws, journeyId);
    expect(saved.draft.nodes.map((n) => n.id).sort()).toEqual(['paid', 'tag', 'vip', 'wait', ...pasted].sort());
    expect(saved.draft.edges).toContainEqual({ from: pastedCondition, port: 'yes', to: pastedAction });
    const savedBoxes = Object.entries(saved.layout).map(([id, p]) => ({ id, x: p.x, y: p.y, width: 240, height: 90 }));
    expect(overlapping(savedBoxes)).toEqual([]);

    // Zoom in far and pan away: nodes leave the view; "fit" brings every one of them back.
    const canvasBox = (await page.getByTestId('journey-canvas').boundingBox())!;
    await page.mouse.move(canvasBox.x + canvasBox.width / 2, canvasBox.y + canvasBox.height / 2);
    await page.mouse.wheel(0, -1500);
    await page.waitForTimeout(300);
    const inside = (list: Box[]) => list.filter((n) => n.x >= canvasBox.x - 1 && n.y >= canvasBox.y - 1 && n.x + n.width <= canvasBox.x + canvasBox.width + 1 && n.y + n.height <= canvasBox.y + canvasBox.height + 1).length;
    expect(inside(await boxes(page))).toBeLessThan(6);
    await b.shot('zoomed-in');
    await page.getByTestId('fit-view').click();
    await page.waitForTimeout(600);
    expect(inside(await boxes(page))).toBe(6);
    await b.shot('fit');

    expect(b.consoleErrors).toEqual([]);
  });

  it('renames a journey and sets its re-entry rule, cap, goal and quiet hours in the settings dialog; a taken name is refused next to the name', async () => {
    const ws = await newWorkspace(app, '小院烘焙');
    const { journeyId } = await arrangeJourney(ws);
    await ws.gql(`mutation($i: JourneyInput!) { createJourney(input: $i) { __typename } }`, { i: { name: '老客召回' } });
    const { page } = b;
    await page.evaluate(() => localStorage.clear());
    await signIn(page, ws);
    await page.goto(`/journeys/${encodeURIComponent(journeyId)}`);
    await waitForCount(page, '.vue-flow__node', 4);

    await page.getByTestId('journey-settings').click();
    const dialog = page.getByTestId('journey-settings-dialog');
    await dialog.waitFor();
    await expect(dialog.getByTestId('reentry-never').locator('input').isChecked()).resolves.toBe(true);
    // A name another journey has: the API's conflict shows under the name field.
    await dialog.getByTestId('settings-name').locator('input').fill('老客召回');
    await dialog.getByTestId('settings-save').click();
    await dialog.getByText('已有同名旅程，请换一个名称').waitFor();
    await b.shot('settings-name-taken');

    await dialog.getByTestId('settings-name').locator('input').fill('复购培育 · 7 天');
    await dialog.getByText('已有同名旅程，请换一个名称').waitFor({ state: 'detached' });
    await dialog.getByTestId('reentry-afterCooldown').click();
    await dialog.getByTestId('cooldown-amount').locator('input').fill('7');
    await dialog.getByTestId('settings-cap-on').click();
    await dialog.getByTestId('settings-cap').locator('input').fill('500');
    await dialog.getByTestId('settings-goal').click();
    await page.locator('.n-base-select-option', { hasText: '下单' }).first().click();
    await dialog.getByTestId('goal-amount').locator('input').fill('99');
    await dialog.getByTestId('settings-quiet-on').click();
    await b.shot('settings-filled');
    await dialog.getByTestId('settings-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('旅程设置已保存').waitFor();
    await page.getByTestId('page-title').filter({ hasText: '复购培育 · 7 天' }).waitFor();

    const r = await ws.gql(`query($id: ID!) { journey(id: $id) { name settings } }`, { id: journeyId });
    expect(r.journey.name).toBe('复购培育 · 7 天');
    expect(r.journey.settings).toEqual({
      reentry: { mode: 'afterCooldown', cooldown: { amount: 7, unit: 'days' } },
      maxConcurrentEnrollments: 500,
      goal: { kind: 'order', minAmountCents: 9900 },
      quietHours: { start: '22:00', end: '08:00' },
    });
    // Opened again, the dialog shows what was saved.
    await page.getByTestId('journey-settings').click();
    await expect(dialog.getByTestId('reentry-afterCooldown').locator('input').isChecked()).resolves.toBe(true);
    await expect(dialog.getByTestId('settings-cap').locator('input').inputValue()).resolves.toBe('500');
    await b.shot('settings-reopened');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(b.consoleErrors).toEqual([]);
  });
});

/** Node positions as the canvas holds them (flow coordinates, from the transform of each node). */
async function draftPositions(page: Page): Promise<Record<string, { x: number; y: number }>> {
  return page.locator('.vue-flow__node').evaluateAll((els) =>
    Object.fromEntries(
      els.map((e) => {
        const m = /translate\(([-\d.]+)px, ?([-\d.]+)px\)/.exec((e as HTMLElement).style.transform);
        return [e.getAttribute('data-id')!, { x: Number(m?.[1] ?? NaN), y: Number(m?.[2] ?? NaN) }];
      }),
    ),
  );
}
