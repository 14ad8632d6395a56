// Why a trace was slow: its critical path, each span's self time, and a one-line verdict.
//
// The critical path follows Jaeger UI's: from the root's end, walk back to the child that
// finished last before that point, descend into it, then go on in the parent from where that
// child started; stretches no child covers belong to the span itself. Every walk is iterative
// (a trace may be a chain 100,000 spans deep) and each parent's children are sorted once, so the
// work is O(n log n) in spans.
import { formatMs } from './analysis-report';
import type { StoredSpan } from './stored-span';
import { indexTrace, traceRoot, type TraceIndex } from './trace-index';

/** One stretch of the critical path: span `spanId` was what the trace waited on from `start` to `end` (epoch ms, skew-corrected). */
export interface CriticalSegment {
  spanId: string;
  start: number;
  end: number;
}

/** What the analysis found for one span. */
export interface SpanTiming {
  /** Time of the span that none of its children cover (children clipped to the span, overlaps counted once). */
  selfMs: number;
  /** Time this span itself is on the critical path (the sum of its segments). */
  criticalMs: number;
  /** The clock-skew shift applied to the span and its subtree (ms; 0 for none). */
  shiftMs: number;
}

/**
 * Every span's {@link SpanTiming} as three parallel lists: entry i is the i-th span analyzed (of
 * the input, each span id once; over the API, the i-th span of the trace by start time, as
 * `GET /api/traces/:id` pages them). Lists of numbers, not an object per span: for 100,000
 * spans that was 8 MB of JSON and 100,000 objects to build, parse and look up by span id.
 */
export type SpanTimings = { [K in keyof SpanTiming]: number[] };

/** An operation (span name in a service) and its share of the critical path. */
export interface CriticalContributor {
  name: string;
  service: string;
  criticalMs: number;
  /** Of the root's duration, 0 to 1. */
  share: number;
}

/** The analysis of one trace. */
export interface TraceAnalysis {
  /** The span the critical path starts from; `undefined` for no spans. */
  rootSpanId: string | undefined;
  /** The root's duration (ms). */
  durationMs: number;
  /** In time order, covering the root's interval exactly once. */
  criticalPath: CriticalSegment[];
  /** Every span's self time, time on the critical path and skew shift. */
  timings: SpanTimings;
  /** The largest contributors to the critical path, at most 5, largest first. */
  contributors: CriticalContributor[];
  /** e.g. `Graphviz.Render [render] is 62% of the critical path (310 ms of 500 ms)`. */
  verdict: string;
}

const MAX_CONTRIBUTORS = 5;

/** The index with skew-corrected times per span. */
interface TimedIndex extends TraceIndex {
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** The clock-skew shift applied to each span and its subtree. */
  readonly shift: Float64Array;
}

/**
 * Clock skew, as Jaeger corrects it: a child in another service (another clock) that does not
 * fit inside its parent, though it is no longer than the parent, is moved with its subtree to
 * the middle of the parent (the network time split evenly both ways). Same-service children
 * share the parent's clock and are left where they are.
 */
function correctSkew(index: TraceIndex): TimedIndex {
  const { spans, parent, first, kids } = index;
  const n = spans.length;
  const start = Float64Array.from(spans, (s) => s.startTime);
  const end = Float64Array.from(spans, (s) => s.endTime);
  const shift = new Float64Array(n);
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const visit = (top: number): void => {
    seen[top] = 1;
    let depth = 0;
    stack[depth++] = top;
    while (depth > 0) {
      const p = stack[--depth]!;
      for (let k = first[p]!; k < first[p + 1]!; k++) {
        const c = kids[k]!;
        if (seen[c] === 1) continue; // a parent cycle: first visit wins
        seen[c] = 1;
        let s = shift[p]!;
        const duration = end[c]! - start[c]!;
        const cs = start[c]! + s;
        const ce = end[c]! + s;
        if (spans[c]!.service !== spans[p]!.service && (cs < start[p]! || ce > end[p]!) && duration <= end[p]! - start[p]!) {
          s += start[p]! + (end[p]! - start[p]! - duration) / 2 - cs;
        }
        shift[c] = s;
        start[c] = start[c]! + s;
        end[c] = end[c]! + s;
        stack[depth++] = c;
      }
    }
  };
  for (let i = 0; i < n; i++) if (parent[i] === -1) visit(i);
  // Spans only reachable through a parent cycle keep their own times.
  for (let i = 0; i < n; i++) if (seen[i] === 0) visit(i);
  return { ...index, start, end, shift };
}

/** A span's duration minus the union of its children's intervals clipped to it. */
function selfTime({ first, kids, start, end }: TimedIndex, i: number): number {
  const s0 = start[i]!;
  const e0 = end[i]!;
  const count = first[i + 1]! - first[i]!;
  if (count === 0) return Math.max(0, e0 - s0);
  const order = Array.from(kids.subarray(first[i]!, first[i + 1]!)).sort((a, b) => start[a]! - start[b]!);
  let covered = 0;
  let runStart = 0;
  let runEnd = -Infinity;
  for (const k of order) {
    const s = Math.max(start[k]!, s0);
    const e = Math.min(end[k]!, e0);
    if (e <= s) continue;
    if (s > runEnd) {
      if (runEnd > runStart) covered += runEnd - runStart;
      runStart = s;
      runEnd = e;
    } else if (e > runEnd) runEnd = e;
  }
  if (runEnd > runStart) covered += runEnd - runStart;
  return Math.max(0, e0 - s0 - covered);
}

