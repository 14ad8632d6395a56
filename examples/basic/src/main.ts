// `npm run demo`: traces the TaskQueue.Stats request and prints its call tree.
// This in-process demo uses @tracewell/core alone; the multi-service demo with Express, Koa,
// axios and the local viewer replaces it as those packages land.
import { createTracer, InMemorySpanExporter, SimpleSpanProcessor } from '@tracewell/core';
import { renderTree } from './render-tree';
import { taskQueueStats } from './task-queue-stats';

async function main(): Promise<void> {
  const exporter = new InMemorySpanExporter();
  const tracer = createTracer({ serviceName: 'taskqueue', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const sent = await taskQueueStats(tracer);
  await tracer.shutdown();
  const spans = exporter.getFinishedSpans();
  console.log(`Trace ${spans[0]?.traceId ?? '(none)'}: ${spans.length} spans\n`);
  console.log(renderTree(spans));
  console.log('\nHeaders sent with the Graphiz.Render call:');
  for (const [name, value] of Object.entries(sent['Graphiz.Render'] ?? {})) console.log(`  ${name}: ${value}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
