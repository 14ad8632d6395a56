// The critical path, self time and verdict of analyzeTrace, against trees computed by hand.
// Times are milliseconds from 0; every expected value is worked out in the comment above it.
import fc from 'fast-check';
import type { StoredSpan } from '../src';
import { analyzeTrace } from '../src/trace-analysis';

function span(spanId: string, parentSpanId: string | null, start: number, end: number, service = 's', name = spanId): StoredSpan {
  return { traceId: 'a'.repeat(32), spanId, parentSpanId, name, kind: 'INTERNAL', service, startTime: start, endTime: end, durationMs: end - start, attributes: {}, events: [], status: { code: 'UNSET' } };
}

type Analysis = ReturnType<typeof analyzeTrace>;
type Timing = keyof Analysis['timings'];
// The timings are lists by position in the input: the spans analyzed, kept to name them.
const analyzed = new WeakMap<Analysis, StoredSpan[]>();
function analyze(spans: StoredSpan[]): Analysis {
  const a = analyzeTrace(spans);
  analyzed.set(a, spans);
  return a;
}
const path = (a: Analysis): string[] => a.criticalPath.map((s) => `${s.spanId} ${s.start}-${s.end}`);
const bySpan = (a: Analysis, timing: Timing): Record<string, number> => {
  const spans = analyzed.get(a)!;
  expect(a.timings[timing]).toHaveLength(spans.length);
  return Object.fromEntries(spans.map((s, i) => [s.spanId, a.timings[timing][i]!]));
};
const critical = (a: Analysis): Record<string, number> => bySpan(a, 'criticalMs');
const self = (a: Analysis): Record<string, number> => bySpan(a, 'selfMs');
const shift = (a: Analysis): Record<string, number> => bySpan(a, 'shiftMs');
const sum = (values: number[]): number => values.reduce((total, v) => total + v, 0);

