/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// `pnpm bench admin`: the journey builder in headless Chromium with a 20-node (baseline) and a
// 200-node journey, each created through the API and opened in the builder.
//
//  1. First render: from navigation (a full page load of /journeys/<id>) until every node of the
//     journey is drawn with its size (the builder fits the view on load, so all are in view).
//     Median of --loads loads; "data in by" is when the journey and node types had arrived.
//  2. Drag: one node held with the mouse and moved around the canvas for --seconds; the page
//     records requestAnimationFrame deltas meanwhile. Then the same for panning (dragging the
//     empty canvas) and zooming (mouse wheel in and out).
//  3. Memory: the page's JS heap after a forced garbage collection (Chrome DevTools protocol).
// Prints the figures next to the targets and exits 0 whether or not they are met. Needs the built
// admin (pnpm --filter @courtyard/admin build) and Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserAvailable, newWorkspace, openBrowser, root, signIn, startCourtyard, type BrowserSession, type Courtyard, type Workspace } from '../e2e/browser/harness.ts';
import { BenchmarkError, mb, ms, parseNumber, percentile, printMachine, runBenchmark, section, table, UsageError, parseOptionValues } from './common.ts';

type Page = BrowserSession['page'];

/** Frame times are whole vsyncs (16.7 ms at 60 Hz): a p95 of two vsyncs, 33.3 ms, is 30 fps and meets 33 ms. */
const TARGETS = { firstRenderMs: 1_500, dragP95Ms: 33, dragVsBaseline: 2 };
const withinFrames = (value: number, target: number) => Math.round(value) <= target;

const USAGE = `Usage: pnpm bench admin [options]
  --nodes N       nodes of the large journey (default 200)
  --baseline N    nodes of the baseline journey (default 20)
  --loads N       page loads per journey for the first-render figure (median; default 3)
  --seconds S     how long each drag, pan and zoom lasts (default 2)
  --profile       also records a CPU profile of one large-journey load and of its drag, and prints
                  the functions with the most self time (e2e/artifacts/bench-admin/*.cpuprofile)
Runs the API on a fresh PGlite database (TEST_DATABASE_URL: PostgreSQL) and the built admin.`;

