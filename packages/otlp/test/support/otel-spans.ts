import { ROOT_CONTEXT, SpanKind as OtelSpanKind, SpanStatusCode as OtelStatus, trace, TraceFlags } from '@opentelemetry/api';
import { TraceState as OtelTraceState } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan as OtelReadableSpan } from '@opentelemetry/sdk-trace-base';
import { TraceState, type ReadableSpan, type Resource } from '@tracewell/core';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const PARENT_ID = '00f067aa0ba902b7';
export const SCOPE = { name: 'interop', version: '1.2.3' };

const hrToMillis = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;

/**
 * The same span made twice: by OpenTelemetry JS's SDK (as its exporters would send it) and as
 * a Tracewell ReadableSpan with the same ids, times and data.
 */
export function equivalentSpans(): { otel: OtelReadableSpan; ours: ReadableSpan } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer(SCOPE.name, SCOPE.version);
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: PARENT_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new OtelTraceState('rojo=00f067aa0ba902b7'),
  });
  const linked = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true };
  const span = tracer.startSpan(
    'GET /users/:id',
    {
      kind: OtelSpanKind.SERVER,
      startTime: [1_700_000_000, 123_456_000], // hrtime: exact, no float rounding on their side
      attributes: { 'http.route': '/users/:id', 'http.response.status_code': 200, ratio: 0.25, ok: true, off: false, zero: 0, negative: -42, tags: ['a', 'b'], counts: [1, 2] },
      links: [{ context: linked, attributes: { 'link.reason': 'batch' } }],
    },
    parent,
  );
  span.addEvent('exception', { 'exception.message': 'boom' }, [1_700_000_000, 200_500_000]);
  span.setStatus({ code: OtelStatus.ERROR, message: 'boom' });
  span.end([1_700_000_000, 581_789_000]);
  const otel = exporter.getFinishedSpans()[0]!;

  const resource: Resource = { attributes: { ...(otel.resource.attributes as Resource['attributes']) } };
  const ours: ReadableSpan = {
    name: otel.name,
    kind: otel.kind as number,
    traceId: otel.spanContext().traceId,
    spanId: otel.spanContext().spanId,
    parentSpanId: PARENT_ID,
    parentIsRemote: true,
    traceState: TraceState.parse('rojo=00f067aa0ba902b7'),
    startTime: hrToMillis(otel.startTime),
    endTime: hrToMillis(otel.endTime),
    attributes: { ...(otel.attributes as ReadableSpan['attributes']) },
    events: otel.events.map((e) => ({ name: e.name, time: hrToMillis(e.time), attributes: { ...(e.attributes as ReadableSpan['attributes']) }, droppedAttributesCount: 0 })),
    links: [{ context: { ...linked, sampled: true }, attributes: { 'link.reason': 'batch' }, droppedAttributesCount: 0 }],
    status: { code: 2, message: 'boom' },
    resource,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    spanContext: () => ({ traceId: otel.spanContext().traceId, spanId: otel.spanContext().spanId, sampled: true, randomTraceId: false }),
  };
  return { otel, ours };
}
