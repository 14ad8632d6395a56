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
