import { SpanStatusCode, type AttributeValue, type ReadableSpan } from '@tracewell/core';

// Tag names for what Zipkin has no field for, from OpenTelemetry's "Zipkin exporter" and
// "non-OTLP exporters" specifications, so OpenTelemetry-aware Zipkin UIs and queries agree.
const STATUS_CODE_TAG = 'otel.status_code';
const ERROR_TAG = 'error';
const DROPPED_TAGS = [
  ['droppedAttributesCount', 'otel.dropped_attributes_count'],
  ['droppedEventsCount', 'otel.dropped_events_count'],
  ['droppedLinksCount', 'otel.dropped_links_count'],
] as const;

/** An attribute value as a tag value: Zipkin tags are strings, so arrays become JSON. */
export function tagValue(value: AttributeValue): string {
  return typeof value === 'string' ? value : Array.isArray(value) ? JSON.stringify(value) : String(value);
}

/**
 * A span's Zipkin tags: resource attributes other than `service.name` (that one is the local
 * endpoint), then span attributes (which win on conflict), then the status and drop counts.
 * `undefined` when there are none, so the JSON stays small.
 */
export function tagsOf(span: ReadableSpan): Record<string, string> | undefined {
  // A null-prototype map: attribute keys such as `__proto__` stay plain data.
  const tags = Object.create(null) as Record<string, string>;
  let empty = true;
  const resource = span.resource.attributes;
  for (const key of Object.keys(resource)) {
    if (key === 'service.name') continue;
    tags[key] = tagValue(resource[key]!);
    empty = false;
  }
  const attributes = span.attributes;
  for (const key of Object.keys(attributes)) {
    tags[key] = tagValue(attributes[key]!);
    empty = false;
  }
  // Zipkin marks a span failed by the presence of an `error` tag; its value is the message.
  if (span.status.code === SpanStatusCode.ERROR) {
    tags[ERROR_TAG] = span.status.message ?? '';
    tags[STATUS_CODE_TAG] = 'ERROR';
    empty = false;
  } else if (span.status.code === SpanStatusCode.OK) {
    tags[STATUS_CODE_TAG] = 'OK';
    empty = false;
  }
  for (const [field, tag] of DROPPED_TAGS) {
    if (span[field] > 0) {
      tags[tag] = String(span[field]);
      empty = false;
    }
  }
  return empty ? undefined : tags;
}
