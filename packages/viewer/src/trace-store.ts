import type { TraceSummary } from './api-types';
import type { StoredSpan } from './stored-span';
import { spanSize } from './stored-size';
import { roundMs } from './percentile';
import { analyzeTrace, type TraceAnalysis } from './trace-analysis';
import { traceRoot } from './trace-index';
import { traceMatches, type PageRequest, type TraceSearch } from './trace-search';

/** A trace that matched a search: its summary and its spans by span id (in arrival order). */
export interface MatchedTrace {
  readonly summary: TraceSummary;
  readonly spans: ReadonlyMap<string, StoredSpan>;
}

/** What the store holds and what it has evicted. */
export interface TraceStoreStats {
  spans: number;
  traces: number;
  /** Approximate size of the spans held (see `ViewerLimits`). */
  bytes: number;
  evictedTraces: number;
  evictedSpans: number;
}

interface TraceEntry {
  readonly spans: Map<string, StoredSpan>;
  /** Size of each span held, to keep `bytes` exact when a span is replaced or evicted. */
  readonly sizes: Map<string, number>;
  bytes: number;
  /** Computed when listed, dropped when a span arrives. */
  summary: TraceSummary | undefined;
  /** Bumped when a span arrives: tells whether a cached analysis is still this trace's. */
  version: number;
}

/**
 * Traces in memory, bounded by the number of spans and by their approximate size in bytes:
 * past either bound the least recently updated traces are evicted first. Spans of one trace may
 * arrive from many services in any order; a span sent twice replaces the earlier copy. Work per
 * span is constant, and listing is linear in traces (summaries are cached per trace), so one
 * trace of 100,000 spans costs what 100,000 small traces do.
 */
export class TraceStore {
  // Map order is update order: a trace is moved to the end whenever a span arrives.
  private readonly traces = new Map<string, TraceEntry>();
  private readonly serviceSpans = new Map<string, number>();
  private spanCount = 0;
  private byteCount = 0;
  private evictedTraces = 0;
  private evictedSpans = 0;
  /** Bumped when any span arrives or a trace is evicted: tells whether a cached search is current. */
  private changes = 0;
  // One of each is cached, the last one asked for, so memory stays within the store's bound plus
  // one trace's worth: the analysis and the start-ordered spans (a big trace's pages share them),
  // and the last search (the list view asks the same search of /api/traces and /api/latency).
  private analyzed: { readonly entry: TraceEntry; readonly version: number; readonly analysis: TraceAnalysis } | undefined;
  private ordered: { readonly entry: TraceEntry; readonly version: number; readonly spans: readonly StoredSpan[] } | undefined;
  private searched: { readonly key: string; readonly changes: number; readonly matched: readonly MatchedTrace[] } | undefined;

  /**
   * @param maxSpans - the bound on spans kept
   * @param maxBytes - the bound on their approximate size (default: none)
   */
  constructor(
    readonly maxSpans: number,
    readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Number of spans held. */
  get size(): number {
    return this.spanCount;
  }

  /** Approximate bytes held. */
  get bytes(): number {
    return this.byteCount;
  }

  /** Adds spans, evicting the least recently updated traces past the bounds. */
  add(spans: ReadonlyArray<StoredSpan>): void {
    if (spans.length > 0) this.changes++;
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (trace === undefined) trace = { spans: new Map(), sizes: new Map(), bytes: 0, summary: undefined, version: 0 };
      else this.traces.delete(span.traceId);
      this.traces.set(span.traceId, trace);
      const previous = trace.spans.get(span.spanId);
      if (previous === undefined) this.spanCount++;
      else this.forget(trace, previous);
      const size = spanSize(span);
      trace.spans.set(span.spanId, span);
      trace.sizes.set(span.spanId, size);
      trace.bytes += size;
      trace.summary = undefined;
      trace.version++;
      this.byteCount += size;
      this.serviceSpans.set(span.service, (this.serviceSpans.get(span.service) ?? 0) + 1);
    }
    for (const [traceId, trace] of this.traces) {
      if (this.spanCount <= this.maxSpans && this.byteCount <= this.maxBytes) break;
      this.traces.delete(traceId);
      for (const span of trace.spans.values()) this.forget(trace, span);
      this.spanCount -= trace.spans.size;
      this.evictedTraces++;
      this.evictedSpans += trace.spans.size;
    }
  }

  /** Takes a span's size and service out of the totals (its entry is replaced or evicted). */
  private forget(trace: TraceEntry, span: StoredSpan): void {
    const size = trace.sizes.get(span.spanId) ?? 0;
    trace.bytes -= size;
    this.byteCount -= size;
    const left = (this.serviceSpans.get(span.service) ?? 1) - 1;
    if (left === 0) this.serviceSpans.delete(span.service);
    else this.serviceSpans.set(span.service, left);
  }

