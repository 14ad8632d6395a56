// Comparing two traces of the same operation (Jaeger's trace comparison): spans are matched by
// their path from the root (service and name of each ancestor, and which same-named sibling
// they are), so a retry or an extra query shows as added, a skipped call as missing.
import type { ComparedSpan, SpanChange } from './api-types';
import type { StoredSpan } from './stored-span';
import { indexTrace } from './trace-index';

/** A change smaller than this share of the slower span, or than `MIN_CHANGE_MS`, is "same". */
const RELATIVE_CHANGE = 0.1;
const MIN_CHANGE_MS = 0.5;

/** Each span's path, depth-first with children by start time (the waterfall's order), with an explicit stack: a trace may be 100,000 spans deep. */
function paths(input: ReadonlyArray<StoredSpan>): Map<string, number> {
  const { spans, parent, first, kids } = indexTrace(input);
  const out = new Map<string, number>();
  const byStart = (x: number, y: number): number => spans[x]!.startTime - spans[y]!.startTime;
  // The top level: roots and spans whose parent is not here (spans in a parent cycle are left out).
  const tops: number[] = [];
  for (let i = 0; i < spans.length; i++) if (parent[i] === -1) tops.push(i);
  const stack: Array<{ span: number; path: string }> = [];
  const push = (children: number[], prefix: string): void => {
    children.sort(byStart);
    const counts = new Map<string, number>();
    const next = children.map((kid) => {
      const label = `${spans[kid]!.service}: ${spans[kid]!.name}`;
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      return { span: kid, path: `${prefix}${prefix === '' ? '' : ' > '}${label}${n > 1 ? ` #${n}` : ''}` };
    });
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
  };
  push(tops, '');
  while (stack.length > 0) {
    const { span, path } = stack.pop()!;
    out.set(path, spans[span]!.durationMs);
    push(Array.from(kids.subarray(first[span]!, first[span + 1]!)), path);
  }
  return out;
}

function changeOf(aMs: number | null, bMs: number | null): SpanChange {
  if (aMs === null) return 'added';
  if (bMs === null) return 'missing';
  const diff = bMs - aMs;
  if (Math.abs(diff) < MIN_CHANGE_MS || Math.abs(diff) < RELATIVE_CHANGE * Math.max(aMs, bMs)) return 'same';
  return diff > 0 ? 'slower' : 'faster';
}

/** The spans of `b` against those of `a`: every path of either, in `a`'s order then `b`'s new ones. */
export function compareTraces(a: ReadonlyArray<StoredSpan>, b: ReadonlyArray<StoredSpan>): ComparedSpan[] {
  const pa = paths(a);
  const pb = paths(b);
  const out: ComparedSpan[] = [];
  for (const [path, aMs] of pa) {
    const bMs = pb.get(path) ?? null;
    out.push({ path, change: changeOf(aMs, bMs), aMs, bMs });
  }
  for (const [path, bMs] of pb) if (!pa.has(path)) out.push({ path, change: 'added', aMs: null, bMs });
  return out;
}
