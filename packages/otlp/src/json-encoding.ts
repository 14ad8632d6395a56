import type { Attributes, AttributeValue, ReadableSpan } from '@tracewell/core';
import { groupByResource, linkFlags, otlpSpanKind, resourceAttributes, spanFlags, valueKind, type InstrumentationScope } from './otlp-model';
import { unixNanosDecimal } from './otlp-time';

// OTLP/JSON (the protobuf JSON mapping with OTLP's exceptions): ids as lowercase hex, enums as
// numbers, 64-bit integers as decimal strings, camelCase field names.

type JsonAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | string }
  | { arrayValue: { values: JsonAnyValue[] } };

function anyValue(value: AttributeValue): JsonAnyValue {
  switch (valueKind(value)) {
    case 'string':
      return { stringValue: value as string };
    case 'bool':
      return { boolValue: value as boolean };
    case 'int':
      return { intValue: String(value) };
    case 'double':
      // proto3 JSON writes non-finite doubles as strings.
      return { doubleValue: Number.isFinite(value) ? (value as number) : String(value) };
    default:
      return { arrayValue: { values: (value as ReadonlyArray<string | number | boolean>).map(anyValue) } };
  }
}

function keyValues(attributes: Attributes): Array<{ key: string; value: JsonAnyValue }> {
  return Object.keys(attributes).map((key) => ({ key, value: anyValue(attributes[key]!) }));
}

function span(s: ReadableSpan): Record<string, unknown> {
  const out: Record<string, unknown> = {
    traceId: s.traceId,
    spanId: s.spanId,
    traceState: s.traceState?.serialize() ?? '',
    parentSpanId: s.parentSpanId ?? '',
    flags: spanFlags(s),
    name: s.name,
    kind: otlpSpanKind(s.kind),
    startTimeUnixNano: unixNanosDecimal(s.startTime),
    endTimeUnixNano: unixNanosDecimal(s.endTime),
    attributes: keyValues(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events.map((e) => ({
      timeUnixNano: unixNanosDecimal(e.time),
      name: e.name,
      attributes: keyValues(e.attributes),
      droppedAttributesCount: e.droppedAttributesCount,
    })),
    droppedEventsCount: s.droppedEventsCount,
    links: s.links.map((l) => ({
      traceId: l.context.traceId,
      spanId: l.context.spanId,
      traceState: l.context.traceState?.serialize() ?? '',
      attributes: keyValues(l.attributes ?? {}),
      droppedAttributesCount: l.droppedAttributesCount ?? 0,
      flags: linkFlags(l.context),
    })),
    droppedLinksCount: s.droppedLinksCount,
    status: s.status.message === undefined ? { code: s.status.code } : { code: s.status.code, message: s.status.message },
  };
  return out;
}

/**
 * An ExportTraceServiceRequest in OTLP/JSON, as an object (`JSON.stringify` it to send).
 *
 * @example
 * const body = JSON.stringify(toOtlpJson(spans, { name: 'tracewell', version: VERSION }));
 */
export function toOtlpJson(spans: ReadonlyArray<ReadableSpan>, scope: InstrumentationScope, extraResource?: Attributes): Record<string, unknown> {
  return {
    resourceSpans: groupByResource(spans).map((group) => ({
      resource: { attributes: keyValues(resourceAttributes(group.resource, extraResource)), droppedAttributesCount: 0 },
      scopeSpans: [{ scope: { name: scope.name, version: scope.version }, spans: group.spans.map(span) }],
    })),
  };
}
