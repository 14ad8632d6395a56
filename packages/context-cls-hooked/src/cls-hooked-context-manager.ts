import { createNamespace, getNamespace, type Namespace } from 'cls-hooked';
import type { ContextManager, Span } from '@tracewell/core';
import { invalidOption } from '@tracewell/core/instrumentation';

/** Options of {@link clsHookedContextManager}. */
export interface ClsHookedContextManagerOptions {
  /**
   * The cls-hooked namespace to keep the active span in: a namespace object, or the name of one
   * (reused when it exists, created otherwise). Default: a namespace named `tracewell`.
   */
  namespace?: Namespace | string;
}

/** The default namespace name. */
const DEFAULT_NAMESPACE = 'tracewell';

// Module-private key of the active span in the namespace's context. The namespace may be the
// app's own (e.g. Sequelize's), so the key is prefixed to stay clear of the app's keys.
const SPAN_KEY = 'tracewell.span';

const NAMESPACE_METHODS = ['get', 'set', 'runAndReturn'] as const;

// One manager per namespace: tracers register every custom manager for suppressTracing, so
// calling clsHookedContextManager() once per tracer should not multiply them.
const managers = new WeakMap<Namespace, ContextManager>();

class ClsHookedContextManager implements ContextManager {
  constructor(private readonly namespace: Namespace) {}

  active(): Span | undefined {
    // Outside any context, cls-hooked's get() returns undefined.
    return this.namespace.get(SPAN_KEY) as Span | undefined;
  }

  with<R>(span: Span | undefined, fn: () => R): R {
    return this.namespace.runAndReturn(() => {
      this.namespace.set(SPAN_KEY, span);
      return fn();
    });
  }
}

function resolveNamespace(option: unknown): Namespace {
  const name = 'clsHookedContextManager.namespace';
  const accepted = `a cls-hooked namespace (an object with ${NAMESPACE_METHODS.map((m) => `${m}()`).join(', ')}) or a non-empty namespace name`;
  if (option === undefined) return getNamespace(DEFAULT_NAMESPACE) ?? createNamespace(DEFAULT_NAMESPACE);
  if (typeof option === 'string') {
    if (option.length === 0) throw invalidOption(name, accepted, option);
    return getNamespace(option) ?? createNamespace(option);
  }
  const ok = option !== null && typeof option === 'object' && NAMESPACE_METHODS.every((m) => typeof (option as Record<string, unknown>)[m] === 'function');
  if (!ok) throw invalidOption(name, accepted, option);
  return option as Namespace;
}

/**
 * A {@link ContextManager} that keeps the active span in a cls-hooked namespace, for apps that
 * already run one (e.g. Sequelize with `Sequelize.useCLS(namespace)`), so that spans and the
 * app's own context values follow the same continuations. Without such a namespace, keep the
 * default (`AsyncLocalStorage`): it is faster and maintained, while cls-hooked is not.
 *
 * Calls with the same namespace return the same manager.
 *
 * @param options - `namespace`: the namespace object or name to share (default: `tracewell`)
 * @returns a context manager for `createTracer({ contextManager })`
 * @throws TracewellConfigError (`TW_INVALID_OPTION`) when `namespace` is neither a namespace nor a
 *   non-empty string
 *
 * @example
 * import { createNamespace } from 'cls-hooked';
 * import { Sequelize } from 'sequelize';
 * import { createTracer } from '@tracewell/core';
 * import { clsHookedContextManager } from '@tracewell/context-cls-hooked';
 *
 * const namespace = createNamespace('app');
 * Sequelize.useCLS(namespace);
 * const tracer = createTracer({
 *   serviceName: 'orders',
 *   contextManager: clsHookedContextManager({ namespace }),
 * });
 */
export function clsHookedContextManager(options: ClsHookedContextManagerOptions = {}): ContextManager {
  if (options === null || typeof options !== 'object') throw invalidOption('clsHookedContextManager', 'an options object', options);
  const namespace = resolveNamespace(options.namespace);
  let manager = managers.get(namespace);
  if (manager === undefined) {
    manager = new ClsHookedContextManager(namespace);
    managers.set(namespace, manager);
  }
  return manager;
}
