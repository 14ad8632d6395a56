// Viewer II in a real headless Chromium against the real viewer, on traces made by two real
// traced services (Express + traced axios calling Koa): search kept in the URL, the latency
// scatter and percentiles, the critical path and verdict, collapsing and find, links out,
// comparison, the service map, live mode and a 100,000-span trace. Screenshots go to
// test/artifacts/, and to docs/viewer/ (committed, shown in the README) with
// TRACEWELL_UPDATE_SCREENSHOTS=1.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startViewer, type RunningViewer, type StoredSpan, type TraceDetailAnswer } from '../src';
import { launchChromium } from './support/chromium';
import { startShop, type ShopServices } from './support/shop-services';

jest.setTimeout(90_000);

// What the functions run in the page use (this test program is typed for Node, not the DOM).
declare const document: { querySelectorAll(selector: string): { length: number }; querySelector(selector: string): { textContent: string | null } | null };
declare const location: { hash: string };

const ARTIFACTS = join(__dirname, 'artifacts');
const DOCS = join(__dirname, '..', '..', '..', 'docs', 'viewer');

let browser: Browser;
let viewer: RunningViewer;
let shop: ShopServices;
let page: Page;
let problems: string[];
const bought: Array<{ item: string; traceId: string }> = [];
const idOf = (item: string): string => bought.find((b) => b.item === item)!.traceId;

async function screenshot(name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  if (process.env.TRACEWELL_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: join(DOCS, `${name}.png`) });
  }
}

const rows = () => page.locator('[data-testid="trace-row"]');
const spanRows = () => page.locator('[data-testid="span-row"]');
const hashParams = async (): Promise<URLSearchParams> => {
  const hash = await page.evaluate(() => location.hash);
  return new URLSearchParams(hash.slice(hash.indexOf('?') + 1));
};

beforeAll(async () => {
  viewer = await startViewer({ port: 0, log: () => undefined, links: [{ name: 'Jaeger', url: 'http://localhost:16686/trace/{traceId}' }, { name: 'Logs', url: 'http://logs.example/search?trace={traceId}&span={spanId}' }] });
  shop = await startShop(viewer.url);
  for (const item of ['apple', 'pear', 'slow', 'broken', 'plum']) bought.push({ item, traceId: await shop.buy(item) });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await viewer?.close();
});
beforeEach(async () => {
  problems = [];
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
});
afterEach(async () => {
  await page.close();
  expect(problems).toEqual([]);
});

it('search: an attribute filter narrows the list, lives in the URL and survives a reload', async () => {
  await page.goto(`${viewer.url}/#/`);
  await rows().nth(4).waitFor();
  await page.fill('input[name="attr"]', 'shop.item=slow');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="trace-row"]').length === 1);
  expect(await rows().first().getAttribute('data-trace-id')).toBe(idOf('slow'));
  expect((await hashParams()).getAll('attr')).toEqual(['shop.item=slow']);
  await page.reload();
  await rows().first().waitFor();
  expect(await rows().count()).toBe(1);
  expect(await page.inputValue('input[name="attr"]')).toBe('shop.item=slow');
  // Errors only, with the attribute still set: nothing matches; without it, the broken trace.
  await page.check('input[name="errors"]');
  await page.waitForFunction(() => document.querySelector('.list-summary')?.textContent?.startsWith('No traces match'));
  await page.fill('input[name="attr"]', '');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="trace-row"]').length === 1);
  expect(await rows().first().getAttribute('data-trace-id')).toBe(idOf('broken'));
  expect((await hashParams()).get('errors')).toBe('true');
});

it('latency: one dot per trace (errors in red), percentiles per operation, a click opens the trace, a drag narrows the search', async () => {
  await page.goto(`${viewer.url}/#/`);
  const dots = page.locator('[data-testid="scatter-dot"]');
  await dots.nth(4).waitFor();
  expect(await dots.count()).toBe(5);
  expect(await page.locator('[data-testid="scatter-dot"].is-error').getAttribute('data-trace-id')).toBe(idOf('broken'));
  const stockRow = page.locator('[data-testid="percentile-row"]', { hasText: 'GET /items/:item' });
  expect(await stockRow.locator('td').nth(1).textContent()).toBe('5');
  expect(await stockRow.locator('td').nth(2).textContent()).toBe('1');
  await screenshot('search-and-latency');

  // A drag across the whole plot keeps every trace and writes the range into the URL.
  const box = (await page.locator('.scatter-plot').boundingBox())!;
  await page.mouse.move(box.x + 2, box.y + 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + box.width - 2, box.y + box.height - 2, { steps: 4 });
  await page.mouse.up();
  await page.locator('[data-testid="time-range"]').waitFor();
  const params = await hashParams();
  expect(Number(params.get('start'))).toBeGreaterThan(0);
  expect(Number(params.get('end'))).toBeGreaterThan(Number(params.get('start')));
  await rows().first().waitFor();
  expect(await rows().count()).toBeGreaterThanOrEqual(1);

  await page.goto(`${viewer.url}/#/`);
  await page.locator(`[data-testid="scatter-dot"][data-trace-id="${idOf('slow')}"]`).click();
  await page.waitForFunction((id) => location.hash === `#/traces/${id}`, idOf('slow'));
  await page.locator('[data-testid="verdict"]').waitFor();
});

