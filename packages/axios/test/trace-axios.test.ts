import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode, suppressTracing, type Tracer } from '@tracewell/core';
import axios, { type AxiosError } from 'axios';
import axiosRetry from 'axios-retry';
import { traceAxios } from '../src';

/** A real server on 127.0.0.1 that echoes the headers it got; /status/N answers N; /hang never answers. */
async function echoServer(): Promise<{ url: string; port: number; received: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.headers);
    const status = /^\/status\/(\d+)/.exec(req.url ?? '');
    if (req.url?.startsWith('/hang')) return;
    res.writeHead(status ? Number(status[1]) : 200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
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