  /** The spans of a trace, by start time; `undefined` when unknown. */
  trace(traceId: string): StoredSpan[] | undefined {
    return this.spansByStart(traceId)?.slice();
  }

  /** The spans of a trace by start time, shared (not a copy); `undefined` when unknown. */
  spansByStart(traceId: string): readonly StoredSpan[] | undefined {
    const trace = this.traces.get(traceId);
    if (trace === undefined) return undefined;
    if (this.ordered?.entry !== trace || this.ordered.version !== trace.version) {
      this.ordered = { entry: trace, version: trace.version, spans: Array.from(trace.spans.values()).sort((a, b) => a.startTime - b.startTime) };
    }
    return this.ordered.spans;
  }

  /** Every span held, trace by trace, least recently updated first (for rewriting the data file). */
  snapshot(): StoredSpan[][] {
    return Array.from(this.traces.values(), (trace) => Array.from(trace.spans.values()));
  }

  /** Every service seen, sorted. */
  services(): string[] {
    return Array.from(this.serviceSpans.keys()).sort();
  }

  /** The critical path, self times and verdict of one trace; `undefined` when unknown. */
  analysis(traceId: string): TraceAnalysis | undefined {
    const trace = this.traces.get(traceId);
    if (trace === undefined) return undefined;
    if (this.analyzed?.entry !== trace || this.analyzed.version !== trace.version) {
      // Over the spans by start time, so the timings line up with the spans as the API pages them.
      const analysis = analyzeTrace(this.spansByStart(traceId)!);
      const timings = analysis.timings;
      // Rounded to the microsecond like every duration the API gives: float noise
      // (-45.00999999999999) was most of the timings' JSON.
      analysis.timings = { selfMs: timings.selfMs.map(roundMs), criticalMs: timings.criticalMs.map(roundMs), shiftMs: timings.shiftMs.map(roundMs) };
      this.analyzed = { entry: trace, version: trace.version, analysis };
    }
    return this.analyzed.analysis;
  }

  /** The summary of one trace; `undefined` when unknown. */
  summary(traceId: string): TraceSummary | undefined {
    const trace = this.traces.get(traceId);
    if (trace === undefined) return undefined;
    trace.summary ??= summarize(traceId, trace.spans);
    return trace.summary;
  }

  /** Every trace matching `search`, newest first. Linear in the spans of the traces the summaries do not rule out. */
  matching(search: TraceSearch = {}): readonly MatchedTrace[] {
    const key = JSON.stringify(search);
    if (this.searched?.key === key && this.searched.changes === this.changes) return this.searched.matched;
    const out: MatchedTrace[] = [];
    for (const [traceId, trace] of this.traces) {
      trace.summary ??= summarize(traceId, trace.spans);
      if (traceMatches(search, trace.summary, trace.spans.values())) out.push({ summary: trace.summary, spans: trace.spans });
    }
    out.sort((a, b) => b.summary.startTime - a.summary.startTime);
    this.searched = { key, changes: this.changes, matched: out };
    return out;
  }

  /** One page of the summaries matching `search`, newest first, and how many match in all. */
  list(search: TraceSearch = {}, page: PageRequest = { offset: 0, limit: 100 }): { traces: TraceSummary[]; total: number } {
    const all = this.matching(search);
    return { traces: all.slice(page.offset, page.offset + page.limit).map((m) => m.summary), total: all.length };
  }

  /** Counts of what is held and what was evicted. */
  stats(): TraceStoreStats {
    return { spans: this.spanCount, traces: this.traces.size, bytes: this.byteCount, evictedTraces: this.evictedTraces, evictedSpans: this.evictedSpans };
  }
}

/** One pass over the trace's spans, with loops rather than spreads: a trace may hold 100,000+ spans. */
function summarize(traceId: string, spans: Map<string, StoredSpan>): TraceSummary {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let error = false;
  const services = new Set<string>();
  for (const span of spans.values()) {
    if (span.startTime < start) start = span.startTime;
    if (span.endTime > end) end = span.endTime;
    if (span.status.code === 'ERROR') error = true;
    services.add(span.service);
  }
  const shown = traceRoot(spans.values(), (id) => spans.has(id))!;
  return {
    traceId,
    rootName: shown.name,
    rootService: shown.service,
    startTime: start,
    durationMs: roundMs(end - start),
    spanCount: spans.size,
    services: Array.from(services).sort(),
    error,
  };
}
