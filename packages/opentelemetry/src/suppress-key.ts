import { createContextKey, type Context } from '@opentelemetry/api';

/**
 * The context key of OpenTelemetry's `suppressTracing()` (`@opentelemetry/core`). Context keys
 * are `Symbol.for(description)`, so this is the very key that package sets and that
 * instrumentations test with `isTracingSuppressed()`.
 */
export const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** True when tracing is suppressed in an OpenTelemetry context. */
export function isSuppressedContext(context: Context): boolean {
  return context.getValue(SUPPRESS_TRACING_KEY) === true;
}
