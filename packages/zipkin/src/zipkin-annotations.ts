import type { SpanEvent } from '@tracewell/core';
import type { ZipkinAnnotation } from './zipkin-model';
import { toMicros } from './micros';

/**
 * Span events as Zipkin annotations. Zipkin annotations are a timestamp and one string, so an
 * event's attributes are appended as JSON (`exception: {"exception.type":"TypeError",...}`),
 * which keeps them visible in the UI. Identical annotations (same microsecond, same text) are
 * sent once: the API declares the list `uniqueItems` and Zipkin de-duplicates them anyway.
 * `undefined` when the span has no events.
 */
export function annotationsOf(events: ReadonlyArray<SpanEvent>): ZipkinAnnotation[] | undefined {
  if (events.length === 0) return undefined;
  const annotations: ZipkinAnnotation[] = [];
  const seen = events.length > 1 ? new Set<string>() : undefined;
  for (const event of events) {
    const value = Object.keys(event.attributes).length === 0 ? event.name : `${event.name}: ${JSON.stringify(event.attributes)}`;
    const timestamp = toMicros(event.time);
    if (seen !== undefined) {
      const key = `${timestamp} ${value}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    annotations.push({ timestamp, value });
  }
  return annotations;
}
