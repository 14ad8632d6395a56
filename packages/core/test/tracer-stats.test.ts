import { createTracer, InMemorySpanExporter, SimpleSpanProcessor } from '../src';

describe('tracer.stats()', () => {
  it('counts spans started, sampled, ended, exported and data dropped by limits', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = createTracer({
      sampler: 'parentbased_always_on',
      limits: { attributeCountLimit: 1, eventCountLimit: 1, linkCountLimit: 0 },
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const root = tracer.startSpan('root', { attributes: { a: 1, b: 2, c: 3 }, links: [{ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) } }] });
    root.addEvent('one').addEvent('two').addEvent('three');
    root.end();
    const unsampled = tracer.startSpan('remote child', { parent: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: false } });
    unsampled.end();
    await tracer.flush();
    expect(tracer.stats()).toEqual({
      spansStarted: 2,
      spansSampled: 1,
      spansEnded: 1,
      spansExported: 1,
      spansDropped: { queueFull: 0, exportFailed: 0, shutdown: 0 },
      limits: { droppedAttributes: 2, droppedEvents: 2, droppedLinks: 1 },
      upstreamSampledCapped: 0,
      exportAttempts: 1,
      exportFailures: 0,
      queued: 0,
    });
  });

  it('survives a custom processor without stats() or with a throwing one', () => {
    const bare = { onStart() {}, onEnd() {}, forceFlush: async () => undefined, shutdown: async () => undefined };
    const broken = { ...bare, stats: () => { throw new Error('no'); } };
    expect(createTracer({ spanProcessors: [bare, broken] }).stats().spansExported).toBe(0);
  });
});

describe('childSpanCount', () => {
  it('counts recording children started while the span was open', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = createTracer({ sampler: 'parentbased_always_on', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    tracer.startActiveSpan('parent', (parent) => {
      tracer.startSpan('active child').end();
      parent.child('explicit child').end();
      tracer.startSpan('root', { parent: null }).end();
    });
    const byName = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    expect(byName.get('parent')!.childSpanCount).toBe(2);
    expect(byName.get('root')!.childSpanCount).toBe(0);
  });
});