describe('analyzeTrace', () => {
  it('sequential children: the path walks each of them, the root owns the gaps', () => {
    // A [0,100] with B [10,30] and C [40,90]. From 100 back: A 90-100, C 40-90, A 30-40,
    // B 10-30, A 0-10. A: 10+10+10 = 30 on the path, 100 - 20 - 50 = 30 self.
    const a = analyze([span('A', null, 0, 100), span('B', 'A', 10, 30), span('C', 'A', 40, 90)]);
    expect(path(a)).toEqual(['A 0-10', 'B 10-30', 'A 30-40', 'C 40-90', 'A 90-100']);
    expect(critical(a)).toEqual({ A: 30, B: 20, C: 50 });
    expect(self(a)).toEqual({ A: 30, B: 20, C: 50 });
    // C holds 50 of 100 ms.
    expect(a.verdict).toBe('C [s] is 50% of the critical path (50 ms of 100 ms)');
    expect(a.contributors.map((c) => [c.name, c.criticalMs, c.share])).toEqual([['C', 50, 0.5], ['A', 30, 0.3], ['B', 20, 0.2]]);
  });

  it('overlapping children: the later-ending one is on the path, the union counted once in self time', () => {
    // A [0,100] with B [10,60] and C [20,80]. C ends last: A 80-100, C 20-80; B ends at 60,
    // after the cursor (20), so it is not on the path: A 0-20. A's children cover [10,80]: self 30.
    const a = analyze([span('A', null, 0, 100), span('B', 'A', 10, 60), span('C', 'A', 20, 80)]);
    expect(path(a)).toEqual(['A 0-20', 'C 20-80', 'A 80-100']);
    expect(critical(a)).toEqual({ A: 40, B: 0, C: 60 });
    expect(self(a)).toEqual({ A: 30, B: 50, C: 60 });
  });

  it('grandchildren: the walk descends and comes back up', () => {
    // A [0,100] > B [10,90] > D [20,50], E [60,70]. A 90-100; in B: B 70-90, E 60-70, B 50-60,
    // D 20-50, B 10-20; A 0-10. B on the path 20+10+10 = 40, self 80 - 30 - 10 = 40.
    const a = analyze([span('A', null, 0, 100), span('B', 'A', 10, 90), span('D', 'B', 20, 50), span('E', 'B', 60, 70)]);
    expect(path(a)).toEqual(['A 0-10', 'B 10-20', 'D 20-50', 'B 50-60', 'E 60-70', 'B 70-90', 'A 90-100']);
    expect(critical(a)).toEqual({ A: 20, B: 40, D: 30, E: 10 });
    expect(self(a)).toEqual({ A: 20, B: 40, D: 30, E: 10 });
  });

  it('an async child that outlives its parent counts only until the parent ends', () => {
    // A [0,100], B [50,150] (fire and forget). B clipped to [50,100]: B 50-100, then A 0-50.
    // A's self time is 100 - 50 = 50; B's own self time is its whole 100 ms.
    const a = analyze([span('A', null, 0, 100), span('B', 'A', 50, 150)]);
    expect(path(a)).toEqual(['A 0-50', 'B 50-100']);
    expect(critical(a)).toEqual({ A: 50, B: 50 });
    expect(self(a)).toEqual({ A: 50, B: 100 });
    expect(a.durationMs).toBe(100);
  });

  it('a child that starts after its parent ended is not on the path', () => {
    // A [0,100], B [120,130]: nothing of B lies inside A. A owns all 100 ms.
    const a = analyze([span('A', null, 0, 100), span('B', 'A', 120, 130)]);
    expect(path(a)).toEqual(['A 0-100']);
    expect(critical(a)).toEqual({ A: 100, B: 0 });
    expect(self(a)).toEqual({ A: 100, B: 10 });
  });

  it('clock skew: a server span of another service that starts before its client is moved to the middle of it, with its subtree', () => {
    // R front [0,300] > C front CLIENT [100,200] > S back [70,150] > Q back [80,140]; and
    // L front [250,320] under R. S starts 30 ms before C and lasts 80 <= 100: shift =
    // 100 + (100 - 80) / 2 - 70 = 40, so S is [110,190] and Q [120,180]. L is in R's service
    // (same clock): not shifted, clipped to [250,300].
    // From 300: L ends at 300 (clipped): L 250-300; R 200-250; C 190-200; S 180-190; Q 120-180;
    // S 110-120; C 100-110; R 0-100. Totals: R 150, L 50, C 20, S 20, Q 60 = 300.
    const a = analyze([
      span('R', null, 0, 300, 'front', 'GET /r'),
      span('C', 'R', 100, 200, 'front', 'GET'),
      span('S', 'C', 70, 150, 'back', 'GET /s'),
      span('Q', 'S', 80, 140, 'back', 'query'),
      span('L', 'R', 250, 320, 'front', 'later'),
    ]);
    expect(shift(a)).toEqual({ R: 0, C: 0, S: 40, Q: 40, L: 0 });
    expect(path(a)).toEqual(['R 0-100', 'C 100-110', 'S 110-120', 'Q 120-180', 'S 180-190', 'C 190-200', 'R 200-250', 'L 250-300']);
    expect(critical(a)).toEqual({ R: 150, C: 20, S: 20, Q: 60, L: 50 });
    // R: 300 - C (100) - L clipped (50) = 150; C: 100 - S (80) = 20; S: 80 - 60 = 20.
    expect(self(a)).toEqual({ R: 150, C: 20, S: 20, Q: 60, L: 70 });
    expect(a.verdict).toBe('GET /r [front] is 50% of the critical path (150 ms of 300 ms)');
  });

  it('a child of another service longer than its parent is not shifted', () => {
    // C [100,200] (100 ms) > S back [90,250] (160 ms): cannot fit, left as it is, clipped.
    const a = analyze([span('C', null, 100, 200, 'front'), span('S', 'C', 90, 250, 'back')]);
    expect(shift(a)).toEqual({ C: 0, S: 0 });
    expect(path(a)).toEqual(['S 100-200']);
  });

  it('no root yet: the earliest span whose parent has not arrived starts the path', () => {
    // X [10,50] and Y [0,20], both with parents not here: Y is earlier, so the path is Y's 20 ms.
    const a = analyze([span('X', 'missing', 10, 50), span('Y', 'gone', 0, 20)]);
    expect(a.rootSpanId).toBe('Y');
    expect(path(a)).toEqual(['Y 0-20']);
    expect(critical(a)).toEqual({ X: 0, Y: 20 });
  });

  it('one span, and none', () => {
    expect(analyzeTrace([span('A', null, 0, 100, 'svc', 'GET /')]).verdict).toBe('GET / [svc] is the whole trace (100 ms)');
    expect(analyzeTrace([])).toEqual({ rootSpanId: undefined, durationMs: 0, criticalPath: [], timings: { selfMs: [], criticalMs: [], shiftMs: [] }, contributors: [], verdict: 'no spans' });
  });

  it('random trees: the path covers the root exactly once, in order, and self time stays within the span', () => {
    const tree = fc.array(fc.record({ parent: fc.nat(), start: fc.integer({ min: 0, max: 1000 }), length: fc.integer({ min: 0, max: 400 }), service: fc.constantFrom('a', 'b') }), { minLength: 1, maxLength: 40 });
    fc.assert(fc.property(tree, (nodes) => {
      const spans = nodes.map((n, i) => span(`s${i}`, i === 0 ? null : `s${n.parent % i}`, n.start, n.start + n.length, n.service));
      const a = analyze(spans);
      const root = spans[0]!;
      let at = root.startTime;
      for (const segment of a.criticalPath) {
        expect(segment.start).toBeCloseTo(at, 9);
        expect(segment.end).toBeGreaterThan(segment.start);
        at = segment.end;
      }
      if (a.criticalPath.length > 0) expect(at).toBeCloseTo(root.endTime, 9);
      expect(sum(a.timings.criticalMs)).toBeCloseTo(root.durationMs, 6);
      spans.forEach((s, i) => {
        expect(a.timings.selfMs[i]).toBeGreaterThanOrEqual(0);
        expect(a.timings.selfMs[i]).toBeLessThanOrEqual(s.durationMs + 1e-9);
      });
    }), { numRuns: 300 });
  });

  it('a chain 100,000 deep and a fan-out 100,000 wide finish without overflowing the stack', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => span(`c${i}`, i === 0 ? null : `c${i - 1}`, i * 0.001, 1000 - i * 0.001));
    const deep = analyzeTrace(chain);
    expect(sum(deep.timings.criticalMs)).toBeCloseTo(1000, 3);
    const fan = [span('root', null, 0, 1000), ...Array.from({ length: 100_000 }, (_, i) => span(`f${i}`, 'root', i * 0.01, i * 0.01 + 0.005))];
    const wide = analyzeTrace(fan);
    expect(sum(wide.timings.criticalMs)).toBeCloseTo(1000, 3);
    expect(wide.contributors[0]!.name).toBe('root');
  });
});
