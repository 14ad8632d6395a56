// The trace statistics table (Jaeger's "Trace Statistics"): per operation (a span name in a
// service) how many spans, their total, mean, min and max duration, their self time and their
// time on the critical path. One pass over the spans; the table shows the operations that held
// the trace up first.
import type { Span, SpanTimings } from './api.js';
import { formatDuration, h, serviceChip } from './dom.js';
import { spanDuration } from './span-details.js';

/** One operation's figures (ms). */
export interface OperationStats {
  readonly service: string;
  readonly name: string;
  count: number;
  totalMs: number;
  minMs: number;
  maxMs: number;
  /** Sums over the operation's spans; undefined when the trace came without timings. */
  selfMs: number | undefined;
  criticalMs: number | undefined;
}

/** Operations shown at most: a trace of 100,000 spans may have as many distinct names. */
const SHOWN = 50;

/** The figures per operation, most time on the critical path first (then most self time, most total). */
export function operationStats(spans: ReadonlyArray<Span>, timings: SpanTimings | undefined): OperationStats[] {
  const byOperation = new Map<string, OperationStats>();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const duration = spanDuration(span);
    const key = `${span.service}\u0000${span.name}`;
    let stats = byOperation.get(key);
    if (stats === undefined) {
      const summed = timings === undefined ? undefined : 0;
      stats = { service: span.service, name: span.name, count: 0, totalMs: 0, minMs: duration, maxMs: duration, selfMs: summed, criticalMs: summed };
      byOperation.set(key, stats);
    }
    stats.count++;
    stats.totalMs += duration;
    stats.minMs = Math.min(stats.minMs, duration);
    stats.maxMs = Math.max(stats.maxMs, duration);
    if (timings !== undefined) {
      stats.selfMs! += timings.selfMs[i]!;
      stats.criticalMs! += timings.criticalMs[i]!;
    }
  }
  return [...byOperation.values()].sort((a, b) =>
    (b.criticalMs ?? 0) - (a.criticalMs ?? 0) || (b.selfMs ?? 0) - (a.selfMs ?? 0) || b.totalMs - a.totalMs);
}

/** The table, with a note when operations are left out. */
export function renderStats(stats: ReadonlyArray<OperationStats>): HTMLElement {
  const optional = (ms: number | undefined): string => (ms === undefined ? '–' : formatDuration(ms));
  const head = ['Count', 'Total', 'Mean', 'Min', 'Max', 'Self time', 'On critical path'];
  return h('div', { class: 'table-wrap trace-stats', 'data-testid': 'trace-stats' },
    h('table', { class: 'trace-table percentile-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Operation'), ...head.map((label) => h('th', { class: 'col-num' }, label)))),
      h('tbody', {}, ...stats.slice(0, SHOWN).map((op) => h('tr', { 'data-testid': 'stats-row', 'data-operation': `${op.service}: ${op.name}` },
        h('td', {}, serviceChip(op.service), ' ', op.name || '(unnamed)'),
        h('td', { class: 'col-num' }, op.count),
        h('td', { class: 'col-num' }, formatDuration(op.totalMs)),
        h('td', { class: 'col-num' }, formatDuration(op.totalMs / op.count)),
        h('td', { class: 'col-num' }, formatDuration(op.minMs)),
        h('td', { class: 'col-num' }, formatDuration(op.maxMs)),
        h('td', { class: 'col-num', 'data-testid': 'stats-self' }, optional(op.selfMs)),
        h('td', { class: 'col-num', 'data-testid': 'stats-critical' }, optional(op.criticalMs)))))),
    stats.length > SHOWN ? h('p', { class: 'note' }, `${stats.length - SHOWN} more operations, ranked lower, not shown.`) : null);
}
