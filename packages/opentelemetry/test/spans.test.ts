// What a span started through the OpenTelemetry API becomes in Tracewell: kinds, links, events,
// exceptions, status, times, scope, parents, sampling, and the headers OTel propagation writes.
import { context, defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, SpanKind as OtelSpanKind, SpanStatusCode as OtelStatus, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind, SpanStatusCode } from '@tracewell/core';
import { performance } from 'node:perf_hooks';
import { registerOpenTelemetry } from '../src';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const exporter = new InMemorySpanExporter();
const tracer = createTracer({ spanProcessors: [new SimpleSpanProcessor(exporter)], sampler: 'parentbased_always_on', propagators: ['tracecontext', 'cloud-trace'] });
const EPOCH = Date.now(); // later than performance.timeOrigin: OpenTelemetry reads smaller numbers as performance.now() times
const otel = trace.getTracer('@acme/db', '1.2.3');
let off: () => void;

beforeAll(() => {
  off = registerOpenTelemetry({ tracer });
});
afterAll(() => off());
beforeEach(() => exporter.reset());

const last = () => exporter.getFinishedSpans().at(-1)!;

it.each([
  [OtelSpanKind.INTERNAL, SpanKind.INTERNAL],
  [OtelSpanKind.SERVER, SpanKind.SERVER],
  [OtelSpanKind.CLIENT, SpanKind.CLIENT],
  [OtelSpanKind.PRODUCER, SpanKind.PRODUCER],
  [OtelSpanKind.CONSUMER, SpanKind.CONSUMER],
])('OpenTelemetry kind %s is Tracewell kind %s', (otelKind, kind) => {
  otel.startSpan('k', { kind: otelKind }).end();
  expect(last().kind).toBe(kind);
});

it('maps attributes, events, links, exceptions, status and the instrumentation scope', () => {
  const span = otel.startSpan('SELECT users', {
    kind: OtelSpanKind.CLIENT,
    attributes: { 'db.system': 'postgresql', 'db.rows': [1, 2] },
    links: [{ context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED }, attributes: { why: 'batch' } }],
  });
  span.setAttributes({ 'db.name': 'app', skipped: undefined });
  span.addEvent('plain');
  span.addEvent('with attributes', { n: 1 });
  span.addEvent('with time', EPOCH);
  span.addEvent('with hrtime', [1_700_000_001, 500_000_000]);
  span.addEvent('attributes and time', { n: 2 }, new Date(1_700_000_002_000));
  span.addLink({ context: { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE } });
  span.recordException(new TypeError('bad row'));
  span.recordException({ name: 'PgError', message: 'relation missing', code: '42P01' });
  span.setStatus({ code: OtelStatus.ERROR, message: 'query failed' });
  span.end();
  const read = last();
  expect(read).toMatchObject({
    name: 'SELECT users',
    kind: SpanKind.CLIENT,
    attributes: { 'db.system': 'postgresql', 'db.rows': [1, 2], 'db.name': 'app', 'otel.scope.name': '@acme/db', 'otel.scope.version': '1.2.3' },
    status: { code: SpanStatusCode.ERROR, message: 'query failed' },
  });
  expect(read.attributes).not.toHaveProperty('skipped');
  expect(read.events.map((e) => [e.name, e.attributes])).toEqual([
    ['plain', {}],
    ['with attributes', { n: 1 }],
    ['with time', {}],
    ['with hrtime', {}],
    ['attributes and time', { n: 2 }],
    ['exception', { 'exception.type': 'TypeError', 'exception.message': 'bad row', 'exception.stacktrace': expect.stringContaining('bad row') }],
    ['exception', { 'exception.type': '42P01', 'exception.message': 'relation missing' }],
  ]);
  expect(read.events.slice(2, 5).map((e) => e.time)).toEqual([EPOCH, 1_700_000_001_500, 1_700_000_002_000]);
  expect(read.links.map((l) => [l.context.spanId, l.attributes])).toEqual([[SPAN_ID, { why: 'batch' }], ['b7ad6b7169203331', {}]]);
});

