import { addAttributes, emptyAttributes, toAttributeValue, type Attributes, type AttributesInput, type AttributeValue } from './attributes';
import type { ReadableSpan, Span, SpanEvent, SpanLink, SpanOptions } from './span';
import type { SpanContext } from './span-context';
import type { SpanKind } from './span-kind';
import { SpanStatusCode, type SpanStatus } from './span-status';
import type { SpanOwner } from './span-owner';
import { fromTimeInput, monotonicNow, toEpochMillis, type TimeInput } from './time';
import type { Resource } from './resource';

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/** Reads `error`'s fields defensively: a hostile object's getters must not throw into the app. */
function exceptionAttributes(error: unknown): AttributesInput {
  if (typeof error === 'string') return { 'exception.message': error };
  if (error === null || typeof error !== 'object') return { 'exception.message': String(error) };
  const read = (key: string): unknown => {
    try {
      return (error as Record<string, unknown>)[key];
    } catch {
      return undefined;
    }
  };
  const name = read('name');
  const message = read('message');
  const stack = read('stack');
  const code = read('code');
  let type = typeof name === 'string' ? name : undefined;
  if (type === undefined || type === 'Error') {
    const ctor = read('constructor') as { name?: unknown } | undefined;
    if (typeof ctor?.name === 'string' && ctor.name !== 'Object') type = ctor.name;
  }
  return {
    'exception.type': typeof code === 'string' || typeof code === 'number' ? String(code) : type,
    'exception.message': typeof message === 'string' ? message : undefined,
    'exception.stacktrace': typeof stack === 'string' ? stack : undefined,
  };
}

/**
 * A sampled span. It is its own ReadableSpan: exporters get this object after `end()`, with no
 * copy. Every setter is a no-op once ended.
 */
export class RecordingSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly parentIsRemote: boolean;
  readonly traceState: SpanContext['traceState'];
  readonly startTime: number;
  endTime = 0;
  readonly attributes: Attributes = emptyAttributes();
  readonly events: SpanEvent[] = [];
  readonly links: SpanLink[] = [];
  status: SpanStatus = UNSET_STATUS;
  readonly resource: Resource;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  childSpanCount = 0;
  private ended = false;
  private attributeCount = 0;
  private readonly startMonotonic: number;

  /** @internal Created by the tracer only. */
  constructor(
    private readonly owner: SpanOwner,
    private readonly context: SpanContext,
    parent: SpanContext | undefined,
    name: string,
    options: SpanOptions | undefined,
    kind: SpanKind,
    extraAttributes: AttributesInput | undefined,
  ) {
    this.name = name;
    this.kind = kind;
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    this.parentSpanId = parent?.spanId;
    this.parentIsRemote = parent?.isRemote === true;
    this.traceState = context.traceState;
    this.resource = owner.resource;
    this.startMonotonic = monotonicNow();
    this.startTime = fromTimeInput(options?.startTime) ?? toEpochMillis(this.startMonotonic);
    if (options?.attributes !== undefined) this.setAttributes(options.attributes);
    if (extraAttributes !== undefined) this.setAttributes(extraAttributes);
    if (options?.links !== undefined) for (const link of options.links) this.addLink(link);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  /** @internal A recording child span was started in this process while this span was open. */
  noteChild(): void {
    if (!this.ended) this.childSpanCount++;
  }

  setAttribute(key: string, value: AttributeValue | undefined | null): this {
    if (this.ended || typeof key !== 'string' || key.length === 0) return this;
    const limits = this.owner.limits;
    const stored = toAttributeValue(value, limits.attributeValueLengthLimit);
    if (stored === undefined) return this;
    if (!Object.prototype.hasOwnProperty.call(this.attributes, key)) {
      if (this.attributeCount >= limits.attributeCountLimit) {
        this.droppedAttributesCount++;
        return this;
      }
      this.attributeCount++;
    }
    this.attributes[key] = stored;
    return this;
  }

  setAttributes(attributes: AttributesInput): this {
    if (this.ended) return this;
    const limits = this.owner.limits;
    const { count, dropped } = addAttributes(
      this.attributes,
      this.attributeCount,
      attributes,
      limits.attributeCountLimit,
      limits.attributeValueLengthLimit,
    );
    this.attributeCount = count;
    this.droppedAttributesCount += dropped;
    return this;
  }

  addEvent(name: string, attributes?: AttributesInput, time?: TimeInput): this {
    if (this.ended) return this;
    const limits = this.owner.limits;
    if (limits.eventCountLimit === 0) {
      this.droppedEventsCount++;
      return this;
    }
    // Keep the newest events (as OpenTelemetry does): the last ones usually explain the end.
    if (this.events.length >= limits.eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    const eventAttributes = emptyAttributes();
    const { dropped } = addAttributes(eventAttributes, 0, attributes, limits.attributeCountLimit, limits.attributeValueLengthLimit);
    this.events.push({
      name: String(name),
      time: fromTimeInput(time) ?? toEpochMillis(monotonicNow()),
      attributes: eventAttributes,
      droppedAttributesCount: dropped,
    });
    return this;
  }

  addLink(link: SpanLink): this {
    if (this.ended || link === null || typeof link !== 'object' || link.context === undefined) return this;
    const limits = this.owner.limits;
    if (this.links.length >= limits.linkCountLimit) {
      this.droppedLinksCount++;
      return this;
    }
    const attributes = emptyAttributes();
    const { dropped } = addAttributes(attributes, 0, link.attributes, limits.attributeCountLimit, limits.attributeValueLengthLimit);
    this.links.push({ context: link.context, attributes, droppedAttributesCount: dropped });
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended || status === null || typeof status !== 'object') return this;
    // OpenTelemetry API spec, "Set Status": OK is final, UNSET is ignored, description only for ERROR.
    if (this.status.code === SpanStatusCode.OK) return this;
    if (status.code === SpanStatusCode.OK) this.status = { code: SpanStatusCode.OK };
    else if (status.code === SpanStatusCode.ERROR) {
      this.status = typeof status.message === 'string' ? { code: SpanStatusCode.ERROR, message: status.message } : { code: SpanStatusCode.ERROR };
    }
    return this;
  }

  recordException(error: unknown, time?: TimeInput): this {
    if (this.ended) return this;
    return this.addEvent('exception', exceptionAttributes(error), time);
  }

  updateName(name: string): this {
    if (!this.ended && typeof name === 'string') this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const explicit = fromTimeInput(endTime);
    // Durations come from the monotonic clock so a wall-clock step never makes them negative.
    const end = explicit ?? Math.round((this.startTime + (monotonicNow() - this.startMonotonic)) * 1000) / 1000;
    this.endTime = end < this.startTime ? this.startTime : end;
    this.owner.onSpanEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  child(name: string, options?: Omit<SpanOptions, 'parent'>): Span {
    // One fixed object shape instead of a spread: measured several times faster on this hot path.
    return this.owner.startSpan(name, {
      kind: options?.kind,
      attributes: options?.attributes,
      links: options?.links,
      startTime: options?.startTime,
      parent: this,
    });
  }
}
