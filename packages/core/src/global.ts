import { defaultContextManager } from './context/async-local-storage-context-manager';
import { isSuppressed } from './context/suppress-tracing';
import { tracerOptionsFromEnv } from './config/env';
import { consoleLogger } from './logger';
import type { Span } from './span';
import { createTracer, type Tracer } from './tracer';

let globalTracer: Tracer | undefined;

/**
 * The process-wide tracer. Created on first use from the environment (`OTEL_SERVICE_NAME`,
 * `OTEL_PROPAGATORS`, ...) unless `setGlobalTracer` set one first.
 *
 * @example
 * const span = getTracer().startSpan('warm cache');
 */
export function getTracer(): Tracer {
  globalTracer ??= createTracer(tracerOptionsFromEnv(process.env, consoleLogger));
  return globalTracer;
}

/**
 * Makes `tracer` the one `getTracer()` returns and the default of every middleware.
 * `undefined` forgets it (the next `getTracer()` builds one from the environment again).
 *
 * @example
 * setGlobalTracer(createTracer({ serviceName: 'api', exporter }));
 */
export function setGlobalTracer(tracer: Tracer | undefined): void {
  globalTracer = tracer;
}

/**
 * The active span, from the global tracer's context (or the shared default context when no
 * global tracer exists yet), or `undefined` outside any span.
 *
 * @example
 * currentSpan()?.setAttribute('cache.hit', true);
 */
export function currentSpan(): Span | undefined {
  if (globalTracer !== undefined) return globalTracer.currentSpan();
  const active = defaultContextManager.active();
  return isSuppressed(active) ? undefined : active;
}