it('takes start and end times as OpenTelemetry reads them: HrTime, Date, epoch or performance.now() milliseconds', () => {
  otel.startSpan('hr', { startTime: [1_700_000_000, 250_000_000] }).end([1_700_000_001, 0]);
  expect([last().startTime, last().endTime]).toEqual([1_700_000_000_250, 1_700_000_001_000]);
  otel.startSpan('date', { startTime: new Date(EPOCH) }).end(EPOCH + 500);
  expect([last().startTime, last().endTime]).toEqual([EPOCH, EPOCH + 500]);
  const now = performance.now();
  otel.startSpan('perf', { startTime: now }).end(now + 20);
  expect(last().startTime).toBeCloseTo(performance.timeOrigin + now, 0);
  expect(last().endTime - last().startTime).toBeCloseTo(20, 2);
});

it('status OK is final and UNSET is ignored, as in OpenTelemetry', () => {
  const span = otel.startSpan('s');
  span.setStatus({ code: OtelStatus.OK });
  span.setStatus({ code: OtelStatus.ERROR, message: 'later' });
  span.end();
  expect(last().status).toEqual({ code: SpanStatusCode.OK });
});

it('parents: the active span, an explicit context, a remote context, or none with root: true', () => {
  const outer = otel.startSpan('outer');
  context.with(trace.setSpan(ROOT_CONTEXT, outer), () => otel.startSpan('child of active').end());
  otel.startSpan('child of explicit', {}, trace.setSpan(ROOT_CONTEXT, outer)).end();
  const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  otel.startSpan('child of remote', {}, remote).end();
  context.with(trace.setSpan(ROOT_CONTEXT, outer), () => otel.startSpan('root', { root: true }).end());
  outer.end();
  const byName = Object.fromEntries(exporter.getFinishedSpans().map((s) => [s.name, s]));
  expect(byName['child of active']).toMatchObject({ parentSpanId: byName.outer!.spanId, traceId: byName.outer!.traceId });
  expect(byName['child of explicit']).toMatchObject({ parentSpanId: byName.outer!.spanId });
  expect(byName['child of remote']).toMatchObject({ traceId: TRACE_ID, parentSpanId: SPAN_ID, parentIsRemote: true });
  expect(byName.root!.parentSpanId).toBeUndefined();
  expect(byName.root!.traceId).not.toBe(byName.outer!.traceId);
});

it('startActiveSpan runs fn with the span active and leaves ending it to fn, in all three forms', async () => {
  const ids = otel.startActiveSpan('a', (span) => {
    const inside = [trace.getActiveSpan(), tracer.currentSpan()?.spanContext().spanId];
    span.end();
    return [span, ...inside];
  });
  expect(ids[1]).toBe(ids[0]);
  expect(ids[2]).toBe((ids[0] as { spanContext(): { spanId: string } }).spanContext().spanId);
  const open = otel.startActiveSpan('b', { kind: OtelSpanKind.SERVER }, (span) => span);
  expect(open.isRecording()).toBe(true);
  open.end();
  const parent = otel.startSpan('p');
  await otel.startActiveSpan('c', {}, trace.setSpan(ROOT_CONTEXT, parent), async (span) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(trace.getActiveSpan()).toBe(span);
    span.end();
  });
  expect(last()).toMatchObject({ name: 'c', parentSpanId: parent.spanContext().spanId });
});

it('an unsampled Tracewell trace stays unsampled through the API, and a span is a no-op after end()', () => {
  const unsampled = createTracer({ spanProcessors: [new SimpleSpanProcessor(exporter)], sampler: 'always_off' });
  unsampled.startActiveSpan('request', () => {
    const child = otel.startSpan('query');
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceFlags).toBe(TraceFlags.NONE);
    child.end();
  });
  const span = otel.startSpan('done');
  span.end();
  span.setAttribute('late', true).addEvent('late').updateName('late');
  expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['done']);
  expect(last().attributes).not.toHaveProperty('late');
});

