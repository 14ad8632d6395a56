import type { ReadableSpan } from '../span';
import { SpanKind } from '../span-kind';
import { SpanStatusCode } from '../span-status';
import { EXPORT_SUCCESS, type ExportResult, type SpanExporter } from './span-exporter';

/** Options of {@link ConsoleSpanExporter}. */
export interface ConsoleSpanExporterOptions {
  /** Receives each formatted line. Default: `console.log`. */
  write?: (line: string) => void;
}

/** One line per span: name, kind, ids, duration, status and attributes. */
export function formatSpan(span: ReadableSpan): string {
  const duration = (span.endTime - span.startTime).toFixed(3);
  const status = span.status.code === SpanStatusCode.ERROR ? ` ERROR${span.status.message === undefined ? '' : `: ${span.status.message}`}` : '';
  const parent = span.parentSpanId === undefined ? '' : ` parent=${span.parentSpanId}`;
  const attributes = Object.keys(span.attributes).length === 0 ? '' : ` ${JSON.stringify(span.attributes)}`;
  return `${span.name} [${SpanKind[span.kind]}] trace=${span.traceId} span=${span.spanId}${parent} ${duration}ms${status}${attributes}`;
}

/**
 * Prints each span as one line, for development (`OTEL_TRACES_EXPORTER=console`).
 *
 * @example
 * createTracer({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
 */
export class ConsoleSpanExporter implements SpanExporter {
  private readonly write: (line: string) => void;

  /** @param options - where lines go */
  constructor(options: ConsoleSpanExporterOptions = {}) {
    this.write = options.write ?? ((line) => console.log(line));
  }

  export(spans: ReadonlyArray<ReadableSpan>): Promise<ExportResult> {
    for (const span of spans) this.write(formatSpan(span));
    return Promise.resolve(EXPORT_SUCCESS);
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
