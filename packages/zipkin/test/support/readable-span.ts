// The shared fixture-span builder (packages/conformance/src/readable-span.ts).
export { readableSpan, TRACE_ID, SPAN_ID, PARENT_ID, START } from '@tracewell/conformance';
export type { SpanFields } from '@tracewell/conformance';