it('why it was slow: the verdict, the critical path on the bars, self time, collapsing, find and links out', async () => {
  await page.goto(`${viewer.url}/#/traces/${idOf('slow')}`);
  const verdict = page.locator('[data-testid="verdict"]');
  await verdict.waitFor();
  expect(await verdict.textContent()).toMatch(/^db\.query \[stock\] is \d+% of the critical path \(/);
  await spanRows().nth(3).waitFor();
  // Every span of this chain is on the critical path.
  expect(await page.locator('.span-row.on-critical-path').count()).toBe(4);
  expect(await page.locator('[data-testid="critical-segment"]').count()).toBeGreaterThanOrEqual(4);
  const query = spanRows().filter({ hasText: 'db.query' });
  await query.click();
  const details = page.locator('[data-testid="span-details"]');
  await details.waitFor();
  expect(await details.locator('[data-testid="self-time"]').textContent()).toMatch(/ms$/);
  expect(await details.locator('[data-testid="critical-time"]').textContent()).toBe(await details.locator('[data-testid="self-time"]').textContent());
  expect(await details.locator('[data-testid="span-link"]', { hasText: 'Logs' }).getAttribute('href')).toMatch(new RegExp(`^http://logs\\.example/search\\?trace=${idOf('slow')}&span=[0-9a-f]{16}$`));
  expect(await page.locator('[data-testid="trace-link"]').getAttribute('href')).toBe(`http://localhost:16686/trace/${idOf('slow')}`);
  await screenshot('critical-path');

  // Collapse the stock server span: its query row goes, and comes back.
  await spanRows().filter({ hasText: 'GET /items/:item' }).locator('[data-action="collapse"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="span-row"]').length === 3);
  await spanRows().filter({ hasText: 'GET /items/:item' }).locator('[data-action="collapse"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="span-row"]').length === 4);
  // Find by attribute value.
  await page.fill('[data-testid="find"]', 'postgresql');
  await page.waitForFunction(() => document.querySelector('[data-testid="find-count"]')?.textContent === '1 match');
  expect(await page.locator('.span-row.is-match').getAttribute('data-span-id')).toBe(await query.getAttribute('data-span-id'));
});

it('trace statistics per operation and the trace as a JSON download', async () => {
  await page.goto(`${viewer.url}/#/traces/${idOf('slow')}`);
  await spanRows().nth(3).waitFor();
  await page.click('[data-testid="stats-toggle"]');
  const statsRows = page.locator('[data-testid="stats-row"]');
  await statsRows.nth(3).waitFor();
  // Four spans, four operations; the query held the trace up longest, so it leads, and all of
  // its time is its own and on the critical path.
  expect(await statsRows.count()).toBe(4);
  const top = statsRows.first();
  expect(await top.getAttribute('data-operation')).toBe('stock: db.query');
  expect(await top.locator('td').nth(1).textContent()).toBe('1');
  expect(await top.locator('[data-testid="stats-critical"]').textContent()).toBe(await top.locator('[data-testid="stats-self"]').textContent());
  expect(await top.locator('[data-testid="stats-self"]').textContent()).toBe(await top.locator('td').nth(2).textContent());
  await screenshot('trace-statistics');
  await page.click('[data-testid="stats-toggle"]');
  expect(await statsRows.count()).toBe(0);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-json"]')]);
  expect(download.suggestedFilename()).toBe(`trace-${idOf('slow')}.json`);
  const saved = JSON.parse(readFileSync((await download.path())!, 'utf8')) as TraceDetailAnswer;
  const served = (await (await fetch(`${viewer.url}/api/traces/${idOf('slow')}`)).json()) as TraceDetailAnswer;
  expect(saved).toEqual(served);
});

