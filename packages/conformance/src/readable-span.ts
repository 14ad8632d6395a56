import { SpanKind, SpanStatusCode, type ReadableSpan } from '@tracewell/core';

/** What a test may set on a fixture span; `debug` is the span context's B3 debug flag. */
export type SpanFields = Partial<Omit<ReadableSpan, 'spanContext'>> & { debug?: boolean };

export const TRACE_ID = '4e441824ec2b6a44ffdc9bb9a6453df3';
export const SPAN_ID = 'ffdc9bb9a6453df3';
export const PARENT_ID = '6b221d5bc9e6496c';
/** 2023-11-14T22:13:20.123456Z */
export const START = 1_700_000_000_123.456;

/**
 * A finished span as an exporter's transform receives it, without a tracer: transforms are
 * pure, so their tests build exactly the input they mean. Defaults describe a root INTERNAL
 * span with no attributes, events or links, from the `checkout` service; `fields` override any.
 */
export function readableSpan(fields: SpanFields = {}): ReadableSpan {
  const { debug, ...rest } = fields;
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
    resource: { attributes: { 'service.name': 'checkout' } },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...rest,
  };
  return {
    ...span,
    spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, sampled: true, ...(debug === undefined ? {} : { debug }) }),
  };
}
