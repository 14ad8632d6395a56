import type { ReadableSpan, Span } from '../span';

/** Receives spans as they start and end; owns getting them to an exporter. */
export interface SpanProcessor {
  /** A recording span started (synchronous; keep it cheap). */
  onStart(span: Span): void;
  /** A recording span ended (synchronous; queue, don't send). */
  onEnd(span: ReadableSpan): void;
  /** Exports everything received so far. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops. Safe to call more than once. */
  shutdown(): Promise<void>;
}
