import type { Span } from '../span';

/**
 * Keeps the active span across asynchronous work. The default uses `AsyncLocalStorage`;
 * `@tracewell/context-cls-hooked` provides one on a cls-hooked namespace.
 *
 * The stored value is just the active span: an extracted remote context is activated by
 * wrapping it in a non-recording span, and suppressed tracing by a dedicated sentinel span.
 */
export interface ContextManager {
  /** The active span, if any. */
  active(): Span | undefined;
  /** Runs `fn` with `span` active (or none, for `undefined`) and returns its result. */
  with<R>(span: Span | undefined, fn: () => R): R;
}
