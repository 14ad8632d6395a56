import { ConsoleSpanExporter, createTracer, InMemorySpanExporter, SimpleSpanProcessor, type ExportResult, type ReadableSpan, type SpanExporter, type Tracer } from '../../src';
import { recordingLogger } from '../support/memory-tracer';

class SlowExporter implements SpanExporter {
  readonly received: string[] = [];
  shutdowns = 0;
  export(spans: ReadonlyArray<ReadableSpan>): Promise<ExportResult> {
    return new Promise((resolve) =>
      setTimeout(() => {
        this.received.push(...spans.map((s) => s.name));
        resolve({ code: 'success' });
      }, 5),
    );
  }
  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

describe('SimpleSpanProcessor', () => {
  it('flush() waits for exports in flight; shutdown() is idempotent and stops exporting', async () => {
    const exporter = new SlowExporter();
    const tracer = createTracer({ exporter });
    tracer.startSpan('a').end();
    tracer.startSpan('b').end();
    expect(exporter.received).toEqual([]);
    await tracer.flush();
    expect(exporter.received.sort()).toEqual(['a', 'b']);
    await Promise.all([tracer.shutdown(), tracer.shutdown()]);
    expect(exporter.shutdowns).toBe(1);
    tracer.startSpan('late').end();
    await tracer.flush();
    expect(exporter.received).not.toContain('late');
  });

  it('reports failed and throwing exports through the logger, never to the caller', async () => {
    const logger = recordingLogger();
    const failing: SpanExporter = { export: async () => ({ code: 'failed', error: new Error('backend said no') }), shutdown: async () => undefined };
    const throwing: SpanExporter = { export: () => Promise.reject(new Error('socket hang up')), shutdown: async () => undefined };
    const tracer = createTracer({ logger, spanProcessors: [new SimpleSpanProcessor(failing, logger), new SimpleSpanProcessor(throwing, logger)] });
    expect(() => tracer.startSpan('s').end()).not.toThrow();
    await tracer.flush();
    expect(logger.messages).toEqual(['span export failed (failed): backend said no', 'span export failed: socket hang up']);
  });

  it('runs exports with tracing suppressed, so an exporter traced by the same tracer does not trace itself', async () => {
    const inner = new InMemorySpanExporter();
    let tracer!: Tracer;
    const selfTracing: SpanExporter = {
      export: async (spans) => {
        await new Promise((r) => setImmediate(r));
        tracer.startSpan('export request').end();
        return inner.export(spans);
      },
      shutdown: async () => undefined,
    };
    tracer = createTracer({ exporter: selfTracing });
    tracer.startSpan('work').end();
    await tracer.flush();
    await tracer.flush(); // a traced export would have queued its own span by now
    expect(inner.getFinishedSpans().map((s) => s.name)).toEqual(['work']);
  });
});

describe('SimpleSpanProcessor shutdown deadline', () => {
  it('an export that never answers: shutdown() resolves at its deadline, aborts it and counts it', async () => {
    const logger = recordingLogger();
    const signals: AbortSignal[] = [];
    let answer!: (result: ExportResult) => void;
    const hung: SpanExporter = {
      export: (_spans, options) => (signals.push(options!.signal!), new Promise<ExportResult>((resolve) => (answer = resolve))),
      shutdown: async () => undefined,
    };
    const tracer = createTracer({ sampler: 'always_on', logger, spanProcessors: [new SimpleSpanProcessor(hung, logger)] });
    tracer.startSpan('stuck').end();
    const started = Date.now();
    await tracer.shutdown({ timeoutMillis: 200 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2000);
    expect(signals.map((s) => s.aborted)).toEqual([true]);
    expect(tracer.stats()).toMatchObject({ spansEnded: 1, spansExported: 0, spansDropped: { exportFailed: 0, shutdown: 1 }, queued: 0 });
    answer({ code: 'success' }); // too late: counted once, as a shutdown drop
    await new Promise((r) => setImmediate(r));
    expect(tracer.stats()).toMatchObject({ spansExported: 0, spansDropped: { shutdown: 1 } });
    expect(logger.messages).toEqual(['shutdown deadline passed: dropped 1 spans being exported']);
  });

  it('an exporter whose shutdown hangs does not hang shutdown()', async () => {
    const logger = recordingLogger();
    const exporter: SpanExporter = { export: async () => ({ code: 'success' }), shutdown: () => new Promise<void>(() => undefined) };
    const tracer = createTracer({ sampler: 'always_on', logger, spanProcessors: [new SimpleSpanProcessor(exporter, logger)] });
    tracer.startSpan('s').end();
    await tracer.shutdown({ timeoutMillis: 100 });
    expect(tracer.stats()).toMatchObject({ spansExported: 1, queued: 0 });
    expect(logger.messages).toEqual(['exporter shutdown did not finish by the shutdown deadline']);
  });
});

describe('ConsoleSpanExporter', () => {
  it('writes one line per span with name, kind, ids, duration, status and attributes', async () => {
    const lines: string[] = [];
    const tracer = createTracer({ exporter: new ConsoleSpanExporter({ write: (l) => void lines.push(l) }) });
    const span = tracer.startSpan('GET /users/:id', { attributes: { 'http.route': '/users/:id' } });
    span.setStatus({ code: 2, message: 'boom' }).end();
    await tracer.flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/users\/:id \[INTERNAL\] trace=[0-9a-f]{32} span=[0-9a-f]{16} \d+\.\d{3}ms ERROR: boom \{"http.route":"\/users\/:id"\}$/);
  });
});
