// The JSON API's answers, shared by the server and the web UI (ui/ imports these types through
// its project reference, so the two cannot drift apart).
import type { StoredSpan, StoredValue } from './stored-span';
import type { TraceAnalysis } from './trace-analysis';

export type { StoredSpan, StoredValue };
export type { CriticalContributor, CriticalSegment, SpanTiming, SpanTimings, TraceAnalysis } from './trace-analysis';

/** One trace in the list: what the UI shows per row. */
export interface TraceSummary {
  traceId: string;
  rootName: string;
  rootService: string;
  startTime: number;
  durationMs: number;
  spanCount: number;
  services: string[];
  error: boolean;
}

/** `GET /api/traces`: one page of the traces that match, newest first. */
export interface TraceListAnswer {
  traces: TraceSummary[];
  /** Matching traces in all (the page is `offset` to `offset + traces.length`). */
  total: number;
  offset: number;
  limit: number;
}

/** `GET /api/traces/:id`: one page of a trace's spans (by start time) and its analysis. */
export interface TraceDetailAnswer {
  traceId: string;
  spans: StoredSpan[];
  /** Spans in the trace (the page is `offset` to `offset + spans.length`). */
  total: number;
  offset: number;
  limit: number;
  /** Critical path, self times and the verdict, over the whole trace (not only this page). */
  analysis: TraceAnalysis;
}

/** Latency of one operation (span name in a service) over the traces that match. */
export interface OperationLatency {
  service: string;
  name: string;
  count: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
}

/** A trace as a point of the duration-over-time scatter. */
export interface LatencyPoint {
  traceId: string;
  startTime: number;
  durationMs: number;
  error: boolean;
}

/** `GET /api/latency`: percentiles per operation and the newest points, for the same search as the list. */
export interface LatencyAnswer {
  operations: OperationLatency[];
  points: LatencyPoint[];
  /** Matching traces in all; `points` holds the newest of them, at most the point cap. */
  total: number;
}

/** One edge of the service map: calls from `caller` to `callee` (a CLIENT span with a SERVER child in another service). */
export interface ServiceEdge {
  caller: string;
  callee: string;
  calls: number;
  errors: number;
  p50: number;
  p99: number;
}

/** `GET /api/dependencies`: the service map over the traces that match. */
export interface DependencyAnswer {
  services: string[];
  edges: ServiceEdge[];
}

/** How a span of trace `b` compares with the matching span of trace `a`. */
export type SpanChange = 'added' | 'missing' | 'slower' | 'faster' | 'same';

/** One span path (service and names from the root) in a comparison. */
export interface ComparedSpan {
  /** `service: name` of each span from the root, joined with ` > `, with `#n` for the n-th sibling of the same name. */
  path: string;
  change: SpanChange;
  aMs: number | null;
  bMs: number | null;
}

/** `GET /api/compare?a=&b=`: the spans of two traces matched by path. */
export interface CompareAnswer {
  a: TraceSummary;
  b: TraceSummary;
  /** At most 10,000 rows; `total` counts them all. */
  spans: ComparedSpan[];
  total: number;
}

/**
 * A link out of the viewer: `url` is an http(s) URL template with `{traceId}`, `{spanId}`,
 * `{service}`, `{name}`, `{startTime}`, `{endTime}` (epoch ms) or `{attr:KEY}` placeholders.
 */
export interface LinkTemplate {
  name: string;
  url: string;
}

/** A link template as the server has parsed it, so the UI fills it in without a grammar of its own. */
export interface ParsedLinkTemplate extends LinkTemplate {
  /** `url` split at its placeholders: text, key, text, key, ..., text (odd entries are the keys, such as `traceId` or `attr:http.route`). */
  parts: string[];
  /** True when a placeholder needs a span (`spanId`, `service`, `name`, `attr:KEY`): shown per span, not per trace. */
  perSpan: boolean;
}

/** `GET /api/config`: what the UI needs from the viewer's options. */
export interface ViewerConfigAnswer {
  links: ParsedLinkTemplate[];
}
