import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchSpanProcessor, createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, type ReadableSpan, type SpanProcessor, type Tracer } from '@tracewell/core';
import { traceAxios } from '@tracewell/axios';
import { OTLPTraceExporter } from '@tracewell/otlp';
import axios from 'axios';
import axiosRetry from 'axios-retry';
import { traceHttpClients } from '../src';

// traceHttpClients traces the transport of every client; a call already traced at its own
// level (axios under traceAxios) or made while tracing is suppressed (an exporter's upload)
// must not get a second span. Two tracers, each with its own exporter, tell whose span is
// whose: the http-client layer's and axios's. They share the process's default context
// manager, so each sees the other's active span, as with one tracer.

const TRACE_HEADERS = ['traceparent', 'tracestate', 'x-cloud-trace-context', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'];

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/** A recording server on 127.0.0.1: `/flaky` answers 503 the first time, then 200; anything else 200 `{}`. */
async function recordingServer(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  let flaky = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      received.push({ path, headers: req.headers });
      if (path === '/flaky' && flaky++ === 0) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const newTracer = (exporter: InMemorySpanExporter): Tracer => createTracer({ sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
const clientSpans = (exporter: InMemorySpanExporter): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);

/** Waits until `check()` holds (spans end on events that may come after the caller has its answer). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

function spanIdSent(headers: IncomingHttpHeaders): string | undefined {
  return /^00-[0-9a-f]{32}-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(String(headers.traceparent))?.[1];
}

describe('traceHttpClients with traceAxios: one span per axios call', () => {
  let server: Awaited<ReturnType<typeof recordingServer>>;
  let transport: InMemorySpanExporter; // the http-client layer's spans
  let calls: InMemorySpanExporter; // axios's spans
  let transportTracer: Tracer;
  let axiosTracer: Tracer;
  let off: (() => void) | undefined;

  beforeEach(async () => {
    server = await recordingServer();
    transport = new InMemorySpanExporter();
    calls = new InMemorySpanExporter();
    transportTracer = newTracer(transport);
    axiosTracer = newTracer(calls);
    off = traceHttpClients({ tracer: transportTracer });
  });
  afterEach(async () => {
    off?.();
    off = undefined;
    await server.close();
  });

  it.each(['http', 'fetch'] as const)("adapter '%s': exactly one client span, axios's, and the server sees it as the parent", async (adapter) => {
    const client = axios.create({ adapter });
    traceAxios(client, { tracer: axiosTracer });
    const parent = axiosTracer.startSpan('caller');
    await axiosTracer.withSpan(parent, () => client.get(`${server.url}/traced`));
    parent.end();
    // The layer is on: an axios instance without traceAxios is traced by it (so the 0 below means something).
    await axios.create({ adapter }).get(`${server.url}/plain`);
    await until(() => clientSpans(transport).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const [span, ...more] = clientSpans(calls);
    expect(more).toHaveLength(0);
    expect(span!.parentSpanId).toBe(parent.spanContext().spanId);
    expect(server.received[0]!.path).toBe('/traced');
    expect(spanIdSent(server.received[0]!.headers)).toBe(span!.spanId);
    expect(transport.getFinishedSpans().map((s) => s.attributes['url.full'])).toEqual([`${server.url}/plain`]);
    expect(spanIdSent(server.received[1]!.headers)).toBe(transport.getFinishedSpans()[0]!.spanId);
    expect(transportTracer.stats().spansStarted).toBe(1);
  });

  it.each(['http', 'fetch'] as const)("adapter '%s', one tracer for both: one client span in all", async (adapter) => {
    off!();
    const exporter = new InMemorySpanExporter();
    const tracer = newTracer(exporter);
    off = traceHttpClients({ tracer });
    const client = axios.create({ adapter });
    traceAxios(client, { tracer });
    await tracer.startActiveSpan('caller', () => client.get(`${server.url}/traced`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const spans = clientSpans(exporter);
    expect(spans).toHaveLength(1);
    expect(spanIdSent(server.received[0]!.headers)).toBe(spans[0]!.spanId);
    expect(tracer.stats().spansStarted).toBe(2); // the caller and axios's span
  });

  it.each(['http', 'fetch'] as const)("adapter '%s' with axios-retry retrying a 503 once: two spans, one per attempt, and none from the transport", async (adapter) => {
    const client = axios.create({ adapter });
    traceAxios(client, { tracer: axiosTracer });
    axiosRetry(client, { retries: 1, retryDelay: () => 0, retryCondition: (error) => error.response?.status === 503 });
    const parent = axiosTracer.startSpan('caller');
    const res = await axiosTracer.withSpan(parent, () => client.get(`${server.url}/flaky`));
    parent.end();
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const spans = clientSpans(calls);
    expect(spans).toHaveLength(2);
    expect(spans.map((s) => s.attributes['http.response.status_code'])).toEqual([503, 200]);
    expect(server.received.map((r) => spanIdSent(r.headers))).toEqual(spans.map((s) => s.spanId));
    // Siblings, both children of the caller: the retry does not run inside the failed attempt's span.
    for (const span of spans) expect(span.parentSpanId).toBe(parent.spanContext().spanId);
    expect(transport.getFinishedSpans()).toHaveLength(0);
    expect(transportTracer.stats().spansStarted).toBe(0);
  });
});

describe('traceHttpClients and the OTLP exporter', () => {
  let collector: Awaited<ReturnType<typeof recordingServer>>;
  let off: (() => void) | undefined;
  beforeEach(async () => {
    collector = await recordingServer();
  });
  afterEach(async () => {
    off?.();
    off = undefined;
    await collector.close();
  });

  it.each([
    ['SimpleSpanProcessor', (exporter: OTLPTraceExporter): SpanProcessor => new SimpleSpanProcessor(exporter)],
    ['BatchSpanProcessor', (exporter: OTLPTraceExporter): SpanProcessor => new BatchSpanProcessor(exporter, { scheduledDelayMillis: 10 })],
  ])("the exporter's uploads (%s, node:http under suppressTracing) are not traced, even when a span is active", async (_name, processor) => {
    const exporter = new OTLPTraceExporter({ url: `${collector.url}/v1/traces`, encoding: 'json', env: {} });
    const tracer = createTracer({ sampler: 'parentbased_always_on', spanProcessors: [processor(exporter)] });
    off = traceHttpClients({ tracer });
    // The upload of 'work' may start while 'outer' is active (SimpleSpanProcessor exports on end()).
    await tracer.startActiveSpan('outer', async () => {
      tracer.startSpan('work').end();
      await tracer.flush();
    });
    await tracer.flush();
    await until(() => collector.received.length >= 2 || tracer.stats().spansExported >= 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await tracer.flush();

    const stats = tracer.stats();
    expect(stats.spansStarted).toBe(2); // 'outer' and 'work', no span for an upload
    expect(stats.spansExported).toBe(2);
    expect(collector.received.length).toBeGreaterThanOrEqual(1);
    for (const upload of collector.received) {
      expect(upload.path).toBe('/v1/traces');
      for (const name of TRACE_HEADERS) expect(upload.headers[name]).toBeUndefined();
    }
    await tracer.shutdown();
  });
});
