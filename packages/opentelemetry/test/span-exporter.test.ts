// A Tracewell exporter inside a real OpenTelemetry SDK (sdk-trace-node 2.x): spans made by the
// SDK reach the local viewer over Tracewell's OTLP exporter, with Tracewell's retries and counts.
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@tracewell/otlp';
import { startViewer, type RunningViewer } from '@tracewell/viewer';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TracewellSpanExporter } from '../src';

let viewer: RunningViewer;
beforeAll(async () => {
  viewer = await startViewer({ port: 0 });
});
afterAll(() => viewer.close());

async function viewerTrace(traceId: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${viewer.url}/api/traces/${traceId}`);
  return res.ok ? ((await res.json()) as { spans: Array<Record<string, unknown>> }).spans : [];
}

it('NodeTracerProvider + BatchSpanProcessor + TracewellSpanExporter: the SDK\'s spans arrive, with parents, attributes, resource and scope', async () => {
  const exporter = new TracewellSpanExporter(new OTLPTraceExporter({ url: `${viewer.url}/v1/traces`, env: {} }));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel-service' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 10 })],
  });
  const tracer = provider.getTracer('@acme/orders', '2.0.0');
  const root = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET' } });
  const child = tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, trace.setSpan(context.active(), root));
  child.addEvent('rows', { n: 3 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'slow' });
  child.end();
  root.end();
  await provider.forceFlush();
  const spans = await viewerTrace(root.spanContext().traceId);
  const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
  expect(byName['GET /orders']).toMatchObject({ kind: 'SERVER', service: 'otel-service', parentSpanId: null, attributes: { 'http.request.method': 'GET', 'otel.scope.name': '@acme/orders', 'otel.scope.version': '2.0.0' } });
  expect(byName['SELECT orders']).toMatchObject({
    kind: 'CLIENT',
    parentSpanId: root.spanContext().spanId,
    attributes: { 'db.system': 'postgresql' },
    status: { code: 'ERROR', message: 'slow' },
    events: [expect.objectContaining({ name: 'rows', attributes: { n: 3 } })],
  });
  expect(exporter.stats()).toMatchObject({ exported: 2, dropped: { queueFull: 0, exportFailed: 0, shutdown: 0 } });
  await provider.shutdown();
});

describe('against a collector that fails', () => {
  let server: Server;
  let url: string;
  let answers: number[];
  let received: number;
  beforeEach(async () => {
    received = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        const status = answers.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retries a 503 as Tracewell does, then calls the SDK back with success', async () => {
    answers = [503, 503];
    const exporter = new TracewellSpanExporter(new OTLPTraceExporter({ url, env: {} }), { initialBackoffMillis: 5 });
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const results: number[] = [];
    const original = exporter.export.bind(exporter);
    exporter.export = (spans, done) => original(spans, (result) => (results.push(result.code), done(result)));
    provider.getTracer('t').startSpan('retried').end();
    await provider.forceFlush();
    expect(received).toBe(3);
    expect(results).toEqual([0]);
    expect(exporter.stats()).toMatchObject({ exported: 1, exportAttempts: 3, exportFailures: 2 });
    await provider.shutdown();
  });

  it('a permanent failure is counted as dropped and reported to the SDK as failed', async () => {
    answers = [400];
    const exporter = new TracewellSpanExporter(new OTLPTraceExporter({ url, env: {}, logger: { warn: () => undefined } }), { logger: { warn: () => undefined } });
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => {
      const provider = new NodeTracerProvider();
      const span = provider.getTracer('t').startSpan('lost');
      span.end();
      exporter.export([span as never], resolve);
    });
    expect(result.code).toBe(1);
    expect(result.error?.message).toMatch(/1 of 1 spans were not exported/);
    expect(exporter.stats()).toMatchObject({ exported: 0, dropped: { exportFailed: 1 } });
    await exporter.shutdown();
  });
});

it('refuses what is not a Tracewell exporter, naming the argument', () => {
  expect(() => new TracewellSpanExporter({} as never)).toThrow(/TracewellSpanExporter\(exporter\)/);
});
