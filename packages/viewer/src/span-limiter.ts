import type { StoredSpan, StoredValue } from './stored-span';
import { eventSize, spanSize, valueSize } from './stored-size';
import { TOO_DEEP, TRUNCATED, type ResolvedViewerLimits } from './viewer-limits';

/**
 * An attribute value as a receiver decodes it, before it is stored: OTLP's AnyValue with a
 * kvlist as an object (null prototype, so any key is plain data). Receivers stop descending at
 * `maxValueDepth` (putting {@link TOO_DEEP} there), so no decoded value is deeper than that.
 */
export type DecodedValue = string | number | boolean | null | DecodedValue[] | { [key: string]: DecodedValue };

/**
 * A copy of `part`, a substring of a larger string. V8 keeps a substring as a slice that holds
 * its whole parent alive: storing the first 32 KiB of a 1 MiB value kept the megabyte (measured
 * by bench/viewer/adversarial-posts.js: 170 MiB of heap for 5 MiB stored). The JSON round trip
 * copies the characters and keeps lone surrogates as they are.
 */
export function detached(part: string): string {
  return JSON.parse(JSON.stringify(part)) as string;
}

/** What the limits cut, per request (added to the viewer's counters only if the request is accepted). */
export interface LimitCounters {
  /** Strings cut at `maxValueLength`. */
  valuesTruncated: number;
  /** Values nested deeper than `maxValueDepth`, stored as a marker. */
  valuesTooDeep: number;
  /** Attributes dropped because their span reached `maxSpanBytes`. */
  attributesDropped: number;
  /** Events dropped because their span reached `maxSpanBytes`. */
  eventsDropped: number;
}

/** Zeroed counters. */
export function emptyLimitCounters(): LimitCounters {
  return { valuesTruncated: 0, valuesTooDeep: 0, attributesDropped: 0, eventsDropped: 0 };
}

/** A span as a receiver assembles it: attributes still as decoded values. */
export interface SpanDraft extends Omit<StoredSpan, 'attributes' | 'events' | 'durationMs'> {
  readonly attributes: ReadonlyArray<readonly [string, DecodedValue]>;
  readonly events: ReadonlyArray<{ name: string; time: number; attributes: ReadonlyArray<readonly [string, DecodedValue]> }>;
}

/**
 * Applies the viewer's limits while receivers turn a request into spans. A kvlist becomes JSON
 * text in one `JSON.stringify` of the whole decoded value, so its size stays linear in the
 * request (turning it into text level by level doubled the escaping at every level).
 */
export class SpanLimiter {
  readonly counters = emptyLimitCounters();

  /** @param limits - the viewer's resolved limits */
  constructor(readonly limits: ResolvedViewerLimits) {}

  /** Whether a container at `depth` (0 = the attribute's own value) may be descended into. */
  canDescend(depth: number): boolean {
    return depth < this.limits.maxValueDepth;
  }

  /** The marker stored for a value nested too deep, counted. */
  tooDeep(): string {
    this.counters.valuesTooDeep++;
    return TOO_DEEP;
  }

  /** A string cut to `maxValueLength`, counted when cut. */
  text(value: string): string {
    if (value.length <= this.limits.maxValueLength) return value;
    this.counters.valuesTruncated++;
    return detached(value.slice(0, this.limits.maxValueLength - TRUNCATED.length) + TRUNCATED);
  }

  /**
   * A copy of parsed JSON (Zipkin's annotation attributes) as a decoded value, no deeper than
   * `maxValueDepth` below `depth`.
   */
  fromJson(value: unknown, depth = 0): DecodedValue {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value !== 'object') return null;
    if (!this.canDescend(depth)) return this.tooDeep();
    if (Array.isArray(value)) return value.map((item: unknown) => this.fromJson(item, depth + 1));
    const out: { [key: string]: DecodedValue } = Object.create(null) as { [key: string]: DecodedValue };
    for (const key of Object.keys(value)) out[key] = this.fromJson((value as Record<string, unknown>)[key], depth + 1);
    return out;
  }

  /** A decoded value as stored: arrays stay arrays, a kvlist becomes JSON text, strings are cut. */
  stored(value: DecodedValue): StoredValue {
    if (typeof value === 'string') return this.text(value);
    if (typeof value === 'number' || typeof value === 'boolean') return value;
    if (value === null) return '';
    if (Array.isArray(value)) return value.map((item) => this.stored(item));
    return this.text(JSON.stringify(value));
  }

  /** Attributes within `budget` bytes, in order; the ones that do not fit are dropped and counted. */
  private attributes(entries: SpanDraft['attributes'], budget: { left: number }): Record<string, StoredValue> {
    // A plain object (a null-prototype one is a dictionary in V8, several times the size).
    const out: Record<string, StoredValue> = {};
    for (const [rawKey, raw] of entries) {
      const key = this.text(rawKey);
      const value = this.stored(raw);
      const size = key.length + valueSize(value);
      if (size > budget.left) {
        this.counters.attributesDropped++;
        continue;
      }
      budget.left -= size;
      // Assigning `__proto__` would set the prototype (or be ignored): define it as plain data.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }

  /** The stored span, within `maxSpanBytes`: strings cut, then attributes and events kept while they fit. */
  span(draft: SpanDraft): StoredSpan {
    const message = draft.status.message === undefined ? undefined : this.text(draft.status.message);
    const base: StoredSpan = {
      traceId: draft.traceId,
      spanId: draft.spanId,
      parentSpanId: draft.parentSpanId,
      name: this.text(draft.name),
      kind: draft.kind,
      service: this.text(draft.service),
      startTime: draft.startTime,
      endTime: draft.endTime,
      durationMs: Math.max(0, draft.endTime - draft.startTime),
      attributes: {},
      events: [],
      status: message === undefined ? { code: draft.status.code } : { code: draft.status.code, message },
    };
    const budget = { left: this.limits.maxSpanBytes - spanSize(base) };
    base.attributes = this.attributes(draft.attributes, budget);
    for (const raw of draft.events) {
      const event = { name: this.text(raw.name), time: raw.time, attributes: {} as Record<string, StoredValue> };
      const fixed = eventSize(event);
      if (fixed > budget.left) {
        this.counters.eventsDropped++;
        continue;
      }
      budget.left -= fixed;
      event.attributes = this.attributes(raw.attributes, budget);
      base.events.push(event);
    }
    return base;
  }
}
