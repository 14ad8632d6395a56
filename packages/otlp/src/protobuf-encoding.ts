import type { Attributes, AttributeValue, ReadableSpan, SpanEvent, SpanLink } from '@tracewell/core';
import { groupByResource, linkFlags, otlpSpanKind, resourceAttributes, spanFlags, valueKind, type InstrumentationScope } from './otlp-model';
import { unixNanosHalves } from './otlp-time';
import { ProtobufWriter } from './protobuf-writer';

// Field numbers of opentelemetry-proto: collector/trace/v1 (ExportTraceServiceRequest),
// trace/v1 (ResourceSpans, ScopeSpans, Span, Span.Event, Span.Link, Status),
// resource/v1 (Resource) and common/v1 (InstrumentationScope, KeyValue, AnyValue, ArrayValue).
const REQUEST_RESOURCE_SPANS = 1;
const RESOURCE_SPANS_RESOURCE = 1;
const RESOURCE_SPANS_SCOPE_SPANS = 2;
const RESOURCE_ATTRIBUTES = 1;
const SCOPE_SPANS_SCOPE = 1;
const SCOPE_SPANS_SPANS = 2;
const SCOPE_NAME = 1;
const SCOPE_VERSION = 2;
const SPAN_TRACE_ID = 1;
const SPAN_SPAN_ID = 2;
const SPAN_TRACE_STATE = 3;
const SPAN_PARENT_SPAN_ID = 4;
const SPAN_NAME = 5;
const SPAN_KIND = 6;
const SPAN_START = 7;
const SPAN_END = 8;
const SPAN_ATTRIBUTES = 9;
const SPAN_DROPPED_ATTRIBUTES = 10;
const SPAN_EVENTS = 11;
const SPAN_DROPPED_EVENTS = 12;
const SPAN_LINKS = 13;
const SPAN_DROPPED_LINKS = 14;
const SPAN_STATUS = 15;
const SPAN_FLAGS = 16;
const EVENT_TIME = 1;
const EVENT_NAME = 2;
const EVENT_ATTRIBUTES = 3;
const EVENT_DROPPED_ATTRIBUTES = 4;
const LINK_TRACE_ID = 1;
const LINK_SPAN_ID = 2;
const LINK_TRACE_STATE = 3;
const LINK_ATTRIBUTES = 4;
const LINK_DROPPED_ATTRIBUTES = 5;
const LINK_FLAGS = 6;
const STATUS_MESSAGE = 2;
const STATUS_CODE = 3;
const KEY_VALUE_KEY = 1;
const KEY_VALUE_VALUE = 2;
const ANY_STRING = 1;
const ANY_BOOL = 2;
const ANY_INT = 3;
const ANY_DOUBLE = 4;
const ANY_ARRAY = 5;
const ARRAY_VALUES = 1;

// Scratch space for timestamps (encoding is synchronous, so one is enough).
const nanos = { low: 0, high: 0 };

function anyValue(w: ProtobufWriter, field: number, value: AttributeValue): void {
  const start = w.begin(field);
  switch (valueKind(value)) {
    case 'string':
      w.string(ANY_STRING, value as string, true);
      break;
    case 'bool':
      // AnyValue is a oneof: a member is present even at its default, so false and 0 are written.
      w.uintAlways(ANY_BOOL, value === true ? 1 : 0);
      break;
    case 'int':
      if ((value as number) < 0) w.int64(ANY_INT, value as number);
      else w.uintAlways(ANY_INT, value as number);
      break;
    case 'double':
      w.double(ANY_DOUBLE, value as number);
      break;
    default: {
      const array = w.begin(ANY_ARRAY);
      for (const item of value as ReadonlyArray<string | number | boolean>) anyValue(w, ARRAY_VALUES, item);
      w.end(array);
    }
  }
  w.end(start);
}

function keyValues(w: ProtobufWriter, field: number, attributes: Attributes): void {
  for (const key of Object.keys(attributes)) {
    const start = w.begin(field);
    w.string(KEY_VALUE_KEY, key);
    anyValue(w, KEY_VALUE_VALUE, attributes[key]!);
    w.end(start);
  }
}

