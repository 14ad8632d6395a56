import type { ReadableSpan } from '../span';
import { EXPORT_SUCCESS, type ExportResult, type SpanExporter } from './span-exporter';

/**
 * Keeps exported spans in memory, for tests.
 *
 * @example
 * const exporter = new InMemorySpanExporter();
 * const tracer = createTracer({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
 * tracer.startSpan('x').end();
 * exporter.getFinishedSpans()[0].name; // 'x'
 */
export class InMemorySpanExporter implements SpanExporter {
  private spans: ReadableSpan[] = [];
  private stopped = false;

  export(spans: ReadonlyArray<ReadableSpan>): Promise<ExportResult> {
    if (this.stopped) return Promise.resolve({ code: 'failed', error: new Error('exporter is shut down') });
    this.spans.push(...spans);
    return Promise.resolve(EXPORT_SUCCESS);
  }

  /** The spans exported so far, in export order. */
  getFinishedSpans(): ReadableSpan[] {
    return this.spans.slice();
  }

  /** Forgets the spans exported so far. */
  reset(): void {
    this.spans = [];
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}
