import type { ResolvedSpanLimits } from './limits';
import type { RecordingSpan } from './recording-span';
import type { Resource } from './resource';
import type { Span, SpanOptions } from './span';

/** What a span needs from the tracer that made it (internal). */
export interface SpanOwner {
  readonly limits: ResolvedSpanLimits;
  readonly resource: Resource;
  /** Starts a span; used by `span.child()`. */
  startSpan(name: string, options?: SpanOptions): Span;
  /** Called once when a recording span ends. */
  onSpanEnd(span: RecordingSpan): void;
}