/** A frame of the critical-path walk: a span, clipped to its parent, and where the walk is in it. */
interface Frame {
  readonly span: number;
  readonly start: number;
  /** Children overlapping this frame's interval, latest (clipped) end first. */
  readonly kids: number[];
  readonly end: number;
  cursor: number;
  next: number;
}

/** The segments in time order; `critical[i]` gets span i's time on the path. */
function criticalPathOf(index: TimedIndex, root: number, critical: Float64Array): CriticalSegment[] {
  const { spans, first, kids, start, end } = index;
  const frame = (span: number, from: number, to: number): Frame => {
    const list: number[] = [];
    for (let k = first[span]!; k < first[span + 1]!; k++) {
      const c = kids[k]!;
      // A child wholly outside its parent (started after it ended) is not on the path.
      if (start[c]! < to && end[c]! > from) list.push(c);
    }
    const clippedEnd = (c: number): number => Math.min(end[c]!, to);
    list.sort((a, b) => clippedEnd(b) - clippedEnd(a) || start[b]! - start[a]! || (spans[a]!.spanId < spans[b]!.spanId ? -1 : 1));
    return { span, start: from, end: to, kids: list, cursor: to, next: 0 };
  };
  const segments: CriticalSegment[] = [];
  const own = (span: number, from: number, to: number): void => {
    segments.push({ spanId: spans[span]!.spanId, start: from, end: to });
    critical[span]! += to - from;
  };
  const onPath = new Uint8Array(spans.length);
  onPath[root] = 1;
  const stack: Frame[] = [frame(root, start[root]!, end[root]!)];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    // The child that ends last at or before the cursor: kids are sorted by end and the cursor
    // only moves back, so one pointer per frame finds each in turn.
    while (f.next < f.kids.length && (Math.min(end[f.kids[f.next]!]!, f.end) > f.cursor || onPath[f.kids[f.next]!] === 1)) f.next++;
    if (f.next === f.kids.length) {
      if (f.cursor > f.start) own(f.span, f.start, f.cursor);
      stack.pop();
      continue;
    }
    const kid = f.kids[f.next++]!;
    const kidStart = Math.max(start[kid]!, f.start);
    const kidEnd = Math.min(end[kid]!, f.end);
    if (kidEnd < f.cursor) own(f.span, kidEnd, f.cursor);
    f.cursor = kidStart;
    onPath[kid] = 1;
    stack.push(frame(kid, kidStart, kidEnd));
  }
  return segments.reverse();
}

function verdictOf(root: StoredSpan, durationMs: number, contributors: ReadonlyArray<CriticalContributor>, spanCount: number): string {
  if (spanCount === 1) return `${root.name} [${root.service}] is the whole trace (${formatMs(durationMs)})`;
  const top = contributors[0];
  if (top === undefined || durationMs <= 0) return `${root.name} [${root.service}] took no measurable time`;
  return `${top.name} [${top.service}] is ${Math.round(top.share * 100)}% of the critical path (${formatMs(top.criticalMs)} of ${formatMs(durationMs)})`;
}

/** Analyzes one trace's spans (any order, any completeness). */
export function analyzeTrace(input: Iterable<StoredSpan>): TraceAnalysis {
  const index = correctSkew(indexTrace(input));
  const { spans, start, end, shift } = index;
  if (spans.length === 0) return { rootSpanId: undefined, durationMs: 0, criticalPath: [], timings: { selfMs: [], criticalMs: [], shiftMs: [] }, contributors: [], verdict: 'no spans' };
  const root = index.position.get(traceRoot(spans, (id) => index.position.has(id))!.spanId)!;
  const durationMs = Math.max(0, end[root]! - start[root]!);
  const critical = new Float64Array(spans.length);
  const criticalPath = durationMs > 0 ? criticalPathOf(index, root, critical) : [];

  const selfMs = new Array<number>(spans.length);
  for (let i = 0; i < spans.length; i++) selfMs[i] = selfTime(index, i);
  const timings: SpanTimings = { selfMs, criticalMs: Array.from(critical), shiftMs: Array.from(shift) };

  const grouped = new Map<string, CriticalContributor>();
  for (let i = 0; i < spans.length; i++) {
    const criticalMs = critical[i]!;
    if (criticalMs <= 0) continue;
    const span = spans[i]!;
    const key = `${span.service}\u0000${span.name}`;
    const entry = grouped.get(key);
    if (entry === undefined) grouped.set(key, { name: span.name, service: span.service, criticalMs, share: 0 });
    else entry.criticalMs += criticalMs;
  }
  const contributors = [...grouped.values()]
    .sort((a, b) => b.criticalMs - a.criticalMs || (a.service + a.name < b.service + b.name ? -1 : 1))
    .slice(0, MAX_CONTRIBUTORS)
    .map((c) => ({ ...c, share: durationMs > 0 ? c.criticalMs / durationMs : 0 }));
  return { rootSpanId: spans[root]!.spanId, durationMs, criticalPath, timings, contributors, verdict: verdictOf(spans[root]!, durationMs, contributors, spans.length) };
}
