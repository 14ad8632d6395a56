import type { Attributes as OtelAttributes, HrTime, Link, SpanContext as OtelSpanContext, SpanKind as OtelSpanKind, SpanStatus as OtelSpanStatus } from '@opentelemetry/api';
import type { Attributes, ReadableSpan, SpanEvent, SpanKind, SpanStatusCode } from '@tracewell/core';
import { toTracewellLink } from './bridge-span';
import { toTracewellSpanContext } from './span-context-conversion';
import { hrTimeToMillis } from './time-input';

/**
 * The fields of an OpenTelemetry SDK `ReadableSpan` (`@opentelemetry/sdk-trace-base` 1.x and
 * 2.x) that an export needs. Declared here so that this package depends on the API only.
 */
export interface OtelReadableSpan {
  readonly name: string;
  readonly kind: OtelSpanKind;
  spanContext(): OtelSpanContext;
  /** SDK 2.x. */
  readonly parentSpanContext?: OtelSpanContext;
  /** SDK 1.x. */
  readonly parentSpanId?: string;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: OtelSpanStatus;
  readonly attributes: OtelAttributes;
  readonly links: Link[];
  readonly events: ReadonlyArray<{ readonly name: string; readonly time: HrTime; readonly attributes?: OtelAttributes; readonly droppedAttributesCount?: number }>;
  readonly resource: { readonly attributes: OtelAttributes };
  /** SDK 2.x. */
  readonly instrumentationScope?: { readonly name: string; readonly version?: string };
  /** SDK 1.x. */
  readonly instrumentationLibrary?: { readonly name: string; readonly version?: string };
  readonly droppedAttributesCount?: number;
  readonly droppedEventsCount?: number;
  readonly droppedLinksCount?: number;
}

// OpenTelemetry's attribute arrays may hold null and undefined; ours may not.
function toAttributes(attributes: OtelAttributes | undefined): Attributes {
  const out: Record<string, Attributes[string]> = {};
  if (attributes === undefined) return out;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    out[key] = (Array.isArray(value) ? value.filter((item) => item !== null && item !== undefined) : value) as Attributes[string];
  }
  return out;
}

/**
 * A finished OpenTelemetry SDK span as Tracewell exporters receive it. Its instrumentation
 * scope becomes `otel.scope.name` / `otel.scope.version`, as the bridge records it.
 */
export function toTracewellReadableSpan(span: OtelReadableSpan): ReadableSpan {
  const context = toTracewellSpanContext(span.spanContext());
  const parent = span.parentSpanContext;
  const scope = span.instrumentationScope ?? span.instrumentationLibrary;
  const attributes = toAttributes(span.attributes);
  if (scope !== undefined && scope.name !== '' && attributes['otel.scope.name'] === undefined) {
    attributes['otel.scope.name'] = scope.name;
    if (scope.version !== undefined) attributes['otel.scope.version'] = scope.version;
  }
  const events: SpanEvent[] = span.events.map((event) => ({
    name: event.name,
    time: hrTimeToMillis(event.time),
    attributes: toAttributes(event.attributes),
    droppedAttributesCount: event.droppedAttributesCount ?? 0,
  }));
  const readable: ReadableSpan = {
    name: span.name,
    kind: span.kind as number as SpanKind,
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: parent?.spanId ?? span.parentSpanId,
    parentIsRemote: parent?.isRemote === true,
    traceState: context.traceState,
    startTime: hrTimeToMillis(span.startTime),
    endTime: hrTimeToMillis(span.endTime),
    attributes,
    events,
    links: span.links.map(toTracewellLink),
    status: span.status.message === undefined ? { code: span.status.code as number as SpanStatusCode } : { code: span.status.code as number as SpanStatusCode, message: span.status.message },
    resource: { attributes: toAttributes(span.resource.attributes) },
    droppedAttributesCount: span.droppedAttributesCount ?? 0,
    droppedEventsCount: span.droppedEventsCount ?? 0,
    droppedLinksCount: span.droppedLinksCount ?? 0,
    spanContext: () => context,
  };
  return readable;
}
