import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, TraceFlags, type TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { createTracer, type PropagatorName } from '../../src';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

const peers: Array<[PropagatorName, TextMapPropagator]> = [
  ['tracecontext', new W3CTraceContextPropagator()],
  ['b3', new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER })],
  ['b3multi', new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER })],
];

describe.each(peers)('%s against OpenTelemetry JS', (name, otel) => {
  const tracer = createTracer({ propagators: [name] });

  it.each([true, false])('OpenTelemetry reads what we inject (sampled=%s)', (sampled) => {
    const span = tracer.startSpan('client', { parent: { traceId: TRACE_ID, spanId: SPAN_ID, sampled } });
    const headers: Record<string, string> = {};
    tracer.inject(span, headers);
    const read = trace.getSpanContext(otel.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
    expect(read?.traceId).toBe(TRACE_ID);
    expect(read?.spanId).toBe(span.spanContext().spanId);
    expect((read!.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED).toBe(sampled);
  });

  it.each([TraceFlags.SAMPLED, TraceFlags.NONE])('we read what OpenTelemetry injects (flags=%s)', (traceFlags) => {
    const headers: Record<string, string> = {};
    const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags, isRemote: false });
    otel.inject(context, headers, defaultTextMapSetter);
    expect(tracer.extract(headers)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: traceFlags === TraceFlags.SAMPLED });
  });
});

describe('tracestate against OpenTelemetry JS', () => {
  it('passes a tracestate through both ways unchanged', () => {
    const otel = new W3CTraceContextPropagator();
    const tracer = createTracer({ propagators: ['tracecontext'] });
    const incoming = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' };
    const ours: Record<string, string> = {};
    tracer.inject(tracer.startSpan('s', { parent: tracer.extract(incoming) }), ours);
    const read = trace.getSpanContext(otel.extract(ROOT_CONTEXT, ours, defaultTextMapGetter));
    expect(read?.traceState?.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    const theirs: Record<string, string> = {};
    otel.inject(trace.setSpanContext(ROOT_CONTEXT, read!), theirs, defaultTextMapSetter);
    expect(tracer.extract(theirs)?.traceState?.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });
});
