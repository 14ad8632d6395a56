import type { Span, SpanLink, SpanOptions } from './span';
import type { SpanContext } from './span-context';
import type { SpanStatus } from './span-status';

/** Starts children of a non-recording span (internal: the tracer). */
export interface SpanStarter {
  startSpan(name: string, options?: SpanOptions): Span;
}

/**
 * A span that records nothing but still carries its context, so an unsampled trace keeps
 * propagating (and so an extracted remote context can be made active). One small object, no
 * buffers: the cost of an unsampled request.
 */
export class NonRecordingSpan implements Span {
  /** @internal */
  constructor(
    private readonly context: SpanContext,
    private readonly starter: SpanStarter | undefined,
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(_link: SpanLink): this {
    return this;
  }
  setStatus(_status: SpanStatus): this {
    return this;
  }
  recordException(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
  child(name: string, options?: Omit<SpanOptions, 'parent'>): Span {
    return this.starter === undefined ? this : this.starter.startSpan(name, { ...options, parent: this });
  }
}

/**
 * A span that records nothing and carries `context`: made active (`tracer.withSpan`), it is the
 * parent of the spans started inside, like a context extracted from headers. For bridges to
 * other tracing APIs, whose remote or foreign span contexts must become Tracewell parents.
 * `tracer` starts its children when `child()` is called; without it, `child()` returns the span itself.
 */
export function wrapSpanContext(context: SpanContext, tracer?: SpanStarter): Span {
  return new NonRecordingSpan(context, tracer);
}
