import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode, suppressTracing, type ReadableSpan, type Span, type Tracer } from '@tracewell/core';
import type { ClientTracingOptions } from '@tracewell/core/instrumentation';

/** What a call of the suite asks of the client, besides its URL. */
export interface ClientGetInit {
  /** Request headers, names as given (the suite sets some in mixed case on purpose). */
  headers?: Record<string, string>;
  /**
   * A client-side deadline in ms, with the client's own mechanism (`AbortSignal.timeout` for
   * fetch and undici, the `timeout` option plus `destroy()` for node:http, `timeout` for
   * axios): once it passes the call rejects.
   */
  timeoutMs?: number;
  /** Aborts the call when aborted (the suite aborts mid-request); the call rejects. */
  signal?: AbortSignal;
}

/** The outcome of a call that got a response: its status and its whole body as text. */
export interface ClientGetResult {
  status: number;
  body: string;
}

/** A client set up by {@link ClientAdapter.setUp}: traced, or untraced when set up without options. */
export interface ConformanceClient {
  /**
   * GET `url` (absolute, `http:`), in the caller's async context (the suite calls it inside
   * active spans, `suppressTracing`, ...). Resolves once the body has been read, for every
   * HTTP status (an adapter whose client rejects 4xx/5xx, like axios, resolves with the
   * status it carried); rejects on a network error, a timeout or an abort.
   */
  get(url: string, init?: ClientGetInit): Promise<ClientGetResult>;
  /** Turns the tracing off (if any) and releases what setUp made (pools, agents). Called once. */
  tearDown(): Promise<void>;
}

/** The tracing options a traced client is set up with: the client options of `@tracewell/core/instrumentation`, tracer included. */
export type ClientConformanceOptions = ClientTracingOptions & { tracer: Tracer };

/**
 * One HTTP client, and the one place that knows how to call it and how to trace it, for
 * {@link runClientConformance}.
 *
 * @example
 * runClientConformance({
 *   name: 'global fetch',
 *   followsRedirects: true,
 *   acceptsUserinfo: false,
 *   async setUp(tracing) {
 *     const off = tracing === undefined ? () => undefined : traceHttpClients(tracing);
 *     return {
 *       async get(url, init = {}) {
 *         const signals = [init.signal, init.timeoutMs === undefined ? undefined : AbortSignal.timeout(init.timeoutMs)].filter((s) => s !== undefined);
 *         const res = await fetch(url, { headers: init.headers, signal: signals.length ? AbortSignal.any(signals) : undefined });
 *         return { status: res.status, body: await res.text() };
 *       },
 *       tearDown: async () => off(),
 *     };
 *   },
 * });
 */
export interface ClientAdapter {
  /** Shown in the test names, e.g. `global fetch`, `http.get`, `axios (traceAxios)`. */
  readonly name: string;
  /**
   * True when the client follows redirects by itself (fetch, axios). When false (http.get,
   * undici's `request`), the redirect case is skipped, and reported as skipped; `propagateTo`
   * is then held to the direct call to a host outside the list only.
   */
  readonly followsRedirects: boolean;
  /**
   * True when the client sends a URL with a user name and password (`http://u:p@host/`);
   * fetch refuses to, and the case checking that `url.full` drops them is skipped.
   */
  readonly acceptsUserinfo: boolean;
  /**
   * Set, with the reason, when the abort case is known not to hold for this client yet: it is
   * then reported as skipped, with the reason in its name. Unset for every client but one.
   */
  readonly abortCaseOpen?: string;
  /**
   * Makes the client. With `tracing`, traced with those options (`traceHttpClients(tracing)`,
   * `traceAxios(instance, tracing)`); without, the same client with no instrumentation at all,
   * the suite's baseline for "what an untraced client sends". The suite never has two clients
   * set up at once (process-wide instrumentations can be on only once), and tears each down.
   */
  setUp(tracing: ClientConformanceOptions | undefined): Promise<ConformanceClient>;
}

