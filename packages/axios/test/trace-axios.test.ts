import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode, suppressTracing, type Tracer } from '@tracewell/core';
import axios, { type AxiosError, type AxiosInstance, type AxiosRequestConfig, type CreateAxiosDefaults } from 'axios';
import axiosRetry from 'axios-retry';
import { traceAxios } from '../src';

/**
 * A real server that records the headers and the path (with query) of each request; /status/N answers N; /hang never answers;
 * /redirect?to=URL answers 302 to URL; /flaky-redirect?to=URL answers 503 the first time.
 * `host` is what it listens on and its URL names: with 'localhost', listen() binds the address
 * that localhost resolves to first (::1 on some machines, 127.0.0.1 on others), the same
 * resolver and order the client uses, so `http://localhost:port` reaches it either way.
 */
async function echoServer(host = '127.0.0.1'): Promise<{ url: string; port: number; received: IncomingHttpHeaders[]; requested: string[]; close(): Promise<void> }> {
  const received: IncomingHttpHeaders[] = [];
  const requested: string[] = [];
  let flaky = 0;
  const server: Server = createServer((req, res) => {
    received.push(req.headers);
    requested.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const status = /^\/status\/(\d+)/.exec(url.pathname);
    if (url.pathname === '/hang') return;
    if (url.pathname === '/flaky-redirect' && flaky++ === 0) return void res.writeHead(503).end();
    if (url.pathname === '/redirect' || url.pathname === '/flaky-redirect') return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    res.writeHead(status ? Number(status[1]) : 200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    received,
    requested,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe('traceAxios', () => {
  let exporter: InMemorySpanExporter;
  let tracer: Tracer;
  let server: Awaited<ReturnType<typeof echoServer>>;
  beforeEach(async () => {
    exporter = new InMemorySpanExporter();
    tracer = createTracer({ sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    server = await echoServer();
  });
  afterEach(() => server.close());

  it('makes a CLIENT span under the active span and sends that span\'s headers', async () => {
    const client = axios.create();
    traceAxios(client, { tracer });
    const parent = tracer.startSpan('handler');
    const { data } = await tracer.withSpan(parent, () => client.get<IncomingHttpHeaders>(`${server.url}/users/1`));
    parent.end();
    const [span] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
    expect(span!.name).toBe('GET');
    expect(span!.traceId).toBe(parent.spanContext().traceId);
    expect(span!.parentSpanId).toBe(parent.spanContext().spanId);
    expect(data.traceparent).toBe(`00-${span!.traceId}-${span!.spanId}-03`);
    expect(data['x-cloud-trace-context']).toBe(`${span!.traceId}/${BigInt(`0x${span!.spanId}`)};o=1`);
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${server.url}/users/1`,
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'http.response.status_code': 200,
    });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('runs the adapter with the call\'s span active, and gives the caller\'s adapter setting back', async () => {
    const client = axios.create();
    traceAxios(client, { tracer });
    let activeInAdapter: string | undefined;
    const http = axios.getAdapter('http');
    const mine: typeof http = (config) => {
      activeInAdapter = tracer.currentSpan()?.spanContext().spanId;
      return http(config);
    };
    const response = await client.get(`${server.url}/users/1`, { adapter: mine });
    const [span] = exporter.getFinishedSpans();
    expect(activeInAdapter).toBe(span!.spanId);
    expect(response.config.adapter).toBe(mine);
    const failed = await client.get(`${server.url}/status/500`, { adapter: 'fetch' }).catch((error: AxiosError) => error);
    expect((failed as AxiosError).config?.adapter).toBe('fetch');
  });

  it('starts a new trace without an active span, and works on the default export', async () => {
    const eject = traceAxios(axios, { tracer });
    try {
      const { data } = await axios.post<IncomingHttpHeaders>(`${server.url}/items`, { a: 1 });
      const [span] = exporter.getFinishedSpans();
      expect(span!.name).toBe('POST');
      expect(span!.parentSpanId).toBeUndefined();
      expect(data.traceparent).toContain(span!.spanId);
    } finally {
      eject();
    }
    await axios.get(`${server.url}/after-eject`);
    expect(server.received[1]!.traceparent).toBeUndefined();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });

  it('records the URL without credentials or query string', async () => {
    const client = axios.create({ baseURL: `http://user:pass@127.0.0.1:${server.port}/api` });
    traceAxios(client, { tracer });
    await client.get('/search', { params: { q: 'secret', token: 'abc' } });
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes['url.full']).toBe(`http://127.0.0.1:${server.port}/api/search`);
    expect(JSON.stringify(span!.attributes)).not.toMatch(/secret|abc|pass/);
  });

  it('never overwrites headers the caller set', async () => {
    const client = axios.create();
    traceAxios(client, { tracer });
    const mine = '00-11111111111111111111111111111111-2222222222222222-01';
    const { data } = await client.get<IncomingHttpHeaders>(`${server.url}/x`, { headers: { TraceParent: mine } });
    expect(data.traceparent).toBe(mine);
    expect(data['x-cloud-trace-context']).toBeDefined();
  });

  it('propagateTo: a second server outside the list receives exactly what an untraced client sends', async () => {
    const outside = await echoServer();
    try {
      const everyFormat = createTracer({ sampler: 'always_on', propagators: ['tracecontext', 'cloud-trace', 'b3', 'b3multi'], spanProcessors: [new SimpleSpanProcessor(exporter)] });
      const traced = axios.create();
      traceAxios(traced, { tracer: everyFormat, propagateTo: ['127.0.0.1'] });
      const parent = everyFormat.startSpan('handler');
      await everyFormat.withSpan(parent, async () => {
        await traced.get(`${server.url}/a`);
        await traced.get(`http://localhost:${outside.port}/b`);
      });
      parent.end();
      await axios.get(`http://localhost:${outside.port}/b`); // untraced, for comparison
      const [tracedHeaders, plainHeaders] = outside.received;
      expect(outside.received).toHaveLength(2);
      expect(tracedHeaders).toEqual(plainHeaders);
      // The allowed host got every format, so the comparison above is not vacuous.
      expect(Object.keys(server.received[0]!)).toEqual(expect.arrayContaining(['traceparent', 'x-cloud-trace-context', 'b3', 'x-b3-traceid']));
      expect(exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT)).toHaveLength(2);
    } finally {
      await outside.close();
    }
  });

  describe('propagateTo across redirects (axios\'s http adapter, follow-redirects)', () => {
    // A is server (127.0.0.1, allowed); B is a second server reached as localhost (not allowed).
    let outside: Awaited<ReturnType<typeof echoServer>>;
    let everyFormat: Tracer;
    let traced: AxiosInstance;
    const ours = ['traceparent', 'x-cloud-trace-context', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'];
    const redirect = (from: string, to: string) => `${from}/redirect?to=${encodeURIComponent(to)}`;
    beforeEach(async () => {
      outside = await echoServer('localhost');
      everyFormat = createTracer({ sampler: 'always_on', propagators: ['tracecontext', 'cloud-trace', 'b3', 'b3multi'], spanProcessors: [new SimpleSpanProcessor(exporter)] });
      traced = axios.create();
      traceAxios(traced, { tracer: everyFormat, propagateTo: ['127.0.0.1'] });
    });
    afterEach(() => outside.close());

    it('a host outside the list reached through a 302 receives exactly what an untraced client sends; one span for the call', async () => {
      const url = redirect(server.url, `${outside.url}/b`);
      const response = await traced.get(url);
      await axios.get(url); // untraced, for comparison
      expect(response.status).toBe(200);
      expect(outside.received).toHaveLength(2);
      const [tracedHeaders, plainHeaders] = outside.received;
      expect(tracedHeaders).toEqual(plainHeaders);
      // The allowed first hop got every format, so the comparison above is not vacuous.
      expect(Object.keys(server.received[0]!)).toEqual(expect.arrayContaining(ours));
      // One span for the whole call: the URL asked for, the final status, no resend count.
      const spans = exporter.getFinishedSpans();
      expect(spans).toHaveLength(1);
      expect(spans[0]!.attributes).toEqual({
        'http.request.method': 'GET',
        'url.full': `${server.url}/redirect`,
        'server.address': '127.0.0.1',
        'server.port': server.port,
        'http.response.status_code': 200,
      });
      expect(spans[0]!.status.code).toBe(SpanStatusCode.UNSET);
      expect(server.received[0]!.traceparent).toBe(`00-${spans[0]!.traceId}-${spans[0]!.spanId}-03`);
    });

    it('A → B → A: ours are removed for B and put back for A; the caller\'s beforeRedirect runs after ours, with the same arguments', async () => {
      const seen: Array<{ href: unknown; traceparent: unknown; status: number; from: string; self: unknown }> = [];
      const callersHook = function (this: unknown, options: Record<string, unknown>, responseDetails: { statusCode: number }, requestDetails: { url: string }): void {
        const headers = options.headers as Record<string, unknown>;
        seen.push({ href: options.href, traceparent: headers.traceparent, status: responseDetails.statusCode, from: requestDetails.url, self: this });
        headers['x-hop'] = String(seen.length);
      };
      const url = redirect(server.url, redirect(outside.url, `${server.url}/final`));
      const response = await traced.get(url, { beforeRedirect: callersHook });
      expect(response.status).toBe(200);
      const [first, again] = server.received;
      const [atB] = outside.received;
      for (const name of ours) {
        expect(first![name]).toBeDefined();
        expect(atB![name]).toBeUndefined();
        expect(again![name]).toBe(first![name]); // the same span's headers: one span for the call
      }
      expect([atB!['x-hop'], again!['x-hop']]).toEqual(['1', '2']);
      // The caller's hook saw each hop after ours had run, and axios's own arguments.
      expect(seen.map(({ href, traceparent, status }) => [href, traceparent, status])).toEqual([
        [`${outside.url}/redirect?to=${encodeURIComponent(`${server.url}/final`)}`, undefined, 302],
        [`${server.url}/final`, first!.traceparent, 302],
      ]);
      expect(seen[0]!.from).toContain(server.url);
      expect(seen[0]!.self).toBeDefined();
      // The config is handed back as the caller built it.
      expect(response.config.beforeRedirect).toBe(callersHook);
      expect(exporter.getFinishedSpans()).toHaveLength(1);
    });

    it('never removes a trace header the caller set, on any hop', async () => {
      const mine = '00-11111111111111111111111111111111-2222222222222222-01';
      await traced.get(redirect(server.url, redirect(outside.url, `${server.url}/final`)), { headers: { TraceParent: mine } });
      expect([...server.received, ...outside.received].map((h) => h.traceparent)).toEqual([mine, mine, mine]);
      expect(outside.received[0]!['x-cloud-trace-context']).toBeUndefined(); // ours still go
      expect(server.received[1]!['x-cloud-trace-context']).toBe(server.received[0]!['x-cloud-trace-context']);
    });

    // With axios-retry registered first, it resends a copy of the config (our hook and headers
    // included) before our interceptor sees the failure: the copy's headers must still count as ours.
    it.each(['after', 'before'])('a retried attempt (axios-retry registered %s traceAxios) gets its own headers; the outside host still receives none', async (order) => {
      const client = axios.create();
      if (order === 'before') axiosRetry(client, { retries: 1, retryDelay: () => 0, retryCondition: (e) => e.response?.status === 503 });
      traceAxios(client, { tracer: everyFormat, propagateTo: ['127.0.0.1'] });
      if (order === 'after') axiosRetry(client, { retries: 1, retryDelay: () => 0, retryCondition: (e) => e.response?.status === 503 });
      let calls = 0;
      const response = await client.get(`${server.url}/flaky-redirect?to=${encodeURIComponent(`${outside.url}/b`)}`, { beforeRedirect: () => void calls++ });
      expect(response.status).toBe(200);
      expect(calls).toBe(1);
      const [first, second] = server.received.map((h) => h.traceparent);
      expect(first).toMatch(/^00-/);
      expect(second).toMatch(/^00-/);
      expect(second).not.toBe(first);
      for (const name of ours) expect(outside.received[0]![name]).toBeUndefined();
    });

    it('leaves the config alone when no header was injected (host not allowed, or none needed)', async () => {
      const hook = (): void => undefined;
      const refused = await traced.get(redirect(outside.url, `${server.url}/final`), { beforeRedirect: hook });
      expect(refused.config.beforeRedirect).toBe(hook);
      expect(server.received[0]!.traceparent).toBeUndefined(); // headers start at the first hop's host only
      const unlimited = axios.create();
      traceAxios(unlimited, { tracer });
      const everywhere = await unlimited.get(redirect(server.url, `${outside.url}/b`));
      expect(everywhere.config.beforeRedirect).toBeUndefined();
      expect(outside.received[1]!.traceparent).toBeDefined(); // without propagateTo, every host gets them
    });
  });

  it('records the query string with sensitive values redacted, and chosen headers, only when asked', async () => {
    const client = axios.create({ baseURL: `http://user:pass@127.0.0.1:${server.port}/api` });
    traceAxios(client, { tracer, recordQuery: true, recordHeaders: { request: ['X-Request-Id'], response: ['content-type', 'x-absent'] } });
    await client.get('/search', {
      params: { q: 'red shoes', access_token: 'T0K', 'X-Amz-Credential': 'CR3D', page: 2 },
      headers: { 'x-request-id': 'req-1', Authorization: 'Bearer S3CRET', Cookie: 'sid=S3CRET' },
    });
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes).toMatchObject({
      'url.full': `http://127.0.0.1:${server.port}/api/search?q=red+shoes&access_token=REDACTED&X-Amz-Credential=REDACTED&page=2`,
      'http.request.header.x-request-id': ['req-1'],
      'http.response.header.content-type': ['application/json'],
    });
    expect(Object.keys(span!.attributes).filter((key) => key.includes('header'))).toHaveLength(2);
    expect(JSON.stringify(span!.attributes)).not.toMatch(/T0K|CR3D|S3CRET|pass/);
  });

  it('redactQueryParams replaces the default list', async () => {
    const client = axios.create();
    traceAxios(client, { tracer, recordQuery: true, redactQueryParams: ['session', /^ID$/i] });
    await client.get(`${server.url}/x?session=s1&id=7&token=visible`);
    expect(exporter.getFinishedSpans()[0]!.attributes['url.full']).toBe(`${server.url}/x?session=REDACTED&id=REDACTED&token=visible`);
  });

  // url.full is built from the interceptor's config without merging the defaults again: it must
  // be the URL axios's own getUri gives for the same request, and the one the server was sent.
  it.each([
    ['a baseURL with a trailing slash', { baseURL: 'BASE/api/' }, { url: '/users/1' }],
    ['an absolute URL beside a baseURL', { baseURL: 'http://elsewhere.invalid/api' }, { url: 'BASE/direct' }],
    ['allowAbsoluteUrls: false', { baseURL: 'BASE/api', allowAbsoluteUrls: false }, { url: 'http://other.invalid/x' }],
    ['params from the defaults and the call', { baseURL: 'BASE', params: { a: '1' } }, { url: '/p', params: { b: 'two words' } }],
    ['a paramsSerializer', { baseURL: 'BASE', paramsSerializer: (p: Record<string, string>) => `k=${Object.keys(p).join('-')}` }, { url: '/s', params: { x: '1', y: '2' } }],
  ] as Array<[string, CreateAxiosDefaults, AxiosRequestConfig]>)('url.full with %s is the URL axios sends to', async (_, defaults, call) => {
    const base = server.url;
    const resolve = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v.replace('BASE', base) : v])) as T;
    const client = axios.create(resolve(defaults));
    traceAxios(client, { tracer, recordQuery: true });
    const config = resolve(call);
    const expected = client.getUri(config);
    await client.request(config);
    expect(exporter.getFinishedSpans()[0]!.attributes['url.full']).toBe(expected);
    expect(`${base}${server.requested.at(-1)}`).toBe(expected);
  });

  it.each([
    [404, 'ERR_BAD_REQUEST'],
    [500, 'ERR_BAD_RESPONSE'],
  ])('a %i that axios rejects: ERROR, status recorded, same error rethrown', async (status, code) => {
    const client = axios.create();
    traceAxios(client, { tracer });
    const error = (await client.get(`${server.url}/status/${status}`).catch((e: unknown) => e)) as AxiosError;
    expect(axios.isAxiosError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.response?.status).toBe(status);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes).toMatchObject({ 'http.response.status_code': status, 'error.type': String(status) });
    expect(span!.events[0]!.name).toBe('exception');
  });

  it('a network error, a timeout and a cancellation each end the span with ERROR and reach the caller unchanged', async () => {
    const client = axios.create();
    traceAxios(client, { tracer });
    const closed = await echoServer();
    await closed.close();
    const refused = (await client.get(`${closed.url}/x`).catch((e: unknown) => e)) as AxiosError;
    const timedOut = (await client.get(`${server.url}/hang`, { timeout: 50 }).catch((e: unknown) => e)) as AxiosError;
    const controller = new AbortController();
    const pending = client.get(`${server.url}/hang`, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 20);
    const canceled = (await pending) as AxiosError;
    expect([refused.code, timedOut.code, canceled.code]).toEqual(['ECONNREFUSED', 'ECONNABORTED', 'ERR_CANCELED']);
    const types = exporter.getFinishedSpans().map((s) => [s.status.code, s.attributes['error.type'], s.attributes['http.response.status_code']]);
    expect(types).toEqual([
      [SpanStatusCode.ERROR, 'ECONNREFUSED', undefined],
      [SpanStatusCode.ERROR, 'ECONNABORTED', undefined],
      [SpanStatusCode.ERROR, 'ERR_CANCELED', undefined],
    ]);
  });

  it('gives each retried attempt its own span and headers (axios-retry)', async () => {
    const client = axios.create();
    traceAxios(client, { tracer });
    axiosRetry(client, { retries: 2, retryDelay: () => 0, retryCondition: (e) => e.response?.status === 503 });
    const error = (await client.get(`${server.url}/status/503`).catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(503);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(3);
    const sent = server.received.map((h) => h.traceparent);
    expect(sent).toEqual(spans.map((s) => `00-${s.traceId}-${s.spanId}-03`));
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(3);
  });

  it('keeps a caller-set header on every retried attempt', async () => {
    const client = axios.create();
    traceAxios(client, { tracer });
    axiosRetry(client, { retries: 1, retryDelay: () => 0, retryCondition: () => true });
    const mine = '00-11111111111111111111111111111111-2222222222222222-01';
    await client.get(`${server.url}/status/503`, { headers: { traceparent: mine } }).catch(() => undefined);
    expect(server.received.map((h) => h.traceparent)).toEqual([mine, mine]);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });

  it('sends nothing and records nothing while tracing is suppressed', async () => {
    const client = axios.create();
    traceAxios(client, { tracer });
    await suppressTracing(() => client.get(`${server.url}/export`));
    expect(server.received[0]!.traceparent).toBeUndefined();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('instruments an instance once, and rejects what is not an axios instance', () => {
    const client = axios.create();
    const eject = traceAxios(client, { tracer });
    expect(traceAxios(client, { tracer })).toBe(eject);
    eject();
    eject();
    expect(() => traceAxios({} as never)).toThrow(/"traceAxios\(instance\)": expected an axios instance/);
    expect(() => traceAxios(axios.create(), { propagateTo: 42 as never })).toThrow(/"traceAxios.propagateTo": expected a host name/);
    expect(() => traceAxios(axios.create(), { recordHeaders: { request: ['cookie'] } })).toThrow(/"traceAxios.recordHeaders.request\[0\]": expected a header name other than/);
    expect(() => traceAxios(axios.create(), { redactQueryParams: 'token' as never })).toThrow(/"traceAxios.redactQueryParams": expected an array/);
  });
});
