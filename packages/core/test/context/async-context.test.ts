import { EventEmitter } from 'node:events';
import { setImmediate as setImmediateAsync } from 'node:timers/promises';
import type { ReadableSpan, Span } from '../../src';
import { memoryTracer } from '../support/memory-tracer';

const TASKS = 1000;

function tick(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}

function timer(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('AsyncLocalStorage context', () => {
  it(`keeps ${TASKS} interleaved tasks apart across await, timers, setImmediate, nextTick and emitters`, async () => {
    const { tracer, exporter } = memoryTracer();
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
      for (const name of [`after-timer-${i}`, `on-emit-${i}`, `in-then-${i}`, `nested-${i}`]) {
        expect(byName.get(name)!.parentSpanId).toBe(root.spanId);
        expect(byName.get(name)!.traceId).toBe(root.traceId);
      }
      expect(byName.get(`under-nested-${i}`)!.parentSpanId).toBe(nested.spanId);
    }
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(TASKS);
  });

  it('restores the outer span after withSpan, even when fn throws', () => {
    const { tracer } = memoryTracer();
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
