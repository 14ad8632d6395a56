// Links out of the viewer (logs by trace id, the same trace in Cloud Trace or Jaeger): URL
// templates from the viewer's `links` option, filled in for a trace or a span. Every value is
// URL-encoded, so span data can change a link's query but never where it points.
import type { LinkTemplate, Span } from './api.js';

/** A link ready to show. */
export interface ResolvedLink {
  readonly name: string;
  readonly url: string;
}

const PLACEHOLDER = /\{(traceId|spanId|service|name|startTime|endTime|attr:[^}]+)\}/g;
const SPAN_ONLY = /\{(spanId|service|name|attr:[^}]+)\}/;

/** True when the template needs a span (not only the trace). */
export function isSpanLink(template: LinkTemplate): boolean {
  return SPAN_ONLY.test(template.url);
}

function fill(template: LinkTemplate, values: (key: string) => string | undefined): ResolvedLink | undefined {
  let missing = false;
  const url = template.url.replace(PLACEHOLDER, (_, key: string) => {
    const value = values(key);
    if (value === undefined) missing = true;
    return encodeURIComponent(value ?? '');
  });
  return missing ? undefined : { name: template.name, url };
}

/** The trace-level links (templates that need no span). */
export function traceLinks(templates: ReadonlyArray<LinkTemplate>, traceId: string, start: number, end: number): ResolvedLink[] {
  const values: Record<string, string> = { traceId, startTime: String(Math.floor(start)), endTime: String(Math.ceil(end)) };
  return templates.filter((t) => !isSpanLink(t)).flatMap((t) => fill(t, (key) => values[key]) ?? []);
}

/** Every link for a span; a template naming an attribute the span lacks is left out. */
export function spanLinks(templates: ReadonlyArray<LinkTemplate>, span: Span): ResolvedLink[] {
  const values: Record<string, string> = { traceId: span.traceId, spanId: span.spanId, service: span.service, name: span.name, startTime: String(Math.floor(span.startTime)), endTime: String(Math.ceil(span.endTime)) };
  return templates.flatMap((t) => fill(t, (key) => {
    if (!key.startsWith('attr:')) return values[key];
    const value = span.attributes[key.slice(5)];
    return value === undefined ? undefined : String(value);
  }) ?? []);
}