const OPTION_SPEC = {
  nodes: { type: 'string', default: '200' },
  baseline: { type: 'string', default: '20' },
  loads: { type: 'string', default: '3' },
  seconds: { type: 'string', default: '2' },
  profile: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * A journey of about `size` nodes shaped like real ones: a chain of tag conditions down the left,
 * each "yes" leading to a row of eight actions (tag, wait, …), "no" to the next condition.
 */
export function benchJourney(size: number, tagId: string) {
  const v = '1.0.0';
  const nodes: Array<{ id: string; type: string; version: string; config: Record<string, unknown> }> = [{ id: 'start', type: 'courtyard.event', version: v, config: { eventType: 'order.paid' } }];
  const edges: Array<{ from: string; port: string; to: string }> = [];
  const layout: Record<string, { x: number; y: number }> = { start: { x: 0, y: 0 } };
  let previous = { id: 'start', port: 'next' };
  for (let row = 0; nodes.length < size; row++) {
    const cond = `c${row}`;
    nodes.push({ id: cond, type: 'courtyard.has-tags', version: v, config: { tagIds: [tagId], match: row % 2 ? 'all' : 'any' } });
    layout[cond] = { x: 0, y: 170 * (row + 1) };
    edges.push({ from: previous.id, port: previous.port, to: cond });
    let from = { id: cond, port: 'yes' };
    for (let col = 1; col <= 8 && nodes.length < size; col++) {
      const id = `a${row}_${col}`;
      const wait = col % 2 === 0;
      nodes.push({ id, type: wait ? 'courtyard.wait' : 'courtyard.add-tags', version: v, config: wait ? { duration: { amount: col, unit: 'hours' } } : { tagIds: [tagId] } });
      layout[id] = { x: 300 * col, y: 170 * (row + 1) + 40 };
      edges.push({ from: from.id, port: from.port, to: id });
      from = { id, port: 'next' };
    }
    previous = { id: cond, port: 'no' };
  }
  return { definition: { nodes, edges }, layout };
}

async function createJourney(ws: Workspace, size: number, tagId: string): Promise<string> {
  const { definition, layout } = benchJourney(size, tagId);
  const r = await ws.gql(`mutation($i: JourneyInput!) { createJourney(input: $i) { __typename ... on Journey { id } ... on Error { message } } }`, {
    i: { name: `bench ${size} nodes`, definition, layout },
  });
  if (r.createJourney.__typename !== 'Journey') throw new BenchmarkError(`createJourney: ${r.createJourney.message}`);
  return r.createJourney.id;
}

/** Loads the builder and returns ms from navigation start until all `size` nodes are drawn. */
async function firstRender(page: Page, journeyId: string, size: number): Promise<{ drawn: number; data: number }> {
  await page.goto('about:blank');
  await page.goto(`/journeys/${encodeURIComponent(journeyId)}`, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    (n) => {
      const els = document.querySelectorAll('.vue-flow__node');
      if (els.length < n) return false;
      for (const el of Array.from(els)) if (!(el as HTMLElement).offsetWidth || (el as HTMLElement).style.visibility === 'hidden') return false;
      return performance.now();
    },
    size,
    { polling: 'raf', timeout: 60_000 },
  ).catch(async (error: Error) => {
    const drawn = await page.locator('.vue-flow__node').count().catch(() => -1);
    await page.screenshot({ path: `e2e/artifacts/bench-admin/failed-${size}.png` }).catch(() => undefined);
    console.error(await page.evaluate(() => (document.querySelector('.vue-flow__transformationpane') as HTMLElement | null)?.style.transform).catch(() => ''));
    throw new BenchmarkError(`${drawn} of ${size} nodes drawn after 60 s (${error.message.split('\n')[0]})`);
  });
  const drawn = (await handle.jsonValue()) as number;
  // When the journey's data had arrived: what is left is the page drawing it.
  const data = await page.evaluate(() =>
    Math.max(0, ...performance.getEntriesByType('resource').filter((e) => /operationName=(Journey|JourneyNodeTypes)&/.test(e.name)).map((e) => (e as PerformanceResourceTiming).responseEnd)),
  );
  return { drawn, data };
}

/** Starts recording requestAnimationFrame deltas in the page. */
async function startFrames(page: Page) {
  // A string, not a function: tsx would wrap the inner function in a helper the page does not have.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__recording = true;
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (window.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
  })()`);
}
async function stopFrames(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__recording = false;
    return w.__frames;
  });
}

/** Moves the mouse along `path(t)` (t from 0 to 1) for `seconds`, as fast as events go through. */
async function sweep(page: Page, seconds: number, path: (t: number) => { x: number; y: number }) {
  const started = Date.now();
  for (;;) {
    const t = Math.min(1, (Date.now() - started) / (seconds * 1000));
    const p = path(t);
    await page.mouse.move(p.x, p.y);
    if (t >= 1) break;
    await page.waitForTimeout(8);
  }
}

async function canvasBox(page: Page) {
  const box = await page.getByTestId('journey-canvas').boundingBox();
  if (!box) throw new BenchmarkError('the canvas is not on the page');
  return box;
}

async function dragNode(page: Page, seconds: number): Promise<number[]> {
  const box = await canvasBox(page);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // The node drawn nearest the middle of the canvas, held by its title.
  const target = await page.locator('.vue-flow__node').evaluateAll((els, c) => {
    let best: { x: number; y: number; d: number } | null = null;
    for (const el of els) {
      const r = el.getBoundingClientRect();
      const x = r.x + r.width / 2;
      const y = r.y + Math.min(12, r.height / 4);
      const d = Math.hypot(x - c.x, y - c.y);
      if (!best || d < best.d) best = { x, y, d };
    }
    return best;
  }, { x: cx, y: cy });
  if (!target) throw new BenchmarkError('no node to drag');
  await page.mouse.move(target.x, target.y);
  await page.mouse.down();
  await startFrames(page);
  const rx = box.width * 0.3;
  const ry = box.height * 0.3;
  await sweep(page, seconds, (t) => ({ x: target.x + rx * Math.sin(2 * Math.PI * t), y: target.y + ry * (1 - Math.cos(2 * Math.PI * t)) / 2 }));
  const frames = await stopFrames(page);
  await page.mouse.up();
  return frames;
}

/** A point of the canvas with no node, edge or overlay under it. */
async function emptySpot(page: Page) {
  const box = await canvasBox(page);
  for (let fy = 0.15; fy < 0.95; fy += 0.1)
    for (let fx = 0.95; fx > 0.05; fx -= 0.05) {
      const x = box.x + box.width * fx;
      const y = box.y + box.height * fy;
      const pane = await page.evaluate(([x, y]) => !!document.elementFromPoint(x!, y!)?.classList.contains('vue-flow__pane'), [x, y]);
      if (pane) return { x, y };
    }
  throw new BenchmarkError('no empty spot on the canvas to pan from');
}

async function pan(page: Page, seconds: number): Promise<number[]> {
  const from = await emptySpot(page);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await startFrames(page);
  await sweep(page, seconds, (t) => ({ x: from.x - 200 * Math.sin(2 * Math.PI * t), y: from.y - 150 * Math.sin(Math.PI * t) }));
  const frames = await stopFrames(page);
  await page.mouse.up();
  return frames;
}

async function zoom(page: Page, seconds: number): Promise<number[]> {
  const box = await canvasBox(page);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await startFrames(page);
  const started = Date.now();
  for (let i = 0; Date.now() - started < seconds * 1000; i++) {
    await page.mouse.wheel(0, Math.floor(i / 10) % 2 ? 60 : -60);
    await page.waitForTimeout(16);
  }
  return stopFrames(page);
}

async function heapBytes(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

interface Figures {
  size: number;
  renders: number[];
  render: number;
  /** Median time the journey's data had arrived by. */
  data: number;
  drag: number[];
  pan: number[];
  zoom: number[];
  heap: number;
  consoleErrors: string[];
}

const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
const p95 = (list: number[]) => (list.length ? percentile(sorted(list), 0.95) : NaN);
const p50 = (list: number[]) => (list.length ? percentile(sorted(list), 0.5) : NaN);
const fps = (list: number[]) => (list.length ? (1000 * list.length) / list.reduce((a, b) => a + b, 0) : NaN);

async function measure(b: BrowserSession, journeyId: string, size: number, loads: number, seconds: number): Promise<Figures> {
  const { page } = b;
  const errorsBefore = b.consoleErrors.length;
  const loaded: Array<{ drawn: number; data: number }> = [];
  for (let i = 0; i < loads; i++) loaded.push(await firstRender(page, journeyId, size));
  const renders = loaded.map((l) => l.drawn);
  await page.waitForTimeout(800); // the fit-view animation and the first validation settle
  await b.shot(`${size}-nodes`);
  const drag = await dragNode(page, seconds);
  await page.waitForTimeout(600);
  const panned = await pan(page, seconds);
  await page.waitForTimeout(300);
  const zoomed = await zoom(page, seconds);
  await page.waitForTimeout(300);
  const heap = await heapBytes(page);
  return { size, renders, render: p50(renders), data: p50(loaded.map((l) => l.data)), drag, pan: panned, zoom: zoomed, heap, consoleErrors: b.consoleErrors.slice(errorsBefore) };
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Runs `fn` under the page's CPU profiler; saves the profile and prints the top functions by self time. */
async function profiled(page: Page, name: string, fn: () => Promise<unknown>) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await fn();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  await cdp.detach();
  mkdirSync(join(root, 'e2e/artifacts/bench-admin'), { recursive: true });
  writeFileSync(join(root, `e2e/artifacts/bench-admin/${name}.cpuprofile`), JSON.stringify(profile));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFrame = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const us = self.get(n.id) ?? 0;
    total += us;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + us);
  }
  const top = [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, 15);
  console.log(`\n${name}: ${ms(total / 1000)} sampled`);
  console.log(table(['self', 'function'], top.map(([k, us]) => [ms(us / 1000), k])));
}

let app: Courtyard | undefined;
let browser: BrowserSession | undefined;

async function main(): Promise<number> {
  const values = parseOptionValues(OPTION_SPEC);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const size = parseNumber('nodes', values.nodes, 2);
  const baselineSize = parseNumber('baseline', values.baseline, 2);
  const loads = parseNumber('loads', values.loads, 1);
  const seconds = parseNumber('seconds', values.seconds, 0.5);
  if (size > 500) throw new UsageError('--nodes: a journey has at most 500 nodes');
  if (!browserAvailable()) throw new BenchmarkError('needs Chromium and the built admin (see above)');

  console.log('Admin journey builder: first render, drag / pan / zoom frame times and heap in headless Chromium');
  printMachine();
  section('Setup');
  app = await startCourtyard('bench-admin');
  const ws = await newWorkspace(app, 'bench admin');
  const group = await ws.gql(`mutation($i: TagGroupInput!) { createTagGroup(input: $i) { ... on TagGroup { id } } }`, { i: { name: '会员', kind: 'behaviour' } });
  const tag = await ws.gql(`mutation($i: TagInput!) { createTag(input: $i) { ... on Tag { id } } }`, { i: { name: 'VIP', groupId: group.createTagGroup.id } });
  const small = await createJourney(ws, baselineSize, tag.createTag.id);
  const large = await createJourney(ws, size, tag.createTag.id);
  browser = await openBrowser('bench-admin.test.ts', app.url);
  await signIn(browser.page, ws);
  console.log(`API at ${app.url}; journeys of ${baselineSize} and ${size} nodes; viewport 1280×800; ${loads} load(s), ${seconds} s per gesture`);

  // A warm-up load, so the first measured one does not pay for compiling the bundle.
  await firstRender(browser.page, small, baselineSize);
  const base = await measure(browser, small, baselineSize, loads, seconds);
  const big = await measure(browser, large, size, loads, seconds);
  if (values.profile) {
    section('Profiles');
    await profiled(browser.page, `render-${size}`, () => firstRender(browser!.page, large, size));
    await browser.page.waitForTimeout(800);
    await profiled(browser.page, `drag-${size}`, () => dragNode(browser!.page, seconds));
  }

  section('Results');
  const row = (f: Figures) => [
    `${f.size}`,
    `${ms(f.render)} (${f.renders.map((r) => r.toFixed(0)).join(', ')})`,
    ms(f.data),
    `${ms(p50(f.drag))} / ${ms(p95(f.drag))} / ${fps(f.drag).toFixed(0)}`,
    `${ms(p50(f.pan))} / ${ms(p95(f.pan))} / ${fps(f.pan).toFixed(0)}`,
    `${ms(p50(f.zoom))} / ${ms(p95(f.zoom))} / ${fps(f.zoom).toFixed(0)}`,
    mb(f.heap),
  ];
  console.log(table(['nodes', 'first render (median; each)', 'data in by', 'drag p50 / p95 / fps', 'pan p50 / p95 / fps', 'zoom p50 / p95 / fps', 'JS heap'], [row(base), row(big)]));

  section('Targets');
  const ratio = p95(big.drag) / p95(base.drag);
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    table(
      ['figure', 'target', 'measured', ''],
      [
        [`${size}-node first render`, `≤ ${ms(TARGETS.firstRenderMs)}`, ms(big.render), met(big.render <= TARGETS.firstRenderMs)],
        [`${size}-node drag p95 frame`, `≤ ${ms(TARGETS.dragP95Ms)}`, ms(p95(big.drag)), met(withinFrames(p95(big.drag), TARGETS.dragP95Ms))],
        [`drag p95 vs ${baselineSize}-node baseline`, `≤ ${TARGETS.dragVsBaseline}×`, `${ratio.toFixed(2)}× (${ms(p95(base.drag))})`, met(ratio <= TARGETS.dragVsBaseline)],
      ],
    ),
  );
  const errors = [...base.consoleErrors, ...big.consoleErrors];
  if (errors.length) throw new BenchmarkError(`the page logged errors:\n${errors.join('\n')}`);
  return 0;
}

runBenchmark(main, {
  usage: USAGE,
  async cleanup() {
    await browser?.close().catch(() => undefined);
    await app?.stop();
  },
  onInvalid: () => console.error(app?.output().slice(-4000)),
});
