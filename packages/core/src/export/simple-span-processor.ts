import { suppressTracing } from '../context/suppress-tracing';
import { RateLimitedWarnings } from '../diagnostics';
import { consoleLogger, type Logger } from '../logger';
import type { ReadableSpan } from '../span';
import { emptyExportStats, type ExportStats } from './export-stats';
import { shutdownExporterBy, timerMillis } from './deadline';
import type { SpanExporter } from './span-exporter';
import type { ShutdownOptions, SpanProcessor } from './span-processor';

/** One export in flight; `abandoned` once the shutdown deadline has counted it. */
interface PendingExport {
  readonly controller: AbortController;
  abandoned: boolean;
}

/** Default shutdown deadline, as the batch processor's export timeout. */
const DEFAULT_SHUTDOWN_MILLIS = 30_000;

/**
 * Exports each span as soon as it ends, one export per span, no retries. For tests, debugging
 * and the console exporter; services should use the batching default. `shutdown()` waits for
 * the exports in flight within its deadline (default 30 s), keeping the process alive until
 * then; those still unanswered are aborted and counted as `dropped.shutdown`.
 *
 * @example
 * const exporter = new InMemorySpanExporter();
 * const tracer = createTracer({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
 */
export class SimpleSpanProcessor implements SpanProcessor {
  private readonly pending = new Map<Promise<void>, PendingExport>();
  private readonly counters = emptyExportStats();
  private readonly warnings: RateLimitedWarnings;
  private stopped: Promise<void> | undefined;

  /**
   * @param exporter - where spans go
   * @param logger - where export failures are reported, at most once a minute (default: console)
   */
  constructor(
    private readonly exporter: SpanExporter,
    logger: Logger = consoleLogger,
  ) {
    this.warnings = new RateLimitedWarnings(logger);
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped !== undefined) {
      this.counters.dropped.shutdown++;
      return;
    }
    const entry: PendingExport = { controller: new AbortController(), abandoned: false };
    const done = suppressTracing(() => this.exportOne(span, entry));
    this.pending.set(done, entry);
    void done.finally(() => this.pending.delete(done));
  }

  private async exportOne(span: ReadableSpan, entry: PendingExport): Promise<void> {
    this.counters.exportAttempts++;
    let failure: string;
    try {
      const result = await this.exporter.export([span], { signal: entry.controller.signal });
      // Counted as a shutdown drop at the deadline: a late answer must not count it again.
      if (entry.abandoned) return;
      if (result.code === 'success') {
        this.counters.exported++;
        return;
      }
      failure = ` (${result.code}): ${result.error?.message ?? 'no detail'}`;
    } catch (error) {
      if (entry.abandoned) return;
      failure = `: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.counters.exportFailures++;
    this.counters.dropped.exportFailed++;
    this.warnings.warn('export_failed', `span export failed${failure}`);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending.keys());
  }

  /**
   * Refuses new spans, waits for the exports in flight and the exporter's shutdown within
   * `timeoutMillis` (default 30000), then counts and aborts what is unanswered. Idempotent.
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.stopped ??= this.stop(options.timeoutMillis ?? DEFAULT_SHUTDOWN_MILLIS);
    return this.stopped;
  }

  private async stop(timeoutMillis: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Ref'd on purpose: it keeps the process alive until the exports end or the deadline.
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timerMillis(timeoutMillis));
    });
    try {
      const outcome = await Promise.race([this.forceFlush().then(() => 'flushed' as const), deadline]);
      if (outcome === 'timeout') this.abandonPending();
      // A hanging exporter shutdown gets the rest of the deadline; past it, one turn of the loop.
      const late = outcome === 'timeout' ? new Promise<'timeout'>((resolve) => setImmediate(() => resolve('timeout'))) : deadline;
      await shutdownExporterBy(this.exporter, late, this.warnings);
    } finally {
      clearTimeout(timer);
    }
  }

  /** At the deadline: counts the unanswered exports as shutdown drops and aborts them. */
  private abandonPending(): void {
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const entry of left) {
      entry.abandoned = true;
      entry.controller.abort();
    }
    this.counters.dropped.shutdown += left.length;
    if (left.length > 0) this.warnings.warn('shutdown', `shutdown deadline passed: dropped ${left.length} spans being exported`);
  }

  /** Counters since creation. */
  stats(): ExportStats {
    return { ...this.counters, dropped: { ...this.counters.dropped }, queued: this.pending.size };
  }
}
