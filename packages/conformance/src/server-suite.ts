import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode, type ReadableSpan, type Tracer } from '@tracewell/core';
import type { ServerTracingOptions } from '@tracewell/core/instrumentation';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { get, getAndAbort } from './http-client';
import { rawRequest } from './raw-request';

/** A started server of the adapter under test. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Waits for `server` (already told to listen on 127.0.0.1) to listen; `close()` also ends
 * kept-alive connections, so a test's teardown never waits for them.
 */
export async function runningServer(server: Server): Promise<RunningServer> {
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * What each server adapter provides to the suite: an app with these routes, traced by its
 * middleware with `tracer` and `options`, listening on 127.0.0.1 port 0.
 *
 * - `GET /users/:id` → 200 `{ traceId, spanIsCurrent }` after an `await`: the active span's
 *   trace id and whether the framework's span property (`req.span` / `ctx.span`) is it;
 *   also sets attribute `user.id`.
 * - `GET /api/v1/things/:thingId` → 200, a route in a router mounted at `/v1` inside a router
 *   mounted at `/api`.
 * - `GET /throw` → the handler throws `BOOM` synchronously.
 * - `GET /next-error` → the error is passed on the framework's way (`next(err)` in Express,
 *   a rejected downstream in Koa): `PASSED`.
 * - `GET /async-throw` → an async handler rejects with `BOOM`.
 * - errors are answered by the app's own error handling with 500 `{ error, identical }`,
 *   `identical` being whether it received the very object thrown.
 * - `GET /status/:code` → that status, empty body.
 * - `GET /slow` → answers after 3 s (the suite aborts first).
 * - `GET /healthz` → 200 `{ traceId }` of the active span (the suite ignores this path).
 *
 * The optional capability flags below describe what a server without a framework (core's
 * `traceRequestListener` on plain `node:http`) cannot do; left out, every case asserts the
 * framework behaviour, as Express and Koa provide it.
 */
export interface ServerAdapter {
  readonly name: string;
  start(tracer: Tracer, options?: ServerTracingOptions<never, never>): Promise<RunningServer>;
  /** Builds the middleware alone, to check option validation. */
  middleware(options: unknown): unknown;
  /**
   * Whether requests are matched to route templates, routers mounted in routers included: span
   * name `GET /users/:id`, attribute `http.route`. Default true. When false (plain Node has no
   * routes), the cases that read the route check the plain equivalent instead: a span named by
   * the method alone (`GET`) and no `http.route`; the nested-router case is skipped.
   */
  readonly routes?: boolean;
  /**
   * Whether the framework passes an error on other than by throwing (Express `next(err)`, Koa a
   * rejected downstream) and the app serves `GET /next-error` that way. Default true. When
   * false, the `/next-error` case is skipped.
   */
  readonly nextError?: boolean;
  /** The name option errors start with. Default `traceMiddleware`. */
  readonly optionsName?: string;
  /**
   * The Node response of the request object the hooks receive. Default `req.res` (Express's
   * `req.res`, Koa's `ctx.res`); plain Node's `IncomingMessage` has no such property.
   */
  responseOf?(req: unknown): ServerResponse;
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** Waits until the exporter holds `count` spans (they end on 'finish', after the client may already have the body). */
async function spansWhen(exporter: InMemorySpanExporter, count: number): Promise<ReadableSpan[]> {
  for (let i = 0; i < 200 && exporter.getFinishedSpans().length < count; i++) await new Promise((r) => setTimeout(r, 5));
  return exporter.getFinishedSpans();
}

/** The response's Server-Timing field (lines joined with `, `), read with the platform's `fetch`. */
async function serverTimingOf(url: string, headers: Record<string, string> = {}): Promise<{ status: number; serverTiming: string | null; body: unknown }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, serverTiming: res.headers.get('server-timing'), body };
}

