import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import {
  alwaysOffSampler,
  alwaysOnSampler,
  createTracer,
  DEFAULT_ROOT_TRACES_PER_SECOND,
  parentBasedSampler,
  rateLimitedSampler,
  SpanKind,
  traceIdRatioSampler,
  tracerOptionsFromEnv,
  type SpanContext,
} from '../../src';
import { FakeClock } from '../support/fake-clock';
import { recordingLogger } from '../support/memory-tracer';

/** Deterministic, well-spread trace ids. */
const traceIdFor = (i: number) => createHash('sha256').update(String(i)).digest('hex').slice(0, 32);
const decide = (sampler: ReturnType<typeof traceIdRatioSampler>, traceId: string, parent?: SpanContext) =>
  sampler.shouldSample({ traceId, name: 's', kind: SpanKind.SERVER, attributes: undefined, parent }).sampled;

describe('traceidratio', () => {
  it('keeps about the configured fraction of traces', () => {
    for (const ratio of [0.01, 0.25, 0.5, 0.9]) {
      const sampler = traceIdRatioSampler(ratio);
      let kept = 0;
      for (let i = 0; i < 20_000; i++) if (decide(sampler, traceIdFor(i))) kept++;
      expect(kept / 20_000).toBeGreaterThan(ratio * 0.9);
      expect(kept / 20_000).toBeLessThan(ratio * 1.1 + 0.002);
    }
  });

  it('decides from the trace id alone, so separate tracers (services) agree', () => {
    const header = (traceId: string) => ({ 'x-cloud-trace-context': `${traceId}/1` }); // no decision sent
    const a = createTracer({ sampler: parentBasedSampler(traceIdRatioSampler(0.3)) });
    const b = createTracer({ sampler: parentBasedSampler(traceIdRatioSampler(0.3)) });
    let sampled = 0;
    for (let i = 0; i < 500; i++) {
      const traceId = traceIdFor(i);
      const inA = a.startSpan('s', { parent: a.extract(header(traceId)) }).isRecording();
      const inB = b.startSpan('s', { parent: b.extract(header(traceId)) }).isRecording();
      expect(inA).toBe(inB);
      if (inA) sampled++;
    }
    expect(sampled).toBeGreaterThan(0);
    expect(sampled).toBeLessThan(500);
  });

  it('reads the right-most 56 bits: a larger ratio keeps a superset of a smaller one', () => {
    const high = `${'0'.repeat(18)}${'f'.repeat(14)}`;
    const low = `${'f'.repeat(18)}${'0'.repeat(14)}`;
    expect(decide(traceIdRatioSampler(0.0001), high)).toBe(true);
    expect(decide(traceIdRatioSampler(0.9999), low)).toBe(false);
    expect(decide(traceIdRatioSampler(1), low)).toBe(true);
    expect(decide(traceIdRatioSampler(0), high)).toBe(false);
    for (let i = 0; i < 2000; i++) {
      if (decide(traceIdRatioSampler(0.2), traceIdFor(i))) expect(decide(traceIdRatioSampler(0.6), traceIdFor(i))).toBe(true);
    }
  });

  it.each([-0.1, 1.5, Number.NaN, '0.5'])('rejects ratio %p with a TypeError naming it', (ratio) => {
    expect(() => traceIdRatioSampler(ratio as number)).toThrow(/"traceIdRatioSampler\(ratio\)": expected a number from 0 to 1/);
  });
});

describe('ratelimited', () => {
  it('admits about N root traces per second over simulated seconds, without timers', async () => {
    const clock = new FakeClock();
    const sampler = rateLimitedSampler(10, clock);
    const perSecond: number[] = [];
    for (let second = 0; second < 5; second++) {
      let admitted = 0;
      for (let i = 0; i < 1000; i++) {
        if (sampler.shouldSample({ traceId: traceIdFor(i), name: 's', kind: SpanKind.SERVER, attributes: undefined, parent: undefined }).sampled) admitted++;
        await clock.advance(1);
      }
      perSecond.push(admitted);
    }
    expect(clock.pending()).toEqual([]);
    expect(perSecond[0]).toBeGreaterThanOrEqual(10); // the bucket starts full: a burst of 10
    expect(perSecond[0]).toBeLessThanOrEqual(20);
    for (const n of perSecond.slice(1)) expect(n).toBe(10);
  });

  it('supports fractional rates and zero', async () => {
    const clock = new FakeClock();
    const half = rateLimitedSampler(0.5, clock);
    const sample = () => half.shouldSample({ traceId: traceIdFor(1), name: 's', kind: SpanKind.SERVER, attributes: undefined, parent: undefined }).sampled;
    const decisions: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      decisions.push(sample());
      await clock.advance(1000);
    }
    expect(decisions.filter(Boolean)).toHaveLength(5);
    expect(rateLimitedSampler(0).shouldSample({ traceId: traceIdFor(1), name: 's', kind: SpanKind.SERVER, attributes: undefined, parent: undefined }).sampled).toBe(false);
  });
});

