import { suppressTracing } from '../context/suppress-tracing';
import { RateLimitedWarnings } from '../diagnostics';
import { consoleLogger, type Logger } from '../logger';
import type { ReadableSpan } from '../span';
import { emptyExportStats, type ExportStats } from './export-stats';
import type { SpanExporter } from './span-exporter';
import type { SpanProcessor } from './span-processor';

/**
 * Exports each span as soon as it ends, one export per span, no retries. For tests, debugging
 * and the console exporter; services should use the batching default.
 *
 * @example
 * const exporter = new InMemorySpanExporter();
 * const tracer = createTracer({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
 */
export class SimpleSpanProcessor implements SpanProcessor {
  private readonly pending = new Set<Promise<void>>();
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
    const done = suppressTracing(() => this.exportOne(span));
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  private async exportOne(span: ReadableSpan): Promise<void> {
    this.counters.exportAttempts++;
    let failure: string;
    try {
      const result = await this.exporter.export([span]);
      if (result.code === 'success') {
        this.counters.exported++;
        return;
      }
      failure = ` (${result.code}): ${result.error?.message ?? 'no detail'}`;
    } catch (error) {
      failure = `: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.counters.exportFailures++;
    this.counters.dropped.exportFailed++;
    this.warnings.warn('export_failed', `span export failed${failure}`);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
  }

  shutdown(): Promise<void> {
    this.stopped ??= this.forceFlush().then(() => this.exporter.shutdown());
    return this.stopped;
  }

  /** Counters since creation. */
  stats(): ExportStats {
    return { ...this.counters, dropped: { ...this.counters.dropped }, queued: this.pending.size };
  }
}
