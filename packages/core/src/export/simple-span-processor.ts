import { suppressTracing } from '../context/suppress-tracing';
import { consoleLogger, safeWarn, type Logger } from '../logger';
import type { ReadableSpan } from '../span';
import type { SpanExporter } from './span-exporter';
import type { SpanProcessor } from './span-processor';

/**
 * Exports each span as soon as it ends, one export per span. For tests, debugging and the
 * console exporter; services should use the batching default.
 *
 * @example
 * const exporter = new InMemorySpanExporter();
 * const tracer = createTracer({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
 */
export class SimpleSpanProcessor implements SpanProcessor {
  private readonly pending = new Set<Promise<void>>();
  private stopped: Promise<void> | undefined;

  /**
   * @param exporter - where spans go
   * @param logger - where export failures are reported (default: console)
   */
  constructor(
    private readonly exporter: SpanExporter,
    private readonly logger: Logger = consoleLogger,
  ) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped !== undefined) return;
    const done = suppressTracing(() => this.exportOne(span));
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  private async exportOne(span: ReadableSpan): Promise<void> {
    try {
      const result = await this.exporter.export([span]);
      if (result.code !== 'success') safeWarn(this.logger, `span export failed (${result.code}): ${result.error?.message ?? 'no detail'}`);
    } catch (error) {
      safeWarn(this.logger, `span export failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
  }

  shutdown(): Promise<void> {
    this.stopped ??= this.forceFlush().then(() => this.exporter.shutdown());
    return this.stopped;
  }
}
