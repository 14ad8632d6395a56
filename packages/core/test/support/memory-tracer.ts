import { createTracer, InMemorySpanExporter, SimpleSpanProcessor, type Tracer, type TracerOptions } from '../../src';

/** A tracer that exports every span into memory as it ends, and samples every new trace. */
export function memoryTracer(options: TracerOptions = {}): { tracer: Tracer; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const tracer = createTracer({ sampler: 'parentbased_always_on', ...options, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer, exporter };
}

/** A logger that keeps its warnings. */
export function recordingLogger(): { warn(message: string): void; messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (message: string) => void messages.push(message) };
}
