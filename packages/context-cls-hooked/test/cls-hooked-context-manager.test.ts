import { createNamespace, getNamespace } from 'cls-hooked';
import { runContextConformance } from '@tracewell/conformance';
import { createTracer, TracewellConfigError } from '@tracewell/core';
import { clsHookedContextManager } from '../src';

describe('clsHookedContextManager', () => {
  it('creates the tracewell namespace, or reuses it, and returns one manager per namespace', () => {
    const manager = clsHookedContextManager();
    expect(getNamespace('tracewell')).toBeDefined();
    expect(clsHookedContextManager()).toBe(manager);
    expect(clsHookedContextManager({ namespace: 'tracewell' })).toBe(manager);
    expect(clsHookedContextManager({ namespace: getNamespace('tracewell')! })).toBe(manager);
  });

  it("shares the app's namespace, by object or name, without touching the app's keys", async () => {
    const appNamespace = createNamespace('app-under-test');
    const tracer = createTracer({ sampler: 'always_on', contextManager: clsHookedContextManager({ namespace: appNamespace }) });
    expect(clsHookedContextManager({ namespace: 'app-under-test' })).toBe(clsHookedContextManager({ namespace: appNamespace }));
    await appNamespace.runAndReturn(async () => {
      appNamespace.set('transaction', 'tx-1');
      await tracer.startActiveSpan('query', async (span) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        expect(appNamespace.get('transaction')).toBe('tx-1');
        expect(tracer.currentSpan()).toBe(span);
      });
      expect(appNamespace.get('transaction')).toBe('tx-1');
      expect(tracer.currentSpan()).toBeUndefined();
    });
  });

  it('has no active span outside any context', () => {
    expect(clsHookedContextManager().active()).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['an empty name', ''],
    ['a number', 42],
    ['an object without get/set/runAndReturn', { run() {} }],
  ])('rejects %s as namespace, naming the option', (_label, namespace) => {
    const create = () => clsHookedContextManager({ namespace: namespace as never });
    expect(create).toThrow(TracewellConfigError);
    expect(create).toThrow(/Invalid option "clsHookedContextManager\.namespace"/);
  });
});

// The shared context suite (packages/conformance/src/context-suite.ts), as the default manager runs it.
runContextConformance('cls-hooked', () => clsHookedContextManager());
