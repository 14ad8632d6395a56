import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { startViewer, type RunningViewer } from '../src';
import { otlpJson } from './support/otlp-bodies';

const SPAN = otlpJson('intruder', [{ traceId: 'f'.repeat(32), spanId: '1'.repeat(16), name: 'written by a web page', attributes: [] }]);

/** A raw request, so the test sets Host and Origin as any client could. */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: headers.host === undefined }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A web page server: the attacker's site, or any other origin. */
async function pageServer(port = 0): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title><body>hello</body>'));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** The page's DOM, typed just enough for the script below (tests compile without the DOM lib). */
interface PageElement {
  name: string;
  method: string;
  enctype: string;
  action: string;
  target: string;
  value: string;
  append(child: PageElement): void;
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
  submit(): void;
}
interface PageGlobals {
  document: { createElement(tag: string): PageElement; body: PageElement };
  navigator: { sendBeacon(url: string, data: string): boolean };
}

/** What a page on another origin can do to the viewer at `base`: each attempt's outcome. */
async function attack(page: Page, base: string, span: string): Promise<Record<string, string>> {
  return page.evaluate(
    async ({ base, span }) => {
      const { document, navigator } = globalThis as unknown as PageGlobals;
      const outcome = async (run: () => Promise<string>): Promise<string> => {
        try {
          return await run();
        } catch (error) {
          return `blocked: ${(error as Error).name}`;
        }
      };
      const results: Record<string, string> = {};
      results.read = await outcome(async () => (await fetch(`${base}/api/traces`)).text());
      results.readServices = await outcome(async () => (await fetch(`${base}/api/services`)).text());
      results.postJson = await outcome(async () => String((await fetch(`${base}/v1/traces`, { method: 'POST', body: span, headers: { 'content-type': 'application/json' } })).status));
      results.postSimple = await outcome(async () => (await fetch(`${base}/v1/traces`, { method: 'POST', body: span, mode: 'no-cors', headers: { 'content-type': 'text/plain' } })).type);
      results.postZipkinSimple = await outcome(async () => (await fetch(`${base}/api/v2/spans`, { method: 'POST', body: '[]', mode: 'no-cors' })).type);
      results.beacon = String(navigator.sendBeacon(`${base}/v1/traces`, span));
      // A form post (text/plain), the oldest cross-site write.
      const frame = document.createElement('iframe');
      frame.name = 'sink';
      document.body.append(frame);
      const form = document.createElement('form');
      form.method = 'POST';
      form.enctype = 'text/plain';
      form.action = `${base}/v1/traces`;
      form.target = 'sink';
      const input = document.createElement('input');
      input.name = span;
      input.value = '';
      form.append(input);
      document.body.append(form);
      const loaded = new Promise<void>((resolve) => frame.addEventListener('load', () => resolve(), { once: true }));
      form.submit();
      await Promise.race([loaded, new Promise((resolve) => setTimeout(resolve, 2000))]);
      results.form = 'submitted';
      return results;
    },
    { base, span },
  );
}

