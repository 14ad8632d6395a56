import { TraceFlags, type SpanContext as OtelSpanContext, type TraceState as OtelTraceState } from '@opentelemetry/api';
import { TraceState, type SpanContext } from '@tracewell/core';

/**
 * OpenTelemetry's view of a Tracewell `tracestate`. Immutable like ours: `set` and `unset`
 * return a new state.
 */
class OtelTraceStateView implements OtelTraceState {
  constructor(private readonly state: TraceState) {}

  set(key: string, value: string): OtelTraceState {
    return new OtelTraceStateView(this.state.set(key, value));
  }

  unset(key: string): OtelTraceState {
    return new OtelTraceStateView(this.state.unset(key));
  }

  get(key: string): string | undefined {
    return this.state.get(key);
  }

  serialize(): string {
    return this.state.serialize();
  }
}

/**
 * An OpenTelemetry span context that remembers the Tracewell one it came from: OpenTelemetry's
 * flags cannot say "no sampling decision" (a Cloud Trace header without `o=`), W3C's random
 * flag or B3's debug, so a context that goes out through the OpenTelemetry API and comes back
 * keeps them. The origin is a private field: a copy (`{ ...context }`) has none, and is read
 * from its fields.
 */
class ConvertedSpanContext implements OtelSpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly isRemote?: boolean;
  readonly traceState?: OtelTraceState;
  readonly #origin: SpanContext;

  constructor(context: SpanContext) {
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    this.traceFlags = context.sampled === true ? TraceFlags.SAMPLED : TraceFlags.NONE;
    if (context.isRemote === true) this.isRemote = true;
    if (context.traceState !== undefined) this.traceState = new OtelTraceStateView(context.traceState);
    this.#origin = context;
  }

  static originOf(context: OtelSpanContext): SpanContext | undefined {
    return context instanceof ConvertedSpanContext ? context.#origin : undefined;
  }
}

/** The OpenTelemetry span context of a Tracewell one (a missing sampling decision reads as not sampled). */
export function toOtelSpanContext(context: SpanContext): OtelSpanContext {
  return new ConvertedSpanContext(context);
}

/** The Tracewell span context of an OpenTelemetry one (from another SDK, or `propagation.extract`). */
export function toTracewellSpanContext(context: OtelSpanContext): SpanContext {
  const origin = ConvertedSpanContext.originOf(context);
  if (origin !== undefined) return origin;
  const traceState = context.traceState === undefined ? undefined : TraceState.parse(context.traceState.serialize());
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    sampled: (context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    ...(traceState === undefined ? {} : { traceState }),
    ...(context.isRemote === true ? { isRemote: true } : {}),
  };
}
