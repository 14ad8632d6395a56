// Comparing two traces of the same operation (Jaeger's trace comparison): spans are matched by
// their path from the root (service and name of each ancestor, and which same-named sibling
// they are), so a retry or an extra query shows as added, a skipped call as missing.
import type { ComparedSpan, SpanChange } from './api-types';
import type { StoredSpan } from './stored-span';

/** A change smaller than this share of the slower span, or than `MIN_CHANGE_MS`, is "same". */
const RELATIVE_CHANGE = 0.1;
const MIN_CHANGE_MS = 0.5;

/** Each span's path, walked with an explicit stack (a trace may be 100,000 spans deep). */
function paths(spans: ReadonlyArray<StoredSpan>): Map<string, number> {
  const byId = new Map<string, StoredSpan>();
  for (const span of spans) byId.set(span.spanId, span);
  const children = new Map<string | null, StoredSpan[]>();
  for (const span of byId.values()) {
    const parent = span.parentSpanId !== null && byId.has(span.parentSpanId) ? span.parentSpanId : null;
    const list = children.get(parent);
    if (list === undefined) children.set(parent, [span]);
    else list.push(span);
  }
  const out = new Map<string, number>();
  const seen = new Set<string>();
  // Depth-first, children by start time: the order of the waterfall.
  const stack: Array<{ span: StoredSpan | null; path: string }> = [{ span: null, path: '' }];
  while (stack.length > 0) {
    const { span, path } = stack.pop()!;
    if (span !== null) out.set(path, span.durationMs);
    const kids = [...(children.get(span === null ? null : span.spanId) ?? [])].sort((x, y) => x.startTime - y.startTime);
    const counts = new Map<string, number>();
    const next: Array<{ span: StoredSpan; path: string }> = [];
    for (const kid of kids) {
      if (seen.has(kid.spanId)) continue;
      seen.add(kid.spanId);
      const label = `${kid.service}: ${kid.name}`;
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      next.push({ span: kid, path: `${path}${path === '' ? '' : ' > '}${label}${n > 1 ? ` #${n}` : ''}` });
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
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
