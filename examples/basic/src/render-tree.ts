import type { ReadableSpan } from '@tracewell/core';

const BAR_WIDTH = 40;

/**
 * Draws the spans of one trace as an indented call tree with a timeline bar per span, the way
 * a trace viewer shows it, e.g.
 *
 * ```
 * TaskQueue.Stats            581.2 ms |████████████████████████████████████████|
 *   TaskQueue.Auth            40.1 ms |███                                     |
 * ```
 */
export function renderTree(spans: ReadonlyArray<ReadableSpan>): string {
  if (spans.length === 0) return '(no spans)';
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startTime - b.startTime);
  const start = Math.min(...spans.map((s) => s.startTime));
  const total = Math.max(...spans.map((s) => s.endTime)) - start || 1;
  const rows: Array<[string, string, string]> = [];
  const walk = (span: ReadableSpan, depth: number): void => {
    const from = Math.floor(((span.startTime - start) / total) * BAR_WIDTH);
    const width = Math.max(1, Math.round(((span.endTime - span.startTime) / total) * BAR_WIDTH));
    const bar = `${' '.repeat(from)}${'█'.repeat(Math.min(width, BAR_WIDTH - from))}`.padEnd(BAR_WIDTH);
    rows.push([`${'  '.repeat(depth)}${span.name}`, `${(span.endTime - span.startTime).toFixed(1)} ms`, `|${bar}|`]);
    for (const child of children.get(span.spanId) ?? []) walk(child, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) walk(root, 0);
  const nameWidth = Math.max(...rows.map((r) => r[0].length));
  const timeWidth = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([name, time, bar]) => `${name.padEnd(nameWidth)}  ${time.padStart(timeWidth)} ${bar}`).join('\n');
}
