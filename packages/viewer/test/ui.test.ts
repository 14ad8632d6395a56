// The viewer's web UI in a real headless Chromium (Debian's, never a downloaded one), against a
// stub of the viewer's HTTP server that serves the real UI files and the JSON API from fixtures.
// Needs the UI built (`npx tsc -b`, which `npm test` runs first).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { FIXTURE_TRACES, HOSTILE_STATEMENT, STATS, STATS_TRACE_ID, USERS, USERS_TRACE_ID } from './support/ui-fixtures';
import { PACKAGE_DIR, UiStubServer } from './support/ui-stub-server';

jest.setTimeout(60_000);

const ARTIFACTS = join(__dirname, 'artifacts');

let browser: Browser;
let stub: UiStubServer;
let base: string;
let context: BrowserContext;
let page: Page;
let requests: string[];
let problems: string[];
/** Console messages a test expects (Chromium logs every 4xx answer as an error). */
let expectedProblems: RegExp[];

beforeAll(async () => {
  if (!existsSync(join(PACKAGE_DIR, 'dist', 'ui', 'app.js'))) {
    throw new Error('packages/viewer/dist/ui/app.js is missing: build first with `npx tsc -b`.');
  }
  stub = new UiStubServer(FIXTURE_TRACES);
  base = await stub.start();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stub?.stop();
});

beforeEach(async () => {
  requests = [];
  problems = [];
  expectedProblems = [];
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.on('request', (request) => requests.push(request.url()));
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
});

afterEach(async () => {
  await context.close();
  // Nothing left the loopback: no CDN, no web font, no telemetry (data: URLs are not requests
  // on the network, but are allowed here in case Chromium reports the favicon).
  const origin = new URL(base).origin;
  expect(requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)).toEqual([]);
  expect(requests.length).toBeGreaterThan(0);
  expect(problems.filter((problem) => !expectedProblems.some((pattern) => pattern.test(problem)))).toEqual([]);
});

