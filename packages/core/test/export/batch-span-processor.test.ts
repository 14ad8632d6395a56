import { BatchSpanProcessor, createTracer, type BatchSpanProcessorOptions, type ExportResult, type ReadableSpan, type SpanExporter } from '../../src';
import { FakeClock, settle } from '../support/fake-clock';
import { recordingLogger } from '../support/memory-tracer';

/** An exporter whose answers a test scripts; records every call. */
class ScriptedExporter implements SpanExporter {
  readonly calls: Array<{ names: string[]; at: number }> = [];
  readonly delivered: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly clock: FakeClock,
    private readonly answer: (call: number) => ExportResult | Promise<ExportResult> = () => ({ code: 'success' }),
  ) {}
  async export(spans: ReadonlyArray<ReadableSpan>): Promise<ExportResult> {
    const call = this.calls.push({ names: spans.map((s) => s.name), at: this.clock.now() }) - 1;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const result = await this.answer(call);
      if (result.code === 'success') this.delivered.push(...spans.map((s) => s.name));
      return result;
    } finally {
      this.inFlight--;
    }
  }
  async shutdown(): Promise<void> {}
}

function setup(answer?: (call: number) => ExportResult | Promise<ExportResult>, options: BatchSpanProcessorOptions = {}) {
  const clock = new FakeClock();
  const logger = recordingLogger();
  const exporter = new ScriptedExporter(clock, answer);
  const processor = new BatchSpanProcessor(exporter, { clock, logger, random: () => 0.5, ...options });
  const tracer = createTracer({ sampler: 'always_on', spanProcessors: [processor] });
  const end = (n: number, prefix = 's') => {
    for (let i = 0; i < n; i++) tracer.startSpan(`${prefix}${i}`).end();
  };
  return { clock, logger, exporter, processor, tracer, end };
}

