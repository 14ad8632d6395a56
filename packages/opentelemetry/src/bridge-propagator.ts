import { trace, isSpanContextValid, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import type { HeaderMap, SpanContext, Tracer } from '@tracewell/core';
import { BridgeSpan } from './bridge-span';
import { toOtelSpanContext, toTracewellSpanContext } from './span-context-conversion';
import { isSuppressedContext } from './suppress-key';

// A valid context, injected once into an empty object to learn which headers the tracer writes.
const PROBE: SpanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true };

/**
 * OpenTelemetry's `propagation.inject/extract` through the Tracewell tracer's propagators (its
 * `propagators` option or `OTEL_PROPAGATORS`), so a library instrumented for OpenTelemetry
 * sends and reads exactly the headers Tracewell's own adapters do.
 */
export class BridgePropagator implements TextMapPropagator {
  /** @param tracer - gives the Tracewell tracer whose propagators are used (resolved on every call) */
  constructor(private readonly tracer: () => Tracer) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isSuppressedContext(context)) return;
    const span = trace.getSpan(context);
    if (span === undefined) return;
    let spanContext: SpanContext;
    if (span instanceof BridgeSpan) spanContext = span.span.spanContext();
    else if (isSpanContextValid(span.spanContext())) spanContext = toTracewellSpanContext(span.spanContext());
    else return;
    const headers: Record<string, string> = {};
    this.tracer().inject(spanContext, headers);
    for (const name of Object.keys(headers)) setter.set(carrier, name, headers[name]!);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    // The tracer asks for the few headers its formats read, by name, through this view.
    const headers: HeaderMap = {
      get: (name: string) => getter.get(carrier, name),
      set: () => undefined,
    };
    const extracted = this.tracer().extract(headers);
    return extracted === undefined ? context : trace.setSpanContext(context, toOtelSpanContext({ ...extracted, isRemote: true }));
  }

  fields(): string[] {
    const headers: Record<string, string> = {};
    this.tracer().inject(PROBE, headers);
    return Object.keys(headers);
  }
}