function event(w: ProtobufWriter, e: SpanEvent): void {
  const start = w.begin(SPAN_EVENTS);
  unixNanosHalves(e.time, nanos);
  w.fixed64(EVENT_TIME, nanos.low, nanos.high);
  w.string(EVENT_NAME, e.name);
  keyValues(w, EVENT_ATTRIBUTES, e.attributes);
  w.uint(EVENT_DROPPED_ATTRIBUTES, e.droppedAttributesCount);
  w.end(start);
}

function link(w: ProtobufWriter, l: SpanLink): void {
  const start = w.begin(SPAN_LINKS);
  w.hexBytes(LINK_TRACE_ID, l.context.traceId);
  w.hexBytes(LINK_SPAN_ID, l.context.spanId);
  w.string(LINK_TRACE_STATE, l.context.traceState?.serialize() ?? '');
  keyValues(w, LINK_ATTRIBUTES, l.attributes ?? {});
  w.uint(LINK_DROPPED_ATTRIBUTES, l.droppedAttributesCount ?? 0);
  w.fixed32(LINK_FLAGS, linkFlags(l.context));
  w.end(start);
}

function span(w: ProtobufWriter, s: ReadableSpan): void {
  const start = w.begin(SCOPE_SPANS_SPANS);
  w.hexBytes(SPAN_TRACE_ID, s.traceId);
  w.hexBytes(SPAN_SPAN_ID, s.spanId);
  w.string(SPAN_TRACE_STATE, s.traceState?.serialize() ?? '');
  w.hexBytes(SPAN_PARENT_SPAN_ID, s.parentSpanId ?? '');
  w.string(SPAN_NAME, s.name);
  w.uint(SPAN_KIND, otlpSpanKind(s.kind));
  unixNanosHalves(s.startTime, nanos);
  w.fixed64(SPAN_START, nanos.low, nanos.high);
  unixNanosHalves(s.endTime, nanos);
  w.fixed64(SPAN_END, nanos.low, nanos.high);
  keyValues(w, SPAN_ATTRIBUTES, s.attributes);
  w.uint(SPAN_DROPPED_ATTRIBUTES, s.droppedAttributesCount);
  for (const e of s.events) event(w, e);
  w.uint(SPAN_DROPPED_EVENTS, s.droppedEventsCount);
  for (const l of s.links) link(w, l);
  w.uint(SPAN_DROPPED_LINKS, s.droppedLinksCount);
  const status = w.begin(SPAN_STATUS);
  w.string(STATUS_MESSAGE, s.status.message ?? '');
  w.uint(STATUS_CODE, s.status.code);
  w.end(status);
  w.fixed32(SPAN_FLAGS, spanFlags(s));
  w.end(start);
}

/**
 * An ExportTraceServiceRequest in protobuf, written by our own encoder (no protobuf library:
 * the schema is small and fixed; see bench/otlp.js for the comparison that chose this).
 *
 * @example
 * const body = toOtlpProtobuf(spans, { name: 'tracewell', version: VERSION });
 */
export function toOtlpProtobuf(spans: ReadonlyArray<ReadableSpan>, scope: InstrumentationScope, extraResource?: Attributes): Uint8Array {
  const w = new ProtobufWriter(512 + spans.length * 256);
  for (const group of groupByResource(spans)) {
    const resourceSpans = w.begin(REQUEST_RESOURCE_SPANS);
    const resource = w.begin(RESOURCE_SPANS_RESOURCE);
    keyValues(w, RESOURCE_ATTRIBUTES, resourceAttributes(group.resource, extraResource));
    w.end(resource);
    const scopeSpans = w.begin(RESOURCE_SPANS_SCOPE_SPANS);
    const scopeMessage = w.begin(SCOPE_SPANS_SCOPE);
    w.string(SCOPE_NAME, scope.name);
    w.string(SCOPE_VERSION, scope.version);
    w.end(scopeMessage);
    for (const s of group.spans) span(w, s);
    w.end(scopeSpans);
    w.end(resourceSpans);
  }
  return w.finish();
}