describe('the viewer refuses other web pages', () => {
  let viewer: RunningViewer;
  afterEach(() => viewer?.close());

  it('refuses a Host that is not this machine (DNS rebinding), and serves localhost names', async () => {
    viewer = await startViewer({ port: 0, log: () => undefined });
    for (const host of ['evil.example', `evil.example:${viewer.port}`, `127.0.0.1.evil.example:${viewer.port}`, 'localhost.evil.example']) {
      const res = await raw(viewer.port, 'GET', '/api/traces', { host });
      expect([host, res.status]).toEqual([host, 403]);
      expect(res.text).not.toContain('traces"');
    }
    expect((await raw(viewer.port, 'POST', '/v1/traces', { host: `evil.example:${viewer.port}`, 'content-type': 'application/json' }, SPAN)).status).toBe(403);
    for (const host of [`localhost:${viewer.port}`, `LOCALHOST.:${viewer.port}`, `app.localhost:${viewer.port}`, `127.0.0.1:${viewer.port}`, `127.0.0.2`, `[::1]:${viewer.port}`]) {
      expect([host, (await raw(viewer.port, 'GET', '/api/traces', { host })).status]).toEqual([host, 200]);
    }
    expect(viewer.store.size).toBe(0);
    expect(viewer.stats().refused.host).toBe(5);
  });

  it('answers no Origin but its own and the allowed ones, and sends CORS headers only to those', async () => {
    viewer = await startViewer({ port: 0, allowOrigins: ['http://localhost:3000'], log: () => undefined });
    const host = `127.0.0.1:${viewer.port}`;
    const other = await raw(viewer.port, 'GET', '/api/traces', { host, origin: 'http://evil.example' });
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect((await raw(viewer.port, 'OPTIONS', '/v1/traces', { host, origin: 'http://evil.example', 'access-control-request-method': 'POST' })).status).toBe(403);
    const own = await raw(viewer.port, 'GET', '/api/traces', { host, origin: `http://${host}` });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await raw(viewer.port, 'GET', '/api/traces', { host, origin: 'http://localhost:3000' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const preflight = await raw(viewer.port, 'OPTIONS', '/v1/traces', { host, origin: 'http://localhost:3000', 'access-control-request-method': 'POST' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('content-type');
    // No Origin at all: an exporter, not a browser page.
    expect((await raw(viewer.port, 'GET', '/api/traces', { host })).headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each([
    ['text/plain', '/v1/traces'],
    ['application/x-www-form-urlencoded', '/v1/traces'],
    ['multipart/form-data; boundary=x', '/v1/traces'],
    [undefined, '/v1/traces'],
    ['application/x-protobuf', '/api/v2/spans'],
  ])('receivers refuse Content-Type %p on %s with 415', async (type, path) => {
    viewer = await startViewer({ port: 0, log: () => undefined });
    const res = await raw(viewer.port, 'POST', path, type === undefined ? {} : { 'content-type': type }, SPAN);
    expect(res.status).toBe(415);
    expect(res.text).toMatch(/expected Content-Type application\//);
    expect(viewer.store.size).toBe(0);
  });

  it('accepts the media types with parameters, in any case', async () => {
    viewer = await startViewer({ port: 0, log: () => undefined });
    expect((await raw(viewer.port, 'POST', '/v1/traces', { 'content-type': 'Application/JSON; charset=utf-8' }, SPAN)).status).toBe(200);
    expect(viewer.store.size).toBe(1);
  });

  it.each([
    [{ allowOrigins: 'http://x' }, /allowOrigins: expected an array of origins/],
    [{ allowOrigins: ['http://x/path'] }, /allowOrigins: expected an origin such as http:\/\/localhost:3000/],
    [{ allowOrigins: ['localhost:3000'] }, /allowOrigins: expected an origin/],
    [{ port: 70000 }, /port: expected an integer from 0 to 65535/],
    [{ maxSpans: 0 }, /maxSpans: expected an integer >= 1/],
  ])('rejects %p at start', async (options, message) => {
    await expect(startViewer({ log: () => undefined, ...(options as object) })).rejects.toThrow(message);
  });
});

describe('in a real browser, a page from another origin', () => {
  let browser: Browser;
  const servers: Server[] = [];
  let viewer: RunningViewer | undefined;
  beforeAll(async () => {
    // evil.test and rebind.test are the attacker's names; both resolve to this machine, as a
    // rebinding DNS server would make them.
    browser = await launchChromium(['--host-resolver-rules=MAP evil.test 127.0.0.1, MAP rebind.test 127.0.0.1']);
  });
  afterAll(() => browser?.close());
  afterEach(async () => {
    await viewer?.close();
    viewer = undefined;
    await Promise.all(servers.splice(0).map(close));
  });

  it('can neither read the API nor post spans, by fetch, beacon or form', async () => {
    viewer = await startViewer({ port: 0, log: () => undefined });
    const site = await pageServer();
    servers.push(site);
    const page = await browser.newPage();
    try {
      await page.goto(`http://evil.test:${portOf(site)}/`);
      for (const base of [viewer.url, `http://localhost:${viewer.port}`]) {
        const results = await attack(page, base, SPAN);
        expect(results.read).toMatch(/^blocked/);
        expect(results.readServices).toMatch(/^blocked/);
        expect(results.postJson).toMatch(/^blocked/); // its preflight was refused
        expect(results.postSimple).toBe('opaque'); // sent, but refused by the viewer (below)
      }
      await new Promise((r) => setTimeout(r, 200)); // let the beacons arrive
      expect(viewer.store.size).toBe(0);
      expect(viewer.store.services()).toEqual([]);
      expect(viewer.stats().refused.origin).toBeGreaterThanOrEqual(10);
      expect(viewer.stats().received.requests).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('can read and post once its origin is allowed (so the test above can tell)', async () => {
    const site = await pageServer();
    servers.push(site);
    viewer = await startViewer({ port: 0, allowOrigins: [`http://evil.test:${portOf(site)}`], log: () => undefined });
    const page = await browser.newPage();
    try {
      await page.goto(`http://evil.test:${portOf(site)}/`);
      const results = await attack(page, viewer.url, SPAN);
      expect(JSON.parse(results.read!)).toHaveProperty('traces');
      expect(results.postJson).toBe('200');
      expect(viewer.store.services()).toEqual(['intruder']);
    } finally {
      await page.close();
    }
  });

  it('after DNS rebinding, its same-origin requests reach the viewer and are refused', async () => {
    // The attacker's page is served from rebind.test:PORT; then the name "rebinds" to the
    // viewer, listening on that same port, so the page's requests are same-origin and CORS
    // does not apply. Only the Host check stands in the way.
    const site = await pageServer();
    const port = portOf(site);
    const page = await browser.newPage();
    try {
      await page.goto(`http://rebind.test:${port}/`);
      await close(site);
      viewer = await startViewer({ port, log: () => undefined });
      viewer.store.add([{ traceId: 'e'.repeat(32), spanId: '2'.repeat(16), parentSpanId: null, name: 'secret', kind: 'SERVER', service: 'private', startTime: 1, endTime: 2, durationMs: 1, attributes: {}, events: [], status: { code: 'UNSET' } }]);
      const outcome = await page.evaluate(async () => {
        const res = await fetch('/api/traces');
        const post = await fetch('/v1/traces', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
        return { status: res.status, body: await res.text(), post: post.status };
      });
      expect(outcome.status).toBe(403);
      expect(outcome.body).not.toContain('secret');
      expect(outcome.post).toBe(403);
      // The viewer's own page, by a localhost name, still works in the same browser.
      const own = await browser.newPage();
      try {
        await own.goto(`http://localhost:${port}/`);
        await own.locator('[data-testid="trace-row"]').first().waitFor();
        expect(await own.locator('[data-testid="trace-row"]').count()).toBe(1);
      } finally {
        await own.close();
      }
    } finally {
      await page.close();
    }
  });
});
