import type { IncomingMessage } from 'node:http';
import type { AttributesInput } from './attributes';
import { defaultContextManager } from './context/async-local-storage-context-manager';
import type { ContextManager } from './context/context-manager';
import { isSuppressed, registerContextManager, SUPPRESSED } from './context/suppress-tracing';
import { invalidOption } from './errors';
import { BatchSpanProcessor, type BatchSpanProcessorOptions } from './export/batch-span-processor';
import { addExportStats, emptyExportStats } from './export/export-stats';
import type { SpanExporter } from './export/span-exporter';
import type { ShutdownOptions, SpanProcessor } from './export/span-processor';
import { RateLimitedWarnings } from './diagnostics';
import type { TracerStats } from './tracer-stats';
import { randomSpanId, randomTraceId } from './ids';
import { resolveSpanLimits, type ResolvedSpanLimits, type SpanLimits } from './limits';
import { consoleLogger, type Logger } from './logger';
import { NonRecordingSpan } from './non-recording-span';
import { HeaderReader, removeCaseVariants, type Carrier } from './propagation/carrier';
import { HeaderPresence } from './propagation/header-presence';
import type { Propagator } from './propagation/propagator';
import { isBuiltInPropagator, resolvePropagators, type PropagatorsOption } from './propagation/propagators-option';
import { RecordingSpan } from './recording-span';
import { createResource, type Resource } from './resource';
import { resolveSampler, type SamplerOption } from './sampling/builtin-samplers';
import { rateLimitedSampler } from './sampling/rate-limited-sampler';
import type { Sampler, SamplingResult } from './sampling/sampler';
import type { Span, SpanOptions } from './span';
import { isSpanContextValid, ValidSpanContext, type SpanContext } from './span-context';
import { SpanKind } from './span-kind';
import type { SpanOwner } from './span-owner';
import { SpanStatusCode } from './span-status';

const NO_EXPORTER_WARNING =
  'spans are recorded but not exported: no exporter is configured. To see them, install @tracewell/otlp ' +
  '(it sends to http://localhost:4318, where `npx @tracewell/viewer` shows them), set OTEL_TRACES_EXPORTER ' +
  '(otlp, zipkin, cloud-trace or console), or pass an exporter to createTracer(). OTEL_TRACES_EXPORTER=none silences this.';

/** Options of {@link createTracer}. All optional; `getTracer()` fills them from the environment. */
export interface TracerOptions {
  /** `service.name` of every span. Default `unknown_service:node`. */
  serviceName?: string;
  /** Extra resource attributes (e.g. `deployment.environment.name`). */
  resource?: AttributesInput;
  /**
   * Where spans go, through the default span processor. Not together with `spanProcessors`.
   * Without either, spans are recorded but go nowhere, and the first one to end says so once.
   */
  exporter?: SpanExporter;
  /** Full control over processing, instead of `exporter`. An empty array means "export nothing", silently. */
  spanProcessors?: ReadonlyArray<SpanProcessor>;
  /** Settings of the default batching processor that wraps `exporter` (queue, batch size, delays, retries). */
  batch?: BatchSpanProcessorOptions;
  /** Which spans record. Default `parentbased_ratelimited`: callers' decisions, else at most 10 new traces a second. */
  sampler?: SamplerOption;
  /**
   * The most traces a second this process records because a caller said "sampled" (or B3
   * debug): past it, such requests are traced unsampled, so a client that marks every request
   * sampled cannot make the service trace everything. Counted in `stats().upstreamSampledCapped`.
   * Default 1000; `Infinity` turns the cap off.
   */
  upstreamSampledPerSecond?: number;
  /** Header formats. Default: extract all of tracecontext, cloud-trace, b3, b3multi; inject tracecontext and cloud-trace. */
  propagators?: PropagatorsOption;
  /** Per-span limits. */
  limits?: SpanLimits;
  /** Where the active span lives. Default: a process-wide `AsyncLocalStorage`. */
  contextManager?: ContextManager;
  /** Where problems are reported. Default: `console.warn`. */
  logger?: Logger;
}