/** A request one of the suite's servers received. */
interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Every header line as sent, `name: value` with the name in lowercase, sorted: repeats and all. */
  readonly lines: readonly string[];
}

/** A recording loopback server: what it answers is in {@link target}. */
interface Target {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  /** Resolves once `count` requests have arrived in all. */
  arrived(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real server on `host` port 0 that records every request's headers. `/status/N` answers N;
 * `/hang` never answers; `/redirect?to=URL` answers 302 to URL; anything else 200 with a JSON
 * body (`content-type: application/json`).
 */
async function target(host = '127.0.0.1'): Promise<Target> {
  const received: Received[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((req, res) => {
    const lines: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]!.toLowerCase()}: ${req.rawHeaders[i + 1]}`);
    const url = new URL(req.url ?? '/', 'http://x');
    received.push({ path: url.pathname, headers: req.headers, lines: lines.sort() });
    for (const waiter of waiters.filter((w) => received.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (url.pathname === '/hang') return;
    if (url.pathname === '/redirect') return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    res.writeHead(status ? Number(status[1]) : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: url.pathname }));
  });
  // With 'localhost', listen() binds the address localhost resolves to first, the same
  // resolver and order the clients use, so `http://localhost:port` reaches it either way.
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    received,
    arrived: (count) => (received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The headers of every propagation format Tracewell has (an all-format tracer's injection). */
const TRACE_HEADERS = ['traceparent', 'tracestate', 'x-cloud-trace-context', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags'];

const CALLER_TRACEPARENT = '00-11111111111111111111111111111111-2222222222222222-01';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One line per span, for counting: a wrong count then says which calls were there. */
function calls(spans: ReadonlyArray<ReadableSpan>): string[] {
  return spans.map((s) => `${s.name} ${String(s.attributes['url.full'] ?? '')} ${String(s.attributes['http.response.status_code'] ?? s.attributes['error.type'] ?? '')}`.trim());
}

function traceparentOf(span: ReadableSpan): RegExp {
  return new RegExp(`^00-${span.traceId}-${span.spanId}-[0-9a-f]{2}$`);
}

/** The span id a received traceparent names, and its sampled flag. */
function parsedTraceparent(value: unknown): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const match = typeof value === 'string' ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value) : null;
  return match === null ? undefined : { traceId: match[1]!, spanId: match[2]!, sampled: (parseInt(match[3]!, 16) & 1) === 1 };
}

/**
 * Runs the client behaviour suite against one client (call inside a Jest test file). Every
 * case uses real loopback servers and a tracer with an in-memory exporter (sampler
 * `parentbased_always_on`); the semantics are core's `ClientTracing`, whichever layer (axios
 * interceptors, diagnostics channels) applies them.
 */
export function runClientConformance(adapter: ClientAdapter): void {
  describe(`${adapter.name}: client conformance`, () => {
    let exporter: InMemorySpanExporter;
    let tracer: Tracer;
    let a: Target; // 127.0.0.1: allowed by the propagateTo cases
    let b: Target; // localhost: not allowed
    let c: Target; // 127.0.0.1, a second allowed server
    let current: ConformanceClient | undefined;

    const newTracer = (options: { propagators?: Array<'tracecontext' | 'cloud-trace' | 'b3' | 'b3multi'> } = {}) =>
      createTracer({ serviceName: 'client-conformance', sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)], ...options });

    /** Sets up the client (traced with `options` on `tracer` unless `untraced`), torn down after the case at the latest. */
    const open = async (options: ClientTracingOptions | 'untraced' = {}, on: Tracer = tracer): Promise<ConformanceClient> => {
      await close();
      current = await adapter.setUp(options === 'untraced' ? undefined : { ...options, tracer: on });
      return current;
    };
    const close = async (): Promise<void> => {
      const client = current;
      current = undefined;
      await client?.tearDown();
    };

    /** Waits until every recording span of `on` has ended, then a little more, so a late second end would show. */
    const settled = async (on: Tracer = tracer): Promise<void> => {
      for (let i = 0; i < 400; i++) {
        const stats = on.stats();
        if (stats.spansEnded >= stats.spansSampled) break;
        await sleep(5);
      }
      await sleep(20);
    };
    const clientSpans = () => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
    /** Every span started was recorded, ended, and exported exactly once. */
    const expectEachEndedOnce = (on: Tracer = tracer): void => {
      const stats = on.stats();
      expect(stats.spansStarted).toBe(stats.spansEnded);
      const spans = exporter.getFinishedSpans();
      expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    };

    beforeEach(async () => {
      exporter = new InMemorySpanExporter();
      tracer = newTracer();
      [a, b, c] = await Promise.all([target(), target('localhost'), target()]);
    });
    afterEach(async () => {
      await close();
      await Promise.all([a, b, c].map((t) => t.close()));
    });

    describe('parent', () => {
      it('a call inside an active span is a CLIENT span, its child, in the same trace', async () => {
        const client = await open();
        const parent = await tracer.startActiveSpan('caller', async (span) => {
          const res = await client.get(`${a.url}/users/1`);
          expect(res.status).toBe(200);
          return span;
        });
        await settled();
        const spans = clientSpans();
        expect(calls(spans)).toHaveLength(1);
        expect(spans[0]!.kind).toBe(SpanKind.CLIENT);
        expect(spans[0]!.traceId).toBe(parent.spanContext().traceId);
        expect(spans[0]!.parentSpanId).toBe(parent.spanContext().spanId);
        expectEachEndedOnce();
      });

      it('a call outside any span is the root of a new trace', async () => {
        const client = await open();
        await client.get(`${a.url}/users/1`);
        await client.get(`${a.url}/users/2`);
        await settled();
        const spans = clientSpans();
        expect(calls(spans)).toHaveLength(2);
        for (const span of spans) expect(span.parentSpanId).toBeUndefined();
        expect(spans[0]!.traceId).not.toBe(spans[1]!.traceId);
        expectEachEndedOnce();
      });
    });

    describe('name and attributes', () => {
      it('is named by the method, with method, url.full (no query), server.address, server.port and the status', async () => {
        const client = await open();
        const res = await client.get(`${a.url}/users/42?token=secret&q=1`);
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toEqual({ path: '/users/42' });
        await settled();
        const [span] = clientSpans();
        expect(span!.name).toBe('GET');
        expect(span!.attributes).toEqual({
          'http.request.method': 'GET',
          'url.full': `${a.url}/users/42`,
          'server.address': '127.0.0.1',
          'server.port': a.port,
          'http.response.status_code': 200,
        });
        expect(JSON.stringify(span!.attributes)).not.toContain('secret');
      });

      (adapter.acceptsUserinfo ? it : it.skip)('records url.full without the user name and password', async () => {
        const client = await open();
        await client.get(`http://user:pass@127.0.0.1:${a.port}/private`);
        await settled();
        const [span] = clientSpans();
        expect(span!.attributes['url.full']).toBe(`${a.url}/private`);
        expect(JSON.stringify(span!.attributes)).not.toMatch(/user|pass/);
      });
    });

    describe('trace headers', () => {
      it('the server receives traceparent 00-<trace id>-<client span id>-<flags>, sampled', async () => {
        const client = await open();
        await tracer.startActiveSpan('caller', () => client.get(`${a.url}/x`));
        await settled();
        const [span] = clientSpans();
        const sent = a.received[0]!.headers.traceparent;
        expect(sent).toMatch(traceparentOf(span!));
        expect(parsedTraceparent(sent)!.sampled).toBe(true);
      });

      it('leaves a traceparent the caller set alone', async () => {
        const client = await open();
        await tracer.startActiveSpan('caller', () => client.get(`${a.url}/x`, { headers: { TraceParent: CALLER_TRACEPARENT } }));
        await settled();
        expect(a.received[0]!.headers.traceparent).toBe(CALLER_TRACEPARENT);
        // Sent once, not twice: the caller's header was not joined by ours.
        expect(a.received[0]!.lines.filter((line) => line.startsWith('traceparent:'))).toEqual([`traceparent: ${CALLER_TRACEPARENT}`]);
        expect(calls(clientSpans())).toHaveLength(1);
      });
    });

    describe('status and outcome', () => {
      it('200: status unset', async () => {
        const client = await open();
        expect((await client.get(`${a.url}/status/200`)).status).toBe(200);
        await settled();
        const [span] = clientSpans();
        expect(span!.status.code).toBe(SpanStatusCode.UNSET);
        expect(span!.attributes['error.type']).toBeUndefined();
        expectEachEndedOnce();
      });

      it.each([404, 503])('%i: ERROR, with the status code and error.type', async (status) => {
        const client = await open();
        expect((await client.get(`${a.url}/status/${status}`)).status).toBe(status);
        await settled();
        const spans = clientSpans();
        expect(calls(spans)).toHaveLength(1);
        expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
        expect(spans[0]!.attributes).toMatchObject({ 'http.response.status_code': status, 'error.type': String(status) });
        expectEachEndedOnce();
      });

      it('connection refused (a port that was listening, now closed): ERROR, an exception event, error.type ECONNREFUSED', async () => {
        const closed = await target();
        await closed.close();
        const client = await open();
        await expect(client.get(`${closed.url}/x`)).rejects.toBeDefined();
        await settled();
        const spans = clientSpans();
        expect(calls(spans)).toHaveLength(1);
        expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
        expect(spans[0]!.attributes['error.type']).toBe('ECONNREFUSED');
        expect(spans[0]!.attributes['http.response.status_code']).toBeUndefined();
        expect(spans[0]!.events.map((e) => e.name)).toContain('exception');
        expectEachEndedOnce();
      });

      it('a client-side timeout on a server that never answers: ERROR, with an error.type', async () => {
        const client = await open();
        await expect(client.get(`${a.url}/hang`, { timeoutMs: 100 })).rejects.toBeDefined();
        await settled();
        const spans = clientSpans();
        expect(calls(spans)).toHaveLength(1);
        expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
        expect(spans[0]!.attributes['error.type']).toEqual(expect.any(String));
        expect(spans[0]!.attributes['http.response.status_code']).toBeUndefined();
        expectEachEndedOnce();
      });

      const abortCase = adapter.abortCaseOpen === undefined ? it : it.skip;
      abortCase(`an abort mid-request (AbortController, once the server has the request): ERROR, with an error.type${adapter.abortCaseOpen === undefined ? '' : ` (open: ${adapter.abortCaseOpen})`}`, async () => {
        const client = await open();
        const controller = new AbortController();
        const pending = client.get(`${a.url}/hang`, { signal: controller.signal });
        pending.catch(() => undefined);
        await a.arrived(1);
        controller.abort();
        await expect(pending).rejects.toBeDefined();
        await settled();
        const spans = clientSpans();
        expect(calls(spans)).toHaveLength(1);
        expect(spans[0]!.status.code).toBe(SpanStatusCode.ERROR);
        expect(spans[0]!.attributes['error.type']).toEqual(expect.any(String));
        expectEachEndedOnce();
      });

      it('every outcome in a row, under one parent: one span per call, each ended exactly once', async () => {
        const closed = await target();
        await closed.close();
        const client = await open();
        await tracer.startActiveSpan('caller', async () => {
          await client.get(`${a.url}/status/200`);
          await client.get(`${a.url}/status/404`);
          await client.get(`${a.url}/status/503`);
          await client.get(`${closed.url}/x`).catch(() => undefined);
          await client.get(`${a.url}/hang`, { timeoutMs: 50 }).catch(() => undefined);
          const controller = new AbortController();
          const pending = client.get(`${a.url}/hang`, { signal: controller.signal }).catch(() => undefined);
          await a.arrived(5);
          controller.abort();
          await pending;
        });
        await settled();
        expect(calls(clientSpans())).toHaveLength(6);
        expect(calls(exporter.getFinishedSpans())).toHaveLength(7);
        expectEachEndedOnce();
      });
    });

    describe('recording options', () => {
      it('recordQuery: the query string with sensitive values redacted; recordHeaders: the chosen request and response headers', async () => {
        const client = await open({ recordQuery: true, recordHeaders: { request: ['X-Request-Id'], response: ['content-type', 'x-absent'] } });
        await client.get(`${a.url}/search?q=red+shoes&access_token=T0K&X-Amz-Credential=CR3D&page=2`, { headers: { 'x-request-id': 'req-1', Authorization: 'Bearer S3CRET' } });
        await settled();
        const [span] = clientSpans();
        expect(span!.attributes).toMatchObject({
          'url.full': `${a.url}/search?q=red+shoes&access_token=REDACTED&X-Amz-Credential=REDACTED&page=2`,
          'http.request.header.x-request-id': ['req-1'],
          'http.response.header.content-type': ['application/json'],
        });
        expect(Object.keys(span!.attributes).filter((key) => key.includes('header'))).toEqual(['http.request.header.x-request-id', 'http.response.header.content-type']);
        expect(JSON.stringify(span!.attributes)).not.toMatch(/T0K|CR3D|S3CRET/);
      });

      it('redactQueryParams replaces the default list', async () => {
        const client = await open({ recordQuery: true, redactQueryParams: ['session', /^ID$/i] });
        await client.get(`${a.url}/x?session=s1&id=7&token=visible`);
        await settled();
        expect(clientSpans()[0]!.attributes['url.full']).toBe(`${a.url}/x?session=REDACTED&id=REDACTED&token=visible`);
      });

      it('records no header and no query string unless asked', async () => {
        const client = await open();
        await client.get(`${a.url}/x?q=1`, { headers: { 'x-request-id': 'req-1' } });
        await settled();
        expect(Object.keys(clientSpans()[0]!.attributes).filter((key) => key.includes('header'))).toEqual([]);
        expect(clientSpans()[0]!.attributes['url.full']).toBe(`${a.url}/x`);
      });
    });

    describe('propagateTo', () => {
      // Every format, so "no trace headers" at B is not vacuous for any of them.
      const allFormats = () => newTracer({ propagators: ['tracecontext', 'cloud-trace', 'b3', 'b3multi'] });

      it('a direct call to a host outside the list sends exactly what the untraced client sends (and still has a span)', async () => {
        const traced = allFormats();
        const client = await open({ propagateTo: ['127.0.0.1'] }, traced);
        await traced.startActiveSpan('caller', async () => {
          await client.get(`${a.url}/allowed`);
          await client.get(`${b.url}/refused`);
        });
        await close();
        const plain = await open('untraced');
        await plain.get(`${b.url}/refused`);
        await settled(traced);
        expect(b.received).toHaveLength(2);
        expect(b.received[0]!.lines).toEqual(b.received[1]!.lines);
        for (const name of TRACE_HEADERS) expect(b.received[0]!.headers[name]).toBeUndefined();
        // The allowed host got every format, so the comparison is not vacuous.
        expect(Object.keys(a.received[0]!.headers)).toEqual(expect.arrayContaining(['traceparent', 'x-cloud-trace-context', 'b3', 'x-b3-traceid']));
        expect(calls(clientSpans())).toHaveLength(2);
        expectEachEndedOnce(traced);
      });

      (adapter.followsRedirects ? it : it.skip)('across redirects A (allowed) → 302 → B (not allowed) → 302 → C (allowed): B receives no trace header, exactly what the untraced client sends; A and C do', async () => {
        const traced = allFormats();
        const chain = `${a.url}/redirect?to=${encodeURIComponent(`${b.url}/redirect?to=${encodeURIComponent(`${c.url}/final`)}`)}`;
        const client = await open({ propagateTo: ['127.0.0.1'] }, traced);
        const parent = await traced.startActiveSpan('caller', async (span) => {
          const res = await client.get(chain);
          expect(res.status).toBe(200);
          expect(JSON.parse(res.body)).toEqual({ path: '/final' });
          return span;
        });
        await close();
        const plain = await open('untraced');
        expect((await plain.get(chain)).status).toBe(200);
        await settled(traced);
        expect([a.received.length, b.received.length, c.received.length]).toEqual([2, 2, 2]);
        // B: the traced call's headers are the untraced call's, line for line.
        expect(b.received[0]!.lines).toEqual(b.received[1]!.lines);
        for (const name of TRACE_HEADERS) expect(b.received[0]!.headers[name]).toBeUndefined();
        // A and C: every format, naming a client span of the caller's trace, child of the caller.
        const spans = clientSpans();
        expect(spans.length).toBeGreaterThanOrEqual(1);
        for (const hop of [a.received[0]!, c.received[0]!]) {
          expect(Object.keys(hop.headers)).toEqual(expect.arrayContaining(['traceparent', 'x-cloud-trace-context', 'b3', 'x-b3-traceid']));
          const sent = parsedTraceparent(hop.headers.traceparent);
          expect(sent?.traceId).toBe(parent.spanContext().traceId);
          const span = spans.find((s) => s.spanId === sent?.spanId);
          expect(span).toBeDefined();
          expect(span!.parentSpanId).toBe(parent.spanContext().spanId);
        }
        // And the untraced run sent nothing anywhere.
        for (const hop of [a.received[1]!, c.received[1]!]) for (const name of TRACE_HEADERS) expect(hop.headers[name]).toBeUndefined();
        expectEachEndedOnce(traced);
      });
    });

    it('inside suppressTracing: no span and no trace header', async () => {
      const client = await open();
      const res = await suppressTracing(() => client.get(`${a.url}/export`));
      expect(res.status).toBe(200);
      await settled();
      expect(calls(exporter.getFinishedSpans())).toHaveLength(0);
      for (const name of TRACE_HEADERS) expect(a.received[0]!.headers[name]).toBeUndefined();
      expect(tracer.stats().spansSampled).toBe(0);
      // Tracing is back right after.
      await client.get(`${a.url}/after`);
      await settled();
      expect(calls(clientSpans())).toHaveLength(1);
      expect(a.received[1]!.headers.traceparent).toMatch(traceparentOf(clientSpans()[0]!));
    });

    it('200 concurrent calls, each under its own parent: every client span is the child of its own caller', async () => {
      const client = await open();
      const count = 200;
      const callers: Span[] = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          tracer.startActiveSpan(`caller ${i}`, async (span) => {
            await sleep(i % 7); // interleave the calls
            const res = await client.get(`${a.url}/c/${i}`);
            expect(JSON.parse(res.body)).toEqual({ path: `/c/${i}` });
            return span;
          }),
        ),
      );
      await settled();
      const spans = clientSpans();
      // One span per call: the URLs say which call an extra or missing span belongs to.
      const urlOf = (span: ReadableSpan) => `${String(span.attributes['url.full'])} ${String(span.attributes['error.type'] ?? span.attributes['http.response.status_code'])}`;
      expect(spans.map(urlOf).sort()).toEqual(Array.from({ length: count }, (_, i) => `${a.url}/c/${i} 200`).sort());
      const byUrl = new Map(spans.map((s) => [s.attributes['url.full'], s]));
      const sentByPath = new Map(a.received.map((r) => [r.path, parsedTraceparent(r.headers.traceparent)]));
      callers.forEach((caller, i) => {
        const span = byUrl.get(`${a.url}/c/${i}`);
        expect(span?.parentSpanId).toBe(caller.spanContext().spanId);
        expect(span?.traceId).toBe(caller.spanContext().traceId);
        expect(sentByPath.get(`/c/${i}`)?.spanId).toBe(span?.spanId);
      });
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(count);
      expectEachEndedOnce();
    });
  });
}
