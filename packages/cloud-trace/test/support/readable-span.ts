import { START } from '@tracewell/conformance';
import type { Attributes, SpanEvent, SpanLink } from '@tracewell/core';

// The shared fixture-span builder (packages/conformance/src/readable-span.ts), plus the
// Cloud Trace tests' own helpers below.
export { readableSpan, TRACE_ID, SPAN_ID, PARENT_ID, START } from '@tracewell/conformance';
export type { SpanFields } from '@tracewell/conformance';

export const PROJECT_ID = 'proj-1';
export const SERVICE = 'checkout';

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
