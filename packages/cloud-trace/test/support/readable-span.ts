import { SpanKind, SpanStatusCode, type Attributes, type ReadableSpan, type SpanEvent, type SpanLink } from '@tracewell/core';

/** What a test may set on a fixture span (everything but the `spanContext()` method). */
export type SpanFields = Partial<Omit<ReadableSpan, 'spanContext'>>;

export const PROJECT_ID = 'proj-1';
export const TRACE_ID = '4e441824ec2b6a44ffdc9bb9a6453df3';
export const SPAN_ID = 'ffdc9bb9a6453df3';
export const PARENT_ID = '6b221d5bc9e6496c';
/** 2023-11-14T22:13:20.123456Z */
export const START = 1_700_000_000_123.456;
export const SERVICE = 'checkout';

/**
 * A finished span as the transform receives it, without a tracer: the transform is pure, so
 * its tests build exactly the input they mean. Defaults describe a root INTERNAL span with no
 * attributes, events or links, from the `checkout` service; `fields` override any of them.
 */
export function readableSpan(fields: SpanFields = {}): ReadableSpan {
  const span: Omit<ReadableSpan, 'spanContext'> = {
    name: 'work',
    kind: SpanKind.INTERNAL,
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    parentSpanId: undefined,
    parentIsRemote: false,
    traceState: undefined,
    startTime: START,
    endTime: START + 2.5,
    attributes: {},
    events: [],
    links: [],
    status: { code: SpanStatusCode.UNSET },
    resource: { attributes: { 'service.name': SERVICE } },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...fields,
  };
  return {
    ...span,
    spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, sampled: true }),
  };
}

/** A span event (annotation); `time` defaults to 1 ms after START. */
export function spanEvent(name: string, attributes: Attributes = {}, fields: Partial<Omit<SpanEvent, 'name' | 'attributes'>> = {}): SpanEvent {
  return { name, time: START + 1, attributes, droppedAttributesCount: 0, ...fields };
}

/** A link to span `spanId` (16 hex digits) of trace `traceId` (32 hex digits). */
export function spanLink(traceId: string, spanId: string, attributes?: Attributes, droppedAttributesCount?: number): SpanLink {
  return {
    context: { traceId, spanId, sampled: true },
    ...(attributes === undefined ? {} : { attributes }),
    ...(droppedAttributesCount === undefined ? {} : { droppedAttributesCount }),
  };
}

/** `count` distinct attributes `${prefix}00`, `${prefix}01`, ... with string values `v0`, `v1`, ... */
export function manyAttributes(count: number, prefix = 'a'): Attributes {
  const out: Attributes = {};
  for (let i = 0; i < count; i++) out[`${prefix}${String(i).padStart(2, '0')}`] = `v${i}`;
  return out;
}

/** A 16-hex-digit span id made from `n` (distinct for distinct n). */
export function hexSpanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}
