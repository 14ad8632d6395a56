import { systemClock, type Clock, type TimerHandle } from '../clock';
import { suppressTracing } from '../context/suppress-tracing';
import { RateLimitedWarnings } from '../diagnostics';
import { invalidOption } from '../errors';
import { consoleLogger, type Logger } from '../logger';
import type { ReadableSpan } from '../span';
import { backoffDelay } from './backoff';
import { MAX_TIMER_MILLIS, shutdownExporterBy, timerMillis } from './deadline';
import { emptyExportStats, type ExportStats } from './export-stats';
import type { ExportResult, SpanExporter } from './span-exporter';
import type { ShutdownOptions, SpanProcessor } from './span-processor';

/** Options of {@link BatchSpanProcessor}; the defaults are OpenTelemetry's. */
export interface BatchSpanProcessorOptions {
  /** Spans held at most; past it new spans are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Spans per export. A full batch is sent at once. Default 512. */
  maxExportBatchSize?: number;
  /** Longest wait before a partial batch is sent, in ms. Default 5000. */
  scheduledDelayMillis?: number;
  /** Time for one batch, retries included, in ms. Default 30000. */
  exportTimeoutMillis?: number;
  /** Attempts per batch for retryable failures. Default 5. */
  maxAttempts?: number;
  /** Cap of the first retry delay, in ms (doubles per retry, with full jitter). Default 1000. */
  initialBackoffMillis?: number;
  /** Largest retry delay cap, in ms. Default 30000. */
  maxBackoffMillis?: number;
  /** Where drops and failures are reported, at most once a minute per cause. Default: console. */
  logger?: Logger;
  /** Time and timers (tests inject a simulated clock). */
  clock?: Clock;
  /** Source of jitter in [0, 1) (tests inject a fixed one). Default `Math.random`. */
  random?: () => number;
}

type ResolvedOptions = Required<Omit<BatchSpanProcessorOptions, 'logger' | 'clock' | 'random'>>;

/** The defaults, as in OpenTelemetry's batch span processor and OTLP exporter retry. */
export const DEFAULT_BATCH_OPTIONS: Readonly<ResolvedOptions> = Object.freeze({
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 5000,
  exportTimeoutMillis: 30_000,
  maxAttempts: 5,
  initialBackoffMillis: 1000,
  maxBackoffMillis: 30_000,
});

/** Applies defaults and validates (throws a TypeError naming the field). */
export function resolveBatchOptions(options: BatchSpanProcessorOptions, path: string): ResolvedOptions {
  const resolved: ResolvedOptions = { ...DEFAULT_BATCH_OPTIONS };
  for (const key of Object.keys(DEFAULT_BATCH_OPTIONS) as Array<keyof ResolvedOptions>) {
    const value = options[key];
    if (value === undefined) continue;
    const min = key === 'initialBackoffMillis' || key === 'maxBackoffMillis' ? 0 : 1;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw invalidOption(`${path}.${key}`, `an integer >= ${min}`, value);
    }
    resolved[key] = value;
  }
  if (resolved.maxExportBatchSize > resolved.maxQueueSize) {
    throw invalidOption(`${path}.maxExportBatchSize`, `an integer no larger than maxQueueSize (${resolved.maxQueueSize})`, resolved.maxExportBatchSize);
  }
  return resolved;
}

function noop(): void {}

function describeFailure(result: ExportResult): string {
  const detail = result.code === 'success' ? '' : (result.error?.message ?? 'no detail');
  return `${result.code === 'retryable' ? 'retryable failure' : 'failure'}: ${detail}`;
}

/**
 * The default span processor: ended spans wait in a bounded queue and go to the exporter in
 * batches, one export at a time, off the request path. Retryable failures are retried with
 * exponential backoff and full jitter (honouring retry-after) within the attempt limit and
 * the export timeout. Nothing grows without bound, every dropped span is counted by cause,
 * and timers never keep the process alive except while `flush()`/`shutdown()` are awaited:
 * then one ref'd timer holds it, so a retry wait that began earlier still runs to its end.
 * `shutdown()` resolves by its deadline whatever the exporter does, with every span counted.
 *
 * @example
 * const tracer = createTracer({ spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })] });
 */
