import { EventEmitter } from 'node:events';
import { setImmediate as setImmediateAsync } from 'node:timers/promises';
import {
  createTracer,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ContextManager,
  type ReadableSpan,
  type Span,
  type Tracer,
} from '@tracewell/core';

const TASKS = 1000;

/** Titles of the suite's cases, for {@link ContextConformanceOptions.failing}. */
export const CONTEXT_CASES = {
  interleaved: `keeps ${TASKS} interleaved tasks apart across await, timers, setImmediate, nextTick and emitters`,
  restores: 'restores the outer span after withSpan, even when fn throws',
} as const;

/** Options of {@link runContextConformance}. */
export interface ContextConformanceOptions {
  /**
   * Cases a manager is known to fail, by key of {@link CONTEXT_CASES}, each with the measured
   * failure: they run as `it.failing`, so the suite stays unchanged and a fix is noticed.
   */
  failing?: Partial<Record<keyof typeof CONTEXT_CASES, string>>;
}

function tick(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}

function timer(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function memoryTracer(contextManager: ContextManager | undefined): { tracer: Tracer; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const tracer = createTracer({
    sampler: 'parentbased_always_on',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(contextManager === undefined ? {} : { contextManager }),
  });
  return { tracer, exporter };
}

/**
 * The behaviour every context manager must have: 1,000 interleaved tasks kept apart across
 * await, timers, `setImmediate`, `process.nextTick` and emitters (every child's parent is its own
 * task's span), and `withSpan` restoring the outer span even when `fn` throws.
 *
 * @param name - the manager's name, for the describe block
 * @param contextManager - makes the manager under test; `undefined` means the tracer's default
 * @param options - known failures of this manager (see {@link ContextConformanceOptions})
 */
export function runContextConformance(
  name: string,
  contextManager: () => ContextManager | undefined,
  options: ContextConformanceOptions = {},
): void {
  const test = (key: keyof typeof CONTEXT_CASES, fn: jest.ProvidesCallback): void => {
    const reason = options.failing?.[key];
    if (reason === undefined) it(CONTEXT_CASES[key], fn);
    else it.failing(`${CONTEXT_CASES[key]} (known failure: ${reason})`, fn);
  };

  describe(`context conformance: ${name}`, () => {
    test('interleaved', async () => {
      const { tracer, exporter } = memoryTracer(contextManager());
      const mismatches: string[] = [];

      async function task(i: number): Promise<void> {
        await tracer.startActiveSpan(`task-${i}`, async (taskSpan: Span) => {
          const check = (where: string): void => {
            if (tracer.currentSpan() !== taskSpan) mismatches.push(`task ${i} lost its span after ${where}`);
          };
          await timer(i % 7);
          check('setTimeout');
          tracer.startSpan(`after-timer-${i}`).end();
          await tick();
          check('nextTick');
          await setImmediateAsync();
          check('setImmediate');
          const emitter = new EventEmitter();
          const fromEmitter = new Promise<void>((resolve) => {
            emitter.on('data', () => {
              check('emit');
              tracer.startSpan(`on-emit-${i}`).end();
              resolve();
            });
          });
          setTimeout(() => emitter.emit('data'), i % 3);
          await fromEmitter;
          await Promise.resolve().then(() => {
            check('then');
            tracer.startSpan(`in-then-${i}`).end();
          });
          await tracer.startActiveSpan(`nested-${i}`, async () => {
            await timer(1);
            tracer.startSpan(`under-nested-${i}`).end();
          });
          check('nested span');
        });
      }

      await Promise.all(Array.from({ length: TASKS }, (_, i) => task(i)));
      expect(mismatches).toEqual([]);

      const spans = exporter.getFinishedSpans();
      const byName = new Map<string, ReadableSpan>(spans.map((s) => [s.name, s]));
      expect(spans).toHaveLength(TASKS * 6);
      for (let i = 0; i < TASKS; i++) {
        const root = byName.get(`task-${i}`)!;
        const nested = byName.get(`nested-${i}`)!;
        for (const child of [`after-timer-${i}`, `on-emit-${i}`, `in-then-${i}`, `nested-${i}`]) {
          expect(byName.get(child)!.parentSpanId).toBe(root.spanId);
          expect(byName.get(child)!.traceId).toBe(root.traceId);
        }
        expect(byName.get(`under-nested-${i}`)!.parentSpanId).toBe(nested.spanId);
      }
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(TASKS);
    });

    test('restores', () => {
      const { tracer } = memoryTracer(contextManager());
      const outer = tracer.startSpan('outer');
      const inner = tracer.startSpan('inner');
      tracer.withSpan(outer, () => {
        expect(() =>
          tracer.withSpan(inner, () => {
            throw new Error('x');
          }),
        ).toThrow('x');
        expect(tracer.currentSpan()).toBe(outer);
        tracer.withSpan(undefined, () => expect(tracer.currentSpan()).toBeUndefined());
      });
      expect(tracer.currentSpan()).toBeUndefined();
    });
  });
}
