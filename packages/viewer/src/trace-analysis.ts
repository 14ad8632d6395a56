// Why a trace was slow: its critical path, each span's self time, and a one-line verdict.
//
// The critical path follows Jaeger UI's: from the root's end, walk back to the child that
// finished last before that point, descend into it, then go on in the parent from where that
// child started; stretches no child covers belong to the span itself. Every walk is iterative
// (a trace may be a chain 100,000 spans deep) and each parent's children are sorted once, so the
// work is O(n log n) in spans.
import { formatMs } from './analysis-report';
import type { StoredSpan } from './stored-span';

/** One stretch of the critical path: span `spanId` was what the trace waited on from `start` to `end` (epoch ms, skew-corrected). */
export interface CriticalSegment {
  spanId: string;
  start: number;
  end: number;
}

/** What the analysis found for one span. */
export interface SpanTiming {
  spanId: string;
  /** Time of the span that none of its children cover (children clipped to the span, overlaps counted once). */
  selfMs: number;
  /** Time this span itself is on the critical path (the sum of its segments). */
  criticalMs: number;
  /** The clock-skew shift applied to the span and its subtree (ms; 0 for none). */
  shiftMs: number;
}

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
  /**
   * Every span's timings, in the order of the input. A list, not an object keyed by span id:
   * 100,000 keys cost half a second to build and again to parse.
   */
  timings: SpanTiming[];
  /** The largest contributors to the critical path, at most 5, largest first. */
  contributors: CriticalContributor[];
  /** e.g. `Graphviz.Render [render] is 62% of the critical path (310 ms of 500 ms)`. */
  verdict: string;
}

const MAX_CONTRIBUTORS = 5;

/** Skew-corrected times of a span. */
interface Times {
  start: number;
  end: number;
  shift: number;
}

function pickRoot(spans: ReadonlyMap<string, StoredSpan>): StoredSpan {
  let root: StoredSpan | undefined;
  let orphan: StoredSpan | undefined;
  let first: StoredSpan | undefined;
  for (const span of spans.values()) {
    if (span.parentSpanId === null) {
      if (root === undefined || span.startTime < root.startTime) root = span;
    } else if (!spans.has(span.parentSpanId) && (orphan === undefined || span.startTime < orphan.startTime)) orphan = span;
    if (first === undefined || span.startTime < first.startTime) first = span;
  }
  return root ?? orphan ?? first!;
}

/**
 * Clock skew, as Jaeger corrects it: a child in another service (another clock) that does not
 * fit inside its parent, though it is no longer than the parent, is moved with its subtree to
 * the middle of the parent (the network time split evenly both ways). Same-service children
 * share the parent's clock and are left where they are.
 */
function correctSkew(byId: ReadonlyMap<string, StoredSpan>, children: ReadonlyMap<string, StoredSpan[]>): Map<string, Times> {
  const times = new Map<string, Times>();
  const tops = [...byId.values()].filter((s) => s.parentSpanId === null || !byId.has(s.parentSpanId));
  const stack: StoredSpan[] = [];
  const visit = (top: StoredSpan): void => {
    times.set(top.spanId, { start: top.startTime, end: top.endTime, shift: 0 });
    stack.push(top);
    while (stack.length > 0) {
      const parent = stack.pop()!;
      const p = times.get(parent.spanId)!;
      for (const child of children.get(parent.spanId) ?? []) {
        if (times.has(child.spanId)) continue; // a parent cycle: first visit wins
        let shift = p.shift;
        const start = child.startTime + shift;
        const end = child.endTime + shift;
        const duration = child.endTime - child.startTime;
        if (child.service !== parent.service && (start < p.start || end > p.end) && duration <= p.end - p.start) {
          shift += p.start + (p.end - p.start - duration) / 2 - start;
        }
        times.set(child.spanId, { start: child.startTime + shift, end: child.endTime + shift, shift });
        stack.push(child);
      }
    }
  };
  for (const top of tops) visit(top);
  // Spans only reachable through a cycle keep their own times.
  for (const span of byId.values()) if (!times.has(span.spanId)) visit(span);
  return times;
}

