import { addAttributes, emptyAttributes, toAttributeValue, type Attributes, type AttributesInput, type AttributeValue } from './attributes';
import type { ReadableSpan, Span, SpanEvent, SpanLink, SpanOptions } from './span';
import type { SpanContext } from './span-context';
import type { SpanKind } from './span-kind';
import { SpanStatusCode, type SpanStatus } from './span-status';
import type { SpanOwner } from './span-owner';
import { fromTimeInput, monotonicNow, toEpochMillis, type TimeInput } from './time';
import type { Resource } from './resource';

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
// Most spans have no events or links: they share these until their first one.
const NO_EVENTS: ReadonlyArray<SpanEvent> = Object.freeze([]);
const NO_LINKS: ReadonlyArray<SpanLink> = Object.freeze([]);
// Up to this many attributes a span keeps them as a flat key, value list: an append and a short
// scan per attribute on the request path, where writing each into an object took V8's slowest
// (megamorphic) property store. Past it the list becomes the map, so a span that is given many
// attributes costs no more than one lookup per attribute.
const LIST_ATTRIBUTES = 32;
const hasOwn = Object.prototype.hasOwnProperty;

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
  events: ReadonlyArray<SpanEvent> = NO_EVENTS;
  links: ReadonlyArray<SpanLink> = NO_LINKS;
  status: SpanStatus = UNSET_STATUS;
  readonly resource: Resource;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  childSpanCount = 0;
  private ended = false;
  /** `key, value, key, value...` while the span has few attributes; undefined once {@link map} holds them. */
  private attributeList: Array<string | AttributeValue> | undefined = [];
  /** The attributes as exporters read them: built from the list at the first read, then kept in step. */
  private attributeMap: Attributes | undefined = undefined;
  /** How many keys the map holds, once the list is gone. */
  private mapCount = 0;
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

  /** The span's attributes (a map that inherits nothing). */
  get attributes(): Attributes {
    return this.attributeMap ?? this.mapFromList();
  }

  private mapFromList(): Attributes {
    let map = this.attributeMap;
    if (map === undefined) {
      map = emptyAttributes();
      const list = this.attributeList!;
      for (let i = 0; i < list.length; i += 2) map[list[i] as string] = list[i + 1] as AttributeValue;
      this.attributeMap = map;
    }
    return map;
  }

  setAttribute(key: string, value: AttributeValue | undefined | null): this {
    if (this.ended || typeof key !== 'string' || key.length === 0) return this;
    const stored = toAttributeValue(value, this.owner.limits.attributeValueLengthLimit);
    if (stored !== undefined) this.storeAttribute(key, stored);
    return this;
  }

  setAttributes(attributes: AttributesInput): this {
    if (this.ended || attributes === null || typeof attributes !== 'object') return this;
    const lengthLimit = this.owner.limits.attributeValueLengthLimit;
    for (const key of Object.keys(attributes)) {
      if (key.length === 0) continue;
      const stored = toAttributeValue(attributes[key], lengthLimit);
      if (stored !== undefined) this.storeAttribute(key, stored);
    }
    return this;
  }

  private storeAttribute(key: string, value: AttributeValue): void {
    const limit = this.owner.limits.attributeCountLimit;
    const list = this.attributeList;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i += 2) {
        if (list[i] === key) {
          list[i + 1] = value;
          if (this.attributeMap !== undefined) this.attributeMap[key] = value;
          return;
        }
      }
      const count = list.length / 2;
      if (count >= limit) {
        this.droppedAttributesCount++;
        return;
      }
      if (count < LIST_ATTRIBUTES) {
        list.push(key, value);
        if (this.attributeMap !== undefined) this.attributeMap[key] = value;
        return;
      }
      // The list is long: from now on the map is the only store.
      this.mapFromList();
      this.mapCount = count;
      this.attributeList = undefined;
    }
    const map = this.attributeMap!;
    if (!hasOwn.call(map, key)) {
      if (this.mapCount >= limit) {
        this.droppedAttributesCount++;
        return;
      }
      this.mapCount++;
    }
    map[key] = value;
  }

  addEvent(name: string, attributes?: AttributesInput, time?: TimeInput): this {
    if (this.ended) return this;
    const limits = this.owner.limits;
    if (limits.eventCountLimit === 0) {
      this.droppedEventsCount++;
      return this;
    }
    if (this.events === NO_EVENTS) this.events = [];
    const events = this.events as SpanEvent[];
    // Keep the newest events (as OpenTelemetry does): the last ones usually explain the end.
    if (events.length >= limits.eventCountLimit) {
      events.shift();
      this.droppedEventsCount++;
    }
    const eventAttributes = emptyAttributes();
    const { dropped } = addAttributes(eventAttributes, 0, attributes, limits.attributeCountLimit, limits.attributeValueLengthLimit);
    events.push({
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
    if (this.links === NO_LINKS) this.links = [];
    (this.links as SpanLink[]).push({ context: link.context, attributes, droppedAttributesCount: dropped });
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
