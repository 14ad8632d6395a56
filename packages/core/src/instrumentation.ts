// @tracewell/core/instrumentation: the kit for adapter authors (Express, Koa, axios, ... are
// built on it). The HTTP server and client semantics every adapter shares: span names,
// attributes, status rules, propagation, recording options. Users never need this entry.
export * from './kit';
export { ServerTracing } from './http/server-tracing';
export type { ServerFramework, ServerTracingOptions } from './http/server-tracing';
export { ClientTracing, isCallInFlight, redactUrl } from './http/client-tracing';
export type { ClientRequestTrace, ClientTracingOptions } from './http/client-tracing';
export type { HeaderLookup } from './http/header-recording';
export { compileMatcher } from './http/matchers';
export { isTracingSuppressed } from './tracer';
export { wrapSpanContext } from './non-recording-span';