describe('BatchSpanProcessor', () => {
  it('sends a partial batch after the scheduled delay, from an unref\'d timer', async () => {
    const { clock, exporter, end } = setup(undefined, { scheduledDelayMillis: 5000 });
    end(3);
    expect(clock.pending()).toEqual([{ in: 5000, keepAlive: false }]);
    await clock.advance(4999);
    expect(exporter.calls).toHaveLength(0);
    await clock.advance(1);
    expect(exporter.calls.map((c) => c.names)).toEqual([['s0', 's1', 's2']]);
  });

  it('sends a full batch at once, but never inside span.end()', async () => {
    const { clock, exporter, end } = setup(undefined, { maxExportBatchSize: 4 });
    end(4);
    expect(exporter.calls).toHaveLength(0);
    await clock.advance(0);
    expect(exporter.calls.map((c) => c.names.length)).toEqual([4]);
  });

  it('keeps at most one export in flight and drains the queue batch after batch', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { clock, exporter, end } = setup(async (call) => {
      if (call === 0) await gate;
      return { code: 'success' };
    }, { maxExportBatchSize: 2 });
    end(7);
    await clock.advance(0);
    expect(exporter.calls).toHaveLength(1);
    release();
    await clock.advance(5000);
    expect(exporter.maxInFlight).toBe(1);
    expect(exporter.delivered).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
  });

  it('drops spans past the queue size, counts them, and warns once', async () => {
    const { clock, exporter, processor, end, logger, tracer } = setup(undefined, { maxQueueSize: 10, maxExportBatchSize: 10 });
    end(25);
    expect(processor.stats()).toMatchObject({ queued: 10, dropped: { queueFull: 15 } });
    expect(logger.messages).toEqual(['span queue full (10): dropping spans until the exporter catches up']);
    await clock.advance(0);
    expect(exporter.delivered).toHaveLength(10);
    expect(tracer.stats()).toMatchObject({ spansEnded: 25, spansExported: 10, spansDropped: { queueFull: 15, exportFailed: 0, shutdown: 0 }, queued: 0 });
  });

  it('retries retryable failures with exponential backoff and full jitter until success', async () => {
    const answers: ExportResult[] = [{ code: 'retryable' }, { code: 'retryable' }, { code: 'retryable' }, { code: 'success' }];
    const { clock, exporter, processor, end } = setup((call) => answers[call]!, { initialBackoffMillis: 1000, maxBackoffMillis: 3000 });
    end(2);
    await clock.advance(5000);
    await clock.advance(10_000);
    // random() = 0.5: half of the caps 1000, 2000, 3000 (capped).
    const gaps = exporter.calls.slice(1).map((c, i) => c.at - exporter.calls[i]!.at);
    expect(gaps).toEqual([500, 1000, 1500]);
    expect(exporter.delivered).toEqual(['s0', 's1']);
    expect(processor.stats()).toMatchObject({ exported: 2, exportAttempts: 4, exportFailures: 3, dropped: { exportFailed: 0 } });
  });

  it('honours retry-after over its own backoff', async () => {
    const { clock, exporter, end } = setup((call) => (call === 0 ? { code: 'retryable', retryAfterMillis: 7000 } : { code: 'success' }));
    end(1);
    await clock.advance(5000);
    await clock.advance(6999);
    expect(exporter.calls).toHaveLength(1);
    await clock.advance(1);
    expect(exporter.delivered).toEqual(['s0']);
  });

  it('drops a batch after the last attempt and counts it; warns at most once a minute', async () => {
    const { clock, processor, end, logger } = setup(() => ({ code: 'retryable', error: new Error('503') }), { maxAttempts: 3, scheduledDelayMillis: 100 });
    end(2, 'a');
    await clock.advance(10_000);
    end(3, 'b');
    await clock.advance(10_000);
    expect(processor.stats()).toMatchObject({ exportAttempts: 6, exportFailures: 6, dropped: { exportFailed: 5 } });
    expect(logger.messages).toEqual(['dropped 2 spans after 3 export attempt(s), last retryable failure: 503']);
    await clock.advance(60_000);
    end(1, 'c');
    await clock.advance(10_000);
    expect(logger.messages[1]).toBe('dropped 1 spans after 3 export attempt(s), last retryable failure: 503 (1 similar warnings suppressed in the last minute)');
  });

  it('counts the spans a failed call says the backend accepted, and retries or drops only the rest', async () => {
    const answers: ExportResult[] = [{ code: 'retryable', accepted: 2 }, { code: 'failed', accepted: 1 }];
    const { clock, exporter, processor, end } = setup((call) => answers[call]!);
    end(5);
    await clock.advance(10_000);
    expect(exporter.calls.map((c) => c.names)).toEqual([['s0', 's1', 's2', 's3', 's4'], ['s2', 's3', 's4']]);
    expect(processor.stats()).toMatchObject({ exported: 3, dropped: { exportFailed: 2 } });
  });

  it('ignores an accepted count that is not a part of the batch', async () => {
    const answers: ExportResult[] = [{ code: 'retryable', accepted: 9 }, { code: 'retryable', accepted: -1 }, { code: 'failed', accepted: 0.5 }];
    const { clock, exporter, processor, end } = setup((call) => answers[call]!);
    end(2);
    await clock.advance(10_000);
    expect(exporter.calls).toHaveLength(3);
    expect(processor.stats()).toMatchObject({ exported: 0, dropped: { exportFailed: 2 } });
  });

  it('does not retry permanent failures or rejections', async () => {
    const { clock, processor, end } = setup((call) => (call === 0 ? { code: 'failed' } : Promise.reject(new Error('boom'))), { maxExportBatchSize: 1 });
    end(2);
    await clock.advance(10_000);
    expect(processor.stats()).toMatchObject({ exportAttempts: 2, exportFailures: 2, dropped: { exportFailed: 2 } });
  });

  it('gives up on a hung export at the export timeout', async () => {
    const { clock, processor, end } = setup(() => new Promise<ExportResult>(() => undefined), { exportTimeoutMillis: 3000, scheduledDelayMillis: 10 });
    end(1);
    await clock.advance(10);
    await clock.advance(2999);
    expect(processor.stats().dropped.exportFailed).toBe(0);
    await clock.advance(1);
    expect(processor.stats()).toMatchObject({ exportFailures: 1, dropped: { exportFailed: 1 } });
  });

  it('stops retrying when the next delay would pass the export timeout', async () => {
    const { clock, processor, exporter, end } = setup(() => ({ code: 'retryable', retryAfterMillis: 20_000 }), { exportTimeoutMillis: 30_000, maxAttempts: 10 });
    end(1);
    await clock.advance(120_000);
    expect(exporter.calls).toHaveLength(2);
    expect(processor.stats().dropped.exportFailed).toBe(1);
  });

  it('flush() exports everything queued, keeping the process alive while it waits', async () => {
    const { clock, exporter, tracer, end } = setup((call) => (call === 0 ? { code: 'retryable' } : { code: 'success' }));
    end(3);
    const flushed = tracer.flush();
    await settle();
    expect(clock.pending().some((t) => t.keepAlive)).toBe(true); // the retry timer, during a flush
    await clock.advance(1000);
    await flushed;
    expect(exporter.delivered).toEqual(['s0', 's1', 's2']);
  });

  it('shutdown() flushes, then refuses spans; idempotent', async () => {
    const { clock, exporter, processor, tracer, end } = setup();
    end(3);
    const first = tracer.shutdown();
    const second = tracer.shutdown();
    await clock.advance(0);
    await Promise.all([first, second]);
    expect(exporter.delivered).toEqual(['s0', 's1', 's2']);
    end(2, 'late');
    expect(processor.stats()).toMatchObject({ queued: 0, dropped: { shutdown: 2 } });
  });

  it('shutdown() drops and counts what is left at its deadline, the batch in flight included', async () => {
    const signals: AbortSignal[] = [];
    const clock = new FakeClock();
    const logger = recordingLogger();
    const hung: SpanExporter = {
      export: (_spans, options) => (signals.push(options!.signal!), new Promise<ExportResult>(() => undefined)),
      shutdown: async () => undefined,
    };
    const processor = new BatchSpanProcessor(hung, { clock, logger, maxExportBatchSize: 2, exportTimeoutMillis: 60_000 });
    const tracer = createTracer({ sampler: 'always_on', spanProcessors: [processor] });
    for (let i = 0; i < 6; i++) tracer.startSpan(`s${i}`).end();
    await clock.advance(0); // the first batch of 2 is in flight, never answered
    const done = tracer.shutdown({ timeoutMillis: 1000 });
    await clock.advance(1000);
    await done;
    // When shutdown() resolves, every ended span is accounted for (it used to say shutdown: 4).
    expect(tracer.stats()).toMatchObject({ spansEnded: 6, spansExported: 0, spansDropped: { queueFull: 0, exportFailed: 0, shutdown: 6 }, queued: 0 });
    expect(signals.map((s) => s.aborted)).toEqual([true]);
    expect(logger.messages).toEqual(['shutdown deadline passed: dropped 4 queued spans', 'shutdown deadline passed: dropped 2 spans being exported']);
    await clock.advance(120_000);
    expect(signals).toHaveLength(1);
  });

  it('shutdown() deadline during a retry wait: the batch is a shutdown drop, never sent again', async () => {
    const { clock, exporter, tracer, end } = setup(() => ({ code: 'retryable', retryAfterMillis: 20_000 }), { exportTimeoutMillis: 60_000, maxAttempts: 5 });
    end(3);
    await clock.advance(5000); // first attempt answered retryable; waiting 20 s to retry
    expect(exporter.calls).toHaveLength(1);
    const done = tracer.shutdown({ timeoutMillis: 1000 });
    await clock.advance(1000);
    await done;
    expect(tracer.stats()).toMatchObject({ spansEnded: 3, spansExported: 0, spansDropped: { exportFailed: 0, shutdown: 3 }, exportAttempts: 1 });
    await clock.advance(60_000);
    expect(exporter.calls).toHaveLength(1);
  });

  it('an answer that arrives after the shutdown deadline is not counted a second time', async () => {
    let answer!: (result: ExportResult) => void;
    const { clock, exporter, tracer, end } = setup(() => new Promise<ExportResult>((resolve) => (answer = resolve)), { exportTimeoutMillis: 60_000 });
    end(2);
    await clock.advance(5000);
    const done = tracer.shutdown({ timeoutMillis: 1000 });
    await clock.advance(1000);
    await done;
    answer({ code: 'success' });
    await clock.advance(0);
    expect(exporter.delivered).toEqual(['s0', 's1']); // the scripted exporter saw success...
    expect(tracer.stats()).toMatchObject({ spansEnded: 2, spansExported: 0, spansDropped: { shutdown: 2 } }); // ...too late to count
  });

  /** The fake clock's timers that would keep a real process alive. */
  const holds = (clock: FakeClock) => clock.pending().filter((t) => t.keepAlive);

  it('holds the process with one ref\'d timer exactly while someone awaits flush() or shutdown()', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { clock, tracer, processor, end } = setup(async (call) => {
      if (call === 0) await gate;
      return { code: 'success' };
    }, { scheduledDelayMillis: 10 });
    end(2);
    await clock.advance(10); // the export is in flight, nobody waits: nothing holds the process
    expect(holds(clock)).toEqual([]);
    const first = processor.forceFlush();
    const second = tracer.flush();
    expect(holds(clock)).toHaveLength(1); // one hold, however many wait
    release();
    await Promise.all([first, second]);
    expect(holds(clock)).toEqual([]);
    end(1, 'late');
    const done = tracer.shutdown({ timeoutMillis: 1000 });
    expect(holds(clock)).toHaveLength(1);
    await clock.advance(0);
    await done;
    expect(holds(clock)).toEqual([]);
    expect(clock.pending()).toEqual([]); // the deadline timer is gone too
  });

  it('shutdown() during a retry wait that began before it: held, resolved at the deadline, every span counted', async () => {
    const { clock, exporter, tracer, end } = setup(() => ({ code: 'retryable', retryAfterMillis: 20_000 }), { exportTimeoutMillis: 60_000, scheduledDelayMillis: 10 });
    end(5);
    await clock.advance(10); // attempt 1 failed; its retry wait started with nobody waiting
    expect(clock.pending()).toEqual([{ in: 20_000, keepAlive: false }]);
    let resolved = false;
    const done = tracer.shutdown({ timeoutMillis: 1000 }).then(() => (resolved = true));
    // The wait began unref'd; the hold now keeps the process alive until shutdown() resolves.
    expect(holds(clock)).toHaveLength(1);
    await clock.advance(999);
    expect(resolved).toBe(false);
    await clock.advance(1);
    expect(resolved).toBe(true);
    await done;
    const stats = tracer.stats();
    expect(stats.spansExported + stats.spansDropped.queueFull + stats.spansDropped.exportFailed + stats.spansDropped.shutdown).toBe(stats.spansEnded);
    expect(stats).toMatchObject({ spansEnded: 5, spansExported: 0, spansDropped: { queueFull: 0, exportFailed: 0, shutdown: 5 }, queued: 0, exportAttempts: 1 });
    expect(clock.pending()).toEqual([]); // no retry wait, no hold left behind
    await clock.advance(60_000);
    expect(exporter.calls).toHaveLength(1);
  });

  it('an exporter whose shutdown hangs gets the rest of the deadline, not more', async () => {
    const clock = new FakeClock();
    const logger = recordingLogger();
    const exporter: SpanExporter = { export: async () => ({ code: 'success' }), shutdown: () => new Promise<void>(() => undefined) };
    const processor = new BatchSpanProcessor(exporter, { clock, logger });
    const tracer = createTracer({ sampler: 'always_on', spanProcessors: [processor] });
    tracer.startSpan('s').end();
    let resolved = false;
    const done = tracer.shutdown({ timeoutMillis: 1000 }).then(() => (resolved = true));
    await clock.advance(999); // flushed at once; the exporter's shutdown is what hangs
    expect(tracer.stats()).toMatchObject({ spansExported: 1 });
    expect(resolved).toBe(false);
    await clock.advance(1);
    await done;
    expect(logger.messages).toEqual(['exporter shutdown did not finish by the shutdown deadline']);
    expect(holds(clock)).toEqual([]);
  });

  it('an exporter whose export and shutdown both hang: shutdown() still resolves at the deadline', async () => {
    const clock = new FakeClock();
    const logger = recordingLogger();
    const exporter: SpanExporter = { export: () => new Promise<ExportResult>(() => undefined), shutdown: () => new Promise<void>(() => undefined) };
    const processor = new BatchSpanProcessor(exporter, { clock, logger, scheduledDelayMillis: 10, maxExportBatchSize: 2 });
    const tracer = createTracer({ sampler: 'always_on', spanProcessors: [processor] });
    for (let i = 0; i < 5; i++) tracer.startSpan(`s${i}`).end();
    await clock.advance(10);
    let resolved = false;
    const done = tracer.shutdown({ timeoutMillis: 500 }).then(() => (resolved = true));
    await clock.advance(500);
    expect(resolved).toBe(true);
    await done;
    expect(tracer.stats()).toMatchObject({ spansEnded: 5, spansExported: 0, spansDropped: { shutdown: 5 }, queued: 0 });
    expect(logger.messages).toEqual([
      'shutdown deadline passed: dropped 3 queued spans',
      'shutdown deadline passed: dropped 2 spans being exported',
      'exporter shutdown did not finish by the shutdown deadline',
    ]);
    expect(clock.pending()).toEqual([]);
  });

  it.each([Infinity, Number.NaN, -5])('shutdown({ timeoutMillis: %p }) gets a deadline a timer can keep', async (timeoutMillis) => {
    const { clock, tracer } = setup();
    const done = tracer.shutdown({ timeoutMillis });
    // A Node timer past 2^31-1 ms fires after 1 ms: the deadline is clamped to that instead.
    expect(clock.pending()).toEqual([
      { in: 2 ** 31 - 1, keepAlive: true }, // the hold
      { in: timeoutMillis === Infinity ? 2 ** 31 - 1 : 0, keepAlive: false }, // the deadline
    ]);
    await done;
  });

  it.each([
    [{ maxQueueSize: 0 }, /"options.maxQueueSize": expected an integer >= 1, got 0/],
    [{ maxExportBatchSize: 4096 }, /"options.maxExportBatchSize": expected an integer no larger than maxQueueSize \(2048\), got 4096/],
    [{ scheduledDelayMillis: 1.5 }, /"options.scheduledDelayMillis": expected an integer >= 1/],
  ])('rejects %p at construction', (options, message) => {
    expect(() => new BatchSpanProcessor({ export: async () => ({ code: 'success' }), shutdown: async () => undefined }, options)).toThrow(message);
  });
});
