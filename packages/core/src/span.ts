import type { Attributes, AttributesInput, AttributeValue } from './attributes';
import type { Resource } from './resource';
import type { SpanContext } from './span-context';
import type { SpanKind } from './span-kind';
import type { SpanStatus } from './span-status';
import type { TimeInput } from './time';

/** A link from one span to another span's context (e.g. a batch job to the requests it serves). */
export interface SpanLink {
  readonly context: SpanContext;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

/** Options for starting a span. */
export interface SpanOptions {
  /** Role of the span. Default `SpanKind.INTERNAL`. */
  kind?: SpanKind;
  /** Initial attributes (also shown to the sampler). */
  attributes?: AttributesInput;
  /** Parent: a span, a span context (e.g. from `tracer.extract`), or `null` for a new trace. Default: the active span. */
  parent?: Span | SpanContext | null;
  /** Links to other spans. */
  links?: ReadonlyArray<SpanLink>;
  /** Start time in epoch milliseconds or a Date. Default: now. */
  startTime?: TimeInput;
}

/**
 * A timed operation in a trace. Every method is safe to call in any state: after `end()` or on
 * an unsampled span they do nothing, and none of them throws.
 *
 * @example
 * const span = tracer.startSpan('load user', { attributes: { 'user.id': id } });
 * try { return await db.load(id); } finally { span.end(); }
 */
export interface Span {
  /** Ids and flags, for propagation and log correlation. */
  spanContext(): SpanContext;
  /** Sets one attribute; `undefined`/`null` and invalid values are ignored. */
  setAttribute(key: string, value: AttributeValue | undefined | null): this;
  /** Sets several attributes. */
  setAttributes(attributes: AttributesInput): this;
  /** Adds a timestamped event (an annotation). */
  addEvent(name: string, attributes?: AttributesInput, time?: TimeInput): this;
  /** Adds a link to another span. */
  addLink(link: SpanLink): this;
  /** Sets the status. OK is final; UNSET is ignored; a message is kept only with ERROR. */
  setStatus(status: SpanStatus): this;
  /** Records an error as an `exception` event (type, message, stack). Does not change the status. */
  recordException(error: unknown, time?: TimeInput): this;
  /** Renames the span (e.g. once the route is known). */
  updateName(name: string): this;
  /** Ends the span. Only the first call has an effect. */
  end(endTime?: TimeInput): void;
  /** True while the span records data (sampled and not yet ended). */
  isRecording(): boolean;
  /** Starts a child span of this one (not made active). */
  child(name: string, options?: Omit<SpanOptions, 'parent'>): Span;
}

/** An event recorded on a span. */
export interface SpanEvent {
  readonly name: string;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

/** A finished span as exporters receive it. Times are epoch milliseconds with microsecond precision. */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  /** True when the parent came from another process. */
  readonly parentIsRemote: boolean;
  readonly traceState: SpanContext['traceState'];
  readonly startTime: number;
  readonly endTime: number;
  readonly attributes: Attributes;
  readonly events: ReadonlyArray<SpanEvent>;
  readonly links: ReadonlyArray<SpanLink>;
  readonly status: SpanStatus;
  readonly resource: Resource;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  /** Recording children started in this process while the span was open (absent when unknown). */
  readonly childSpanCount?: number;
  /** The span's context (sampled is always true for an exported span). */
  spanContext(): SpanContext;
}
