import type { StoredSpan } from './stored-span';

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

/** Filters of the trace list. */
export interface TraceQuery {
  service?: string;
  /** Case-insensitive substring of any span's name. */
  name?: string;
  minDurationMs?: number;
  errorsOnly?: boolean;
  limit?: number;
}

/**
 * Traces in memory, bounded by the number of spans kept: when a new span would pass the bound,
 * the least recently updated traces are evicted first. Spans of one trace may arrive from many
 * services in any order; a span sent twice replaces the earlier copy.
 */
export class TraceStore {
  // Map order is update order: a trace is moved to the end whenever a span arrives.
  private readonly traces = new Map<string, Map<string, StoredSpan>>();
  private spanCount = 0;

  /** @param maxSpans - the bound on spans kept */
  constructor(readonly maxSpans: number) {}

  /** Number of spans held. */
  get size(): number {
    return this.spanCount;
  }

  /** Adds spans, evicting the oldest traces past the bound. */
  add(spans: ReadonlyArray<StoredSpan>): void {
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (trace === undefined) trace = new Map();
      else this.traces.delete(span.traceId);
      this.traces.set(span.traceId, trace);
      if (!trace.has(span.spanId)) this.spanCount++;
      trace.set(span.spanId, span);
    }
    for (const [traceId, trace] of this.traces) {
      if (this.spanCount <= this.maxSpans) break;
      this.traces.delete(traceId);
      this.spanCount -= trace.size;
    }
  }

  /** The spans of a trace, by start time; `undefined` when unknown. */
  trace(traceId: string): StoredSpan[] | undefined {
    const trace = this.traces.get(traceId);
    return trace === undefined ? undefined : [...trace.values()].sort((a, b) => a.startTime - b.startTime);
  }

  /** Every service seen, sorted. */
  services(): string[] {
    const names = new Set<string>();
    for (const trace of this.traces.values()) for (const span of trace.values()) names.add(span.service);
    return [...names].sort();
  }

  /** Trace summaries matching `query`, newest first. */
  list(query: TraceQuery = {}): TraceSummary[] {
    const name = query.name?.toLowerCase();
    const out: TraceSummary[] = [];
    for (const [traceId, trace] of this.traces) {
      const spans = [...trace.values()];
      if (query.service !== undefined && !spans.some((s) => s.service === query.service)) continue;
      if (name !== undefined && !spans.some((s) => s.name.toLowerCase().includes(name))) continue;
      const summary = summarize(traceId, spans);
      if (query.minDurationMs !== undefined && summary.durationMs < query.minDurationMs) continue;
      if (query.errorsOnly === true && !summary.error) continue;
      out.push(summary);
    }
    out.sort((a, b) => b.startTime - a.startTime);
    return out.slice(0, query.limit ?? 100);
  }
}

function summarize(traceId: string, spans: StoredSpan[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  // The root: a span whose parent is not here (the true root, or an orphan while spans arrive), earliest first.
  const roots = spans.filter((s) => s.parentSpanId === null || !ids.has(s.parentSpanId)).sort((a, b) => a.startTime - b.startTime);
  const root = roots.find((s) => s.parentSpanId === null) ?? roots[0] ?? spans[0]!;
  const start = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.endTime));
  return {
    traceId,
    rootName: root.name,
    rootService: root.service,
    startTime: start,
    durationMs: Math.round((end - start) * 1000) / 1000,
    spanCount: spans.length,
    services: [...new Set(spans.map((s) => s.service))].sort(),
    error: spans.some((s) => s.status.code === 'ERROR'),
  };
}
