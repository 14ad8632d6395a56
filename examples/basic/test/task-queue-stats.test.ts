import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, SpanKind } from '@tracewell/core';
import { renderTree } from '../src/render-tree';
import { taskQueueStats } from '../src/task-queue-stats';

describe('TaskQueue.Stats example', () => {
  it('produces one trace with the seed call tree and propagates each client span', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = createTracer({ serviceName: 'taskqueue', spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const sent = await taskQueueStats(tracer, { auth: 1, report: 2, systemStats: 2, render: 3 });
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'TaskQueue.Stats')!;
    expect(root.kind).toBe(SpanKind.SERVER);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([root.traceId]));
    const children = spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.name).sort();
    expect(children).toEqual(['Graphiz.Render', 'QueueService.Report', 'QueueService.Report#2', 'System.Stats', 'TaskQueue.Auth']);
    const render = spans.find((s) => s.name === 'Graphiz.Render')!;
    expect(sent['Graphiz.Render']!.traceparent).toBe(`00-${root.traceId}-${render.spanId}-03`);
    const auth = spans.find((s) => s.name === 'TaskQueue.Auth')!;
    expect(render.startTime).toBeGreaterThanOrEqual(auth.endTime);

    const tree = renderTree(spans).split('\n');
    expect(tree[0]).toMatch(/^TaskQueue\.Stats\s+\d+\.\d ms \|█+\|$/);
    expect(tree.slice(1).every((line) => line.startsWith('  '))).toBe(true);
    expect(tree).toHaveLength(6);
  });
});
