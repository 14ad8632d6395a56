import type { Attributes, AttributeValue, ReadableSpan, Resource, SpanContext } from '@tracewell/core';

// The parts of the OTLP trace schema (opentelemetry-proto, trace/v1 and common/v1) both
// encodings share: grouping, scope, flags and enum numbering.

/** The instrumentation scope every span is reported under. */
export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
}

/** Spans of one resource, in the order they were given. */
export interface ResourceGroup {
  readonly resource: Resource;
  readonly spans: ReadableSpan[];
}

/** Groups spans by resource (one per tracer, so usually one group). */
export function groupByResource(spans: ReadonlyArray<ReadableSpan>): ResourceGroup[] {
  const groups = new Map<Resource, ReadableSpan[]>();
  for (const span of spans) {
    const list = groups.get(span.resource);
    if (list === undefined) groups.set(span.resource, [span]);
    else list.push(span);
  }
  return [...groups].map(([resource, list]) => ({ resource, spans: list }));
}

/** Resource attributes with any extra ones the exporter adds (e.g. `gcp.project_id`). */
export function resourceAttributes(resource: Resource, extra: Attributes | undefined): Attributes {
  return extra === undefined ? resource.attributes : { ...resource.attributes, ...extra };
}

/** OTLP SpanKind: SPAN_KIND_INTERNAL = 1 ... CONSUMER = 5 (ours start at 0). */
export function otlpSpanKind(kind: number): number {
  return kind + 1;
}

// Span.flags (trace.proto, SpanFlags): bits 0-7 are the W3C trace flags; bit 8 says whether
// the parent's remoteness is known, bit 9 that it is remote.
const SAMPLED = 0x01;
const RANDOM = 0x02;
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

/** Span.flags of a span: its trace flags, and whether its parent is remote. */
export function spanFlags(span: ReadableSpan): number {
  const context = span.spanContext();
  return traceFlags(context) | HAS_IS_REMOTE | (span.parentIsRemote ? IS_REMOTE : 0);
}

/** Span.Link.flags: the linked context's trace flags, and whether it is remote. */
export function linkFlags(context: SpanContext): number {
  return traceFlags(context) | HAS_IS_REMOTE | (context.isRemote === true ? IS_REMOTE : 0);
}

function traceFlags(context: SpanContext): number {
  return (context.sampled === true ? SAMPLED : 0) | (context.randomTraceId === true ? RANDOM : 0);
}

/** The kind of AnyValue an attribute value becomes. */
export function valueKind(value: AttributeValue): 'string' | 'bool' | 'int' | 'double' | 'array' {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'int' : 'double';
  return 'array';
}