describe('parent-based', () => {
  const remote = (sampled: boolean | undefined, debug = false): SpanContext => ({ traceId: traceIdFor(7), spanId: '00f067aa0ba902b7', sampled, debug, isRemote: true });

  it('follows the remote flags and asks the root sampler only without a decision', () => {
    expect(decide(parentBasedSampler(alwaysOffSampler), traceIdFor(7), remote(true))).toBe(true);
    expect(decide(parentBasedSampler(alwaysOnSampler), traceIdFor(7), remote(false))).toBe(false);
    expect(decide(parentBasedSampler(alwaysOffSampler), traceIdFor(7), remote(false, true))).toBe(true);
    expect(decide(parentBasedSampler(alwaysOnSampler), traceIdFor(7), remote(undefined))).toBe(true);
    expect(decide(parentBasedSampler(alwaysOffSampler), traceIdFor(7), remote(undefined))).toBe(false);
  });

  it('follows real headers through a tracer', () => {
    const tracer = createTracer({ sampler: 'parentbased_always_off' });
    const span = (headers: Record<string, string>) => tracer.startSpan('s', { parent: tracer.extract(headers) });
    expect(span({ traceparent: `00-${traceIdFor(1)}-00f067aa0ba902b7-01` }).isRecording()).toBe(true);
    expect(span({ b3: `${traceIdFor(1)}-00f067aa0ba902b7-d` }).isRecording()).toBe(true);
    expect(span({ 'x-cloud-trace-context': `${traceIdFor(1)}/5;o=1` }).isRecording()).toBe(true);
    expect(span({ 'x-cloud-trace-context': `${traceIdFor(1)}/5` }).isRecording()).toBe(false);
  });
});

describe('default sampler', () => {
  it(`is parent-based with at most ${DEFAULT_ROOT_TRACES_PER_SECOND} new root traces per second`, () => {
    const tracer = createTracer();
    const roots = Array.from({ length: 100 }, () => tracer.startSpan('root'));
    expect(roots.filter((s) => s.isRecording())).toHaveLength(DEFAULT_ROOT_TRACES_PER_SECOND);
    const unsampledRoot = roots.find((s) => !s.isRecording())!;
    expect(unsampledRoot.child('child').isRecording()).toBe(false);
    const remote = tracer.extract({ traceparent: `00-${traceIdFor(3)}-00f067aa0ba902b7-01` });
    expect(tracer.startSpan('continued', { parent: remote }).isRecording()).toBe(true);
    expect(tracer.stats()).toMatchObject({ spansStarted: 102, spansSampled: DEFAULT_ROOT_TRACES_PER_SECOND + 1 });
  });
});

describe('OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG', () => {
  it('builds the named sampler with its argument', () => {
    const logger = recordingLogger();
    const options = tracerOptionsFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, logger);
    expect(String(options.sampler)).toBe('ParentBased{root=TraceIdRatio{0.25}}');
    expect(String(tracerOptionsFromEnv({ OTEL_TRACES_SAMPLER: 'ratelimited', OTEL_TRACES_SAMPLER_ARG: '2' }, logger).sampler)).toBe('RateLimited{2/s}');
    expect(tracerOptionsFromEnv({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.1' }, logger).sampler).toBe('always_on');
    expect(logger.messages).toEqual([]);
  });

  it('warns and uses the default argument for an invalid one', () => {
    const logger = recordingLogger();
    const options = tracerOptionsFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }, logger);
    expect(options.sampler).toBe('traceidratio');
    expect(logger.messages).toEqual(['OTEL_TRACES_SAMPLER_ARG: expected a ratio from 0 to 1 for traceidratio, got "half"; using its default']);
  });
});

describe('upstreamSampledPerSecond (a caller cannot force the cost)', () => {
  const forced = (tracer: ReturnType<typeof createTracer>, i: number) =>
    tracer.startSpan('GET /', { kind: SpanKind.SERVER, parent: tracer.extract({ traceparent: `00-${traceIdFor(i)}-00f067aa0ba902b7-01` }) });

  it('records at most the cap of upstream-sampled traces, and counts the rest', () => {
    const tracer = createTracer({ upstreamSampledPerSecond: 50 });
    const started = performance.now();
    const spans = Array.from({ length: 500 }, (_, i) => forced(tracer, i));
    const elapsed = performance.now() - started;
    const recorded = spans.filter((s) => s.isRecording()).length;
    expect(recorded).toBeGreaterThanOrEqual(50);
    // A burst of 50, plus what refills while the loop runs (50 a second): however slow the machine.
    expect(recorded).toBeLessThanOrEqual(50 + Math.ceil((elapsed * 50) / 1000) + 1);
    expect(tracer.stats().upstreamSampledCapped).toBe(500 - recorded);
    const capped = spans.find((s) => !s.isRecording())!;
    expect(capped.spanContext().sampled).toBe(false); // the trace continues unsampled downstream
    expect(capped.spanContext().traceId).toBe(traceIdFor(spans.indexOf(capped)));
  });

  it(`defaults to ${1000}/s, leaves local children and new roots alone, and Infinity turns it off`, () => {
    const defaults = createTracer({ sampler: 'parentbased_always_on' });
    const started = performance.now();
    const spans = Array.from({ length: 1500 }, (_, i) => forced(defaults, i));
    const elapsed = performance.now() - started;
    const recorded = spans.filter((s) => s.isRecording()).length;
    expect(recorded).toBeGreaterThanOrEqual(1000);
    // The burst of 1000, plus one a millisecond while the loop runs, and no more.
    expect(recorded).toBeLessThanOrEqual(1000 + Math.ceil(elapsed) + 1);
    const root = defaults.startSpan('local root');
    expect(root.isRecording()).toBe(true);
    expect(root.child('local child').isRecording()).toBe(true);
    const uncapped = createTracer({ upstreamSampledPerSecond: Infinity });
    expect(Array.from({ length: 1500 }, (_, i) => forced(uncapped, i)).every((s) => s.isRecording())).toBe(true);
    expect(uncapped.stats().upstreamSampledCapped).toBe(0);
  });

  it('rejects an invalid cap with a TypeError naming the option', () => {
    expect(() => createTracer({ upstreamSampledPerSecond: -1 })).toThrow(/"upstreamSampledPerSecond": expected a number of traces per second >= 0, or Infinity/);
  });
});
