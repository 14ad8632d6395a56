// A trace's spans as the waterfall's rows: depth-first, children by start time, with each row's
// subtree size so a collapsed row hides its descendants by skipping them.
import type { Span } from './api.js';

/** One row of the waterfall. */
export interface Row {
  readonly span: Span;
  readonly depth: number;
  /** The span names a parent that is not in the trace (late, or never arrived). */
  readonly orphan: boolean;
  /** Rows after this one that are its descendants. */
  descendants: number;
}

const byStart = (a: Span, b: Span): number =>
  a.startTime - b.startTime || b.endTime - a.endTime || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);

/**
 * The spans in depth-first order, children sorted by start time. Spans whose parent is missing
 * are extra roots; spans caught in a parent cycle (malformed input) are shown as roots too, so
 * every span appears exactly once.
 */
export function layoutTree(spans: ReadonlyArray<Span>): Row[] {
  const byId = new Map<string, Span>();
  for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const span of byId.values()) {
    const parent = span.parentSpanId;
    if (parent !== null && parent !== span.spanId && byId.has(parent)) {
      const list = children.get(parent);
      if (list === undefined) children.set(parent, [span]);
      else list.push(span);
    } else {
      roots.push(span);
    }
  }
  for (const list of children.values()) list.sort(byStart);
  roots.sort(byStart);

  const rows: Row[] = [];
  const seen = new Set<string>();
  const walk = (start: Span): void => {
    // An explicit stack: traces can be deep enough to matter for recursion.
    const stack: Array<{ span: Span; depth: number }> = [{ span: start, depth: 0 }];
    while (stack.length > 0) {
      const { span, depth } = stack.pop()!;
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      rows.push({ span, depth, orphan: depth === 0 && span.parentSpanId !== null, descendants: 0 });
      const kids = children.get(span.spanId) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1 });
    }
  };
  for (const span of roots) walk(span);
  for (const span of [...byId.values()].sort(byStart)) if (!seen.has(span.spanId)) walk(span);
  // A row's subtree ends at the next row no deeper than it: one pass with a stack of open rows.
  const open: number[] = [];
  for (let j = 0; j <= rows.length; j++) {
    const depth = j === rows.length ? -1 : rows[j]!.depth;
    while (open.length > 0 && rows[open[open.length - 1]!]!.depth >= depth) {
      const i = open.pop()!;
      rows[i]!.descendants = j - i - 1;
    }
    open.push(j);
  }
  return rows;
}

/** The rows shown when the rows whose span ids are in `collapsed` hide their descendants. */
export function visibleRows(rows: ReadonlyArray<Row>, collapsed: ReadonlySet<string>): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    out.push(row);
    if (collapsed.has(row.span.spanId)) i += row.descendants;
  }
  return out;
}