/** Polls until `check` holds (Playwright's auto-waiting `expect` is not in playwright-core). */
async function until(what: string | (() => string), check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function waitForCount(locator: Locator, count: number, what: string): Promise<void> {
  let seen = -1;
  await until(() => `${count} ${what} (saw ${seen})`, async () => (seen = await locator.count()) === count);
}

/** The last `GET /api/traces?...` the UI made. */
const lastListRequest = (): string | undefined => stub.apiRequests.filter((path) => path.startsWith('/api/traces?')).at(-1);

const traceRows = (): Locator => page.getByTestId('trace-row');
const spanRows = (): Locator => page.getByTestId('span-row');
const spanRow = (spanId: string): Locator => page.locator(`[data-testid="span-row"][data-span-id="${spanId}"]`);

async function barBox(spanId: string): Promise<{ x: number; width: number }> {
  const box = await spanRow(spanId).getByTestId('span-bar').boundingBox();
  if (box === null) throw new Error(`the bar of span ${spanId} is not visible`);
  return box;
}

describe('viewer UI', () => {
  test('lists the traces newest first and filters them', async () => {
    await page.goto(`${base}/`);
    await waitForCount(traceRows(), 2, 'trace rows');
    expect(await traceRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-trace-id')))).toEqual([USERS_TRACE_ID, STATS_TRACE_ID]);

    const stats = page.locator(`[data-testid="trace-row"][data-trace-id="${STATS_TRACE_ID}"]`);
    const text = await stats.innerText();
    for (const expected of ['TaskQueue.Stats', 'frontend', '581.2 ms', '7', 'auth', 'queue', 'system', 'render', 'error']) {
      expect(text).toContain(expected);
    }
    expect(await page.locator(`[data-testid="trace-row"][data-trace-id="${USERS_TRACE_ID}"]`).innerText()).not.toContain('error');

    // The service select is filled from /api/services.
    const services = page.locator('select[name="service"] option');
    await waitForCount(services, 8, 'service options');
    expect(await services.allInnerTexts()).toEqual(['All services', 'auth', 'cache', 'frontend', 'queue', 'render', 'system', 'users']);

    await page.getByLabel('Errors only').check();
    await waitForCount(traceRows(), 1, 'trace rows with errors');
    expect(await traceRows().first().getAttribute('data-trace-id')).toBe(STATS_TRACE_ID);
    expect(lastListRequest()).toContain('errors=true');
    expect(page.url()).toContain('errors=true');

    await page.getByLabel('Errors only').uncheck();
    await waitForCount(traceRows(), 2, 'trace rows');
    await page.locator('select[name="service"]').selectOption('users');
    await waitForCount(traceRows(), 1, 'trace rows of the users service');
    expect(lastListRequest()).toContain('service=users');

    await page.locator('select[name="service"]').selectOption('');
    await page.locator('input[name="minDurationMs"]').fill('100');
    await page.locator('input[name="minDurationMs"]').press('Enter');
    await waitForCount(traceRows(), 1, 'trace rows of at least 100 ms');
    expect(await traceRows().first().getAttribute('data-trace-id')).toBe(STATS_TRACE_ID);
    expect(lastListRequest()).toContain('minDurationMs=100');

    await page.locator('input[name="minDurationMs"]').fill('');
    await page.locator('input[name="name"]').fill('users');
    await until('the name filter', async () => lastListRequest()?.includes('name=users') === true);
    await waitForCount(traceRows(), 1, 'trace rows named like users');
    expect(await traceRows().first().getAttribute('data-trace-id')).toBe(USERS_TRACE_ID);

    const before = stub.apiRequests.length;
    await page.getByRole('button', { name: /refresh/i }).click();
    await until('the refresh', async () => stub.apiRequests.length > before);
    expect(stub.apiRequests.slice(before).some((path) => path.startsWith('/api/traces?'))).toBe(true);
  });

  test('opens a trace from the list and draws its waterfall', async () => {
    await page.goto(`${base}/`);
    await waitForCount(traceRows(), 2, 'trace rows');
    await page.getByLabel('Errors only').check();
    await waitForCount(traceRows(), 1, 'trace rows with errors');
    await traceRows().first().click();

    await waitForCount(spanRows(), 7, 'span rows');
    expect(page.url()).toBe(`${base}/#/traces/${STATS_TRACE_ID}`);
    const header = await page.locator('.trace-header').innerText();
    for (const expected of ['TaskQueue.Stats', STATS_TRACE_ID, '581.2 ms', '7', 'frontend', 'auth', 'queue', 'system', 'render']) {
      expect(header).toContain(expected);
    }

    // Depth-first, children by start time; the auth server span sits under the client call.
    expect(await spanRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span-id'))))
      .toEqual([STATS.root, STATS.authCall, STATS.auth, STATS.reportA, STATS.reportB, STATS.system, STATS.render]);
    expect(await spanRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-depth')))).toEqual(['0', '1', '2', '1', '1', '1', '1']);
    expect(await spanRow(STATS.auth).getAttribute('data-depth')).toBe('2');
    expect(await spanRow(STATS.auth).innerText()).toContain('TaskQueue.Auth');

    // Bars: the root spans the whole timeline; sequential calls start further right; widths
    // follow durations; parallel calls overlap.
    const root = await barBox(STATS.root);
    const auth = await barBox(STATS.auth);
    const reportA = await barBox(STATS.reportA);
    const system = await barBox(STATS.system);
    const render = await barBox(STATS.render);
    expect(auth.x).toBeGreaterThan(root.x);
    expect(reportA.x).toBeGreaterThan(auth.x + auth.width - 1);
    expect(render.x).toBeGreaterThan(reportA.x + reportA.width - 1);
    expect(Math.abs(system.x - reportA.x)).toBeLessThan(3);
    expect(render.width / root.width).toBeCloseTo((579.8 - 173.5) / 581.2, 1);
    expect(auth.width / root.width).toBeCloseTo((41.5 - 2.1) / 581.2, 1);
    expect(auth.width).toBeGreaterThanOrEqual(1);

    // The failed render is marked in the waterfall.
    expect(await spanRow(STATS.render).getAttribute('class')).toContain('is-error');
    expect(await spanRow(STATS.render).innerText()).toContain('⚠');
    expect(await spanRow(STATS.reportA).innerText()).not.toContain('⚠');

    // Its details: status, attributes and the exception event with its offset.
    await spanRow(STATS.render).click();
    const details = page.getByTestId('span-details');
    await details.waitFor();
    const detailText = await details.innerText();
    for (const expected of [
      'Graphviz.Render', 'render', 'SERVER', STATS.render, STATS.root, '+173.5 ms', '406.3 ms',
      'ERROR', 'dot exited with code 1',
      'graphviz.format', 'svg', 'graphviz.nodes', '128', 'graphviz.layouts', '["dot", "neato"]',
      'exception', '+577.9 ms', 'exception.type', 'exception.message', 'dot: syntax error in line 3', 'at render (/srv/render/graph.js:41:11)',
    ]) {
      expect(detailText).toContain(expected);
    }
    const event = details.getByTestId('span-event');
    expect(await event.count()).toBe(1);
    expect(await event.innerText()).toContain('exception');
    // The panel opens right under its row.
    const rowBox = await spanRow(STATS.render).boundingBox();
    const detailsBox = await details.boundingBox();
    expect(detailsBox!.y).toBeGreaterThanOrEqual(rowBox!.y + rowBox!.height - 1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'trace.png'), fullPage: true });

    // Another row replaces the panel; clicking the open row closes it.
    await spanRow(STATS.auth).click();
    await until('the auth details', async () => (await details.innerText()).includes('TaskQueue.Auth'));
    expect(await details.count()).toBe(1);
    await spanRow(STATS.auth).click();
    await waitForCount(details, 0, 'details panels');

    // Back returns to the list with its filter.
    await page.goBack();
    await waitForCount(traceRows(), 1, 'trace rows with errors');
    expect(await page.getByLabel('Errors only').isChecked()).toBe(true);
    await page.getByLabel('Errors only').uncheck();
    await waitForCount(traceRows(), 2, 'trace rows');
    await page.screenshot({ path: join(ARTIFACTS, 'traces.png') });
  });

  test('opens a trace by its link, shows spans with a missing parent as roots, and shows user data as text', async () => {
    await page.goto(`${base}/#/traces/${USERS_TRACE_ID}`);
    await waitForCount(spanRows(), 3, 'span rows');
    expect(await spanRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span-id')))).toEqual([USERS.root, USERS.query, USERS.cache]);
    expect(await spanRow(USERS.cache).getAttribute('data-depth')).toBe('0');
    expect(await spanRow(USERS.cache).innerText()).toContain('parent missing');
    expect(await page.locator('.trace-header h1').innerText()).toContain('GET /users/:id');
    expect(await page.locator('.note').innerText()).toContain('1 span has a parent that has not arrived');

    await spanRow(USERS.cache).click();
    expect(await page.getByTestId('span-details').innerText()).toContain(`${USERS.missingParent} (not received)`);

    await spanRow(USERS.query).click();
    const details = page.getByTestId('span-details');
    await until('the query details', async () => (await details.innerText()).includes('db.statement'));
    expect(await details.innerText()).toContain(HOSTILE_STATEMENT);
    expect(await page.locator('#app img').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
  });

  test('says so when a trace is unknown', async () => {
    expectedProblems = [/status of 404/];
    await page.goto(`${base}/#/traces/ffffffffffffffffffffffffffffffff`);
    const banner = page.locator('.banner-error');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('not found');
    await page.getByRole('link', { name: /traces/i }).first().click();
    await waitForCount(traceRows(), 2, 'trace rows');
  });
});
