import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span } from '../span';
import type { ContextManager } from './context-manager';

/**
 * The default context manager, on Node's `AsyncLocalStorage`: correct across async/await,
 * promise chains, timers, `setImmediate`, `process.nextTick` and emitters emitting in context.
 */
export class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Span | undefined>();

  active(): Span | undefined {
    return this.storage.getStore();
  }

  with<R>(span: Span | undefined, fn: () => R): R {
    return this.storage.run(span, fn);
  }
}

/**
 * One manager shared by every tracer that does not bring its own, so `currentSpan()` sees the
 * spans of any such tracer.
 */
export const defaultContextManager: ContextManager = new AsyncLocalStorageContextManager();