/**
 * Starts spans, keeps the active one, and moves contexts in and out of headers. Make one per
 * process (or use `getTracer()`); every method is safe to call on the request path.
 */
export interface Tracer {
  /** The resource attached to every span (`service.name` and friends). */
  readonly resource: Resource;
  /**
   * Starts a span, a child of `options.parent` or else of the active span. It is not made
   * active: use `withSpan` or `startActiveSpan` for that.
   */
  startSpan(name: string, options?: SpanOptions): Span;
  /**
   * Runs `fn(span)` with a new span active and ends the span when `fn` returns or its promise
   * settles. A thrown error or rejection is recorded on the span and rethrown unchanged.
   *
   * @example
   * const rows = await tracer.startActiveSpan('db.query', async (span) => {
   *   span.setAttribute('db.statement', sql);
   *   return db.query(sql);
   * });
   */
  startActiveSpan<R>(name: string, fn: (span: Span) => R): R;
  startActiveSpan<R>(name: string, options: SpanOptions, fn: (span: Span) => R): R;
  /** Runs `fn` with `span` active (or none, for `undefined`). */
  withSpan<R>(span: Span | undefined, fn: () => R): R;
  /** The span active in this tracer's context manager. */
  currentSpan(): Span | undefined;
  /** Writes the context's headers in every configured injection format. Never throws. */
  inject(context: SpanContext | Span, carrier: Carrier): void;
  /** Reads a remote context from headers (first valid format wins), or `undefined`. Never throws. */
  extract(carrier: Carrier): SpanContext | undefined;
  /** Exports every ended span still held by the processors. */
  flush(): Promise<void>;
  /**
   * Flushes within `timeoutMillis` (default: the processors' export timeout), then stops
   * accepting spans; what could not be sent is dropped and counted. Safe to call twice.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
  /** Counters: spans started, sampled, ended, exported, dropped by cause, export attempts and failures. */
  stats(): TracerStats;
}

const NOT_SAMPLED: SamplingResult = Object.freeze({ sampled: false });

/**
 * Default of `upstreamSampledPerSecond`: a hundred times the default rate of new traces, so
 * honest upstream sampling passes untouched, while a client that sets the sampled flag on
 * every request is held to a bounded cost.
 */
export const DEFAULT_UPSTREAM_SAMPLED_PER_SECOND = 1000;

