// A trace's spans as the waterfall's rows: depth-first, children by start time, with each row's
// subtree size so a collapsed row hides its descendants by skipping them.
import type { Span } from './api.js';

/** One row of the waterfall. */
export interface Row {
  readonly span: Span;
  /** The span's position in the list laid out (the analysis's timings are by that position). */
  readonly index: number;
  readonly depth: number;
  /** The span names a parent that is not in the trace (late, or never arrived). */
  readonly orphan: boolean;
  /** Rows after this one that are its descendants. */
  descendants: number;
}

const compareSpans = (a: Span, b: Span): number =>
  a.startTime - b.startTime || b.endTime - a.endTime || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);

/**
 * The spans in depth-first order, children sorted by start time. Spans whose parent is missing
 * are extra roots; spans caught in a parent cycle (malformed input) are shown as roots too, so
 * every span appears exactly once.
 */
export function layoutTree(spans: ReadonlyArray<Span>): Row[] {
  const position = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) if (!position.has(spans[i]!.spanId)) position.set(spans[i]!.spanId, i);
  const children = new Map<string, number[]>();
  const roots: number[] = [];
  for (const i of position.values()) {
    const parent = spans[i]!.parentSpanId;
    if (parent !== null && parent !== spans[i]!.spanId && position.has(parent)) {
      const list = children.get(parent);
      if (list === undefined) children.set(parent, [i]);
      else list.push(i);
    } else {
      roots.push(i);
    }
  }
  const byStart = (a: number, b: number): number => compareSpans(spans[a]!, spans[b]!);
  for (const list of children.values()) list.sort(byStart);
  roots.sort(byStart);

  const rows: Row[] = [];
  const seen = new Uint8Array(spans.length);
  const walk = (start: number): void => {
    // An explicit stack: traces can be deep enough to matter for recursion.
    const stack: Array<{ index: number; depth: number }> = [{ index: start, depth: 0 }];
    while (stack.length > 0) {
      const { index, depth } = stack.pop()!;
      if (seen[index] === 1) continue;
      seen[index] = 1;
      const span = spans[index]!;
      rows.push({ span, index, depth, orphan: depth === 0 && span.parentSpanId !== null, descendants: 0 });
      const kids = children.get(span.spanId) ?? [];
      for (let k = kids.length - 1; k >= 0; k--) stack.push({ index: kids[k]!, depth: depth + 1 });
    }
  };
  for (const span of roots) walk(span);
  for (const i of [...position.values()].sort(byStart)) if (seen[i] === 0) walk(i);
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
