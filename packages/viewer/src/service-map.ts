// The service map: services as nodes, and an edge wherever a span's parent is in another service
// (a CLIENT span and the SERVER span it caused, or a producer and its consumer). An edge's
// latency is the parent's: what the calling service waited.
import type { DependencyAnswer, ServiceEdge } from './api-types';
import { percentile, roundMs } from './percentile';
import { indexTrace } from './trace-index';
import type { MatchedTrace } from './trace-store';

/** Linear in the matched spans, plus sorting each edge's durations. */
export function serviceMapOf(matched: ReadonlyArray<MatchedTrace>): DependencyAnswer {
  const services = new Set<string>();
  const edges = new Map<string, { caller: string; callee: string; durations: number[]; errors: number }>();
  for (const trace of matched) {
    const { spans, parent: parentOf } = indexTrace(trace.spans.values());
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      services.add(span.service);
      const parent = parentOf[i]! === -1 ? undefined : spans[parentOf[i]!]!;
      if (parent === undefined || parent.service === span.service) continue;
      const key = `${parent.service}\u0000${span.service}`;
      let edge = edges.get(key);
      if (edge === undefined) edges.set(key, (edge = { caller: parent.service, callee: span.service, durations: [], errors: 0 }));
      edge.durations.push(parent.durationMs);
      if (span.status.code === 'ERROR' || parent.status.code === 'ERROR') edge.errors++;
    }
  }
  const list: ServiceEdge[] = [...edges.values()]
    .map(({ caller, callee, durations, errors }) => {
      durations.sort((a, b) => a - b);
      return { caller, callee, calls: durations.length, errors, p50: roundMs(percentile(durations, 50)), p99: roundMs(percentile(durations, 99)) };
    })
    .sort((a, b) => (a.caller === b.caller ? (a.callee < b.callee ? -1 : 1) : a.caller < b.caller ? -1 : 1));
  return { services: [...services].sort(), edges: list };
}