function isSpan(value: Span | SpanContext): value is Span {
  return typeof (value as Span).spanContext === 'function';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

function errorMessage(error: unknown): string | undefined {
  try {
    if (error instanceof Error) return error.message;
    return typeof error === 'string' ? error : undefined;
  } catch {
    return undefined;
  }
}

/** Records an error on a span: an exception event and status ERROR. */
export function recordError(span: Span, error: unknown): void {
  span.recordException(error);
  const message = errorMessage(error);
  span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
}

function checkMethods(value: unknown, option: string, methods: readonly string[]): void {
  const ok = value !== null && typeof value === 'object' && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  if (!ok) throw invalidOption(option, `an object with ${methods.map((m) => `${m}()`).join(', ')}`, value);
}

class TracewellTracer implements Tracer, SpanOwner {
  readonly resource: Resource;
  readonly limits: ResolvedSpanLimits;
  private readonly sampler: Sampler;
  private readonly upstreamCap: Sampler | undefined;
  private upstreamSampledCapped = 0;
  private readonly processors: ReadonlyArray<SpanProcessor>;
  private readonly extractors: ReadonlyArray<Propagator>;
  private readonly injectors: ReadonlyArray<Propagator>;
  private readonly injectedFields: ReadonlySet<string>;
  /**
   * @internal Every header the extractors read, when they are all built-in (a custom one may
   * read anything): a request with none of them has no context to extract.
   */
  readonly builtInExtractHeaders: HeaderPresence | undefined;
  private readonly contextManager: ContextManager;
  private readonly warnings: RateLimitedWarnings;
  private stopped: Promise<void> | undefined;
  /** Set when neither `exporter` nor `spanProcessors` was given: cleared by the one warning. */
  private exportsNowhere: boolean;
  private spansStarted = 0;
  private spansSampled = 0;
  private spansEnded = 0;
  private droppedAttributes = 0;
  private droppedEvents = 0;
  private droppedLinks = 0;

  constructor(options: TracerOptions) {
    if (options === null || typeof options !== 'object') throw invalidOption('options', 'an object', options);
    const { serviceName, resource, exporter, spanProcessors, logger, contextManager } = options;
    if (serviceName !== undefined && (typeof serviceName !== 'string' || serviceName.length === 0)) {
      throw invalidOption('serviceName', 'a non-empty string', serviceName);
    }
    if (resource !== undefined && (resource === null || typeof resource !== 'object' || Array.isArray(resource))) {
      throw invalidOption('resource', 'an object of attributes', resource);
    }
    if (logger !== undefined) checkMethods(logger, 'logger', ['warn']);
    this.warnings = new RateLimitedWarnings(logger ?? consoleLogger);
    if (contextManager !== undefined) {
      checkMethods(contextManager, 'contextManager', ['active', 'with']);
      registerContextManager(contextManager);
    }
    this.contextManager = contextManager ?? defaultContextManager;
    if (exporter !== undefined && spanProcessors !== undefined) {
      throw invalidOption('exporter', 'to be omitted when spanProcessors is given (add the exporter to a processor)', exporter);
    }
    if (exporter !== undefined) checkMethods(exporter, 'exporter', ['export', 'shutdown']);
    if (spanProcessors !== undefined) {
      if (!Array.isArray(spanProcessors)) throw invalidOption('spanProcessors', 'an array of span processors', spanProcessors);
      spanProcessors.forEach((p, i) => checkMethods(p, `spanProcessors[${i}]`, ['onStart', 'onEnd', 'forceFlush', 'shutdown']));
    }
    if (options.batch !== undefined && (options.batch === null || typeof options.batch !== 'object')) throw invalidOption('batch', 'an object', options.batch);
    this.processors =
      spanProcessors !== undefined
        ? [...spanProcessors]
        : exporter !== undefined
          ? [new BatchSpanProcessor(exporter, { logger: this.warnings.logger, ...options.batch })]
          : [];
    this.exportsNowhere = spanProcessors === undefined && exporter === undefined;
    this.sampler = resolveSampler(options.sampler);
    const cap = options.upstreamSampledPerSecond ?? DEFAULT_UPSTREAM_SAMPLED_PER_SECOND;
    if (typeof cap !== 'number' || !(cap >= 0)) throw invalidOption('upstreamSampledPerSecond', 'a number of traces per second >= 0, or Infinity to turn the cap off', cap);
    this.upstreamCap = cap === Infinity ? undefined : rateLimitedSampler(cap);
    this.limits = resolveSpanLimits(options.limits);
    const propagators = resolvePropagators(options.propagators);
    this.extractors = propagators.extract;
    this.injectors = propagators.inject;
    this.injectedFields = new Set(propagators.inject.flatMap((p) => p.fields));
    this.builtInExtractHeaders = this.extractors.every(isBuiltInPropagator) ? new HeaderPresence(this.extractors.flatMap((p) => p.fields)) : undefined;
    this.resource = createResource(serviceName, resource);
  }

  startSpan(name: string, options?: SpanOptions): Span {
    this.spansStarted++;
    const parentOption = options?.parent;
    let parent: SpanContext | undefined;
    let parentSpan: Span | undefined;
    if (parentOption === undefined) {
      parentSpan = this.contextManager.active();
      if (isSuppressed(parentSpan)) return SUPPRESSED;
      parent = parentSpan?.spanContext();
    } else if (parentOption !== null) {
      if (isSuppressed(parentOption as Span)) return SUPPRESSED;
      if (isSpan(parentOption)) {
        parentSpan = parentOption;
        parent = parentOption.spanContext();
      } else parent = parentOption;
    }
    const hasParent = parent !== undefined && isSpanContextValid(parent);
    const traceId = hasParent ? parent!.traceId : randomTraceId();
    const kind = options?.kind !== undefined && SpanKind[options.kind] !== undefined ? options.kind : SpanKind.INTERNAL;
    const spanName = typeof name === 'string' ? name : String(name);
    let decision: SamplingResult;
    try {
      decision = this.sampler.shouldSample({ traceId, name: spanName, kind, attributes: options?.attributes, parent });
    } catch (error) {
      this.warnings.warn('sampler', `sampler threw, span not sampled: ${errorMessage(error) ?? 'unknown error'}`);
      decision = NOT_SAMPLED;
    }
    // A remote caller's "sampled" (or debug) costs a recorded trace: bounded per second.
    if (decision.sampled && this.upstreamCap !== undefined && hasParent && parent!.isRemote === true && (parent!.sampled === true || parent!.debug === true)) {
      if (!this.upstreamCap.shouldSample({ traceId, name: spanName, kind, attributes: undefined, parent }).sampled) {
        this.upstreamSampledCapped++;
        decision = NOT_SAMPLED;
      }
    }
    const context: SpanContext = new ValidSpanContext(
      traceId,
      randomSpanId(),
      decision.sampled === true,
      hasParent ? parent!.traceState : undefined,
      undefined,
      // We generate fully random trace ids; a continued trace keeps the caller's flag.
      hasParent ? parent!.randomTraceId === true : true,
      hasParent && parent!.debug === true,
    );
    if (!context.sampled) return new NonRecordingSpan(context, this);
    this.spansSampled++;
    // Backends that show missing children (Cloud Trace's childSpanCount) need the count.
    if (parentSpan instanceof RecordingSpan) parentSpan.noteChild();
    const span = new RecordingSpan(this, context, hasParent ? parent : undefined, spanName, options, kind, decision.attributes);
    for (const processor of this.processors) {
      try {
        processor.onStart(span);
      } catch (error) {
        this.warnings.warn('processor', `span processor onStart threw: ${errorMessage(error) ?? 'unknown error'}`);
      }
    }
    return span;
  }

  startActiveSpan<R>(name: string, optionsOrFn: SpanOptions | ((span: Span) => R), maybeFn?: (span: Span) => R): R {
    const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
    if (typeof fn !== 'function') throw invalidOption('startActiveSpan(fn)', 'a function', fn);
    const span = this.startSpan(name, typeof optionsOrFn === 'function' ? undefined : optionsOrFn);
    return this.contextManager.with(span, () => {
      let result: R;
      try {
        result = fn(span);
      } catch (error) {
        recordError(span, error);
        span.end();
        throw error;
      }
      if (!isThenable(result)) {
        span.end();
        return result;
      }
      return result.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          recordError(span, error);
          span.end();
          throw error;
        },
      ) as R;
    });
  }

  withSpan<R>(span: Span | undefined, fn: () => R): R {
    return this.contextManager.with(span, fn);
  }

  currentSpan(): Span | undefined {
    const active = this.contextManager.active();
    return isSuppressed(active) ? undefined : active;
  }

  /** @internal True inside `suppressTracing()`, where `currentSpan()` says only "no span". */
  activeIsSuppressed(): boolean {
    return isSuppressed(this.contextManager.active());
  }

  inject(context: SpanContext | Span, carrier: Carrier): void {
    if (context === null || typeof context !== 'object' || carrier === null || typeof carrier !== 'object') return;
    if (isSuppressed(context as Span)) return;
    const spanContext = isSpan(context) ? context.spanContext() : context;
    try {
      removeCaseVariants(carrier, this.injectedFields);
    } catch {
      // A frozen or exotic carrier: inject what we can below.
    }
    for (const propagator of this.injectors) {
      try {
        propagator.inject(spanContext, carrier);
      } catch (error) {
        this.warnings.warn(`inject:${propagator.name}`, `propagator ${propagator.name} failed to inject: ${errorMessage(error) ?? 'unknown error'}`);
      }
    }
  }

  extract(carrier: Carrier): SpanContext | undefined {
    if (carrier === null || typeof carrier !== 'object') return undefined;
    return this.extractFrom(new HeaderReader(carrier));
  }

  /** @internal Extraction from a reader the caller made (see {@link extractIncoming}). */
  extractFrom(reader: HeaderReader): SpanContext | undefined {
    for (const propagator of this.extractors) {
      try {
        const context = propagator.extract(reader);
        if (context !== undefined) return context;
      } catch {
        // Built-in formats never throw; a custom one that does counts as "no context".
      }
    }
    return undefined;
  }

  onSpanEnd(span: RecordingSpan): void {
    this.spansEnded++;
    if (this.exportsNowhere) {
      // A first run that records spans and sends them nowhere must not be silent.
      this.exportsNowhere = false;
      this.warnings.warn('no_exporter', NO_EXPORTER_WARNING);
    }
    this.droppedAttributes += span.droppedAttributesCount;
    this.droppedEvents += span.droppedEventsCount;
    this.droppedLinks += span.droppedLinksCount;
    for (const processor of this.processors) {
      try {
        processor.onEnd(span);
      } catch (error) {
        this.warnings.warn('processor', `span processor onEnd threw: ${errorMessage(error) ?? 'unknown error'}`);
      }
    }
  }

  async flush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush().catch((error: unknown) => this.warnings.warn('flush', `flush failed: ${errorMessage(error) ?? 'unknown error'}`))));
  }

  shutdown(options?: ShutdownOptions): Promise<void> {
    this.stopped ??= Promise.all(
      this.processors.map((p) => p.shutdown(options).catch((error: unknown) => this.warnings.warn('shutdown', `shutdown failed: ${errorMessage(error) ?? 'unknown error'}`))),
    ).then(() => undefined);
    return this.stopped;
  }

  stats(): TracerStats {
    const exports = emptyExportStats();
    for (const processor of this.processors) {
      try {
        if (typeof processor.stats === 'function') addExportStats(exports, processor.stats());
      } catch {
        // A custom processor's broken stats() must not break the caller's metrics endpoint.
      }
    }
    return {
      spansStarted: this.spansStarted,
      spansSampled: this.spansSampled,
      spansEnded: this.spansEnded,
      spansExported: exports.exported,
      spansDropped: exports.dropped,
      limits: { droppedAttributes: this.droppedAttributes, droppedEvents: this.droppedEvents, droppedLinks: this.droppedLinks },
      upstreamSampledCapped: this.upstreamSampledCapped,
      exportAttempts: exports.exportAttempts,
      exportFailures: exports.exportFailures,
      queued: exports.queued,
    };
  }
}

