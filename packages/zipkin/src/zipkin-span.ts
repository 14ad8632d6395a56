import { SpanKind, type ReadableSpan } from '@tracewell/core';
import { toMicros } from './micros';
import { remoteEndpointFromAttributes } from './remote-endpoint';
import { annotationsOf } from './zipkin-annotations';
import type { ZipkinEndpoint, ZipkinSpan } from './zipkin-model';
import { tagsOf } from './zipkin-tags';

const KIND: Readonly<Partial<Record<SpanKind, ZipkinSpan['kind']>>> = {
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.CLIENT]: 'CLIENT',
  [SpanKind.PRODUCER]: 'PRODUCER',
  [SpanKind.CONSUMER]: 'CONSUMER',
  // INTERNAL has no Zipkin kind: "when absent, the span is local".
};

function localEndpointOf(span: ReadableSpan): ZipkinEndpoint | undefined {
  const serviceName = span.resource.attributes['service.name'];
  // Zipkin lower-cases service names when it stores them; sending them lower-cased means the
  // name in the UI is the one we sent.
  return typeof serviceName === 'string' && serviceName !== '' ? { serviceName: serviceName.toLowerCase() } : undefined;
}

/**
 * Converts a finished span to Zipkin's v2 JSON model. Pure: no I/O, no clock, no shared state.
 *
 * - `name` is lower-cased (Zipkin does so on ingest); `kind` is omitted for INTERNAL spans.
 * - `timestamp` / `duration` are integer microseconds; `duration` is at least 1, as the API asks.
 * - `localEndpoint.serviceName` is the resource's `service.name`; CLIENT spans get a
 *   `remoteEndpoint` from `server.address` / `server.port`.
 * - Tags: resource attributes (but `service.name`), span attributes, `error` and
 *   `otel.status_code` from the status, `otel.dropped_*_count` when something was dropped.
 * - Events become annotations. `shared` is never set: a Tracewell server span has its own id,
 *   it never reuses the caller's. `debug` is set for B3 debug traces.
 *
 * @param span - a span as exporters receive it
 * @example
 * const body = JSON.stringify(spans.map(toZipkinSpan)); // a Zipkin ListOfSpans
 */
export function toZipkinSpan(span: ReadableSpan): ZipkinSpan {
  const timestamp = toMicros(span.startTime);
  // Both ends rounded the same way, so timestamp + duration is the rounded end time.
  const duration = Math.max(1, toMicros(span.endTime) - timestamp);
  const zipkin: ZipkinSpan = { traceId: span.traceId, id: span.spanId, timestamp, duration };
  if (span.parentSpanId !== undefined && span.parentSpanId !== '') zipkin.parentId = span.parentSpanId;
  const kind = KIND[span.kind];
  if (kind !== undefined) zipkin.kind = kind;
  if (span.name !== '') zipkin.name = span.name.toLowerCase();
  if (span.spanContext().debug === true) zipkin.debug = true;
  const local = localEndpointOf(span);
  if (local !== undefined) zipkin.localEndpoint = local;
  if (span.kind === SpanKind.CLIENT) {
    const remote = remoteEndpointFromAttributes(span.attributes);
    if (remote !== undefined) zipkin.remoteEndpoint = remote;
  }
  const annotations = annotationsOf(span.events);
  if (annotations !== undefined) zipkin.annotations = annotations;
  const tags = tagsOf(span);
  if (tags !== undefined) zipkin.tags = tags;
  return zipkin;
}
