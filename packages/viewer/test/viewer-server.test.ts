import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind as OtelKind, SpanStatusCode as OtelStatus, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtelHttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtelProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor as OtelSimple } from '@opentelemetry/sdk-trace-base';
import { createTracer, SimpleSpanProcessor, SpanKind, SpanStatusCode, type SpanExporter } from '@tracewell/core';
import { OTLPTraceExporter } from '@tracewell/otlp';
import { ZipkinExporter } from '@tracewell/zipkin';
import { startViewer, type RunningViewer, type StoredSpan, type TraceSummary } from '../src';

async function api<T>(viewer: RunningViewer, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${viewer.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

async function post(viewer: RunningViewer, path: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(`${viewer.url}${path}`, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text() };
}

/** Sends a small trace (server → client → internal, one error) through a Tracewell exporter. */
async function sendThrough(exporter: SpanExporter, service: string): Promise<string> {
  const tracer = createTracer({ serviceName: service, sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const root = tracer.startSpan('GET /orders/:id', { kind: SpanKind.SERVER, attributes: { 'http.route': '/orders/:id', 'http.response.status_code': 200, ratio: 0.5, tags: ['a', 'b'] } });
  const client = root.child('GET', { kind: SpanKind.CLIENT });
  client.addEvent('retry', { attempt: 2 });
  client.end();
  root.child('render').setStatus({ code: SpanStatusCode.ERROR, message: 'template missing' }).end();
  root.end();
  await tracer.flush();
  return root.spanContext().traceId;
}

describe('viewer receivers and API', () => {
  let viewer: RunningViewer;
  beforeEach(async () => {
    viewer = await startViewer({ port: 0, log: () => undefined });
  });
  afterEach(() => viewer.close());

  it.each([
    ['OTLP protobuf', (url: string) => new OTLPTraceExporter({ url: `${url}/v1/traces` })],
    ['OTLP protobuf, gzip', (url: string) => new OTLPTraceExporter({ url: `${url}/v1/traces`, compression: 'gzip' })],
    ['OTLP JSON', (url: string) => new OTLPTraceExporter({ url: `${url}/v1/traces`, encoding: 'json' })],
    ['Zipkin', (url: string) => new ZipkinExporter({ url: `${url}/api/v2/spans` })],
  ])('receives %s from Tracewell exporters and serves the trace', async (_name, make) => {
    const traceId = await sendThrough(make(viewer.url), 'orders');
    const { body } = await api<{ spans: StoredSpan[] }>(viewer, `/api/traces/${traceId}`);
    expect(body.spans).toHaveLength(3);
    const root = body.spans.find((s) => s.parentSpanId === null)!;
    expect(root.name.toLowerCase()).toBe('get /orders/:id'); // Zipkin lower-cases names
    expect(root.kind).toBe('SERVER');
    expect(root.service).toBe('orders');
    expect(root.attributes['http.route']).toBe('/orders/:id');
    expect(body.spans.every((s) => s.traceId === traceId)).toBe(true);
    expect(body.spans.filter((s) => s.parentSpanId === root.spanId)).toHaveLength(2);
    const render = body.spans.find((s) => s.name === 'render')!;
    expect(render.status.code).toBe('ERROR');
    expect(render.status.message).toBe('template missing');
    const client = body.spans.find((s) => s.kind === 'CLIENT')!;
    expect(client.events.map((e) => e.name)).toEqual(['retry']);
    expect(client.startTime).toBeGreaterThanOrEqual(root.startTime);
    expect(root.durationMs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['exporter-trace-otlp-http (JSON)', (url: string) => new OtelHttpExporter({ url: `${url}/v1/traces` })],
    ['exporter-trace-otlp-proto (protobuf)', (url: string) => new OtelProtoExporter({ url: `${url}/v1/traces` })],
  ])('shows an OpenTelemetry JS service exporting with %s', async (_name, make) => {
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'otel-service' }), spanProcessors: [new OtelSimple(make(viewer.url))] });
    const tracer = provider.getTracer('interop');
    const parent = tracer.startSpan('otel parent', { kind: OtelKind.SERVER, attributes: { n: 7 } });
    const child = tracer.startSpan('otel child', {}, trace.setSpan(ROOT_CONTEXT, parent));
    child.setStatus({ code: OtelStatus.ERROR, message: 'nope' });
    child.end();
    parent.end();
    await provider.forceFlush();
    await provider.shutdown();
    const { body } = await api<{ traces: TraceSummary[] }>(viewer, '/api/traces?service=otel-service');
    expect(body.traces).toHaveLength(1);
    expect(body.traces[0]).toMatchObject({ rootName: 'otel parent', rootService: 'otel-service', spanCount: 2, error: true, traceId: parent.spanContext().traceId });
    const spans = (await api<{ spans: StoredSpan[] }>(viewer, `/api/traces/${parent.spanContext().traceId}`)).body.spans;
    expect(spans.find((s) => s.name === 'otel child')!.parentSpanId).toBe(parent.spanContext().spanId);
    expect(spans.find((s) => s.name === 'otel parent')!.attributes.n).toBe(7);
  });

  it('merges spans of one trace arriving from several services in any order, and filters the list', async () => {
    const a = await sendThrough(new OTLPTraceExporter({ url: `${viewer.url}/v1/traces` }), 'alpha');
    await sendThrough(new ZipkinExporter({ url: `${viewer.url}/api/v2/spans` }), 'beta');
    // A late child of trace `a`, from another service, sent before nothing and after everything.
    const late = createTracer({ serviceName: 'gamma', sampler: 'always_on', spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${viewer.url}/v1/traces` }))] });
    late.startSpan('late child', { parent: { traceId: a, spanId: '1'.repeat(16), sampled: true } }).end();
    await late.flush();
    const all = (await api<{ traces: TraceSummary[] }>(viewer, '/api/traces')).body.traces;
    expect(all.map((t) => t.rootService)).toEqual(['beta', 'alpha']); // newest first
    expect(all[1]).toMatchObject({ traceId: a, spanCount: 4, services: ['alpha', 'gamma'], error: true, rootName: 'GET /orders/:id' });
    expect((await api<{ traces: TraceSummary[] }>(viewer, '/api/traces?service=gamma')).body.traces.map((t) => t.traceId)).toEqual([a]);
    expect((await api<{ traces: TraceSummary[] }>(viewer, '/api/traces?name=LATE')).body.traces).toHaveLength(1);
    expect((await api<{ traces: TraceSummary[] }>(viewer, '/api/traces?minDurationMs=100000')).body.traces).toHaveLength(0);
    expect((await api<{ traces: TraceSummary[] }>(viewer, '/api/traces?limit=1')).body.traces).toHaveLength(1);
    expect((await api<{ services: string[] }>(viewer, '/api/services')).body.services).toEqual(['alpha', 'beta', 'gamma']);
    expect((await api<{ error: string }>(viewer, `/api/traces/${'f'.repeat(32)}`)).status).toBe(404);
  });

  it('answers bad input with 400 and a message, and loses nothing already stored', async () => {
    const kept = await sendThrough(new OTLPTraceExporter({ url: `${viewer.url}/v1/traces`, encoding: 'json' }), 'kept');
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, string | Buffer, Record<string, string>, RegExp]> = [
      ['/v1/traces', '{"resourceSpans": [', json, /malformed JSON/],
      ['/v1/traces', '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 5}]}]}]}', json, /trace id must be a string/],
      ['/v1/traces', '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz", "spanId": "00f067aa0ba902b7"}]}]}]}', json, /invalid trace id/],
      ['/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0x01]), { 'content-type': 'application/x-protobuf' }, /protobuf/],
      ['/v1/traces', Buffer.from('not gzip'), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, /gzip/],
      ['/api/v2/spans', '{"not": "an array"}', json, /JSON array/],
      ['/api/v2/spans', '[{"traceId": "abc", "id": 1}]', json, /traceId and id are required strings/],
    ];
    for (const [path, body, headers, message] of cases) {
      const res = await post(viewer, path, body, headers);
      expect([path, res.status]).toEqual([path, 400]);
      expect((JSON.parse(res.text) as { error: string }).error).toMatch(message);
    }
    const small = await startViewer({ port: 0, maxBodyBytes: 1024, log: () => undefined });
    try {
      const huge = await post(small, '/v1/traces', 'x'.repeat(4096), json);
      expect(huge.status).toBe(400);
      expect(huge.text).toMatch(/over the limit/);
      const bomb = await post(small, '/v1/traces', gzipSync(Buffer.alloc(1_000_000)), { ...json, 'content-encoding': 'gzip' });
      expect(bomb.status).toBe(400);
    } finally {
      await small.close();
    }
    expect(viewer.store.size).toBe(3);
    expect((await api<{ spans: StoredSpan[] }>(viewer, `/api/traces/${kept}`)).body.spans).toHaveLength(3);
  });

  it('evicts the oldest traces past the span bound', async () => {
    const bounded = await startViewer({ port: 0, maxSpans: 7, log: () => undefined });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await sendThrough(new OTLPTraceExporter({ url: `${bounded.url}/v1/traces` }), `svc${i}`));
      expect(bounded.store.size).toBeLessThanOrEqual(7);
      const listed = (await api<{ traces: TraceSummary[] }>(bounded, '/api/traces')).body.traces.map((t) => t.traceId);
      expect(listed).toEqual([ids[3], ids[2]]);
    } finally {
      await bounded.close();
    }
  });

  it('keeps spans in --data FILE across restarts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tracewell-viewer-')), 'spans.jsonl');
    const first = await startViewer({ port: 0, dataFile: file, log: () => undefined });
    const traceId = await sendThrough(new OTLPTraceExporter({ url: `${first.url}/v1/traces` }), 'persisted');
    await new Promise((r) => setTimeout(r, 50)); // appends are asynchronous
    await first.close();
    const second = await startViewer({ port: 0, dataFile: file, log: () => undefined });
    try {
      expect((await api<{ spans: StoredSpan[] }>(second, `/api/traces/${traceId}`)).body.spans).toHaveLength(3);
    } finally {
      await second.close();
    }
  });

  it('serves the UI files', async () => {
    for (const [path, type] of [['/', 'text/html'], ['/app.js', 'text/javascript'], ['/styles.css', 'text/css']]) {
      const res = await fetch(`${viewer.url}${path}`);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('content-type')).toContain(type!);
    }
  });
});

describe('tracewell-viewer CLI', () => {
  it('starts, receives, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(__dirname, '../dist/cli.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const url = /on (http:\/\/\S+)/.exec(line)![1]!;
      await sendThrough(new OTLPTraceExporter({ url: `${url}/v1/traces` }), 'cli');
      const res = await fetch(`${url}/api/services`);
      expect(await res.json()).toEqual({ services: ['cli'] });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('rejects a bad --port with a clear message', async () => {
    const child = spawn(process.execPath, [join(__dirname, '../dist/cli.js'), '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(stderr).toContain('--port: expected 0-65535, got abc');
  });
});