/**
 * Creates a tracer. Reads nothing from the environment (see `getTracer()` for that); throws a
 * `TracewellConfigError` (a TypeError) naming any invalid option and what it accepts.
 *
 * @example
 * const tracer = createTracer({ serviceName: 'checkout', exporter: new ConsoleSpanExporter() });
 * setGlobalTracer(tracer);
 */
export function createTracer(options: TracerOptions = {}): Tracer {
  return new TracewellTracer(options);
}

/**
 * `tracer.extract(req.headers)` for a request Node received: the header names are lowercase, so
 * a header that is absent is not looked for in other spellings, and a request with none of the
 * built-in formats' headers (every request that starts a trace) skips the propagators. Whether
 * any is there is read from `rawHeaders` (see {@link HeaderPresence}).
 * @internal
 */
export function extractIncoming(tracer: Tracer, req: IncomingMessage): SpanContext | undefined {
  if (!(tracer instanceof TracewellTracer)) return tracer.extract(req.headers);
  const presence = tracer.builtInExtractHeaders;
  const raw = req.rawHeaders;
  if (presence !== undefined && Array.isArray(raw) && !presence.inRawHeaders(raw)) return undefined;
  return tracer.extractFrom(new HeaderReader(req.headers, true));
}

/**
 * True when tracing is suppressed in the current context of `tracer` (inside `suppressTracing()`),
 * which `tracer.currentSpan()` reports only as "no span". A bridge to another context API uses it
 * to carry the suppression across (OpenTelemetry's `suppressTracing` context key). Always false
 * for a tracer that `createTracer` did not make.
 */
export function isTracingSuppressed(tracer: Tracer): boolean {
  return tracer instanceof TracewellTracer && tracer.activeIsSuppressed();
}
