import { traceLogFields } from '../src';
import { memoryTracer } from './support/memory-tracer';

describe('traceLogFields', () => {
  it('gives trace_id, span_id and trace_flags of the active span, {} outside one', () => {
    const { tracer } = memoryTracer();
    expect(traceLogFields()).toEqual({});
    tracer.startActiveSpan('work', (span) => {
      expect(traceLogFields()).toEqual({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId, trace_flags: '03' });
    });
  });

  it('follows the span it is given, including unsampled ones', () => {
    const { tracer } = memoryTracer({ sampler: 'always_off' });
    const span = tracer.startSpan('x', { parent: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: false } });
    expect(traceLogFields(span)).toEqual({ trace_id: 'a'.repeat(32), span_id: span.spanContext().spanId, trace_flags: '00' });
  });
});
