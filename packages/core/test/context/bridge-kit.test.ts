// The two kit functions a bridge to another context API is built on (@tracewell/opentelemetry).
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, suppressTracing } from '../../src';
import { isTracingSuppressed, wrapSpanContext } from '../../src/instrumentation';

const exporter = new InMemorySpanExporter();
const tracer = createTracer({ sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
const REMOTE = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true, isRemote: true };

it('wrapSpanContext: made active, the context is the parent of spans started inside, and records nothing itself', () => {
  const wrapped = wrapSpanContext(REMOTE, tracer);
  expect(wrapped.isRecording()).toBe(false);
  expect(wrapped.spanContext()).toBe(REMOTE);
  tracer.withSpan(wrapped, () => tracer.startSpan('inside').end());
  wrapped.child('child').end();
  expect(exporter.getFinishedSpans().map((s) => [s.name, s.traceId, s.parentSpanId, s.parentIsRemote])).toEqual([
    ['inside', REMOTE.traceId, REMOTE.spanId, true],
    ['child', REMOTE.traceId, REMOTE.spanId, true],
  ]);
  // Without a tracer there is nothing to start children with: child() is the span itself.
  const alone = wrapSpanContext(REMOTE);
  expect(alone.child('no tracer')).toBe(alone);
});

it('isTracingSuppressed: true only inside suppressTracing(), where currentSpan() is just undefined', () => {
  expect(isTracingSuppressed(tracer)).toBe(false);
  tracer.startActiveSpan('active', () => {
    expect(isTracingSuppressed(tracer)).toBe(false);
    suppressTracing(() => {
      expect(tracer.currentSpan()).toBeUndefined();
      expect(isTracingSuppressed(tracer)).toBe(true);
    });
  });
  expect(isTracingSuppressed({ ...tracer })).toBe(false);
});
