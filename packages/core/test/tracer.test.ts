import {
  createTracer,
  currentSpan,
  getTracer,
  isValidSpanId,
  isValidTraceId,
  setGlobalTracer,
  SpanKind,
  SpanStatusCode,
  suppressTracing,
  TracewellConfigError,
  tracerOptionsFromEnv,
  type Span,
} from '../src';
import { memoryTracer } from './support/memory-tracer';

describe('startSpan', () => {
  it('starts a root span with fresh ids and the resource', () => {
    const { tracer, exporter } = memoryTracer({ serviceName: 'api', resource: { 'deployment.environment.name': 'test' } });
    const span = tracer.startSpan('root', { kind: SpanKind.SERVER, attributes: { a: 1 } });
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(isValidTraceId(finished!.traceId)).toBe(true);
    expect(isValidSpanId(finished!.spanId)).toBe(true);
    expect(finished!.parentSpanId).toBeUndefined();
    expect(finished!.kind).toBe(SpanKind.SERVER);
    expect(finished!.attributes).toEqual({ a: 1 });
    expect(finished!.resource.attributes['service.name']).toBe('api');
    expect(finished!.resource.attributes['deployment.environment.name']).toBe('test');
    expect(finished!.resource.attributes['telemetry.sdk.name']).toBe('tracewell');
    expect(finished!.endTime).toBeGreaterThanOrEqual(finished!.startTime);
  });

  it('defaults the parent to the active span, and parent: null starts a new trace', () => {
    const { tracer } = memoryTracer();
    const outer = tracer.startSpan('outer');
    tracer.withSpan(outer, () => {
      const child = tracer.startSpan('child');
      expect(child.spanContext().traceId).toBe(outer.spanContext().traceId);
      const root = tracer.startSpan('root', { parent: null });
      expect(root.spanContext().traceId).not.toBe(outer.spanContext().traceId);
    });
  });

  it('accepts a remote SpanContext as parent and keeps its tracestate and flags', () => {
    const { tracer, exporter } = memoryTracer();
    const remote = tracer.extract({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'congo=t61rcWkgMzE',
    });
    const span = tracer.startSpan('server', { parent: remote });
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished!.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(finished!.parentSpanId).toBe('b7ad6b7169203331');
    expect(finished!.parentIsRemote).toBe(true);
    expect(span.spanContext().traceState?.serialize()).toBe('congo=t61rcWkgMzE');
    expect(span.spanContext().randomTraceId).toBe(false);
  });

  it('sets the random-trace-id flag on traces it starts', () => {
    const { tracer } = memoryTracer();
    expect(tracer.startSpan('r').spanContext().randomTraceId).toBe(true);
  });

  it('follows an unsampled remote parent with a cheap non-recording span that still propagates', () => {
    const { tracer, exporter } = memoryTracer();
    const remote = tracer.extract({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' });
    const span = tracer.startSpan('server', { parent: remote });
    expect(span.isRecording()).toBe(false);
    span.setAttribute('x', 1).end();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    const headers: Record<string, string> = {};
    tracer.inject(span, headers);
    expect(headers.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/);
    expect(headers.traceparent).not.toContain('b7ad6b7169203331');
  });

  it('lets the local sampler decide when the caller sent no decision', () => {
    const on = memoryTracer().tracer;
    const off = memoryTracer({ sampler: 'parentbased_always_off' }).tracer;
    const headers = { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=' };
    expect(on.startSpan('s', { parent: on.extract(headers) }).isRecording()).toBe(true);
    expect(off.startSpan('s', { parent: off.extract(headers) }).isRecording()).toBe(false);
  });

  it('keeps a B3 deny-only decision on a new trace', () => {
    const { tracer } = memoryTracer();
    const parent = tracer.extract({ b3: '0' });
    const span = tracer.startSpan('s', { parent });
    expect(span.isRecording()).toBe(false);
    expect(isValidTraceId(span.spanContext().traceId)).toBe(true);
    const out: Record<string, string> = {};
    createTracer({ propagators: ['b3'] }).inject(span, out);
    expect(out.b3).toMatch(/^[0-9a-f]{32}-[0-9a-f]{16}-0$/);
  });

  it('records nothing with sampler always_off but still gives valid ids', () => {
    const { tracer, exporter } = memoryTracer({ sampler: 'always_off' });
    const span = tracer.startSpan('x');
    span.end();
    expect(isValidTraceId(span.spanContext().traceId)).toBe(true);
    expect(span.spanContext().sampled).toBe(false);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('treats a throwing sampler as not sampled and reports it', () => {
    const warnings: string[] = [];
    const tracer = createTracer({
      logger: { warn: (m) => void warnings.push(m) },
      sampler: { shouldSample: () => { throw new Error('boom'); }, toString: () => 'Bad' },
    });
    expect(tracer.startSpan('x').isRecording()).toBe(false);
    expect(warnings.join('\n')).toContain('sampler threw');
  });

  it('adds the sampler attributes to the span', () => {
    const { tracer, exporter } = memoryTracer({
      sampler: { shouldSample: () => ({ sampled: true, attributes: { 'sampler.rule': 'all' } }), toString: () => 'Tagging' },
    });
    tracer.startSpan('x').end();
    expect(exporter.getFinishedSpans()[0]!.attributes['sampler.rule']).toBe('all');
  });

  it('span.child() parents to the span without making it active', () => {
    const { tracer, exporter } = memoryTracer();
    const parent = tracer.startSpan('p');
    parent.child('c', { kind: SpanKind.CLIENT }).end();
    parent.end();
    const [child] = exporter.getFinishedSpans();
    expect(child!.name).toBe('c');
    expect(child!.parentSpanId).toBe(parent.spanContext().spanId);
    expect(tracer.currentSpan()).toBeUndefined();
  });
});

describe('startActiveSpan', () => {
  it('runs fn with the span active and ends it on return', () => {
    const { tracer, exporter } = memoryTracer();
    const result = tracer.startActiveSpan('work', (span) => {
      expect(tracer.currentSpan()).toBe(span);
      return 42;
    });
    expect(result).toBe(42);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['work']);
    expect(tracer.currentSpan()).toBeUndefined();
  });

  it('ends the span when the promise settles', async () => {
    const { tracer, exporter } = memoryTracer();
    let resolve!: (v: string) => void;
    const pending = tracer.startActiveSpan('async', { kind: SpanKind.CLIENT }, () => new Promise<string>((r) => (resolve = r)));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    resolve('done');
    await expect(pending).resolves.toBe('done');
    expect(exporter.getFinishedSpans()[0]!.kind).toBe(SpanKind.CLIENT);
  });

  it('records a thrown error and rethrows the same object', () => {
    const { tracer, exporter } = memoryTracer();
    const error = new RangeError('bad range');
    let caught: unknown;
    try {
      tracer.startActiveSpan('fails', () => {
        throw error;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(error);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad range' });
    expect(span!.events[0]!.name).toBe('exception');
    expect(span!.events[0]!.attributes['exception.type']).toBe('RangeError');
    expect(span!.events[0]!.attributes['exception.message']).toBe('bad range');
    expect(String(span!.events[0]!.attributes['exception.stacktrace'])).toContain('RangeError: bad range');
  });

  it('records a rejection and rejects with the same value', async () => {
    const { tracer, exporter } = memoryTracer();
    const reason = { not: 'an error' };
    await expect(tracer.startActiveSpan('rejects', async () => Promise.reject(reason))).rejects.toBe(reason);
    expect(exporter.getFinishedSpans()[0]!.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe('suppressTracing', () => {
  it('suppresses spans and headers inside, including async continuations', async () => {
    const { tracer, exporter } = memoryTracer();
    await tracer.startActiveSpan('outer', async () => {
      await suppressTracing(async () => {
        await new Promise((r) => setTimeout(r, 1));
        const inner = tracer.startSpan('inner');
        expect(inner.isRecording()).toBe(false);
        inner.end();
        const headers: Record<string, string> = {};
        tracer.inject(inner, headers);
        expect(headers).toEqual({});
        expect(tracer.currentSpan()).toBeUndefined();
      });
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['outer']);
  });
});

describe('global tracer', () => {
  afterEach(() => setGlobalTracer(undefined));

  it('getTracer() creates one tracer on first use and setGlobalTracer replaces it', () => {
    const first = getTracer();
    expect(getTracer()).toBe(first);
    const mine = createTracer({ serviceName: 'mine' });
    setGlobalTracer(mine);
    expect(getTracer()).toBe(mine);
  });

  it('currentSpan() sees spans of any tracer on the default context', () => {
    const { tracer } = memoryTracer();
    expect(currentSpan()).toBeUndefined();
    tracer.startActiveSpan('a', (span: Span) => {
      expect(currentSpan()).toBe(span);
    });
    setGlobalTracer(createTracer());
    tracer.startActiveSpan('b', (span: Span) => {
      expect(currentSpan()).toBe(span);
    });
  });
});

describe('invalid options', () => {
  const cases: Array<[string, object, RegExp]> = [
    ['serviceName', { serviceName: '' }, /"serviceName": expected a non-empty string/],
    ['sampler', { sampler: 'sometimes' }, /"sampler": expected one of always_on, always_off, .*got "sometimes"/],
    ['propagators', { propagators: ['jaeger'] }, /"propagators\[0\]": expected one of tracecontext, cloud-trace, b3, b3multi/],
    ['limits', { limits: { eventCountLimit: -1 } }, /"limits.eventCountLimit": expected a non-negative integer/],
    ['limits key', { limits: { spans: 1 } }, /"limits.spans": expected one of attributeCountLimit/],
    ['exporter', { exporter: {} }, /"exporter": expected an object with export\(\), shutdown\(\)/],
    ['both', { exporter: { export: () => 0, shutdown: () => 0 }, spanProcessors: [] }, /"exporter": expected to be omitted when spanProcessors/],
    ['contextManager', { contextManager: { active: () => undefined } }, /"contextManager": expected an object with active\(\), with\(\)/],
    ['logger', { logger: console.log }, /"logger": expected an object with warn\(\)/],
  ];
  it.each(cases)('%s throws a coded TypeError naming the option', (_name, options, message) => {
    let error: unknown;
    try {
      createTracer(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(TracewellConfigError);
    expect((error as TracewellConfigError).code).toBe('TW_INVALID_OPTION');
    expect((error as Error).message).toMatch(message);
  });
});

describe('a tracer with nowhere to send spans', () => {
  const notFound = (id: string): never => {
    throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
  };
  const collect = (): { logger: { warn(message: string): void }; warnings: string[] } => {
    const warnings: string[] = [];
    return { warnings, logger: { warn: (message: string) => void warnings.push(message) } };
  };

  it('says so once, at the first recorded span, naming the fix', () => {
    const { logger, warnings } = collect();
    const tracer = createTracer({ sampler: 'always_on', logger });
    tracer.startSpan('first').end();
    tracer.startSpan('second').end();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/spans are recorded but not exported: no exporter is configured/);
    expect(warnings[0]).toContain('install @tracewell/otlp');
    expect(warnings[0]).toContain('npx @tracewell/viewer');
    expect(warnings[0]).toContain('OTEL_TRACES_EXPORTER');
  });

  it('says so for the environment default when @tracewell/otlp is not installed', () => {
    const { logger, warnings } = collect();
    const tracer = createTracer({ ...tracerOptionsFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' }, logger, notFound), logger });
    tracer.startSpan('s').end();
    expect(warnings).toEqual([expect.stringMatching(/no exporter is configured/)]);
  });

  it('stays quiet while no span records', () => {
    const { logger, warnings } = collect();
    createTracer({ sampler: 'always_off', logger }).startSpan('s').end();
    expect(warnings).toEqual([]);
  });

  it.each([
    ['OTEL_TRACES_EXPORTER=none', { OTEL_TRACES_EXPORTER: 'none', OTEL_TRACES_SAMPLER: 'always_on' }, []],
    ['OTEL_TRACES_EXPORTER=otlp without the package (its own warning only)', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'always_on' }, [expect.stringMatching(/needs the @tracewell\/otlp package/)]],
  ])('stays quiet when the environment chose: %s', (_name, env, expected) => {
    const { logger, warnings } = collect();
    const tracer = createTracer({ ...tracerOptionsFromEnv(env, logger, notFound), logger });
    tracer.startSpan('s').end();
    expect(warnings).toEqual(expected);
  });

  it('stays quiet with spanProcessors: [] (export nothing, on purpose)', () => {
    const { logger, warnings } = collect();
    createTracer({ sampler: 'always_on', spanProcessors: [], logger }).startSpan('s').end();
    expect(warnings).toEqual([]);
  });
});
