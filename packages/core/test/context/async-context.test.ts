import { runContextConformance } from '@tracewell/conformance';
import { AsyncLocalStorageContextManager, createTracer } from '../../src';

// The shared context suite (packages/conformance/src/context-suite.ts), on the default
// AsyncLocalStorage manager: a tracer without its own contextManager.
runContextConformance('AsyncLocalStorage (default)', () => undefined);

describe('the default context manager', () => {
  it('is one store shared by every tracer without its own, and separate from a custom one', async () => {
    const a = createTracer({ sampler: 'always_on' });
    const b = createTracer({ sampler: 'always_on' });
    const own = createTracer({ sampler: 'always_on', contextManager: new AsyncLocalStorageContextManager() });
    await a.startActiveSpan('in a', async (span) => {
      await new Promise((r) => setImmediate(r));
      expect(b.currentSpan()).toBe(span);
      expect(own.currentSpan()).toBeUndefined();
    });
    expect(b.currentSpan()).toBeUndefined();
  });
});
