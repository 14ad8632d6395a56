// Links out of the viewer (logs by trace id, the same trace in Cloud Trace or Jaeger): URL
// templates from the viewer's `links` option, filled in for a trace or a span. Every value is
// URL-encoded, so span data can change a link's query but never where it points.
import type { ParsedLinkTemplate, Span } from './api.js';

/** A link ready to show. */
export interface ResolvedLink {
  readonly name: string;
  readonly url: string;
}

/** The template with each placeholder (the odd parts, split by the server) replaced; undefined when a value is missing. */
function fill(template: ParsedLinkTemplate, values: (key: string) => string | undefined): ResolvedLink | undefined {
  let url = '';
  for (let i = 0; i < template.parts.length; i++) {
    const part = template.parts[i]!;
    if (i % 2 === 0) {
      url += part;
      continue;
    }
    const value = values(part);
    if (value === undefined) return undefined;
    url += encodeURIComponent(value);
  }
  return { name: template.name, url };
}

/** The trace-level links (templates that need no span). */
export function traceLinks(templates: ReadonlyArray<ParsedLinkTemplate>, traceId: string, start: number, end: number): ResolvedLink[] {
  const values: Record<string, string> = { traceId, startTime: String(Math.floor(start)), endTime: String(Math.ceil(end)) };
  return templates.filter((t) => !t.perSpan).flatMap((t) => fill(t, (key) => values[key]) ?? []);
}

/** Every link for a span; a template naming an attribute the span lacks is left out. */
export function spanLinks(templates: ReadonlyArray<ParsedLinkTemplate>, span: Span): ResolvedLink[] {
  const values: Record<string, string> = { traceId: span.traceId, spanId: span.spanId, service: span.service, name: span.name, startTime: String(Math.floor(span.startTime)), endTime: String(Math.ceil(span.endTime)) };
  return templates.flatMap((t) => fill(t, (key) => {
    if (!key.startsWith('attr:')) return values[key];
    const value = span.attributes[key.slice(5)];
    return value === undefined ? undefined : String(value);
  }) ?? []);
}
