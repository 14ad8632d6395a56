import { context, propagation, trace } from '@opentelemetry/api';
import { consoleLogger, getTracer, type Logger, type Tracer } from '@tracewell/core';
import { invalidOption, safeWarn } from '@tracewell/core/instrumentation';
import { BridgeContextManager } from './bridge-context-manager';
import { BridgePropagator } from './bridge-propagator';
import { BridgeTracerProvider } from './bridge-tracer';

/** Options of {@link registerOpenTelemetry}. */
export interface RegisterOpenTelemetryOptions {
  /** The Tracewell tracer behind the OpenTelemetry API. Default: the global one (`getTracer()`), looked up on every use. */
  tracer?: Tracer;
  /** Where a failed registration is reported. Default: `console.warn`. */
  logger?: Logger;
}

/**
 * Makes Tracewell the OpenTelemetry API's global tracer provider, context manager and
 * propagator: spans that any OpenTelemetry-instrumented library starts become Tracewell spans,
 * children of the active one (`req.span`), and `trace.getActiveSpan()` in a traced handler is
 * `req.span`. Returns the off switch, which unregisters all three (the API's `disable()`).
 *
 * When another OpenTelemetry SDK is registered already, the API keeps it: nothing is replaced,
 * one warning says so, and the off switch does nothing.
 *
 * @example
 * import { registerOpenTelemetry } from '@tracewell/opentelemetry';
 * registerOpenTelemetry(); // before the instrumentations, e.g. registerInstrumentations({ instrumentations: [new PgInstrumentation()] })
 */
export function registerOpenTelemetry(options: RegisterOpenTelemetryOptions = {}): () => void {
  if (options === null || typeof options !== 'object') throw invalidOption('registerOpenTelemetry(options)', 'an object', options);
  const { tracer, logger = consoleLogger } = options;
  if (tracer !== undefined && (tracer === null || typeof tracer.startSpan !== 'function' || typeof tracer.withSpan !== 'function')) {
    throw invalidOption('registerOpenTelemetry.tracer', 'a Tracer (createTracer())', tracer);
  }
  if (logger === null || typeof logger !== 'object' || typeof logger.warn !== 'function') throw invalidOption('registerOpenTelemetry.logger', 'an object with warn()', logger);
  const resolve = tracer === undefined ? getTracer : () => tracer;
  const contexts = new BridgeContextManager(resolve);
  const registered = [
    ['tracer provider', trace.setGlobalTracerProvider(new BridgeTracerProvider(resolve, contexts)), () => trace.disable()],
    ['context manager', context.setGlobalContextManager(contexts), () => context.disable()],
    ['propagator', propagation.setGlobalPropagator(new BridgePropagator(resolve)), () => propagation.disable()],
  ] as const;
  const refused = registered.filter(([, ok]) => !ok).map(([what]) => what);
  if (refused.length > 0) {
    // Undo what did register: half a bridge would mix two SDKs' contexts.
    for (const [, ok, disable] of registered) if (ok) disable();
    safeWarn(logger, `registerOpenTelemetry: an OpenTelemetry ${refused.join(', ')} is registered already; Tracewell is not behind the OpenTelemetry API`);
    return () => undefined;
  }
  let on = true;
  return () => {
    if (!on) return;
    on = false;
    for (const [, , disable] of registered) disable();
  };
}
