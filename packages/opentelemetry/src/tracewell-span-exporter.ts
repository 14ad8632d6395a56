import { BatchSpanProcessor, type BatchSpanProcessorOptions, type ExportStats, type SpanExporter } from '@tracewell/core';
import { invalidOption } from '@tracewell/core/instrumentation';
import { toTracewellReadableSpan, type OtelReadableSpan } from './otel-readable-span';

/** OpenTelemetry's `ExportResultCode` (`@opentelemetry/core`): 0 success, 1 failed. */
export type OtelExportResultCode = 0 | 1;

/** OpenTelemetry's `ExportResult`, what an SDK's span processor is called back with. */
export interface OtelExportResult {
  code: OtelExportResultCode;
  error?: Error;
}

function droppedSoFar(stats: ExportStats): number {
  return stats.dropped.queueFull + stats.dropped.exportFailed + stats.dropped.shutdown;
}

/**
 * Any Tracewell exporter (Cloud Trace, OTLP, Zipkin, the viewer's) as an OpenTelemetry
 * `SpanExporter`, for a `NodeSDK` or `NodeTracerProvider`:
 *
 * @example
 * new NodeSDK({ traceExporter: new TracewellSpanExporter(new CloudTraceExporter()) }).start();
 *
 * Each batch the SDK hands over goes through Tracewell's batching processor, with its retries
 * (exponential backoff, `Retry-After`), export timeout, bounded queue and counters, and the
 * SDK is called back once that batch was exported or given up on. `stats()` counts every span:
 * exported, or dropped by cause.
 */
export class TracewellSpanExporter {
  private readonly processor: BatchSpanProcessor;

  /**
   * @param exporter - the Tracewell exporter spans go to
   * @param options - the processor's queue, batch, timeout and retry settings (Tracewell's `batch` option)
   */
  constructor(exporter: SpanExporter, options: BatchSpanProcessorOptions = {}) {
    if (exporter === null || typeof exporter !== 'object' || typeof exporter.export !== 'function' || typeof exporter.shutdown !== 'function') {
      throw invalidOption('TracewellSpanExporter(exporter)', 'a Tracewell exporter (an object with export() and shutdown())', exporter);
    }
    this.processor = new BatchSpanProcessor(exporter, options);
  }

  /** Called by the OpenTelemetry SDK's span processor with finished spans. */
  export(spans: ReadonlyArray<OtelReadableSpan>, resultCallback: (result: OtelExportResult) => void): void {
    const before = droppedSoFar(this.processor.stats());
    let converted = 0;
    for (const span of spans) {
      try {
        this.processor.onEnd(toTracewellReadableSpan(span));
        converted++;
      } catch {
        // A span object that is not what the SDK documents: skipped, reported below.
      }
    }
    const unreadable = spans.length - converted;
    this.processor.forceFlush().then(
      () => {
        const lost = droppedSoFar(this.processor.stats()) - before + unreadable;
        resultCallback(lost <= 0 ? { code: 0 } : { code: 1, error: new Error(`${lost} of ${spans.length} spans were not exported (see stats())`) });
      },
      (error: unknown) => resultCallback({ code: 1, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  /** Exports what is queued. */
  forceFlush(): Promise<void> {
    return this.processor.forceFlush();
  }

  /** Flushes within the processor's export timeout, then shuts the Tracewell exporter down. */
  shutdown(): Promise<void> {
    return this.processor.shutdown();
  }

  /** What happened to every span handed over: exported, or dropped by cause, with attempts and failures. */
  stats(): ExportStats {
    return this.processor.stats();
  }
}
