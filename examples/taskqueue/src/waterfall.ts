// Draws one trace as a text waterfall: the call tree by indentation, each span's service and
// duration, and a timeline bar on the trace's time scale (what the viewer shows, in a terminal).
import type { ViewerSpan } from './viewer-api';

/** What the waterfall needs of a span (the viewer API's spans have it). */
export type WaterfallSpan = Pick<ViewerSpan, 'spanId' | 'parentSpanId' | 'name' | 'kind' | 'service' | 'startTime' | 'endTime' | 'attributes' | 'status'>;

const BAR_WIDTH = 40;

/**
 * The name to show: the span's name, except for HTTP client spans, which are named by their
 * method alone (`GET`, the OpenTelemetry convention when the client knows no route): those
 * get the path they called, from `url.full` or `http.route` (`GET /System.Stats`). gRPC spans,
 * client and server, are named by their method already (`taskqueue.QueueService/Report`).
 */
export function displayName(span: Pick<WaterfallSpan, 'name' | 'kind' | 'attributes'>): string {
  if (span.kind !== 'CLIENT' || !/^[A-Z]+$/.test(span.name)) return span.name;
  const route = span.attributes['http.route'];
  if (typeof route === 'string') return `${span.name} ${route}`;
  const url = span.attributes['url.full'];
  if (typeof url === 'string') {
    try {
      return `${span.name} ${new URL(url).pathname}`;
    } catch {
      // not a URL: keep the method alone
    }
  }
  return span.name;
}

/**
 * ```
 * TaskQueue.Stats [frontend]               388.0 ms |████████████████████████████████████████|
 *   GET /TaskQueue.Auth [frontend]          33.1 ms |███                                     |
 *     TaskQueue.Auth [auth]                 29.6 ms |███                                     |
 * ```
 * Children are ordered by start time; a span whose parent is not in the trace is drawn as a root.
 */
export function renderWaterfall(spans: readonly WaterfallSpan[]): string {
  if (spans.length === 0) return '(no spans)';
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, WaterfallSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== null && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startTime - b.startTime);
  const start = Math.min(...spans.map((s) => s.startTime));
  const total = Math.max(...spans.map((s) => s.endTime)) - start || 1;

  const rows: Array<[label: string, duration: string, bar: string]> = [];
  const walk = (span: WaterfallSpan, depth: number): void => {
    const from = Math.min(BAR_WIDTH - 1, Math.floor(((span.startTime - start) / total) * BAR_WIDTH));
    const width = Math.max(1, Math.min(BAR_WIDTH - from, Math.round(((span.endTime - span.startTime) / total) * BAR_WIDTH)));
    const error = span.status.code === 'ERROR' ? ' ERROR' : '';
    rows.push([`${'  '.repeat(depth)}${displayName(span)} [${span.service}]${error}`, `${(span.endTime - span.startTime).toFixed(1)} ms`, `${' '.repeat(from)}${'█'.repeat(width)}`.padEnd(BAR_WIDTH)]);
    for (const child of children.get(span.spanId) ?? []) walk(child, depth + 1);
  };
  for (const root of children.get(null) ?? []) walk(root, 0);

  const labelWidth = Math.max(...rows.map((r) => r[0].length));
  const durationWidth = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([label, duration, bar]) => `${label.padEnd(labelWidth)}  ${duration.padStart(durationWidth)} |${bar}|`).join('\n');
}
