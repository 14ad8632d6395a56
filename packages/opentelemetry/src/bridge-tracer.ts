import { trace, isSpanContextValid, INVALID_SPAN_CONTEXT, type Context, type Span as OtelSpan, type SpanOptions as OtelSpanOptions, type Tracer as OtelTracer, type TracerProvider } from '@opentelemetry/api';
import type { AttributesInput, Span, SpanContext, SpanKind, Tracer } from '@tracewell/core';
import type { BridgeContextManager } from './bridge-context-manager';
import { BridgeSpan, otelSpanOf, toTracewellLink } from './bridge-span';
import { toTracewellSpanContext } from './span-context-conversion';
import { isSuppressedContext } from './suppress-key';
import { timeInputToMillis } from './time-input';

const NON_RECORDING = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * An OpenTelemetry tracer whose spans are Tracewell spans: the Tracewell tracer's sampler,
 * limits, processors and exporters, counted in its `stats()`. The instrumentation scope (the
 * name and version given to `getTracer`) is recorded as `otel.scope.name` and
 * `otel.scope.version`, as OpenTelemetry does for formats without a scope of their own.
 */
export class BridgeTracer implements OtelTracer {
  constructor(
    private readonly tracer: () => Tracer,
    private readonly contexts: BridgeContextManager,
    private readonly scopeName: string,
    private readonly scopeVersion: string | undefined,
  ) {}

  startSpan(name: string, options: OtelSpanOptions = {}, context: Context = this.contexts.active()): OtelSpan {
    if (isSuppressedContext(context)) return NON_RECORDING;
    let parent: Span | SpanContext | null = null;
    if (options.root !== true) {
      const active = trace.getSpan(context);
      if (active instanceof BridgeSpan) parent = active.span;
      else if (active !== undefined && isSpanContextValid(active.spanContext())) parent = toTracewellSpanContext(active.spanContext());
    }
    // One object of fixed shape (absent options are undefined, which Tracewell reads as unset).
    // OpenTelemetry's SpanKind has the same numbers as ours, and its attribute values are ours.
    const span = this.tracer().startSpan(name, {
      parent,
      kind: options.kind as number as SpanKind | undefined,
      attributes: options.attributes as AttributesInput | undefined,
      links: options.links === undefined ? undefined : options.links.map(toTracewellLink),
      startTime: timeInputToMillis(options.startTime),
    });
    if (span.isRecording() && this.scopeName !== '') {
      span.setAttribute('otel.scope.name', this.scopeName);
      if (this.scopeVersion !== undefined) span.setAttribute('otel.scope.version', this.scopeVersion);
    }
    return otelSpanOf(span);
  }

  startActiveSpan<F extends (span: OtelSpan) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: OtelSpan) => unknown>(name: string, options: OtelSpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: OtelSpan) => unknown>(name: string, options: OtelSpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: OtelSpan) => unknown>(name: string, ...rest: [F] | [OtelSpanOptions, F] | [OtelSpanOptions, Context, F]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length > 1 ? (rest[0] as OtelSpanOptions) : undefined;
    const parentContext = rest.length > 2 ? (rest[1] as Context) : this.contexts.active();
    const span = this.startSpan(name, options, parentContext);
    // As in OpenTelemetry: the span is active inside, and `fn` ends it.
    return this.contexts.with(trace.setSpan(parentContext, span), fn as (span: OtelSpan) => ReturnType<F>, undefined, span);
  }
}

// Libraries ask for a tracer by a fixed name; a caller inventing names must not grow the cache.
const MAX_CACHED_TRACERS = 256;

/** Hands out one {@link BridgeTracer} per instrumentation scope. */
export class BridgeTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, BridgeTracer>();

  constructor(
    private readonly tracer: () => Tracer,
    private readonly contexts: BridgeContextManager,
  ) {}

  getTracer(name: string, version?: string): OtelTracer {
    const scope = typeof name === 'string' ? name : '';
    const key = `${scope}@${version ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new BridgeTracer(this.tracer, this.contexts, scope, typeof version === 'string' ? version : undefined);
      if (this.tracers.size < MAX_CACHED_TRACERS) this.tracers.set(key, tracer);
    }
    return tracer;
  }
}
