import {
  ROOT_CONTEXT,
  trace,
  type Context,
  type Attributes as OtelAttributes,
  type AttributeValue as OtelAttributeValue,
  type Exception,
  type Link,
  type Span as OtelSpan,
  type SpanContext as OtelSpanContext,
  type SpanStatus as OtelSpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import type { AttributesInput, AttributeValue, Span, SpanLink } from '@tracewell/core';
import { toOtelSpanContext, toTracewellSpanContext } from './span-context-conversion';
import { isTimeInput, timeInputToMillis } from './time-input';

/** A link given through the OpenTelemetry API, as a Tracewell link. */
export function toTracewellLink(link: Link): SpanLink {
  const context = toTracewellSpanContext(link.context);
  return link.attributes === undefined ? { context } : { context, attributes: link.attributes as AttributesInput as SpanLink['attributes'] };
}

/**
 * A Tracewell span seen through the OpenTelemetry API. Every call lands on the Tracewell span,
 * whose rules apply (limits, no-ops after `end()`); OpenTelemetry's attribute values are the
 * same as ours, and its status codes and span kinds have the same numbers.
 */
export class BridgeSpan implements OtelSpan {
  private context: OtelSpanContext | undefined;
  private activeContext: Context | undefined;

  /** @param span - the Tracewell span every call lands on */
  constructor(readonly span: Span) {}

  spanContext(): OtelSpanContext {
    return (this.context ??= toOtelSpanContext(this.span.spanContext()));
  }

  /** The OpenTelemetry context in which this span is active and nothing else is set, made once. */
  rootContext(): Context {
    return (this.activeContext ??= trace.setSpan(ROOT_CONTEXT, this));
  }

  /** True when `context` is {@link BridgeSpan.rootContext} (never made by asking). */
  isRootContext(context: Context): boolean {
    return this.activeContext === context;
  }

  setAttribute(key: string, value: OtelAttributeValue): this {
    this.span.setAttribute(key, value as AttributeValue);
    return this;
  }

  setAttributes(attributes: OtelAttributes): this {
    this.span.setAttributes(attributes as AttributesInput);
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: OtelAttributes | TimeInput, startTime?: TimeInput): this {
    if (isTimeInput(attributesOrStartTime)) this.span.addEvent(name, undefined, timeInputToMillis(attributesOrStartTime));
    else this.span.addEvent(name, attributesOrStartTime as AttributesInput | undefined, timeInputToMillis(startTime));
    return this;
  }

  addLink(link: Link): this {
    this.span.addLink(toTracewellLink(link));
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.span.addLink(toTracewellLink(link));
    return this;
  }

  setStatus(status: OtelSpanStatus): this {
    this.span.setStatus(status.message === undefined ? { code: status.code } : { code: status.code, message: status.message });
    return this;
  }

  updateName(name: string): this {
    this.span.updateName(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    this.span.end(timeInputToMillis(endTime));
  }

  isRecording(): boolean {
    return this.span.isRecording();
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.span.recordException(exception, timeInputToMillis(time));
  }
}

// One view per Tracewell span, so `trace.getActiveSpan()` is the same object every time. It is
// kept on the span itself: a WeakMap entry per span measured four times the cost of the span
// (bench/opentelemetry-bridge.js), most of it in the garbage collector.
const VIEW = Symbol('tracewell.opentelemetry.view');
type Viewed = Span & { [VIEW]?: BridgeSpan };

/** The OpenTelemetry view of a Tracewell span. */
export function otelSpanOf(span: Span): BridgeSpan {
  const viewed = span as Viewed;
  return (viewed[VIEW] ??= new BridgeSpan(span));
}
