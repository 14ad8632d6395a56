// The latency view: percentiles per operation and the duration-over-time scatter, over the traces
// a search matched. An operation is a span name in a service, measured on the spans where a
// request enters that service (SERVER and CONSUMER spans, and roots): what its callers wait on.
import type { LatencyAnswer, LatencyPoint, OperationLatency } from './api-types';
import { percentile, roundMs } from './percentile';
import type { MatchedTrace } from './trace-store';

/** The scatter shows at most this many traces, the newest. */
export const MAX_LATENCY_POINTS = 2000;
/** Operations listed, the most frequent first. */
export const MAX_OPERATIONS = 200;

/** Linear in the matched spans, plus sorting each operation's durations. */
export function latencyOf(matched: ReadonlyArray<MatchedTrace>): LatencyAnswer {
  const byOperation = new Map<string, { service: string; name: string; durations: number[]; errors: number }>();
  for (const { spans } of matched) {
    for (const span of spans.values()) {
      if (!(span.parentSpanId === null || span.kind === 'SERVER' || span.kind === 'CONSUMER')) continue;
      const key = `${span.service}\u0000${span.name}`;
      let entry = byOperation.get(key);
      if (entry === undefined) byOperation.set(key, (entry = { service: span.service, name: span.name, durations: [], errors: 0 }));
      entry.durations.push(span.durationMs);
      if (span.status.code === 'ERROR') entry.errors++;
    }
  }
  const operations: OperationLatency[] = [...byOperation.values()]
    .sort((a, b) => b.durations.length - a.durations.length || (a.service + a.name < b.service + b.name ? -1 : 1))
    .slice(0, MAX_OPERATIONS)
    .map(({ service, name, durations, errors }) => {
      durations.sort((a, b) => a - b);
      return { service, name, count: durations.length, errors, p50: roundMs(percentile(durations, 50)), p90: roundMs(percentile(durations, 90)), p99: roundMs(percentile(durations, 99)) };
    });
  const points: LatencyPoint[] = matched.slice(0, MAX_LATENCY_POINTS).map(({ summary }) => ({ traceId: summary.traceId, startTime: summary.startTime, durationMs: summary.durationMs, error: summary.error }));
  return { operations, points, total: matched.length };
}