/** Runs the server behaviour suite against one adapter (call inside a Jest test file). */
export function runServerConformance(adapter: ServerAdapter): void {
  const routes = adapter.routes !== false;
  const nextError = adapter.nextError !== false;
  const optionsName = adapter.optionsName ?? 'traceMiddleware';
  const responseOf = (req: unknown): ServerResponse => (adapter.responseOf ? adapter.responseOf(req) : (req as { res: ServerResponse }).res);
  /** The span name of a GET matched to `template` (by method alone without routes). */
  const routeName = (template: string) => (routes ? `GET ${template}` : 'GET');
  /** The `http.route` a span must carry (`{}` without routes: checked absent by expectNoRoute). */
  const routeAttribute = (template: string): Record<string, string> => (routes ? { 'http.route': template } : {});
  const expectNoRoute = (span: ReadableSpan) => {
    if (!routes) expect(span.attributes['http.route']).toBeUndefined();
  };
  /** An option error message: `"<optionsName><rest>`, rest being a RegExp's source. */
  const escapedName = optionsName.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  const optionError = (rest: RegExp) => new RegExp(`"${escapedName}${rest.source}`);

  describe(`${adapter.name}: server conformance`, () => {
    let exporter: InMemorySpanExporter;
    let tracer: Tracer;
    let server: RunningServer | undefined;

    const start = async (options?: ServerTracingOptions<never, never>) => {
      server = await adapter.start(tracer, options);
      return server.url;
    };

    beforeEach(() => {
      exporter = new InMemorySpanExporter();
      tracer = createTracer({ serviceName: 'conformance', sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    });
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it(`makes one SERVER span named by ${routes ? 'route template' : 'method (no routes)'}, with the HTTP attributes and no query string`, async () => {
      const url = await start();
      const res = await get(`${url}/users/42?token=secret`, { 'user-agent': 'conformance/1.0' });
      expect(res.status).toBe(200);
      const [span] = await spansWhen(exporter, 1);
      expect(exporter.getFinishedSpans()).toHaveLength(1);
      expect(span!.name).toBe(routeName('/users/:id'));
      expect(span!.kind).toBe(SpanKind.SERVER);
      expect(span!.parentSpanId).toBeUndefined();
      expect(span!.status.code).toBe(SpanStatusCode.UNSET);
      const port = Number(new URL(url).port);
      expect(span!.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.path': '/users/42',
        'url.scheme': 'http',
        ...routeAttribute('/users/:id'),
        'http.response.status_code': 200,
        'server.address': '127.0.0.1',
        'server.port': port,
        'user_agent.original': 'conformance/1.0',
        'network.protocol.version': '1.1',
        'user.id': '42',
      });
      expectNoRoute(span!);
      expect(String(span!.attributes['client.address'])).toMatch(/127\.0\.0\.1/);
      expect(JSON.stringify(span!.attributes)).not.toContain('secret');
    });

    it('records the query string with sensitive values redacted, and chosen headers but never credentials, only when asked', async () => {
      const url = await start({ recordQuery: true, recordHeaders: { request: ['X-Request-Id', 'x-absent'], response: ['Content-Type'] } });
      const query = 'q=red+shoes&token=T0K&X-Amz-Signature=S1G&page=2&api_key=K3Y&Password=P4SS&flag';
      const res = await get(`${url}/users/42?${query}`, { 'x-request-id': 'req-1', authorization: 'Bearer CR3D', cookie: 'sid=CR3D' });
      expect(res.status).toBe(200);
      const [span] = await spansWhen(exporter, 1);
      expect(span!.attributes).toMatchObject({
        'url.path': '/users/42',
        'url.query': 'q=red+shoes&token=REDACTED&X-Amz-Signature=REDACTED&page=2&api_key=REDACTED&Password=REDACTED&flag',
        'http.request.header.x-request-id': ['req-1'],
      });
      expect(String(span!.attributes['http.response.header.content-type'])).toMatch(/^application\/json/);
      expect(Object.keys(span!.attributes).filter((key) => key.includes('header'))).toEqual(['http.request.header.x-request-id', 'http.response.header.content-type']);
      expect(JSON.stringify(span!.attributes)).not.toMatch(/T0K|S1G|K3Y|P4SS|CR3D/);
    });

    (routes ? it : it.skip)('names routes inside mounted and nested routers with their full template', async () => {
      const url = await start();
      expect((await get(`${url}/api/v1/things/7`)).status).toBe(200);
      const [span] = await spansWhen(exporter, 1);
      expect(span!.name).toBe('GET /api/v1/things/:thingId');
      expect(span!.attributes['http.route']).toBe('/api/v1/things/:thingId');
    });

    it('names unmatched requests by method only (never the raw URL) and keeps 404 unset', async () => {
      const url = await start();
      expect((await get(`${url}/no/such/path/123`)).status).toBe(404);
      const [span] = await spansWhen(exporter, 1);
      expect(span!.name).toBe('GET');
      expect(span!.attributes['http.route']).toBeUndefined();
      expect(span!.attributes['http.response.status_code']).toBe(404);
      expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    });

    it.each([
      ['tracecontext', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }],
      ['cloud-trace', { 'x-cloud-trace-context': `${TRACE_ID}/${BigInt(`0x${SPAN_ID}`)};o=1` }],
      ['b3', { b3: `${TRACE_ID}-${SPAN_ID}-1` }],
      ['b3multi', { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-sampled': '1' }],
      // Header names reach the server in the sender's case (the raw form is what is checked first).
      ['tracecontext, spelled TraceParent', { TraceParent: `00-${TRACE_ID}-${SPAN_ID}-01`, Connection: 'close' }],
      ['b3multi, spelled X-B3-TraceId', { 'X-B3-TraceId': TRACE_ID, 'X-B3-SpanId': SPAN_ID, 'X-B3-Sampled': '1' }],
    ])('continues a trace from %s headers, and the span is current in the handler', async (_format, headers) => {
      const url = await start();
      const res = await get(`${url}/users/1`, headers);
      expect(res.body).toEqual({ traceId: TRACE_ID, spanIsCurrent: true });
      const [span] = await spansWhen(exporter, 1);
      expect(span!.traceId).toBe(TRACE_ID);
      expect(span!.parentSpanId).toBe(SPAN_ID);
      expect(span!.parentIsRemote).toBe(true);
    });

    it('starts a new trace for malformed headers, and serves the request', async () => {
      const url = await start();
      const res = await get(`${url}/users/1`, { traceparent: `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`, b3: 'garbage', 'x-cloud-trace-context': 'x/y;o=1' });
      expect(res.status).toBe(200);
      const [span] = await spansWhen(exporter, 1);
      expect(span!.traceId).not.toBe(TRACE_ID);
      expect(span!.parentSpanId).toBeUndefined();
      expect((res.body as { traceId: string }).traceId).toBe(span!.traceId);
    });

    it('records nothing for an unsampled caller but keeps its trace active', async () => {
      const url = await start();
      const res = await get(`${url}/users/1`, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` });
      expect(res.body).toEqual({ traceId: TRACE_ID, spanIsCurrent: true });
      await new Promise((r) => setTimeout(r, 20));
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    });

    const errorCases: Array<[string, string]> = [
      ['/throw', 'BOOM'],
      ...(nextError ? [['/next-error', 'PASSED'] as [string, string]] : []),
      ['/async-throw', 'BOOM'],
    ];
    if (!nextError) it.skip('/next-error: no framework way to pass an error on, other than a throw', () => undefined);
    it.each(errorCases)('%s: records the exception, sets ERROR, and the app gets the very same error', async (path, message) => {
      const url = await start();
      const res = await get(`${url}${path}`);
      expect(res).toEqual({ status: 500, body: { error: message, identical: true } });
      const [span] = await spansWhen(exporter, 1);
      expect(span!.status.code).toBe(SpanStatusCode.ERROR);
      expect(span!.attributes['http.response.status_code']).toBe(500);
      const exception = span!.events.find((e) => e.name === 'exception');
      expect(exception?.attributes['exception.message']).toBe(message);
      expect(exception?.attributes['exception.type']).toBe('Error');
      expect(String(exception?.attributes['exception.stacktrace'])).toContain(`Error: ${message}`);
      expect(span!.events.filter((e) => e.name === 'exception')).toHaveLength(1);
    });

    it.each([
      [500, SpanStatusCode.ERROR],
      [503, SpanStatusCode.ERROR],
      [400, SpanStatusCode.UNSET],
      [302, SpanStatusCode.UNSET],
    ])('a %i response sets status %i', async (code, status) => {
      const url = await start();
      expect((await get(`${url}/status/${code}`)).status).toBe(code);
      const [span] = await spansWhen(exporter, 1);
      expect(span!.status.code).toBe(status);
      expect(span!.name).toBe(routeName('/status/:code'));
      expectNoRoute(span!);
    });

    it('ends the span once when the client aborts, recorded as aborted', async () => {
      const url = await start();
      await getAndAbort(`${url}/slow`, 50);
      const spans = await spansWhen(exporter, 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(exporter.getFinishedSpans()).toHaveLength(1);
      expect(spans[0]!.attributes['error.type']).toBe('aborted');
      expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
      expect(spans[0]!.attributes['http.response.status_code']).toBeUndefined();
    });

    it('ignored paths get no span, but the caller\'s context stays active', async () => {
      const url = await start({ ignore: ['/healthz', /^\/never/] });
      const res = await get(`${url}/healthz`, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
      expect(res.body).toEqual({ traceId: TRACE_ID });
      await get(`${url}/users/1`);
      const spans = await spansWhen(exporter, 1);
      expect(spans.map((s) => s.name)).toEqual([routeName('/users/:id')]);
      expect(spans.map((s) => s.attributes['url.path'])).toEqual(['/users/1']);
    });

    // Absolute-form targets (RFC 9112 §3.2.2) reach the app as written, credentials included.
    describe('absolute-form request targets', () => {
      const hostOf = (url: string) => new URL(url).host;

      it('url.path is the target\'s path; no userinfo or query is recorded; the address comes from the target, not Host', async () => {
        const url = await start();
        const status = await rawRequest(url, 'GET http://user:pass@example.test:8081/x?token=T0K HTTP/1.1', { host: hostOf(url) });
        expect(status).toBe(404);
        const [span] = await spansWhen(exporter, 1);
        expect(span!.name).toBe('GET');
        expect(span!.attributes).toMatchObject({ 'url.path': '/x', 'server.address': 'example.test', 'server.port': 8081, 'http.response.status_code': 404 });
        expect(span!.attributes['url.query']).toBeUndefined();
        expect(JSON.stringify(span!.attributes)).not.toMatch(/user|pass|token|T0K/i);
      });

      it('routes and names the span as for origin-form, and recordQuery records the redacted query', async () => {
        const url = await start({ recordQuery: true });
        const status = await rawRequest(url, `GET http://user:pass@${hostOf(url)}/users/42?q=shoes&token=T0K&api_key=K3Y HTTP/1.1`, { host: 'elsewhere.test' });
        expect(status).toBe(200);
        const [span] = await spansWhen(exporter, 1);
        expect(span!.name).toBe(routeName('/users/:id'));
        expectNoRoute(span!);
        expect(span!.attributes).toMatchObject({
          'url.path': '/users/42',
          'url.query': 'q=shoes&token=REDACTED&api_key=REDACTED',
          'server.address': '127.0.0.1',
          'server.port': Number(new URL(url).port),
        });
        expect(JSON.stringify(span!.attributes)).not.toMatch(/pass|T0K|K3Y|elsewhere/);
      });

      it('ignore path rules match the target\'s path', async () => {
        const url = await start({ ignore: ['/healthz'] });
        expect(await rawRequest(url, `GET http://${hostOf(url)}/healthz HTTP/1.1`, { host: hostOf(url) })).toBe(200);
        expect(await rawRequest(url, `GET http://u:p@${hostOf(url)}/healthz?probe=1 HTTP/1.1`, { host: hostOf(url) })).toBe(200);
        expect(await rawRequest(url, `GET http://${hostOf(url)}/users/1 HTTP/1.1`, { host: hostOf(url) })).toBe(200);
        const spans = await spansWhen(exporter, 1);
        await new Promise((r) => setTimeout(r, 20));
        expect(spans.map((s) => s.name)).toEqual([routeName('/users/:id')]);
        expect(spans.map((s) => s.attributes['url.path'])).toEqual(['/users/1']);
      });
    });

    it('applies spanName, requestHook and responseHook, and survives hooks that throw', async () => {
      const url = await start({
        spanName: () => 'custom name',
        requestHook: (span) => {
          span.setAttribute('hook.request', true);
          throw new Error('hook bug');
        },
        responseHook: (span) => {
          span.setAttribute('hook.response', true);
          throw new Error('hook bug');
        },
      });
      expect((await get(`${url}/users/5`)).status).toBe(200);
      const [span] = await spansWhen(exporter, 1);
      expect(span!.name).toBe('custom name');
      expect(span!.attributes).toMatchObject({ 'hook.request': true, 'hook.response': true, ...routeAttribute('/users/:id') });
      expectNoRoute(span!);
    });

    it('flushOnResponse: the request\'s span is exported before the response arrives', async () => {
      const url = await start({ flushOnResponse: true });
      const res = await get(`${url}/users/3`);
      expect(res.status).toBe(200);
      const [span] = exporter.getFinishedSpans(); // no waiting: it must already be there
      expect(span?.name).toBe(routeName('/users/:id'));
      expect(span?.attributes['http.response.status_code']).toBe(200);
    });

    // W3C Trace Context, "Trace Context Server Timing Metric Format": the SERVER span's context.
    describe('serverTiming (W3C trace context response metric)', () => {
      const metric = /^trace;desc=00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

      it('is off by default: no Server-Timing header', async () => {
        const url = await start();
        const res = await serverTimingOf(`${url}/users/1`, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
        expect(res.status).toBe(200);
        expect(res.serverTiming).toBeNull();
      });

      it('names the SERVER span of a sampled request, flags 01', async () => {
        const url = await start({ serverTiming: true });
        const res = await serverTimingOf(`${url}/users/1`, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
        expect(res.status).toBe(200);
        const [span] = await spansWhen(exporter, 1);
        expect(span!.kind).toBe(SpanKind.SERVER);
        expect(span!.parentSpanId).toBe(SPAN_ID);
        expect(res.serverTiming).toBe(`trace;desc=00-${TRACE_ID}-${span!.spanId}-01`);
      });

      it('still identifies an unsampled request, flags 00', async () => {
        const url = await start({ serverTiming: true });
        const res = await serverTimingOf(`${url}/users/1`, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` });
        expect(res.body).toEqual({ traceId: TRACE_ID, spanIsCurrent: true });
        const [, traceId, spanId, flags] = metric.exec(res.serverTiming ?? '') ?? [];
        expect([traceId, flags]).toEqual([TRACE_ID, '00']);
        expect(spanId).not.toBe(SPAN_ID); // the server's own span, not the caller's
        expect(spanId).not.toBe('0000000000000000');
        await new Promise((r) => setTimeout(r, 20));
        expect(exporter.getFinishedSpans()).toHaveLength(0);
      });

      it('a trace the server starts carries the random-trace-id flag too, as in traceparent (03)', async () => {
        const url = await start({ serverTiming: true });
        const res = await serverTimingOf(`${url}/users/1`);
        const [span] = await spansWhen(exporter, 1);
        expect(res.serverTiming).toBe(`trace;desc=00-${span!.traceId}-${span!.spanId}-03`);
      });

      it('keeps a metric the app sets after the span started (replacing the field), and is on error responses', async () => {
        // requestHook runs after the span's start, like a handler: it replaces the whole field.
        const url = await start({
          serverTiming: true,
          requestHook: (_span, req) => responseOf(req).setHeader('Server-Timing', 'app;dur=1.5;desc="cache miss"'),
        });
        const ok = await serverTimingOf(`${url}/users/1`);
        const failed = await serverTimingOf(`${url}/throw`);
        const spans = await spansWhen(exporter, 2);
        // Found by path (without routes both are named `GET`), then checked by name.
        const idOf = (path: string, name: string) => {
          const span = spans.find((s) => s.attributes['url.path'] === path)!;
          expect(span.name).toBe(name);
          return span;
        };
        const users = idOf('/users/1', routeName('/users/:id'));
        const thrown = idOf('/throw', routeName('/throw'));
        expect(ok.serverTiming).toBe(`app;dur=1.5;desc="cache miss", trace;desc=00-${users.traceId}-${users.spanId}-03`);
        expect(failed.status).toBe(500);
        expect(failed.serverTiming).toBe(`app;dur=1.5;desc="cache miss", trace;desc=00-${thrown.traceId}-${thrown.spanId}-03`);
      });

      it('never for ignored paths (no span)', async () => {
        const url = await start({ serverTiming: true, ignore: ['/healthz'] });
        const res = await serverTimingOf(`${url}/healthz`, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
        expect(res.body).toEqual({ traceId: TRACE_ID });
        expect(res.serverTiming).toBeNull();
      });
    });

    it('keeps 200 concurrent requests apart', async () => {
      const url = await start();
      const ids = Array.from({ length: 200 }, (_, i) => (i + 1).toString(16).padStart(32, '0'));
      const responses = await Promise.all(ids.map((id) => get(`${url}/users/${id}`, { traceparent: `00-${id}-${SPAN_ID}-01` })));
      responses.forEach((res, i) => expect(res.body).toEqual({ traceId: ids[i], spanIsCurrent: true }));
      const spans = await spansWhen(exporter, 200);
      expect(spans).toHaveLength(200);
      for (const span of spans) expect(span.attributes['url.path']).toBe(`/users/${span.traceId}`);
    });

    it.each([
      [{ ignore: 42 }, optionError(/.ignore": expected a path string, a RegExp/)],
      [{ spanName: 'x' }, optionError(/.spanName": expected a function/)],
      [{ tracer: {} }, optionError(/.tracer": expected a Tracer/)],
      [{ recordQuery: 'yes' }, optionError(/.recordQuery": expected true or false/)],
      [{ serverTiming: 'yes' }, optionError(/.serverTiming": expected true or false, got "yes"/)],
      [{ serverTiming: 1 }, optionError(/.serverTiming": expected true or false, got 1/)],
      [{ redactQueryParams: ['token', 7] }, optionError(/.redactQueryParams\[1\]": expected a parameter name/)],
      [{ recordHeaders: { request: ['Authorization'] } }, optionError(/.recordHeaders.request\[0\]": expected a header name other than authorization, proxy-authorization, cookie, set-cookie/)],
      [{ recordHeaders: { response: ['Set-Cookie'] } }, optionError(/.recordHeaders.response\[0\]"/)],
      [{ recordHeaders: { requests: ['x-id'] } }, optionError(/.recordHeaders.requests": expected request or response/)],
      [{ recordHeaders: { request: ['bad name'] } }, optionError(/.recordHeaders.request\[0\]": expected a header name/)],
    ])('rejects invalid options at construction: %p', (options, message) => {
      expect(() => adapter.middleware(options)).toThrow(message);
    });
  });
}
