import { EventEmitter } from 'node:events';
import { promises as fsPromises, stat } from 'node:fs';
import { promisify } from 'node:util';
import { createTracer, type ContextManager, type Tracer } from '@tracewell/core';
import { clsHookedContextManager } from '../src';

// Async patterns where cls-hooked has been reported to lose context, checked side by side with
// the default AsyncLocalStorage manager: each must keep the span active after the await.
const PATTERNS: Record<string, () => Promise<unknown>> = {
  'a custom thenable': () => ({ then: (resolve: () => void) => void setTimeout(resolve, 1) }) as unknown as Promise<void>,
  'util.promisify(fs.stat)': () => promisify(stat)(__filename),
  'fs.promises.readFile': () => fsPromises.readFile(__filename),
  queueMicrotask: () => new Promise<void>((resolve) => queueMicrotask(resolve)),
  'for await over an async generator': async () => {
    for await (const value of (async function* () {
      yield 1;
      await null;
      yield 2;
    })()) void value;
  },
  'a caught rejection': () => Promise.reject(new Error('x')).catch(() => undefined),
  'Promise.all of async functions': () => Promise.all([1, 2].map(async () => await null)),
  'an emitter emitting from a timer': () => {
    const emitter = new EventEmitter();
    setTimeout(() => emitter.emit('x'), 1);
    return new Promise((resolve) => emitter.once('x', resolve));
  },
};

const managers: Array<[string, () => ContextManager | undefined]> = [
  ['AsyncLocalStorage (default)', () => undefined],
  ['cls-hooked', () => clsHookedContextManager()],
];

describe.each(managers)('%s keeps the span across', (_name, manager) => {
  let tracer: Tracer;
  beforeAll(() => {
    const contextManager = manager();
    tracer = createTracer({ sampler: 'always_on', ...(contextManager === undefined ? {} : { contextManager }) });
  });

  it.each(Object.keys(PATTERNS))('%s', async (pattern) => {
    await tracer.startActiveSpan('probe', async (span) => {
      await PATTERNS[pattern]!();
      expect(tracer.currentSpan()).toBe(span);
    });
  });

  it('a promise created before the span, awaited inside it', async () => {
    const early = new Promise((resolve) => setTimeout(resolve, 5));
    await tracer.startActiveSpan('probe', async (span) => {
      await early;
      expect(tracer.currentSpan()).toBe(span);
    });
  });

  it('nothing, once the span is over', async () => {
    await tracer.startActiveSpan('probe', async () => await null);
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect(tracer.currentSpan()).toBeUndefined();
  });
});