/** A span's duration minus the union of its children's intervals clipped to it. */
function selfTime(span: Times, kids: ReadonlyArray<Times>): number {
  const clipped = kids
    .map((k) => [Math.max(k.start, span.start), Math.min(k.end, span.end)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let runStart = -Infinity;
  let runEnd = -Infinity;
  for (const [s, e] of clipped) {
    if (s > runEnd) {
      if (runEnd > runStart) covered += runEnd - runStart;
      runStart = s;
      runEnd = e;
    } else if (e > runEnd) runEnd = e;
  }
  if (runEnd > runStart) covered += runEnd - runStart;
  return Math.max(0, span.end - span.start - covered);
}

/** A frame of the critical-path walk: a span, clipped to its parent, and where the walk is in it. */
interface Frame {
  readonly spanId: string;
  readonly start: number;
  /** Children clipped to this frame's interval, latest end first. */
  readonly kids: ReadonlyArray<{ spanId: string; start: number; end: number }>;
  cursor: number;
  next: number;
}

function criticalPathOf(rootId: string, times: ReadonlyMap<string, Times>, children: ReadonlyMap<string, StoredSpan[]>): CriticalSegment[] {
  const frame = (spanId: string, start: number, end: number): Frame => {
    const kids: Array<{ spanId: string; start: number; end: number }> = [];
    for (const child of children.get(spanId) ?? []) {
      const t = times.get(child.spanId)!;
      // Clipped to the parent; a child wholly outside it (started after it ended) is not on the path.
      if (t.start >= end || t.end <= start) continue;
      kids.push({ spanId: child.spanId, start: Math.max(t.start, start), end: Math.min(t.end, end) });
    }
    kids.sort((a, b) => b.end - a.end || b.start - a.start || (a.spanId < b.spanId ? -1 : 1));
    return { spanId, start, kids, cursor: end, next: 0 };
  };
  const root = times.get(rootId)!;
  const segments: CriticalSegment[] = [];
  const stack: Frame[] = [frame(rootId, root.start, root.end)];
  const onPath = new Set<string>([rootId]);
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    // The child that ends last at or before the cursor: kids are sorted by end, and the cursor
    // only moves back, so one pointer per frame finds each in turn.
    while (f.next < f.kids.length && (f.kids[f.next]!.end > f.cursor || onPath.has(f.kids[f.next]!.spanId))) f.next++;
    const kid = f.kids[f.next];
    if (kid === undefined) {
      if (f.cursor > f.start) segments.push({ spanId: f.spanId, start: f.start, end: f.cursor });
      stack.pop();
      continue;
    }
    f.next++;
    if (kid.end < f.cursor) segments.push({ spanId: f.spanId, start: kid.end, end: f.cursor });
    f.cursor = Math.max(f.start, kid.start);
    onPath.add(kid.spanId);
    stack.push(frame(kid.spanId, kid.start, kid.end));
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
export function analyzeTrace(spans: ReadonlyArray<StoredSpan>): TraceAnalysis {
  const byId = new Map<string, StoredSpan>();
  for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  if (byId.size === 0) return { rootSpanId: undefined, durationMs: 0, criticalPath: [], timings: [], contributors: [], verdict: 'no spans' };
  const children = new Map<string, StoredSpan[]>();
  for (const span of byId.values()) {
    if (span.parentSpanId === null || span.parentSpanId === span.spanId || !byId.has(span.parentSpanId)) continue;
    const list = children.get(span.parentSpanId);
    if (list === undefined) children.set(span.parentSpanId, [span]);
    else list.push(span);
  }
  const times = correctSkew(byId, children);
  const root = pickRoot(byId);
  const rootTimes = times.get(root.spanId)!;
  const durationMs = Math.max(0, rootTimes.end - rootTimes.start);
  const criticalPath = durationMs > 0 ? criticalPathOf(root.spanId, times, children) : [];

  const critical = new Map<string, number>();
  for (const segment of criticalPath) critical.set(segment.spanId, (critical.get(segment.spanId) ?? 0) + segment.end - segment.start);
  const timings: SpanTiming[] = [];
  for (const span of byId.values()) {
    const t = times.get(span.spanId)!;
    const kids = (children.get(span.spanId) ?? []).map((k) => times.get(k.spanId)!);
    timings.push({ spanId: span.spanId, selfMs: selfTime(t, kids), criticalMs: critical.get(span.spanId) ?? 0, shiftMs: t.shift });
  }

  const grouped = new Map<string, CriticalContributor>();
  for (const span of byId.values()) {
    const criticalMs = critical.get(span.spanId) ?? 0;
    if (criticalMs <= 0) continue;
    const key = `${span.service}\u0000${span.name}`;
    const entry = grouped.get(key);
    if (entry === undefined) grouped.set(key, { name: span.name, service: span.service, criticalMs, share: 0 });
    else entry.criticalMs += criticalMs;
  }
  const contributors = [...grouped.values()]
    .sort((a, b) => b.criticalMs - a.criticalMs || (a.service + a.name < b.service + b.name ? -1 : 1))
    .slice(0, MAX_CONTRIBUTORS)
    .map((c) => ({ ...c, share: durationMs > 0 ? c.criticalMs / durationMs : 0 }));
  return { rootSpanId: root.spanId, durationMs, criticalPath, timings, contributors, verdict: verdictOf(root, durationMs, contributors, byId.size) };
}