export class BatchSpanProcessor implements SpanProcessor {
  private readonly options: ResolvedOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly warnings: RateLimitedWarnings;
  private readonly counters: ExportStats = emptyExportStats();
  private queue: ReadableSpan[] = [];
  private timer: TimerHandle | undefined;
  private timerIsImmediate = false;
  private inFlight: Promise<void> | undefined;
  /** Callers awaiting flush/shutdown; while > 0, `hold` keeps the process alive. */
  private waiting = 0;
  /**
   * One ref'd timer while anyone waits. Every other timer is unref'd: a per-timer choice made
   * when the timer starts missed the retry wait that began before flush()/shutdown() was
   * called, and the process exited with shutdown() pending and the batch counted nowhere.
   */
  private hold: TimerHandle | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /**
   * Set when the shutdown deadline passes with a batch in flight: that batch is then counted as
   * a shutdown drop and given no further attempt. Without it, shutdown() resolved with the batch
   * counted nowhere, and its retries ran on after the exporter was shut down.
   */
  private abandoned = false;
  /** Ends the current attempt or retry wait at once (set only while one is pending). */
  private interrupt: (() => void) | undefined;

  /**
   * @param exporter - where batches go
   * @param options - queue, batch, timing and retry settings
   */
  constructor(
    private readonly exporter: SpanExporter,
    options: BatchSpanProcessorOptions = {},
  ) {
    if (exporter === null || typeof exporter !== 'object' || typeof exporter.export !== 'function') {
      throw invalidOption('exporter', 'an object with export() and shutdown()', exporter);
    }
    this.options = resolveBatchOptions(options, 'options');
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.warnings = new RateLimitedWarnings(options.logger ?? consoleLogger, this.clock);
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopping) {
      this.counters.dropped.shutdown++;
      return;
    }
    if (this.queue.length >= this.options.maxQueueSize) {
      // The drop path runs for every span while the backend is down: consider warning (itself
      // limited to once a minute) on the first drop and every 1024th after, not on each.
      if (this.counters.dropped.queueFull++ % 1024 === 0) {
        this.warnings.warn('queue_full', `span queue full (${this.options.maxQueueSize}): dropping spans until the exporter catches up`);
      }
      return;
    }
    this.queue.push(span);
    this.schedule();
  }

  /**
   * Arms the export timer (unref'd): right away once a batch is full, else after the scheduled
   * delay. Even a full batch is sent from a timer, never inside `span.end()`, so serializing
   * and sending stay off the request path.
   */
  private schedule(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    const full = this.queue.length >= this.options.maxExportBatchSize;
    if (this.timer !== undefined) {
      if (!full || this.timerIsImmediate) return;
      this.clock.clearTimeout(this.timer);
    }
    this.timerIsImmediate = full;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.exportNext();
      },
      full ? 0 : this.options.scheduledDelayMillis,
      false,
    );
  }

  /** Starts exporting the next batch unless one is in flight (at most one at a time). */
  private exportNext(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.queue.splice(0, this.options.maxExportBatchSize);
    this.inFlight = suppressTracing(() => this.exportBatch(batch)).finally(() => {
      this.inFlight = undefined;
      this.schedule();
    });
  }

  private async exportBatch(batch: ReadableSpan[]): Promise<void> {
    const deadline = this.clock.now() + this.options.exportTimeoutMillis;
    for (let attempt = 1; ; attempt++) {
      this.counters.exportAttempts++;
      const result = await this.attempt(batch, deadline - this.clock.now());
      if (result.code === 'success') {
        this.counters.exported += batch.length;
        return;
      }
      this.counters.exportFailures++;
      // Part of the batch reached the backend: count it, and carry on with the rest only.
      const accepted = result.accepted;
      if (typeof accepted === 'number' && Number.isInteger(accepted) && accepted > 0 && accepted < batch.length) {
        this.counters.exported += accepted;
        batch = batch.slice(accepted);
      }
      if (this.abandoned) return this.dropAbandoned(batch);
      if (result.code === 'retryable' && attempt < this.options.maxAttempts) {
        const delay = result.retryAfterMillis ?? backoffDelay(attempt, this.options.initialBackoffMillis, this.options.maxBackoffMillis, this.random());
        if (this.clock.now() + delay < deadline) {
          await this.sleep(delay);
          if (this.abandoned) return this.dropAbandoned(batch);
          continue;
        }
      }
      this.counters.dropped.exportFailed += batch.length;
      this.warnings.warn('export_failed', `dropped ${batch.length} spans after ${attempt} export attempt(s), last ${describeFailure(result)}`);
      return;
    }
  }

  /** Counts the batch given up on at the shutdown deadline. */
  private dropAbandoned(batch: ReadableSpan[]): void {
    this.counters.dropped.shutdown += batch.length;
    this.warnings.warn('shutdown_in_flight', `shutdown deadline passed: dropped ${batch.length} spans being exported`);
  }

  /** One exporter call, bounded by `timeoutMillis`; never rejects. */
  private attempt(batch: ReadableSpan[], timeoutMillis: number): Promise<ExportResult> {
    const controller = new AbortController();
    return new Promise<ExportResult>((resolve) => {
      let pending = true;
      // The exporter may still answer after a timeout or an interrupt: only the first outcome
      // counts, and only this attempt's own interrupt is cleared (a retry wait may own it by then).
      const settle = (result: ExportResult): void => {
        if (!pending) return;
        pending = false;
        this.clock.clearTimeout(timer);
        if (this.interrupt === interrupt) this.interrupt = undefined;
        resolve(result);
      };
      const giveUp = (error: Error): void => {
        controller.abort();
        settle({ code: 'failed', error });
      };
      const interrupt = (): void => giveUp(new Error('shutdown deadline passed'));
      const timer = this.clock.setTimeout(
        () => giveUp(new Error(`export timed out after ${this.options.exportTimeoutMillis} ms`)),
        Math.max(0, timeoutMillis),
        false,
      );
      this.interrupt = interrupt;
      try {
        this.exporter.export(batch, { signal: controller.signal }).then(
          (result) => settle(result !== null && typeof result === 'object' && typeof result.code === 'string' ? result : { code: 'failed', error: new Error('exporter returned no result') }),
          (error: unknown) => settle({ code: 'failed', error: error instanceof Error ? error : new Error(String(error)) }),
        );
      } catch (error) {
        settle({ code: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const interrupt = (): void => {
        this.clock.clearTimeout(timer);
        if (this.interrupt === interrupt) this.interrupt = undefined;
        resolve();
      };
      const timer = this.clock.setTimeout(interrupt, ms, false);
      this.interrupt = interrupt;
    });
  }

  /** Counts a caller awaiting flush/shutdown; the first one arms the hold. */
  private enter(): void {
    if (this.waiting++ === 0) this.hold = this.clock.setTimeout(noop, MAX_TIMER_MILLIS, true);
  }

  /** The last caller to leave releases the hold. */
  private leave(): void {
    if (--this.waiting === 0) {
      this.clock.clearTimeout(this.hold);
      this.hold = undefined;
    }
  }

  /**
   * Exports the spans queued when called (and any export in flight), batch by batch, keeping
   * the process alive until done. Bounded: each batch by the export timeout.
   */
  async forceFlush(): Promise<void> {
    this.enter();
    try {
      // Bounded: spans ended while flushing wait for the next flush or the timer.
      let rounds = Math.ceil(this.queue.length / this.options.maxExportBatchSize) + 1;
      while (rounds-- > 0 && (this.inFlight !== undefined || this.queue.length > 0)) {
        if (this.inFlight === undefined) this.exportNext();
        await this.inFlight;
      }
    } finally {
      this.leave();
    }
  }

  /**
   * Stops accepting spans, flushes within `timeoutMillis` (default: the export timeout), drops
   * and counts what is left (queued, and the batch being exported or waiting to retry), then
   * shuts the exporter down within what is left of the deadline. Resolves by the deadline
   * whatever the exporter does, with `exported + dropped` covering every span; the process is
   * kept alive until then. Idempotent.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.stopped ??= this.stop(timerMillis(options.timeoutMillis ?? this.options.exportTimeoutMillis));
    return this.stopped;
  }

  private async stop(timeoutMillis: number): Promise<void> {
    this.stopping = true;
    this.enter();
    const timers: TimerHandle[] = [];
    const after = (ms: number): Promise<'timeout'> =>
      new Promise((resolve) => void timers.push(this.clock.setTimeout(() => resolve('timeout'), ms, false)));
    const deadline = after(timeoutMillis);
    try {
      const outcome = await Promise.race([this.forceFlush().then(() => 'flushed' as const), deadline]);
      if (outcome === 'timeout' || this.queue.length > 0) {
        const left = this.queue.length;
        this.queue = [];
        this.counters.dropped.shutdown += left;
        if (left > 0) this.warnings.warn('shutdown', `shutdown deadline passed: dropped ${left} queued spans`);
      }
      if (outcome === 'timeout' && this.inFlight !== undefined) {
        // Give up on the batch in flight too (exportBatch counts it as a shutdown drop, unless its
        // answer just arrived), so the counters add up when shutdown() resolves and no retry runs
        // after the exporter is shut down. The interrupt settles the attempt or the retry wait at
        // once, so this await does not wait on the exporter.
        this.abandoned = true;
        this.interrupt?.();
        await this.inFlight;
      }
      // An exporter whose shutdown hangs gets the rest of the deadline, not more; once the
      // deadline has passed, one timer turn, so one that releases at once still finishes.
      await shutdownExporterBy(this.exporter, outcome === 'timeout' ? after(0) : deadline, this.warnings);
    } finally {
      for (const timer of timers) this.clock.clearTimeout(timer);
      this.leave();
    }
  }

  /** Counters since creation, and the current queue length. */
  stats(): ExportStats {
    return { ...this.counters, dropped: { ...this.counters.dropped }, queued: this.queue.length };
  }
}