it('the spans count in the Tracewell tracer\'s stats()', () => {
  const before = tracer.stats().spansEnded;
  otel.startSpan('counted').end();
  expect(tracer.stats().spansEnded).toBe(before + 1);
});

describe('propagation through the tracer\'s propagators', () => {
  it('inject writes the headers Tracewell writes (W3C and Cloud Trace here), for the active span', () => {
    tracer.startActiveSpan('client', (span) => {
      const headers: Record<string, string> = {};
      propagation.inject(context.active(), headers);
      const ours: Record<string, string> = {};
      tracer.inject(span, ours);
      expect(headers).toEqual(ours);
      expect(Object.keys(headers).sort()).toEqual(['traceparent', 'x-cloud-trace-context']);
      expect(propagation.fields().sort()).toEqual(['traceparent', 'x-cloud-trace-context']);
    });
  });

  it('extract reads any configured format into a remote parent that OpenTelemetry and Tracewell spans continue', () => {
    const ctx = propagation.extract(ROOT_CONTEXT, { 'x-cloud-trace-context': `${TRACE_ID}/12345;o=1` }, defaultTextMapGetter);
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE_ID, isRemote: true, traceFlags: TraceFlags.SAMPLED });
    context.with(ctx, () => {
      otel.startSpan('otel child').end();
      tracer.startSpan('tracewell child').end();
    });
    for (const span of exporter.getFinishedSpans()) expect(span).toMatchObject({ traceId: TRACE_ID, parentIsRemote: true });
  });

  it('interoperates with OpenTelemetry\'s own W3C propagator, tracestate included', () => {
    const w3c = new W3CTraceContextPropagator();
    const incoming = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' };
    const ctx = propagation.extract(ROOT_CONTEXT, incoming, defaultTextMapGetter);
    const span = otel.startSpan('hop', {}, ctx);
    const out: Record<string, string> = {};
    w3c.inject(trace.setSpan(ROOT_CONTEXT, span), out, defaultTextMapSetter);
    expect(out).toEqual({ traceparent: `00-${TRACE_ID}-${span.spanContext().spanId}-01`, tracestate: incoming.tracestate });
    span.end();
  });

  it('malformed headers extract nothing and never throw', () => {
    for (const headers of [{ traceparent: 'garbage' }, { traceparent: ['00-x', 'y'] }, {}, { 'x-cloud-trace-context': '/;o=' }]) {
      const ctx = propagation.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      expect(trace.getSpanContext(ctx)).toBeUndefined();
    }
  });

  it('a suppressed context injects nothing', () => {
    tracer.startActiveSpan('s', () => {
      const headers: Record<string, string> = {};
      propagation.inject(ROOT_CONTEXT.setValue(Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING'), true), headers);
      expect(headers).toEqual({});
    });
  });
});

describe('registerOpenTelemetry', () => {
  it('refuses invalid options with a message naming them', () => {
    expect(() => registerOpenTelemetry({ tracer: {} as never })).toThrow(/registerOpenTelemetry\.tracer/);
    expect(() => registerOpenTelemetry(42 as never)).toThrow(/registerOpenTelemetry\(options\)/);
  });

  it('keeps an SDK registered already and says so once, replacing nothing', () => {
    const warnings: string[] = [];
    const second = registerOpenTelemetry({ tracer: createTracer(), logger: { warn: (m: string) => warnings.push(m) } });
    expect(warnings).toEqual([expect.stringContaining('registered already')]);
    second();
    // The first registration still works.
    otel.startSpan('still bridged').end();
    expect(last().name).toBe('still bridged');
  });

  it('the off switch unregisters all three', () => {
    off();
    expect(trace.getTracer('x').startSpan('after').isRecording()).toBe(false);
    off = registerOpenTelemetry({ tracer });
    otel.startSpan('again').end();
    expect(last().name).toBe('again');
  });
});
