import { startViewer, type RunningViewer, type StoredSpan, type TraceDetailAnswer, type TraceSummary } from '../src';

const TRACE = 'c'.repeat(32);

function span(i: number): StoredSpan {
  const id = (i + 1).toString(16).padStart(16, '0');
  return {
    traceId: TRACE,
    spanId: id,
    parentSpanId: i === 0 ? null : '0000000000000001',
    name: i === 0 ? 'root' : `child ${i}`,
    kind: i === 0 ? 'SERVER' : 'INTERNAL',
    service: `svc${i % 7}`,
    startTime: 1_000 + i,
    endTime: 2_000 + i,
    durationMs: 1_000,
    attributes: {},
    events: [],
    status: { code: i === 77_777 ? 'ERROR' : 'UNSET' },
  };
}

describe('one huge trace', () => {
  let viewer: RunningViewer;
  afterEach(() => viewer.close());

  // Before: summaries spread every span into Math.min/Math.max arguments, so a trace past about
  // 120,000 spans made GET /api/traces fail (RangeError) for every trace in the store.
  it('150,000 spans in one trace: the list, the services and the trace itself are served', async () => {
    viewer = await startViewer({ port: 0, maxSpans: 200_000, log: () => undefined });
    const spans = Array.from({ length: 150_000 }, (_, i) => span(i));
    for (let i = 0; i < spans.length; i += 10_000) viewer.store.add(spans.slice(i, i + 10_000));
    viewer.store.add([{ ...span(0), traceId: 'd'.repeat(32), name: 'small' }]);
    const list = await fetch(`${viewer.url}/api/traces`);
    expect(list.status).toBe(200);
    const traces = ((await list.json()) as { traces: TraceSummary[] }).traces;
    expect(traces.map((t) => t.rootName).sort()).toEqual(['root', 'small']);
    expect(traces.find((t) => t.traceId === TRACE)).toEqual({
      traceId: TRACE,
      rootName: 'root',
      rootService: 'svc0',
      startTime: 1_000,
      durationMs: 150_999,
      spanCount: 150_000,
      services: ['svc0', 'svc1', 'svc2', 'svc3', 'svc4', 'svc5', 'svc6'],
      error: true,
    });
    expect(((await (await fetch(`${viewer.url}/api/traces?name=child%20149999`)).json()) as { traces: TraceSummary[] }).traces).toHaveLength(1);
    expect(await (await fetch(`${viewer.url}/api/services`)).json()).toEqual({ services: ['svc0', 'svc1', 'svc2', 'svc3', 'svc4', 'svc5', 'svc6'] });
    // Spans come in pages of at most 100,000; the analysis covers the whole trace.
    const first = (await (await fetch(`${viewer.url}/api/traces/${TRACE}`)).json()) as TraceDetailAnswer;
    expect({ total: first.total, offset: first.offset, limit: first.limit, length: first.spans.length }).toEqual({ total: 150_000, offset: 0, limit: 100_000, length: 100_000 });
    expect(first.spans[0]!.name).toBe('root');
    const rest = (await (await fetch(`${viewer.url}/api/traces/${TRACE}?offset=100000`)).json()) as TraceDetailAnswer;
    expect(rest.spans).toHaveLength(50_000);
    expect(new Set([...first.spans, ...rest.spans].map((s: StoredSpan) => s.spanId)).size).toBe(150_000);
    expect(first.analysis.rootSpanId).toBe(first.spans[0]!.spanId);
    expect(first.analysis.timings.selfMs).toHaveLength(150_000);
    expect(rest.analysis.timings).toEqual(first.analysis.timings);
  }, 30_000); // behaviour, not speed: 150,000 spans take seconds on a loaded 2-core machine

  it('keeps its counts exact when spans are replaced and traces evicted', async () => {
    viewer = await startViewer({ port: 0, maxSpans: 1_000, log: () => undefined });
    viewer.store.add(Array.from({ length: 600 }, (_, i) => span(i)));
    viewer.store.add(Array.from({ length: 600 }, (_, i) => ({ ...span(i), service: 'renamed' }))); // same ids: replaced
    expect(viewer.stats().store).toMatchObject({ spans: 600, traces: 1, evictedTraces: 0 });
    expect(viewer.store.services()).toEqual(['renamed']);
    viewer.store.add(Array.from({ length: 500 }, (_, i) => ({ ...span(i), traceId: 'e'.repeat(32) })));
    expect(viewer.stats().store).toMatchObject({ spans: 500, traces: 1, evictedTraces: 1, evictedSpans: 600 });
    expect(viewer.store.services()).toEqual(['svc0', 'svc1', 'svc2', 'svc3', 'svc4', 'svc5', 'svc6']);
  });
});