it('compare: two picked traces of the same operation, the added query and the slower calls', async () => {
  await page.goto(`${viewer.url}/#/`);
  await rows().nth(4).waitFor();
  await page.locator(`[data-trace-id="${idOf('apple')}"] [data-testid="pick"]`).check();
  await page.locator(`[data-trace-id="${idOf('slow')}"] [data-testid="pick"]`).check();
  await page.locator('[data-testid="compare"]').click();
  await page.locator('[data-testid="compare-row"]').first().waitFor();
  expect(await page.evaluate(() => location.hash)).toBe(`#/compare?a=${idOf('apple')}&b=${idOf('slow')}`);
  const added = page.locator('[data-testid="compare-row"][data-change="added"]');
  expect(await added.count()).toBe(1);
  expect(await added.textContent()).toContain('stock: db.query');
  expect(await page.locator('[data-testid="compare-row"][data-change="slower"]').count()).toBe(3);
  await screenshot('compare');
});

it('service map: the services and the shop -> stock edge with calls, error rate and latency', async () => {
  // From the list, for its search: errors only leaves the one broken call.
  await page.goto(`${viewer.url}/#/?errors=true`);
  await rows().first().waitFor();
  await page.locator('[data-testid="map-link"]').click();
  await page.locator('[data-testid="map-row"]').waitFor();
  expect((await page.locator('[data-testid="map-row"] td').allTextContents()).slice(0, 4)).toEqual(['shop', 'stock', '1', '100.0%']);
  await page.goto(`${viewer.url}/#/map`);
  await page.locator('[data-testid="map-row"]').waitFor();
  expect(await page.locator('[data-testid="map-node"]').count()).toBe(2);
  expect(await page.locator('[data-testid="map-edge"].has-errors').count()).toBe(1);
  const cells = await page.locator('[data-testid="map-row"] td').allTextContents();
  expect(cells.slice(0, 4)).toEqual(['shop', 'stock', '5', '20.0%']);
  await screenshot('service-map');
});

it('live mode: a new trace appears without a reload, marked new', async () => {
  await page.goto(`${viewer.url}/#/?live=true`);
  await rows().nth(4).waitFor();
  const count = await rows().count();
  const traceId = await shop.buy('kiwi');
  bought.push({ item: 'kiwi', traceId });
  await page.locator(`[data-testid="trace-row"][data-trace-id="${traceId}"].is-new`).waitFor({ timeout: 10_000 });
  expect(await rows().count()).toBe(count + 1);
});

it('a trace of 100,000 spans: drawn virtualized, scrolled to its end, found in', async () => {
  const traceId = 'f'.repeat(32);
  const spans: StoredSpan[] = [];
  for (let i = 0; i < 100_000; i++) {
    const start = 1_000 + i * 0.01;
    spans.push({
      traceId, spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: i === 0 ? null : (Math.floor((i - 1) / 10) + 1).toString(16).padStart(16, '0'),
      name: i === 0 ? 'root' : `child ${i}`, kind: i === 0 ? 'SERVER' : 'INTERNAL', service: `svc${i % 5}`,
      startTime: start, endTime: start + (i === 0 ? 2_000 : 1), durationMs: i === 0 ? 2_000 : 1, attributes: { n: i }, events: [], status: { code: 'UNSET' },
    });
  }
  for (let i = 0; i < spans.length; i += 10_000) viewer.store.add(spans.slice(i, i + 10_000));
  const began = Date.now();
  await page.goto(`${viewer.url}/#/traces/${traceId}`);
  await spanRows().first().waitFor({ timeout: 60_000 });
  const wallMs = Date.now() - began;
  const renderMs = Number(await page.locator('#app').getAttribute('data-render-ms'));
  // Reported in BENCHMARKS.md; the bound is generous for a loaded 2-core machine.
  console.log(`100,000-span trace: first rows after ${wallMs} ms (page's own measure: ${renderMs} ms)`);
  expect(wallMs).toBeLessThan(20_000);
  expect(await spanRows().count()).toBeLessThan(200);
  await page.locator('[data-testid="waterfall-viewport"]').evaluate((element) => {
    element.scrollTop = element.scrollHeight;
  });
  await page.locator('[data-testid="span-row"][data-index="99999"]').waitFor();
  await page.fill('[data-testid="find"]', 'child 77777');
  await page.waitForFunction(() => document.querySelector('[data-testid="find-count"]')?.textContent === '1 match');
  await page.press('[data-testid="find"]', 'Enter');
  await page.locator('.span-row.is-match').waitFor();
  expect(await page.locator('.span-row.is-match').textContent()).toContain('child 77777');
});
