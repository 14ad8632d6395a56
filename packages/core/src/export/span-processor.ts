import type { ReadableSpan, Span } from '../span';
import type { ExportStats } from './export-stats';

/** Options of {@link SpanProcessor.shutdown}. */
export interface ShutdownOptions {
  /** Give up flushing after this long; what is still queued is dropped and counted. */
  timeoutMillis?: number;
}

/** Receives spans as they start and end; owns getting them to an exporter. */
export interface SpanProcessor {
  /** A recording span started (synchronous; keep it cheap). */
  onStart(span: Span): void;
  /** A recording span ended (synchronous; queue, don't send). */
  onEnd(span: ReadableSpan): void;
  /** Exports everything received so far. */
  forceFlush(): Promise<void>;
  /** Flushes (within the deadline), then stops accepting spans. Safe to call more than once. */
  shutdown(options?: ShutdownOptions): Promise<void>;
  /** Counters, summed into `tracer.stats()`. Optional for custom processors. */
  stats?(): ExportStats;
}
